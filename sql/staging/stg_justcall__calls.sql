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

COMMENT ON VIEW stg_justcall__calls IS 'One row per call (grain: call_id) with its local day in the agent''s time zone, its outcome (completed / missed / in progress) and flags. Every call metric starts here.';
COMMENT ON COLUMN stg_justcall__calls.call_id IS 'JustCall call id.';
COMMENT ON COLUMN stg_justcall__calls.call_sid IS 'JustCall''s call SID.';
COMMENT ON COLUMN stg_justcall__calls.started_at IS 'UTC instant the call started (call_date + call_time).';
COMMENT ON COLUMN stg_justcall__calls.local_started_at IS 'started_at in agent_timezone (IANA offsets of callduck_tz_days).';
COMMENT ON COLUMN stg_justcall__calls.local_date IS 'The agent''s local day of the call: the day every metric counts it on.';
COMMENT ON COLUMN stg_justcall__calls.agent_timezone IS 'The zone of local_date: the agent''s effective_timezone, else callduck_business_timezone().';
COMMENT ON COLUMN stg_justcall__calls.agent_id IS 'JustCall user id of the agent (NULL when the call has none).';
COMMENT ON COLUMN stg_justcall__calls.agent_name IS 'The agent''s name as served on the call.';
COMMENT ON COLUMN stg_justcall__calls.agent_email_key IS 'The agent''s email_key, else callduck_email_key of the call''s own agent_email: identifies the agent of a call without agent_id.';
COMMENT ON COLUMN stg_justcall__calls.contact_number IS 'The other party''s number as served.';
COMMENT ON COLUMN stg_justcall__calls.contact_name IS 'The other party''s name as served.';
COMMENT ON COLUMN stg_justcall__calls.contact_email IS 'The other party''s email as served.';
COMMENT ON COLUMN stg_justcall__calls.justcall_number IS 'The team''s JustCall number used.';
COMMENT ON COLUMN stg_justcall__calls.justcall_line_name IS 'Name of that line.';
COMMENT ON COLUMN stg_justcall__calls.direction IS 'Incoming or Outgoing.';
COMMENT ON COLUMN stg_justcall__calls.is_inbound IS 'direction = Incoming.';
COMMENT ON COLUMN stg_justcall__calls.is_outbound IS 'direction = Outgoing.';
COMMENT ON COLUMN stg_justcall__calls.call_type IS 'call_info.type exactly as served: the seed''s call status (rpt_calls_by_status).';
COMMENT ON COLUMN stg_justcall__calls.call_outcome IS 'completed (type Answered, any case, padding trimmed), in_progress (type empty, In Progress, Ringing, Initiated, ...) or missed (every other final type). Rust twin: CallOutcome.';
COMMENT ON COLUMN stg_justcall__calls.is_answered IS 'call_outcome = completed.';
COMMENT ON COLUMN stg_justcall__calls.is_voicemail IS 'The type mentions Voicemail (any case).';
COMMENT ON COLUMN stg_justcall__calls.is_abandoned IS 'The type mentions Abandon (any case).';
COMMENT ON COLUMN stg_justcall__calls.local_weekday IS 'ISO weekday of local_started_at (1 = Monday).';
COMMENT ON COLUMN stg_justcall__calls.local_hour IS 'Hour (0-23) of local_started_at.';
COMMENT ON COLUMN stg_justcall__calls.missed_call_reason IS 'JustCall''s reason for a missed call.';
COMMENT ON COLUMN stg_justcall__calls.call_status IS 'Archived or Unarchived, as served (not the seed''s status: that is call_type).';
COMMENT ON COLUMN stg_justcall__calls.disposition IS 'Disposition code the agent set.';
COMMENT ON COLUMN stg_justcall__calls.notes IS 'The agent''s notes.';
COMMENT ON COLUMN stg_justcall__calls.rating IS 'Call rating (1-5).';
COMMENT ON COLUMN stg_justcall__calls.recording_url IS 'URL of the recording.';
COMMENT ON COLUMN stg_justcall__calls.voicemail_transcription IS 'Transcription of the voicemail left.';
COMMENT ON COLUMN stg_justcall__calls.ring_seconds IS 'Ring time, whole seconds.';
COMMENT ON COLUMN stg_justcall__calls.queue_wait_seconds IS 'Queue wait, whole seconds.';
COMMENT ON COLUMN stg_justcall__calls.conversation_seconds IS 'Conversation time, whole seconds.';
COMMENT ON COLUMN stg_justcall__calls.hold_seconds IS 'Hold time, whole seconds.';
COMMENT ON COLUMN stg_justcall__calls.total_duration_seconds IS 'Talk time: conversation + hold (call_duration.total_duration), whole seconds.';
COMMENT ON COLUMN stg_justcall__calls.wrap_up_seconds IS 'Wrap-up time, whole seconds.';
COMMENT ON COLUMN stg_justcall__calls.handle_seconds IS 'Handle time: talk + wrap-up, whole seconds.';
COMMENT ON COLUMN stg_justcall__calls.answer_wait_seconds IS 'ring_seconds + queue_wait_seconds: the wait before an answer (ASA, service level).';
COMMENT ON COLUMN stg_justcall__calls.cost_incurred IS 'Cost JustCall charged for the call.';
COMMENT ON COLUMN stg_justcall__calls.tags IS 'Tags on the call.';
