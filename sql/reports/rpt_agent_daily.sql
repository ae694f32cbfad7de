-- rpt_agent_daily(from_date, to_date, agent := NULL): fct_agent_daily for a date range with the
-- agent's email and name, newest day first. Definitions: sql/marts/fct_agent_daily.sql.
CREATE OR REPLACE MACRO rpt_agent_daily(from_date, to_date, agent := NULL) AS TABLE
SELECT
    f.local_date,
    coalesce(u.email_key, f.agent_email_key)                                AS agent_email,
    u.user_name                                                             AS agent_name,
    f.* EXCLUDE (local_date, agent_email_key)
FROM fct_agent_daily AS f
LEFT JOIN stg_justcall__users AS u ON u.user_id = f.agent_id
WHERE f.local_date BETWEEN from_date AND to_date
  AND (agent IS NULL OR f.agent_email_key = callduck_email_key(agent))
ORDER BY f.local_date DESC, agent_email;

COMMENT ON MACRO TABLE rpt_agent_daily IS 'rpt_agent_daily(from_date, to_date, agent := NULL): fct_agent_daily for a range of local days with the agent''s email and name, newest day first (grain: agent and local_date). agent: an email, any case.';
