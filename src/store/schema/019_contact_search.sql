-- 019_contact_search.sql: the contact side of search. contact_fts holds one row per contact
-- (its rowid is the contact's id): the name, every identity's handle and display name, the
-- email, and the phone as digits only (so "+49 30 123" and "4930123" are the same number).
-- Triggers keep it in step with contact and identity, so a search never scans contacts with
-- LIKE (that scan was most of a search's time at a million conversations).

CREATE VIRTUAL TABLE contact_fts USING fts5(name, handles, email, phone,
                                            tokenize='unicode61 remove_diacritics 2');

CREATE VIEW contact_fts_source AS
SELECT c.id AS id, c.name AS name,
       (SELECT group_concat(coalesce(i.handle, '') || ' ' || coalesce(i.name, ''), ' ')
          FROM identity i WHERE i.contact_id = c.id) AS handles,
       coalesce(c.email, '') AS email,
       replace(replace(replace(replace(replace(replace(coalesce(c.phone, ''),
               ' ', ''), '+', ''), '-', ''), '(', ''), ')', ''), '.', '') AS phone
  FROM contact c;

INSERT INTO contact_fts(rowid, name, handles, email, phone)
SELECT id, name, handles, email, phone FROM contact_fts_source;

CREATE TRIGGER contact_fts_contact_insert AFTER INSERT ON contact BEGIN
    INSERT OR REPLACE INTO contact_fts(rowid, name, handles, email, phone)
    SELECT id, name, handles, email, phone FROM contact_fts_source WHERE id = new.id;
END;
CREATE TRIGGER contact_fts_contact_update AFTER UPDATE OF name, email, phone ON contact BEGIN
    INSERT OR REPLACE INTO contact_fts(rowid, name, handles, email, phone)
    SELECT id, name, handles, email, phone FROM contact_fts_source WHERE id = new.id;
END;
CREATE TRIGGER contact_fts_contact_delete AFTER DELETE ON contact BEGIN
    DELETE FROM contact_fts WHERE rowid = old.id;
END;
CREATE TRIGGER contact_fts_identity_insert AFTER INSERT ON identity BEGIN
    INSERT OR REPLACE INTO contact_fts(rowid, name, handles, email, phone)
    SELECT id, name, handles, email, phone FROM contact_fts_source WHERE id = new.contact_id;
END;
CREATE TRIGGER contact_fts_identity_update AFTER UPDATE OF contact_id, handle, name ON identity BEGIN
    INSERT OR REPLACE INTO contact_fts(rowid, name, handles, email, phone)
    SELECT id, name, handles, email, phone FROM contact_fts_source
     WHERE id IN (old.contact_id, new.contact_id);
END;
CREATE TRIGGER contact_fts_identity_delete AFTER DELETE ON identity BEGIN
    INSERT OR REPLACE INTO contact_fts(rowid, name, handles, email, phone)
    SELECT id, name, handles, email, phone FROM contact_fts_source WHERE id = old.contact_id;
END;
