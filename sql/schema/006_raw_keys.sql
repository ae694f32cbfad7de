-- Primary keys on the raw tables (their duplicates were removed by 005): a second row for an id
-- is now refused by DuckDB itself, whatever writes it.
ALTER TABLE raw_justcall__users ADD PRIMARY KEY (user_id);
ALTER TABLE raw_justcall__calls ADD PRIMARY KEY (call_id);
ALTER TABLE raw_justcall__texts ADD PRIMARY KEY (sms_id);
