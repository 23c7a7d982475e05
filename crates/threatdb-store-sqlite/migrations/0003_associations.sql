-- threatdb schema, version 3: associations. Groups of the other types, victims and tasks are
-- stored once, generically, as items (kind = the URL name; fields = the type's own fields as a
-- JSON object); indicators are unique per owner, type and normalised value. Deleting either end
-- of an association deletes it (ON DELETE CASCADE). Never edit once applied: add a migration.

CREATE TABLE items (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id       INTEGER NOT NULL REFERENCES owners (id),
    kind           TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    fields         TEXT    NOT NULL DEFAULT '{}',
    date_added     INTEGER NOT NULL,
    last_modified  INTEGER NOT NULL,
    created_by     TEXT    NOT NULL
);
CREATE INDEX items_owner_kind ON items (owner_id, kind, id);

CREATE TABLE indicators (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id       INTEGER NOT NULL REFERENCES owners (id),
    kind           TEXT    NOT NULL,
    value          TEXT    NOT NULL,
    date_added     INTEGER NOT NULL,
    last_modified  INTEGER NOT NULL,
    created_by     TEXT    NOT NULL,
    UNIQUE (owner_id, kind, value)
);

-- An incident-to-incident association is stored in both directions.
CREATE TABLE incident_links (
    incident_id  INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    other_id     INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    PRIMARY KEY (incident_id, other_id)
) WITHOUT ROWID;
CREATE INDEX incident_links_other ON incident_links (other_id);

CREATE TABLE incident_items (
    incident_id  INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    item_id      INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    PRIMARY KEY (incident_id, item_id)
) WITHOUT ROWID;
CREATE INDEX incident_items_item ON incident_items (item_id, incident_id);

CREATE TABLE incident_indicators (
    incident_id   INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    indicator_id  INTEGER NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    PRIMARY KEY (incident_id, indicator_id)
) WITHOUT ROWID;
CREATE INDEX incident_indicators_indicator ON incident_indicators (indicator_id, incident_id);
