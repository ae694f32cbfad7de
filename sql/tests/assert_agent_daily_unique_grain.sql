-- fct_agent_daily has one row per agent and local day: per agent_id, and per email for records
-- without an agent id.
SELECT agent_id, CASE WHEN agent_id IS NULL THEN agent_email_key END AS unrouted_email_key,
       local_date, count(*) AS rows
FROM fct_agent_daily
GROUP BY ALL
HAVING count(*) > 1;
