-- rpt_top_customers(from_date, to_date, agent := NULL, top_n := 10): each rep's most contacted
-- customers.
--
-- Grain: (agent_email, customer_id), the top_n customers of each agent by touches (calls + SMS
-- both ways), ties broken by talk time then customer_id.
-- (Subqueries, not WITH: DuckDB 1.4.0 and 1.4.1 cannot run a table macro with a WITH clause from
-- a file written in an older format, such as callduck's.)
CREATE OR REPLACE MACRO rpt_top_customers(from_date, to_date, agent := NULL, top_n := 10) AS TABLE
SELECT r.agent_email, r.customer_rank, r.customer_id, c.customer_name, c.account_name,
       r.touches, r.calls, r.sms, r.talk_time_minutes, r.last_contact_at
FROM (
    SELECT *, row_number() OVER (PARTITION BY agent_email
                                 ORDER BY touches DESC, talk_time_minutes DESC, customer_id) AS customer_rank
    FROM (
        SELECT
            a.agent_email_key                                             AS agent_email,
            a.customer_id,
            count(*)                                                      AS touches,
            count(*) FILTER (WHERE a.activity_kind = 'call')              AS calls,
            count(*) FILTER (WHERE a.activity_kind = 'sms')               AS sms,
            round(sum(a.talk_seconds) / 60)                               AS talk_time_minutes,
            max(a.occurred_at)                                            AS last_contact_at
        FROM fct_customer_activity AS a
        WHERE a.local_date BETWEEN from_date AND to_date
          AND (agent IS NULL OR a.agent_email_key = callduck_email_key(agent))
        GROUP BY ALL
    ) AS per_agent
) AS r
JOIN stg_crm__customers AS c USING (customer_id)
WHERE r.customer_rank <= top_n
ORDER BY r.agent_email, r.customer_rank;

COMMENT ON MACRO TABLE rpt_top_customers IS 'rpt_top_customers(from_date, to_date, agent := NULL, top_n := 10): each agent''s top_n most contacted CRM customers over a range of local days (grain: agent_email, customer_id), by touches, then talk time.';
