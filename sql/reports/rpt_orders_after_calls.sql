-- rpt_orders_after_calls(from_date, to_date, window_days := 30): do calls turn into orders?
--
-- Grain: one row for accounts called in the range (is_called) and one for accounts that were not.
-- A called account's orders are those dated within window_days after one of its calls in the
-- range (call day included, each order counted once); a not-called account's orders are those
-- dated in the range extended by window_days. Only orders attributed to an account count
-- (stg_crm__orders.account_id). Compare orders_per_account, revenue_per_account and
-- ordering_rate (accounts with an order / accounts) between the two rows.
CREATE OR REPLACE MACRO rpt_orders_after_calls(from_date, to_date, window_days := 30) AS TABLE
WITH accounts AS (
    SELECT DISTINCT account_id FROM stg_crm__customers
),
calls AS (
    SELECT DISTINCT account_id, local_date
    FROM fct_customer_activity
    WHERE activity_kind = 'call' AND local_date BETWEEN from_date AND to_date
),
called_orders AS (
    SELECT DISTINCT o.order_id, o.account_id, o.amount
    FROM stg_crm__orders AS o
    JOIN calls AS c
        ON c.account_id = o.account_id
       AND o.ordered_on BETWEEN c.local_date AND c.local_date + CAST(window_days AS INTEGER)
),
uncalled_orders AS (
    SELECT o.order_id, o.account_id, o.amount
    FROM stg_crm__orders AS o
    WHERE o.account_id NOT IN (SELECT account_id FROM calls)
      AND o.ordered_on BETWEEN from_date AND CAST(to_date AS DATE) + CAST(window_days AS INTEGER)
),
per_account AS (
    SELECT a.account_id,
           a.account_id IN (SELECT account_id FROM calls)                AS is_called,
           coalesce(co.orders, uo.orders, 0)                             AS orders,
           coalesce(co.revenue, uo.revenue, 0)                           AS revenue
    FROM accounts AS a
    LEFT JOIN (SELECT account_id, count(*) AS orders, sum(amount) AS revenue
               FROM called_orders GROUP BY account_id) AS co USING (account_id)
    LEFT JOIN (SELECT account_id, count(*) AS orders, sum(amount) AS revenue
               FROM uncalled_orders GROUP BY account_id) AS uo USING (account_id)
)
SELECT
    is_called,
    count(*)                                                           AS accounts,
    count(*) FILTER (WHERE orders > 0)                                 AS accounts_with_orders,
    sum(orders)                                                        AS orders,
    sum(revenue)                                                       AS revenue,
    sum(orders) / count(*)                                             AS orders_per_account,
    sum(revenue) / count(*)                                            AS revenue_per_account,
    count(*) FILTER (WHERE orders > 0) / count(*)                      AS ordering_rate
FROM per_account
GROUP BY is_called
ORDER BY is_called DESC;

COMMENT ON MACRO TABLE rpt_orders_after_calls IS 'rpt_orders_after_calls(from_date, to_date, window_days := 30): accounts called in the range vs not called (grain: is_called): orders dated within window_days after one of the calls (or, for accounts not called, in the range extended by window_days), revenue, orders and revenue per account, ordering rate.';
