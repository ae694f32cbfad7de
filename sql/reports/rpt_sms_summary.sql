-- rpt_sms_summary(from_date, to_date, agent := NULL): SMS activity and responsiveness over a
-- date range, one row per agent plus a team row (agent_email 'TEAM'). Only messages of the range
-- (local days) count; deleted messages count nowhere. (Rust twin: callduck_metrics::sms; the
-- team row equals the module's figures without an agent filter, an agent row with one.)
--
--   sms_sent, sms_received          outgoing / incoming messages
--   sms_bulk_or_automated_sent      of the sent, bulk or automated sends
--   sms_delivery_failed             sent messages whose delivery status reports a failure
--   contacts_messaged               unique contacts (contact_key) sent at least one message
--   contacts_replied                of those, contacts with an incoming message after the first
--                                   outgoing one (ordered by sent_at, then sms_id)
--   response_rate                   contacts_replied / contacts_messaged (JustCall's definition)
--   customer_turns, responded_turns turns of int_sms_turns (per agent; across agents for the team)
--   average_/median_first_response_seconds  over responded turns (bulk and automated excluded)
-- In the team row a contact counts once, whichever agents texted it. Agents as in
-- fct_agent_daily: messages without an agent id have one row per agent email.
CREATE OR REPLACE MACRO rpt_sms_summary(from_date, to_date, agent := NULL) AS TABLE
WITH texts AS (
    SELECT *, {'at': sent_at, 'id': sms_id} AS position,
           CASE WHEN agent_id IS NULL THEN agent_email_key END AS unrouted_email_key
    FROM stg_justcall__texts
    WHERE local_date BETWEEN from_date AND to_date
      AND (agent IS NULL OR agent_email_key = callduck_email_key(agent))
      AND NOT is_deleted
),
messages AS (
    SELECT
        agent_id,
        unrouted_email_key,
        grouping(agent_id) = 1                                              AS is_team_total,
        min(agent_email_key)                                                AS agent_email_key,
        count(*) FILTER (WHERE is_outbound)                                 AS sms_sent,
        count(*) FILTER (WHERE is_inbound)                                  AS sms_received,
        count(*) FILTER (WHERE is_outbound AND is_bulk_or_automated)        AS sms_bulk_or_automated_sent,
        count(*) FILTER (WHERE is_outbound AND is_delivery_failed)          AS sms_delivery_failed
    FROM texts
    GROUP BY GROUPING SETS ((agent_id, unrouted_email_key), ())
),
contacts AS (
    -- Per agent and contact, and per contact for the team.
    SELECT
        agent_id,
        unrouted_email_key,
        grouping(agent_id) = 1                                              AS is_team_total,
        contact_key,
        min(position) FILTER (WHERE is_outbound)                            AS first_sent,
        max(position) FILTER (WHERE is_inbound)                             AS last_received
    FROM texts
    WHERE contact_key IS NOT NULL
    GROUP BY GROUPING SETS ((agent_id, unrouted_email_key, contact_key), (contact_key))
),
contact_counts AS (
    SELECT
        agent_id,
        unrouted_email_key,
        is_team_total,
        count(*) FILTER (WHERE first_sent IS NOT NULL)                      AS contacts_messaged,
        count(*) FILTER (WHERE first_sent IS NOT NULL AND last_received > first_sent) AS contacts_replied
    FROM contacts
    GROUP BY agent_id, unrouted_email_key, is_team_total
),
turns AS (
    SELECT agent_id, unrouted_email_key, false AS is_team_total, * EXCLUDE (agent_id, unrouted_email_key)
    FROM (
        SELECT agent_id, CASE WHEN agent_id IS NULL THEN agent_email_key END AS unrouted_email_key,
               count(*) AS customer_turns, count(*) FILTER (WHERE is_responded) AS responded_turns,
               avg(first_response_seconds) AS average_first_response_seconds,
               median(first_response_seconds) AS median_first_response_seconds
        FROM int_sms_turns(from_date, to_date, agent, true)
        GROUP BY ALL
    )
    UNION ALL BY NAME
    SELECT NULL AS agent_id, true AS is_team_total, count(*) AS customer_turns,
           count(*) FILTER (WHERE is_responded) AS responded_turns,
           avg(first_response_seconds) AS average_first_response_seconds,
           median(first_response_seconds) AS median_first_response_seconds
    FROM int_sms_turns(from_date, to_date, agent, false)
)
SELECT
    m.agent_id,
    CASE WHEN m.is_team_total THEN 'TEAM' ELSE coalesce(u.email_key, m.agent_email_key) END AS agent_email,
    m.is_team_total,
    m.sms_sent,
    m.sms_received,
    m.sms_bulk_or_automated_sent,
    m.sms_delivery_failed,
    coalesce(c.contacts_messaged, 0)                                        AS contacts_messaged,
    coalesce(c.contacts_replied, 0)                                         AS contacts_replied,
    c.contacts_replied / nullif(c.contacts_messaged, 0)                     AS response_rate,
    coalesce(t.customer_turns, 0)                                           AS customer_turns,
    coalesce(t.responded_turns, 0)                                          AS responded_turns,
    t.average_first_response_seconds,
    t.median_first_response_seconds
FROM messages AS m
LEFT JOIN contact_counts AS c ON c.agent_id IS NOT DISTINCT FROM m.agent_id
    AND c.unrouted_email_key IS NOT DISTINCT FROM m.unrouted_email_key AND c.is_team_total = m.is_team_total
LEFT JOIN turns AS t ON t.agent_id IS NOT DISTINCT FROM m.agent_id
    AND t.unrouted_email_key IS NOT DISTINCT FROM m.unrouted_email_key AND t.is_team_total = m.is_team_total
LEFT JOIN stg_justcall__users AS u ON u.user_id = m.agent_id
ORDER BY m.is_team_total, m.sms_sent DESC, agent_email;

COMMENT ON MACRO TABLE rpt_sms_summary IS 'rpt_sms_summary(from_date, to_date, agent := NULL): SMS activity and responsiveness over a range of local days, one row per agent plus a TEAM row: sent, received, bulk or automated, delivery failures, contacts messaged and replied, response rate (JustCall''s), customer turns and first-response times. Deleted messages count nowhere.';
