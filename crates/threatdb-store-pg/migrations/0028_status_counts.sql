-- threatdb schema, version 28: how many of an owner's incidents are in each status, kept by
-- triggers in the same transaction as the write (the dashboard reads them instead of counting
-- an owner's incidents). Read as sum(n) over shards: concurrent writers spread over 16, as
-- owner_counts. Never edit once applied: add a migration.

CREATE TABLE status_counts (
    owner_id  BIGINT  NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    status    TEXT    NOT NULL,
    shard     INTEGER NOT NULL,
    n         BIGINT  NOT NULL,
    PRIMARY KEY (owner_id, status, shard)
);
INSERT INTO status_counts (owner_id, status, shard, n)
    SELECT owner_id, status, 0, count(*) FROM incidents GROUP BY owner_id, status;

CREATE FUNCTION threatdb_status_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO status_counts (owner_id, status, shard, n)
            VALUES (OLD.owner_id, OLD.status, (OLD.id % 16)::int, -1)
            ON CONFLICT (owner_id, status, shard) DO UPDATE SET n = status_counts.n - 1;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO status_counts (owner_id, status, shard, n)
            VALUES (NEW.owner_id, NEW.status, (NEW.id % 16)::int, 1)
            ON CONFLICT (owner_id, status, shard) DO UPDATE SET n = status_counts.n + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER status_counts_change AFTER INSERT OR DELETE ON incidents
    FOR EACH ROW EXECUTE FUNCTION threatdb_status_count();
CREATE TRIGGER status_counts_update AFTER UPDATE OF status, owner_id ON incidents
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.owner_id IS DISTINCT FROM NEW.owner_id)
    EXECUTE FUNCTION threatdb_status_count();
