-- CRM customers and their links to JustCall contacts.
--
-- `callduck import customers FILE --kind K` loads a Copper or Fishbowl export (or a generic
-- list) into these tables, replacing that kind's previous import in one transaction; records
-- that cannot be used go to crm_import_rejects with their line number. The matcher then links
-- each distinct JustCall contact (stg_justcall__contacts) to a customer: crm_contact_links,
-- refreshed after every import and sync. Ids are namespaced by kind so Copper and Fishbowl ids
-- never collide: customer_id = '<kind>:<id in the CRM>'.

CREATE TABLE crm_imports (
    import_kind    VARCHAR   NOT NULL, -- copper-people | copper-companies | fishbowl-customers | fishbowl-orders | generic
    import_source  VARCHAR   NOT NULL, -- file path, or firestore:<collection>
    imported_at    TIMESTAMP NOT NULL, -- UTC
    rows_read      BIGINT    NOT NULL,
    rows_loaded    BIGINT    NOT NULL,
    rows_rejected  BIGINT    NOT NULL
);

CREATE TABLE crm_customers (
    customer_id    VARCHAR   NOT NULL, -- '<kind>:<source_id>'
    import_kind    VARCHAR   NOT NULL,
    source_id      VARCHAR   NOT NULL, -- the id in the CRM
    customer_name  VARCHAR,            -- as exported (person for Copper people, business otherwise)
    company_name   VARCHAR,
    contact_person VARCHAR,            -- an account's contact (Fishbowl customerContact)
    account_id     VARCHAR   NOT NULL, -- the account the customer belongs to (see stg_crm__customers)
    account_name   VARCHAR,
    source_line    BIGINT,             -- line (CSV/NDJSON), first line (JSON) or position (Firestore)
    raw_json       JSON      NOT NULL
);

CREATE TABLE crm_customer_phones (
    customer_id    VARCHAR   NOT NULL,
    import_kind    VARCHAR   NOT NULL,
    phone_raw      VARCHAR   NOT NULL, -- as exported
    phone_e164     VARCHAR             -- NULL when not a valid number
);

CREATE TABLE crm_customer_emails (
    customer_id    VARCHAR   NOT NULL,
    import_kind    VARCHAR   NOT NULL,
    email          VARCHAR   NOT NULL  -- trimmed, lower case, one per row
);

CREATE TABLE crm_orders (
    order_id           VARCHAR   NOT NULL, -- '<kind>:<id>'
    import_kind        VARCHAR   NOT NULL,
    source_id          VARCHAR   NOT NULL,
    source_customer_id VARCHAR,            -- the CRM's customer id (Fishbowl customerId)
    ordered_on         DATE      NOT NULL,
    amount             DOUBLE    NOT NULL,
    emails             VARCHAR,            -- normalised, comma-separated
    source_line        BIGINT,
    raw_json           JSON      NOT NULL
);

CREATE TABLE crm_import_rejects (
    import_kind    VARCHAR   NOT NULL,
    source_line    BIGINT    NOT NULL,
    reason         VARCHAR   NOT NULL,
    raw_record     VARCHAR   NOT NULL, -- the record's text as read
    rejected_at    TIMESTAMP NOT NULL
);

CREATE TABLE crm_contact_links (
    contact_id            VARCHAR   NOT NULL, -- stg_justcall__contacts.contact_id
    customer_id           VARCHAR   NOT NULL, -- the best candidate
    match_method          VARCHAR   NOT NULL, -- email | email+phone | email+name | phone | phone+name | name
    match_score           DOUBLE    NOT NULL, -- 1 for exact email/phone; else the Jaro-Winkler name score
    runner_up_customer_id VARCHAR,
    runner_up_score       DOUBLE,
    is_ambiguous          BOOLEAN   NOT NULL, -- a tie or near-tie: not used by the views
    contact_name_part     VARCHAR,            -- normalised name parts whose
    customer_name_part    VARCHAR,            --   jaro_winkler_similarity is match_score
    linked_at             TIMESTAMP NOT NULL  -- UTC, when this link last changed
);
