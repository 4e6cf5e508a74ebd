-- 023_contact_merge.sql: one person across channels. A merge moves every identity and
-- conversation of one contact (the "other") to another (the kept one) and fills the kept
-- contact's empty fields from the other's; contact_merge_item records exactly what moved, so
-- an undo puts it back. The other contact stays as a row (merged_into set), hidden from the
-- contact list and from suggestions, so its own fields come back untouched on undo.

ALTER TABLE contact ADD COLUMN merged_into INTEGER REFERENCES contact(id);
CREATE INDEX contact_merged_into ON contact(merged_into) WHERE merged_into IS NOT NULL;

-- The evidence for suggestions, each an index lookup: the same email (any case), the same
-- phone as digits (the expression of contact_fts_source), the same name and location.
CREATE INDEX contact_email_nocase ON contact(email COLLATE NOCASE);
CREATE INDEX contact_phone_digits ON contact(
    replace(replace(replace(replace(replace(replace(phone, ' ', ''), '+', ''), '-', ''),
            '(', ''), ')', ''), '.', ''));

-- Order references ("#12345", "order 12345") found in a contact's messages at ingest (from
-- this version on), at most a few per message: a shared one is evidence of one person.
CREATE TABLE contact_order_ref (
    ref         TEXT NOT NULL,
    contact_id  INTEGER NOT NULL REFERENCES contact(id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (ref, contact_id)
) WITHOUT ROWID;
CREATE INDEX contact_order_ref_contact ON contact_order_ref(contact_id);

CREATE TABLE contact_merge (
    id           INTEGER PRIMARY KEY,
    contact_id   INTEGER NOT NULL REFERENCES contact(id), -- kept
    other_id     INTEGER NOT NULL REFERENCES contact(id), -- merged into contact_id
    evidence     TEXT NOT NULL DEFAULT '[]',  -- the suggestion's evidence when merged
    filled       TEXT NOT NULL DEFAULT '{}',  -- field: the other's value put on the kept contact
    before       TEXT NOT NULL DEFAULT '{}',  -- field: the kept contact's value before
    created_at   INTEGER NOT NULL,
    created_by   INTEGER REFERENCES agent(id),   -- NULL: an API token
    undone_at    INTEGER,
    undone_by    INTEGER REFERENCES agent(id)
);
CREATE INDEX contact_merge_contact ON contact_merge(contact_id);
CREATE INDEX contact_merge_other ON contact_merge(other_id);

-- What moved: identities and conversations of the other contact, and conversations that one
-- of the moved identities started after the merge (ingest adds them), which go back too.
CREATE TABLE contact_merge_item (
    merge_id  INTEGER NOT NULL REFERENCES contact_merge(id),
    kind      TEXT NOT NULL CHECK (kind IN ('identity', 'conversation')),
    item_id   INTEGER NOT NULL,
    PRIMARY KEY (merge_id, kind, item_id)
) WITHOUT ROWID;
CREATE INDEX contact_merge_item_item ON contact_merge_item(kind, item_id);

-- The store (store-staff scope) of both contacts' conversations before the merge: a location
-- filled by the merge changes it (conversation_store_contact), and an undo puts it back.
CREATE TABLE contact_merge_store (
    merge_id         INTEGER NOT NULL REFERENCES contact_merge(id),
    conversation_id  INTEGER NOT NULL,
    store            TEXT,
    PRIMARY KEY (merge_id, conversation_id)
) WITHOUT ROWID;

-- "Not the same person": a dismissed pair (low id first) is never suggested again.
CREATE TABLE contact_merge_dismissed (
    contact_a     INTEGER NOT NULL REFERENCES contact(id),
    contact_b     INTEGER NOT NULL REFERENCES contact(id),
    dismissed_by  INTEGER REFERENCES agent(id),
    dismissed_at  INTEGER NOT NULL,
    PRIMARY KEY (contact_a, contact_b),
    CHECK (contact_a < contact_b)
) WITHOUT ROWID;
