-- rpt_sms_summary(from_date, to_date, agent := NULL): SMS activity and responsiveness over a
-- date range, one row per agent plus a team row (agent_email 'TEAM').
--
--   sms_sent, sms_received          outgoing (not deleted) / incoming messages
--   sms_delivery_failed             outgoing messages with delivery status failed or undelivered
--   contacts_messaged               unique contacts (contact_key) sent at least one message
--   contacts_replied                of those, contacts who sent a message after the agent's first
--                                   message to them in the range
--   response_rate                   contacts_replied / contacts_messaged (JustCall's definition)
--   customer_turns, responded_turns turns from fct_sms_responses started in the range
--   average_/median_first_response_seconds  over responded turns (bulk and automated excluded)
CREATE OR REPLACE MACRO rpt_sms_summary(from_date, to_date, agent := NULL) AS TABLE
WITH texts AS (
    SELECT *
    FROM stg_justcall__texts
    WHERE local_date BETWEEN from_date AND to_date
      AND (agent IS NULL OR agent_email_key = lower(trim(agent)))
),
per_contact AS (
    SELECT
        agent_id,
        contact_key,
        min(sent_at) FILTER (WHERE is_outbound AND NOT is_deleted)          AS first_sent_at,
        max(sent_at) FILTER (WHERE is_inbound)                              AS last_received_at
    FROM texts
    WHERE contact_key IS NOT NULL
    GROUP BY agent_id, contact_key
),
contacts AS (
    -- In the team row a contact counts once even when several agents texted it (replied: to at
    -- least one of the agents who messaged it).
    SELECT
        agent_id,
        grouping(agent_id) = 1                                              AS is_team_total,
        count(DISTINCT contact_key) FILTER (WHERE first_sent_at IS NOT NULL) AS contacts_messaged,
        count(DISTINCT contact_key) FILTER (WHERE first_sent_at IS NOT NULL
                                              AND last_received_at > first_sent_at) AS contacts_replied
    FROM per_contact
    GROUP BY GROUPING SETS ((agent_id), ())
),
messages AS (
    SELECT
        agent_id,
        grouping(agent_id) = 1                                              AS is_team_total,
        any_value(agent_email_key)                                          AS agent_email_key,
        count(*) FILTER (WHERE is_counted_sent)                             AS sms_sent,
        count(*) FILTER (WHERE is_inbound)                                  AS sms_received,
        count(*) FILTER (WHERE is_outbound AND is_bulk_or_automated)        AS sms_bulk_or_automated_sent,
        count(*) FILTER (WHERE is_outbound AND is_delivery_failed)          AS sms_delivery_failed
    FROM texts
    GROUP BY GROUPING SETS ((agent_id), ())
),
turns AS (
    SELECT
        agent_id,
        grouping(agent_id) = 1                                              AS is_team_total,
        count(*)                                                            AS customer_turns,
        count(*) FILTER (WHERE is_responded)                                AS responded_turns,
        avg(first_response_seconds)                                         AS average_first_response_seconds,
        median(first_response_seconds)                                      AS median_first_response_seconds
    FROM fct_sms_responses
    WHERE local_date BETWEEN from_date AND to_date
      AND (agent IS NULL OR agent_email_key = lower(trim(agent)))
    GROUP BY GROUPING SETS ((agent_id), ())
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
LEFT JOIN contacts AS c ON c.agent_id IS NOT DISTINCT FROM m.agent_id AND c.is_team_total = m.is_team_total
LEFT JOIN turns AS t ON t.agent_id IS NOT DISTINCT FROM m.agent_id AND t.is_team_total = m.is_team_total
LEFT JOIN stg_justcall__users AS u ON u.user_id = m.agent_id
ORDER BY m.is_team_total, m.sms_sent DESC, agent_email;
