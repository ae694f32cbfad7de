-- rpt_call_dispositions(from_date, to_date, agent := NULL): calls per disposition with ratings.
--
-- Grain: disposition ('(none)' when the agent set none). share = calls / all calls in the range;
-- average_rating over rated calls only (rating 1-5 as JustCall serves it).
CREATE OR REPLACE MACRO rpt_call_dispositions(from_date, to_date, agent := NULL) AS TABLE
SELECT
    coalesce(nullif(callduck_trim(disposition), ''), '(none)')              AS disposition,
    count(*)                                                                AS total_calls,
    count(*) / sum(count(*)) OVER ()                                        AS share,
    count(rating)                                                           AS rated_calls,
    avg(rating)                                                             AS average_rating
FROM stg_justcall__calls
WHERE local_date BETWEEN from_date AND to_date
  AND (agent IS NULL OR agent_email_key = callduck_email_key(agent))
GROUP BY ALL
ORDER BY total_calls DESC, disposition;

COMMENT ON MACRO TABLE rpt_call_dispositions IS 'rpt_call_dispositions(from_date, to_date, agent := NULL): calls per disposition over a range of local days (grain: disposition, ''(none)'' when unset), with the share of all calls and the average rating of rated calls.';
