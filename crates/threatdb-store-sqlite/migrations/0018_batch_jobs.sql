-- threatdb schema, version 18: ThreatConnect's Batch API. A job keeps its file, its settings, its
-- progress (phase and next item) and its counts here, so any server can run it and a restart
-- resumes it after the last chunk that committed (each chunk commits with the progress it
-- reaches). A runner holds a job by a lease that expires, so a job whose server died is taken
-- up again. Groups of every type are keyed within their owner by xid (incidents' xids were
-- unique already). Never edit once applied: add a migration.

ALTER TABLE items ADD COLUMN xid TEXT;
CREATE UNIQUE INDEX items_owner_xid ON items (owner_id, xid) WHERE xid IS NOT NULL;

-- The v2 indicator fields a feed sets: rating (0 to 5) and confidence (0 to 100).
ALTER TABLE indicators ADD COLUMN rating REAL;
ALTER TABLE indicators ADD COLUMN confidence INTEGER;

CREATE TABLE batch_jobs (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id            INTEGER NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    user_id             INTEGER NOT NULL REFERENCES api_users (id) ON DELETE CASCADE,
    settings            TEXT    NOT NULL,
    status              TEXT    NOT NULL CHECK (status IN ('Created', 'Queued', 'Running', 'Completed')),
    file                BLOB,
    phase               INTEGER NOT NULL DEFAULT 0,
    next_item           INTEGER NOT NULL DEFAULT 0,
    errors              INTEGER NOT NULL DEFAULT 0,
    unprocessed         INTEGER NOT NULL DEFAULT 0,
    success_groups      INTEGER NOT NULL DEFAULT 0,
    error_groups        INTEGER NOT NULL DEFAULT 0,
    success_indicators  INTEGER NOT NULL DEFAULT 0,
    error_indicators    INTEGER NOT NULL DEFAULT 0,
    records             INTEGER NOT NULL DEFAULT 0,
    lease               TEXT,
    lease_until         INTEGER,
    date_added          INTEGER NOT NULL,
    finished            INTEGER
);
CREATE INDEX batch_jobs_waiting ON batch_jobs (status, id);
CREATE INDEX batch_jobs_finished ON batch_jobs (finished);
CREATE INDEX batch_jobs_owner ON batch_jobs (owner_id, status);

CREATE TABLE batch_errors (
    job_id  INTEGER NOT NULL REFERENCES batch_jobs (id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    item    INTEGER NOT NULL,
    code    TEXT    NOT NULL,
    reason  TEXT    NOT NULL,
    source  TEXT    NOT NULL,
    PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;
CREATE INDEX batch_errors_item ON batch_errors (job_id, item);
