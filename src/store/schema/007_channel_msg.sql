-- 007_channel_msg.sql: platform payloads for replies (WhatsApp templates) and the link between
-- a public comment thread and the private conversation it was moved to (one case).
CREATE TABLE message_payload (
    message_id  INTEGER PRIMARY KEY REFERENCES message(id),
    payload     TEXT NOT NULL
);
ALTER TABLE conversation ADD COLUMN linked_conversation_id INTEGER REFERENCES conversation(id);
