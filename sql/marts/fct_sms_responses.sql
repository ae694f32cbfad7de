-- fct_sms_responses: one row per customer turn in an SMS conversation, with the agent's reply.
--
-- Grain: (agent_id, contact_key, turn_started_at). A turn starts at an inbound message that
-- follows an outbound reply (or opens the conversation); further inbound messages before the
-- reply belong to the same turn. The reply is the next outbound message to the same contact from
-- the same agent that is not a bulk or automated send (those are ignored entirely here: they are
-- not replies and do not end a turn).
--   first_response_seconds = replied_at - turn_started_at (NULL while unanswered)
--   local_date             = the agent's local day of the inbound message that started the turn
CREATE OR REPLACE VIEW fct_sms_responses AS
WITH conversation AS (
    SELECT
        agent_id,
        agent_email_key,
        contact_key,
        sms_id,
        sent_at,
        local_date,
        is_inbound,
        lag(is_inbound) OVER w                                              AS previous_is_inbound,
        min(CASE WHEN is_outbound THEN sent_at END) OVER (
            w ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)             AS next_reply_at
    FROM stg_justcall__texts
    WHERE contact_key IS NOT NULL
      AND NOT is_deleted
      AND (is_inbound OR NOT is_bulk_or_automated)
    WINDOW w AS (PARTITION BY agent_id, contact_key ORDER BY sent_at, sms_id)
)
SELECT
    agent_id,
    agent_email_key,
    contact_key,
    sms_id                                                                  AS turn_sms_id,
    sent_at                                                                 AS turn_started_at,
    local_date,
    next_reply_at                                                           AS replied_at,
    next_reply_at IS NOT NULL                                               AS is_responded,
    date_diff('second', sent_at, next_reply_at)                             AS first_response_seconds
FROM conversation
WHERE is_inbound AND coalesce(NOT previous_is_inbound, true);
