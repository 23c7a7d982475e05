-- threatdb schema, version 13 (PostgreSQL): one id space for every group (DECISIONS 47). The
-- v3 API reads `/api/v3/groups/{id}` without a type, so an incident and an item (every other
-- group type, victims and tasks) must never share an id.
-- - Items whose id is also an incident's get new ids above every id either table has issued
--   (incident ids never change); their tags, labels, attributes and associations follow them.
-- - Both tables then draw their ids from one sequence, `group_ids`, which starts above every
--   id either identity sequence has handed out, so no id is ever reused.
-- Never edit once applied: add a migration.

CREATE SEQUENCE group_ids AS BIGINT;

DO $$
DECLARE
    top   BIGINT := 0;
    seen  BIGINT;
    moved BIGINT;
BEGIN
    FOREACH seen IN ARRAY ARRAY[
        (SELECT coalesce(max(id), 0) FROM incidents),
        (SELECT coalesce(max(id), 0) FROM items)]
    LOOP
        top := greatest(top, seen);
    END LOOP;
    EXECUTE format('SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM %s',
                   pg_get_serial_sequence('incidents', 'id')) INTO seen;
    top := greatest(top, seen);
    EXECUTE format('SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM %s',
                   pg_get_serial_sequence('items', 'id')) INTO seen;
    top := greatest(top, seen);

    ALTER TABLE incidents ALTER COLUMN id DROP IDENTITY;
    ALTER TABLE items ALTER COLUMN id DROP IDENTITY;

    CREATE TEMP TABLE group_id_moves (old_id BIGINT PRIMARY KEY, new_id BIGINT NOT NULL) ON COMMIT DROP;
    INSERT INTO group_id_moves (old_id, new_id)
    SELECT it.id, top + row_number() OVER (ORDER BY it.id) AS new_id
    FROM items it
    WHERE EXISTS (SELECT 1 FROM incidents i WHERE i.id = it.id);

    INSERT INTO items (id, owner_id, kind, name, fields, date_added, last_modified, created_by)
    SELECT m.new_id, it.owner_id, it.kind, it.name, it.fields, it.date_added, it.last_modified, it.created_by
    FROM items it JOIN group_id_moves m ON m.old_id = it.id;
    UPDATE incident_items x SET item_id = m.new_id FROM group_id_moves m WHERE x.item_id = m.old_id;
    UPDATE item_tags x SET item_id = m.new_id FROM group_id_moves m WHERE x.item_id = m.old_id;
    UPDATE item_labels x SET item_id = m.new_id FROM group_id_moves m WHERE x.item_id = m.old_id;
    UPDATE item_attributes x SET item_id = m.new_id FROM group_id_moves m WHERE x.item_id = m.old_id;
    DELETE FROM items WHERE id IN (SELECT old_id FROM group_id_moves);
    SELECT count(*) INTO moved FROM group_id_moves;
    top := top + moved;

    IF top > 0 THEN
        PERFORM setval('group_ids', top, true);
    END IF;
END
$$;

ALTER TABLE incidents ALTER COLUMN id SET DEFAULT nextval('group_ids');
ALTER TABLE items ALTER COLUMN id SET DEFAULT nextval('group_ids');
ALTER SEQUENCE group_ids OWNED BY incidents.id;
