-- Real keys for the raw tables, and webhook events that cost a bounded amount of space.
--
-- Until version 5 the raw tables had no primary key: uniqueness rested on the engine upserting
-- by id through one connection. In `callduck serve` a scheduled sync and the webhook processor
-- wrote through two, and two overlapping transactions that both saw a call as absent could both
-- insert it. Now every write of a process goes through one writer *and* the tables refuse a second
-- row per id. A file written before version 5 may hold such duplicates: keep the most recently
-- stored version of each record (then the newest row) and drop the others; 006 adds the keys (DuckDB
-- builds an index from the committed rows, so the two steps are two migrations).

DELETE FROM raw_justcall__users WHERE rowid IN (
    SELECT rowid FROM (
        SELECT rowid, row_number() OVER (PARTITION BY user_id ORDER BY updated_at DESC, rowid DESC) AS n
        FROM raw_justcall__users)
    WHERE n > 1);
DELETE FROM raw_justcall__calls WHERE rowid IN (
    SELECT rowid FROM (
        SELECT rowid, row_number() OVER (PARTITION BY call_id ORDER BY updated_at DESC, rowid DESC) AS n
        FROM raw_justcall__calls)
    WHERE n > 1);
DELETE FROM raw_justcall__texts WHERE rowid IN (
    SELECT rowid FROM (
        SELECT rowid, row_number() OVER (PARTITION BY sms_id ORDER BY updated_at DESC, rowid DESC) AS n
        FROM raw_justcall__texts)
    WHERE n > 1);

-- Webhook events: JustCall's signature covers the URL, the event type and the timestamp, not the
-- body, so one observed signature admits any body for the length of the timestamp window. The
-- receiver therefore keeps only what processing needs (which record to re-fetch) and a hash of
-- the body for auditing, never the body itself; processed events are pruned after the retention
-- period (`serve --event-retention`). An event whose re-fetch keeps failing is retried with
-- backoff (`attempts`, `next_attempt_at`) and after `serve --event-max-attempts` marked `failed`
-- with the reason; `callduck events retry` makes failed events pending again.
CREATE TABLE callduck_webhook_events_v5 (
    request_id            VARCHAR   NOT NULL PRIMARY KEY,
    event_type            VARCHAR   NOT NULL, -- call.completed, sms.received, ...
    record_stream         VARCHAR,            -- calls | texts (NULL: not a record event)
    record_id             BIGINT,
    body_hash             UBIGINT,            -- FNV-1a of the body as received (NULL: received before version 5)
    body_bytes            INTEGER   NOT NULL,
    received_at           TIMESTAMP NOT NULL, -- UTC
    event_status          VARCHAR   NOT NULL, -- pending | processed | ignored | failed
    attempts              INTEGER   NOT NULL, -- re-fetches that failed for this event's record
    next_attempt_at       TIMESTAMP,          -- UTC; a pending event is not tried before it
    processed_at          TIMESTAMP,          -- UTC, when it became processed, ignored or failed
    error_message         VARCHAR             -- why the last attempt failed
);
INSERT INTO callduck_webhook_events_v5
SELECT request_id, event_type, record_stream, record_id, NULL, octet_length(encode(payload)), received_at,
       event_status, 0, NULL, processed_at, error_message
FROM callduck_webhook_events;
DROP TABLE callduck_webhook_events;
ALTER TABLE callduck_webhook_events_v5 RENAME TO callduck_webhook_events;
