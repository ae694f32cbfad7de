-- Every imported customer is stored once.
SELECT customer_id, count(*) AS copies FROM crm_customers GROUP BY customer_id HAVING count(*) > 1;
