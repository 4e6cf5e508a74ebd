-- 004_last_inbound.sql: when the customer last wrote, for platform reply windows (WhatsApp
-- and Messenger allow free-form replies for 24 hours after it).
ALTER TABLE conversation ADD COLUMN last_inbound_at INTEGER;
UPDATE conversation SET last_inbound_at =
    (SELECT max(created_at) FROM message WHERE conversation_id = conversation.id AND direction = 'in');
