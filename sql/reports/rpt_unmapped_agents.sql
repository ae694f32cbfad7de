-- rpt_unmapped_agents: JustCall agents with activity but no dashboard user of the same email
-- (compared trimmed and case-insensitively), so the Firestore export cannot write their metrics.
-- Grain: agent as in fct_agent_daily (agent_id; for records without one, their email; one row for
-- records with neither). Empty when every active agent maps; meaningful after
-- `callduck export firestore` has loaded the dashboard's users.
CREATE OR REPLACE VIEW rpt_unmapped_agents AS
SELECT
    f.agent_id,
    coalesce(a.email, min(f.agent_email_key))                               AS agent_email,
    a.user_name                                                             AS agent_name,
    count(*)                                                                AS active_days,
    CAST(sum(f.phone_call_quantity) AS BIGINT)                              AS total_calls,
    CAST(sum(f.sms_quantity) AS BIGINT)                                     AS sms_sent,
    min(f.local_date)                                                       AS first_active_date,
    max(f.local_date)                                                       AS last_active_date
FROM fct_agent_daily AS f
LEFT JOIN stg_justcall__users AS a ON a.user_id = f.agent_id
WHERE f.agent_email_key IS NULL
   OR f.agent_email_key NOT IN (SELECT email_key FROM firestore_users WHERE email_key IS NOT NULL)
GROUP BY f.agent_id, CASE WHEN f.agent_id IS NULL THEN f.agent_email_key END, a.email, a.user_name
ORDER BY total_calls DESC;

COMMENT ON VIEW rpt_unmapped_agents IS 'JustCall agents with activity but no dashboard user of the same email (trimmed, any case), whose metrics the Firestore export cannot write (grain: agent as in fct_agent_daily). Meaningful after callduck export firestore has loaded the users.';
COMMENT ON COLUMN rpt_unmapped_agents.agent_id IS 'JustCall user id (NULL for records without one).';
COMMENT ON COLUMN rpt_unmapped_agents.agent_email IS 'The agent''s email (the user''s as served, else the records'' email key).';
COMMENT ON COLUMN rpt_unmapped_agents.agent_name IS 'The agent''s name.';
COMMENT ON COLUMN rpt_unmapped_agents.active_days IS 'Local days with any call or SMS.';
COMMENT ON COLUMN rpt_unmapped_agents.total_calls IS 'Calls, all time.';
COMMENT ON COLUMN rpt_unmapped_agents.sms_sent IS 'SMS sent (outgoing, not deleted), all time.';
COMMENT ON COLUMN rpt_unmapped_agents.first_active_date IS 'First local day with activity.';
COMMENT ON COLUMN rpt_unmapped_agents.last_active_date IS 'Last local day with activity.';
