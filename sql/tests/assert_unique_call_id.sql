-- Every call is stored once.
SELECT call_id, count(*) AS copies FROM raw_justcall__calls GROUP BY call_id HAVING count(*) > 1;
