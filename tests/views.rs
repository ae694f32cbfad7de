//! The SQL views and report macros against real DuckDB files: local days across time zones and
//! DST, the Rust core versus the SQL on the whole simulator data set plus the records at the
//! edges of each definition (unrouted agents, padding, fractional durations, odd zones), and the
//! Python `duckdb` package reading the same file.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use callduck::simulator::SimConfig;
use callduck::store::load::parse_record;
use callduck::store::Store;
use callduck_metrics::goals::UserKey;
use callduck_metrics::metrics::{counts_as_sent, talk_minutes, JustCallMetrics};
use callduck_metrics::sms::{is_automated_medium, is_delivery_failure};
use callduck_metrics::{Call, MetricsOptions, Sms, User};
use chrono::{NaiveDate, NaiveDateTime};
use common::*;

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn user_json(id: i64, email: &str, tz: &str) -> String {
    format!(r#"{{"id":{id},"name":"Agent {id}","email":"{email}","timezone":"{tz}"}}"#)
}

/// A call at `utc` ("YYYY-MM-DD HH:MM:SS") by `agent`.
fn call_json(id: i64, agent: i64, utc: &str, call_type: &str) -> String {
    let (date, time) = utc.split_once(' ').unwrap();
    format!(
        r#"{{"id":{id},"agent_id":{agent},"call_date":"{date}","call_time":"{time}",
            "call_info":{{"direction":"Incoming","type":"{call_type}"}},
            "call_duration":{{"conversation_time":90,"total_duration":90,"handle_time":100}}}}"#
    )
}

#[test]
fn local_days_follow_each_agents_zone_across_dst_midnight_and_east_of_utc() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("tz.duckdb")).unwrap();
    // Padded as `callduck sync --timezone` may store it: the views trim it.
    store
        .set_setting("business_timezone", " America/Chicago\n")
        .unwrap();
    store
        .ensure_time_zones(["America/New_York", "Asia/Kolkata", "America/Chicago"])
        .unwrap();
    let users: Vec<_> = [
        user_json(1, "ny@x.com", "America/New_York"),
        user_json(2, "in@x.com", "Asia/Kolkata"),
        user_json(3, "mars@x.com", "Mars/Base"), // unknown zone: the business zone applies
        user_json(4, "pad@x.com", "\\tAsia/Kolkata "), // padded: trimmed, Kolkata
        user_json(5, "blank@x.com", "  "),       // blank: the business zone
        user_json(6, "lower@x.com", "utc"),      // not an exact IANA name: business
    ]
    .iter()
    .map(|j| parse_record::<User>(j).unwrap())
    .collect();
    store.write_batch(&users, &[], None).unwrap();

    // (call id, agent, UTC instant, expected local time)
    let cases = [
        // 23:30 EST on Nov 10 is 04:30 UTC on Nov 11: it counts on the local day, Nov 10.
        (1, 1, "2026-11-11 04:30:00", "2026-11-10 23:30:00"),
        // Spring forward (Mar 8, 2:00 EST -> 3:00 EDT): 01:30 EST and 03:30 EDT are one hour apart.
        (2, 1, "2026-03-08 06:30:00", "2026-03-08 01:30:00"),
        (3, 1, "2026-03-08 07:30:00", "2026-03-08 03:30:00"),
        (4, 1, "2026-03-08 04:30:00", "2026-03-07 23:30:00"),
        // Fall back (Nov 1, 2:00 EDT -> 1:00 EST): 01:30 happens twice, both on Nov 1.
        (5, 1, "2026-11-01 05:30:00", "2026-11-01 01:30:00"),
        (6, 1, "2026-11-01 06:30:00", "2026-11-01 01:30:00"),
        (7, 1, "2026-11-02 04:59:59", "2026-11-01 23:59:59"),
        (8, 1, "2026-11-02 05:00:00", "2026-11-02 00:00:00"),
        // East of UTC (+05:30): 20:00 UTC is 01:30 the next local day.
        (9, 2, "2026-11-10 20:00:00", "2026-11-11 01:30:00"),
        (10, 2, "2026-11-10 18:29:59", "2026-11-10 23:59:59"),
        // Unknown zone and unknown agent: the business zone (Chicago, CST -06:00).
        (11, 3, "2026-11-11 03:00:00", "2026-11-10 21:00:00"),
        (12, 99, "2026-11-11 05:59:59", "2026-11-10 23:59:59"),
        // A padded zone is the zone; a blank or miscased one is the business zone.
        (13, 4, "2026-11-10 20:00:00", "2026-11-11 01:30:00"),
        (14, 5, "2026-11-11 05:59:59", "2026-11-10 23:59:59"),
        (15, 6, "2026-11-11 05:59:59", "2026-11-10 23:59:59"),
    ];
    let calls: Vec<_> = cases
        .iter()
        .map(|(id, agent, utc, _)| {
            parse_record::<Call>(&call_json(*id, *agent, utc, "Answered")).unwrap()
        })
        .collect();
    store.write_batch(&calls, &[], None).unwrap();

    for (id, _, utc, local) in cases {
        let (started, local_started, local_date): (NaiveDateTime, NaiveDateTime, NaiveDate) = store
            .conn()
            .query_row(
                "SELECT started_at, local_started_at, local_date FROM stg_justcall__calls WHERE call_id = ?",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(started, at(utc), "call {id}: the canonical instant is UTC");
        assert_eq!(local_started, at(local), "call {id} local time");
        assert_eq!(local_date, at(local).date(), "call {id} local day");
    }

    // The daily grain: New York's Nov 1 has the repeated hour twice plus 23:59:59, nothing lost.
    let count = |agent: i64, d: &str| -> i64 {
        store
            .conn()
            .query_row(
                "SELECT coalesce(sum(phone_call_quantity), 0) FROM fct_agent_daily WHERE agent_id = ? AND local_date = ?",
                duckdb::params![agent, day(d)],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(count(1, "2026-11-01"), 3);
    assert_eq!(count(1, "2026-03-08"), 2);
    assert_eq!(count(1, "2026-03-07"), 1);
    assert_eq!(count(2, "2026-11-11"), 1);
    assert_eq!(count(2, "2026-11-10"), 1);
    assert_eq!(count(3, "2026-11-10"), 1);
    assert_eq!(count(99, "2026-11-10"), 1);
    assert_eq!(count(4, "2026-11-11"), 1);
    assert_eq!(count(5, "2026-11-10"), 1);
    assert_eq!(count(6, "2026-11-10"), 1);
    // Agent 99 has no user row: the orphan data test notices it, and nothing else fails.
    let failures: Vec<String> = store
        .run_data_tests()
        .unwrap()
        .into_iter()
        .map(|(name, _, _)| name)
        .collect();
    assert_eq!(failures, vec!["assert_no_orphan_agents".to_string()]);
}

/// Per agent and local day: (calls, inbound, outbound, completed, missed, talk seconds, talk
/// minutes, SMS counted as sent, of those bulk or automated, of those failed).
type DayRow = (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);

/// The business zone as a sync may store it (`--timezone` with its padding): both sides trim it.
fn padded(zone: &str) -> String {
    format!(" {zone}\t")
}

/// Records at the edges the simulator does not serve, stored as a sync stores them (parsed by the
/// core, typed columns from the parsed record, the users' zones registered as after the users
/// stream), with the business zone stored padded. Returned for the Rust side.
///
/// * calls and SMS without an agent id, of two people (one email padded and capitalised) and of
///   nobody: one agent per email on both sides, not one lump;
/// * call types, directions, delivery statuses and emails padded with ASCII whitespace, and one
///   type padded with a no-break space (not trimmed on either side: a missed call);
/// * mediums that say `Automated` (not `Automation`);
/// * durations fractional (12.5 → 13, "7.49" → 7), negative, padded strings, `null` and missing;
/// * agents whose zone is padded (trimmed), blank, empty, unknown or miscased (the business zone),
///   with calls at 03:30 UTC, the previous local day in America, the same day in UTC.
fn write_edge_records(db: &Path, business: &str) -> (Vec<User>, Vec<Call>, Vec<Sms>) {
    use serde_json::json;

    let store = Store::open(db).unwrap();
    store
        .set_setting("business_timezone", &padded(business))
        .unwrap();
    let zones = [" America/Chicago\t", "  ", "", "Mars/Base", "utc"];
    let users: Vec<_> = zones
        .iter()
        .zip(9_001..)
        .map(|(zone, id)| {
            let user = json!({"id": id, "name": format!("Edge {id}"),
                              "email": format!(" Edge{id}@X.com\n"), "timezone": zone});
            parse_record::<User>(&user.to_string()).unwrap()
        })
        .collect();
    store.write_batch(&users, &[], None).unwrap();
    store.ensure_time_zones(zones).unwrap();

    let vt = "\u{b}";
    let calls: Vec<serde_json::Value> = vec![
        json!({"agent_email": " UNROUTED.A@X.COM\t", "call_time": "15:00:00",
               "call_info": {"direction": "Incoming\n", "type": "Answered\n"},
               "call_duration": {"total_duration": 12.5, "conversation_time": 12.5}}),
        json!({"agent_email": "unrouted.a@x.com", "call_time": "16:00:00",
               "call_info": {"direction": " Outbound", "type": "answered"},
               "call_duration": {"total_duration": "7.49", "hold_time": null}}),
        json!({"agent_email": "unrouted.b@x.com", "call_time": "15:30:00",
               "call_info": {"direction": "Incoming", "type": format!("{vt}Missed ")},
               "call_duration": {"total_duration": -30, "ring_time": "-2.5"}}),
        json!({"call_time": "15:40:00",
               "call_info": {"direction": "Incoming", "type": "Answered\u{a0}"}}),
        json!({"agent_email": "  ", "call_time": "15:50:00",
               "call_info": {"direction": "Outgoing", "type": " \r"}, "call_duration": null}),
        json!({"agent_id": 9_001, "call_time": "3:30:00", "call_date": "2026-11-11",
               "call_info": {"direction": "Outbound\r\n", "type": " Answered "},
               "call_duration": {"total_duration": "  45 "}}),
        json!({"agent_id": 9_002, "call_time": "3:30:00", "call_date": "2026-11-11",
               "call_info": {"direction": "Incoming", "type": "Answered"},
               "call_duration": {"total_duration": 1e2}}),
        json!({"agent_id": 9_003, "call_time": "3:30:00", "call_date": "2026-11-11",
               "call_info": {"direction": "Incoming", "type": "Voicemail"}}),
        json!({"agent_id": 9_004, "call_time": "3:30:00", "call_date": "2026-11-11",
               "call_info": {"direction": "Incoming", "type": "Answered"}}),
        json!({"agent_id": 9_005, "call_time": "3:30:00", "call_date": "2026-11-11",
               "call_info": {"direction": "Incoming", "type": "Answered"}}),
    ];
    let calls: Vec<_> = calls
        .into_iter()
        .zip(900_000_001..)
        .map(|(mut call, id)| {
            let m = call.as_object_mut().unwrap();
            m.insert("id".into(), id.into());
            m.entry("call_date").or_insert("2026-11-10".into());
            parse_record::<Call>(&call.to_string()).unwrap()
        })
        .collect();
    store.write_batch(&calls, &[], None).unwrap();

    let texts: Vec<serde_json::Value> = vec![
        json!({"agent_email": "Unrouted.A@x.com ", "direction": "Outbound",
               "medium": "Workflow Automated", "delivery_status": " error\r\n"}),
        json!({"agent_email": "unrouted.b@x.com", "direction": "Outgoing\t",
               "medium": "One-To-One via App", "delivery_status": "delivered"}),
        json!({"agent_email": "unrouted.b@x.com", "direction": "Incoming"}),
        json!({"agent_email": "unrouted.b@x.com", "direction": "Outgoing", "medium": "BULK SMS"}),
        json!({"direction": "Outgoing", "delivery_status": "Failed"}),
        json!({"agent_id": 9_001, "direction": "Outgoing", "sms_date": "2026-11-11",
               "sms_time": "3:30:00", "medium": "AUTOMATED reply", "delivery_status": "Rejected\n"}),
        json!({"agent_id": 9_003, "direction": "Outgoing", "sms_date": "2026-11-11",
               "sms_time": "3:30:00", "is_deleted": "Yes"}),
    ];
    let texts: Vec<_> = texts
        .into_iter()
        .zip(900_000_001..)
        .map(|(mut text, id)| {
            let m = text.as_object_mut().unwrap();
            m.insert("id".into(), id.into());
            m.insert("contact_number".into(), "+1 (347) 555-0101".into());
            m.entry("sms_date").or_insert("2026-11-10".into());
            m.entry("sms_time").or_insert("15:00:00".into());
            parse_record::<Sms>(&text.to_string()).unwrap()
        })
        .collect();
    store.write_batch(&texts, &[], None).unwrap();
    (
        users.into_iter().map(|r| r.record).collect(),
        calls.into_iter().map(|r| r.record).collect(),
        texts.into_iter().map(|r| r.record).collect(),
    )
}

/// The agent of an `fct_agent_daily` row as the core keys it: the id, else the email of a record
/// without one (`agent_email_key` of rows whose `agent_id` is NULL), else unassigned.
fn user_key(agent_id: Option<i64>, unrouted_email: Option<String>) -> UserKey {
    match (agent_id, unrouted_email) {
        (Some(id), _) => UserKey::Id(id),
        (None, Some(email)) => UserKey::Email(email),
        (None, None) => UserKey::Unassigned,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_views_equal_the_rust_core_for_every_agent_and_day() {
    // The default demo-sized data set: 8 agents in 8 zones over 90 days, plus the edges.
    let config = SimConfig::default();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let opts = options(&config);
    sync(&sim, &config, &db, &opts).await.unwrap();
    let mut data = sim.dataset();
    sim.shutdown();
    let business = opts.business_timezone.clone().unwrap();
    let (users, calls, texts) = write_edge_records(&db, &business);
    data.users.extend(users);
    data.calls.extend(calls);
    data.texts.extend(texts);

    // Rust: the core's definitions, local days from chrono-tz (independent of the SQL's offsets)
    // in each agent's zone as the core resolves JustCall's raw user zones (trimmed; blank,
    // unknown or miscased → the business zone, given padded as it is stored).
    let filter = MetricsOptions {
        time_zone: Some(padded(&business)),
        agent_time_zones: data
            .users
            .iter()
            .filter_map(|u| Some((u.id.to_string(), u.timezone.clone()?)))
            .collect(),
        ..MetricsOptions::default()
    }
    .resolve()
    .unwrap();

    let mut calls_by_key: BTreeMap<(UserKey, NaiveDate), Vec<&Call>> = BTreeMap::new();
    for call in &data.calls {
        let key = (
            UserKey::of(call.agent_id, call.agent_email.as_deref()),
            filter.call_date(call),
        );
        calls_by_key.entry(key).or_default().push(call);
    }
    let mut sms_by_key: BTreeMap<(UserKey, NaiveDate), Vec<&Sms>> = BTreeMap::new();
    for sms in &data.texts {
        let key = (
            UserKey::of(sms.agent_id, sms.agent_email.as_deref()),
            filter.sms_date(sms),
        );
        sms_by_key.entry(key).or_default().push(sms);
    }
    let mut rust: BTreeMap<(UserKey, NaiveDate), DayRow> = BTreeMap::new();
    let mut rust_status: BTreeMap<(UserKey, NaiveDate, String), u64> = BTreeMap::new();
    for (key, calls) in &calls_by_key {
        let m = JustCallMetrics::compute(calls.iter().copied(), |c| filter.call_date(c));
        assert_eq!(m.calls_by_day.len(), 1, "one local day per group");
        rust.insert(
            key.clone(),
            (
                m.total_calls as i64,
                m.inbound_calls as i64,
                m.outbound_calls as i64,
                m.completed_calls as i64,
                m.missed_calls as i64,
                m.total_duration,
                talk_minutes(m.total_duration),
                0,
                0,
                0,
            ),
        );
        for (status, n) in m.calls_by_status {
            rust_status.insert((key.0.clone(), key.1, status), n);
        }
    }
    for (key, texts) in &sms_by_key {
        let sent: Vec<&&Sms> = texts.iter().filter(|s| counts_as_sent(s)).collect();
        let count = |f: fn(&Sms) -> bool| sent.iter().filter(|s| f(s)).count() as i64;
        let row = rust
            .entry(key.clone())
            .or_insert((0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        row.7 = sent.len() as i64;
        row.8 = count(|s| is_automated_medium(s.medium.as_deref()));
        row.9 = count(|s| is_delivery_failure(s.delivery_status.as_deref()));
    }

    // SQL: the views, as an analyst reads them.
    let store = Store::open_read_only(&db).unwrap();
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT agent_id, CASE WHEN agent_id IS NULL THEN agent_email_key END, local_date,
                    phone_call_quantity, inbound_calls, outbound_calls, completed_calls, missed_calls,
                    talk_time_seconds, talk_time_minutes, sms_quantity, sms_bulk_or_automated_sent,
                    sms_delivery_failed
             FROM fct_agent_daily",
        )
        .unwrap();
    let sql: BTreeMap<(UserKey, NaiveDate), DayRow> = stmt
        .query_map([], |r| {
            Ok((
                (user_key(r.get(0)?, r.get(1)?), r.get(2)?),
                (
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                    r.get(11)?,
                    r.get(12)?,
                ),
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT agent_id, CASE WHEN agent_id IS NULL THEN agent_email_key END, local_date,
                    coalesce(call_type, 'Unknown'), count(*)
             FROM stg_justcall__calls GROUP BY ALL",
        )
        .unwrap();
    let sql_status: BTreeMap<(UserKey, NaiveDate, String), u64> = stmt
        .query_map([], |r| {
            Ok((
                (user_key(r.get(0)?, r.get(1)?), r.get(2)?, r.get(3)?),
                r.get::<_, i64>(4)? as u64,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();

    assert!(
        rust.len() > 500,
        "a real data set: {} agent-days",
        rust.len()
    );
    // The edges are in the comparison, each where its definition puts it.
    let edge = |key: UserKey, d: &str| rust[&(key, day(d))];
    let unrouted = |email: &str| UserKey::Email(email.into());
    // Two calls of A: both answered (padding trimmed), 13 + 7 s; one automated SMS that failed.
    assert_eq!(
        edge(unrouted("unrouted.a@x.com"), "2026-11-10"),
        (2, 1, 1, 2, 0, 20, 0, 1, 1, 1)
    );
    // B: one missed call of 0 s (negative); two SMS counted, one of them bulk.
    assert_eq!(
        edge(unrouted("unrouted.b@x.com"), "2026-11-10"),
        (1, 1, 0, 0, 1, 0, 0, 2, 1, 0)
    );
    // Nobody's: a missed call (no-break space), one in progress, one failed SMS.
    assert_eq!(
        edge(UserKey::Unassigned, "2026-11-10"),
        (2, 1, 1, 0, 1, 0, 0, 1, 0, 1)
    );
    // 03:30 UTC on the 11th is the 10th in Chicago (padded zone) and in the business zone.
    assert_eq!(edge(UserKey::Id(9_001), "2026-11-10").5, 45);
    assert_eq!(edge(UserKey::Id(9_001), "2026-11-10").8, 1);
    for agent in 9_002..=9_005 {
        assert_eq!(edge(UserKey::Id(agent), "2026-11-10").0, 1, "agent {agent}");
    }
    let differences: Vec<_> = rust
        .iter()
        .filter(|(k, v)| sql.get(k) != Some(v))
        .map(|(k, v)| (k, v, sql.get(k)))
        .take(5)
        .collect();
    assert!(
        differences.is_empty(),
        "Rust vs SQL (key, rust, sql): {differences:?}"
    );
    assert_eq!(rust.len(), sql.len(), "the same agent-days on both sides");
    assert_eq!(rust_status, sql_status, "callsByStatus per agent and day");
}

/// A Python with the `duckdb` package of `version`: `CALLDUCK_PYTHON` if set and its `duckdb` is
/// that version, else a virtual environment under the cargo target directory, created on first use.
fn python_with_duckdb(version: &str) -> PathBuf {
    let has_version = |python: &Path| {
        Command::new(python)
            .args([
                "-c",
                &format!("import duckdb, sys; sys.exit(duckdb.__version__ != '{version}')"),
            ])
            .status()
            .is_ok_and(|s| s.success())
    };
    if let Some(p) = std::env::var_os("CALLDUCK_PYTHON").map(PathBuf::from) {
        if has_version(&p) {
            return p;
        }
    }
    // Tests run in parallel: one creates a version's environment while the others wait.
    static CREATING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _creating = CREATING.lock().unwrap_or_else(|e| e.into_inner());
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("pyduckdb-{version}"));
    let python = venv.join("bin/python");
    if !has_version(&python) {
        let ok = Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&venv)
            .status()
            .unwrap()
            .success();
        assert!(ok, "python3 -m venv {} failed", venv.display());
        let ok = Command::new(venv.join("bin/pip"))
            .args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                &format!("duckdb=={version}"),
            ])
            .status()
            .unwrap()
            .success();
        assert!(
            ok,
            "pip install duckdb=={version} failed (PyPI must be reachable)"
        );
    }
    python
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_duckdb_reads_the_same_views_as_the_binary() {
    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    sync(&sim, &config, &db, &options(&config)).await.unwrap();
    sim.shutdown();
    let version: String = Store::open_read_only(&db)
        .unwrap()
        .conn()
        .query_row("SELECT version()", [], |r| r.get(0))
        .unwrap();
    let python = python_with_duckdb(version.trim_start_matches('v'));

    // The agent whose email is capitalised upstream, asked for in another case.
    let shouting: String = Store::open_read_only(&db)
        .unwrap()
        .conn()
        .query_row(
            "SELECT upper(email) FROM raw_justcall__users WHERE email <> lower(email) LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("the simulator has an agent with a capitalised email");
    let dispositions = format!(
        "FROM rpt_call_dispositions(DATE '2026-11-01', DATE '2026-11-20', agent := '{shouting}') ORDER BY ALL"
    );
    let queries = [
        "FROM fct_agent_daily ORDER BY ALL",
        "FROM stg_justcall__calls ORDER BY call_id",
        "FROM fct_sms_responses ORDER BY ALL",
        "FROM rpt_call_kpis(DATE '2026-11-01', DATE '2026-11-20') ORDER BY ALL",
        "FROM rpt_sms_summary(DATE '2026-11-01', DATE '2026-11-20') ORDER BY ALL",
        "FROM rpt_call_heatmap(DATE '2026-11-01', DATE '2026-11-20') ORDER BY ALL",
        dispositions.as_str(),
    ];
    let bin = env!("CARGO_BIN_EXE_callduck");
    for (i, query) in queries.iter().enumerate() {
        let from_binary = dir.path().join(format!("bin-{i}.csv"));
        let out = Command::new(bin)
            .arg("--db")
            .arg(&db)
            .args(["sql", query, "--format", "csv", "--output"])
            .arg(&from_binary)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{query}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let from_python = dir.path().join(format!("py-{i}.csv"));
        let script = "import duckdb, sys\n\
                      con = duckdb.connect(sys.argv[1], read_only=True)\n\
                      con.sql(sys.argv[2]).write_csv(sys.argv[3])\n";
        let out = Command::new(&python)
            .args(["-c", script])
            .arg(&db)
            .arg(query)
            .arg(&from_python)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "python: {query}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (a, b) = (
            std::fs::read_to_string(&from_binary).unwrap(),
            std::fs::read_to_string(&from_python).unwrap(),
        );
        assert!(a.lines().count() > 1, "{query} returned rows");
        assert_eq!(a, b, "{query}: binary and Python differ");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_batches_recompute_the_sql_views_per_agent_and_local_day() {
    use callduck_metrics::columnar::{CallColumns, SmsColumns};
    use callduck_metrics::options::AgentFilter;

    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    sync(&sim, &config, &db, &options(&config)).await.unwrap();
    sim.shutdown();
    let out_dir = dir.path().join("dash");
    let out = Command::new(env!("CARGO_BIN_EXE_callduck"))
        .arg("--db")
        .arg(&db)
        .args(["export", "dashboard", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let calls =
        CallColumns::from_bytes(&std::fs::read(out_dir.join("calls.cdbatch")).unwrap()).unwrap();
    let texts =
        SmsColumns::from_bytes(&std::fs::read(out_dir.join("texts.cdbatch")).unwrap()).unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("dashboard.json")).unwrap()).unwrap();
    // The agents' own zones, as the page passes them to the module.
    let zones: BTreeMap<String, String> = manifest["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].to_string(),
                a["effectiveTimezone"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let store = Store::open_read_only(&db).unwrap();
    let mut stmt = store
        .conn()
        .prepare("SELECT agent_id, local_date, phone_call_quantity, completed_calls, missed_calls, talk_time_seconds FROM fct_agent_daily WHERE phone_call_quantity > 0")
        .unwrap();
    let rows: Vec<(i64, NaiveDate, i64, i64, i64, i64)> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(rows.len() > 50);
    for (agent, day, total, completed, missed, seconds) in &rows {
        let opts = MetricsOptions {
            from: Some(*day),
            to: Some(*day),
            agent: Some(agent.to_string()),
            time_zone: Some(opts_business()),
            agent_time_zones: zones.clone(),
            ..MetricsOptions::default()
        };
        let filter = opts.resolve().unwrap();
        assert!(matches!(filter.agent, Some(AgentFilter::Id(_))));
        let m = calls.call_metrics(&filter);
        assert_eq!(
            (
                m.total_calls as i64,
                m.completed_calls as i64,
                m.missed_calls as i64,
                m.total_duration
            ),
            (*total, *completed, *missed, *seconds),
            "agent {agent} on {day}"
        );
    }
    let sms_sent: i64 = manifest["sqlTotalsByAgent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["smsSent"].as_i64().unwrap())
        .sum();
    let batch_sent = texts.sms_metrics(
        &MetricsOptions {
            agent_time_zones: zones,
            ..MetricsOptions::default()
        }
        .resolve()
        .unwrap(),
    );
    assert_eq!(
        batch_sent.total_sent as i64, sms_sent,
        "SMS counted as sent, all agents"
    );
}

fn opts_business() -> String {
    "America/New_York".to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_report_equals_the_rust_core_per_agent_and_for_the_team() {
    use callduck_metrics::sms::sms_metrics;

    let config = SimConfig::default();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    sync(&sim, &config, &db, &options(&config)).await.unwrap();
    let data = sim.dataset();
    sim.shutdown();
    let zones: BTreeMap<String, String> = data
        .users
        .iter()
        .filter_map(|u| Some((u.id.to_string(), u.timezone.clone()?)))
        .collect();

    type Row = (
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        Option<f64>,
        Option<f64>,
    );
    let store = Store::open_read_only(&db).unwrap();
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT coalesce(CAST(agent_id AS VARCHAR), 'TEAM'), sms_sent, sms_received, sms_bulk_or_automated_sent,
                    sms_delivery_failed, contacts_messaged, contacts_replied, customer_turns, responded_turns,
                    average_first_response_seconds, median_first_response_seconds
             FROM rpt_sms_summary(DATE '1900-01-01', DATE '2999-12-31')",
        )
        .unwrap();
    let sql: BTreeMap<String, Row> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                (
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                ),
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(sql.len(), data.users.len() + 1, "every agent and the team");
    for (who, want) in &sql {
        let opts = MetricsOptions {
            agent: (who != "TEAM").then(|| who.clone()),
            time_zone: Some("America/New_York".into()),
            agent_time_zones: zones.clone(),
            ..MetricsOptions::default()
        };
        let m = sms_metrics(&data.texts, &opts.resolve().unwrap());
        let r = &m.first_response;
        let rust: Row = (
            m.total_sent as i64,
            m.total_received as i64,
            m.automated_sent as i64,
            m.delivery_failures as i64,
            m.contacts_messaged as i64,
            m.contacts_replied as i64,
            (r.responses + r.unanswered) as i64,
            r.responses as i64,
            r.average_seconds,
            r.median_seconds,
        );
        let counts = |r: &Row| (r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7);
        assert_eq!(counts(&rust), counts(want), "{who}: counts (rust vs sql)");
        let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-6 * a.abs().max(1.0),
            (a, b) => a.is_none() && b.is_none(),
        };
        assert!(
            close(rust.8, want.8) && close(rust.9, want.9),
            "{who}: response times {rust:?} vs {want:?}"
        );
    }
}

/// The oldest DuckDB release that opens the files callduck creates: the storage format it writes.
fn oldest_reader() -> &'static str {
    callduck::store::NEW_FILE_STORAGE_VERSION.trim_start_matches('v')
}

/// Runs each query on `db` (read-only) with Python's `duckdb` in one process, writing each result
/// as CSV to the path beside it; the error text when the file does not open or a query fails.
fn python_csvs(python: &Path, db: &Path, jobs: &[(String, PathBuf)]) -> Result<(), String> {
    let script = "import duckdb, json, sys\n\
                  con = duckdb.connect(sys.argv[1], read_only=True)\n\
                  for query, out in json.loads(sys.argv[2]):\n\
                  \x20   try:\n\
                  \x20       con.sql(query).write_csv(out)\n\
                  \x20   except Exception as e:\n\
                  \x20       sys.exit(f'{query}: {e}')\n";
    let jobs: Vec<(&str, String)> = jobs
        .iter()
        .map(|(q, p)| (q.as_str(), p.to_string_lossy().into_owned()))
        .collect();
    let out = Command::new(python)
        .args(["-c", script])
        .arg(db)
        .arg(serde_json::to_string(&jobs).unwrap())
        .output()
        .unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// The records of a CSV file (header included), so results compare by value: DuckDB versions quote
/// differently (2.0 quotes a field with `#`, 1.1 does not).
fn csv_records(path: &Path) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Each query's result as the engine writes it (`callduck sql --format csv` does the same COPY)
/// and as Python's `duckdb` at `python` writes it: both must hold the same values. Returns how
/// many results had rows.
fn assert_python_reads_as_the_engine(
    python: &Path,
    db: &Path,
    dir: &Path,
    queries: &[String],
) -> usize {
    let store = Store::open_read_only(db).unwrap();
    let mut jobs = Vec::new();
    for (i, query) in queries.iter().enumerate() {
        let engine = dir.join(format!("engine-{i}.csv"));
        store
            .conn()
            .execute_batch(&format!(
                "COPY ({query}) TO '{}' (FORMAT csv, HEADER true)",
                engine.display()
            ))
            .unwrap_or_else(|e| panic!("engine: {query}: {e}"));
        jobs.push((query.clone(), dir.join(format!("python-{i}.csv"))));
    }
    drop(store);
    python_csvs(python, db, &jobs).unwrap_or_else(|e| panic!("python: {e}"));
    let mut with_rows = 0;
    for (i, (query, python_csv)) in jobs.iter().enumerate() {
        let engine = csv_records(&dir.join(format!("engine-{i}.csv")));
        let python = csv_records(python_csv);
        if let Some(row) =
            (0..engine.len().max(python.len())).find(|&r| engine.get(r) != python.get(r))
        {
            panic!(
                "{query}: the engine and Python differ at row {row}: {:?} vs {:?}",
                engine.get(row),
                python.get(row)
            );
        }
        with_rows += usize::from(engine.len() > 1);
    }
    with_rows
}

/// The file callduck writes opens in the oldest DuckDB it claims (Python's `duckdb` of
/// NEW_FILE_STORAGE_VERSION), as users make it (`callduck demo`, CRM included): every table, every
/// view, every macro and every comment reads there exactly as the engine reads it. The objects come
/// from the file's catalog, so a new view or macro is checked as soon as it exists.
#[test]
fn the_oldest_claimed_duckdb_reads_the_demo_file_as_the_engine_does() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.duckdb");
    let out = callduck(&temp_db(&dir))
        .args(["demo", "--agents", "3", "--days", "14", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let python = python_with_duckdb(oldest_reader());

    let store = Store::open_read_only(&db).unwrap();
    let strings = |sql: &str| -> Vec<String> {
        let mut stmt = store.conn().prepare(sql).unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let (from, to): (NaiveDate, NaiveDate) = store
        .conn()
        .query_row(
            "SELECT min(local_date), max(local_date) FROM fct_agent_daily",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    // An agent, asked for in another case, as analysts may type it.
    let agent = strings(
        "SELECT upper(min(agent_email_key)) FROM fct_agent_daily WHERE agent_id IS NOT NULL",
    )
    .remove(0);
    let range = format!("DATE '{from}', DATE '{to}'");

    let mut queries = Vec::new();
    let tables = strings(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY 1",
    );
    for table in &tables {
        queries.push(format!("FROM {table} ORDER BY ALL"));
    }
    for view in strings(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND database_name = current_database() ORDER BY 1",
    ) {
        queries.push(format!("FROM {view} ORDER BY ALL"));
    }
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT function_name, function_type, CAST(parameters AS VARCHAR) FROM duckdb_functions()
             WHERE NOT internal AND database_name = current_database() ORDER BY 1",
        )
        .unwrap();
    let macros: Vec<(String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    drop(stmt);
    let scalars = "SELECT call_id, callduck_trim(contact_name), callduck_email_key(agent_email),
                          callduck_contact_id(contact_number, contact_name, contact_email),
                          callduck_business_timezone()
                   FROM raw_justcall__calls ORDER BY call_id";
    for (name, kind, parameters) in &macros {
        if kind != "table_macro" {
            assert!(scalars.contains(name), "call the macro {name} in `scalars`");
            continue;
        }
        let calls = match parameters.as_str() {
            "[from_date, to_date, agent]" => vec![
                format!("{name}({range})"),
                format!("{name}({range}, agent := '{agent}')"),
            ],
            "[from_date, to_date, agent, top_n]" => {
                vec![format!("{name}({range}, agent := '{agent}', top_n := 3)")]
            }
            "[from_date, to_date, window_days]" => {
                vec![format!("{name}({range}, window_days := 7)")]
            }
            "[days, as_of]" => vec![format!("{name}(3, as_of := DATE '{to}')")],
            "[from_date, to_date, agent, by_agent]" => vec![format!("{name}({range}, NULL, true)")],
            other => panic!("the table macro {name}{other} needs a call in this test"),
        };
        queries.extend(calls.into_iter().map(|c| format!("FROM {c} ORDER BY ALL")));
    }
    queries.push(scalars.to_string());
    // The comments, as DBeaver and duckdb_*() show them.
    queries.extend(
        [
            "SELECT table_name, comment FROM duckdb_tables() WHERE database_name = current_database()",
            "SELECT view_name, comment FROM duckdb_views() WHERE NOT internal AND database_name = current_database()",
            "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE NOT internal AND database_name = current_database()",
            "SELECT function_name, function_type, comment FROM duckdb_functions() WHERE NOT internal AND database_name = current_database()",
        ]
        .map(|q| format!("{q} ORDER BY ALL")),
    );
    let commented: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM duckdb_columns() WHERE NOT internal AND database_name = current_database() AND comment IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        commented > 400,
        "the file's columns are commented ({commented})"
    );
    drop(store);

    let with_rows = assert_python_reads_as_the_engine(&python, &db, dir.path(), &queries);
    assert!(
        tables.len() >= 20 && macros.len() >= 15 && with_rows >= 50,
        "a real file: {} tables, {} macros, {with_rows} of {} results with rows",
        tables.len(),
        macros.len(),
        queries.len()
    );
}

/// A file DuckDB 2 created in its own format (as callduck did before it chose the format of new
/// files) keeps that format, which no DuckDB 1.x opens; the rewrite sql/README.md gives makes a
/// copy that the oldest claimed DuckDB reads as the engine does, and that callduck keeps using.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documented_rewrite_makes_a_newer_format_file_readable_by_the_oldest_claimed_duckdb() {
    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("callduck.duckdb");
    // An empty file in DuckDB 2's own format: callduck then migrates and syncs into it.
    drop(duckdb::Connection::open(&db).unwrap());
    sync(&sim, &config, &db, &options(&config)).await.unwrap();
    let python = python_with_duckdb(oldest_reader());
    let err = python_csvs(
        &python,
        &db,
        &[("SELECT 1".into(), dir.path().join("x.csv"))],
    )
    .expect_err("DuckDB 1.x cannot open DuckDB 2's own format");
    assert!(err.contains("version number"), "{err}");

    // The statements exactly as sql/README.md shows them, run by a DuckDB 2 (the engine's).
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../sql/README.md")).unwrap();
    let documented = readme
        .split("```sql\n")
        .filter_map(|b| b.split("```").next())
        .find(|b| b.contains("COPY FROM DATABASE"))
        .expect("sql/README.md shows the rewrite");
    let copy = dir.path().join("callduck-v1.duckdb");
    let rewrite = documented
        .replace("'callduck.duckdb'", &format!("'{}'", db.display()))
        .replace("'callduck-v1.duckdb'", &format!("'{}'", copy.display()));
    assert_ne!(rewrite, documented, "the documented file names");
    duckdb::Connection::open_in_memory()
        .unwrap()
        .execute_batch(&rewrite)
        .unwrap();
    std::fs::rename(&copy, &db).unwrap();

    // callduck goes on with the copy (a sync writes to it), and DuckDB 1.x reads it.
    sync(&sim, &config, &db, &options(&config)).await.unwrap();
    sim.shutdown();
    let queries = [
        "FROM raw_justcall__calls ORDER BY call_id",
        "FROM raw_justcall__texts ORDER BY sms_id",
        "FROM callduck_sync_runs ORDER BY run_id",
        "FROM fct_agent_daily ORDER BY ALL",
        "FROM rpt_call_kpis(DATE '1900-01-01', DATE '2999-12-31') ORDER BY ALL",
        "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE NOT internal AND database_name = current_database() ORDER BY ALL",
    ]
    .map(String::from);
    let with_rows = assert_python_reads_as_the_engine(&python, &db, dir.path(), &queries);
    assert_eq!(with_rows, queries.len(), "every result has rows");
    let runs: i64 = Store::open_read_only(&db)
        .unwrap()
        .conn()
        .query_row("SELECT count(*) FROM callduck_sync_runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        runs, 2,
        "the copy holds the first sync, the second wrote to it"
    );
}

/// `rpt_calls_by_status` is the seed's `callsByStatus` as the Rust core computes it
/// (`JustCallMetrics::calls_by_status`: `call_info.type` as served, `Unknown` when missing), for
/// every agent and the team, over all days and over a week of local days.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_by_status_report_equals_the_rust_core_per_agent_and_range() {
    use callduck_metrics::calls::call_metrics;

    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    sync(&sim, &config, &db, &options(&config)).await.unwrap();
    let data = sim.dataset();
    sim.shutdown();
    let calls: Vec<Call> = data
        .calls
        .iter()
        .filter(|c| !data.malformed_call_ids.contains(&c.id))
        .cloned()
        .collect();
    let zones: BTreeMap<String, String> = data
        .users
        .iter()
        .filter_map(|u| Some((u.id.to_string(), u.timezone.clone()?)))
        .collect();
    let last = config.end.date();
    let ranges = [
        (day("1900-01-01"), day("2999-12-31")),
        (
            last - chrono::Duration::days(8),
            last - chrono::Duration::days(2),
        ),
    ];
    let agents: Vec<Option<String>> = std::iter::once(None)
        .chain(
            data.users
                .iter()
                .filter_map(|u| u.email.clone())
                .map(|e| Some(e.to_uppercase())),
        )
        .collect();

    let store = Store::open_read_only(&db).unwrap();
    let mut statuses_seen = std::collections::BTreeSet::new();
    for (from, to) in ranges {
        for agent in &agents {
            let filter = MetricsOptions {
                from: Some(from),
                to: Some(to),
                agent: agent.clone(),
                time_zone: Some("America/New_York".into()),
                agent_time_zones: zones.clone(),
                ..MetricsOptions::default()
            }
            .resolve()
            .unwrap();
            let rust = call_metrics(&calls, &filter);
            let mut stmt = store
                .conn()
                .prepare(
                    "SELECT call_status, total_calls, completed_calls, missed_calls
                     FROM rpt_calls_by_status(?, ?, agent := ?)",
                )
                .unwrap();
            let rows: Vec<(String, i64, i64, i64)> = stmt
                .query_map(duckdb::params![from, to, agent], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .unwrap()
                .map(Result::unwrap)
                .collect();
            let sql: BTreeMap<String, u64> = rows
                .iter()
                .map(|(status, n, _, _)| (status.clone(), *n as u64))
                .collect();
            assert_eq!(sql.len(), rows.len(), "one row per status");
            assert_eq!(
                sql, rust.calls_by_status,
                "callsByStatus of {agent:?} from {from} to {to} (sql vs rust)"
            );
            let completed: i64 = rows.iter().map(|r| r.2).sum();
            let missed: i64 = rows.iter().map(|r| r.3).sum();
            assert_eq!(
                (completed as u64, missed as u64),
                (rust.completed_calls, rust.missed_calls),
                "outcomes of {agent:?} from {from} to {to}"
            );
            statuses_seen.extend(sql.into_keys());
        }
    }
    assert!(
        statuses_seen.len() >= 4,
        "the data set has several statuses: {statuses_seen:?}"
    );
}

/// `rpt_contact_activity` counts, for every contact (number, name and email as served), linked to
/// a CRM customer or not, the calls and SMS the simulator served with that contact: computed here
/// from the data set, with the agents' local days from the Rust core. Half of the simulated
/// customers are imported, so both linked and unmatched contacts are there; a linked contact shows
/// the customer the engine linked it to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_activity_report_counts_every_contact_as_the_data_set_does() {
    use callduck::simulator::crm::copper_people_csv;
    use callduck_metrics::{CallOutcome, Direction};

    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    sync(&sim, &config, &db, &options(&config)).await.unwrap();
    let data = sim.dataset();
    sim.shutdown();
    let people = dir.path().join("people.csv");
    let half = &data.customers[..data.customers.len() / 2];
    std::fs::write(&people, copper_people_csv(half, config.seed)).unwrap();
    let out = callduck(&db)
        .args(["import", "customers"])
        .arg(&people)
        .args(["--kind", "copper-people"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let zones: BTreeMap<String, String> = data
        .users
        .iter()
        .filter_map(|u| Some((u.id.to_string(), u.timezone.clone()?)))
        .collect();
    type Contact = (Option<String>, Option<String>, Option<String>);
    // calls, inbound, outbound, answered, sms sent, sms received, talk seconds
    type Counts = (i64, i64, i64, i64, i64, i64, i64);
    let last = config.end.date();
    let agent = data.users[0].email.clone().unwrap();
    let cases = [
        (day("1900-01-01"), day("2999-12-31"), None),
        (
            last - chrono::Duration::days(10),
            last - chrono::Duration::days(3),
            Some(agent),
        ),
    ];
    let store = Store::open_read_only(&db).unwrap();
    for (from, to, agent) in cases {
        let filter = MetricsOptions {
            from: Some(from),
            to: Some(to),
            agent: agent.clone(),
            time_zone: Some("America/New_York".into()),
            agent_time_zones: zones.clone(),
            ..MetricsOptions::default()
        }
        .resolve()
        .unwrap();
        let mut rust: BTreeMap<Contact, Counts> = BTreeMap::new();
        for call in data
            .calls
            .iter()
            .filter(|c| !data.malformed_call_ids.contains(&c.id) && filter.accepts_call(c))
        {
            let key = (
                call.contact_number.clone(),
                call.contact_name.clone(),
                call.contact_email.clone(),
            );
            let row = rust.entry(key).or_default();
            row.0 += 1;
            match call.call_info.direction {
                Direction::Incoming => row.1 += 1,
                Direction::Outgoing => row.2 += 1,
            }
            row.3 += i64::from(CallOutcome::of(call) == CallOutcome::Completed);
            row.6 += call.call_duration.total_duration;
        }
        for sms in data
            .texts
            .iter()
            .filter(|s| !data.malformed_text_ids.contains(&s.id) && filter.accepts_sms(s))
        {
            let key = (
                sms.contact_number.clone(),
                sms.contact_name.clone(),
                sms.contact_email.clone(),
            );
            let row = rust.entry(key).or_default();
            match sms.direction {
                Direction::Outgoing => row.4 += 1,
                Direction::Incoming => row.5 += 1,
            }
        }

        let mut stmt = store
            .conn()
            .prepare(
                "SELECT contact_number, contact_name, contact_email, calls, inbound_calls,
                        outbound_calls, answered_calls, sms_sent, sms_received, talk_time_minutes,
                        touches, match_status, customer_id,
                        (SELECT l.customer_id FROM crm_contact_links AS l
                         WHERE l.contact_id = r.contact_id AND NOT l.is_ambiguous) AS linked_customer
                 FROM rpt_contact_activity(?, ?, agent := ?) AS r",
            )
            .unwrap();
        type SqlRow = (
            Contact,
            Counts,
            f64,
            i64,
            String,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<SqlRow> = stmt
            .query_map(duckdb::params![from, to, agent], |r| {
                Ok((
                    (r.get(0)?, r.get(1)?, r.get(2)?),
                    (
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                        0,
                    ),
                    r.get(9)?,
                    r.get(10)?,
                    r.get(11)?,
                    r.get(12)?,
                    r.get(13)?,
                ))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let sql: BTreeMap<Contact, Counts> = rows.iter().map(|r| (r.0.clone(), r.1)).collect();
        assert_eq!(sql.len(), rows.len(), "one row per contact");
        let counts = |m: &BTreeMap<Contact, Counts>| -> BTreeMap<Contact, Counts> {
            m.iter()
                .map(|(k, c)| (k.clone(), (c.0, c.1, c.2, c.3, c.4, c.5, 0)))
                .collect()
        };
        assert_eq!(
            sql,
            counts(&rust),
            "contacts of {agent:?} from {from} to {to}"
        );
        for (contact, _, minutes, touches, status, customer, linked) in &rows {
            let want = rust[contact];
            assert_eq!(*minutes, (want.6 as f64 / 60.0).round(), "{contact:?}");
            assert_eq!(*touches, want.0 + want.4 + want.5, "{contact:?}: touches");
            assert_eq!(customer, linked, "{contact:?}: the engine's link");
            assert_eq!(
                status == "linked",
                customer.is_some(),
                "{contact:?}: {status}"
            );
        }
        let linked = rows.iter().filter(|r| r.5.is_some()).count();
        let with_sms = |linked: bool| {
            rows.iter()
                .filter(|r| r.5.is_some() == linked && r.1 .4 + r.1 .5 > 0)
                .count()
        };
        assert!(
            linked > 0 && linked < rows.len() && with_sms(true) > 0 && with_sms(false) > 0,
            "linked and unmatched contacts, with SMS: {linked} of {} linked",
            rows.len()
        );
    }
}
