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
