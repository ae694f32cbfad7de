-- Comments on every table of the migrations (sql/schema/) and on each of their columns, so
-- duckdb_tables(), duckdb_columns() and clients such as DBeaver say what each one holds.
--
-- Migrations run once per file, so the comments live here instead: callduck re-applies this file
-- after the views on every write open (and when a report opens a file written by another
-- version), so files created before the comments get them too. A migration that adds a table or
-- a column adds its comment here; the store's unit test
-- `every_table_view_macro_and_column_has_a_comment` fails until it does. Views and macros carry
-- their comments next to their CREATE (sql/staging/, sql/marts/, sql/reports/).

-- Raw layer (001_raw_justcall.sql).
COMMENT ON TABLE raw_justcall__users IS 'Raw JustCall users (agents): one row per user id, typed columns plus the record as served (raw_json). Loaded by callduck sync; read it through stg_justcall__users.';
COMMENT ON COLUMN raw_justcall__users.user_id IS 'JustCall user (agent) id; primary key.';
COMMENT ON COLUMN raw_justcall__users.user_name IS 'The user''s name as served.';
COMMENT ON COLUMN raw_justcall__users.email IS 'The user''s email as served (compare callduck_email_key(email): trimmed, lower case).';
COMMENT ON COLUMN raw_justcall__users.user_role IS 'The user''s JustCall role as served.';
COMMENT ON COLUMN raw_justcall__users.extension IS 'The user''s extension as served.';
COMMENT ON COLUMN raw_justcall__users.timezone IS 'The user''s time zone as served (an IANA name such as America/New_York, possibly padded, empty or unknown; see stg_justcall__users.effective_timezone).';
COMMENT ON COLUMN raw_justcall__users.record_hash IS 'Stable hash of raw_json: a re-scan that sees the same payload writes nothing.';
COMMENT ON COLUMN raw_justcall__users.raw_json IS 'The record exactly as the JustCall API served it.';
COMMENT ON COLUMN raw_justcall__users.first_synced_at IS 'UTC instant callduck first stored the record.';
COMMENT ON COLUMN raw_justcall__users.updated_at IS 'UTC instant callduck last stored a changed payload.';

COMMENT ON TABLE raw_justcall__calls IS 'Raw JustCall calls: one row per call id, typed columns plus the record as served (raw_json). Loaded by callduck sync and serve; read it through stg_justcall__calls.';
COMMENT ON COLUMN raw_justcall__calls.call_id IS 'JustCall call id; primary key.';
COMMENT ON COLUMN raw_justcall__calls.call_sid IS 'JustCall''s call SID.';
COMMENT ON COLUMN raw_justcall__calls.started_at IS 'UTC instant the call started (call_date + call_time): the canonical instant.';
COMMENT ON COLUMN raw_justcall__calls.user_started_at IS 'call_user_date + call_user_time as served: the start in the agent''s zone, editable in JustCall (not used by the views).';
COMMENT ON COLUMN raw_justcall__calls.agent_id IS 'JustCall user id of the agent (NULL when the call has none).';
COMMENT ON COLUMN raw_justcall__calls.agent_name IS 'The agent''s name as served.';
COMMENT ON COLUMN raw_justcall__calls.agent_email IS 'The agent''s email as served; identifies the agent of a call without agent_id.';
COMMENT ON COLUMN raw_justcall__calls.is_agent_active IS 'Whether JustCall reports the agent as active.';
COMMENT ON COLUMN raw_justcall__calls.contact_number IS 'The other party''s phone number as served.';
COMMENT ON COLUMN raw_justcall__calls.contact_name IS 'The other party''s name as served (from JustCall contacts).';
COMMENT ON COLUMN raw_justcall__calls.contact_email IS 'The other party''s email as served.';
COMMENT ON COLUMN raw_justcall__calls.justcall_number IS 'The team''s JustCall number used.';
COMMENT ON COLUMN raw_justcall__calls.justcall_line_name IS 'Name of that JustCall line.';
COMMENT ON COLUMN raw_justcall__calls.direction IS 'Incoming or Outgoing (Inbound, Outbound and padding normalised).';
COMMENT ON COLUMN raw_justcall__calls.call_type IS 'call_info.type exactly as served (Answered, Missed, Unanswered, Voicemail, ...): the seed''s call status.';
COMMENT ON COLUMN raw_justcall__calls.missed_call_reason IS 'JustCall''s reason for a missed call.';
COMMENT ON COLUMN raw_justcall__calls.call_status IS 'Archived or Unarchived, as served.';
COMMENT ON COLUMN raw_justcall__calls.disposition IS 'Disposition code the agent set, as served.';
COMMENT ON COLUMN raw_justcall__calls.notes IS 'The agent''s notes.';
COMMENT ON COLUMN raw_justcall__calls.rating IS 'Call rating (1-5) as served.';
COMMENT ON COLUMN raw_justcall__calls.recording_url IS 'URL of the recording.';
COMMENT ON COLUMN raw_justcall__calls.voicemail_transcription IS 'Transcription of the voicemail left.';
COMMENT ON COLUMN raw_justcall__calls.ring_seconds IS 'call_duration.ring_time in whole seconds (lenient: fractions rounded half away from zero, negative or missing = 0).';
COMMENT ON COLUMN raw_justcall__calls.queue_wait_seconds IS 'Queue wait in whole seconds (lenient, as ring_seconds).';
COMMENT ON COLUMN raw_justcall__calls.conversation_seconds IS 'call_duration.conversation_time in whole seconds (lenient).';
COMMENT ON COLUMN raw_justcall__calls.hold_seconds IS 'call_duration.hold_time in whole seconds (lenient).';
COMMENT ON COLUMN raw_justcall__calls.total_duration_seconds IS 'call_duration.total_duration in whole seconds (lenient): conversation + hold; the talk time of every metric.';
COMMENT ON COLUMN raw_justcall__calls.wrap_up_seconds IS 'Wrap-up time after the call in whole seconds (lenient).';
COMMENT ON COLUMN raw_justcall__calls.handle_seconds IS 'call_duration.handle_time in whole seconds (lenient): total duration + wrap-up.';
COMMENT ON COLUMN raw_justcall__calls.cost_incurred IS 'Cost JustCall charged for the call.';
COMMENT ON COLUMN raw_justcall__calls.tags IS 'Tags on the call.';
COMMENT ON COLUMN raw_justcall__calls.record_hash IS 'Stable hash of raw_json: a re-scan that sees the same payload writes nothing.';
COMMENT ON COLUMN raw_justcall__calls.raw_json IS 'The record exactly as the JustCall API served it.';
COMMENT ON COLUMN raw_justcall__calls.first_synced_at IS 'UTC instant callduck first stored the record.';
COMMENT ON COLUMN raw_justcall__calls.updated_at IS 'UTC instant callduck last stored a changed payload.';

COMMENT ON TABLE raw_justcall__texts IS 'Raw JustCall SMS/MMS: one row per message id, typed columns plus the record as served (raw_json). Loaded by callduck sync and serve; read it through stg_justcall__texts.';
COMMENT ON COLUMN raw_justcall__texts.sms_id IS 'JustCall message id; primary key.';
COMMENT ON COLUMN raw_justcall__texts.sent_at IS 'UTC instant of the message (sms_date + sms_time): the canonical instant.';
COMMENT ON COLUMN raw_justcall__texts.user_sent_at IS 'sms_user_date + sms_user_time as served (the agent''s zone; not used by the views).';
COMMENT ON COLUMN raw_justcall__texts.agent_id IS 'JustCall user id of the agent (NULL when the message has none).';
COMMENT ON COLUMN raw_justcall__texts.agent_name IS 'The agent''s name as served.';
COMMENT ON COLUMN raw_justcall__texts.agent_email IS 'The agent''s email as served; identifies the agent of a message without agent_id.';
COMMENT ON COLUMN raw_justcall__texts.contact_number IS 'The other party''s phone number as served.';
COMMENT ON COLUMN raw_justcall__texts.contact_name IS 'The other party''s name as served.';
COMMENT ON COLUMN raw_justcall__texts.contact_email IS 'The other party''s email as served.';
COMMENT ON COLUMN raw_justcall__texts.justcall_number IS 'The team''s JustCall number used.';
COMMENT ON COLUMN raw_justcall__texts.justcall_line_name IS 'Name of that JustCall line.';
COMMENT ON COLUMN raw_justcall__texts.direction IS 'Incoming or Outgoing (Inbound, Outbound and padding normalised).';
COMMENT ON COLUMN raw_justcall__texts.body IS 'The message text.';
COMMENT ON COLUMN raw_justcall__texts.is_mms IS 'Whether the message is an MMS.';
COMMENT ON COLUMN raw_justcall__texts.delivery_status IS 'Delivery status as served (delivered, failed, undelivered, ...).';
COMMENT ON COLUMN raw_justcall__texts.is_deleted IS 'Whether the message was deleted in JustCall (deleted messages count nowhere).';
COMMENT ON COLUMN raw_justcall__texts.medium IS 'How it was sent, as served: One-To-One via App, Bulk SMS, Workflow Automation, ...';
COMMENT ON COLUMN raw_justcall__texts.cost_incurred IS 'Cost JustCall charged for the message.';
COMMENT ON COLUMN raw_justcall__texts.record_hash IS 'Stable hash of raw_json: a re-scan that sees the same payload writes nothing.';
COMMENT ON COLUMN raw_justcall__texts.raw_json IS 'The record exactly as the JustCall API served it.';
COMMENT ON COLUMN raw_justcall__texts.first_synced_at IS 'UTC instant callduck first stored the record.';
COMMENT ON COLUMN raw_justcall__texts.updated_at IS 'UTC instant callduck last stored a changed payload.';

-- Bookkeeping (001, 003, 005).
COMMENT ON TABLE callduck_schema_migrations IS 'Schema migrations (sql/schema/) applied to this file: one row per version. A newer callduck upgrades the file in place; an older one refuses a newer schema.';
COMMENT ON COLUMN callduck_schema_migrations.version IS 'Migration number (the NNN of sql/schema/NNN_name.sql); primary key.';
COMMENT ON COLUMN callduck_schema_migrations.migration_name IS 'The migration''s file name.';
COMMENT ON COLUMN callduck_schema_migrations.applied_at IS 'UTC instant the migration was applied.';

COMMENT ON TABLE callduck_quarantine IS 'Records that failed to parse, kept with their raw JSON and the reason, never dropped: one row per distinct payload.';
COMMENT ON COLUMN callduck_quarantine.stream IS 'users, calls or texts.';
COMMENT ON COLUMN callduck_quarantine.record_id IS 'The record''s id when one could be read.';
COMMENT ON COLUMN callduck_quarantine.reason IS 'Why the record could not be parsed.';
COMMENT ON COLUMN callduck_quarantine.record_hash IS 'Stable hash of the payload (one row per distinct payload).';
COMMENT ON COLUMN callduck_quarantine.raw_json IS 'The record as served.';
COMMENT ON COLUMN callduck_quarantine.first_seen_at IS 'UTC instant callduck first saw this payload.';
COMMENT ON COLUMN callduck_quarantine.resolved_at IS 'UTC instant a valid version of the record arrived (NULL while unresolved).';

COMMENT ON TABLE callduck_sync_state IS 'Per-stream sync state: one row per stream, updated in the same transaction as the rows it covers.';
COMMENT ON COLUMN callduck_sync_state.stream IS 'users, calls or texts; primary key.';
COMMENT ON COLUMN callduck_sync_state.watermark IS 'UTC instant before which every record of the stream is stored (callduck watermark moves it back).';
COMMENT ON COLUMN callduck_sync_state.updated_at IS 'UTC instant the watermark last changed.';

COMMENT ON TABLE callduck_sync_runs IS 'One row per callduck sync run (and scheduled sync of serve), for callduck status and auditing.';
COMMENT ON COLUMN callduck_sync_runs.run_id IS 'Run number, increasing; primary key.';
COMMENT ON COLUMN callduck_sync_runs.started_at IS 'UTC instant the run started.';
COMMENT ON COLUMN callduck_sync_runs.finished_at IS 'UTC instant the run ended (NULL while running or if it was killed).';
COMMENT ON COLUMN callduck_sync_runs.run_status IS 'running, ok, failed or interrupted.';
COMMENT ON COLUMN callduck_sync_runs.records_new IS 'Records stored for the first time.';
COMMENT ON COLUMN callduck_sync_runs.records_updated IS 'Stored records whose payload changed.';
COMMENT ON COLUMN callduck_sync_runs.records_quarantined IS 'Records put in callduck_quarantine.';
COMMENT ON COLUMN callduck_sync_runs.requests IS 'HTTP requests made to JustCall.';
COMMENT ON COLUMN callduck_sync_runs.responses_429 IS 'Of those, answered 429 Too Many Requests (then retried).';
COMMENT ON COLUMN callduck_sync_runs.error_message IS 'Why a failed run failed.';
COMMENT ON COLUMN callduck_sync_runs.rate_limit_per_hour IS 'Hourly request limit JustCall''s X-Rate-Limit-Limit header reported during the run (NULL: no header seen); callduck status shows the share of it the runs used.';
COMMENT ON COLUMN callduck_sync_runs.full_rescan_streams IS 'Streams whose trailing window the run re-scanned in full, comma-separated (empty: an overlap-only run).';

COMMENT ON TABLE callduck_full_rescans IS 'When each stream''s trailing window was last re-scanned in full (--full-rescan-every): runs in between re-scan only a short overlap. Stored only by runs that finished without error.';
COMMENT ON COLUMN callduck_full_rescans.stream IS 'calls or texts; primary key.';
COMMENT ON COLUMN callduck_full_rescans.rescanned_until IS 'UTC end of the run that re-scanned the trailing window before it.';
COMMENT ON COLUMN callduck_full_rescans.run_id IS 'The callduck_sync_runs row that did the re-scan.';
COMMENT ON COLUMN callduck_full_rescans.updated_at IS 'UTC instant the row was stored.';

COMMENT ON TABLE callduck_tz_offsets IS 'UTC offsets of every time zone the views need, written by the engine from the IANA database so the views need no ICU extension: local time = UTC + utc_offset_seconds of the row whose [valid_from, valid_until) holds the instant.';
COMMENT ON COLUMN callduck_tz_offsets.timezone IS 'IANA zone name.';
COMMENT ON COLUMN callduck_tz_offsets.valid_from IS 'UTC instant the offset starts applying.';
COMMENT ON COLUMN callduck_tz_offsets.valid_until IS 'UTC instant it stops applying (exclusive).';
COMMENT ON COLUMN callduck_tz_offsets.utc_offset_seconds IS 'Offset from UTC in seconds (negative west of Greenwich).';

COMMENT ON TABLE callduck_tz_days IS 'The offsets of callduck_tz_offsets by UTC day, for a cheap equi-join from every record: one row per zone and UTC day (1970-2069).';
COMMENT ON COLUMN callduck_tz_days.timezone IS 'IANA zone name; primary key with utc_date.';
COMMENT ON COLUMN callduck_tz_days.utc_date IS 'The UTC calendar day.';
COMMENT ON COLUMN callduck_tz_days.utc_offset_seconds IS 'Offset in seconds at 00:00 UTC of utc_date.';
COMMENT ON COLUMN callduck_tz_days.changes_at IS 'UTC instant the clocks change within the day, if they do.';
COMMENT ON COLUMN callduck_tz_days.offset_after_change IS 'Offset in seconds from changes_at on.';

COMMENT ON TABLE callduck_settings IS 'Engine settings the views read (callduck settings set KEY VALUE): business_timezone, service_level_seconds, match_* thresholds, views_digest.';
COMMENT ON COLUMN callduck_settings.setting_key IS 'Setting name; primary key.';
COMMENT ON COLUMN callduck_settings.setting_value IS 'Its value, as text.';

COMMENT ON TABLE callduck_webhook_events IS 'Webhook events accepted by callduck serve, persisted before the 200 answer: one row per JustCall request_id. Keeps what processing needs and a hash of the body, never the body; processed events are pruned after the retention period.';
COMMENT ON COLUMN callduck_webhook_events.request_id IS 'JustCall''s request id; primary key (duplicate deliveries are ignored).';
COMMENT ON COLUMN callduck_webhook_events.event_type IS 'call.completed, sms.received, ...';
COMMENT ON COLUMN callduck_webhook_events.record_stream IS 'calls or texts: the stream of the record to re-fetch (NULL: not a record event).';
COMMENT ON COLUMN callduck_webhook_events.record_id IS 'Id of the record to re-fetch from the API.';
COMMENT ON COLUMN callduck_webhook_events.body_hash IS 'FNV-1a hash of the body as received (NULL: received before schema version 5).';
COMMENT ON COLUMN callduck_webhook_events.body_bytes IS 'Size of the body as received, in bytes.';
COMMENT ON COLUMN callduck_webhook_events.received_at IS 'UTC instant the event was received.';
COMMENT ON COLUMN callduck_webhook_events.event_status IS 'pending, processed, ignored or failed.';
COMMENT ON COLUMN callduck_webhook_events.attempts IS 'Re-fetches of the event''s record that failed.';
COMMENT ON COLUMN callduck_webhook_events.next_attempt_at IS 'UTC instant before which a pending event is not tried again.';
COMMENT ON COLUMN callduck_webhook_events.processed_at IS 'UTC instant it became processed, ignored or failed.';
COMMENT ON COLUMN callduck_webhook_events.error_message IS 'Why the last attempt failed (callduck events retry makes failed events pending again).';

-- Firestore export (002, 007).
COMMENT ON TABLE firestore_users IS 'The goals dashboard''s users as last read from Firestore (or --users-file), replaced on every export: JustCall agents map to them by email_key.';
COMMENT ON COLUMN firestore_users.user_id IS 'Firebase Auth uid (= the users document id); primary key.';
COMMENT ON COLUMN firestore_users.email IS 'The user''s email as stored in Firestore.';
COMMENT ON COLUMN firestore_users.email_key IS 'callduck_email_key(email): trimmed, lower case; matched against the agents'' email_key.';
COMMENT ON COLUMN firestore_users.user_name IS 'The user''s name.';
COMMENT ON COLUMN firestore_users.loaded_at IS 'UTC instant the users were read.';

COMMENT ON TABLE firestore_export_ledger IS 'One row per metrics document callduck wrote, per Firestore target, with a hash of its content: an export writes only documents whose content changed, and an interrupted export is finished by the next run without duplicates.';
COMMENT ON COLUMN firestore_export_ledger.export_target IS '''projects/P/databases/D'' (with '' (emulator)'' for the emulator) the document was written to; primary key with document_id.';
COMMENT ON COLUMN firestore_export_ledger.document_id IS '{userId}_{type}_{YYYY-MM-DD}_justcall.';
COMMENT ON COLUMN firestore_export_ledger.user_id IS 'Dashboard user (Firebase uid).';
COMMENT ON COLUMN firestore_export_ledger.metric_type IS 'phone_call_quantity, talk_time_minutes or sms_quantity.';
COMMENT ON COLUMN firestore_export_ledger.metric_date IS 'The agent''s local day the document is for.';
COMMENT ON COLUMN firestore_export_ledger.metric_value IS 'The value written.';
COMMENT ON COLUMN firestore_export_ledger.content_hash IS 'Hash of the document without its write times.';
COMMENT ON COLUMN firestore_export_ledger.exported_at IS 'UTC instant Firestore confirmed the write.';

-- CRM (004).
COMMENT ON TABLE crm_imports IS 'One row per CRM import kind: the last callduck import customers of that kind (each import replaces its kind''s previous one).';
COMMENT ON COLUMN crm_imports.import_kind IS 'copper-people, copper-companies, fishbowl-customers, fishbowl-orders or generic.';
COMMENT ON COLUMN crm_imports.import_source IS 'File path, or firestore:<collection>.';
COMMENT ON COLUMN crm_imports.imported_at IS 'UTC instant of the import.';
COMMENT ON COLUMN crm_imports.rows_read IS 'Records read from the source.';
COMMENT ON COLUMN crm_imports.rows_loaded IS 'Records loaded.';
COMMENT ON COLUMN crm_imports.rows_rejected IS 'Records rejected (see crm_import_rejects).';

COMMENT ON TABLE crm_customers IS 'Imported CRM customers: one row per customer (a Copper person or company, a Fishbowl customer, a generic row). Read it through stg_crm__customers.';
COMMENT ON COLUMN crm_customers.customer_id IS '''<kind>:<id in the CRM>'': ids are namespaced by import kind so they never collide.';
COMMENT ON COLUMN crm_customers.import_kind IS 'The import kind the customer came from.';
COMMENT ON COLUMN crm_customers.source_id IS 'The customer''s id in the CRM.';
COMMENT ON COLUMN crm_customers.customer_name IS 'Name as exported (the person for Copper people, the business otherwise).';
COMMENT ON COLUMN crm_customers.company_name IS 'Company name as exported.';
COMMENT ON COLUMN crm_customers.contact_person IS 'An account''s contact person (Fishbowl customerContact).';
COMMENT ON COLUMN crm_customers.account_id IS 'The account the customer belongs to: Fishbowl accountId, a generic list''s account column, else company:<normalised company name>, else the customer itself.';
COMMENT ON COLUMN crm_customers.account_name IS 'The account''s name.';
COMMENT ON COLUMN crm_customers.source_line IS 'Line of the record (CSV/NDJSON), first line (JSON) or position (Firestore).';
COMMENT ON COLUMN crm_customers.raw_json IS 'The record as exported.';

COMMENT ON TABLE crm_customer_phones IS 'One row per phone number of an imported customer.';
COMMENT ON COLUMN crm_customer_phones.customer_id IS 'crm_customers.customer_id.';
COMMENT ON COLUMN crm_customer_phones.import_kind IS 'The import kind the number came from.';
COMMENT ON COLUMN crm_customer_phones.phone_raw IS 'The number as exported.';
COMMENT ON COLUMN crm_customer_phones.phone_e164 IS 'The number in E.164 (libphonenumber, default region phone_region); NULL when not a valid number.';

COMMENT ON TABLE crm_customer_emails IS 'One row per email of an imported customer.';
COMMENT ON COLUMN crm_customer_emails.customer_id IS 'crm_customers.customer_id.';
COMMENT ON COLUMN crm_customer_emails.import_kind IS 'The import kind the email came from.';
COMMENT ON COLUMN crm_customer_emails.email IS 'Trimmed, lower case.';

COMMENT ON TABLE crm_orders IS 'Imported sales orders (Fishbowl): one row per order. Read them through stg_crm__orders, which attributes them to customers and accounts.';
COMMENT ON COLUMN crm_orders.order_id IS '''<kind>:<id>''.';
COMMENT ON COLUMN crm_orders.import_kind IS 'The import kind the order came from.';
COMMENT ON COLUMN crm_orders.source_id IS 'The order''s id in the CRM.';
COMMENT ON COLUMN crm_orders.source_customer_id IS 'The CRM''s customer id on the order (Fishbowl customerId).';
COMMENT ON COLUMN crm_orders.ordered_on IS 'Order date.';
COMMENT ON COLUMN crm_orders.amount IS 'Order amount.';
COMMENT ON COLUMN crm_orders.emails IS 'The order''s emails, normalised, comma-separated.';
COMMENT ON COLUMN crm_orders.source_line IS 'Line of the record in the export.';
COMMENT ON COLUMN crm_orders.raw_json IS 'The record as exported.';

COMMENT ON TABLE crm_import_rejects IS 'Records of the last import of each kind that could not be used: one row per record, with its line and the reason.';
COMMENT ON COLUMN crm_import_rejects.import_kind IS 'The import kind.';
COMMENT ON COLUMN crm_import_rejects.source_line IS 'Line (or position) of the record in the source.';
COMMENT ON COLUMN crm_import_rejects.reason IS 'Why it was rejected.';
COMMENT ON COLUMN crm_import_rejects.raw_record IS 'The record''s text as read.';
COMMENT ON COLUMN crm_import_rejects.rejected_at IS 'UTC instant of the import.';

COMMENT ON TABLE crm_contact_links IS 'JustCall contact -> CRM customer, as the matcher left it (refreshed after every import and sync): one row per matched contact, with method, score, runner-up and ambiguity. Read it through stg_crm__contact_links.';
COMMENT ON COLUMN crm_contact_links.contact_id IS 'stg_justcall__contacts.contact_id (callduck_contact_id of number, name and email as served).';
COMMENT ON COLUMN crm_contact_links.customer_id IS 'The best candidate customer.';
COMMENT ON COLUMN crm_contact_links.match_method IS 'email, email+phone, email+name, phone, phone+name or name.';
COMMENT ON COLUMN crm_contact_links.match_score IS '1 for an exact email or phone; else the Jaro-Winkler score of the names.';
COMMENT ON COLUMN crm_contact_links.runner_up_customer_id IS 'The second-best candidate, if any.';
COMMENT ON COLUMN crm_contact_links.runner_up_score IS 'Its score.';
COMMENT ON COLUMN crm_contact_links.is_ambiguous IS 'A tie or near-tie (within match_ambiguity_margin): the link is never used by the views.';
COMMENT ON COLUMN crm_contact_links.contact_name_part IS 'Normalised part of the contact''s name whose jaro_winkler_similarity with customer_name_part is match_score.';
COMMENT ON COLUMN crm_contact_links.customer_name_part IS 'Normalised part of the customer''s name (see contact_name_part).';
COMMENT ON COLUMN crm_contact_links.linked_at IS 'UTC instant this link last changed.';
