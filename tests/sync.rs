//! Sync against the real simulator over HTTP into a real DuckDB file: completeness, idempotence,
//! edits, duplicates across pages, injected faults, and the cadence of full re-scans.

mod common;

use std::time::Duration;

use callduck::simulator::{Fault, SimConfig};
use callduck::sync::SyncOptions;
use chrono::{NaiveDateTime, TimeDelta};
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backfill_reproduces_the_data_set_and_a_second_run_writes_nothing() {
    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let opts = options(&config);

    let first = sync(&sim, &config, &db, &opts).await.unwrap();
    let data = sim.dataset();
    assert_eq!(
        first.total().new as usize,
        data.users.len() + data.calls.len() + data.texts.len()
    );
    assert_eq!(first.total().rejected, 0);
    assert_store_equals(&db, &data);

    let before = sim.stats().requests;
    let second = sync(&sim, &config, &db, &opts).await.unwrap();
    let t = second.total();
    assert_eq!(
        (t.new, t.updated, t.rejected),
        (0, 0, 0),
        "an unchanged upstream writes nothing"
    );
    // Only the trailing window is re-read: one users page plus, per stream, the pages that
    // hold its records (a short last page ends each window).
    let requests = sim.stats().requests - before;
    let mut needed = 1;
    for s in second.streams.iter().filter(|s| s.stream != "users") {
        assert!(s.windows >= 1);
        assert!(
            s.pages <= s.fetched / 100 + s.windows,
            "{s:?} requested more pages than needed"
        );
        needed += s.pages;
    }
    assert_eq!(requests, needed, "requests of the second run");
    assert!(
        second
            .streams
            .iter()
            .find(|s| s.stream == "calls")
            .unwrap()
            .fetched
            < first
                .streams
                .iter()
                .find(|s| s.stream == "calls")
                .unwrap()
                .fetched
                / 2,
        "the second run re-scans a trailing window, not the whole history"
    );
    assert_store_equals(&db, &sim.dataset());
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_and_new_records_in_the_trailing_window_are_picked_up() {
    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let opts = options(&config);
    sync(&sim, &config, &db, &opts).await.unwrap();

    let edited = sim.edit_recent_calls(5, chrono::Duration::days(2));
    assert_eq!(edited.len(), 5);
    let summary = sync(&sim, &config, &db, &opts).await.unwrap();
    let calls = summary
        .streams
        .iter()
        .find(|s| s.stream == "calls")
        .unwrap();
    assert_eq!((calls.written.new, calls.written.updated), (0, 5));
    assert_store_equals(&db, &sim.dataset());
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_served_on_two_pages_is_stored_once() {
    let config = small_config();
    let sim = start(config.clone()).await;
    sim.set_duplicate_across_pages(true);
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let summary = sync(&sim, &config, &db, &options(&config)).await.unwrap();
    let calls = summary
        .streams
        .iter()
        .find(|s| s.stream == "calls")
        .unwrap();
    assert!(
        calls.fetched > calls.written.new,
        "the simulator did serve duplicates"
    );
    assert_store_equals(&db, &sim.dataset());
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_lose_nothing_duplicate_nothing_and_quarantine_the_malformed_record() {
    let config = SimConfig {
        malformed_calls: 1,
        ..small_config()
    };
    let sim = start(config.clone()).await;
    // Seven consecutive failures of the first request: the client's eighth (last) attempt succeeds.
    sim.inject(Fault::TooManyRequests { count: 2 });
    sim.inject(Fault::ServerError {
        status: 503,
        count: 2,
    });
    sim.inject(Fault::DropConnection { count: 2 });
    sim.inject(Fault::ServerError {
        status: 500,
        count: 1,
    });
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let summary = sync(&sim, &config, &db, &options(&config)).await.unwrap();
    assert!(summary.retries >= 7, "every fault was retried: {summary:?}");
    assert!(summary.responses_429 >= 2);
    let data = sim.dataset();
    assert_eq!(data.malformed_call_ids.len(), 1);
    assert_store_equals(&db, &data);
    assert_eq!(
        quarantined(&db, "calls"),
        vec![data.malformed_call_ids[0].to_string()]
    );

    // Running again neither duplicates the quarantine entry nor changes anything.
    let again = sync(&sim, &config, &db, &options(&config)).await.unwrap();
    assert_eq!(
        (
            again.total().new,
            again.total().updated,
            again.total().quarantined_new
        ),
        (0, 0, 0)
    );
    assert_eq!(quarantined(&db, "calls").len(), 1);
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paces_itself_under_a_rate_limit_without_any_429() {
    let config = SimConfig {
        agents: 2,
        days: 10,
        calls_per_agent_day: 20.0,
        texts_per_agent_day: 5.0,
        rate_limit: Some(callduck::simulator::RateLimit {
            per_hour: 10_000,
            per_burst: 4,
            burst_window: Duration::from_secs(1),
            hour_window: Duration::from_secs(3600),
        }),
        ..SimConfig::default()
    };
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let opts = callduck::sync::SyncOptions {
        window_days: 3,
        ..options(&config)
    };
    let summary = sync(&sim, &config, &db, &opts).await.unwrap();
    assert_eq!(summary.responses_429, 0, "{summary:?}");
    assert_eq!(sim.stats().throttled, 0);
    assert!(
        summary.requests > 8,
        "enough requests to need pacing: {}",
        summary.requests
    );
    assert_store_equals(&db, &sim.dataset());
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_repeats_a_page_stops_the_sync_clearly_and_loses_nothing() {
    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    // Users (one page), calls page 0, then page 0 again where page 1 was asked.
    sim.inject(Fault::Slow {
        delay: Duration::ZERO,
        count: 2,
    });
    sim.inject(Fault::RepeatFirstPage { count: 1 });
    let err = sync(&sim, &config, &db, &options(&config))
        .await
        .unwrap_err();
    let text = format!("{err:#}");
    assert!(text.contains("repeats pages"), "{text}");
    {
        let store = callduck::store::Store::open_read_only(&db).unwrap();
        assert_eq!(
            store.watermark("calls").unwrap(),
            None,
            "no watermark for a broken window"
        );
    }
    // The next run, against a well-behaved server, completes.
    sync(&sim, &config, &db, &options(&config)).await.unwrap();
    assert_store_equals(&db, &sim.dataset());
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clock_ahead_of_justcalls_is_refused_before_anything_is_stored() {
    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let client = callduck::justcall::JustCallClient::with_credentials(
        &sim.base_url(),
        &config.api_key,
        &config.api_secret,
    )
    .unwrap();
    // The simulator answers with the real time in its Date header; this run believes it is a
    // day later, as a machine with a clock ahead would.
    let ahead = callduck::store::now_utc() + chrono::TimeDelta::days(1);
    let err = callduck::sync::run_sync(
        callduck::store::Store::open(&db).unwrap(),
        client,
        &options(&config),
        ahead,
    )
    .await
    .unwrap_err();
    assert!(
        format!("{err:#}").contains("ahead of JustCall's"),
        "{err:#}"
    );
    let store = callduck::store::Store::open_read_only(&db).unwrap();
    for stream in ["users", "calls", "texts"] {
        assert_eq!(store.watermark(stream).unwrap(), None, "{stream}");
    }
    let users: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM raw_justcall__users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(users, 0, "nothing was stored");
    sim.shutdown();
}

/// A call that started `ago` (give or take 6 hours) before `now`, finished and well-formed.
fn call_started_about(
    data: &callduck::simulator::Dataset,
    now: NaiveDateTime,
    ago: TimeDelta,
) -> i64 {
    data.calls
        .iter()
        .rev()
        .find(|c| {
            let age = now - c.started_at();
            age >= ago
                && age < ago + TimeDelta::hours(6)
                && !data.malformed_call_ids.contains(&c.id)
                && c.call_info.call_type.as_deref() != Some("In Progress")
        })
        .map(|c| c.id)
        .expect("a call of that age")
}

/// The cadence setting of cron users: with `--full-rescan-every 24h` the runs in between re-read
/// only the overlap, so an edit to a two-day-old call waits for the next full re-scan and lands
/// there, not before. A full re-scan that fails does not count (the next run is full again), and
/// the cadence lives in the file: every run here opens it anew, as a cron job does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_cadence_an_older_edit_lands_at_the_next_full_rescan_and_not_before() {
    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let opts = SyncOptions {
        full_rescan_every: Some(TimeDelta::hours(24)),
        overlap: TimeDelta::minutes(10),
        ..options(&config)
    };
    let t0 = config.end;
    let calls_of = |s: &callduck::sync::SyncSummary| {
        s.streams
            .iter()
            .find(|s| s.stream == "calls")
            .unwrap()
            .clone()
    };
    let first = sync_at(&sim, &config, &db, &opts, t0).await.unwrap();
    assert!(calls_of(&first).full_rescan, "a first run is a full scan");
    let last_full = |db: &std::path::Path| {
        callduck::store::Store::open_read_only(db)
            .unwrap()
            .last_full_rescan("calls")
            .unwrap()
    };
    assert_eq!(last_full(&db), Some(t0));

    // Two days old: inside the trailing 3 days, outside what an overlap run re-reads (10 minutes
    // plus at most 28 hours of time-zone slack).
    let id = call_started_about(&sim.dataset(), t0, TimeDelta::days(2));
    assert_eq!(sim.edit_calls(&[id]), vec![id]);
    let edited = sim
        .dataset()
        .calls
        .iter()
        .find(|c| c.id == id)
        .unwrap()
        .call_info
        .notes
        .clone();
    assert_ne!(stored_notes(&db, id), edited);

    // Runs before the cadence has passed re-read only the overlap: the edit does not land.
    let mut full_fetched = None;
    for after in [TimeDelta::hours(1), TimeDelta::minutes(23 * 60 + 50)] {
        let run = sync_at(&sim, &config, &db, &opts, t0 + after)
            .await
            .unwrap();
        let calls = calls_of(&run);
        assert!(!calls.full_rescan, "{after}: an overlap run");
        assert_eq!(calls.written.updated, 0, "{after}");
        assert_ne!(
            stored_notes(&db, id),
            edited,
            "{after}: not before the full re-scan"
        );
        full_fetched.get_or_insert(calls.fetched);
    }
    assert_eq!(last_full(&db), Some(t0));

    // At 24 h the full re-scan is due. Probe it on a copy of the file to learn how many requests
    // it takes to finish the calls, then fail the real one in the texts, after the calls' full
    // re-scan is stored: the run failed, so it does not count, and the edit of the call lands
    // all the same (what a failed run stored is kept).
    let probe = dir.path().join("probe.duckdb");
    std::fs::copy(&db, &probe).unwrap();
    let due = t0 + TimeDelta::hours(24);
    let probed = sync_at(&sim, &config, &probe, &opts, due).await.unwrap();
    let full_calls = calls_of(&probed);
    assert!(full_calls.full_rescan && full_calls.written.updated == 1);
    assert!(
        full_calls.fetched > full_fetched.unwrap(),
        "an overlap run reads less than a full re-scan: {full_calls:?}"
    );
    sim.inject(Fault::Slow {
        delay: Duration::ZERO,
        count: 1 + full_calls.pages as u32,
    });
    sim.inject(Fault::ServerError {
        status: 500,
        count: 1,
    });
    let once = callduck::justcall::JustCallClient::new(callduck::justcall::JustCallConfig {
        base_url: sim.base_url(),
        api_key: callduck::secret::Secret::new(config.api_key.clone()),
        api_secret: callduck::secret::Secret::new(config.api_secret.clone()),
        max_attempts: 1,
        ..Default::default()
    })
    .unwrap();
    let store = callduck::store::Store::open(&db).unwrap();
    let err = callduck::sync::run_sync(store, once, &opts, due)
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("/v2.1/texts"), "{err:#}");
    assert_eq!(stored_notes(&db, id), edited, "the calls were re-scanned");
    assert_eq!(
        last_full(&db),
        Some(t0),
        "a failed run is not a full re-scan"
    );

    // So the next run re-scans in full again, and counts.
    let again = t0 + TimeDelta::hours(24) + TimeDelta::minutes(1);
    let run = sync_at(&sim, &config, &db, &opts, again).await.unwrap();
    assert!(run
        .streams
        .iter()
        .filter(|s| s.stream != "users")
        .all(|s| s.full_rescan));
    assert_eq!(last_full(&db), Some(again));
    assert_store_equals(&db, &sim.dataset());
    sim.shutdown();
}

/// Plain `sync` keeps its promise: by default every run re-scans the trailing days, so the edit
/// lands at the next run; the same runs with a daily cadence land it at the next full re-scan.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn by_default_the_next_run_lands_an_edit_and_a_cadence_defers_it_to_the_full_rescan() {
    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let (every_run, cadence) = (
        dir.path().join("every.duckdb"),
        dir.path().join("cadence.duckdb"),
    );
    let daily = SyncOptions {
        full_rescan_every: Some(TimeDelta::hours(24)),
        ..options(&config)
    };
    let t0 = config.end;
    sync_at(&sim, &config, &every_run, &options(&config), t0)
        .await
        .unwrap();
    sync_at(&sim, &config, &cadence, &daily, t0).await.unwrap();
    let id = call_started_about(&sim.dataset(), t0, TimeDelta::days(2));
    sim.edit_calls(&[id]);
    let edited = sim
        .dataset()
        .calls
        .iter()
        .find(|c| c.id == id)
        .unwrap()
        .call_info
        .notes
        .clone();
    let one_hour = t0 + TimeDelta::hours(1);
    sync_at(&sim, &config, &every_run, &options(&config), one_hour)
        .await
        .unwrap();
    sync_at(&sim, &config, &cadence, &daily, one_hour)
        .await
        .unwrap();
    assert_eq!(
        stored_notes(&every_run, id),
        edited,
        "by default the next run re-scans"
    );
    assert_ne!(
        stored_notes(&cadence, id),
        edited,
        "with a cadence it waits"
    );
    sync_at(&sim, &config, &cadence, &daily, t0 + TimeDelta::hours(24))
        .await
        .unwrap();
    assert_eq!(
        stored_notes(&cadence, id),
        edited,
        "the daily full re-scan lands it"
    );
    sim.shutdown();
}

/// The real binary: `--full-rescan-every` makes the second run an overlap run, and `callduck
/// status` shows what the runs cost (the requests each printed, and the share of the hourly
/// limit the simulator's headers reported) and when each stream was last re-scanned in full.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_takes_the_cadence_and_status_shows_the_budget() {
    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let until = config.end.format("%Y-%m-%d %H:%M:%S").to_string();
    let backfill = (config.days + 2).to_string();
    let run = |extra: &[&str]| {
        let out = callduck(&db)
            .env("JUSTCALL_BASE_URL", sim.base_url())
            .env("JUSTCALL_API_KEY", &config.api_key)
            .env("JUSTCALL_API_SECRET", &config.api_secret)
            .args(["sync", "--until", &until, "--backfill-days", &backfill])
            .args(extra)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let requests: u64 = text
            .split("requests: ")
            .nth(1)
            .and_then(|r| r.split(',').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no request count in {text}"));
        (text, requests)
    };
    let (first, a) = run(&["--full-rescan-every", "1d"]);
    assert!(first.contains("(full re-scan)"), "{first}");
    let (second, b) = run(&[]);
    assert!(
        second.contains("(full re-scan)"),
        "the default is every run: {second}"
    );
    // From the environment, as a cron job's settings may come.
    let out = callduck(&db)
        .env("JUSTCALL_BASE_URL", sim.base_url())
        .env("JUSTCALL_API_KEY", &config.api_key)
        .env("JUSTCALL_API_SECRET", &config.api_secret)
        .env("CALLDUCK_FULL_RESCAN_EVERY", "24h")
        .env("CALLDUCK_RESCAN_OVERLAP", "15m")
        .args(["sync", "--until", &until])
        .output()
        .unwrap();
    let third = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{third}");
    assert!(
        third.contains("(overlap)") && !third.contains("(full re-scan)"),
        "{third}"
    );
    let c: u64 = third
        .split("requests: ")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(c < b, "the overlap run costs fewer requests: {c} vs {b}");

    let out = callduck(&db).arg("status").output().unwrap();
    let status = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{status}");
    let total = a + b + c;
    assert!(
        status.contains(&format!("3 run(s), {total} requests")),
        "{status}"
    );
    assert!(
        status.contains("of the hourly limit of 1000000/h")
            && status.contains("as JustCall's headers reported"),
        "{status}"
    );
    assert!(
        status.contains(&format!("calls up to {} UTC", config.end)),
        "{status}"
    );
    sim.shutdown();
}
