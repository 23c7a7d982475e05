-- threatdb schema, version 7 (PostgreSQL): security labels on the attributes of items and
-- indicators, as incidents' attributes have them. Same table as the SQLite store's.
-- Never edit once applied: add a migration.

CREATE TABLE item_attribute_labels (
    attribute_id  BIGINT NOT NULL REFERENCES item_attributes (id) ON DELETE CASCADE,
    label_id      BIGINT NOT NULL REFERENCES security_labels (id) ON DELETE CASCADE,
    PRIMARY KEY (attribute_id, label_id)
);
