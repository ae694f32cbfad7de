-- fct_customer_activity: one row per call or SMS whose contact is linked to a CRM customer.
--
-- Grain: (activity_kind, activity_id). Only unambiguous links count (stg_crm__contact_links with
-- NOT is_ambiguous); local_date and agent come from the staging views, so days are the agents'
-- local days as everywhere else.
CREATE OR REPLACE VIEW fct_customer_activity AS
WITH links AS (
    SELECT l.contact_id, l.customer_id, l.match_method, c.account_id
    FROM stg_crm__contact_links AS l
    JOIN stg_crm__customers AS c USING (customer_id)
    WHERE NOT l.is_ambiguous
)
SELECT
    'call'                              AS activity_kind,
    calls.call_id                       AS activity_id,
    calls.started_at                    AS occurred_at,
    calls.local_date,
    calls.agent_id,
    calls.agent_email_key,
    calls.is_inbound,
    calls.is_answered,
    calls.total_duration_seconds        AS talk_seconds,
    links.contact_id,
    links.customer_id,
    links.account_id,
    links.match_method
FROM stg_justcall__calls AS calls
JOIN links
    ON links.contact_id = callduck_contact_id(calls.contact_number, calls.contact_name, calls.contact_email)
UNION ALL
SELECT
    'sms',
    texts.sms_id,
    texts.sent_at,
    texts.local_date,
    texts.agent_id,
    texts.agent_email_key,
    texts.is_inbound,
    NULL,
    0,
    links.contact_id,
    links.customer_id,
    links.account_id,
    links.match_method
FROM stg_justcall__texts AS texts
JOIN links
    ON links.contact_id = callduck_contact_id(texts.contact_number, texts.contact_name, texts.contact_email);

COMMENT ON VIEW fct_customer_activity IS 'One row per call or SMS whose contact is linked unambiguously to a CRM customer (grain: activity_kind, activity_id).';
COMMENT ON COLUMN fct_customer_activity.activity_kind IS 'call or sms.';
COMMENT ON COLUMN fct_customer_activity.activity_id IS 'call_id or sms_id.';
COMMENT ON COLUMN fct_customer_activity.occurred_at IS 'UTC instant of the call or message.';
COMMENT ON COLUMN fct_customer_activity.local_date IS 'The agent''s local day of the record.';
COMMENT ON COLUMN fct_customer_activity.agent_id IS 'JustCall user id of the agent (NULL when the record has none).';
COMMENT ON COLUMN fct_customer_activity.agent_email_key IS 'The agent''s email key (as stg_justcall__calls.agent_email_key).';
COMMENT ON COLUMN fct_customer_activity.is_inbound IS 'The customer called or texted in (direction Incoming).';
COMMENT ON COLUMN fct_customer_activity.is_answered IS 'Calls: answered (call_outcome completed); NULL for SMS.';
COMMENT ON COLUMN fct_customer_activity.talk_seconds IS 'Calls: talk time (total_duration_seconds); 0 for SMS.';
COMMENT ON COLUMN fct_customer_activity.contact_id IS 'stg_justcall__contacts.contact_id of the record.';
COMMENT ON COLUMN fct_customer_activity.customer_id IS 'The linked CRM customer (stg_crm__customers.customer_id).';
COMMENT ON COLUMN fct_customer_activity.account_id IS 'That customer''s account.';
COMMENT ON COLUMN fct_customer_activity.match_method IS 'How the contact was linked (email, email+phone, email+name, phone, phone+name, name).';
