-- threatdb schema, version 17: indicators' attributes by type (the v3 API's
-- `hasAttribute(typeName = ...)` in indicator TQL), as migration 16 for incidents: a type few
-- indicators carry is read from this index, a common one probed indicator by indicator.
-- Never edit once applied: add a migration.

CREATE INDEX item_attributes_type ON item_attributes (type, indicator_id);
