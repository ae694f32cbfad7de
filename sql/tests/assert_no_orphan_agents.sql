-- Every call and SMS with an agent id belongs to a stored user.
SELECT 'call' AS kind, call_id AS record_id, agent_id FROM raw_justcall__calls c
WHERE agent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM raw_justcall__users u WHERE u.user_id = c.agent_id)
UNION ALL
SELECT 'sms', sms_id, agent_id FROM raw_justcall__texts t
WHERE agent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM raw_justcall__users u WHERE u.user_id = t.agent_id);
