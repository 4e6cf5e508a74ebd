-- The routing queue holds only conversations nobody is assigned to, so that every
-- conversation is either assigned or queued, never both, and the queue drain never takes a
-- conversation away from the agent someone assigned it to. Any assignment (by routing, by an
-- agent, by escalation) takes the conversation out of the queue; routing that queues a
-- conversation unassigns it (store_route_apply). Rows left both ways by older versions are
-- settled for the assignee.
CREATE TRIGGER route_queue_assigned AFTER UPDATE OF assignee_id ON conversation
WHEN new.assignee_id IS NOT NULL BEGIN
    UPDATE conv_sla SET queued_at = NULL WHERE conversation_id = new.id AND queued_at IS NOT NULL;
END;
UPDATE conv_sla SET queued_at = NULL WHERE queued_at IS NOT NULL AND conversation_id IN
    (SELECT id FROM conversation WHERE assignee_id IS NOT NULL);
