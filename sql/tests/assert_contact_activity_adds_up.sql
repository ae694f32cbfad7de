-- Over all time, rpt_contact_activity has every contact of stg_justcall__contacts with all its
-- calls and SMS, and its rows linked to a customer add up to that customer's row of
-- rpt_customer_activity. One row per contact or customer that differs.
WITH contacts AS (FROM rpt_contact_activity(DATE '1900-01-01', DATE '2999-12-31')),
linked AS (
    SELECT customer_id, sum(touches) AS touches, sum(calls) AS calls, sum(inbound_calls) AS inbound_calls,
           sum(answered_calls) AS answered_calls, sum(sms_sent) AS sms_sent, sum(sms_received) AS sms_received,
           min(first_contact_at) AS first_contact_at,
           max(last_contact_at) AS last_contact_at
    FROM contacts
    WHERE customer_id IS NOT NULL
    GROUP BY customer_id
),
customers AS (FROM rpt_customer_activity(DATE '1900-01-01', DATE '2999-12-31'))
SELECT 'contact ' || coalesce(k.contact_id, a.contact_id) AS problem
FROM stg_justcall__contacts AS k
FULL OUTER JOIN contacts AS a USING (contact_id)
WHERE k.call_count IS DISTINCT FROM a.calls
   OR k.sms_count IS DISTINCT FROM a.sms_sent + a.sms_received
   OR a.touches <> a.calls + a.sms_sent + a.sms_received
   OR (a.match_status = 'linked') <> (a.customer_id IS NOT NULL)
UNION ALL
SELECT 'customer ' || coalesce(l.customer_id, c.customer_id)
FROM linked AS l
FULL OUTER JOIN customers AS c USING (customer_id)
WHERE (l.touches, l.calls, l.inbound_calls, l.answered_calls, l.sms_sent, l.sms_received,
       l.first_contact_at, l.last_contact_at)
   IS DISTINCT FROM (c.touches, c.calls, c.inbound_calls, c.answered_calls, c.sms_sent, c.sms_received,
       c.first_contact_at, c.last_contact_at);
