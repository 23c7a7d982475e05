-- threatdb schema, version 27: tombstones. A deleted incident, group or indicator keeps its
-- last state here (its fields, tags, security labels, attributes with their labels, and its
-- associations, as JSON), so someone with write rights on its owner can list and restore it
-- (with the same id) until the retention sweep purges it. `family` is `group` (incidents and
-- every other group type) or `indicator`: the two lists a client asks for.
-- Never edit once applied: add a migration.

CREATE TABLE tombstones (
    object_kind TEXT    NOT NULL,
    object_id   INTEGER NOT NULL,
    family      TEXT    NOT NULL,
    owner_id    INTEGER NOT NULL,
    type_name   TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    deleted_at  INTEGER NOT NULL,
    deleted_by  TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    PRIMARY KEY (object_kind, object_id)
);
CREATE INDEX tombstones_owner ON tombstones (family, owner_id, deleted_at, object_id);
CREATE INDEX tombstones_age ON tombstones (deleted_at);
