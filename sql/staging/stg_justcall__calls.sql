-- stg_justcall__calls: one row per call, with its local day and outcome.
--
-- Grain: call_id. The local day is the calendar date of `started_at` (UTC) in the agent's
-- effective time zone (see stg_justcall__users), via the IANA offsets in callduck_tz_days (one row per zone and UTC day):
-- DST changes neither lose nor double an hour, and a 23:30 call in New York counts on its local
-- day although it is the next day in UTC. Calls whose agent is unknown use the business zone
-- (callduck_business_timezone). `agent_email_key`: the user's email_key, else the call's own
-- agent_email (callduck_email_key), which is what identifies a call without an agent id.
CREATE OR REPLACE VIEW stg_justcall__calls AS
WITH calls AS (
    SELECT
        c.*,
        coalesce(u.effective_timezone, callduck_business_timezone())  AS agent_timezone,
        u.email_key                                                   AS agent_email_key
    FROM raw_justcall__calls AS c
    LEFT JOIN stg_justcall__users AS u ON u.user_id = c.agent_id
),
localized AS (
    -- Local time = UTC + the zone's offset on that UTC day (switching at `changes_at` on the
    -- days the clocks change); records outside the offsets' years stay in UTC.
    SELECT
        calls.*,
        calls.started_at + to_seconds(
            CASE WHEN calls.started_at >= d.changes_at THEN d.offset_after_change
                 ELSE coalesce(d.utc_offset_seconds, 0) END)                 AS local_started_at
    FROM calls
    LEFT JOIN callduck_tz_days AS d
        ON d.timezone = calls.agent_timezone AND d.utc_date = CAST(calls.started_at AS DATE)
)
SELECT
    calls.call_id,
    calls.call_sid,
    calls.started_at,
    calls.local_started_at,
    CAST(calls.local_started_at AS DATE) AS local_date,
    calls.agent_timezone,
    calls.agent_id,
    calls.agent_name,
    coalesce(calls.agent_email_key, callduck_email_key(calls.agent_email))   AS agent_email_key,
    calls.contact_number,
    calls.contact_name,
    calls.contact_email,
    calls.justcall_number,
    calls.justcall_line_name,
    calls.direction,
    calls.direction = 'Incoming'                                             AS is_inbound,
    calls.direction = 'Outgoing'                                             AS is_outbound,
    calls.call_type,
    -- Outcome from the whole call_info.type, case-insensitively, padding trimmed with
    -- callduck_trim (Rust twin: CallOutcome): completed = Answered; in progress = not finished
    -- yet; missed = every other final outcome.
    CASE
        WHEN lower(callduck_trim(calls.call_type)) = 'answered' THEN 'completed'
        WHEN calls.call_type IS NULL OR callduck_trim(calls.call_type) = ''
          OR lower(callduck_trim(calls.call_type)) IN ('in progress', 'in-progress', 'ongoing', 'ringing', 'initiated')
            THEN 'in_progress'
        ELSE 'missed'
    END                                                                      AS call_outcome,
    coalesce(lower(callduck_trim(calls.call_type)) = 'answered', false)      AS is_answered,
    coalesce(lower(calls.call_type) LIKE '%voicemail%', false)               AS is_voicemail,
    coalesce(lower(calls.call_type) LIKE '%abandon%', false)                 AS is_abandoned,
    isodow(calls.local_started_at) AS local_weekday, -- 1 = Monday
    hour(calls.local_started_at)   AS local_hour,
    calls.missed_call_reason,
    calls.call_status,
    calls.disposition,
    calls.notes,
    calls.rating,
    calls.recording_url,
    calls.voicemail_transcription,
    calls.ring_seconds,
    calls.queue_wait_seconds,
    calls.conversation_seconds,
    calls.hold_seconds,
    calls.total_duration_seconds,
    calls.wrap_up_seconds,
    calls.handle_seconds,
    calls.ring_seconds + calls.queue_wait_seconds                            AS answer_wait_seconds,
    calls.cost_incurred,
    calls.tags
FROM localized AS calls;
