-- rpt_contact_matches: every JustCall contact with what the matcher made of it, for review.
--
-- Grain: contact_id. match_status: 'linked' (used by the views), 'ambiguous' (a tie or near-tie
-- between customer_name and runner_up_name: fix the CRM or the contact) or 'unmatched'.
CREATE OR REPLACE VIEW rpt_contact_matches AS
SELECT
    k.contact_id,
    k.contact_number,
    k.contact_name,
    k.contact_email,
    k.call_count,
    k.sms_count,
    CASE WHEN l.contact_id IS NULL THEN 'unmatched'
         WHEN l.is_ambiguous THEN 'ambiguous'
         ELSE 'linked' END                                          AS match_status,
    l.match_method,
    l.match_score,
    l.customer_id,
    c.customer_name,
    l.runner_up_customer_id,
    r.customer_name                                                 AS runner_up_name,
    l.runner_up_score,
    l.linked_at
FROM stg_justcall__contacts AS k
LEFT JOIN stg_crm__contact_links AS l USING (contact_id)
LEFT JOIN stg_crm__customers AS c ON c.customer_id = l.customer_id
LEFT JOIN stg_crm__customers AS r ON r.customer_id = l.runner_up_customer_id;
