//! `callduck demo` and `callduck simulate`: the built-in JustCall simulator, synced into a demo
//! file or served on loopback.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::runtime;
use super::Ctx;
use crate::simulator::{RateLimit, SimConfig, Simulator};

/// The demo's file when `--db` is not given on the command line.
pub const DEMO_DB: &str = "callduck-demo.duckdb";

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Seed of the synthetic data set (same seed, same data).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Number of agents.
    #[arg(long, default_value_t = 8)]
    pub agents: usize,
    /// Days of history ending now.
    #[arg(long, default_value_t = 90)]
    pub days: u32,
    /// Mean calls per agent and day.
    #[arg(long, default_value_t = 25.0)]
    pub calls_per_agent_day: f64,
    /// Mean SMS per agent and day.
    #[arg(long, default_value_t = 15.0)]
    pub texts_per_agent_day: f64,
    /// Enforce a burst limit of N requests per minute (with the real headers and 429s).
    #[arg(long)]
    pub rate_per_minute: Option<u32>,
    /// Enforce an hourly limit of N requests.
    #[arg(long)]
    pub rate_per_hour: Option<u32>,
}

impl SimArgs {
    pub fn config(&self) -> SimConfig {
        let mut cfg = SimConfig::ending_now();
        cfg.seed = self.seed;
        cfg.agents = self.agents;
        cfg.days = self.days;
        cfg.calls_per_agent_day = self.calls_per_agent_day;
        cfg.texts_per_agent_day = self.texts_per_agent_day;
        if self.rate_per_minute.is_some() || self.rate_per_hour.is_some() {
            cfg.rate_limit = Some(RateLimit {
                per_burst: self.rate_per_minute.unwrap_or(u32::MAX),
                per_hour: self.rate_per_hour.unwrap_or(u32::MAX),
                burst_window: std::time::Duration::from_secs(60),
                hour_window: std::time::Duration::from_secs(3600),
            });
        }
        cfg
    }
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub sim: SimArgs,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:8089")]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub sim: SimArgs,
}

/// Runs the demo.
pub fn run(ctx: &Ctx, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let progress = ctx.progress;
    let db = if ctx.db_from_command_line {
        ctx.db.clone()
    } else {
        PathBuf::from(DEMO_DB)
    };
    runtime()?.block_on(crate::demo::run(&db, args.sim.config(), progress))?;
    Ok(ExitCode::SUCCESS)
}

/// Serves the simulator until ctrl-c.
pub fn simulate(args: SimulateArgs) -> anyhow::Result<ExitCode> {
    let config = args.sim.config();
    runtime()?.block_on(async move {
        println!("{}", crate::simulator::describe(&config));
        let (key, secret) = (config.api_key.clone(), config.api_secret.clone());
        let handle = Simulator::start(config, args.addr).await?;
        println!("JustCall simulator on {}", handle.base_url());
        println!("  export JUSTCALL_BASE_URL={}", handle.base_url());
        println!("  export JUSTCALL_API_KEY={key} JUSTCALL_API_SECRET={secret}");
        println!("Press Ctrl-C to stop.");
        tokio::signal::ctrl_c().await?;
        handle.shutdown();
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
