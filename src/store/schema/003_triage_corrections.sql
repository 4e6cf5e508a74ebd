-- 003_triage_corrections.sql: labels agents corrected, kept as training data for
-- `hark model retrain`. One row per corrected field; the newest row for a message and field
-- wins when exporting.
CREATE TABLE triage_correction (
    id          INTEGER PRIMARY KEY,
    message_id  INTEGER NOT NULL REFERENCES message(id),
    agent_id    INTEGER REFERENCES agent(id),
    field       TEXT NOT NULL CHECK (field IN ('intent', 'sentiment')),
    old_value   TEXT,
    new_value   TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX triage_correction_message ON triage_correction(message_id, field);
ALTER TABLE message ADD COLUMN triage_corrected INTEGER NOT NULL DEFAULT 0;
CREATE INDEX conversation_urgency ON conversation(urgency, last_message_at, id);
