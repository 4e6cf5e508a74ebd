-- 021_contact_block.sql: blocking ("firing") a contact for real. A contact whose status is
-- 'blocked' keeps every message (ingest stores them as before), but their conversations are
-- hidden from the inbox views, the queue, the counts and Unanswered, never routed, never
-- acknowledged and have no SLA clock. Who blocked, when and why are kept on the contact; the
-- status it had before comes back when it is unblocked.

ALTER TABLE contact ADD COLUMN blocked_at INTEGER;
ALTER TABLE contact ADD COLUMN blocked_by INTEGER REFERENCES agent(id); -- NULL: an API token
ALTER TABLE contact ADD COLUMN blocked_reason TEXT;
ALTER TABLE contact ADD COLUMN status_before_block TEXT;

-- The few blocked contacts, for "not one of theirs" in every list and count.
CREATE INDEX contact_blocked ON contact(id) WHERE status = 'blocked';

-- Contacts set to 'blocked' by older versions (which did nothing with it) are blocked now,
-- from their last change, without a recorded reason; unblocking makes them customers again.
UPDATE contact SET blocked_at = updated_at, status_before_block = 'customer'
    WHERE status = 'blocked';
UPDATE conv_sla SET awaiting_since = NULL, queued_at = NULL, first_due = NULL, next_due = NULL,
    resolve_due = NULL
    WHERE conversation_id IN (SELECT c.id FROM conversation c JOIN contact ct
                              ON ct.id = c.contact_id WHERE ct.status = 'blocked');
UPDATE timer SET cancelled = 1 WHERE fired_at IS NULL AND cancelled = 0 AND conversation_id IN
    (SELECT c.id FROM conversation c JOIN contact ct ON ct.id = c.contact_id
     WHERE ct.status = 'blocked');
