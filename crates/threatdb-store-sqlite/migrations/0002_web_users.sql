-- threatdb schema, version 2: people signing in to the web UI. A person IS an API user (same
-- row, same memberships, so the same authorization) with a login name and an argon2 password
-- hash (PHC string). session_epoch is bumped to end every session of the person.
-- Never edit once applied: add a migration.

CREATE TABLE web_logins (
    user_id        INTEGER PRIMARY KEY REFERENCES api_users (id) ON DELETE CASCADE,
    login          TEXT    NOT NULL,
    login_key      TEXT    NOT NULL UNIQUE,
    password_hash  TEXT    NOT NULL,
    session_epoch  INTEGER NOT NULL DEFAULT 0,
    date_added     INTEGER NOT NULL
);
