-- The weekday x hour heatmap over all time counts every call exactly once, in valid cells.
WITH heat AS (FROM rpt_call_heatmap(DATE '1900-01-01', DATE '2999-12-31'))
SELECT 'cell out of range' AS problem, local_weekday, local_hour FROM heat
WHERE local_weekday NOT BETWEEN 1 AND 7 OR local_hour NOT BETWEEN 0 AND 23
UNION ALL
SELECT 'calls lost or doubled', NULL, NULL
WHERE (SELECT coalesce(sum(total_calls), 0) FROM heat) <> (SELECT count(*) FROM raw_justcall__calls);
