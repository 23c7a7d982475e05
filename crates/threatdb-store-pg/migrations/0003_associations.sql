-- threatdb schema, version 3 (PostgreSQL): associations. Same tables as the SQLite store's:
-- groups of the other types, victims and tasks stored once, generically, as items (kind = the
-- URL name; fields = the type's own fields as a JSON object); indicators unique per owner, type
-- and normalised value. Deleting either end of an association deletes it (ON DELETE CASCADE).
-- Never edit once applied: add a migration.

CREATE TABLE items (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id       BIGINT      NOT NULL REFERENCES owners (id),
    kind           TEXT        NOT NULL,
    name           TEXT        NOT NULL,
    fields         TEXT        NOT NULL DEFAULT '{}',
    date_added     TIMESTAMPTZ NOT NULL,
    last_modified  TIMESTAMPTZ NOT NULL,
    created_by     TEXT        NOT NULL
);
CREATE INDEX items_owner_kind ON items (owner_id, kind, id);

CREATE TABLE indicators (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id       BIGINT      NOT NULL REFERENCES owners (id),
    kind           TEXT        NOT NULL,
    value          TEXT        NOT NULL,
    date_added     TIMESTAMPTZ NOT NULL,
    last_modified  TIMESTAMPTZ NOT NULL,
    created_by     TEXT        NOT NULL,
    UNIQUE (owner_id, kind, value)
);

-- An incident-to-incident association is stored in both directions.
CREATE TABLE incident_links (
    incident_id  BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    other_id     BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    PRIMARY KEY (incident_id, other_id)
);
CREATE INDEX incident_links_other ON incident_links (other_id);

CREATE TABLE incident_items (
    incident_id  BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    item_id      BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    PRIMARY KEY (incident_id, item_id)
);
CREATE INDEX incident_items_item ON incident_items (item_id, incident_id);

CREATE TABLE incident_indicators (
    incident_id   BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    indicator_id  BIGINT NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    PRIMARY KEY (incident_id, indicator_id)
);
CREATE INDEX incident_indicators_indicator ON incident_indicators (indicator_id, incident_id);
