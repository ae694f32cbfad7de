-- Inbound finished calls split into answered and missed; voicemail and abandoned are missed calls;
-- answered-within-service-level is a subset of answered.
SELECT agent_id, local_date
FROM fct_agent_daily
WHERE inbound_answered_calls + inbound_missed_calls <> inbound_finished_calls
   OR inbound_finished_calls > inbound_calls
   OR inbound_voicemail_calls + inbound_abandoned_calls > inbound_missed_calls
   OR inbound_answered_in_sl > inbound_answered_calls
   OR inbound_answered_calls > completed_calls;
