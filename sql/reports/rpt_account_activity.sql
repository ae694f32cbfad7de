-- rpt_account_activity(from_date, to_date, agent := NULL): calls and SMS per CRM account.
--
-- Grain: account_id (accounts with activity in the range). calls_per_week = calls / the number
-- of Monday-start weeks the range touches; weeks_contacted counts weeks with any call or SMS.
-- (A subquery, not WITH: DuckDB 1.4.0 and 1.4.1 cannot run a table macro with a WITH clause from
-- a file written in an older format, such as callduck's.)
CREATE OR REPLACE MACRO rpt_account_activity(from_date, to_date, agent := NULL) AS TABLE
SELECT
    a.account_id,
    accounts.account_name,
    count(DISTINCT a.customer_id)                                         AS customers_contacted,
    count(*) FILTER (WHERE a.activity_kind = 'call')                      AS calls,
    count(*) FILTER (WHERE a.activity_kind = 'call' AND a.is_answered)    AS answered_calls,
    count(*) FILTER (WHERE a.activity_kind = 'sms' AND NOT a.is_inbound)  AS sms_sent,
    count(*) FILTER (WHERE a.activity_kind = 'sms' AND a.is_inbound)      AS sms_received,
    round(sum(a.talk_seconds) / 60)                                       AS talk_time_minutes,
    count(DISTINCT date_trunc('week', a.local_date))                      AS weeks_contacted,
    count(*) FILTER (WHERE a.activity_kind = 'call')
        / (date_diff('week', date_trunc('week', CAST(from_date AS DATE)),
                     date_trunc('week', CAST(to_date AS DATE))) + 1)      AS calls_per_week,
    max(a.occurred_at)                                                    AS last_contact_at
FROM fct_customer_activity AS a
JOIN (SELECT account_id, arg_min(account_name, customer_id) AS account_name
      FROM stg_crm__customers GROUP BY account_id) AS accounts USING (account_id)
WHERE a.local_date BETWEEN from_date AND to_date
  AND (agent IS NULL OR a.agent_email_key = callduck_email_key(agent))
GROUP BY ALL
ORDER BY calls DESC, a.account_id;

COMMENT ON MACRO TABLE rpt_account_activity IS 'rpt_account_activity(from_date, to_date, agent := NULL): calls and SMS per CRM account over a range of local days (grain: account_id, accounts with activity), with customers contacted, talk time, weeks contacted, calls per Monday-start week touched and the last contact. agent: an email, any case.';
