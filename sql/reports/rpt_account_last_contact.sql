-- rpt_account_last_contact: every CRM account with its last call or SMS (NULL when never).
--
-- Grain: account_id. last_agent_email is the agent of the last contact;
-- days_since_contact counts days from its local day to today (UTC).
CREATE OR REPLACE VIEW rpt_account_last_contact AS
WITH accounts AS (
    SELECT account_id, arg_min(account_name, customer_id) AS account_name,
           count(*) AS customers
    FROM stg_crm__customers GROUP BY account_id
),
last_touch AS (
    SELECT account_id,
           max(occurred_at)                                          AS last_contact_at,
           max(local_date)                                           AS last_contact_date,
           max(occurred_at) FILTER (WHERE activity_kind = 'call')    AS last_call_at,
           max(occurred_at) FILTER (WHERE activity_kind = 'sms')     AS last_sms_at,
           arg_max(agent_email_key, occurred_at)                     AS last_agent_email,
           count(*)                                                  AS touches
    FROM fct_customer_activity
    GROUP BY account_id
)
SELECT
    accounts.account_id,
    accounts.account_name,
    accounts.customers,
    coalesce(last_touch.touches, 0)                                  AS touches,
    last_touch.last_contact_at,
    last_touch.last_call_at,
    last_touch.last_sms_at,
    last_touch.last_agent_email,
    date_diff('day', last_touch.last_contact_date, CAST(now()::TIMESTAMP AS DATE)) AS days_since_contact
FROM accounts
LEFT JOIN last_touch USING (account_id);
