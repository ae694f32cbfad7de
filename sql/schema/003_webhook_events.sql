-- Webhook events accepted by `callduck serve`, persisted before the 200 answer.
--
-- One row per JustCall `request_id` (duplicate deliveries are ignored). The body is not signed
-- and is kept only for auditing: processing re-fetches the record from the API and upserts it, so
-- out-of-order and repeated deliveries end in the same state as one in-order delivery. Events
-- still `pending` after a crash or shutdown are processed when the server starts again.
CREATE TABLE callduck_webhook_events (
    request_id            VARCHAR   NOT NULL PRIMARY KEY,
    event_type            VARCHAR   NOT NULL, -- call.completed, sms.received, ...
    record_stream         VARCHAR,            -- calls | texts (NULL: not a record event)
    record_id             BIGINT,
    payload               VARCHAR   NOT NULL, -- the body as received
    received_at           TIMESTAMP NOT NULL, -- UTC
    event_status          VARCHAR   NOT NULL, -- pending | processed | ignored | failed
    processed_at          TIMESTAMP,
    error_message         VARCHAR
);
