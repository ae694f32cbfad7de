-- stg_crm__contact_links: one row per JustCall contact linked to a CRM customer, as the engine's
-- matcher left it in crm_contact_links (refreshed after every import and sync).
--
-- Grain: contact_id (stg_justcall__contacts). is_ambiguous marks a tie or near-tie: the marts use
-- only the links that are not ambiguous. Marts and reports read this view, never the table.
CREATE OR REPLACE VIEW stg_crm__contact_links AS
SELECT
    contact_id,
    customer_id,
    match_method,
    match_score,
    runner_up_customer_id,
    runner_up_score,
    is_ambiguous,
    contact_name_part,
    customer_name_part,
    linked_at
FROM crm_contact_links;

COMMENT ON VIEW stg_crm__contact_links IS 'JustCall contact -> CRM customer links as the matcher left them (crm_contact_links). Grain: contact_id. Marts use only the rows with NOT is_ambiguous.';
COMMENT ON COLUMN stg_crm__contact_links.contact_id IS 'stg_justcall__contacts.contact_id.';
COMMENT ON COLUMN stg_crm__contact_links.customer_id IS 'The best candidate customer (stg_crm__customers.customer_id).';
COMMENT ON COLUMN stg_crm__contact_links.match_method IS 'email, email+phone, email+name, phone, phone+name or name.';
COMMENT ON COLUMN stg_crm__contact_links.match_score IS '1 for an exact email or phone; else the Jaro-Winkler score of the names.';
COMMENT ON COLUMN stg_crm__contact_links.runner_up_customer_id IS 'The second-best candidate, if any.';
COMMENT ON COLUMN stg_crm__contact_links.runner_up_score IS 'Its score.';
COMMENT ON COLUMN stg_crm__contact_links.is_ambiguous IS 'A tie or near-tie: the link is not used by the marts.';
COMMENT ON COLUMN stg_crm__contact_links.contact_name_part IS 'Normalised part of the contact''s name that was scored.';
COMMENT ON COLUMN stg_crm__contact_links.customer_name_part IS 'Normalised part of the customer''s name that was scored.';
COMMENT ON COLUMN stg_crm__contact_links.linked_at IS 'UTC instant the link last changed.';
