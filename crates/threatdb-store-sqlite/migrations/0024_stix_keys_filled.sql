-- threatdb schema, version 24: the STIX keys of the rows written before version 23, computed by
-- threatdb itself (SHA-1 over the owner and natural key) before this version is recorded; a
-- start that stops half-way computes the rest the next time.
-- Never edit once applied: add a migration.

SELECT 1;
