//! Sync against the real simulator over HTTP into a real DuckDB file: completeness, idempotence,
//! edits, duplicates across pages and injected faults.

mod common;

use std::time::Duration;

use callduck::simulator::{Fault, SimConfig};
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
