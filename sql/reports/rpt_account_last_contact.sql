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

COMMENT ON VIEW rpt_account_last_contact IS 'Every CRM account with its last call or SMS, all time (grain: account_id; NULLs when never contacted).';
COMMENT ON COLUMN rpt_account_last_contact.account_id IS 'CRM account.';
COMMENT ON COLUMN rpt_account_last_contact.account_name IS 'Its name.';
COMMENT ON COLUMN rpt_account_last_contact.customers IS 'Customers in the account.';
COMMENT ON COLUMN rpt_account_last_contact.touches IS 'Calls and SMS with the account''s linked contacts, all time.';
COMMENT ON COLUMN rpt_account_last_contact.last_contact_at IS 'UTC instant of the last call or SMS.';
COMMENT ON COLUMN rpt_account_last_contact.last_call_at IS 'UTC instant of the last call.';
COMMENT ON COLUMN rpt_account_last_contact.last_sms_at IS 'UTC instant of the last SMS.';
COMMENT ON COLUMN rpt_account_last_contact.last_agent_email IS 'Email key of the agent of the last contact.';
COMMENT ON COLUMN rpt_account_last_contact.days_since_contact IS 'Days from the last contact''s local day to today (UTC).';
