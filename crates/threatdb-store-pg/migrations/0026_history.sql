-- threatdb schema, version 26: history. Each change to an incident, a group or an indicator and
-- to what hangs off it (tags, security labels, attributes), field by field, written by the
-- operation that makes the change in its transaction (threatdb-store's history::record), with
-- who made it, through what (v2, v3, web, ...) and for which request. A row names its object by
-- kind and id without a foreign key, so a deleted object's history (its `deleted` entry holds
-- its last state) outlives it. Read newest first per object.
-- Never edit once applied: add a migration.

CREATE TABLE history (
    id          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    object_kind TEXT        NOT NULL,
    object_id   BIGINT      NOT NULL,
    owner_id    BIGINT      NOT NULL,
    field       TEXT        NOT NULL,
    old_value   TEXT,
    new_value   TEXT,
    user_id     BIGINT,
    user_name   TEXT        NOT NULL,
    via         TEXT        NOT NULL,
    request_id  TEXT,
    at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX history_object ON history (object_kind, object_id, id);
