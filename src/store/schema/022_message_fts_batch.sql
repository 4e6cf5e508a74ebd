-- 022_message_fts_batch.sql: messages are indexed for search once per write batch, by the
-- store's writer (one INSERT INTO message_fts ... SELECT of the batch's new messages before its
-- COMMIT), not by a trigger per row. FTS5 writes its pending terms to disk at every savepoint
-- and statement, so the trigger wrote one tiny index segment per message; the batch writes one.
-- Every message up to the largest id is indexed at this point (the trigger did it), and from
-- here on a batch's messages and their index entries commit together.
DROP TRIGGER message_fts_insert;
