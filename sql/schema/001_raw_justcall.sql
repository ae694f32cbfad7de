-- Raw layer: one row per JustCall record, as last seen upstream.
--
-- Typed columns hold every field the views need; `raw_json` keeps the record exactly as the API
-- served it, so new fields can be derived later without re-fetching (the API only serves about the
-- last three months). `record_hash` is a stable hash of `raw_json`: a re-scan that sees the same
-- payload writes nothing. The canonical instant of a call or SMS is its UTC date + time
-- (`started_at`, `sent_at`). Keys are unique by construction (the engine upserts by id); the data
-- tests in sql/tests/ check it.

CREATE TABLE raw_justcall__users (
    user_id               BIGINT    NOT NULL, -- JustCall user (agent) id
    user_name             VARCHAR,
    email                 VARCHAR,            -- as served; compare lower(trim(email))
    user_role             VARCHAR,
    extension             VARCHAR,
    timezone              VARCHAR,            -- IANA name, e.g. America/New_York
    record_hash           UBIGINT   NOT NULL,
    raw_json              JSON      NOT NULL,
    first_synced_at       TIMESTAMP NOT NULL, -- UTC, when callduck first stored the record
    updated_at            TIMESTAMP NOT NULL  -- UTC, when callduck last stored a changed payload
);

CREATE TABLE raw_justcall__calls (
    call_id               BIGINT    NOT NULL,
    call_sid              VARCHAR,
    started_at            TIMESTAMP NOT NULL, -- UTC: call_date + call_time
    user_started_at       TIMESTAMP,          -- call_user_date + call_user_time (agent's zone, editable)
    agent_id              BIGINT,
    agent_name            VARCHAR,
    agent_email           VARCHAR,
    is_agent_active       BOOLEAN,
    contact_number        VARCHAR,
    contact_name          VARCHAR,
    contact_email         VARCHAR,
    justcall_number       VARCHAR,
    justcall_line_name    VARCHAR,
    direction             VARCHAR   NOT NULL, -- Incoming | Outgoing (normalised)
    call_type             VARCHAR,            -- Answered, Missed, Unanswered, Voicemail, ...
    missed_call_reason    VARCHAR,
    call_status           VARCHAR,            -- Archived | Unarchived
    disposition           VARCHAR,
    notes                 VARCHAR,
    rating                INTEGER,
    recording_url         VARCHAR,
    voicemail_transcription VARCHAR,
    ring_seconds          INTEGER   NOT NULL,
    queue_wait_seconds    INTEGER   NOT NULL,
    conversation_seconds  INTEGER   NOT NULL,
    hold_seconds          INTEGER   NOT NULL,
    total_duration_seconds INTEGER  NOT NULL, -- conversation + hold
    wrap_up_seconds       INTEGER   NOT NULL,
    handle_seconds        INTEGER   NOT NULL, -- total_duration + wrap-up
    cost_incurred         DOUBLE,
    tags                  VARCHAR[],
    record_hash           UBIGINT   NOT NULL,
    raw_json              JSON      NOT NULL,
    first_synced_at       TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL
);

CREATE TABLE raw_justcall__texts (
    sms_id                BIGINT    NOT NULL,
    sent_at               TIMESTAMP NOT NULL, -- UTC: sms_date + sms_time
    user_sent_at          TIMESTAMP,          -- sms_user_date + sms_user_time
    agent_id              BIGINT,
    agent_name            VARCHAR,
    agent_email           VARCHAR,
    contact_number        VARCHAR,
    contact_name          VARCHAR,
    contact_email         VARCHAR,
    justcall_number       VARCHAR,
    justcall_line_name    VARCHAR,
    direction             VARCHAR   NOT NULL, -- Incoming | Outgoing (normalised from Outbound etc.)
    body                  VARCHAR,
    is_mms                BOOLEAN   NOT NULL,
    delivery_status       VARCHAR,
    is_deleted            BOOLEAN   NOT NULL,
    medium                VARCHAR,            -- One-To-One via App, Bulk SMS, ... Automation
    cost_incurred         DOUBLE,
    record_hash           UBIGINT   NOT NULL,
    raw_json              JSON      NOT NULL,
    first_synced_at       TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL
);

-- Records that failed to parse: kept with their raw JSON and the reason, never dropped.
-- One row per distinct payload; `resolved_at` is set when a valid version of the record arrives.
CREATE TABLE callduck_quarantine (
    stream                VARCHAR   NOT NULL, -- users | calls | texts
    record_id             VARCHAR,            -- the record's id when one could be read
    reason                VARCHAR   NOT NULL,
    record_hash           UBIGINT   NOT NULL,
    raw_json              VARCHAR   NOT NULL,
    first_seen_at         TIMESTAMP NOT NULL,
    resolved_at           TIMESTAMP
);

-- Per-stream sync state. `watermark` (UTC): every record that started before it has been stored.
-- Updated in the same transaction as the rows it covers.
CREATE TABLE callduck_sync_state (
    stream                VARCHAR   NOT NULL PRIMARY KEY,
    watermark             TIMESTAMP,
    updated_at            TIMESTAMP NOT NULL
);

-- One row per `callduck sync` run, for `callduck status` and for auditing.
CREATE TABLE callduck_sync_runs (
    run_id                BIGINT    NOT NULL PRIMARY KEY,
    started_at            TIMESTAMP NOT NULL,
    finished_at           TIMESTAMP,
    run_status            VARCHAR   NOT NULL, -- running | ok | failed
    records_new           BIGINT,
    records_updated       BIGINT,
    records_quarantined   BIGINT,
    requests              BIGINT,
    responses_429         BIGINT,
    error_message         VARCHAR
);

-- UTC offsets of every time zone the views need, written by the engine from the IANA database
-- (chrono-tz) so the views need no ICU extension: a local time is `utc + utc_offset_seconds` for
-- the row whose [valid_from, valid_until) contains the UTC instant.
CREATE TABLE callduck_tz_offsets (
    timezone              VARCHAR   NOT NULL,
    valid_from            TIMESTAMP NOT NULL, -- UTC
    valid_until           TIMESTAMP NOT NULL, -- UTC, exclusive
    utc_offset_seconds    INTEGER   NOT NULL
);

-- The same offsets by UTC day, for a cheap equi-join from every record (an ASOF join per record
-- costs far more): a record at `utc` on `utc_date` has offset `utc_offset_seconds`, or
-- `offset_after_change` from `changes_at` on (the first change of that day; no real zone changes
-- twice in one day). Days outside 1970-2069 have no row: such records use UTC.
CREATE TABLE callduck_tz_days (
    timezone              VARCHAR   NOT NULL,
    utc_date              DATE      NOT NULL,
    utc_offset_seconds    INTEGER   NOT NULL, -- at 00:00 UTC of utc_date
    changes_at            TIMESTAMP,          -- UTC instant of a change within the day, if any
    offset_after_change   INTEGER,
    PRIMARY KEY (timezone, utc_date)
);

-- Engine settings the views read (e.g. the business time zone).
CREATE TABLE callduck_settings (
    setting_key           VARCHAR   NOT NULL PRIMARY KEY,
    setting_value         VARCHAR   NOT NULL
);
