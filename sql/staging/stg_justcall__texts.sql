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
