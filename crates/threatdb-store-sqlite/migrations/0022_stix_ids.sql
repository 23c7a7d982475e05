-- threatdb schema, version 22: STIX import keeps what it is told. An imported incident, group or
-- indicator keeps the STIX id it came with, so a relationship posted later finds it (and an
-- indicator's export gives it back); a TAXII POST's status resource is kept for its poster
-- (threatdb keeps each at least 24 hours and deletes it within 48).
-- Never edit once applied: add a migration.

ALTER TABLE incidents ADD COLUMN stix_id TEXT;
CREATE UNIQUE INDEX incidents_owner_stix_id ON incidents (owner_id, stix_id) WHERE stix_id IS NOT NULL;
ALTER TABLE items ADD COLUMN stix_id TEXT;
CREATE UNIQUE INDEX items_owner_stix_id ON items (owner_id, stix_id) WHERE stix_id IS NOT NULL;
ALTER TABLE indicators ADD COLUMN stix_id TEXT;
CREATE UNIQUE INDEX indicators_owner_stix_id ON indicators (owner_id, stix_id) WHERE stix_id IS NOT NULL;

CREATE TABLE taxii_statuses (
    id          TEXT    PRIMARY KEY,
    poster      TEXT    NOT NULL,
    owner_id    INTEGER NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    date_added  INTEGER NOT NULL,
    body        TEXT    NOT NULL
);
CREATE INDEX taxii_statuses_added ON taxii_statuses (date_added);
