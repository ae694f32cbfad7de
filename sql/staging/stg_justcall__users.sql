-- stg_justcall__users: one row per JustCall user (agent), with the time zone the views use.
--
-- `effective_timezone` is the user's own IANA zone, padding trimmed (callduck_trim), when callduck
-- knows its offsets, else callduck_business_timezone(): an empty, unknown or differently cased name
-- (`utc`) falls back to the business zone. Rust twin: callduck_metrics::tz::Zone::of_agent.
-- `email_key` (callduck_email_key) is the trimmed, lower-cased email used to match agents to
-- dashboard users and CRM records.
CREATE OR REPLACE VIEW stg_justcall__users AS
SELECT
    u.user_id,
    u.user_name,
    u.email,
    callduck_email_key(u.email)                            AS email_key,
    u.user_role,
    u.extension,
    u.timezone,
    CASE
        WHEN callduck_trim(u.timezone) IN (SELECT DISTINCT timezone FROM callduck_tz_offsets)
            THEN callduck_trim(u.timezone)
        ELSE callduck_business_timezone()
    END                                                    AS effective_timezone,
    u.first_synced_at,
    u.updated_at
FROM raw_justcall__users AS u;
