-- threatdb schema, version 20: an owner's incidents, items and indicators in the order they
-- last changed (a TAXII collection's pages and incremental exports walk every table of an
-- owner by (last_modified, id)). The id is a column of each index, so a keyset page
-- `(last_modified, id) > ($1, $2)` is one range however many rows share a second (a batch
-- job writes thousands in one).
-- Never edit once applied: add a migration.

CREATE INDEX incidents_owner_changed ON incidents (owner_id, last_modified, id);
CREATE INDEX items_owner_changed ON items (owner_id, last_modified, id);
CREATE INDEX indicators_owner_changed ON indicators (owner_id, last_modified, id);
