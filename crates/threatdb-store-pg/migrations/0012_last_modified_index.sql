-- threatdb schema, version 12: TQL's `lastModified` comparisons served from a range that starts
-- from the owner, as `dateAdded` and `eventDate` are.
-- Never edit once applied: add a migration.

CREATE INDEX incidents_owner_modified ON incidents (owner_id, last_modified);
