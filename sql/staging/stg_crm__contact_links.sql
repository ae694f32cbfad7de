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
