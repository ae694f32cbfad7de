-- rpt_top_customers(from_date, to_date, agent := NULL, top_n := 10): each rep's most contacted
-- customers.
--
-- Grain: (agent_email, customer_id), the top_n customers of each agent by touches (calls + SMS
-- both ways), ties broken by talk time then customer_id.
CREATE OR REPLACE MACRO rpt_top_customers(from_date, to_date, agent := NULL, top_n := 10) AS TABLE
WITH per_agent AS (
    SELECT
        a.agent_email_key                                                 AS agent_email,
        a.customer_id,
        count(*)                                                          AS touches,
        count(*) FILTER (WHERE a.activity_kind = 'call')                  AS calls,
        count(*) FILTER (WHERE a.activity_kind = 'sms')                   AS sms,
        round(sum(a.talk_seconds) / 60)                                   AS talk_time_minutes,
        max(a.occurred_at)                                                AS last_contact_at
    FROM fct_customer_activity AS a
    WHERE a.local_date BETWEEN from_date AND to_date
      AND (agent IS NULL OR a.agent_email_key = callduck_email_key(agent))
    GROUP BY ALL
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY agent_email
                                 ORDER BY touches DESC, talk_time_minutes DESC, customer_id) AS customer_rank
    FROM per_agent
)
SELECT r.agent_email, r.customer_rank, r.customer_id, c.customer_name, c.account_name,
       r.touches, r.calls, r.sms, r.talk_time_minutes, r.last_contact_at
FROM ranked AS r
JOIN stg_crm__customers AS c USING (customer_id)
WHERE r.customer_rank <= top_n
ORDER BY r.agent_email, r.customer_rank;

COMMENT ON MACRO TABLE rpt_top_customers IS 'rpt_top_customers(from_date, to_date, agent := NULL, top_n := 10): each agent''s top_n most contacted CRM customers over a range of local days (grain: agent_email, customer_id), by touches, then talk time.';
