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

COMMENT ON VIEW stg_justcall__users IS 'One row per JustCall user (agent), grain user_id, with the time zone the views use (effective_timezone) and the email key that maps it to dashboard users and CRM records.';
COMMENT ON COLUMN stg_justcall__users.user_id IS 'JustCall user (agent) id.';
COMMENT ON COLUMN stg_justcall__users.user_name IS 'The user''s name.';
COMMENT ON COLUMN stg_justcall__users.email IS 'The user''s email as served.';
COMMENT ON COLUMN stg_justcall__users.email_key IS 'callduck_email_key(email): trimmed, lower case, NULL when empty.';
COMMENT ON COLUMN stg_justcall__users.user_role IS 'The user''s JustCall role.';
COMMENT ON COLUMN stg_justcall__users.extension IS 'The user''s extension.';
COMMENT ON COLUMN stg_justcall__users.timezone IS 'The user''s time zone as served.';
COMMENT ON COLUMN stg_justcall__users.effective_timezone IS 'The zone of the user''s local days: timezone trimmed when callduck has its offsets (an exact IANA name), else callduck_business_timezone(). Rust twin: tz::Zone::of_agent.';
COMMENT ON COLUMN stg_justcall__users.first_synced_at IS 'UTC instant callduck first stored the user.';
COMMENT ON COLUMN stg_justcall__users.updated_at IS 'UTC instant callduck last stored a changed payload.';
