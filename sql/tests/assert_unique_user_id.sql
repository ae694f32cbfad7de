-- Every user is stored once.
SELECT user_id, count(*) AS copies FROM raw_justcall__users GROUP BY user_id HAVING count(*) > 1;
