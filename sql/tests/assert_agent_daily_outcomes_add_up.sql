-- completed + missed + in progress = all calls, per agent and day.
SELECT agent_id, local_date
FROM fct_agent_daily
WHERE completed_calls + missed_calls + in_progress_calls <> phone_call_quantity
   OR inbound_calls + outbound_calls <> phone_call_quantity;
