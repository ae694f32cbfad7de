-- Scalar macros shared by the staging views: the one definition of padding, email keys and the
-- business time zone, each with a Rust twin in the core (wasm/src/) that must say the same.
--
-- callduck_trim(s): s without leading and trailing ASCII whitespace (space, tab, line feed,
-- vertical tab, form feed, carriage return); nothing else, a no-break space stays. DuckDB's
-- one-argument trim removes spaces but not "\n" or "\t", Rust's str::trim all Unicode whitespace,
-- so neither is used on a field that is compared. Rust twin: callduck_metrics::lenient::trim.
CREATE OR REPLACE MACRO callduck_trim(s) AS
    trim(s, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13));

-- callduck_email_key(email): trimmed, lower-cased; NULL when nothing is left. Matches agents to
-- dashboard users, and keys the records that have no agent id. Rust twin:
-- callduck_metrics::options::normalize_email (empty → no email, as in goals::UserKey).
CREATE OR REPLACE MACRO callduck_email_key(email) AS
    nullif(lower(callduck_trim(email)), '');

-- callduck_business_timezone(): the zone of agents without a usable zone of their own (setting
-- business_timezone, `callduck sync --timezone`): the setting trimmed when callduck has its offsets
-- (callduck_tz_offsets), else UTC, which is also what a record in a zone without offsets would get.
-- Rust twin: the `timeZone` option (callduck_metrics::tz::Zone::parse).
CREATE OR REPLACE MACRO callduck_business_timezone() AS
    coalesce((SELECT callduck_trim(setting_value) FROM callduck_settings
              WHERE setting_key = 'business_timezone'
                AND callduck_trim(setting_value) IN (SELECT timezone FROM callduck_tz_offsets)), 'UTC');

COMMENT ON MACRO callduck_trim IS 'callduck_trim(s): s without leading and trailing ASCII whitespace (space, tab, line feed, vertical tab, form feed, carriage return); a no-break space stays. Applied to every field that is compared. Rust twin: lenient::trim.';
COMMENT ON MACRO callduck_email_key IS 'callduck_email_key(email): the email trimmed (callduck_trim) and lower-cased, NULL when nothing is left. Matches agents to dashboard users and keys records without an agent id. Rust twin: options::normalize_email.';
COMMENT ON MACRO callduck_business_timezone IS 'callduck_business_timezone(): the zone of agents without a usable zone of their own: the business_timezone setting, trimmed, when callduck has its offsets (callduck_tz_offsets), else UTC. Rust twin: the timeZone option (tz::Zone::parse).';
