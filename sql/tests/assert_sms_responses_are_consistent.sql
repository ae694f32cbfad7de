-- Customer turns: one per starting message, replies come after the turn starts, and a turn's
-- reply is an outbound message of the same agent (agent_id, else agent email) to the same
-- contact that is not bulk or automated.
SELECT 'duplicate turn' AS problem, turn_sms_id FROM fct_sms_responses
GROUP BY turn_sms_id HAVING count(*) > 1
UNION ALL
SELECT 'reply before turn', turn_sms_id FROM fct_sms_responses
WHERE replied_at < turn_started_at OR first_response_seconds < 0
UNION ALL
SELECT 'reply is not a human outbound message', r.turn_sms_id FROM fct_sms_responses AS r
WHERE r.is_responded AND NOT EXISTS (
    SELECT 1 FROM stg_justcall__texts AS t
    WHERE t.agent_id IS NOT DISTINCT FROM r.agent_id
      AND (r.agent_id IS NOT NULL OR t.agent_email_key IS NOT DISTINCT FROM r.agent_email_key)
      AND t.contact_key = r.contact_key AND t.sent_at = r.replied_at
      AND t.is_outbound AND NOT t.is_bulk_or_automated AND NOT t.is_deleted);
