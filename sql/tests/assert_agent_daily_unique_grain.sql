-- fct_agent_daily has one row per agent and local day.
SELECT agent_id, local_date, count(*) AS rows
FROM fct_agent_daily
GROUP BY agent_id, local_date
HAVING count(*) > 1;
