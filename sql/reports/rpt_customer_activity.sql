-- rpt_customer_activity(from_date, to_date, agent := NULL): calls and SMS per CRM customer.
--
-- Grain: customer_id (customers with activity in the range). touches = calls + SMS both ways;
-- talk_time_minutes = round(sum of total_duration seconds / 60), as fct_agent_daily.
CREATE OR REPLACE MACRO rpt_customer_activity(from_date, to_date, agent := NULL) AS TABLE
SELECT
    a.customer_id,
    c.customer_name,
    c.account_id,
    c.account_name,
    count(*)                                                              AS touches,
    count(*) FILTER (WHERE a.activity_kind = 'call')                      AS calls,
    count(*) FILTER (WHERE a.activity_kind = 'call' AND a.is_inbound)     AS inbound_calls,
    count(*) FILTER (WHERE a.activity_kind = 'call' AND NOT a.is_inbound) AS outbound_calls,
    count(*) FILTER (WHERE a.activity_kind = 'call' AND a.is_answered)    AS answered_calls,
    count(*) FILTER (WHERE a.activity_kind = 'sms' AND NOT a.is_inbound)  AS sms_sent,
    count(*) FILTER (WHERE a.activity_kind = 'sms' AND a.is_inbound)      AS sms_received,
    round(sum(a.talk_seconds) / 60)                                       AS talk_time_minutes,
    count(DISTINCT a.agent_email_key)                                     AS agents,
    min(a.occurred_at)                                                    AS first_contact_at,
    max(a.occurred_at)                                                    AS last_contact_at
FROM fct_customer_activity AS a
JOIN stg_crm__customers AS c USING (customer_id)
WHERE a.local_date BETWEEN from_date AND to_date
  AND (agent IS NULL OR a.agent_email_key = callduck_email_key(agent))
GROUP BY ALL
ORDER BY touches DESC, a.customer_id;

COMMENT ON MACRO TABLE rpt_customer_activity IS 'rpt_customer_activity(from_date, to_date, agent := NULL): calls and SMS per CRM customer over a range of local days (grain: customer_id, customers with activity): touches, calls by direction and answer, SMS sent and received, talk time, agents, first and last contact.';
