-- fct_agent_daily: one row per agent and local day with any call or SMS activity.
--
-- Grain: (agent, local_date); the day is the agent's local calendar day (stg_justcall__calls).
-- The agent is its agent_id; records without one are grouped by their agent_email_key (agent_id
-- NULL, one row per email), and records with neither share one row (both NULL): unrouted calls
-- of two people stay two people. Rust twin: callduck_metrics::goals::UserKey.
-- Counts and sums are BIGINT. Every count and sum here is additive, so any date range is a SUM over rows; the *_rate and
-- average columns are that day's ratios (recompute ratios from the sums for a range, as the
-- rpt_* macros in sql/reports/ do).
--
-- Dashboard metrics (Rust twins in callduck_metrics::metrics, kept equal by tests/metrics.rs):
--   phone_call_quantity  all calls of the day, any direction or outcome
--   talk_time_minutes    round(sum(total_duration_seconds) / 60)
--   sms_quantity         outgoing SMS that are not deleted
-- Seed JustCallMetrics: total = phone_call_quantity; completed = type Answered; missed = every
-- other final type; completed_calls + missed_calls + in_progress_calls = phone_call_quantity.
-- Call-centre numerators and denominators (inbound calls only where named):
--   inbound_finished_calls      inbound calls with a final outcome (offered calls)
--   inbound_answered_calls      of those, answered
--   inbound_missed_calls        of those, not answered (voicemail and abandoned included)
--   inbound_voicemail_calls     of those, type mentions Voicemail
--   inbound_abandoned_calls     of those, type mentions Abandon
--   inbound_answer_wait_seconds ring + queue wait over answered inbound calls (for ASA)
--   inbound_answered_in_sl      answered inbound calls whose wait <= service level threshold
--                               (setting service_level_seconds, default 20)
--   answered_handle_seconds     talk + hold + wrap-up over answered calls (for AHT)
CREATE OR REPLACE VIEW fct_agent_daily AS
WITH settings AS (
    SELECT coalesce((SELECT TRY_CAST(setting_value AS INTEGER) FROM callduck_settings
                     WHERE setting_key = 'service_level_seconds'), 20) AS service_level_seconds
),
call_days AS (
    SELECT
        agent_id,
        CASE WHEN agent_id IS NULL THEN agent_email_key END                 AS unrouted_email_key,
        local_date,
        min(agent_email_key)                                                AS agent_email_key,
        count(*)                                                            AS phone_call_quantity,
        count(*) FILTER (WHERE is_inbound)                                  AS inbound_calls,
        count(*) FILTER (WHERE is_outbound)                                 AS outbound_calls,
        count(*) FILTER (WHERE call_outcome = 'completed')                  AS completed_calls,
        count(*) FILTER (WHERE call_outcome = 'missed')                     AS missed_calls,
        count(*) FILTER (WHERE call_outcome = 'in_progress')                AS in_progress_calls,
        count(*) FILTER (WHERE is_inbound AND call_outcome <> 'in_progress') AS inbound_finished_calls,
        count(*) FILTER (WHERE is_inbound AND call_outcome = 'completed')   AS inbound_answered_calls,
        count(*) FILTER (WHERE is_inbound AND call_outcome = 'missed')      AS inbound_missed_calls,
        count(*) FILTER (WHERE is_inbound AND call_outcome = 'missed' AND is_voicemail) AS inbound_voicemail_calls,
        count(*) FILTER (WHERE is_inbound AND call_outcome = 'missed' AND is_abandoned) AS inbound_abandoned_calls,
        coalesce(sum(answer_wait_seconds) FILTER (WHERE is_inbound AND is_answered), 0) AS inbound_answer_wait_seconds,
        count(*) FILTER (WHERE is_inbound AND is_answered
                           AND answer_wait_seconds <= (SELECT service_level_seconds FROM settings)) AS inbound_answered_in_sl,
        coalesce(sum(handle_seconds) FILTER (WHERE is_answered), 0)         AS answered_handle_seconds,
        sum(total_duration_seconds)                                         AS talk_time_seconds,
        sum(conversation_seconds)                                           AS conversation_seconds,
        sum(hold_seconds)                                                   AS hold_seconds,
        sum(ring_seconds)                                                   AS ring_seconds,
        sum(handle_seconds)                                                 AS handle_seconds
    FROM stg_justcall__calls
    GROUP BY agent_id, unrouted_email_key, local_date
),
sms_days AS (
    SELECT
        agent_id,
        CASE WHEN agent_id IS NULL THEN agent_email_key END                 AS unrouted_email_key,
        local_date,
        min(agent_email_key)                                                AS agent_email_key,
        count(*) FILTER (WHERE is_counted_sent)                             AS sms_quantity,
        -- Deleted messages count nowhere but in sms_quantity's exclusion (Rust: sms.rs).
        count(*) FILTER (WHERE is_inbound AND NOT is_deleted)               AS sms_received,
        count(*) FILTER (WHERE is_counted_sent AND is_bulk_or_automated)    AS sms_bulk_or_automated_sent,
        count(*) FILTER (WHERE is_counted_sent AND is_delivery_failed)      AS sms_delivery_failed
    FROM stg_justcall__texts
    GROUP BY agent_id, unrouted_email_key, local_date
)
SELECT
    coalesce(c.agent_id, s.agent_id)                                        AS agent_id,
    coalesce(c.agent_email_key, s.agent_email_key)                          AS agent_email_key,
    coalesce(c.local_date, s.local_date)                                    AS local_date,
    CAST(coalesce(c.phone_call_quantity, 0) AS BIGINT)                      AS phone_call_quantity,
    CAST(round(coalesce(c.talk_time_seconds, 0) / 60.0) AS BIGINT)          AS talk_time_minutes,
    CAST(coalesce(s.sms_quantity, 0) AS BIGINT)                             AS sms_quantity,
    CAST(coalesce(c.inbound_calls, 0) AS BIGINT)                            AS inbound_calls,
    CAST(coalesce(c.outbound_calls, 0) AS BIGINT)                           AS outbound_calls,
    CAST(coalesce(c.completed_calls, 0) AS BIGINT)                          AS completed_calls,
    CAST(coalesce(c.missed_calls, 0) AS BIGINT)                             AS missed_calls,
    CAST(coalesce(c.in_progress_calls, 0) AS BIGINT)                        AS in_progress_calls,
    CAST(coalesce(c.talk_time_seconds, 0) AS BIGINT)                        AS talk_time_seconds,
    CAST(coalesce(c.conversation_seconds, 0) AS BIGINT)                     AS conversation_seconds,
    CAST(coalesce(c.hold_seconds, 0) AS BIGINT)                             AS hold_seconds,
    CAST(coalesce(c.ring_seconds, 0) AS BIGINT)                             AS ring_seconds,
    CAST(coalesce(c.handle_seconds, 0) AS BIGINT)                           AS handle_seconds,
    CAST(coalesce(c.inbound_finished_calls, 0) AS BIGINT)                   AS inbound_finished_calls,
    CAST(coalesce(c.inbound_answered_calls, 0) AS BIGINT)                   AS inbound_answered_calls,
    CAST(coalesce(c.inbound_missed_calls, 0) AS BIGINT)                     AS inbound_missed_calls,
    CAST(coalesce(c.inbound_voicemail_calls, 0) AS BIGINT)                  AS inbound_voicemail_calls,
    CAST(coalesce(c.inbound_abandoned_calls, 0) AS BIGINT)                  AS inbound_abandoned_calls,
    CAST(coalesce(c.inbound_answer_wait_seconds, 0) AS BIGINT)              AS inbound_answer_wait_seconds,
    CAST(coalesce(c.inbound_answered_in_sl, 0) AS BIGINT)                   AS inbound_answered_in_sl,
    CAST(coalesce(c.answered_handle_seconds, 0) AS BIGINT)                  AS answered_handle_seconds,
    CAST(coalesce(s.sms_received, 0) AS BIGINT)                             AS sms_received,
    CAST(coalesce(s.sms_bulk_or_automated_sent, 0) AS BIGINT)               AS sms_bulk_or_automated_sent,
    CAST(coalesce(s.sms_delivery_failed, 0) AS BIGINT)                      AS sms_delivery_failed,
    -- The day's ratios (NULL when the denominator is 0).
    c.total_duration_avg                                                    AS average_duration_seconds,
    c.inbound_answered_calls / nullif(c.inbound_finished_calls, 0)          AS answer_rate,
    c.inbound_missed_calls / nullif(c.inbound_finished_calls, 0)            AS missed_rate,
    c.answered_handle_seconds / nullif(c.completed_calls, 0)                AS average_handle_seconds,
    c.inbound_answer_wait_seconds / nullif(c.inbound_answered_calls, 0)     AS average_speed_of_answer_seconds,
    c.inbound_answered_in_sl / nullif(c.inbound_finished_calls, 0)          AS service_level
FROM (SELECT *, talk_time_seconds / phone_call_quantity AS total_duration_avg FROM call_days) AS c
FULL OUTER JOIN sms_days AS s
    ON c.agent_id IS NOT DISTINCT FROM s.agent_id
   AND c.unrouted_email_key IS NOT DISTINCT FROM s.unrouted_email_key
   AND c.local_date = s.local_date;

COMMENT ON VIEW fct_agent_daily IS 'One row per agent and local day with any call or SMS (grain: agent_id, else agent_email_key for records without one, and local_date). Counts and sums are additive over days; the ratio columns are that day''s (recompute ratios from the sums for a range, as the rpt_* macros do).';
COMMENT ON COLUMN fct_agent_daily.agent_id IS 'JustCall user id; NULL for records without one, which are grouped by agent_email_key (both NULL: records of nobody).';
COMMENT ON COLUMN fct_agent_daily.agent_email_key IS 'The agent''s email key (trimmed, lower case): maps the row to a dashboard user.';
COMMENT ON COLUMN fct_agent_daily.local_date IS 'The agent''s local calendar day.';
COMMENT ON COLUMN fct_agent_daily.phone_call_quantity IS 'Dashboard metric (totalCalls): all calls of the day, any direction or outcome.';
COMMENT ON COLUMN fct_agent_daily.talk_time_minutes IS 'Dashboard metric: round(talk_time_seconds / 60).';
COMMENT ON COLUMN fct_agent_daily.sms_quantity IS 'Dashboard metric: outgoing SMS that are not deleted.';
COMMENT ON COLUMN fct_agent_daily.inbound_calls IS 'Calls with direction Incoming.';
COMMENT ON COLUMN fct_agent_daily.outbound_calls IS 'Calls with direction Outgoing.';
COMMENT ON COLUMN fct_agent_daily.completed_calls IS 'Calls whose type is Answered (completedCalls).';
COMMENT ON COLUMN fct_agent_daily.missed_calls IS 'Calls with any other final type (missedCalls).';
COMMENT ON COLUMN fct_agent_daily.in_progress_calls IS 'Calls not finished yet (type empty, In Progress, Ringing, ...); completed + missed + in progress = phone_call_quantity.';
COMMENT ON COLUMN fct_agent_daily.talk_time_seconds IS 'Sum of total_duration_seconds (conversation + hold): totalDuration.';
COMMENT ON COLUMN fct_agent_daily.conversation_seconds IS 'Sum of conversation seconds.';
COMMENT ON COLUMN fct_agent_daily.hold_seconds IS 'Sum of hold seconds.';
COMMENT ON COLUMN fct_agent_daily.ring_seconds IS 'Sum of ring seconds.';
COMMENT ON COLUMN fct_agent_daily.handle_seconds IS 'Sum of handle seconds (talk + wrap-up), all calls.';
COMMENT ON COLUMN fct_agent_daily.inbound_finished_calls IS 'Inbound calls with a final outcome (offered calls): the denominator of the inbound rates.';
COMMENT ON COLUMN fct_agent_daily.inbound_answered_calls IS 'Of those, answered.';
COMMENT ON COLUMN fct_agent_daily.inbound_missed_calls IS 'Of those, not answered (voicemail and abandoned included).';
COMMENT ON COLUMN fct_agent_daily.inbound_voicemail_calls IS 'Of the missed, type mentions Voicemail.';
COMMENT ON COLUMN fct_agent_daily.inbound_abandoned_calls IS 'Of the missed, type mentions Abandon.';
COMMENT ON COLUMN fct_agent_daily.inbound_answer_wait_seconds IS 'Ring + queue wait over answered inbound calls (numerator of ASA).';
COMMENT ON COLUMN fct_agent_daily.inbound_answered_in_sl IS 'Answered inbound calls whose wait is at most service_level_seconds (setting, default 20).';
COMMENT ON COLUMN fct_agent_daily.answered_handle_seconds IS 'Talk + hold + wrap-up over answered calls (numerator of AHT).';
COMMENT ON COLUMN fct_agent_daily.sms_received IS 'Incoming SMS that are not deleted.';
COMMENT ON COLUMN fct_agent_daily.sms_bulk_or_automated_sent IS 'Of sms_quantity, bulk or automated sends.';
COMMENT ON COLUMN fct_agent_daily.sms_delivery_failed IS 'Of sms_quantity, sends whose delivery status reports a failure.';
COMMENT ON COLUMN fct_agent_daily.average_duration_seconds IS 'The day''s talk_time_seconds / phone_call_quantity (averageDuration); NULL without calls.';
COMMENT ON COLUMN fct_agent_daily.answer_rate IS 'The day''s inbound_answered_calls / inbound_finished_calls.';
COMMENT ON COLUMN fct_agent_daily.missed_rate IS 'The day''s inbound_missed_calls / inbound_finished_calls.';
COMMENT ON COLUMN fct_agent_daily.average_handle_seconds IS 'The day''s answered_handle_seconds / completed_calls (AHT).';
COMMENT ON COLUMN fct_agent_daily.average_speed_of_answer_seconds IS 'The day''s inbound_answer_wait_seconds / inbound_answered_calls (ASA).';
COMMENT ON COLUMN fct_agent_daily.service_level IS 'The day''s inbound_answered_in_sl / inbound_finished_calls.';
