-- threatdb schema, version 5: security labels on items and on indicators (the system labels and
-- the owner's own, like an incident's). Never edit once applied: add a migration.

CREATE TABLE item_labels (
    item_id   INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    label_id  INTEGER NOT NULL REFERENCES security_labels (id) ON DELETE CASCADE,
    PRIMARY KEY (item_id, label_id)
) WITHOUT ROWID;

CREATE TABLE indicator_labels (
    indicator_id  INTEGER NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    label_id      INTEGER NOT NULL REFERENCES security_labels (id) ON DELETE CASCADE,
    PRIMARY KEY (indicator_id, label_id)
) WITHOUT ROWID;
