-- threatdb schema, version 29: search (the web UI's /search).
-- - Other groups' names (and victims' and tasks'): an FTS5 trigram index keyed like
--   incident_names, (owner_id << 40) + id, so one owner's names are one rowid range.
-- - Attribute values: FTS5 word indexes (letters and digits, case and diacritics folded), keyed
--   by the attribute's id: one over incidents' attributes, one over other groups' and
--   indicators'.
-- All contentless (the text is in its table) and kept by triggers in the same transaction as
-- the write. Never edit once applied: add a migration.

CREATE VIRTUAL TABLE item_names USING fts5 (
    name, content = '', detail = 'none', tokenize = 'trigram'
);
INSERT INTO item_names (item_names, rank) VALUES ('automerge', 16);
INSERT INTO item_names (rowid, name)
    SELECT (owner_id << 40) + id, name FROM items ORDER BY owner_id, id;
CREATE TRIGGER item_names_insert AFTER INSERT ON items BEGIN
    INSERT INTO item_names (rowid, name) VALUES ((new.owner_id << 40) + new.id, new.name);
END;
CREATE TRIGGER item_names_delete AFTER DELETE ON items BEGIN
    INSERT INTO item_names (item_names, rowid, name)
        VALUES ('delete', (old.owner_id << 40) + old.id, old.name);
END;
CREATE TRIGGER item_names_update AFTER UPDATE OF name, owner_id ON items BEGIN
    INSERT INTO item_names (item_names, rowid, name)
        VALUES ('delete', (old.owner_id << 40) + old.id, old.name);
    INSERT INTO item_names (rowid, name) VALUES ((new.owner_id << 40) + new.id, new.name);
END;

CREATE VIRTUAL TABLE attribute_words USING fts5 (
    value, content = '', tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO attribute_words (attribute_words, rank) VALUES ('automerge', 16);
INSERT INTO attribute_words (rowid, value) SELECT id, value FROM attributes ORDER BY id;
CREATE TRIGGER attribute_words_insert AFTER INSERT ON attributes BEGIN
    INSERT INTO attribute_words (rowid, value) VALUES (new.id, new.value);
END;
CREATE TRIGGER attribute_words_delete AFTER DELETE ON attributes BEGIN
    INSERT INTO attribute_words (attribute_words, rowid, value) VALUES ('delete', old.id, old.value);
END;
CREATE TRIGGER attribute_words_update AFTER UPDATE OF value ON attributes BEGIN
    INSERT INTO attribute_words (attribute_words, rowid, value) VALUES ('delete', old.id, old.value);
    INSERT INTO attribute_words (rowid, value) VALUES (new.id, new.value);
END;

CREATE VIRTUAL TABLE item_attribute_words USING fts5 (
    value, content = '', tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO item_attribute_words (item_attribute_words, rank) VALUES ('automerge', 16);
INSERT INTO item_attribute_words (rowid, value) SELECT id, value FROM item_attributes ORDER BY id;
CREATE TRIGGER item_attribute_words_insert AFTER INSERT ON item_attributes BEGIN
    INSERT INTO item_attribute_words (rowid, value) VALUES (new.id, new.value);
END;
CREATE TRIGGER item_attribute_words_delete AFTER DELETE ON item_attributes BEGIN
    INSERT INTO item_attribute_words (item_attribute_words, rowid, value)
        VALUES ('delete', old.id, old.value);
END;
CREATE TRIGGER item_attribute_words_update AFTER UPDATE OF value ON item_attributes BEGIN
    INSERT INTO item_attribute_words (item_attribute_words, rowid, value)
        VALUES ('delete', old.id, old.value);
    INSERT INTO item_attribute_words (rowid, value) VALUES (new.id, new.value);
END;
