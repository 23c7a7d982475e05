-- threatdb schema, version 28: how many of an owner's incidents are in each status, kept by
-- triggers in the same transaction as the write (the dashboard reads them instead of counting
-- an owner's incidents). Read as sum(n) over shards, as owner_counts.
-- Never edit once applied: add a migration.

CREATE TABLE status_counts (
    owner_id  INTEGER NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    status    TEXT    NOT NULL,
    shard     INTEGER NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (owner_id, status, shard)
) WITHOUT ROWID;
INSERT INTO status_counts (owner_id, status, shard, n)
    SELECT owner_id, status, 0, count(*) FROM incidents GROUP BY owner_id, status;
CREATE TRIGGER status_counts_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO status_counts (owner_id, status, shard, n) VALUES (new.owner_id, new.status, 0, 1)
        ON CONFLICT (owner_id, status, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER status_counts_delete AFTER DELETE ON incidents BEGIN
    UPDATE status_counts SET n = n - 1
        WHERE owner_id = old.owner_id AND status = old.status AND shard = 0;
END;
CREATE TRIGGER status_counts_update AFTER UPDATE OF status, owner_id ON incidents
    WHEN old.status IS NOT new.status OR old.owner_id IS NOT new.owner_id BEGIN
    UPDATE status_counts SET n = n - 1
        WHERE owner_id = old.owner_id AND status = old.status AND shard = 0;
    INSERT INTO status_counts (owner_id, status, shard, n) VALUES (new.owner_id, new.status, 0, 1)
        ON CONFLICT (owner_id, status, shard) DO UPDATE SET n = n + 1;
END;
