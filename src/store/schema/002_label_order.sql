-- 002_label_order.sql: keep each label row ordered by its conversation's recency, so the
-- inbox filtered by a label reads the newest conversations straight from an index.
ALTER TABLE conversation_label ADD COLUMN last_message_at INTEGER NOT NULL DEFAULT 0;
UPDATE conversation_label SET last_message_at =
    (SELECT last_message_at FROM conversation WHERE id = conversation_id);
CREATE INDEX conversation_label_recent
    ON conversation_label(label, last_message_at, conversation_id);
CREATE INDEX conversation_label_conversation ON conversation_label(conversation_id);
CREATE TRIGGER conversation_label_recency AFTER UPDATE OF last_message_at ON conversation
WHEN new.last_message_at != old.last_message_at BEGIN
    UPDATE conversation_label SET last_message_at = new.last_message_at
    WHERE conversation_id = new.id;
END;
