-- rpt_contact_activity(from_date, to_date, agent := NULL): calls and SMS per JustCall contact over
-- a range of local days, every contact whether or not it is linked to a CRM customer.
--
-- Grain: contact_id (stg_justcall__contacts: number, name and email exactly as served), contacts
-- with a call or SMS in the range. match_status as in rpt_contact_matches (linked, ambiguous,
-- unmatched); the customer and account are those of a linked contact, NULL otherwise. Counts as
-- rpt_customer_activity, so summed over the contacts linked to a customer they equal that
-- customer's row there: touches = calls + SMS both ways (deleted SMS included), talk_time_minutes =
-- round(sum of total_duration seconds / 60). A record without number, name or email is the
-- contact whose three fields are NULL.
CREATE OR REPLACE MACRO rpt_contact_activity(from_date, to_date, agent := NULL) AS TABLE
SELECT
    a.contact_id,
    a.contact_number,
    a.contact_name,
    a.contact_email,
    CASE WHEN l.contact_id IS NULL THEN 'unmatched'
         WHEN l.is_ambiguous THEN 'ambiguous'
         ELSE 'linked' END                                                AS match_status,
    a.customer_id,
    c.customer_name,
    a.account_id,
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
FROM fct_contact_activity AS a
LEFT JOIN stg_crm__contact_links AS l ON l.contact_id = a.contact_id
LEFT JOIN stg_crm__customers AS c ON c.customer_id = a.customer_id
WHERE a.local_date BETWEEN from_date AND to_date
  AND (agent IS NULL OR a.agent_email_key = callduck_email_key(agent))
GROUP BY ALL
ORDER BY touches DESC, a.contact_id;

COMMENT ON MACRO TABLE rpt_contact_activity IS 'rpt_contact_activity(from_date, to_date, agent := NULL): calls and SMS per JustCall contact (grain: contact_id, number, name and email as served), linked to a CRM customer or not, over a range of local days: match status, the customer and account when linked, touches, calls by direction and answer, SMS sent and received, talk time, agents, first and last contact.';
