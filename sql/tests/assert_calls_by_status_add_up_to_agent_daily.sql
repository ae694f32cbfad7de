-- Over all time, rpt_calls_by_status (the seed's callsByStatus) adds up to fct_agent_daily: its
-- statuses' calls, completed, missed and in-progress calls, directions and talk time sum to the
-- mart's, and each status's outcomes add up to its calls. One row per problem.
WITH by_status AS (FROM rpt_calls_by_status(DATE '1900-01-01', DATE '2999-12-31')),
statuses AS (
    SELECT coalesce(sum(total_calls), 0) AS total_calls, coalesce(sum(completed_calls), 0) AS completed_calls,
           coalesce(sum(missed_calls), 0) AS missed_calls, coalesce(sum(in_progress_calls), 0) AS in_progress_calls,
           coalesce(sum(inbound_calls), 0) AS inbound_calls, coalesce(sum(outbound_calls), 0) AS outbound_calls,
           coalesce(sum(talk_time_seconds), 0) AS talk_time_seconds
    FROM by_status
),
days AS (
    SELECT coalesce(sum(phone_call_quantity), 0) AS total_calls, coalesce(sum(completed_calls), 0) AS completed_calls,
           coalesce(sum(missed_calls), 0) AS missed_calls, coalesce(sum(in_progress_calls), 0) AS in_progress_calls,
           coalesce(sum(inbound_calls), 0) AS inbound_calls, coalesce(sum(outbound_calls), 0) AS outbound_calls,
           coalesce(sum(talk_time_seconds), 0) AS talk_time_seconds
    FROM fct_agent_daily
)
SELECT 'statuses <> fct_agent_daily' AS problem
FROM statuses, days
WHERE (statuses.total_calls, statuses.completed_calls, statuses.missed_calls, statuses.in_progress_calls,
       statuses.inbound_calls, statuses.outbound_calls, statuses.talk_time_seconds)
   IS DISTINCT FROM (days.total_calls, days.completed_calls, days.missed_calls, days.in_progress_calls,
       days.inbound_calls, days.outbound_calls, days.talk_time_seconds)
UNION ALL
SELECT 'outcomes of ' || call_status || ' <> its calls'
FROM by_status
WHERE completed_calls + missed_calls + in_progress_calls <> total_calls
   OR inbound_calls + outbound_calls <> total_calls;
