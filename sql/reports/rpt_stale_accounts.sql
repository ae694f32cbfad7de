-- rpt_stale_accounts(days, as_of := NULL): accounts not contacted in the `days` local days up to
-- as_of (default: the last day with activity in the file), never-contacted ones included.
--
-- Grain: account_id; longest-neglected first (never contacted last).
CREATE OR REPLACE MACRO rpt_stale_accounts(days, as_of := NULL) AS TABLE
WITH cutoff AS (
    SELECT coalesce(CAST(as_of AS DATE),
                    (SELECT max(local_date) FROM fct_agent_daily),
                    CAST(now()::TIMESTAMP AS DATE))                  AS as_of_date,
           CAST(days AS INTEGER)                                     AS stale_days
),
accounts AS (
    SELECT account_id, arg_min(account_name, customer_id) AS account_name, count(*) AS customers
    FROM stg_crm__customers GROUP BY account_id
),
last_touch AS (
    SELECT a.account_id, max(a.local_date) AS last_contact_date,
           arg_max(a.agent_email_key, a.occurred_at) AS last_agent_email
    FROM fct_customer_activity AS a, cutoff
    WHERE a.local_date <= cutoff.as_of_date
    GROUP BY a.account_id
)
SELECT
    accounts.account_id,
    accounts.account_name,
    accounts.customers,
    t.last_contact_date,
    t.last_agent_email,
    date_diff('day', t.last_contact_date, cutoff.as_of_date)         AS days_since_contact
FROM accounts
CROSS JOIN cutoff
LEFT JOIN last_touch AS t USING (account_id)
WHERE t.last_contact_date IS NULL
   OR t.last_contact_date <= cutoff.as_of_date - cutoff.stale_days
ORDER BY t.last_contact_date NULLS LAST, accounts.account_id;

COMMENT ON MACRO TABLE rpt_stale_accounts IS 'rpt_stale_accounts(days, as_of := NULL): CRM accounts not contacted in the days local days up to as_of (default: the last day with activity), never-contacted ones included (grain: account_id; longest-neglected first).';
