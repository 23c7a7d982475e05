-- threatdb schema, version 6: attributes of items and of indicators (exactly one of the two),
-- typed and checked like an incident's. Never edit once applied: add a migration.

CREATE TABLE item_attributes (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id        INTEGER REFERENCES items (id) ON DELETE CASCADE,
    indicator_id   INTEGER REFERENCES indicators (id) ON DELETE CASCADE,
    type           TEXT    NOT NULL,
    value          TEXT    NOT NULL,
    displayed      INTEGER NOT NULL,
    source         TEXT,
    date_added     INTEGER NOT NULL,
    last_modified  INTEGER NOT NULL,
    CHECK ((item_id IS NULL) <> (indicator_id IS NULL))
);
CREATE INDEX item_attributes_item ON item_attributes (item_id);
CREATE INDEX item_attributes_indicator ON item_attributes (indicator_id);
