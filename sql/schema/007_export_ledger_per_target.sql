-- The export ledger per target: which Firestore (project and database, or emulator) a document
-- was written to. Without it, an export to the emulator followed by one to production from the
-- same file wrote nothing to production: every document counted as unchanged. Rows written
-- before version 7 keep an unknown target, so the first export after the upgrade writes its
-- range once more (the same content: harmless).
CREATE TABLE firestore_export_ledger_v7 (
    export_target         VARCHAR   NOT NULL, -- 'projects/P/databases/D', with ' (emulator)' for an emulator
    document_id           VARCHAR   NOT NULL, -- {userId}_{type}_{YYYY-MM-DD}_justcall
    user_id               VARCHAR   NOT NULL,
    metric_type           VARCHAR   NOT NULL,
    metric_date           DATE      NOT NULL, -- the agent's local day
    metric_value          DOUBLE    NOT NULL,
    content_hash          UBIGINT   NOT NULL, -- of the document without its write times
    exported_at           TIMESTAMP NOT NULL, -- UTC
    PRIMARY KEY (export_target, document_id)
);
INSERT INTO firestore_export_ledger_v7
SELECT 'unknown (written before version 7)', document_id, user_id, metric_type, metric_date, metric_value,
       content_hash, exported_at
FROM firestore_export_ledger;
DROP TABLE firestore_export_ledger;
ALTER TABLE firestore_export_ledger_v7 RENAME TO firestore_export_ledger;
