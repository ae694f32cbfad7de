-- stg_justcall__users: one row per JustCall user (agent), with the time zone the views use.
--
-- `effective_timezone` is the user's own IANA zone when callduck knows its offsets, else the
-- business time zone (setting `business_timezone`, `--timezone`), else UTC. `email_key` is the
-- trimmed, lower-cased email used to match agents to dashboard users and CRM records.
CREATE OR REPLACE VIEW stg_justcall__users AS
SELECT
    u.user_id,
    u.user_name,
    u.email,
    lower(trim(u.email))                                   AS email_key,
    u.user_role,
    u.extension,
    u.timezone,
    CASE
        WHEN u.timezone IN (SELECT DISTINCT timezone FROM callduck_tz_offsets) THEN u.timezone
        ELSE coalesce((SELECT setting_value FROM callduck_settings
                       WHERE setting_key = 'business_timezone'), 'UTC')
    END                                                    AS effective_timezone,
    u.first_synced_at,
    u.updated_at
FROM raw_justcall__users AS u;
