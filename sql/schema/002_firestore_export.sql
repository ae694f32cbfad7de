-- Firestore export: the dashboard's users as last read, and a ledger of written documents.
--
-- `firestore_users` is replaced on every export from the `users` collection (or --users-file):
-- JustCall agents map to dashboard users by `email_key` (trimmed, lower-cased email).
-- `firestore_export_ledger` holds one row per `metrics` document callduck has written, with a hash
-- of its content: an export writes only documents whose content changed, and records each batch's
-- successes as soon as Firestore confirms them, so an interrupted export is finished by the next
-- run without duplicates.

CREATE TABLE firestore_users (
    user_id               VARCHAR   NOT NULL PRIMARY KEY, -- Firebase Auth uid (= document id)
    email                 VARCHAR,
    email_key             VARCHAR,            -- callduck_email_key(email): ASCII-trimmed, lower case
    user_name             VARCHAR,
    loaded_at             TIMESTAMP NOT NULL  -- UTC
);

CREATE TABLE firestore_export_ledger (
    document_id           VARCHAR   NOT NULL PRIMARY KEY, -- {userId}_{type}_{YYYY-MM-DD}_justcall
    user_id               VARCHAR   NOT NULL,
    metric_type           VARCHAR   NOT NULL,
    metric_date           DATE      NOT NULL, -- the agent's local day
    metric_value          DOUBLE    NOT NULL,
    content_hash          UBIGINT   NOT NULL, -- of the document without its write times
    exported_at           TIMESTAMP NOT NULL  -- UTC
);
