//! The real `callduck` binary against the real simulator: errors users see, a second writer,
//! SIGKILL mid-sync, secrets kept out of output and the file, and the demo.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use callduck::simulator::{SimConfig, SimHandle};
use common::*;

fn against(db: &Path, sim: &SimHandle, config: &SimConfig) -> Command {
    let mut cmd = callduck(db);
    cmd.env("JUSTCALL_BASE_URL", sim.base_url())
        .env("JUSTCALL_API_KEY", &config.api_key)
        .env("JUSTCALL_API_SECRET", &config.api_secret);
    cmd
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `sync` args that cover the simulator's whole history, ending at its fixed "now".
fn sync_args(config: &SimConfig) -> Vec<String> {
    vec![
        "sync".into(),
        "--until".into(),
        config.end.format("%Y-%m-%d %H:%M:%S").to_string(),
        "--backfill-days".into(),
        (config.days + 2).to_string(),
        "--batch-records".into(),
        "300".into(),
    ]
}

#[test]
fn a_bad_since_is_a_usage_error_naming_the_format() {
    let dir = tempfile::tempdir().unwrap();
    let out = callduck(&temp_db(&dir))
        .args(["sync", "--since", "last tuesday"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("YYYY-MM-DD"), "{}", text(&out));
}

#[test]
fn missing_credentials_say_which_variable_to_set() {
    let dir = tempfile::tempdir().unwrap();
    let out = callduck(&temp_db(&dir)).arg("sync").output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("JUSTCALL_API_KEY"), "{}", text(&out));
    assert!(
        !temp_db(&dir).exists(),
        "no file is created before credentials are checked"
    );
}

#[test]
fn an_unreachable_host_fails_clearly_after_bounded_retries() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = callduck(&temp_db(&dir))
        .args(["sync", "--max-attempts", "2"])
        .env("JUSTCALL_BASE_URL", "http://127.0.0.1:9")
        .env("JUSTCALL_API_KEY", "k")
        .env("JUSTCALL_API_SECRET", "s")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(5),
        "upstream failure: {}",
        text(&out)
    );
    let t = text(&out);
    assert!(
        t.contains("/v2.1/users"),
        "the error names the request: {t}"
    );
    assert!(t.contains("2 attempts"), "{t}");
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
fn an_unwritable_path_says_what_to_fix() {
    for db in ["/nonexistent-dir/x.duckdb", "/proc/callduck.duckdb"] {
        let out = callduck(Path::new(db))
            .arg("sync")
            .env("JUSTCALL_API_KEY", "k")
            .env("JUSTCALL_API_SECRET", "s")
            .env("JUSTCALL_BASE_URL", "http://127.0.0.1:9")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{db}: {}", text(&out));
        assert!(text(&out).contains("cannot open"), "{db}: {}", text(&out));
        assert!(text(&out).contains("--db"), "{db}: {}", text(&out));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_are_reported_without_leaking_the_secret() {
    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let secret = "s3cr3t-value-never-printed";
    let out = against(&db, &sim, &config)
        .args(sync_args(&config))
        .env("JUSTCALL_API_SECRET", secret)
        .args(["-vv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("JUSTCALL_API_SECRET"), "{t}");
    assert!(!t.contains(secret), "the secret leaked into the output");

    // A successful verbose sync does not write the secret to the output or the file either.
    let out = against(&db, &sim, &config)
        .args(sync_args(&config))
        .arg("-vv")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains(&config.api_secret));
    let bytes = std::fs::read(&db).unwrap();
    let needle = config.api_secret.as_bytes();
    assert!(
        !bytes.windows(needle.len()).any(|w| w == needle),
        "the secret is in the DuckDB file"
    );
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_sync_then_rerun_yields_exactly_the_data_set() {
    let config = SimConfig {
        latency: Duration::from_millis(40),
        ..small_config()
    };
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);

    let mut child = against(&db, &sim, &config)
        .args(sync_args(&config))
        .args(["--window-days", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Let it store a few windows, then kill it without warning.
    let deadline = Instant::now() + Duration::from_secs(60);
    while sim.stats().requests < 12 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(!status.success(), "the sync was killed before it finished");

    // While one sync runs, a second one on the same file is refused clearly.
    let mut slow = against(&db, &sim, &config)
        .args(sync_args(&config))
        .args(["--window-days", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let out = against(&db, &sim, &config)
        .args(sync_args(&config))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "busy: {}", text(&out));
    assert!(
        text(&out).contains("in use by another process"),
        "{}",
        text(&out)
    );
    assert!(slow.wait().unwrap().success());

    let out = against(&db, &sim, &config)
        .args(sync_args(&config))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_store_equals(&db, &sim.dataset());
    sim.shutdown();
}

#[test]
fn memory_limit_reaches_duckdb_and_a_bad_size_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let out = callduck(&db)
        .args(["settings", "set", "business_timezone", "UTC"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let setting = |limit: Option<&str>| {
        let mut cmd = callduck(&db);
        if let Some(limit) = limit {
            cmd.args(["--memory-limit", limit]);
        }
        let out = cmd
            .args([
                "sql",
                "--format",
                "csv",
                "SELECT current_setting('memory_limit') AS m",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .nth(1)
            .unwrap_or("")
            .to_string()
    };
    // DuckDB prints limits in binary units: 300MB = 286.1 MiB, the default 512MB = 488.2 MiB.
    assert_eq!(setting(Some("300MB")), "286.1 MiB");
    assert_eq!(setting(None), "488.2 MiB");
    let unlimited = setting(Some("none"));
    assert_ne!(unlimited, "488.2 MiB", "none keeps DuckDB's own default");
    let out = callduck(&db)
        .args(["--memory-limit", "lots", "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("512MB"), "{}", text(&out));
}

#[test]
fn status_of_a_missing_file_says_how_to_create_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = callduck(&temp_db(&dir)).arg("status").output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out).contains("callduck sync"), "{}", text(&out));
}

#[test]
fn demo_runs_end_to_end_without_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.duckdb");
    let out = callduck(&temp_db(&dir))
        .args(["demo", "--agents", "3", "--days", "14", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains(" 0 failed"), "{t}");
    assert!(t.contains("Last 7 local days per agent"), "{t}");
    let status = callduck(&db).arg("status").output().unwrap();
    assert!(status.status.success());
    assert!(
        text(&status).contains("complete up to"),
        "{}",
        text(&status)
    );
    let check = callduck(&db).arg("check").output().unwrap();
    assert!(check.status.success(), "{}", text(&check));
}

fn json_rows(out: &Output) -> Vec<serde_json::Value> {
    assert!(out.status.success(), "{}", text(out));
    serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout).expect("a JSON array")
}

fn team_row(rows: &[serde_json::Value]) -> &serde_json::Value {
    rows.iter()
        .find(|r| r["is_team_total"] == true)
        .expect("a team row")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_sql_and_settings_as_an_analyst_uses_them() {
    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let out = against(&db, &sim, &config)
        .args(["sync", "--backfill-days", "30"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    sim.shutdown();

    // The leaderboard: one row per agent plus the team row, which is their sum.
    let kpis = json_rows(
        &callduck(&db)
            .args(["report", "kpis", "--format", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(kpis.len(), config.agents + 1);
    let team = team_row(&kpis);
    let agent_sum: i64 = kpis
        .iter()
        .filter(|r| r["is_team_total"] == false)
        .map(|r| r["total_calls"].as_i64().unwrap())
        .sum();
    assert_eq!(team["total_calls"].as_i64().unwrap(), agent_sum);
    let ranks: Vec<i64> = kpis
        .iter()
        .filter_map(|r| r["call_rank"].as_i64())
        .collect();
    assert_eq!(ranks.first(), Some(&1));

    // One agent, asked for in another case: the agent and a team row made of that agent alone.
    let someone = kpis[0]["agent_email"].as_str().unwrap().to_uppercase();
    let one = json_rows(
        &callduck(&db)
            .args(["report", "kpis", "-f", "json", "--agent", &someone])
            .output()
            .unwrap(),
    );
    assert_eq!(one.len(), 2);
    assert_eq!(one[0]["total_calls"], one[1]["total_calls"]);
    assert_eq!(one[0]["total_calls"], kpis[0]["total_calls"]);

    // A bounded range in CSV: every row inside it, every column present.
    let out = callduck(&db)
        .args([
            "report",
            "agent-daily",
            "--from",
            "2026-11-10",
            "--to",
            "2026-11-12",
            "-f",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    for column in [
        "local_date",
        "agent_email",
        "phone_call_quantity",
        "talk_time_minutes",
        "sms_quantity",
        "service_level",
    ] {
        assert!(
            header.split(',').any(|c| c == column),
            "{column} in {header}"
        );
    }
    let days: Vec<&str> = lines.map(|l| l.split(',').next().unwrap()).collect();
    assert!(!days.is_empty());
    assert!(
        days.iter()
            .all(|d| ("2026-11-10"..="2026-11-12").contains(d)),
        "{days:?}"
    );

    // Tables for people.
    let heat = callduck(&db).args(["report", "heatmap"]).output().unwrap();
    assert!(
        heat.status.success() && text(&heat).contains("Mon") && text(&heat).contains("23:00"),
        "{}",
        text(&heat)
    );
    let team_table = callduck(&db).args(["report", "team"]).output().unwrap();
    assert!(
        text(&team_table).contains("answer_rate") && text(&team_table).contains('%'),
        "{}",
        text(&team_table)
    );

    // The seed's callsByStatus and the per-contact activity (no CRM import needed): over the
    // default range, their calls add up to the leaderboard's team row.
    let sum = |rows: &[serde_json::Value], column: &str| -> i64 {
        rows.iter().map(|r| r[column].as_i64().unwrap()).sum()
    };
    let by_status = json_rows(
        &callduck(&db)
            .args(["report", "calls-by-status", "-f", "json"])
            .output()
            .unwrap(),
    );
    assert!(by_status.len() >= 3, "{by_status:?}");
    assert_eq!(sum(&by_status, "total_calls"), agent_sum);
    assert_eq!(
        sum(&by_status, "completed_calls"),
        team["completed_calls"].as_i64().unwrap()
    );
    let contacts = json_rows(
        &callduck(&db)
            .args(["report", "contact-activity", "-f", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(sum(&contacts, "calls"), agent_sum);
    assert!(
        contacts.iter().all(|c| c["match_status"] == "unmatched"),
        "no customers imported"
    );
    assert!(sum(&contacts, "sms_sent") > 0);
    for report in ["calls-by-status", "contact-activity"] {
        let table = callduck(&db).args(["report", report]).output().unwrap();
        assert!(table.status.success(), "{report}: {}", text(&table));
    }

    // Parquet is complete and readable by DuckDB.
    let parquet = dir.path().join("kpis.parquet");
    let out = callduck(&db)
        .args(["report", "kpis", "-f", "parquet"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("--output"), "{}", text(&out));
    let out = callduck(&db)
        .args(["report", "kpis", "-f", "parquet", "-o"])
        .arg(&parquet)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let query = format!(
        "SELECT count(*) AS n, sum(total_calls) AS calls FROM '{}'",
        parquet.display()
    );
    let back = json_rows(
        &callduck(&db)
            .args(["sql", &query, "-f", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(back[0]["n"].as_i64().unwrap() as usize, kpis.len());
    assert_eq!(back[0]["calls"].as_i64().unwrap(), 2 * agent_sum);

    let count_calls = || {
        json_rows(
            &callduck(&db)
                .args([
                    "sql",
                    "SELECT count(*) AS n FROM raw_justcall__calls",
                    "-f",
                    "json",
                ])
                .output()
                .unwrap(),
        )[0]["n"]
            .as_i64()
            .unwrap()
    };
    let calls_before = count_calls();

    // Mistakes say what to fix, with a non-zero exit.
    for (args, expected) in [
        (
            vec![
                "report",
                "kpis",
                "--from",
                "2026-11-12",
                "--to",
                "2026-11-10",
            ],
            "after",
        ),
        (
            vec!["report", "kpis", "--agent", "nobody@nowhere.com"],
            "no agent",
        ),
        (vec!["sql", "SELEC 1"], "syntax"),
        (vec!["sql", "DELETE FROM raw_justcall__calls"], "read-only"),
        (
            vec!["settings", "set", "service_level_seconds", "soon"],
            "whole number",
        ),
        (
            vec!["settings", "set", "business_timezone", "Mars/Olympus"],
            "IANA",
        ),
        (
            vec!["settings", "set", "colour", "blue"],
            "service_level_seconds",
        ),
    ] {
        let out = callduck(&db).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", text(&out));
        assert!(
            text(&out).to_lowercase().contains(&expected.to_lowercase()),
            "{args:?}: {}",
            text(&out)
        );
    }
    let out = callduck(&db)
        .args(["report", "leaderboards"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "clap rejects unknown reports: {}",
        text(&out)
    );
    assert_eq!(
        count_calls(),
        calls_before,
        "`callduck sql` cannot modify the file"
    );

    // A stricter service level changes the KPI, through the file's settings.
    let out = callduck(&db)
        .args(["settings", "set", "service_level_seconds", "1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let strict = json_rows(
        &callduck(&db)
            .args(["report", "kpis", "-f", "json"])
            .output()
            .unwrap(),
    );
    let sl = |rows: &[serde_json::Value]| team_row(rows)["service_level"].as_f64().unwrap();
    assert!(sl(&strict) < sl(&kpis), "{} < {}", sl(&strict), sl(&kpis));
    let listed = callduck(&db).arg("settings").output().unwrap();
    assert!(
        text(&listed).contains("service_level_seconds") && text(&listed).contains(" 1 "),
        "{}",
        text(&listed)
    );

    // An empty file says how to fill it.
    let empty = dir.path().join("empty.duckdb");
    assert!(callduck(&empty)
        .args(["settings", "set", "service_level_seconds", "20"])
        .status()
        .unwrap()
        .success());
    let out = callduck(&empty).args(["report", "kpis"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("callduck sync"), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_firestore_says_what_to_configure_and_dry_runs_from_a_users_file() {
    let config = SimConfig {
        agents: 2,
        ..small_config()
    };
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let out = against(&db, &sim, &config)
        .args(["sync", "--backfill-days", "30"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    sim.shutdown();

    // Nothing configured: say where the project comes from.
    let home = tempfile::tempdir().unwrap();
    let out = callduck(&db)
        .args(["export", "firestore"])
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out).contains("GOOGLE_CLOUD_PROJECT")
            && text(&out).contains("GOOGLE_APPLICATION_CREDENTIALS"),
        "{}",
        text(&out)
    );
    // An emulator but no project.
    let out = callduck(&db)
        .args(["export", "firestore"])
        .env("FIRESTORE_EMULATOR_HOST", "127.0.0.1:9")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out).contains("--project"), "{}", text(&out));
    // A key file that is not a key: named, its content never printed.
    let key = dir.path().join("sa.json");
    std::fs::write(&key, r#"{"type":"service_account","project_id":"p","private_key":"PRIVATEKEYMATERIAL","client_email":"x@p.iam.gserviceaccount.com"}"#).unwrap();
    let out = callduck(&db)
        .args(["export", "firestore"])
        .env("GOOGLE_APPLICATION_CREDENTIALS", &key)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out).contains("sa.json"), "{}", text(&out));
    assert!(!text(&out).contains("PRIVATEKEYMATERIAL"), "{}", text(&out));
    // --export-firestore on sync checks the settings before syncing.
    let out = callduck(&db)
        .args(["sync", "--export-firestore"])
        .env("JUSTCALL_API_KEY", "k")
        .env("JUSTCALL_API_SECRET", "s")
        .env("JUSTCALL_BASE_URL", "http://127.0.0.1:9")
        .env("GOOGLE_CLOUD_PROJECT", "p")
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("FIRESTORE_EMULATOR_HOST")
            && text(&out).contains("gcloud auth application-default login"),
        "{}",
        text(&out)
    );
    assert!(
        !text(&out).contains("/v2.1/"),
        "the credentials are checked before JustCall is asked: {}",
        text(&out)
    );
    // Application Default Credentials from `gcloud auth application-default login`: used (its
    // quota project is the project), and its secrets never printed when Google cannot be reached.
    let adc = home.path().join(".config/gcloud");
    std::fs::create_dir_all(&adc).unwrap();
    std::fs::write(
        adc.join("application_default_credentials.json"),
        r#"{"type":"authorized_user","client_id":"cid.apps.googleusercontent.com","client_secret":"CLIENTSECRETVALUE","refresh_token":"REFRESHTOKENVALUE","quota_project_id":"adc-project"}"#,
    )
    .unwrap();
    let out = callduck(&db)
        .args(["export", "firestore"])
        .env("HOME", home.path())
        .output()
        .unwrap();
    let t = text(&out);
    assert_eq!(out.status.code(), Some(3), "{t}");
    assert!(
        !t.contains("--project") && t.contains("application-default"),
        "the project came from the ADC file; the token could not be had: {t}"
    );
    assert!(
        !t.contains("CLIENTSECRETVALUE") && !t.contains("REFRESHTOKENVALUE"),
        "{t}"
    );

    // A dry run from a users file needs no Firestore: one agent maps (email in another case).
    let email: String = {
        let store = callduck::store::Store::open_read_only(&db).unwrap();
        store
            .conn()
            .query_row(
                "SELECT email FROM raw_justcall__users ORDER BY user_id LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    let users = dir.path().join("users.json");
    std::fs::write(
        &users,
        format!(
            r#"[{{"id": "u1", "email": " {} ", "name": "A"}}]"#,
            email.to_uppercase()
        ),
    )
    .unwrap();
    let out = callduck(&db)
        .args(["export", "firestore", "--dry-run", "--users-file"])
        .arg(&users)
        .output()
        .unwrap();
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(
        t.contains("would write") && t.contains("u1_phone_call_quantity_"),
        "{t}"
    );
    assert!(
        t.contains("1 JustCall agent(s) match no dashboard user"),
        "{t}"
    );
    // A dry run changes nothing in the file: the users it read are not stored.
    let view = callduck(&db)
        .args([
            "sql",
            "SELECT count(*) AS n FROM firestore_users",
            "-f",
            "csv",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&view.stdout).lines().nth(1),
        Some("0"),
        "{}",
        text(&view)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watermark_never_moves_past_now_nor_across_a_skipped_range() {
    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let at = |t: chrono::NaiveDateTime| t.format("%Y-%m-%d %H:%M:%S").to_string();
    let watermark = |stream: &str| {
        callduck::store::Store::open_read_only(&db)
            .unwrap()
            .watermark(stream)
            .unwrap()
    };

    // --until in the future is refused before anything is fetched.
    let out = against(&db, &sim, &config)
        .args(["sync", "--until", "2030-01-01"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("is in the future"), "{}", text(&out));
    assert_eq!(sim.stats().requests, 0, "nothing was fetched");

    // The first ten days, then a --since that skips days 10 to 15.
    let day10 = config.start() + chrono::TimeDelta::days(10);
    let day15 = config.start() + chrono::TimeDelta::days(15);
    let out = against(&db, &sim, &config)
        .args(["sync", "--until", &at(day10), "--backfill-days", "12"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(watermark("calls"), Some(day10));
    let out = against(&db, &sim, &config)
        .args(["sync", "--since", &at(day15), "--until", &at(config.end)])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        watermark("calls"),
        Some(day10),
        "the skipped days are not marked synced"
    );
    // The next plain run fills the gap.
    let out = against(&db, &sim, &config)
        .args(sync_args(&config))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_store_equals(&db, &sim.dataset());

    // A watermark a clock ahead put in the future stops the sync with the way back, which works.
    {
        let store = callduck::store::Store::open(&db).unwrap();
        store
            .conn()
            .execute_batch("UPDATE callduck_sync_state SET watermark = TIMESTAMP '2030-01-01' WHERE stream = 'calls'")
            .unwrap();
    }
    let out = against(&db, &sim, &config)
        .args(sync_args(&config))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("callduck watermark reset"),
        "{}",
        text(&out)
    );
    let forward = callduck(&db)
        .args(["watermark", "reset", "calls", "--to", "2031-01-01"])
        .output()
        .unwrap();
    assert!(
        !forward.status.success(),
        "a watermark is never moved forward"
    );
    let back = callduck(&db)
        .args(["watermark", "reset", "calls", "--to", &at(day15)])
        .output()
        .unwrap();
    assert!(back.status.success(), "{}", text(&back));
    assert_eq!(watermark("calls"), Some(day15));
    let out = against(&db, &sim, &config)
        .args(sync_args(&config))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(watermark("calls"), Some(config.end));
    assert_store_equals(&db, &sim.dataset());
    sim.shutdown();
}

#[test]
fn sql_never_writes_and_its_restricted_mode_reads_the_database_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("someone-elses.duckdb");
    {
        let conn = duckdb::Connection::open(&db).unwrap();
        conn.execute_batch("CREATE TABLE t AS SELECT range AS n FROM range(5)")
            .unwrap();
    }
    let out = callduck(&db)
        .args(["sql", "SELECT count(*) AS n FROM t", "-f", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "n\n5\n");
    assert!(
        text(&out).contains("not created by callduck"),
        "{}",
        text(&out)
    );
    let objects: i64 = duckdb::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT (SELECT count(*) FROM duckdb_tables()) + (SELECT count(*) FROM duckdb_views() WHERE NOT internal)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        objects, 1,
        "nothing was installed into a file callduck did not create"
    );

    // Dates DuckDB can hold and chrono cannot are printed, not a panic.
    let out = callduck(&db)
        .args([
            "sql",
            "SELECT 'infinity'::DATE AS d, '-infinity'::DATE AS e",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("infinity"), "{}", text(&out));

    // --restricted: the database, nothing else.
    let secret = dir.path().join("secret.csv");
    std::fs::write(&secret, "a\n1\n").unwrap();
    for query in [
        format!("FROM read_csv('{}')", secret.display()),
        format!(
            "COPY (SELECT 1) TO '{}'",
            dir.path().join("out.csv").display()
        ),
        format!(
            "ATTACH '{}' AS other",
            dir.path().join("other.duckdb").display()
        ),
        "SET enable_external_access = true".to_string(),
    ] {
        let out = callduck(&db)
            .args(["sql", "--restricted", &query])
            .output()
            .unwrap();
        assert!(!out.status.success(), "refused: {query}");
    }
    assert!(!dir.path().join("out.csv").exists());
    let out = callduck(&db)
        .args([
            "sql",
            "--restricted",
            "SELECT sum(n) AS total FROM t",
            "-f",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("\"total\":10"),
        "{}",
        text(&out)
    );
}

#[test]
fn version_names_the_release_the_commit_and_duckdb() {
    let out = callduck_bare().arg("--version").output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.starts_with(&format!("callduck {} (", env!("CARGO_PKG_VERSION"))),
        "{t}"
    );
    assert!(t.contains("DuckDB v"), "{t}");
    // Built from a git checkout (as CI and `cargo install --path engine` do): the commit it was
    // built from. HEAD may have moved since the build only if someone commits mid-test.
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    if let Some(head) = head.ok().filter(|h| h.status.success()) {
        let head = String::from_utf8_lossy(&head.stdout).trim().to_string();
        assert!(
            t.contains(&format!("(commit {head})")),
            "{t} vs HEAD {head}"
        );
    }
}

#[test]
fn completions_and_man_pages_cover_every_command() {
    let commands = [
        "sync", "status", "check", "report", "sql", "export", "serve", "settings",
    ];
    let out = callduck_bare()
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let script = String::from_utf8(out.stdout).unwrap();
    for c in commands {
        assert!(script.contains(c), "bash completion lacks {c}");
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("callduck.bash");
    std::fs::write(&file, &script).unwrap();
    let syntax = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(syntax.status.success(), "{}", text(&syntax));
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let out = callduck_bare()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success() && out.stdout.len() > 1000, "{shell}");
    }
    let out = callduck_bare().arg("man").output().unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(".TH callduck 1"), "{page}");
    let out = callduck_bare()
        .args(["man", "--out-dir"])
        .arg(dir.path().join("man1"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    for c in commands {
        let page = dir.path().join(format!("man1/callduck-{c}.1"));
        let roff = std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{page:?}: {e}"));
        assert!(roff.contains(".SH"), "{c}");
    }
    // Benchmarks are listed apart from the everyday commands.
    let help = text(&callduck_bare().arg("--help").output().unwrap());
    assert!(!help.contains("\n  bench"), "{help}");
    assert!(help.contains("callduck bench --help"), "{help}");
    assert!(callduck_bare()
        .args(["bench", "--help"])
        .output()
        .unwrap()
        .status
        .success());
}

#[test]
fn settings_help_lists_every_setting_with_its_default() {
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let out = callduck(&db)
        .args(["settings", "set", "service_level_seconds", "30"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let listing = callduck(&db).arg("settings").output().unwrap();
    assert!(listing.status.success(), "{}", text(&listing));
    let keys: Vec<String> = String::from_utf8_lossy(&listing.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    assert!(keys.len() >= 5, "{keys:?}");
    let help = text(
        &callduck_bare()
            .args(["settings", "--help"])
            .output()
            .unwrap(),
    );
    for key in &keys {
        let line = help
            .lines()
            .find(|l| l.trim_start().starts_with(key.as_str()))
            .unwrap_or_else(|| panic!("settings --help lacks {key}: {help}"));
        assert!(line.contains("default"), "{line}");
    }
}

#[test]
fn sql_reads_a_query_from_a_file_or_stdin() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let out = callduck(&db)
        .args(["settings", "set", "business_timezone", "Europe/Paris"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let query =
        "-- the zone analysts set\nSELECT callduck_business_timezone() AS zone, 6 * 7 AS n;\n";
    let file = dir.path().join("q.sql");
    std::fs::write(&file, query).unwrap();
    let expected = "zone,n\nEurope/Paris,42\n";
    let out = callduck(&db)
        .args(["sql", "-f", "csv", "--file"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        expected,
        "{}",
        text(&out)
    );
    for args in [vec!["sql", "-f", "csv"], vec!["sql", "-", "-f", "csv"]] {
        let mut child = callduck(&db)
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(query.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            expected,
            "{args:?}: {}",
            text(&out)
        );
    }
    // An empty file is refused, not run as nothing.
    std::fs::write(&file, "  \n").unwrap();
    let out = callduck(&db)
        .args(["sql", "--file"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("empty"), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_tell_data_tests_and_interruptions_apart() {
    let config = SimConfig {
        latency: Duration::from_millis(40),
        ..small_config()
    };
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);

    // Calls without their users: the orphan-agent data test fails, and `check` says so with 6.
    let out = against(&db, &sim, &config)
        .args(sync_args(&config))
        .args(["--streams", "calls"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let out = callduck(&db).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    assert!(
        text(&out).contains("FAIL assert_no_orphan_agents"),
        "{}",
        text(&out)
    );

    // SIGINT mid-sync: stops, commits what it fetched, records the run, exits 130.
    let other_dir = tempfile::tempdir_in(dir.path()).unwrap();
    let other = temp_db(&other_dir);
    let child = against(&other, &sim, &config)
        .args(sync_args(&config))
        .args(["--window-days", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let before = sim.stats().requests;
    let deadline = Instant::now() + Duration::from_secs(60);
    while sim.stats().requests < before + 15 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out));
    assert!(text(&out).contains("interrupted"), "{}", text(&out));
    let stored: i64 = {
        let store = callduck::store::Store::open_read_only(&other).unwrap();
        let (stored, error): (i64, Option<String>) = store
            .conn()
            .query_row(
                "SELECT (SELECT count(*) FROM raw_justcall__calls), \
                 (SELECT error_message FROM callduck_sync_runs ORDER BY run_id DESC LIMIT 1)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert!(
            error.as_deref().is_some_and(|e| e.contains("interrupted")),
            "the run is recorded as interrupted: {error:?}"
        );
        stored
    };
    assert!(
        stored > 0,
        "what was fetched before the signal is committed"
    );
    let out = against(&other, &sim, &config)
        .args(sync_args(&config))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_store_equals(&other, &sim.dataset());
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_are_one_object_per_line() {
    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let out = callduck_bare()
        .arg("--db")
        .arg(temp_db(&dir))
        .args(sync_args(&config))
        .args(["-v", "--log-format", "json"])
        .env("JUSTCALL_BASE_URL", sim.base_url())
        .env("JUSTCALL_API_KEY", &config.api_key)
        .env("JUSTCALL_API_SECRET", &config.api_secret)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "-v logs something");
    for line in &lines {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
        assert!(
            v["timestamp"].is_string() && v["level"].is_string(),
            "{line}"
        );
        assert!(v.get("message").is_some(), "{line}");
    }
    assert!(!stderr.contains(&config.api_secret));
    sim.shutdown();
}
