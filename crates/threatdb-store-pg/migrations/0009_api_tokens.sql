-- threatdb schema, version 9 (PostgreSQL): API tokens (`Authorization: TC-Token ...`), HMAC keys
-- that can be revoked without removing the user, and the credential generation.
-- A token is stored only as the SHA-256 of its text (a 256-bit random value: the hash cannot be
-- reversed or guessed, so no slow hash is needed). expires NULL: never.
-- credential_generation is one row, bumped in the transaction of every change that takes access
-- away (with a pg_notify on channel threatdb_credentials, delivered at commit); nodes listen,
-- and poll it when their listener is down.
-- Never edit once applied: add a migration.

ALTER TABLE api_users ADD COLUMN key_revoked BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE api_tokens (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT      NOT NULL REFERENCES api_users (id) ON DELETE CASCADE,
    token_hash  BYTEA       NOT NULL UNIQUE,
    date_added  TIMESTAMPTZ NOT NULL,
    expires     TIMESTAMPTZ,
    last_used   TIMESTAMPTZ,
    revoked     BOOLEAN     NOT NULL DEFAULT FALSE
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE credential_generation (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    generation  BIGINT  NOT NULL
);
INSERT INTO credential_generation (id, generation) VALUES (1, 0);
