-- threatdb schema, version 4 (PostgreSQL): tags on items (groups of the other types, victims,
-- tasks) and on indicators, from the owner's tags like an incident's. Same tables as the SQLite
-- store's. Never edit once applied: add a migration.

CREATE TABLE item_tags (
    item_id  BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    tag_id   BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (item_id, tag_id)
);
CREATE INDEX item_tags_tag ON item_tags (tag_id, item_id);

CREATE TABLE indicator_tags (
    indicator_id  BIGINT NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    tag_id        BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (indicator_id, tag_id)
);
CREATE INDEX indicator_tags_tag ON indicator_tags (tag_id, indicator_id);
