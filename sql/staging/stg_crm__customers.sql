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
