-- fct_agent_daily: one row per agent and local day with any call or SMS activity.
--
-- Grain: (agent_id, local_date). The three dashboard metrics (Rust twins in
-- callduck_metrics::metrics):
--   phone_call_quantity = all calls of the day, any direction or outcome;
--   talk_time_minutes   = round(sum(total_duration_seconds) / 60);
--   sms_quantity        = outgoing SMS that are not deleted.
-- completed_calls + missed_calls + in_progress_calls = phone_call_quantity.
CREATE OR REPLACE VIEW fct_agent_daily AS
WITH call_days AS (
    SELECT
        agent_id,
        local_date,
        any_value(agent_email_key)                               AS agent_email_key,
        count(*)                                                 AS phone_call_quantity,
        count(*) FILTER (WHERE is_inbound)                       AS inbound_calls,
        count(*) FILTER (WHERE is_outbound)                      AS outbound_calls,
        count(*) FILTER (WHERE call_outcome = 'completed')       AS completed_calls,
        count(*) FILTER (WHERE call_outcome = 'missed')          AS missed_calls,
        count(*) FILTER (WHERE call_outcome = 'in_progress')     AS in_progress_calls,
        sum(total_duration_seconds)                              AS talk_time_seconds,
        sum(conversation_seconds)                                AS conversation_seconds,
        sum(hold_seconds)                                        AS hold_seconds,
        sum(ring_seconds)                                        AS ring_seconds,
        sum(handle_seconds)                                      AS handle_seconds
    FROM stg_justcall__calls
    GROUP BY agent_id, local_date
),
sms_days AS (
    SELECT
        agent_id,
        local_date,
        any_value(agent_email_key)                               AS agent_email_key,
        count(*) FILTER (WHERE is_counted_sent)                  AS sms_quantity,
        count(*) FILTER (WHERE is_inbound)                       AS sms_received
    FROM stg_justcall__texts
    GROUP BY agent_id, local_date
)
SELECT
    coalesce(c.agent_id, s.agent_id)                             AS agent_id,
    coalesce(c.agent_email_key, s.agent_email_key)               AS agent_email_key,
    coalesce(c.local_date, s.local_date)                         AS local_date,
    coalesce(c.phone_call_quantity, 0)                           AS phone_call_quantity,
    CAST(round(coalesce(c.talk_time_seconds, 0) / 60.0) AS BIGINT) AS talk_time_minutes,
    coalesce(s.sms_quantity, 0)                                  AS sms_quantity,
    coalesce(c.inbound_calls, 0)                                 AS inbound_calls,
    coalesce(c.outbound_calls, 0)                                AS outbound_calls,
    coalesce(c.completed_calls, 0)                               AS completed_calls,
    coalesce(c.missed_calls, 0)                                  AS missed_calls,
    coalesce(c.in_progress_calls, 0)                             AS in_progress_calls,
    coalesce(c.talk_time_seconds, 0)                             AS talk_time_seconds,
    coalesce(c.conversation_seconds, 0)                          AS conversation_seconds,
    coalesce(c.hold_seconds, 0)                                  AS hold_seconds,
    coalesce(c.ring_seconds, 0)                                  AS ring_seconds,
    coalesce(c.handle_seconds, 0)                                AS handle_seconds,
    coalesce(s.sms_received, 0)                                  AS sms_received
FROM call_days AS c
FULL OUTER JOIN sms_days AS s
    ON c.agent_id IS NOT DISTINCT FROM s.agent_id AND c.local_date = s.local_date;
