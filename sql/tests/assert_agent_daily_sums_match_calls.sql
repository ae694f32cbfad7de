-- The per-agent-day grain adds up to the record grain: no call or SMS lost or doubled by the
-- time-zone join or the calls/SMS full outer join.
WITH totals AS (
    SELECT 'calls' AS measure,
           (SELECT count(*) FROM raw_justcall__calls) AS raw_total,
           (SELECT coalesce(sum(phone_call_quantity), 0) FROM fct_agent_daily) AS mart_total
    UNION ALL
    SELECT 'talk_seconds',
           (SELECT coalesce(sum(total_duration_seconds), 0) FROM raw_justcall__calls),
           (SELECT coalesce(sum(talk_time_seconds), 0) FROM fct_agent_daily)
    UNION ALL
    SELECT 'sms_counted_sent',
           (SELECT count(*) FROM raw_justcall__texts WHERE direction = 'Outgoing' AND NOT is_deleted),
           (SELECT coalesce(sum(sms_quantity), 0) FROM fct_agent_daily)
)
SELECT * FROM totals WHERE raw_total <> mart_total;
