-- fct_contact_activity: one row per call or SMS with its JustCall contact and, when that contact
-- is linked to a CRM customer, the customer and account.
--
-- Grain: (activity_kind, activity_id). contact_id is stg_justcall__contacts' key
-- (callduck_contact_id of the record's number, name and email as served), so every record has
-- one, linked or not. customer_id, account_id and match_method come from the contact's link when
-- it is not ambiguous (stg_crm__contact_links), else they are NULL. local_date and agent come from
-- the staging views, so days are the agents' local days as everywhere else. fct_customer_activity
-- is this mart's linked rows.
CREATE OR REPLACE VIEW fct_contact_activity AS
WITH links AS (
    SELECT l.contact_id, l.customer_id, l.match_method, c.account_id
    FROM stg_crm__contact_links AS l
    JOIN stg_crm__customers AS c USING (customer_id)
    WHERE NOT l.is_ambiguous
),
activity AS (
    SELECT
        'call'                              AS activity_kind,
        call_id                             AS activity_id,
        started_at                          AS occurred_at,
        local_date,
        agent_id,
        agent_email_key,
        is_inbound,
        is_answered,
        total_duration_seconds              AS talk_seconds,
        callduck_contact_id(contact_number, contact_name, contact_email) AS contact_id,
        contact_number,
        contact_name,
        contact_email
    FROM stg_justcall__calls
    UNION ALL
    SELECT
        'sms',
        sms_id,
        sent_at,
        local_date,
        agent_id,
        agent_email_key,
        is_inbound,
        NULL,
        0,
        callduck_contact_id(contact_number, contact_name, contact_email),
        contact_number,
        contact_name,
        contact_email
    FROM stg_justcall__texts
)
SELECT
    a.activity_kind,
    a.activity_id,
    a.occurred_at,
    a.local_date,
    a.agent_id,
    a.agent_email_key,
    a.is_inbound,
    a.is_answered,
    a.talk_seconds,
    a.contact_id,
    a.contact_number,
    a.contact_name,
    a.contact_email,
    links.customer_id,
    links.account_id,
    links.match_method
FROM activity AS a
LEFT JOIN links USING (contact_id);

COMMENT ON VIEW fct_contact_activity IS 'One row per call or SMS (grain: activity_kind, activity_id) with its JustCall contact (every record has one) and, when the contact is linked unambiguously to a CRM customer, the customer and account.';
COMMENT ON COLUMN fct_contact_activity.activity_kind IS 'call or sms.';
COMMENT ON COLUMN fct_contact_activity.activity_id IS 'call_id or sms_id.';
COMMENT ON COLUMN fct_contact_activity.occurred_at IS 'UTC instant of the call or message.';
COMMENT ON COLUMN fct_contact_activity.local_date IS 'The agent''s local day of the record.';
COMMENT ON COLUMN fct_contact_activity.agent_id IS 'JustCall user id of the agent (NULL when the record has none).';
COMMENT ON COLUMN fct_contact_activity.agent_email_key IS 'The agent''s email key (as stg_justcall__calls.agent_email_key).';
COMMENT ON COLUMN fct_contact_activity.is_inbound IS 'The contact called or texted in (direction Incoming).';
COMMENT ON COLUMN fct_contact_activity.is_answered IS 'Calls: answered (call_outcome completed); NULL for SMS.';
COMMENT ON COLUMN fct_contact_activity.talk_seconds IS 'Calls: talk time (total_duration_seconds); 0 for SMS.';
COMMENT ON COLUMN fct_contact_activity.contact_id IS 'stg_justcall__contacts.contact_id: callduck_contact_id(contact_number, contact_name, contact_email).';
COMMENT ON COLUMN fct_contact_activity.contact_number IS 'The contact''s number as served.';
COMMENT ON COLUMN fct_contact_activity.contact_name IS 'The contact''s name as served.';
COMMENT ON COLUMN fct_contact_activity.contact_email IS 'The contact''s email as served.';
COMMENT ON COLUMN fct_contact_activity.customer_id IS 'The CRM customer of an unambiguous link; NULL when the contact is unmatched or ambiguous.';
COMMENT ON COLUMN fct_contact_activity.account_id IS 'That customer''s account (stg_crm__customers.account_id).';
COMMENT ON COLUMN fct_contact_activity.match_method IS 'How the contact was linked (email, phone, name, ...).';
