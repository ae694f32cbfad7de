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
