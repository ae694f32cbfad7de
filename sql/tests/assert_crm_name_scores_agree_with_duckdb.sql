-- The matcher's name scores (strsim in Rust) are exactly DuckDB's jaro_winkler_similarity of the
-- name parts it recorded; and a link's runner-up never scores above it.
SELECT contact_id, match_score, jaro_winkler_similarity(contact_name_part, customer_name_part) AS duckdb_score
FROM crm_contact_links
WHERE contact_name_part IS NOT NULL
  AND match_score <> jaro_winkler_similarity(contact_name_part, customer_name_part)
UNION ALL
SELECT contact_id, match_score, runner_up_score
FROM crm_contact_links
WHERE match_method LIKE '%name' AND runner_up_score > match_score;
