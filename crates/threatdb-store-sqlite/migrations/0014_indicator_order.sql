-- threatdb schema, version 14: an owner's indicators in id order from an index (the v3 API's
-- `/v3/indicators` lists, the v2 indicator lists): by owner, and by owner and type. Without them
-- a page sorts every indicator of the owner.
-- Never edit once applied: add a migration.

CREATE INDEX indicators_owner_order ON indicators (owner_id, id);
CREATE INDEX indicators_owner_kind_order ON indicators (owner_id, kind, id);
