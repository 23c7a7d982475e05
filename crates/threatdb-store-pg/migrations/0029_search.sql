-- threatdb schema, version 29 (PostgreSQL): search (the web UI's /search).
-- - Other groups' names (and victims' and tasks'): a trigram index that leads with the owner,
--   as incidents' (migration 11).
-- - Attribute values: GIN indexes over to_tsvector('simple', value) (words, lower-cased), one
--   over incidents' attributes, one over other groups' and indicators'.
-- Indexes, so kept by the write's own transaction. Never edit once applied: add a migration.

CREATE INDEX items_owner_name_trgm ON items USING gin (owner_id, name gin_trgm_ops);
CREATE INDEX attributes_words ON attributes USING gin (to_tsvector('simple', value));
CREATE INDEX item_attributes_words ON item_attributes USING gin (to_tsvector('simple', value));
