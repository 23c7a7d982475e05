-- threatdb schema, version 15: an owner's indicators by when they were added and last changed
-- (the v3 API's `dateAdded` and `lastModified` in indicator TQL; `lastModified > NOW() - 1 DAY`
-- is how a tcex app pulls what changed). A window is a range of these indexes.
-- Never edit once applied: add a migration.

CREATE INDEX indicators_owner_added ON indicators (owner_id, date_added);
CREATE INDEX indicators_owner_modified ON indicators (owner_id, last_modified);
