-- fct_customer_activity: one row per call or SMS whose contact is linked to a CRM customer.
--
-- Grain: (activity_kind, activity_id). The linked rows of fct_contact_activity, which holds the
-- definitions: only unambiguous links count (stg_crm__contact_links with NOT is_ambiguous);
-- local_date and agent come from the staging views, so days are the agents' local days as
-- everywhere else.
CREATE OR REPLACE VIEW fct_customer_activity AS
SELECT
    activity_kind,
    activity_id,
    occurred_at,
    local_date,
    agent_id,
    agent_email_key,
    is_inbound,
    is_answered,
    talk_seconds,
    contact_id,
    customer_id,
    account_id,
    match_method
FROM fct_contact_activity
WHERE customer_id IS NOT NULL;

COMMENT ON VIEW fct_customer_activity IS 'One row per call or SMS whose contact is linked unambiguously to a CRM customer (grain: activity_kind, activity_id): the linked rows of fct_contact_activity.';
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
