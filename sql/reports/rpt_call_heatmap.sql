-- rpt_call_heatmap(from_date, to_date, agent := NULL): calls per local weekday x hour.
--
-- Grain: (local_weekday, local_hour), only cells with calls. local_weekday is ISO (1 = Monday),
-- local_hour 0-23, both in the agent's time zone. answer_rate = inbound answered / inbound
-- finished, as in rpt_call_kpis.
CREATE OR REPLACE MACRO rpt_call_heatmap(from_date, to_date, agent := NULL) AS TABLE
SELECT
    local_weekday,
    dayname(DATE '2024-01-01' + CAST(local_weekday - 1 AS INTEGER))                        AS weekday_name, -- 2024-01-01 was a Monday
    local_hour,
    count(*)                                                                AS total_calls,
    count(*) FILTER (WHERE is_inbound)                                      AS inbound_calls,
    count(*) FILTER (WHERE is_outbound)                                     AS outbound_calls,
    count(*) FILTER (WHERE call_outcome = 'completed')                      AS completed_calls,
    count(*) FILTER (WHERE call_outcome = 'missed')                         AS missed_calls,
    count(*) FILTER (WHERE is_inbound AND is_answered)
        / nullif(count(*) FILTER (WHERE is_inbound AND call_outcome <> 'in_progress'), 0) AS answer_rate
FROM stg_justcall__calls
WHERE local_date BETWEEN from_date AND to_date
  AND (agent IS NULL OR agent_email_key = callduck_email_key(agent))
GROUP BY local_weekday, local_hour
ORDER BY local_weekday, local_hour;

COMMENT ON MACRO TABLE rpt_call_heatmap IS 'rpt_call_heatmap(from_date, to_date, agent := NULL): calls per local weekday (ISO, 1 = Monday) and hour over a range of local days (grain: local_weekday, local_hour; cells with calls only), with the inbound answer rate.';
