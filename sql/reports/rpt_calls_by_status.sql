-- rpt_calls_by_status(from_date, to_date, agent := NULL): calls per call status over a range of
-- local days, for one agent or the whole team: the seed's callsByStatus.
--
-- Grain: call_status = call_info.type exactly as JustCall served it, 'Unknown' when the call has
-- none (the key of JustCallMetrics.callsByStatus; Rust twin: callduck_metrics::metrics,
-- calls_by_status). completed_calls, missed_calls and in_progress_calls say what callduck counts
-- those calls as (stg_justcall__calls.call_outcome), so summed over the statuses they equal
-- fct_agent_daily's; share = calls / all calls in the range.
CREATE OR REPLACE MACRO rpt_calls_by_status(from_date, to_date, agent := NULL) AS TABLE
SELECT
    coalesce(call_type, 'Unknown')                                          AS call_status,
    count(*)                                                                AS total_calls,
    count(*) / sum(count(*)) OVER ()                                        AS share,
    count(*) FILTER (WHERE call_outcome = 'completed')                      AS completed_calls,
    count(*) FILTER (WHERE call_outcome = 'missed')                         AS missed_calls,
    count(*) FILTER (WHERE call_outcome = 'in_progress')                    AS in_progress_calls,
    count(*) FILTER (WHERE is_inbound)                                      AS inbound_calls,
    count(*) FILTER (WHERE is_outbound)                                     AS outbound_calls,
    CAST(sum(total_duration_seconds) AS BIGINT)                             AS talk_time_seconds,
    sum(total_duration_seconds) / count(*)                                  AS average_duration_seconds
FROM stg_justcall__calls
WHERE local_date BETWEEN from_date AND to_date
  AND (agent IS NULL OR agent_email_key = callduck_email_key(agent))
GROUP BY ALL
ORDER BY total_calls DESC, call_status;

COMMENT ON MACRO TABLE rpt_calls_by_status IS 'rpt_calls_by_status(from_date, to_date, agent := NULL): calls per call status (call_info.type as served, ''Unknown'' when missing: the seed''s callsByStatus) over a range of local days, for one agent (an email, any case) or the team, with what callduck counts them as (completed, missed, in progress), direction and talk time.';
