-- threatdb schema, version 20: an owner's items in the order they last changed (a TAXII
-- collection's pages and incremental exports walk every table of an owner by (last_modified,
-- id)). Incidents and indicators have (owner_id, last_modified) since version 12 and 15; in
-- SQLite every index ends with the rowid, so these serve `(last_modified, id) > (?, ?)`.
-- Never edit once applied: add a migration.

CREATE INDEX items_owner_modified ON items (owner_id, last_modified);
