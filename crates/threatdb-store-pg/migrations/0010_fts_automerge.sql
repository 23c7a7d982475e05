-- threatdb schema, version 10 (PostgreSQL): nothing to change. On SQLite this version sets the
-- name trigram index (FTS5) to merge its segments in runs of 16; pg_trgm's GIN index has no such
-- setting (its pending list is merged by autovacuum). Kept so both stores share one version list.
-- Never edit once applied: add a migration.

SELECT 1;
