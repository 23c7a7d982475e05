-- threatdb schema, version 5 (PostgreSQL): security labels on items and on indicators (the
-- system labels and the owner's own, like an incident's). Same tables as the SQLite store's.
-- Never edit once applied: add a migration.

CREATE TABLE item_labels (
    item_id   BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    label_id  BIGINT NOT NULL REFERENCES security_labels (id) ON DELETE CASCADE,
    PRIMARY KEY (item_id, label_id)
);

CREATE TABLE indicator_labels (
    indicator_id  BIGINT NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    label_id      BIGINT NOT NULL REFERENCES security_labels (id) ON DELETE CASCADE,
    PRIMARY KEY (indicator_id, label_id)
);
