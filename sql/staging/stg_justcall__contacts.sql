-- stg_justcall__contacts: one row per distinct contact as JustCall records show it.
--
-- Grain: contact_id = md5 of the record's (contact_number, contact_name, contact_email) exactly
-- as served (callduck_contact_id). The matcher links each contact_id to a CRM customer
-- (crm_contact_links); calls and SMS reach their customer through the same macro, so a
-- contact seen with two spellings is two contacts, each matched on its own.
CREATE OR REPLACE MACRO callduck_contact_id(contact_number, contact_name, contact_email) AS
    md5(concat_ws(chr(31), coalesce(contact_number, ''), coalesce(contact_name, ''),
                  coalesce(contact_email, '')));

CREATE OR REPLACE VIEW stg_justcall__contacts AS
WITH records AS (
    SELECT contact_number, contact_name, contact_email, started_at AS occurred_at, true AS is_call
    FROM raw_justcall__calls
    UNION ALL
    SELECT contact_number, contact_name, contact_email, sent_at, false
    FROM raw_justcall__texts
)
SELECT
    callduck_contact_id(contact_number, contact_name, contact_email) AS contact_id,
    contact_number,
    contact_name,
    contact_email,
    count(*) FILTER (WHERE is_call)                                  AS call_count,
    count(*) FILTER (WHERE NOT is_call)                              AS sms_count,
    min(occurred_at)                                                 AS first_seen_at,
    max(occurred_at)                                                 AS last_seen_at
FROM records
GROUP BY contact_number, contact_name, contact_email;

COMMENT ON MACRO callduck_contact_id IS 'callduck_contact_id(contact_number, contact_name, contact_email): md5 of the three fields exactly as served (NULL as empty): the contact_id of stg_justcall__contacts, which links calls and SMS to CRM customers.';
COMMENT ON VIEW stg_justcall__contacts IS 'One row per distinct JustCall contact: (number, name, email) exactly as calls and SMS show it. Grain: contact_id. The matcher links each one to a CRM customer (crm_contact_links).';
COMMENT ON COLUMN stg_justcall__contacts.contact_id IS 'callduck_contact_id(contact_number, contact_name, contact_email).';
COMMENT ON COLUMN stg_justcall__contacts.contact_number IS 'The contact''s number as served.';
COMMENT ON COLUMN stg_justcall__contacts.contact_name IS 'The contact''s name as served.';
COMMENT ON COLUMN stg_justcall__contacts.contact_email IS 'The contact''s email as served.';
COMMENT ON COLUMN stg_justcall__contacts.call_count IS 'Calls with this contact, all time.';
COMMENT ON COLUMN stg_justcall__contacts.sms_count IS 'SMS with this contact, all time, both directions, deleted ones included.';
COMMENT ON COLUMN stg_justcall__contacts.first_seen_at IS 'UTC instant of the contact''s first call or SMS.';
COMMENT ON COLUMN stg_justcall__contacts.last_seen_at IS 'UTC instant of the contact''s last call or SMS.';
