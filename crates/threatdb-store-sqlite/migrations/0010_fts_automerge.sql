-- threatdb schema, version 10: the name trigram index merges its segments in runs of 16, not 4.
-- FTS5 writes a new segment for what each statement added and merges a level's segments once
-- there are `automerge` of them; at 4 the merging (rewriting each name's trigrams once per level,
-- deleting the old pages row by row) was 42 % of a bulk load's time past a million names. At 16
-- an FTS-only load of 1.5 M names ran 1.53x as fast (57.7 k -> 88.4 k names/s) and queries of
-- three selective trigrams took the same time (5.2 vs 5.4 ms, within noise).
-- Never edit once applied: add a migration.

INSERT INTO incident_names (incident_names, rank) VALUES ('automerge', 16);
