-- stg_crm__customers: one row per imported CRM customer, with its usable phones and emails.
--
-- Grain: customer_id ('<kind>:<id in the CRM>'). account_id groups customers into accounts:
-- a Fishbowl customer's accountId ('fishbowl-account:<id>'), a generic list's account column
-- ('generic-account:<id>'), else the normalised company name ('company:<name>', shared by a
-- Copper company and its people), else the customer itself.
CREATE OR REPLACE VIEW stg_crm__customers AS
SELECT
    c.customer_id,
    c.import_kind,
    c.source_id,
    c.customer_name,
    c.company_name,
    c.contact_person,
    c.account_id,
    c.account_name,
    coalesce((SELECT list(DISTINCT p.phone_e164 ORDER BY p.phone_e164) FROM crm_customer_phones AS p
              WHERE p.customer_id = c.customer_id AND p.phone_e164 IS NOT NULL), [])  AS phones_e164,
    coalesce((SELECT list(DISTINCT e.email ORDER BY e.email) FROM crm_customer_emails AS e
              WHERE e.customer_id = c.customer_id), [])                             AS emails,
    c.source_line
FROM crm_customers AS c;

COMMENT ON VIEW stg_crm__customers IS 'Imported CRM customers with their usable phones and emails. Grain: customer_id.';
COMMENT ON COLUMN stg_crm__customers.customer_id IS '''<kind>:<id in the CRM>''.';
COMMENT ON COLUMN stg_crm__customers.import_kind IS 'copper-people, copper-companies, fishbowl-customers or generic.';
COMMENT ON COLUMN stg_crm__customers.source_id IS 'The customer''s id in the CRM.';
COMMENT ON COLUMN stg_crm__customers.customer_name IS 'Name as exported.';
COMMENT ON COLUMN stg_crm__customers.company_name IS 'Company name as exported.';
COMMENT ON COLUMN stg_crm__customers.contact_person IS 'An account''s contact person (Fishbowl customerContact).';
COMMENT ON COLUMN stg_crm__customers.account_id IS 'The customer''s account: fishbowl-account:<id>, generic-account:<id>, company:<normalised company name> (shared by a Copper company and its people), else the customer itself.';
COMMENT ON COLUMN stg_crm__customers.account_name IS 'The account''s name.';
COMMENT ON COLUMN stg_crm__customers.phones_e164 IS 'The customer''s valid phone numbers in E.164, sorted, distinct.';
COMMENT ON COLUMN stg_crm__customers.emails IS 'The customer''s emails (trimmed, lower case), sorted, distinct.';
COMMENT ON COLUMN stg_crm__customers.source_line IS 'Line (or position) of the record in the export.';
