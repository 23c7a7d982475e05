-- threatdb schema, version 11: label and substring filters read only the owner's rows, at any
-- size of the store (issue 20).
-- - Security labels: each subject's label links carry the subject's owner, and are indexed
--   (label_id, owner_id, subject id). A system label (TLP:RED) spans every owner: read from the
--   label's side, the old (label_id, incident_id) index read every owner's links and checked
--   each against the owner. Now a label's links in one owner are one range.
-- - Name substrings: the trigram index keys each name by (owner_id << 40) + incident id, so an
--   owner's names are one rowid range of every term's doclist and FTS5 seeks to it; the old
--   index read a trigram's matches in every owner. It is contentless (the names are in
--   `incidents`; the triggers delete with the old name) and keeps rowids only (detail=none): its
--   queries are ANDs of single trigrams. Incident ids must stay below 2^40 (about 10^12); a
--   larger one would only be missed by substring searches (the owner and the text are checked
--   on the incident row itself).
-- Never edit once applied: add a migration.

ALTER TABLE incident_labels ADD COLUMN owner_id INTEGER;
UPDATE incident_labels SET owner_id = (SELECT owner_id FROM incidents WHERE id = incident_labels.incident_id);
DROP INDEX incident_labels_label;
CREATE INDEX incident_labels_label ON incident_labels (label_id, owner_id, incident_id);

ALTER TABLE item_labels ADD COLUMN owner_id INTEGER;
UPDATE item_labels SET owner_id = (SELECT owner_id FROM items WHERE id = item_labels.item_id);
CREATE INDEX item_labels_label ON item_labels (label_id, owner_id, item_id);

ALTER TABLE indicator_labels ADD COLUMN owner_id INTEGER;
UPDATE indicator_labels SET owner_id = (SELECT owner_id FROM indicators WHERE id = indicator_labels.indicator_id);
CREATE INDEX indicator_labels_label ON indicator_labels (label_id, owner_id, indicator_id);

DROP TRIGGER incident_names_insert;
DROP TRIGGER incident_names_delete;
DROP TRIGGER incident_names_update;
DROP TABLE incident_names;
CREATE VIRTUAL TABLE incident_names USING fts5 (
    name, content = '', detail = 'none', tokenize = 'trigram'
);
INSERT INTO incident_names (incident_names, rank) VALUES ('automerge', 16);
-- In key order (FTS5 starts a new segment wherever a key is lower than the one before), then
-- merged into one segment (a query looks each trigram up once per segment).
INSERT INTO incident_names (rowid, name)
    SELECT (owner_id << 40) + id, name FROM incidents ORDER BY owner_id, id;
INSERT INTO incident_names (incident_names) VALUES ('optimize');
CREATE TRIGGER incident_names_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO incident_names (rowid, name) VALUES ((new.owner_id << 40) + new.id, new.name);
END;
CREATE TRIGGER incident_names_delete AFTER DELETE ON incidents BEGIN
    INSERT INTO incident_names (incident_names, rowid, name)
        VALUES ('delete', (old.owner_id << 40) + old.id, old.name);
END;
CREATE TRIGGER incident_names_update AFTER UPDATE OF name, owner_id ON incidents BEGIN
    INSERT INTO incident_names (incident_names, rowid, name)
        VALUES ('delete', (old.owner_id << 40) + old.id, old.name);
    INSERT INTO incident_names (rowid, name) VALUES ((new.owner_id << 40) + new.id, new.name);
END;
