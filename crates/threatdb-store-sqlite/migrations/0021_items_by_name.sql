-- threatdb schema, version 21: an owner's groups of one kind by exact name. A STIX import finds
-- a group that threatdb exported (its STIX id derived from its id, it has no xid) among the
-- groups of that owner, kind and name, instead of walking the owner's groups.
-- Never edit once applied: add a migration.

CREATE INDEX items_owner_kind_name ON items (owner_id, kind, name);
