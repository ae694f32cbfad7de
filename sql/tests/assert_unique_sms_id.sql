-- Every SMS is stored once.
SELECT sms_id, count(*) AS copies FROM raw_justcall__texts GROUP BY sms_id HAVING count(*) > 1;
