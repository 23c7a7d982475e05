-- threatdb schema, version 12: the TQL keywords of issue 14 served from indexes.
-- - `lastModified` comparisons: a range that starts from the owner, as `dateAdded` and
--   `eventDate` are.
-- - Case-insensitive `summary =` and `STARTSWITH`: the name with ASCII letters lower-cased (as
--   `lower(name COLLATE "C")` folds them), from the owner.
-- - Case-insensitive `xid =`: the external id lower-cased the same way.
-- Never edit once applied: add a migration.

CREATE INDEX incidents_owner_modified ON incidents (owner_id, last_modified);
CREATE INDEX incidents_owner_name_folded ON incidents (owner_id, lower(name COLLATE "C"));
CREATE INDEX incidents_xid_folded ON incidents (lower(xid COLLATE "C"));
