-- threatdb schema, version 13: one id space for every group (DECISIONS 47). The v3 API reads
-- `/api/v3/groups/{id}` without a type, so an incident and an item (every other group type,
-- victims and tasks) must never share an id.
-- - Items whose id is also an incident's get new ids above every id either table has issued
--   (incident ids, the ones tcex apps and v2 links carry most, never change); their tags,
--   labels, attributes and associations follow them.
-- - From now on each table's AUTOINCREMENT counter is kept at the larger of the two by a
--   trigger on each, so every path that inserts (one request, the bulk loader with its
--   explicit ids) draws from the same sequence, and no id is ever reused.
-- Never edit once applied: add a migration.

CREATE TEMP TABLE group_id_moves (old_id INTEGER PRIMARY KEY, new_id INTEGER NOT NULL);

INSERT INTO group_id_moves (old_id, new_id)
SELECT it.id,
       (SELECT max(v) FROM (
            SELECT coalesce(max(seq), 0) AS v FROM sqlite_sequence WHERE name IN ('incidents', 'items')
            UNION ALL SELECT coalesce(max(id), 0) FROM incidents
            UNION ALL SELECT coalesce(max(id), 0) FROM items))
       + row_number() OVER (ORDER BY it.id)
FROM items it
WHERE EXISTS (SELECT 1 FROM incidents i WHERE i.id = it.id);

INSERT INTO items (id, owner_id, kind, name, fields, date_added, last_modified, created_by)
SELECT m.new_id, it.owner_id, it.kind, it.name, it.fields, it.date_added, it.last_modified, it.created_by
FROM items it JOIN group_id_moves m ON m.old_id = it.id;

UPDATE incident_items SET item_id = (SELECT new_id FROM group_id_moves WHERE old_id = item_id)
WHERE item_id IN (SELECT old_id FROM group_id_moves);
UPDATE item_tags SET item_id = (SELECT new_id FROM group_id_moves WHERE old_id = item_id)
WHERE item_id IN (SELECT old_id FROM group_id_moves);
UPDATE item_labels SET item_id = (SELECT new_id FROM group_id_moves WHERE old_id = item_id)
WHERE item_id IN (SELECT old_id FROM group_id_moves);
UPDATE item_attributes SET item_id = (SELECT new_id FROM group_id_moves WHERE old_id = item_id)
WHERE item_id IN (SELECT old_id FROM group_id_moves);

DELETE FROM items WHERE id IN (SELECT old_id FROM group_id_moves);
DROP TABLE group_id_moves;

-- Both counters start at the larger of the two.
INSERT INTO sqlite_sequence (name, seq)
SELECT t.name, 0 FROM (SELECT 'incidents' AS name UNION ALL SELECT 'items') t
WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence s WHERE s.name = t.name);
UPDATE sqlite_sequence
SET seq = (SELECT max(v) FROM (
              SELECT coalesce(max(seq), 0) AS v FROM sqlite_sequence WHERE name IN ('incidents', 'items')
              UNION ALL SELECT coalesce(max(id), 0) FROM incidents
              UNION ALL SELECT coalesce(max(id), 0) FROM items))
WHERE name IN ('incidents', 'items');

CREATE TRIGGER incidents_share_group_ids AFTER INSERT ON incidents BEGIN
    UPDATE sqlite_sequence SET seq = NEW.id WHERE name = 'items' AND seq < NEW.id;
END;
CREATE TRIGGER items_share_group_ids AFTER INSERT ON items BEGIN
    UPDATE sqlite_sequence SET seq = NEW.id WHERE name = 'incidents' AND seq < NEW.id;
END;
