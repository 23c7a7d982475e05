-- threatdb schema, version 11 (PostgreSQL): label and substring filters read only the owner's
-- rows, at any size of the store (issue 20).
-- - Security labels: each subject's label links carry the subject's owner, and are indexed
--   (label_id, owner_id, subject id): a system label (TLP:RED) spans every owner, and its links
--   in one owner are now one range instead of every owner's links checked one by one.
-- - Name substrings: the trigram index leads with the owner (btree_gin, from the contrib
--   package like pg_trgm), so a bitmap scan intersects the owner's entries with the trigrams'
--   and fetches only the owner's matching rows from the heap.
-- Never edit once applied: add a migration.

ALTER TABLE incident_labels ADD COLUMN owner_id BIGINT;
UPDATE incident_labels x SET owner_id = i.owner_id FROM incidents i WHERE i.id = x.incident_id;
ALTER TABLE incident_labels ALTER COLUMN owner_id SET NOT NULL;
DROP INDEX incident_labels_label;
CREATE INDEX incident_labels_label ON incident_labels (label_id, owner_id, incident_id);
-- The planner's estimate of a label's links in one owner: without statistics of the pair it
-- multiplies the label's share by the owner's, and a system label common in other owners looks
-- common in every one (the owner's incidents would then be walked for a label on five of them).
CREATE STATISTICS incident_labels_label_owner (mcv, dependencies) ON label_id, owner_id FROM incident_labels;

ALTER TABLE item_labels ADD COLUMN owner_id BIGINT;
UPDATE item_labels x SET owner_id = i.owner_id FROM items i WHERE i.id = x.item_id;
ALTER TABLE item_labels ALTER COLUMN owner_id SET NOT NULL;
CREATE INDEX item_labels_label ON item_labels (label_id, owner_id, item_id);

ALTER TABLE indicator_labels ADD COLUMN owner_id BIGINT;
UPDATE indicator_labels x SET owner_id = d.owner_id FROM indicators d WHERE d.id = x.indicator_id;
ALTER TABLE indicator_labels ALTER COLUMN owner_id SET NOT NULL;
CREATE INDEX indicator_labels_label ON indicator_labels (label_id, owner_id, indicator_id);

CREATE EXTENSION IF NOT EXISTS btree_gin;
DROP INDEX incidents_name_trgm;
CREATE INDEX incidents_owner_name_trgm ON incidents USING gin (owner_id, name gin_trgm_ops);
