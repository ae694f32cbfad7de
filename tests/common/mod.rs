//! Helpers shared by the integration tests: a running simulator, a store in a temp dir, and
//! field-by-field comparison of the store with the simulator's canonical data set.

#![allow(dead_code)]

pub mod emulator;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use callduck::simulator::{Dataset, SimConfig, SimHandle, Simulator};
use callduck::store::Store;
use callduck::sync::{run_sync, SyncOptions, SyncSummary};
use callduck_metrics::{Call, Sms, User};
use chrono::NaiveDateTime;

/// The real `callduck` binary on `db`, quiet, with none of the settings a developer's shell may
/// hold (credentials, the default file, Firestore, the time zone): the one way tests run it.
pub fn callduck(db: &Path) -> std::process::Command {
    let mut cmd = callduck_bare();
    cmd.arg("--db").arg(db).arg("--quiet");
    cmd
}

/// [`callduck`] without arguments (no `--db`, not quiet): for `--help`, `--version`, logs.
pub fn callduck_bare() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_callduck"));
    for var in [
        "JUSTCALL_API_KEY",
        "JUSTCALL_API_SECRET",
        "JUSTCALL_BASE_URL",
        "CALLDUCK_DB",
        "CALLDUCK_TIMEZONE",
        "CALLDUCK_FULL_RESCAN_EVERY",
        "CALLDUCK_RESCAN_OVERLAP",
        "CALLDUCK_EXPORT_FIRESTORE",
        "CALLDUCK_LOG",
        "CALLDUCK_LOG_FORMAT",
        "CALLDUCK_MEMORY_LIMIT",
        "FIRESTORE_EMULATOR_HOST",
        "FIRESTORE_PROJECT_ID",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "GOOGLE_CLOUD_PROJECT",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

pub fn init() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A small, fast data set: 4 agents over 20 days.
pub fn small_config() -> SimConfig {
    SimConfig {
        agents: 4,
        days: 20,
        calls_per_agent_day: 12.0,
        texts_per_agent_day: 8.0,
        ..SimConfig::default()
    }
}

pub async fn start(config: SimConfig) -> SimHandle {
    init();
    Simulator::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .expect("simulator starts")
}

pub fn temp_db(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("test.duckdb")
}

pub fn options(config: &SimConfig) -> SyncOptions {
    SyncOptions {
        backfill_days: i64::from(config.days) + 2,
        progress: false,
        batch_records: 500,
        business_timezone: Some("America/New_York".into()),
        ..SyncOptions::default()
    }
}

/// One sync of the simulator into `db`, as `callduck sync` does it.
pub async fn sync(
    sim: &SimHandle,
    config: &SimConfig,
    db: &Path,
    options: &SyncOptions,
) -> anyhow::Result<SyncSummary> {
    sync_at(sim, config, db, options, config.end).await
}

/// One sync that believes it is `now` (opening the file anew, as a cron job would).
pub async fn sync_at(
    sim: &SimHandle,
    config: &SimConfig,
    db: &Path,
    options: &SyncOptions,
    now: NaiveDateTime,
) -> anyhow::Result<SyncSummary> {
    let client = callduck::justcall::JustCallClient::with_credentials(
        &sim.base_url(),
        &config.api_key,
        &config.api_secret,
    )?;
    let store = Store::open(db)?;
    run_sync(store, client, options, now).await
}

/// The notes of call `id` as stored.
pub fn stored_notes(db: &Path, id: i64) -> Option<String> {
    let store = Store::open_read_only(db).unwrap();
    store
        .conn()
        .query_row(
            "SELECT notes FROM raw_justcall__calls WHERE call_id = ?",
            [id],
            |r| r.get(0),
        )
        .unwrap()
}

fn parse<T: serde::de::DeserializeOwned>(raw: &str) -> T {
    serde_json::from_str(raw)
        .unwrap_or_else(|e| panic!("stored raw_json does not parse: {e}: {raw}"))
}

fn ts(d: chrono::NaiveDate, t: chrono::NaiveTime) -> NaiveDateTime {
    d.and_time(t)
}

/// Asserts the store holds exactly the data set's valid records, field by field.
pub fn assert_store_equals(db: &Path, data: &Dataset) {
    let store = Store::open_read_only(db).unwrap();
    let conn = store.conn();

    // Users.
    let mut stmt = conn
        .prepare("SELECT user_id, user_name, email, timezone, raw_json FROM raw_justcall__users ORDER BY user_id")
        .unwrap();
    type UserRow = (i64, Option<String>, Option<String>, Option<String>, String);
    let users: Vec<UserRow> = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(users.len(), data.users.len(), "user count");
    for ((id, name, email, tz, raw), want) in users.iter().zip(&data.users) {
        assert_eq!(
            (*id, name, email, tz),
            (want.id, &want.name, &want.email, &want.timezone)
        );
        assert_eq!(&parse::<User>(raw), want);
    }

    // Calls: typed columns and the raw payload.
    let want_calls: BTreeMap<i64, &Call> = data
        .calls
        .iter()
        .filter(|c| !data.malformed_call_ids.contains(&c.id))
        .map(|c| (c.id, c))
        .collect();
    let mut stmt = conn
        .prepare(
            "SELECT call_id, started_at, user_started_at, agent_id, agent_email, contact_number, direction,
                    call_type, disposition, notes, rating, ring_seconds, conversation_seconds, hold_seconds,
                    total_duration_seconds, wrap_up_seconds, handle_seconds, queue_wait_seconds, raw_json
             FROM raw_justcall__calls ORDER BY call_id",
        )
        .unwrap();
    let mut n = 0usize;
    let mut rows = stmt.query([]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        n += 1;
        let id: i64 = r.get(0).unwrap();
        let want = want_calls
            .get(&id)
            .unwrap_or_else(|| panic!("call {id} is not in the data set"));
        let d = &want.call_duration;
        assert_eq!(
            r.get::<_, NaiveDateTime>(1).unwrap(),
            want.started_at(),
            "call {id} started_at"
        );
        assert_eq!(
            r.get::<_, Option<NaiveDateTime>>(2).unwrap(),
            want.call_user_date
                .zip(want.call_user_time)
                .map(|(a, b)| ts(a, b)),
            "call {id} user_started_at"
        );
        assert_eq!(
            r.get::<_, Option<i64>>(3).unwrap(),
            want.agent_id,
            "call {id} agent_id"
        );
        assert_eq!(
            r.get::<_, Option<String>>(4).unwrap(),
            want.agent_email,
            "call {id} agent_email"
        );
        assert_eq!(
            r.get::<_, Option<String>>(5).unwrap(),
            want.contact_number,
            "call {id} contact_number"
        );
        assert_eq!(
            r.get::<_, String>(6).unwrap(),
            want.call_info.direction.as_str(),
            "call {id} direction"
        );
        assert_eq!(
            r.get::<_, Option<String>>(7).unwrap(),
            want.call_info.call_type,
            "call {id} type"
        );
        assert_eq!(
            r.get::<_, Option<String>>(8).unwrap(),
            want.call_info.disposition,
            "call {id} disposition"
        );
        assert_eq!(
            r.get::<_, Option<String>>(9).unwrap(),
            want.call_info.notes,
            "call {id} notes"
        );
        assert_eq!(
            r.get::<_, Option<i64>>(10).unwrap(),
            want.call_info.rating,
            "call {id} rating"
        );
        let secs: Vec<i64> = (11..=17).map(|i| r.get::<_, i64>(i).unwrap()).collect();
        assert_eq!(
            secs,
            vec![
                d.ring_time,
                d.conversation_time,
                d.hold_time,
                d.total_duration,
                d.wrap_up_time,
                d.handle_time,
                d.queue_wait_time
            ],
            "call {id} durations"
        );
        assert_eq!(
            &parse::<Call>(&r.get::<_, String>(18).unwrap()),
            *want,
            "call {id} raw_json"
        );
    }
    assert_eq!(n, want_calls.len(), "call count");

    // Texts.
    let want_texts: BTreeMap<i64, &Sms> = data
        .texts
        .iter()
        .filter(|t| !data.malformed_text_ids.contains(&t.id))
        .map(|t| (t.id, t))
        .collect();
    let mut stmt = conn
        .prepare(
            "SELECT sms_id, sent_at, agent_id, direction, body, is_deleted, medium, delivery_status, raw_json
             FROM raw_justcall__texts ORDER BY sms_id",
        )
        .unwrap();
    let mut n = 0usize;
    let mut rows = stmt.query([]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        n += 1;
        let id: i64 = r.get(0).unwrap();
        let want = want_texts
            .get(&id)
            .unwrap_or_else(|| panic!("sms {id} is not in the data set"));
        assert_eq!(
            r.get::<_, NaiveDateTime>(1).unwrap(),
            want.sent_at(),
            "sms {id} sent_at"
        );
        assert_eq!(
            r.get::<_, Option<i64>>(2).unwrap(),
            want.agent_id,
            "sms {id} agent"
        );
        assert_eq!(
            r.get::<_, String>(3).unwrap(),
            want.direction.as_str(),
            "sms {id} direction"
        );
        assert_eq!(
            r.get::<_, Option<String>>(4).unwrap(),
            want.sms_info.body,
            "sms {id} body"
        );
        assert_eq!(
            r.get::<_, bool>(5).unwrap(),
            want.is_deleted,
            "sms {id} is_deleted"
        );
        assert_eq!(
            r.get::<_, Option<String>>(6).unwrap(),
            want.medium,
            "sms {id} medium"
        );
        assert_eq!(
            r.get::<_, Option<String>>(7).unwrap(),
            want.delivery_status,
            "sms {id} status"
        );
        assert_eq!(
            &parse::<Sms>(&r.get::<_, String>(8).unwrap()),
            *want,
            "sms {id} raw_json"
        );
    }
    assert_eq!(n, want_texts.len(), "sms count");

    let failures = store.run_data_tests().unwrap();
    assert!(failures.is_empty(), "data tests failed: {failures:?}");
}

/// Quarantined record ids of a stream, unresolved.
pub fn quarantined(db: &Path, stream: &str) -> Vec<String> {
    let store = Store::open_read_only(db).unwrap();
    let mut stmt = store
        .conn()
        .prepare("SELECT record_id FROM callduck_quarantine WHERE stream = ? AND resolved_at IS NULL ORDER BY 1")
        .unwrap();
    stmt.query_map([stream], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}
