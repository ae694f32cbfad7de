-- int_sms_turns(from_date, to_date, agent, by_agent): customer turns of SMS conversations among
-- the messages of a local-day range (and agent, NULL for all), per agent and contact when
-- `by_agent`, else per contact across the team. Agents as in fct_agent_daily: messages without an
-- agent id are one agent per agent_email_key.
--
-- A turn starts at an inbound message that follows an outbound reply (or opens the
-- conversation); further inbound messages before the reply belong to the same turn. The reply is
-- the next outbound message to the same contact that is not a bulk or automated send (those are
-- neither replies nor turn ends). Deleted messages are ignored. Order: sent_at, then sms_id.
-- (Rust twin: callduck_metrics::sms, first-response time.)
--   first_response_seconds = replied_at - turn_started_at (NULL while unanswered)
--   local_date             = the agent's local day of the message that started the turn
-- (A subquery, not WITH: DuckDB 1.4.0 and 1.4.1 cannot run a table macro with a WITH clause from
-- a file written in an older format, such as callduck's.)
CREATE OR REPLACE MACRO int_sms_turns(from_date, to_date, agent, by_agent) AS TABLE
SELECT
    CASE WHEN by_agent THEN agent_id END                                    AS agent_id,
    CASE WHEN by_agent THEN agent_email_key END                             AS agent_email_key,
    contact_key,
    sms_id                                                                  AS turn_sms_id,
    sent_at                                                                 AS turn_started_at,
    local_date,
    next_reply_at                                                           AS replied_at,
    next_reply_at IS NOT NULL                                               AS is_responded,
    date_diff('second', sent_at, next_reply_at)                             AS first_response_seconds
FROM (
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
      AND local_date BETWEEN from_date AND to_date
      AND (agent IS NULL OR agent_email_key = callduck_email_key(agent))
    WINDOW w AS (PARTITION BY CASE WHEN by_agent THEN agent_id END,
                              CASE WHEN by_agent AND agent_id IS NULL THEN agent_email_key END,
                              contact_key
                 ORDER BY sent_at, sms_id)
) AS conversation
WHERE is_inbound AND coalesce(NOT previous_is_inbound, true);

-- fct_sms_responses: every customer turn, per agent and contact, over all time.
-- Grain: (agent, contact_key, turn_started_at), the agent being agent_id, else agent_email_key.
-- Definitions: int_sms_turns above.
CREATE OR REPLACE VIEW fct_sms_responses AS
FROM int_sms_turns(DATE '1900-01-01', DATE '2999-12-31', NULL, true);

COMMENT ON MACRO TABLE int_sms_turns IS 'int_sms_turns(from_date, to_date, agent, by_agent): customer turns of SMS conversations among the messages of a local-day range (and agent email, NULL for all), per agent and contact when by_agent, else per contact across the team. A turn starts at an inbound message after a reply (or opening the conversation); the reply is the next outbound message to the contact that is not bulk or automated. Rust twin: callduck_metrics::sms.';
COMMENT ON VIEW fct_sms_responses IS 'Every customer turn of an SMS conversation, per agent and contact, over all time (grain: agent, contact_key, turn_started_at), with the agent''s first reply. Definitions: int_sms_turns.';
COMMENT ON COLUMN fct_sms_responses.agent_id IS 'JustCall user id of the agent (NULL for messages without one, grouped by agent_email_key).';
COMMENT ON COLUMN fct_sms_responses.agent_email_key IS 'The agent''s email key.';
COMMENT ON COLUMN fct_sms_responses.contact_key IS 'The customer (stg_justcall__texts.contact_key).';
COMMENT ON COLUMN fct_sms_responses.turn_sms_id IS 'The inbound message that started the turn.';
COMMENT ON COLUMN fct_sms_responses.turn_started_at IS 'UTC instant of that message.';
COMMENT ON COLUMN fct_sms_responses.local_date IS 'The agent''s local day of that message.';
COMMENT ON COLUMN fct_sms_responses.replied_at IS 'UTC instant of the agent''s reply (NULL while unanswered).';
COMMENT ON COLUMN fct_sms_responses.is_responded IS 'Whether the turn got a reply.';
COMMENT ON COLUMN fct_sms_responses.first_response_seconds IS 'replied_at - turn_started_at in seconds (NULL while unanswered).';
