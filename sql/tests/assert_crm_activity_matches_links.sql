-- fct_customer_activity holds exactly the calls and SMS of unambiguously linked contacts.
WITH expected AS (
    SELECT coalesce(sum(k.call_count + k.sms_count), 0) AS n
    FROM stg_justcall__contacts AS k
    JOIN crm_contact_links AS l USING (contact_id)
    WHERE NOT l.is_ambiguous
),
actual AS (SELECT count(*) AS n, count(DISTINCT (activity_kind, activity_id)) AS distinct_n FROM fct_customer_activity)
SELECT expected.n AS expected, actual.n AS actual, actual.distinct_n
FROM expected, actual
WHERE expected.n <> actual.n OR actual.n <> actual.distinct_n;
