-- Contacts who replied are a subset of contacts messaged (response rate within 0..1).
FROM rpt_sms_summary(DATE '1900-01-01', DATE '2999-12-31')
WHERE contacts_replied > contacts_messaged OR response_rate NOT BETWEEN 0 AND 1
   OR responded_turns > customer_turns;
