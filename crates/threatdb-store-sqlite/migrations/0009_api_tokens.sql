-- threatdb schema, version 9: API tokens (`Authorization: TC-Token ...`), HMAC keys that can be
-- revoked without removing the user, and the credential generation.
-- A token is stored only as the SHA-256 of its text (a 256-bit random value: the hash cannot be
-- reversed or guessed, so no slow hash is needed). expires NULL: never.
-- credential_generation is one row, bumped in the transaction of every change that takes access
-- away (a token revoked, a key rotated or revoked, a user disabled, a membership removed or
-- changed); servers poll it and forget their cached credentials when it moves.
-- Never edit once applied: add a migration.

ALTER TABLE api_users ADD COLUMN key_revoked INTEGER NOT NULL DEFAULT 0;

CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES api_users (id) ON DELETE CASCADE,
    token_hash  BLOB    NOT NULL UNIQUE,
    date_added  INTEGER NOT NULL,
    expires     INTEGER,
    last_used   INTEGER,
    revoked     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE credential_generation (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    generation  INTEGER NOT NULL
);
INSERT INTO credential_generation (id, generation) VALUES (1, 0);
