-- Recomputing a conversation's deadlines (after any change to its facts, such as an
-- escalation reassigning it) must not re-arm a warning or breach that already fired for the
-- same deadline. The store looks that up by (conversation, kind, due) among fired timers.
CREATE INDEX timer_fired ON timer(conversation_id, kind, due_at) WHERE fired_at IS NOT NULL;
