-- fct_dashboard_metrics: the goals dashboard's JustCall metrics, as callduck exports them.
--
-- Grain: (user_id, metric_type, local_date), user_id being the dashboard user (Firebase uid) that
-- the agent's email maps to (firestore_users): the JustCall user's email, or for calls and SMS
-- without an agent id their own agent_email (fct_agent_daily keeps one row per such email, so
-- unrouted records of two people reach their two dashboard users). Agents without a dashboard
-- user are in rpt_unmapped_agents instead. Values (definitions in fct_agent_daily):
--   phone_call_quantity  all calls of the local day
--   talk_time_minutes    round(sum(total_duration_seconds) / 60)
--   sms_quantity         outgoing SMS that are not deleted
-- The remaining columns are the metadata written with each document. Several agents with the
-- same email (one person, two JustCall users) add up into one dashboard user's day.
CREATE OR REPLACE VIEW fct_dashboard_metrics AS
WITH days AS (
    SELECT
        u.user_id,
        f.local_date,
        CAST(sum(f.phone_call_quantity) AS BIGINT)                          AS call_count,
        CAST(sum(f.talk_time_seconds) AS BIGINT)                            AS total_seconds,
        CAST(sum(f.inbound_calls) AS BIGINT)                                AS inbound_calls,
        CAST(sum(f.outbound_calls) AS BIGINT)                               AS outbound_calls,
        CAST(sum(f.completed_calls) AS BIGINT)                              AS completed_calls,
        CAST(sum(f.missed_calls) AS BIGINT)                                 AS missed_calls,
        CAST(sum(f.sms_quantity) AS BIGINT)                                 AS sms_sent,
        CAST(sum(f.sms_received) AS BIGINT)                                 AS sms_received
    FROM fct_agent_daily AS f
    JOIN firestore_users AS u ON u.email_key = f.agent_email_key
    GROUP BY u.user_id, f.local_date
)
SELECT user_id, 'phone_call_quantity' AS metric_type, local_date, CAST(call_count AS DOUBLE) AS metric_value, * EXCLUDE (user_id, local_date)
FROM days WHERE call_count > 0
UNION ALL BY NAME
SELECT user_id, 'talk_time_minutes' AS metric_type, local_date, CAST(round(total_seconds / 60.0) AS DOUBLE) AS metric_value, * EXCLUDE (user_id, local_date)
FROM days WHERE call_count > 0
UNION ALL BY NAME
SELECT user_id, 'sms_quantity' AS metric_type, local_date, CAST(sms_sent AS DOUBLE) AS metric_value, * EXCLUDE (user_id, local_date)
FROM days WHERE sms_sent > 0;

COMMENT ON VIEW fct_dashboard_metrics IS 'The goals dashboard''s JustCall metrics as callduck exports them to Firestore: one row per dashboard user, metric type and local day (agents map to users by email; agents without a user are in rpt_unmapped_agents).';
COMMENT ON COLUMN fct_dashboard_metrics.user_id IS 'Dashboard user (Firebase uid, firestore_users.user_id) the agent''s email maps to.';
COMMENT ON COLUMN fct_dashboard_metrics.metric_type IS 'phone_call_quantity, talk_time_minutes or sms_quantity.';
COMMENT ON COLUMN fct_dashboard_metrics.local_date IS 'The agent''s local day.';
COMMENT ON COLUMN fct_dashboard_metrics.metric_value IS 'The value exported: calls, round(talk seconds / 60), or SMS sent (outgoing, not deleted).';
COMMENT ON COLUMN fct_dashboard_metrics.call_count IS 'Metadata written with the document: the user''s calls that day.';
COMMENT ON COLUMN fct_dashboard_metrics.total_seconds IS 'Metadata: talk seconds that day.';
COMMENT ON COLUMN fct_dashboard_metrics.inbound_calls IS 'Metadata: inbound calls that day.';
COMMENT ON COLUMN fct_dashboard_metrics.outbound_calls IS 'Metadata: outbound calls that day.';
COMMENT ON COLUMN fct_dashboard_metrics.completed_calls IS 'Metadata: completed (answered) calls that day.';
COMMENT ON COLUMN fct_dashboard_metrics.missed_calls IS 'Metadata: missed calls that day.';
COMMENT ON COLUMN fct_dashboard_metrics.sms_sent IS 'Metadata: SMS sent (outgoing, not deleted) that day.';
COMMENT ON COLUMN fct_dashboard_metrics.sms_received IS 'Metadata: SMS received (incoming, not deleted) that day.';
