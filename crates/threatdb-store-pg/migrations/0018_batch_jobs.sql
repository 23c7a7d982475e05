-- threatdb schema, version 18: ThreatConnect's Batch API. A job keeps its file, its settings, its
-- progress (phase and next item) and its counts here, so any server can run it and a restart
-- resumes it after the last chunk that committed (each chunk commits with the progress it
-- reaches). A runner holds a job by a lease that expires, so a job whose server died is taken
-- up again. Groups of every type are keyed within their owner by xid (incidents' xids were
-- unique already). Never edit once applied: add a migration.

ALTER TABLE items ADD COLUMN xid TEXT;
CREATE UNIQUE INDEX items_owner_xid ON items (owner_id, xid) WHERE xid IS NOT NULL;

-- The v2 indicator fields a feed sets: rating (0 to 5) and confidence (0 to 100).
ALTER TABLE indicators ADD COLUMN rating DOUBLE PRECISION;
ALTER TABLE indicators ADD COLUMN confidence BIGINT;

CREATE TABLE batch_jobs (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id            BIGINT  NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    user_id             BIGINT  NOT NULL REFERENCES api_users (id) ON DELETE CASCADE,
    settings            TEXT    NOT NULL,
    status              TEXT    NOT NULL CHECK (status IN ('Created', 'Queued', 'Running', 'Completed')),
    file                BYTEA,
    phase               BIGINT  NOT NULL DEFAULT 0,
    next_item           BIGINT  NOT NULL DEFAULT 0,
    errors              BIGINT  NOT NULL DEFAULT 0,
    unprocessed         BIGINT  NOT NULL DEFAULT 0,
    success_groups      BIGINT  NOT NULL DEFAULT 0,
    error_groups        BIGINT  NOT NULL DEFAULT 0,
    success_indicators  BIGINT  NOT NULL DEFAULT 0,
    error_indicators    BIGINT  NOT NULL DEFAULT 0,
    records             BIGINT  NOT NULL DEFAULT 0,
    lease               TEXT,
    lease_until         TIMESTAMPTZ,
    date_added          TIMESTAMPTZ NOT NULL,
    finished            TIMESTAMPTZ
);
CREATE INDEX batch_jobs_waiting ON batch_jobs (status, id);
CREATE INDEX batch_jobs_finished ON batch_jobs (finished);
CREATE INDEX batch_jobs_owner ON batch_jobs (owner_id, status);

CREATE TABLE batch_errors (
    job_id  BIGINT  NOT NULL REFERENCES batch_jobs (id) ON DELETE CASCADE,
    seq     BIGINT  NOT NULL,
    item    BIGINT  NOT NULL,
    code    TEXT    NOT NULL,
    reason  TEXT    NOT NULL,
    source  TEXT    NOT NULL,
    PRIMARY KEY (job_id, seq)
);
CREATE INDEX batch_errors_item ON batch_errors (job_id, item);
