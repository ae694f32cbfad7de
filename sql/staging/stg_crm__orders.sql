-- stg_crm__orders: one row per imported sales order, with the customer and account it belongs to.
--
-- Grain: order_id. The customer is the Fishbowl customer named by the order's customerId; an
-- order without one (or naming an unknown customer) is attributed through its emails when they
-- all belong to one account's customers (resolved_by = 'email'); else customer and account are
-- NULL (resolved_by NULL) and the order counts for no account.
CREATE OR REPLACE VIEW stg_crm__orders AS
WITH by_email AS (
    SELECT o.order_id, min(e.customer_id) AS customer_id, min(c.account_id) AS account_id
    FROM crm_orders AS o
    CROSS JOIN unnest(string_split(coalesce(o.emails, ''), ',')) AS t(email)
    JOIN crm_customer_emails AS e ON e.email = t.email
    JOIN crm_customers AS c ON c.customer_id = e.customer_id
    GROUP BY o.order_id
    HAVING count(DISTINCT c.account_id) = 1
)
SELECT
    o.order_id,
    o.source_id,
    o.source_customer_id,
    o.ordered_on,
    o.amount,
    coalesce(by_id.customer_id, by_email.customer_id)                       AS customer_id,
    coalesce(by_id.account_id, by_email.account_id)                         AS account_id,
    CASE WHEN by_id.customer_id IS NOT NULL THEN 'customer_id'
         WHEN by_email.customer_id IS NOT NULL THEN 'email' END             AS resolved_by
FROM crm_orders AS o
LEFT JOIN crm_customers AS by_id
    ON by_id.import_kind = 'fishbowl-customers' AND by_id.source_id = o.source_customer_id
LEFT JOIN by_email ON by_email.order_id = o.order_id;

COMMENT ON VIEW stg_crm__orders IS 'Imported sales orders with the customer and account they belong to. Grain: order_id.';
COMMENT ON COLUMN stg_crm__orders.order_id IS '''<kind>:<id>''.';
COMMENT ON COLUMN stg_crm__orders.source_id IS 'The order''s id in the CRM.';
COMMENT ON COLUMN stg_crm__orders.source_customer_id IS 'The CRM''s customer id on the order (Fishbowl customerId).';
COMMENT ON COLUMN stg_crm__orders.ordered_on IS 'Order date.';
COMMENT ON COLUMN stg_crm__orders.amount IS 'Order amount.';
COMMENT ON COLUMN stg_crm__orders.customer_id IS 'The Fishbowl customer the order''s customerId names, else a customer of the one account all its emails belong to; NULL when neither.';
COMMENT ON COLUMN stg_crm__orders.account_id IS 'That customer''s account (NULL: the order counts for no account).';
COMMENT ON COLUMN stg_crm__orders.resolved_by IS 'customer_id or email: how the customer was found (NULL when it was not).';
