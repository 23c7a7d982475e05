-- threatdb schema, version 25: the audit log. Who did what, when, from where, with what outcome;
-- each entry carries the SHA-256 of the entry before it (prev_hash) and its own (hash), computed
-- by threatdb-core's audit::AuditRecord::hash, so `threatdb admin audit verify` finds an entry
-- altered, removed or inserted afterwards. Entries are numbered by the append (seq, no gaps;
-- appends take a transaction-scoped advisory lock, so nodes append one at a time); user_id has
-- no foreign key: a user's entries outlive the user.
-- The trigger refuses UPDATE and DELETE: the log is append-only (someone who can drop a trigger
-- can still edit it; the chain is what finds that).
-- Never edit once applied: add a migration.

CREATE TABLE audit_log (
    seq         BIGINT      PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    user_id     BIGINT,
    user_name   TEXT        NOT NULL,
    via         TEXT        NOT NULL,
    action      TEXT        NOT NULL,
    target      TEXT        NOT NULL,
    outcome     TEXT        NOT NULL,
    address     TEXT,
    request_id  TEXT,
    prev_hash   BYTEA       NOT NULL,
    hash        BYTEA       NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at, seq);
CREATE INDEX audit_log_user ON audit_log (user_name, seq);
CREATE INDEX audit_log_action ON audit_log (action COLLATE "C", seq);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
