//! `callduck demo`: the whole pipeline on a built-in data set, with no credentials.
//!
//! Starts the JustCall simulator on an ephemeral loopback port, syncs it into a DuckDB file
//! (`callduck-demo.duckdb` by default) exactly as `callduck sync` would sync a real account,
//! imports the simulated business's CRM exports (a Copper people CSV and Fishbowl orders, written
//! next to the file) as `callduck import customers` would, runs the data tests and prints a
//! per-agent summary of the last seven local days.

use std::path::Path;

use anyhow::Context as _;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};

use crate::simulator::{SimConfig, Simulator};
use crate::store::Store;
use crate::sync::{run_sync, SyncOptions};

/// Runs the demo against a fresh simulator built from `config`.
pub async fn run(db: &Path, config: SimConfig, progress: bool) -> anyhow::Result<()> {
    println!("{}", crate::simulator::describe(&config));
    let now = config.end;
    let seed = config.seed;
    let (key, secret) = (config.api_key.clone(), config.api_secret.clone());
    let sim = Simulator::start(config, "127.0.0.1:0".parse().expect("loopback address"))
        .await
        .context("starting the JustCall simulator")?;
    println!("JustCall simulator listening on {}", sim.base_url());
    let client = crate::justcall::JustCallClient::with_credentials(&sim.base_url(), &key, &secret)?;
    let store = Store::open(db)?;
    let options = SyncOptions {
        progress,
        business_timezone: Some("America/New_York".into()),
        ..Default::default()
    };
    let summary = run_sync(store, client, &options, now).await?;
    let data = sim.dataset();
    sim.shutdown();
    print!("{}", summary.render(db));

    // The CRM side: the customers calls came from, as a sales team would export them.
    let stem = db.with_extension("");
    let people = stem.with_file_name(format!(
        "{}-copper-people.csv",
        stem.file_name().unwrap_or_default().to_string_lossy()
    ));
    let orders = people.with_file_name(
        people
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .replace("copper-people", "fishbowl-orders"),
    );
    std::fs::write(
        &people,
        crate::simulator::crm::copper_people_csv(&data.customers, seed),
    )
    .with_context(|| format!("writing {}", people.display()))?;
    std::fs::write(
        &orders,
        crate::simulator::crm::fishbowl_orders_csv(
            &data.customers,
            seed,
            (now - chrono::Duration::days(90)).date(),
            now.date(),
        ),
    )
    .with_context(|| format!("writing {}", orders.display()))?;
    let store = Store::open(db)?;
    for (path, kind) in [
        (&people, crate::crm::ImportKind::CopperPeople),
        (&orders, crate::crm::ImportKind::FishbowlOrders),
    ] {
        let parsed = crate::crm::import::read_file(path, kind)?;
        let imported =
            crate::crm::store_import(&store, &parsed, &path.display().to_string(), false)?;
        print!("{}", crate::crm::store::render_summary(&imported));
    }
    drop(store);

    let store = Store::open_read_only(db)?;
    let failures = store.run_data_tests()?;
    println!(
        "data tests: {} passed, {} failed",
        crate::store::DATA_TESTS.len() - failures.len(),
        failures.len()
    );
    for (name, rows, sample) in &failures {
        println!("  FAIL {name}: {rows} row(s), e.g. {sample}");
    }
    println!();
    println!("{}", agent_summary(&store)?);
    println!(
        "Query it yourself: callduck --db {} status, callduck --db {} report accounts, or duckdb {} \"FROM fct_agent_daily\"",
        db.display(),
        db.display(),
        db.display()
    );
    if !failures.is_empty() {
        anyhow::bail!("{} data test(s) failed", failures.len());
    }
    Ok(())
}

/// Per agent, the last seven local days with activity in the store.
fn agent_summary(store: &Store) -> anyhow::Result<String> {
    let mut stmt = store.conn().prepare(
        "WITH last_day AS (SELECT max(local_date) AS d FROM fct_agent_daily)
         SELECT coalesce(u.email, CAST(f.agent_id AS VARCHAR))       AS agent,
                coalesce(u.effective_timezone, '')                   AS timezone,
                count(*)                                             AS active_days,
                sum(f.phone_call_quantity)                           AS calls,
                sum(f.completed_calls)                               AS completed,
                sum(f.missed_calls)                                  AS missed,
                sum(f.talk_time_minutes)                             AS talk_minutes,
                sum(f.sms_quantity)                                  AS sms_sent
         FROM fct_agent_daily f
         LEFT JOIN stg_justcall__users u ON u.user_id = f.agent_id
         WHERE f.local_date > (SELECT d FROM last_day) - INTERVAL 7 DAY
         GROUP BY ALL ORDER BY calls DESC",
    )?;
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header([
        "agent",
        "time zone",
        "days",
        "calls",
        "completed",
        "missed",
        "talk min",
        "SMS sent",
    ]);
    let rows = stmt.query_map([], |r| {
        Ok([
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?.to_string(),
            r.get::<_, i64>(3)?.to_string(),
            r.get::<_, i64>(4)?.to_string(),
            r.get::<_, i64>(5)?.to_string(),
            r.get::<_, i64>(6)?.to_string(),
            r.get::<_, i64>(7)?.to_string(),
        ])
    })?;
    for row in rows {
        let row = row?;
        table.add_row(row.iter().enumerate().map(|(i, v)| {
            let cell = Cell::new(v);
            if i >= 2 {
                cell.set_alignment(CellAlignment::Right)
            } else {
                cell
            }
        }));
    }
    Ok(format!(
        "Last 7 local days per agent (view fct_agent_daily):\n{table}"
    ))
}
