-- threatdb schema, version 6 (PostgreSQL): attributes of items and of indicators (exactly one of
-- the two), typed and checked like an incident's. Same table as the SQLite store's.
-- Never edit once applied: add a migration.

CREATE TABLE item_attributes (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id        BIGINT      REFERENCES items (id) ON DELETE CASCADE,
    indicator_id   BIGINT      REFERENCES indicators (id) ON DELETE CASCADE,
    type           TEXT        NOT NULL,
    value          TEXT        NOT NULL,
    displayed      BOOLEAN     NOT NULL,
    source         TEXT,
    date_added     TIMESTAMPTZ NOT NULL,
    last_modified  TIMESTAMPTZ NOT NULL,
    CHECK ((item_id IS NULL) <> (indicator_id IS NULL))
);
CREATE INDEX item_attributes_item ON item_attributes (item_id);
CREATE INDEX item_attributes_indicator ON item_attributes (indicator_id);
