-- stg_justcall__texts: one row per SMS/MMS, with its local day and counting flags.
--
-- Grain: sms_id. Local day as in stg_justcall__calls (agent's effective zone, callduck_tz_days).
-- `is_counted_sent` (Rust twin: metrics::counts_as_sent) is what the dashboard's sms_quantity
-- counts: outgoing and not deleted. `is_bulk_or_automated` marks sends that response-time
-- metrics exclude: the medium contains `bulk` or `automat` (Bulk SMS, Workflow Automation,
-- Automated reply), case-insensitively (Rust twin: sms::is_automated_medium). `contact_key`
-- identifies the customer across messy number formats: the digits of contact_number, without a
-- leading US country code 1 on 11-digit numbers, else the trimmed, lower-cased email (Rust twin:
-- sms::contact_key). `is_delivery_failed`: the delivery status (trimmed with callduck_trim)
-- mentions fail or undeliver, or is error or rejected (Rust twin: sms::is_delivery_failure).
-- `agent_email_key` as in stg_justcall__calls.
CREATE OR REPLACE VIEW stg_justcall__texts AS
WITH texts AS (
    SELECT
        t.*,
        coalesce(u.effective_timezone, callduck_business_timezone())  AS agent_timezone,
        u.email_key                                                   AS agent_email_key
    FROM raw_justcall__texts AS t
    LEFT JOIN stg_justcall__users AS u ON u.user_id = t.agent_id
),
localized AS (
    -- Local time = UTC + the zone's offset on that UTC day (switching at `changes_at` on the
    -- days the clocks change); records outside the offsets' years stay in UTC.
    SELECT
        texts.*,
        texts.sent_at + to_seconds(
            CASE WHEN texts.sent_at >= d.changes_at THEN d.offset_after_change
                 ELSE coalesce(d.utc_offset_seconds, 0) END)                 AS local_sent_at
    FROM texts
    LEFT JOIN callduck_tz_days AS d
        ON d.timezone = texts.agent_timezone AND d.utc_date = CAST(texts.sent_at AS DATE)
)
SELECT
    texts.sms_id,
    texts.sent_at,
    texts.local_sent_at,
    CAST(texts.local_sent_at AS DATE) AS local_date,
    texts.agent_timezone,
    texts.agent_id,
    texts.agent_name,
    coalesce(texts.agent_email_key, callduck_email_key(texts.agent_email))   AS agent_email_key,
    texts.contact_number,
    coalesce(
        nullif(regexp_replace(regexp_replace(coalesce(texts.contact_number, ''), '[^0-9]', '', 'g'),
                              '^1([0-9]{10})$', '\1'), ''),
        callduck_email_key(texts.contact_email)
    )                                                                        AS contact_key,
    texts.contact_name,
    texts.contact_email,
    texts.justcall_number,
    texts.direction,
    texts.direction = 'Incoming'                                             AS is_inbound,
    texts.direction = 'Outgoing'                                             AS is_outbound,
    texts.body,
    texts.is_mms,
    texts.delivery_status,
    coalesce(lower(callduck_trim(texts.delivery_status)) LIKE '%fail%'
          OR lower(callduck_trim(texts.delivery_status)) LIKE '%undeliver%'
          OR lower(callduck_trim(texts.delivery_status)) IN ('error', 'rejected'), false) AS is_delivery_failed,
    texts.is_deleted,
    texts.medium,
    coalesce(lower(texts.medium) LIKE '%bulk%' OR lower(texts.medium) LIKE '%automat%', false)
                                                                             AS is_bulk_or_automated,
    texts.direction = 'Outgoing' AND NOT texts.is_deleted                    AS is_counted_sent,
    texts.cost_incurred
FROM localized AS texts;

COMMENT ON VIEW stg_justcall__texts IS 'One row per SMS/MMS (grain: sms_id) with its local day in the agent''s time zone, the contact_key of its conversation and counting flags. Every SMS metric starts here.';
COMMENT ON COLUMN stg_justcall__texts.sms_id IS 'JustCall message id.';
COMMENT ON COLUMN stg_justcall__texts.sent_at IS 'UTC instant of the message (sms_date + sms_time).';
COMMENT ON COLUMN stg_justcall__texts.local_sent_at IS 'sent_at in agent_timezone.';
COMMENT ON COLUMN stg_justcall__texts.local_date IS 'The agent''s local day of the message: the day every metric counts it on.';
COMMENT ON COLUMN stg_justcall__texts.agent_timezone IS 'The zone of local_date: the agent''s effective_timezone, else callduck_business_timezone().';
COMMENT ON COLUMN stg_justcall__texts.agent_id IS 'JustCall user id of the agent (NULL when the message has none).';
COMMENT ON COLUMN stg_justcall__texts.agent_name IS 'The agent''s name as served on the message.';
COMMENT ON COLUMN stg_justcall__texts.agent_email_key IS 'The agent''s email_key, else callduck_email_key of the message''s own agent_email.';
COMMENT ON COLUMN stg_justcall__texts.contact_number IS 'The other party''s number as served.';
COMMENT ON COLUMN stg_justcall__texts.contact_key IS 'The customer of the conversation across number formats: the number''s digits without a leading US 1 on 11-digit numbers, else the email (callduck_email_key). Rust twin: sms::contact_key.';
COMMENT ON COLUMN stg_justcall__texts.contact_name IS 'The other party''s name as served.';
COMMENT ON COLUMN stg_justcall__texts.contact_email IS 'The other party''s email as served.';
COMMENT ON COLUMN stg_justcall__texts.justcall_number IS 'The team''s JustCall number used.';
COMMENT ON COLUMN stg_justcall__texts.direction IS 'Incoming or Outgoing.';
COMMENT ON COLUMN stg_justcall__texts.is_inbound IS 'direction = Incoming.';
COMMENT ON COLUMN stg_justcall__texts.is_outbound IS 'direction = Outgoing.';
COMMENT ON COLUMN stg_justcall__texts.body IS 'The message text.';
COMMENT ON COLUMN stg_justcall__texts.is_mms IS 'Whether the message is an MMS.';
COMMENT ON COLUMN stg_justcall__texts.delivery_status IS 'Delivery status as served.';
COMMENT ON COLUMN stg_justcall__texts.is_delivery_failed IS 'The delivery status (trimmed) mentions fail or undeliver, or is error or rejected. Rust twin: sms::is_delivery_failure.';
COMMENT ON COLUMN stg_justcall__texts.is_deleted IS 'Deleted in JustCall: counted nowhere.';
COMMENT ON COLUMN stg_justcall__texts.medium IS 'How it was sent, as served (One-To-One via App, Bulk SMS, Workflow Automation, ...).';
COMMENT ON COLUMN stg_justcall__texts.is_bulk_or_automated IS 'The medium contains bulk or automat (any case): neither a reply nor a turn end in response times. Rust twin: sms::is_automated_medium.';
COMMENT ON COLUMN stg_justcall__texts.is_counted_sent IS 'Outgoing and not deleted: what sms_quantity counts. Rust twin: metrics::counts_as_sent.';
COMMENT ON COLUMN stg_justcall__texts.cost_incurred IS 'Cost JustCall charged for the message.';
