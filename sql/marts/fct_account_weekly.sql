-- fct_account_weekly: call and SMS frequency per CRM account and local week.
--
-- Grain: (account_id, week_start); week_start is the Monday of the agents' local week. Weeks
-- without any activity have no row.
CREATE OR REPLACE VIEW fct_account_weekly AS
SELECT
    account_id,
    CAST(date_trunc('week', local_date) AS DATE)                      AS week_start,
    count(*) FILTER (WHERE activity_kind = 'call')                    AS calls,
    count(*) FILTER (WHERE activity_kind = 'call' AND is_answered)    AS answered_calls,
    count(*) FILTER (WHERE activity_kind = 'sms' AND NOT is_inbound)  AS sms_sent,
    count(*) FILTER (WHERE activity_kind = 'sms' AND is_inbound)      AS sms_received,
    round(sum(talk_seconds) / 60)                                     AS talk_time_minutes,
    count(DISTINCT customer_id)                                       AS customers_contacted,
    count(DISTINCT agent_email_key)                                   AS agents
FROM fct_customer_activity
GROUP BY ALL;

COMMENT ON VIEW fct_account_weekly IS 'Call and SMS frequency per CRM account and local Monday-start week (grain: account_id, week_start); weeks without activity have no row.';
COMMENT ON COLUMN fct_account_weekly.account_id IS 'CRM account (stg_crm__customers.account_id).';
COMMENT ON COLUMN fct_account_weekly.week_start IS 'Monday of the agents'' local week.';
COMMENT ON COLUMN fct_account_weekly.calls IS 'Calls with the account''s linked contacts.';
COMMENT ON COLUMN fct_account_weekly.answered_calls IS 'Of those, answered.';
COMMENT ON COLUMN fct_account_weekly.sms_sent IS 'SMS to the account''s contacts (outgoing, deleted included).';
COMMENT ON COLUMN fct_account_weekly.sms_received IS 'SMS from them (incoming).';
COMMENT ON COLUMN fct_account_weekly.talk_time_minutes IS 'round(sum of talk seconds / 60).';
COMMENT ON COLUMN fct_account_weekly.customers_contacted IS 'Distinct customers of the account called or texted.';
COMMENT ON COLUMN fct_account_weekly.agents IS 'Distinct agents (email keys) who called or texted them.';
