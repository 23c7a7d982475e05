-- threatdb schema, version 8 (PostgreSQL): every filter a client can send served from an index.
-- The same tables as the SQLite store's; name substrings from a pg_trgm index (the extension
-- ships with PostgreSQL's contrib package; creating it needs the CREATE privilege on the
-- database). Counters are spread over 16 shards so concurrent writers in one owner do not wait
-- on one row; they are read as sum(n).
-- Never edit once applied: add a migration.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX incidents_owner_status ON incidents (owner_id, status, id);
CREATE INDEX incidents_owner_added ON incidents (owner_id, date_added);
CREATE INDEX incidents_name_trgm ON incidents USING gin (name gin_trgm_ops);

CREATE TABLE owner_counts (
    owner_id  BIGINT NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    shard     INTEGER NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (owner_id, shard)
);
INSERT INTO owner_counts (owner_id, shard, n)
    SELECT owner_id, 0, count(*) FROM incidents GROUP BY owner_id;

CREATE TABLE tag_counts (
    tag_id  BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    shard   INTEGER NOT NULL,
    n       BIGINT NOT NULL,
    PRIMARY KEY (tag_id, shard)
);
INSERT INTO tag_counts (tag_id, shard, n)
    SELECT tag_id, 0, count(*) FROM incident_tags GROUP BY tag_id;

CREATE TABLE label_counts (
    owner_id  BIGINT NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    label_id  BIGINT NOT NULL REFERENCES security_labels (id) ON DELETE CASCADE,
    shard     INTEGER NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (owner_id, label_id, shard)
);
INSERT INTO label_counts (owner_id, label_id, shard, n)
    SELECT i.owner_id, il.label_id, 0, count(*) FROM incident_labels il JOIN incidents i ON i.id = il.incident_id
    GROUP BY i.owner_id, il.label_id;

CREATE FUNCTION threatdb_owner_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO owner_counts (owner_id, shard, n) VALUES (NEW.owner_id, (NEW.id % 16)::int, 1)
            ON CONFLICT (owner_id, shard) DO UPDATE SET n = owner_counts.n + 1;
        RETURN NEW;
    END IF;
    -- A delete takes the incident's labels off their counts before the cascade removes the links.
    UPDATE label_counts SET n = n - 1
        WHERE owner_id = OLD.owner_id AND shard = (OLD.id % 16)::int
          AND label_id IN (SELECT label_id FROM incident_labels WHERE incident_id = OLD.id);
    INSERT INTO owner_counts (owner_id, shard, n) VALUES (OLD.owner_id, (OLD.id % 16)::int, -1)
        ON CONFLICT (owner_id, shard) DO UPDATE SET n = owner_counts.n - 1;
    RETURN OLD;
END $$;
CREATE TRIGGER owner_counts_insert AFTER INSERT ON incidents
    FOR EACH ROW EXECUTE FUNCTION threatdb_owner_count();
CREATE TRIGGER owner_counts_delete BEFORE DELETE ON incidents
    FOR EACH ROW EXECUTE FUNCTION threatdb_owner_count();

CREATE FUNCTION threatdb_tag_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO tag_counts (tag_id, shard, n) VALUES (NEW.tag_id, (NEW.incident_id % 16)::int, 1)
            ON CONFLICT (tag_id, shard) DO UPDATE SET n = tag_counts.n + 1;
        RETURN NEW;
    END IF;
    INSERT INTO tag_counts (tag_id, shard, n) VALUES (OLD.tag_id, (OLD.incident_id % 16)::int, -1)
        ON CONFLICT (tag_id, shard) DO UPDATE SET n = tag_counts.n - 1;
    RETURN OLD;
END $$;
CREATE TRIGGER tag_counts_change AFTER INSERT OR DELETE ON incident_tags
    FOR EACH ROW EXECUTE FUNCTION threatdb_tag_count();

CREATE FUNCTION threatdb_label_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO label_counts (owner_id, label_id, shard, n)
            SELECT owner_id, NEW.label_id, (NEW.incident_id % 16)::int, 1 FROM incidents WHERE id = NEW.incident_id
            ON CONFLICT (owner_id, label_id, shard) DO UPDATE SET n = label_counts.n + 1;
        RETURN NEW;
    END IF;
    -- Gone with its incident: already counted off by the incident's trigger.
    UPDATE label_counts SET n = n - 1
        WHERE label_id = OLD.label_id AND shard = (OLD.incident_id % 16)::int
          AND owner_id = (SELECT owner_id FROM incidents WHERE id = OLD.incident_id);
    RETURN OLD;
END $$;
CREATE TRIGGER label_counts_change AFTER INSERT OR DELETE ON incident_labels
    FOR EACH ROW EXECUTE FUNCTION threatdb_label_count();
