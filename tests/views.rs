//! The SQL views and report macros against real DuckDB files: local days across time zones and
//! DST, the Rust core versus the SQL on the whole simulator data set, and the Python `duckdb`
//! package reading the same file.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use callduck::simulator::SimConfig;
use callduck::store::load::parse_record;
use callduck::store::Store;
use callduck_metrics::metrics::{counts_as_sent, talk_minutes, JustCallMetrics};
use callduck_metrics::{Call, Sms, User};
use chrono::{NaiveDate, NaiveDateTime, TimeZone as _};
use chrono_tz::Tz;
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
    let mut store = Store::open(&dir.path().join("tz.duckdb")).unwrap();
    store
        .set_setting("business_timezone", "America/Chicago")
        .unwrap();
    store
        .ensure_time_zones(["America/New_York", "Asia/Kolkata", "America/Chicago"])
        .unwrap();
    let users: Vec<_> = [
        user_json(1, "ny@x.com", "America/New_York"),
        user_json(2, "in@x.com", "Asia/Kolkata"),
        user_json(3, "mars@x.com", "Mars/Base"), // unknown zone: the business zone applies
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
/// minutes, SMS counted as sent).
type DayRow = (i64, i64, i64, i64, i64, i64, i64, i64);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_views_equal_the_rust_core_for_every_agent_and_day() {
    // The default demo-sized data set: 8 agents in 8 zones over 90 days.
    let config = SimConfig::default();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let opts = options(&config);
    sync(&sim, &config, &db, &opts).await.unwrap();
    let data = sim.dataset();
    sim.shutdown();

    // Rust: the core's definitions, local days from chrono-tz (independent of the SQL's offsets).
    let business: Tz = opts.business_timezone.as_deref().unwrap().parse().unwrap();
    let zones: BTreeMap<i64, Tz> = data
        .users
        .iter()
        .map(|u| {
            (
                u.id,
                u.timezone
                    .as_deref()
                    .and_then(|z| z.parse().ok())
                    .unwrap_or(business),
            )
        })
        .collect();
    let zone = |agent: Option<i64>| {
        agent
            .and_then(|a| zones.get(&a).copied())
            .unwrap_or(business)
    };
    let local_day =
        |agent: Option<i64>, utc: NaiveDateTime| zone(agent).from_utc_datetime(&utc).date_naive();

    let mut calls_by_key: BTreeMap<(i64, NaiveDate), Vec<&Call>> = BTreeMap::new();
    for call in &data.calls {
        let key = (
            call.agent_id.unwrap_or(-1),
            local_day(call.agent_id, call.started_at()),
        );
        calls_by_key.entry(key).or_default().push(call);
    }
    let mut sms_by_key: BTreeMap<(i64, NaiveDate), Vec<&Sms>> = BTreeMap::new();
    for sms in &data.texts {
        let key = (
            sms.agent_id.unwrap_or(-1),
            local_day(sms.agent_id, sms.sent_at()),
        );
        sms_by_key.entry(key).or_default().push(sms);
    }
    let mut rust: BTreeMap<(i64, NaiveDate), DayRow> = BTreeMap::new();
    let mut rust_status: BTreeMap<(i64, NaiveDate, String), u64> = BTreeMap::new();
    for (key, calls) in &calls_by_key {
        let m = JustCallMetrics::compute(calls.iter().copied(), |c| {
            local_day(c.agent_id, c.started_at())
        });
        assert_eq!(m.calls_by_day.len(), 1, "one local day per group");
        rust.insert(
            *key,
            (
                m.total_calls as i64,
                m.inbound_calls as i64,
                m.outbound_calls as i64,
                m.completed_calls as i64,
                m.missed_calls as i64,
                m.total_duration,
                talk_minutes(m.total_duration),
                0,
            ),
        );
        for (status, n) in m.calls_by_status {
            rust_status.insert((key.0, key.1, status), n);
        }
    }
    for (key, texts) in &sms_by_key {
        let sent = texts.iter().filter(|s| counts_as_sent(s)).count() as i64;
        rust.entry(*key).or_insert((0, 0, 0, 0, 0, 0, 0, 0)).7 = sent;
    }

    // SQL: the views, as an analyst reads them.
    let store = Store::open_read_only(&db).unwrap();
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT coalesce(agent_id, -1), local_date, phone_call_quantity, inbound_calls, outbound_calls,
                    completed_calls, missed_calls, talk_time_seconds, talk_time_minutes, sms_quantity
             FROM fct_agent_daily",
        )
        .unwrap();
    let sql: BTreeMap<(i64, NaiveDate), DayRow> = stmt
        .query_map([], |r| {
            Ok((
                (r.get(0)?, r.get(1)?),
                (
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                ),
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT coalesce(agent_id, -1), local_date, coalesce(call_type, 'Unknown'), count(*)
             FROM stg_justcall__calls GROUP BY ALL",
        )
        .unwrap();
    let sql_status: BTreeMap<(i64, NaiveDate, String), u64> = stmt
        .query_map([], |r| {
            Ok((
                (r.get(0)?, r.get(1)?, r.get(2)?),
                r.get::<_, i64>(3)? as u64,
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

/// A Python with the `duckdb` package of the engine's DuckDB version: `CALLDUCK_PYTHON` if set,
/// else a virtual environment under the cargo target directory, created on first use.
fn python_with_duckdb(version: &str) -> PathBuf {
    if let Some(p) = std::env::var_os("CALLDUCK_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("pyduckdb-{version}"));
    let python = venv.join("bin/python");
    let ready = Command::new(&python)
        .args([
            "-c",
            &format!("import duckdb, sys; sys.exit(duckdb.__version__ != '{version}')"),
        ])
        .status()
        .is_ok_and(|s| s.success());
    if !ready {
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
    use callduck_metrics::MetricsOptions;

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
    use callduck_metrics::MetricsOptions;

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
