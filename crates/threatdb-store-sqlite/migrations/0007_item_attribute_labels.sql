-- threatdb schema, version 7: security labels on the attributes of items and indicators, as
-- incidents' attributes have them (every subject carries the same metadata).
-- Never edit once applied: add a migration.

CREATE TABLE item_attribute_labels (
    attribute_id  INTEGER NOT NULL REFERENCES item_attributes (id) ON DELETE CASCADE,
    label_id      INTEGER NOT NULL REFERENCES security_labels (id) ON DELETE CASCADE,
    PRIMARY KEY (attribute_id, label_id)
) WITHOUT ROWID;
