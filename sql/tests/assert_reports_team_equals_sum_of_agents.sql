-- Over all time, the team row of rpt_call_kpis is the sum of the agent rows, and the agent rows
-- add up to the call records: the range grain agrees with the day grain and the record grain.
WITH kpis AS (FROM rpt_call_kpis(DATE '1900-01-01', DATE '2999-12-31')),
agents AS (
    SELECT sum(total_calls) AS total_calls, sum(completed_calls) AS completed_calls,
           sum(missed_calls) AS missed_calls, sum(talk_time_seconds) AS talk_time_seconds,
           sum(inbound_finished_calls) AS inbound_finished_calls, sum(sms_quantity) AS sms_quantity
    FROM kpis WHERE NOT is_team_total
),
team AS (
    SELECT total_calls, completed_calls, missed_calls, talk_time_seconds, inbound_finished_calls, sms_quantity
    FROM kpis WHERE is_team_total
),
records AS (
    SELECT count(*) AS total_calls, sum(total_duration_seconds) AS talk_time_seconds FROM raw_justcall__calls
)
SELECT 'team <> sum of agents' AS problem FROM team, agents
WHERE (team.total_calls, team.completed_calls, team.missed_calls, team.talk_time_seconds,
       team.inbound_finished_calls, team.sms_quantity)
   IS DISTINCT FROM (agents.total_calls, agents.completed_calls, agents.missed_calls,
       agents.talk_time_seconds, agents.inbound_finished_calls, agents.sms_quantity)
UNION ALL
SELECT 'team <> records' FROM team, records
WHERE records.total_calls > 0
  AND (team.total_calls, team.talk_time_seconds) IS DISTINCT FROM (records.total_calls, records.talk_time_seconds);
