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

COMMENT ON VIEW rpt_contact_matches IS 'Every JustCall contact with what the matcher made of it, for review (grain: contact_id): linked, ambiguous (a tie or near-tie between customer_name and runner_up_name) or unmatched.';
COMMENT ON COLUMN rpt_contact_matches.contact_id IS 'stg_justcall__contacts.contact_id.';
COMMENT ON COLUMN rpt_contact_matches.contact_number IS 'The contact''s number as served.';
COMMENT ON COLUMN rpt_contact_matches.contact_name IS 'The contact''s name as served.';
COMMENT ON COLUMN rpt_contact_matches.contact_email IS 'The contact''s email as served.';
COMMENT ON COLUMN rpt_contact_matches.call_count IS 'Calls with the contact, all time.';
COMMENT ON COLUMN rpt_contact_matches.sms_count IS 'SMS with the contact, all time.';
COMMENT ON COLUMN rpt_contact_matches.match_status IS 'linked (used by the views), ambiguous or unmatched.';
COMMENT ON COLUMN rpt_contact_matches.match_method IS 'email, email+phone, email+name, phone, phone+name or name.';
COMMENT ON COLUMN rpt_contact_matches.match_score IS '1 for an exact email or phone; else the Jaro-Winkler score of the names.';
COMMENT ON COLUMN rpt_contact_matches.customer_id IS 'The best candidate customer.';
COMMENT ON COLUMN rpt_contact_matches.customer_name IS 'Its name.';
COMMENT ON COLUMN rpt_contact_matches.runner_up_customer_id IS 'The second-best candidate.';
COMMENT ON COLUMN rpt_contact_matches.runner_up_name IS 'Its name.';
COMMENT ON COLUMN rpt_contact_matches.runner_up_score IS 'Its score.';
COMMENT ON COLUMN rpt_contact_matches.linked_at IS 'UTC instant the link last changed.';
