-- threatdb schema, version 1 (PostgreSQL). Same version list as the SQLite store's.
-- Never edit once applied: add a migration.

CREATE TABLE owners (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT        NOT NULL,
    name_key    TEXT        NOT NULL UNIQUE,
    kind        TEXT        NOT NULL CHECK (kind IN ('Organization', 'Community', 'Source')),
    date_added  TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_users (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    access_id       TEXT        NOT NULL UNIQUE,
    sealed_secret   BYTEA       NOT NULL,
    name            TEXT        NOT NULL,
    organization_id BIGINT      NOT NULL REFERENCES owners (id),
    disabled        BOOLEAN     NOT NULL DEFAULT FALSE,
    date_added      TIMESTAMPTZ NOT NULL
);

CREATE TABLE memberships (
    user_id   BIGINT NOT NULL REFERENCES api_users (id) ON DELETE CASCADE,
    owner_id  BIGINT NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    role      TEXT   NOT NULL CHECK (role IN ('read', 'write', 'admin')),
    PRIMARY KEY (user_id, owner_id)
);

CREATE TABLE incidents (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id       BIGINT      NOT NULL REFERENCES owners (id),
    name           TEXT        NOT NULL,
    event_date     TIMESTAMPTZ NOT NULL,
    status         TEXT        NOT NULL,
    date_added     TIMESTAMPTZ NOT NULL,
    last_modified  TIMESTAMPTZ NOT NULL,
    created_by     TEXT        NOT NULL,
    xid            TEXT        NOT NULL UNIQUE
);
-- Covers the list filters, so counting a tag's incidents with a date or status filter never
-- reads the incident rows (index-only scans).
CREATE INDEX incidents_owner_id ON incidents (owner_id, id) INCLUDE (event_date, date_added, status);
CREATE INDEX incidents_owner_event ON incidents (owner_id, event_date);
-- COLLATE "C": byte order, so name^ prefix filters can use the index and compare byte-exactly.
CREATE INDEX incidents_owner_name ON incidents (owner_id, name COLLATE "C");

CREATE TABLE attributes (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id    BIGINT      NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    type           TEXT        NOT NULL,
    value          TEXT        NOT NULL,
    displayed      BOOLEAN     NOT NULL,
    source         TEXT,
    date_added     TIMESTAMPTZ NOT NULL,
    last_modified  TIMESTAMPTZ NOT NULL
);
CREATE INDEX attributes_incident ON attributes (incident_id);

CREATE TABLE tags (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id  BIGINT NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    name      TEXT   NOT NULL,
    name_key  TEXT   NOT NULL,
    UNIQUE (owner_id, name_key)
);

-- event_date copies the incident's (kept equal by every write that changes either), so a tag's
-- incidents can be counted and paged by event date from the index alone.
CREATE TABLE incident_tags (
    incident_id  BIGINT      NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    tag_id       BIGINT      NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    event_date   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (incident_id, tag_id)
);
CREATE INDEX incident_tags_tag ON incident_tags (tag_id, incident_id) INCLUDE (event_date);
CREATE INDEX incident_tags_tag_event ON incident_tags (tag_id, event_date);

-- owner_id NULL: a system label every owner can use.
CREATE TABLE security_labels (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id     BIGINT REFERENCES owners (id) ON DELETE CASCADE,
    name         TEXT        NOT NULL,
    name_key     TEXT        NOT NULL,
    description  TEXT        NOT NULL,
    color        TEXT        NOT NULL,
    date_added   TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX security_labels_key ON security_labels (coalesce(owner_id, 0), name_key);

CREATE TABLE incident_labels (
    incident_id  BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    label_id     BIGINT NOT NULL REFERENCES security_labels (id) ON DELETE CASCADE,
    PRIMARY KEY (incident_id, label_id)
);
CREATE INDEX incident_labels_label ON incident_labels (label_id, incident_id);

CREATE TABLE attribute_labels (
    attribute_id  BIGINT NOT NULL REFERENCES attributes (id) ON DELETE CASCADE,
    label_id      BIGINT NOT NULL REFERENCES security_labels (id) ON DELETE CASCADE,
    PRIMARY KEY (attribute_id, label_id)
);

INSERT INTO security_labels (owner_id, name, name_key, description, color, date_added) VALUES
    (NULL, 'TLP:CLEAR', 'TLP:CLEAR', 'Disclosure is not limited. Recipients can spread this to the world.', 'FFFFFF', '2022-08-31T00:00:00Z'),
    (NULL, 'TLP:WHITE', 'TLP:WHITE', 'Disclosure is not limited (the TLP 1.0 name of TLP:CLEAR).', 'FFFFFF', '2014-01-01T00:00:00Z'),
    (NULL, 'TLP:GREEN', 'TLP:GREEN', 'Limited disclosure: recipients can spread this within their community.', '33FF00', '2014-01-01T00:00:00Z'),
    (NULL, 'TLP:AMBER', 'TLP:AMBER', 'Limited disclosure: recipients can only spread this on a need-to-know basis within their organization and its clients.', 'FFC000', '2014-01-01T00:00:00Z'),
    (NULL, 'TLP:AMBER+STRICT', 'TLP:AMBER+STRICT', 'Limited disclosure: recipients can only spread this on a need-to-know basis within their organization.', 'FFC000', '2022-08-31T00:00:00Z'),
    (NULL, 'TLP:RED', 'TLP:RED', 'For the eyes and ears of individual recipients only, no further disclosure.', 'FF2B2B', '2014-01-01T00:00:00Z');
