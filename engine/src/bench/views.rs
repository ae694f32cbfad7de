//! `callduck bench views`: the analysts' views over millions of calls.
//!
//! Generates N calls straight into `raw_justcall__calls` with SQL (50 agents in 10 time zones over
//! 90 days; the JSON path is benchmarked by `bench load`), then times, in the same file and
//! process, each view fully materialised next to a hand-written single GROUP BY that computes the
//! same numbers (same time-zone join, no layers). The two results are checked to agree.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::store::Store;

const ZONES: [&str; 10] = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Phoenix",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Australia/Sydney",
    "UTC",
];

/// Fills `store` with `calls` synthetic calls and 50 users.
fn generate(store: &Store, calls: usize) -> anyhow::Result<()> {
    let conn = store.conn();
    store.ensure_time_zones(ZONES)?;
    let zones = ZONES
        .iter()
        .map(|z| format!("'{z}'"))
        .collect::<Vec<_>>()
        .join(", ");
    conn.execute_batch(&format!(
        "INSERT INTO raw_justcall__users (user_id, user_name, email, timezone, record_hash, raw_json, first_synced_at, updated_at)
         SELECT i, 'Agent ' || i, 'agent' || i || '@example.com', ([{zones}])[1 + i % 10], i, '{{}}', now()::TIMESTAMP, now()::TIMESTAMP
         FROM range(1, 51) AS t(i);"
    ))?;
    conn.execute_batch(&format!(
        "INSERT INTO raw_justcall__calls BY NAME
         SELECT
             i AS call_id,
             TIMESTAMP '2026-08-22 00:00:00' + to_seconds(CAST(i * (90 * 86400 / {calls}::DOUBLE) AS BIGINT)) AS started_at,
             1 + hash(i) % 50 AS agent_id,
             CASE WHEN hash(i * 3) % 2 = 0 THEN 'Incoming' ELSE 'Outgoing' END AS direction,
             (['Answered', 'Answered', 'Answered', 'Missed', 'Unanswered', 'Voicemail', 'Abandoned before ringing'])[CAST(1 + hash(i * 5) % 7 AS BIGINT)] AS call_type,
             (['Interested', 'Call Back Later', NULL, NULL])[CAST(1 + hash(i * 7) % 4 AS BIGINT)] AS disposition,
             CAST(hash(i * 11) % 30 AS INTEGER) AS ring_seconds,
             CAST(hash(i * 13) % 20 AS INTEGER) AS queue_wait_seconds,
             CAST(hash(i * 17) % 600 AS INTEGER) AS conversation_seconds,
             CAST(hash(i * 19) % 60 AS INTEGER) AS hold_seconds,
             CAST(hash(i * 17) % 600 + hash(i * 19) % 60 AS INTEGER) AS total_duration_seconds,
             CAST(hash(i * 23) % 90 AS INTEGER) AS wrap_up_seconds,
             CAST(hash(i * 17) % 600 + hash(i * 19) % 60 + hash(i * 23) % 90 AS INTEGER) AS handle_seconds,
             i AS record_hash,
             '{{}}' AS raw_json,
             now()::TIMESTAMP AS first_synced_at,
             now()::TIMESTAMP AS updated_at
         FROM range(1, {calls} + 1) AS t(i);
         CHECKPOINT;"
    ))?;
    Ok(())
}

/// The per-agent-day call numbers of fct_agent_daily in one hand-written query.
const HAND_DAILY: &str = "
    SELECT c.agent_id,
           CAST(c.started_at + to_seconds(CASE WHEN c.started_at >= o.changes_at THEN o.offset_after_change ELSE o.utc_offset_seconds END) AS DATE) AS local_date,
           count(*) AS phone_call_quantity,
           count(*) FILTER (WHERE c.direction = 'Incoming') AS inbound_calls,
           count(*) FILTER (WHERE c.direction = 'Outgoing') AS outbound_calls,
           count(*) FILTER (WHERE lower(c.call_type) = 'answered') AS completed_calls,
           count(*) FILTER (WHERE lower(c.call_type) <> 'answered') AS missed_calls,
           sum(c.total_duration_seconds) AS talk_time_seconds,
           round(sum(c.total_duration_seconds) / 60.0) AS talk_time_minutes,
           count(*) FILTER (WHERE c.direction = 'Incoming' AND lower(c.call_type) = 'answered'
                              AND c.ring_seconds + c.queue_wait_seconds <= 20) AS inbound_answered_in_sl,
           sum(c.handle_seconds) FILTER (WHERE lower(c.call_type) = 'answered') AS answered_handle_seconds
    FROM raw_justcall__calls AS c
    JOIN raw_justcall__users AS u ON u.user_id = c.agent_id
    JOIN callduck_tz_days AS o ON o.timezone = u.timezone AND o.utc_date = CAST(c.started_at AS DATE)
    GROUP BY ALL";

/// Per-agent and team KPIs over a range of local days, hand-written from the raw table.
const HAND_KPIS: &str = "
    SELECT c.agent_id,
           count(*) AS total_calls,
           count(*) FILTER (WHERE c.direction = 'Incoming' AND lower(c.call_type) = 'answered')
             / count(*) FILTER (WHERE c.direction = 'Incoming') AS answer_rate,
           sum(c.handle_seconds) FILTER (WHERE lower(c.call_type) = 'answered')
             / count(*) FILTER (WHERE lower(c.call_type) = 'answered') AS average_handle_seconds,
           sum(c.ring_seconds + c.queue_wait_seconds) FILTER (WHERE c.direction = 'Incoming' AND lower(c.call_type) = 'answered')
             / count(*) FILTER (WHERE c.direction = 'Incoming' AND lower(c.call_type) = 'answered') AS asa,
           count(*) FILTER (WHERE c.direction = 'Incoming' AND lower(c.call_type) = 'answered'
                              AND c.ring_seconds + c.queue_wait_seconds <= 20)
             / count(*) FILTER (WHERE c.direction = 'Incoming') AS service_level
    FROM raw_justcall__calls AS c
    JOIN raw_justcall__users AS u ON u.user_id = c.agent_id
    JOIN callduck_tz_days AS o ON o.timezone = u.timezone AND o.utc_date = CAST(c.started_at AS DATE)
    WHERE CAST(c.started_at + to_seconds(CASE WHEN c.started_at >= o.changes_at THEN o.offset_after_change ELSE o.utc_offset_seconds END) AS DATE) BETWEEN DATE '2026-01-01' AND DATE '2026-12-31'
    GROUP BY GROUPING SETS ((c.agent_id), ())";

/// Weekday x hour, hand-written.
const HAND_HEATMAP: &str = "
    SELECT isodow(c.started_at + to_seconds(CASE WHEN c.started_at >= o.changes_at THEN o.offset_after_change ELSE o.utc_offset_seconds END)) AS local_weekday,
           hour(c.started_at + to_seconds(CASE WHEN c.started_at >= o.changes_at THEN o.offset_after_change ELSE o.utc_offset_seconds END)) AS local_hour,
           count(*) AS total_calls
    FROM raw_justcall__calls AS c
    JOIN raw_justcall__users AS u ON u.user_id = c.agent_id
    JOIN callduck_tz_days AS o ON o.timezone = u.timezone AND o.utc_date = CAST(c.started_at AS DATE)
    GROUP BY ALL";

/// Best of `runs` wall times of materialising `query` into a temporary table; returns its rows.
fn time_query(store: &Store, query: &str, runs: usize) -> anyhow::Result<(Duration, i64)> {
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let t = Instant::now();
        store
            .conn()
            .execute_batch(&format!(
                "CREATE OR REPLACE TEMP TABLE bench_result AS {query}"
            ))
            .with_context(|| format!("running {query}"))?;
        best = best.min(t.elapsed());
    }
    let rows = store
        .conn()
        .query_row("SELECT count(*) FROM bench_result", [], |r| r.get(0))?;
    Ok((best, rows))
}

fn scalar(store: &Store, query: &str) -> anyhow::Result<i64> {
    Ok(store.conn().query_row(query, [], |r| r.get(0))?)
}

/// Runs the benchmark and prints one line per view with its hand-written reference.
pub fn bench_views(calls: usize, runs: usize, dir: &Path) -> anyhow::Result<()> {
    println!(
        "bench views: {calls} calls, 50 agents in 10 zones over 90 days, best of {runs}, in {}",
        dir.display()
    );
    let store = Store::open(&dir.join("views.duckdb"))?;
    let t = Instant::now();
    generate(&store, calls)?;
    println!("  generated in {:.1}s", t.elapsed().as_secs_f64());

    let window = "DATE '2026-01-01', DATE '2026-12-31'";
    let pairs = [
        ("fct_agent_daily (agent x day)", "FROM fct_agent_daily".to_string(), HAND_DAILY.to_string()),
        ("rpt_call_kpis (agents + team)", format!("FROM rpt_call_kpis({window})"), HAND_KPIS.to_string()),
        ("rpt_call_heatmap (weekday x hour)", format!("FROM rpt_call_heatmap({window})"), HAND_HEATMAP.to_string()),
        (
            "stg_justcall__calls (row-level)",
            "SELECT call_id, local_date, call_outcome FROM stg_justcall__calls".to_string(),
            "SELECT c.call_id, CAST(c.started_at + to_seconds(CASE WHEN c.started_at >= o.changes_at THEN o.offset_after_change ELSE o.utc_offset_seconds END) AS DATE) AS local_date, c.call_type
             FROM raw_justcall__calls AS c JOIN raw_justcall__users AS u ON u.user_id = c.agent_id
             JOIN callduck_tz_days AS o ON o.timezone = u.timezone AND o.utc_date = CAST(c.started_at AS DATE)"
                .to_string(),
        ),
    ];
    println!(
        "  {:<36} {:>9} {:>9} {:>9}  rows",
        "view", "view s", "hand s", "ratio"
    );
    for (name, view, hand) in &pairs {
        let (view_time, view_rows) = time_query(&store, view, runs)?;
        let view_calls = match *name {
            n if n.starts_with("fct_agent_daily") => Some(scalar(
                &store,
                "SELECT sum(phone_call_quantity) FROM bench_result",
            )?),
            _ => None,
        };
        let (hand_time, hand_rows) = time_query(&store, hand, runs)?;
        if let Some(view_calls) = view_calls {
            let hand_calls = scalar(&store, "SELECT sum(phone_call_quantity) FROM bench_result")?;
            anyhow::ensure!(
                view_calls == hand_calls && view_rows == hand_rows,
                "{name}: view and hand-written query disagree ({view_rows} rows / {view_calls} calls vs {hand_rows} / {hand_calls})"
            );
        }
        println!(
            "  {:<36} {:>9.3} {:>9.3} {:>9.2}  {view_rows} (hand: {hand_rows})",
            name,
            view_time.as_secs_f64(),
            hand_time.as_secs_f64(),
            view_time.as_secs_f64() / hand_time.as_secs_f64()
        );
    }
    println!("  ratio = view / hand-written (1.0 = no cost for the layers)");
    Ok(())
}
