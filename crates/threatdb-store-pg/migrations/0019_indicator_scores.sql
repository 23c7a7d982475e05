-- threatdb schema, version 19: an owner's indicators by rating and by confidence (the v3 API's
-- `rating` and `confidence` in indicator TQL; `rating >= 4` is how a tcex app pulls the worst).
-- A range of either is a range of these indexes.
-- Never edit once applied: add a migration.

CREATE INDEX indicators_owner_rating ON indicators (owner_id, rating);
CREATE INDEX indicators_owner_confidence ON indicators (owner_id, confidence);
