-- One link per contact, pointing at a stored customer and a known contact.
SELECT l.contact_id, 'duplicate' AS problem FROM crm_contact_links AS l
GROUP BY l.contact_id HAVING count(*) > 1
UNION ALL
SELECT l.contact_id, 'unknown customer' FROM crm_contact_links AS l
WHERE NOT EXISTS (SELECT 1 FROM crm_customers AS c WHERE c.customer_id = l.customer_id)
   OR (l.runner_up_customer_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM crm_customers AS c WHERE c.customer_id = l.runner_up_customer_id))
UNION ALL
SELECT l.contact_id, 'unknown contact' FROM crm_contact_links AS l
WHERE NOT EXISTS (SELECT 1 FROM stg_justcall__contacts AS k WHERE k.contact_id = l.contact_id);
