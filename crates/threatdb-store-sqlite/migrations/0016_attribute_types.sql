-- threatdb schema, version 16: incidents' attributes by type (the v3 API's
-- `hasAttribute(typeName = ...)` in group TQL). A type few incidents carry is read from this
-- index, its incidents then checked against the owner; a common one is probed incident by
-- incident from `attributes_incident`, as the owner's incidents are read in order.
-- Never edit once applied: add a migration.

CREATE INDEX attributes_type ON attributes (type, incident_id);
