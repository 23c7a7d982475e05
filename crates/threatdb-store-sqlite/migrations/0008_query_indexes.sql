-- threatdb schema, version 8: every filter a client can send served from an index.
-- - status and dateAdded: ranges that start from the owner;
-- - name substrings: an FTS5 trigram index over incident names, kept by triggers in the same
--   transaction as the write;
-- - first-page counts of an owner's incidents, a tag's and a label's: counters kept by triggers.
-- Never edit once applied: add a migration.

CREATE INDEX incidents_owner_status ON incidents (owner_id, status, id);
CREATE INDEX incidents_owner_added ON incidents (owner_id, date_added);

CREATE VIRTUAL TABLE incident_names USING fts5 (
    name, content = 'incidents', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO incident_names (incident_names) VALUES ('rebuild');
CREATE TRIGGER incident_names_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO incident_names (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER incident_names_delete AFTER DELETE ON incidents BEGIN
    INSERT INTO incident_names (incident_names, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER incident_names_update AFTER UPDATE OF name ON incidents BEGIN
    INSERT INTO incident_names (incident_names, rowid, name) VALUES ('delete', old.id, old.name);
    INSERT INTO incident_names (rowid, name) VALUES (new.id, new.name);
END;

-- Counters, read as sum(n) over shards: PostgreSQL spreads concurrent writers over shards, the
-- one SQLite writer needs only shard 0.
CREATE TABLE owner_counts (
    owner_id  INTEGER NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    shard     INTEGER NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (owner_id, shard)
) WITHOUT ROWID;
INSERT INTO owner_counts (owner_id, shard, n)
    SELECT owner_id, 0, count(*) FROM incidents GROUP BY owner_id;
CREATE TRIGGER owner_counts_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO owner_counts (owner_id, shard, n) VALUES (new.owner_id, 0, 1)
        ON CONFLICT (owner_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER owner_counts_delete AFTER DELETE ON incidents BEGIN
    UPDATE owner_counts SET n = n - 1 WHERE owner_id = old.owner_id AND shard = 0;
END;

CREATE TABLE tag_counts (
    tag_id  INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    shard   INTEGER NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (tag_id, shard)
) WITHOUT ROWID;
INSERT INTO tag_counts (tag_id, shard, n)
    SELECT tag_id, 0, count(*) FROM incident_tags GROUP BY tag_id;
CREATE TRIGGER tag_counts_insert AFTER INSERT ON incident_tags BEGIN
    INSERT INTO tag_counts (tag_id, shard, n) VALUES (new.tag_id, 0, 1)
        ON CONFLICT (tag_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tag_counts_delete AFTER DELETE ON incident_tags BEGIN
    UPDATE tag_counts SET n = n - 1 WHERE tag_id = old.tag_id AND shard = 0;
END;

-- Per owner and label (system labels span owners): how many of the owner's incidents carry it.
-- An incident's deletion takes its labels off the counts before the cascade removes the links.
CREATE TABLE label_counts (
    owner_id  INTEGER NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    label_id  INTEGER NOT NULL REFERENCES security_labels (id) ON DELETE CASCADE,
    shard     INTEGER NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (owner_id, label_id, shard)
) WITHOUT ROWID;
INSERT INTO label_counts (owner_id, label_id, shard, n)
    SELECT i.owner_id, il.label_id, 0, count(*) FROM incident_labels il JOIN incidents i ON i.id = il.incident_id
    GROUP BY i.owner_id, il.label_id;
CREATE TRIGGER label_counts_insert AFTER INSERT ON incident_labels BEGIN
    INSERT INTO label_counts (owner_id, label_id, shard, n)
        SELECT owner_id, new.label_id, 0, 1 FROM incidents WHERE id = new.incident_id
        ON CONFLICT (owner_id, label_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER label_counts_delete AFTER DELETE ON incident_labels BEGIN
    UPDATE label_counts SET n = n - 1
        WHERE label_id = old.label_id AND shard = 0
          AND owner_id = (SELECT owner_id FROM incidents WHERE id = old.incident_id);
END;
CREATE TRIGGER label_counts_incident_delete BEFORE DELETE ON incidents BEGIN
    UPDATE label_counts SET n = n - 1
        WHERE owner_id = old.owner_id AND shard = 0
          AND label_id IN (SELECT label_id FROM incident_labels WHERE incident_id = old.id);
END;
