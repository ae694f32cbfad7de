-- rpt_call_kpis(from_date, to_date, agent := NULL): call metrics and call-centre KPIs over a
-- date range, one row per agent plus one team row (agent_id NULL, agent_email 'TEAM'), ranked.
-- Agents as in fct_agent_daily: calls without an agent id have one row per agent email.
--
-- Usage: FROM rpt_call_kpis(DATE '2026-11-01', DATE '2026-11-30');
--        FROM rpt_call_kpis(DATE '2026-11-01', DATE '2026-11-30', agent := 'zoe.lee@kanva.com');
-- Dates are the agents' local days (inclusive); `agent` is an email, compared case-insensitively.
-- Every ratio is recomputed from the sums in fct_agent_daily, never averaged across days:
--   answer_rate                     inbound answered / inbound finished (offered)
--   missed_rate                     inbound missed / inbound finished  (answer + missed = 1)
--   voicemail_rate, abandon_rate    inbound voicemail (abandoned) / inbound finished
--   completion_rate                 completed / (completed + missed), all directions (seed's success rate)
--   average_duration_seconds        talk seconds / all calls (seed's averageDuration)
--   average_handle_seconds          talk + hold + wrap-up over answered calls / answered calls (AHT)
--   average_speed_of_answer_seconds ring + queue wait over answered inbound / answered inbound (ASA)
--   service_level                   answered inbound within service_level_seconds / inbound finished
--   call_rank                       1 = most calls in the range (team row excluded)
-- (A subquery, not WITH: DuckDB 1.4.0 and 1.4.1 cannot run a table macro with a WITH clause from
-- a file written in an older format, such as callduck's.)
CREATE OR REPLACE MACRO rpt_call_kpis(from_date, to_date, agent := NULL) AS TABLE
SELECT
    agent_id,
    agent_email,
    is_team_total,
    active_days,
    total_calls,
    inbound_calls,
    outbound_calls,
    completed_calls,
    missed_calls,
    talk_time_minutes,
    sms_quantity,
    completed_calls / nullif(completed_calls + missed_calls, 0)             AS completion_rate,
    inbound_answered_calls / nullif(inbound_finished_calls, 0)              AS answer_rate,
    inbound_missed_calls / nullif(inbound_finished_calls, 0)                AS missed_rate,
    inbound_voicemail_calls / nullif(inbound_finished_calls, 0)             AS voicemail_rate,
    inbound_abandoned_calls / nullif(inbound_finished_calls, 0)             AS abandon_rate,
    talk_time_seconds / nullif(total_calls, 0)                              AS average_duration_seconds,
    answered_handle_seconds / nullif(completed_calls, 0)                    AS average_handle_seconds,
    inbound_answer_wait_seconds / nullif(inbound_answered_calls, 0)         AS average_speed_of_answer_seconds,
    inbound_answered_in_sl / nullif(inbound_finished_calls, 0)              AS service_level,
    CASE WHEN NOT is_team_total THEN rank() OVER (PARTITION BY is_team_total ORDER BY total_calls DESC) END AS call_rank,
    talk_time_seconds,
    conversation_seconds,
    hold_seconds,
    ring_seconds,
    handle_seconds,
    inbound_finished_calls,
    inbound_answered_calls,
    inbound_missed_calls,
    inbound_voicemail_calls,
    inbound_abandoned_calls,
    inbound_answered_in_sl
FROM (
    SELECT
        f.agent_id,
        CASE WHEN grouping(f.agent_id) = 1 THEN 'TEAM'
             ELSE coalesce(any_value(u.email_key), min(f.agent_email_key)) END AS agent_email,
        grouping(f.agent_id) = 1                                            AS is_team_total,
        count(DISTINCT f.local_date) FILTER (WHERE f.phone_call_quantity > 0) AS active_days,
        CAST(sum(f.phone_call_quantity) AS BIGINT)                          AS total_calls,
        CAST(sum(f.inbound_calls) AS BIGINT)                                AS inbound_calls,
        CAST(sum(f.outbound_calls) AS BIGINT)                               AS outbound_calls,
        CAST(sum(f.completed_calls) AS BIGINT)                              AS completed_calls,
        CAST(sum(f.missed_calls) AS BIGINT)                                 AS missed_calls,
        CAST(sum(f.talk_time_seconds) AS BIGINT)                            AS talk_time_seconds,
        CAST(round(sum(f.talk_time_seconds) / 60.0) AS BIGINT)              AS talk_time_minutes,
        CAST(sum(f.conversation_seconds) AS BIGINT)                         AS conversation_seconds,
        CAST(sum(f.hold_seconds) AS BIGINT)                                 AS hold_seconds,
        CAST(sum(f.ring_seconds) AS BIGINT)                                 AS ring_seconds,
        CAST(sum(f.handle_seconds) AS BIGINT)                               AS handle_seconds,
        CAST(sum(f.inbound_finished_calls) AS BIGINT)                       AS inbound_finished_calls,
        CAST(sum(f.inbound_answered_calls) AS BIGINT)                       AS inbound_answered_calls,
        CAST(sum(f.inbound_missed_calls) AS BIGINT)                         AS inbound_missed_calls,
        CAST(sum(f.inbound_voicemail_calls) AS BIGINT)                      AS inbound_voicemail_calls,
        CAST(sum(f.inbound_abandoned_calls) AS BIGINT)                      AS inbound_abandoned_calls,
        CAST(sum(f.inbound_answer_wait_seconds) AS BIGINT)                  AS inbound_answer_wait_seconds,
        CAST(sum(f.inbound_answered_in_sl) AS BIGINT)                       AS inbound_answered_in_sl,
        CAST(sum(f.answered_handle_seconds) AS BIGINT)                      AS answered_handle_seconds,
        CAST(sum(f.sms_quantity) AS BIGINT)                                 AS sms_quantity
    FROM (SELECT *, CASE WHEN agent_id IS NULL THEN agent_email_key END AS unrouted_email_key
          FROM fct_agent_daily) AS f
    LEFT JOIN stg_justcall__users AS u ON u.user_id = f.agent_id
    WHERE f.local_date BETWEEN from_date AND to_date
      AND (agent IS NULL OR f.agent_email_key = callduck_email_key(agent))
    GROUP BY GROUPING SETS ((f.agent_id, f.unrouted_email_key), ())
) AS sums
WHERE total_calls IS NOT NULL
ORDER BY is_team_total, total_calls DESC, agent_email;

COMMENT ON MACRO TABLE rpt_call_kpis IS 'rpt_call_kpis(from_date, to_date, agent := NULL): call metrics and call-centre KPIs over a range of local days, one row per agent plus a TEAM row (is_team_total), ranked by calls: completion, answer, missed, voicemail and abandon rates, average duration, AHT, ASA, service level. Ratios are recomputed from summed numerators and denominators.';
