//! `callduck bench memory`: does `callduck sync` hold memory in proportion to what it loads?
//!
//! Runs the real binary as users do: the simulator (`callduck simulate`) in one child process and
//! a full backfill (`callduck sync`) in another, at 1× and 4× the records, once with DuckDB's
//! default memory limit (the reference: 80% of RAM) and once with `--memory-limit`. Peak RSS is
//! the sync process's own (`wait4`'s `ru_maxrss`), so neither the simulator nor this process
//! counts.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::Context as _;

/// One measured sync.
struct Measured {
    records: u64,
    seconds: f64,
    peak_rss_mib: f64,
}

/// Serves the simulator in a child process; killed when dropped.
struct SimProcess(std::process::Child, String);

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn simulator(exe: &Path, calls: f64, texts: f64) -> anyhow::Result<SimProcess> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut child = Command::new(exe)
        .args(["--quiet", "simulate", "--agents", "50", "--days", "90"])
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .args(["--calls-per-agent-day", &calls.to_string()])
        .args(["--texts-per-agent-day", &texts.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("starting `callduck simulate`")?;
    let stdout = child.stdout.take().expect("piped");
    let mut sim = SimProcess(child, format!("http://127.0.0.1:{port}"));
    for line in BufReader::new(stdout).lines() {
        if line?.contains("Press Ctrl-C") {
            return Ok(sim);
        }
    }
    let status = sim.0.wait()?;
    anyhow::bail!("the simulator exited before serving ({status})")
}

/// Runs `callduck sync` (a full backfill) into a new file and measures its peak RSS.
fn measured_sync(
    exe: &Path,
    sim: &SimProcess,
    db: &Path,
    memory_limit: Option<&str>,
    batch_records: usize,
) -> anyhow::Result<Measured> {
    let _ = std::fs::remove_file(db);
    let _ = std::fs::remove_file(db.with_extension("duckdb.wal"));
    let mut cmd = Command::new(exe);
    cmd.arg("--db").arg(db).arg("--quiet");
    cmd.args(["--memory-limit", memory_limit.unwrap_or("none")]);
    cmd.args(["sync", "--backfill-days", "89"])
        .args(["--batch-records", &batch_records.to_string()])
        .env("JUSTCALL_BASE_URL", &sim.1)
        .env("JUSTCALL_API_KEY", "sim-key")
        .env("JUSTCALL_API_SECRET", "sim-secret")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    let started = Instant::now();
    let child = cmd.spawn().context("starting `callduck sync`")?;
    let (status, usage) = wait_with_usage(child.id())?;
    let seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(status == 0, "`callduck sync` failed (wait status {status})");
    let store = crate::store::Store::open_read_only(db)?;
    let records: i64 = store.conn().query_row(
        "SELECT (SELECT count(*) FROM raw_justcall__calls) + (SELECT count(*) FROM raw_justcall__texts)",
        [],
        |r| r.get(0),
    )?;
    Ok(Measured {
        records: records as u64,
        seconds,
        peak_rss_mib: usage.ru_maxrss as f64 / 1024.0,
    })
}

/// Waits for `pid` and returns its wait status and resource usage (Linux `wait4`).
fn wait_with_usage(pid: u32) -> anyhow::Result<(i32, libc::rusage)> {
    let mut status = 0;
    // SAFETY: rusage is plain data that wait4 fills in; pid is our own child, not yet reaped.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let got = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
    anyhow::ensure!(
        got == pid as libc::pid_t,
        "wait4: {}",
        std::io::Error::last_os_error()
    );
    Ok((status, usage))
}

/// Runs the benchmark: 1× and 4× `records`, without and with `memory_limit`.
pub fn bench_memory(
    records: usize,
    memory_limit: &str,
    batch_records: usize,
    dir: &Path,
) -> anyhow::Result<()> {
    let exe = std::env::current_exe().context("finding the callduck binary")?;
    // The simulator's mix: two calls for each SMS, 50 agents over 90 days.
    let per_agent_day = records as f64 / (50.0 * 90.0);
    println!(
        "bench memory: `callduck sync` full backfill in its own process, simulator in another; \
         1× ≈ {records} records, batches of {batch_records}"
    );
    let mut rows = Vec::new();
    for scale in [1.0, 4.0] {
        let sim = simulator(
            &exe,
            scale * per_agent_day * 2.0 / 3.0,
            scale * per_agent_day / 3.0,
        )?;
        for limit in [None, Some(memory_limit)] {
            let m = measured_sync(&exe, &sim, &dir.join("memory.duckdb"), limit, batch_records)?;
            let label = limit.map_or("DuckDB default (80% RAM)".to_string(), |l| {
                format!("--memory-limit {l}")
            });
            println!(
                "  {scale}×  {:<26} {:>8} records in {:>6.1}s  peak RSS {:>6.0} MiB",
                label, m.records, m.seconds, m.peak_rss_mib
            );
            rows.push((scale, limit.is_some(), m));
        }
    }
    for limited in [false, true] {
        let peak = |scale: f64| {
            rows.iter()
                .find(|(s, l, _)| *s == scale && *l == limited)
                .map_or(f64::NAN, |(_, _, m)| m.peak_rss_mib)
        };
        println!(
            "  peak RSS 4× / 1× {}: {:.2} (1.10 or less: memory does not grow with the data)",
            if limited {
                format!("with --memory-limit {memory_limit}")
            } else {
                "with DuckDB's default".to_string()
            },
            peak(4.0) / peak(1.0)
        );
    }
    Ok(())
}
