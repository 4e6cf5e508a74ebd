-- Channels an admin manages from the web app: a channel can be switched off without losing
-- its conversations, and Hark keeps what it last heard from each platform.
ALTER TABLE channel ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;

-- What Hark last heard from a channel's platform. Written from memory by care/chanstat.c
-- (at most every few seconds, one transaction for all channels), never once per webhook.
-- day is the UTC day (days since 1970-01-01) the *_today counts belong to.
CREATE TABLE channel_status (
    channel_id      INTEGER PRIMARY KEY REFERENCES channel(id) ON DELETE CASCADE,
    last_event_at   INTEGER,   -- last accepted webhook delivery or mail poll, ms
    last_verify_at  INTEGER,   -- last platform handshake answered (Meta hub.challenge, X CRC)
    last_error      TEXT,      -- in the care team's words, never customer text or a secret
    last_error_at   INTEGER,
    day             INTEGER NOT NULL DEFAULT 0,
    messages_today  INTEGER NOT NULL DEFAULT 0,
    errors_today    INTEGER NOT NULL DEFAULT 0
);

-- The web chat's office hours come from a business-hours calendar (settings.calendar_id):
-- the free text 'office_hours' was a second source of truth. A widget that showed hours gets
-- the first calendar when there is one; the text itself cannot be read as hours, so it goes.
UPDATE channel SET settings = json_set(json_remove(settings, '$.office_hours'),
                                       '$.calendar_id', (SELECT min(id) FROM calendar))
WHERE type = 'webchat' AND json_valid(settings)
  AND json_extract(settings, '$.office_hours') IS NOT NULL
  AND (SELECT count(*) FROM calendar) > 0;
UPDATE channel SET settings = json_remove(settings, '$.office_hours')
WHERE type = 'webchat' AND json_valid(settings)
  AND json_extract(settings, '$.office_hours') IS NOT NULL;
