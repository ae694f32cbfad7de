//! `callduck report` and `callduck sql`: the analysts' views, printed from the DuckDB file.
//!
//! Every report is one of the `rpt_*` table macros in `sql/reports/` (which analysts can call from
//! any DuckDB client), so the binary and the SQL never disagree. The table format shows each
//! report's headline columns; csv, json and parquet carry every column.

pub mod output;

use anyhow::Context as _;
use chrono::NaiveDate;
use clap::ValueEnum;

use crate::store::Store;
use output::{quote, Format, Output};

/// The reports `callduck report` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportName {
    /// One row per agent and local day: calls, outcomes, talk time, SMS (rpt_agent_daily).
    AgentDaily,
    /// Per-agent leaderboard with call-centre KPIs and a team total row (rpt_call_kpis).
    Kpis,
    /// Team totals over the range: calls, KPIs and SMS in one column (rpt_call_kpis + rpt_sms_summary).
    Team,
    /// SMS sent, received, response rate and first-response time per agent (rpt_sms_summary).
    Sms,
    /// Calls per local weekday and hour (rpt_call_heatmap).
    Heatmap,
    /// Calls per disposition with ratings (rpt_call_dispositions).
    Dispositions,
    /// Calls per call status, the seed's callsByStatus: call_info.type as served (rpt_calls_by_status).
    CallsByStatus,
    /// Calls and SMS per JustCall contact, linked to a CRM customer or not (rpt_contact_activity).
    ContactActivity,
    /// Calls and SMS per CRM customer (rpt_customer_activity; needs `callduck import customers`).
    Customers,
    /// Calls and SMS per CRM account, with calls per week (rpt_account_activity).
    Accounts,
    /// Each agent's most contacted customers, --top per agent (rpt_top_customers).
    TopCustomers,
    /// Accounts not contacted in --days days up to --to, never-contacted included (rpt_stale_accounts).
    StaleAccounts,
    /// Orders and revenue within --window-days after calls vs accounts not called (rpt_orders_after_calls).
    OrdersAfterCalls,
    /// Every JustCall contact with its CRM match: linked, ambiguous or unmatched (rpt_contact_matches).
    ContactMatches,
}

impl ReportName {
    /// Reports over CRM customers, which need an import first.
    pub fn needs_customers(self) -> bool {
        matches!(
            self,
            ReportName::Customers
                | ReportName::Accounts
                | ReportName::TopCustomers
                | ReportName::StaleAccounts
                | ReportName::OrdersAfterCalls
                | ReportName::ContactMatches
        )
    }
}

/// A report request: which report, over which local days, for which agent.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    pub name: ReportName,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Agent email (case-insensitive); all agents when `None`.
    pub agent: Option<String>,
    /// Days the default range covers when `from` is not given.
    pub default_days: i64,
    /// `top-customers`: customers per agent.
    pub top: u32,
    /// `stale-accounts`: days without contact.
    pub stale_days: u32,
    /// `orders-after-calls`: days after a call in which an order counts.
    pub window_days: u32,
}

/// The inclusive local-day range a report covers: `to` defaults to the last day with activity in
/// the file, `from` to `default_days` before it.
pub fn resolve_range(store: &Store, req: &ReportRequest) -> anyhow::Result<(NaiveDate, NaiveDate)> {
    let to = match req.to {
        Some(to) => to,
        None => store
            .conn()
            .query_row("SELECT max(local_date) FROM fct_agent_daily", [], |r| r.get::<_, Option<NaiveDate>>(0))?
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "{} holds no calls or SMS yet: run `callduck sync` first (or give --from and --to)",
                    store.path().display()
                )
            })?,
    };
    let from = req
        .from
        .unwrap_or(to - chrono::Duration::days(req.default_days - 1));
    anyhow::ensure!(from <= to, "--from {from} is after --to {to}");
    Ok((from, to))
}

/// The macro call behind a report, with all its columns.
fn source(macro_name: &str, from: NaiveDate, to: NaiveDate, agent: Option<&str>) -> String {
    let agent = agent.map_or_else(|| "NULL".to_string(), quote);
    format!("{macro_name}(DATE '{from}', DATE '{to}', agent := {agent})")
}

/// Where a report's rows come from.
#[derive(Clone, Copy)]
enum Rows {
    /// A table macro over the local-day range and the agent: `name(from, to, agent := ...)`.
    Range(&'static str),
    /// `rpt_top_customers`, with `--top` per agent.
    TopCustomers,
    /// `rpt_stale_accounts`, with `--days` up to `--to`.
    StaleAccounts,
    /// `rpt_orders_after_calls`, with `--window-days`.
    OrdersAfterCalls,
    /// The contacts' matches, of the contacts the agent called or texted when one is given.
    ContactMatches,
    /// The team rows of `rpt_call_kpis` and `rpt_sms_summary` side by side (printed vertically).
    Team,
    /// `rpt_call_heatmap`, pivoted for a terminal: hours down, weekdays across.
    Heatmap,
}

/// One report: its source, and the headline columns a table shows (machine formats get every
/// column); `None` shows every column in tables too.
struct ReportSpec {
    name: ReportName,
    rows: Rows,
    table: Option<&'static str>,
    /// ORDER BY of the table format and of machine formats, when the source has none of its own.
    order: Option<(&'static str, &'static str)>,
}

/// Every report, in one place.
const REPORTS: &[ReportSpec] = &[
    ReportSpec {
        name: ReportName::AgentDaily,
        rows: Rows::Range("rpt_agent_daily"),
        table: Some(
            "local_date, agent_email, phone_call_quantity AS calls, inbound_calls AS inbound,
             outbound_calls AS outbound, completed_calls AS completed, missed_calls AS missed,
             talk_time_minutes AS talk_min, sms_quantity AS sms_sent, answer_rate",
        ),
        order: None,
    },
    ReportSpec {
        name: ReportName::Kpis,
        rows: Rows::Range("rpt_call_kpis"),
        table: Some(
            "coalesce(CAST(call_rank AS VARCHAR), '') AS rank, agent_email AS agent,
             total_calls AS calls, inbound_calls AS inbound, outbound_calls AS outbound,
             completed_calls AS completed, missed_calls AS missed, talk_time_minutes AS talk_min,
             answer_rate, voicemail_rate, abandon_rate,
             average_handle_seconds AS aht_s, average_speed_of_answer_seconds AS asa_s,
             service_level",
        ),
        order: None,
    },
    ReportSpec {
        name: ReportName::Team,
        rows: Rows::Team,
        table: None,
        order: None,
    },
    ReportSpec {
        name: ReportName::Sms,
        rows: Rows::Range("rpt_sms_summary"),
        table: Some(
            "agent_email AS agent, sms_sent AS sent, sms_received AS received,
             sms_bulk_or_automated_sent AS bulk_or_auto, sms_delivery_failed AS failed,
             contacts_messaged, contacts_replied, response_rate,
             median_first_response_seconds AS median_first_reply_s,
             average_first_response_seconds AS avg_first_reply_s",
        ),
        order: None,
    },
    ReportSpec {
        name: ReportName::Heatmap,
        rows: Rows::Heatmap,
        table: None,
        order: None,
    },
    ReportSpec {
        name: ReportName::Dispositions,
        rows: Rows::Range("rpt_call_dispositions"),
        table: None,
        order: None,
    },
    ReportSpec {
        name: ReportName::CallsByStatus,
        rows: Rows::Range("rpt_calls_by_status"),
        table: Some(
            "call_status AS status, total_calls AS calls, share, completed_calls AS completed,
             missed_calls AS missed, in_progress_calls AS in_progress, inbound_calls AS inbound,
             outbound_calls AS outbound, round(average_duration_seconds) AS avg_duration_s",
        ),
        order: None,
    },
    ReportSpec {
        name: ReportName::ContactActivity,
        rows: Rows::Range("rpt_contact_activity"),
        table: Some(
            "contact_name AS contact, contact_number AS number, match_status AS status,
             customer_name AS customer, account_name AS account, touches, calls,
             answered_calls AS answered, sms_sent, sms_received, talk_time_minutes AS talk_min,
             CAST(last_contact_at AS DATE) AS last_contact",
        ),
        order: None,
    },
    ReportSpec {
        name: ReportName::Customers,
        rows: Rows::Range("rpt_customer_activity"),
        table: Some(
            "customer_name AS customer, account_name AS account, touches, calls,
             inbound_calls AS inbound, outbound_calls AS outbound, answered_calls AS answered,
             sms_sent, sms_received, talk_time_minutes AS talk_min, agents,
             CAST(last_contact_at AS DATE) AS last_contact",
        ),
        order: None,
    },
    ReportSpec {
        name: ReportName::Accounts,
        rows: Rows::Range("rpt_account_activity"),
        table: Some(
            "account_name AS account, customers_contacted AS customers, calls,
             answered_calls AS answered, sms_sent, sms_received, talk_time_minutes AS talk_min,
             weeks_contacted AS weeks, round(calls_per_week, 2) AS calls_per_week,
             CAST(last_contact_at AS DATE) AS last_contact",
        ),
        order: None,
    },
    ReportSpec {
        name: ReportName::TopCustomers,
        rows: Rows::TopCustomers,
        table: Some(
            "agent_email AS agent, customer_rank AS rank, customer_name AS customer,
             account_name AS account, touches, calls, sms, talk_time_minutes AS talk_min,
             CAST(last_contact_at AS DATE) AS last_contact",
        ),
        order: None,
    },
    ReportSpec {
        name: ReportName::StaleAccounts,
        rows: Rows::StaleAccounts,
        table: Some(
            "account_name AS account, customers, last_contact_date AS last_contact,
             last_agent_email AS last_agent, days_since_contact AS days",
        ),
        order: None,
    },
    ReportSpec {
        name: ReportName::OrdersAfterCalls,
        rows: Rows::OrdersAfterCalls,
        table: None,
        order: None,
    },
    ReportSpec {
        name: ReportName::ContactMatches,
        rows: Rows::ContactMatches,
        table: Some(
            "match_status AS status, match_method AS method, round(match_score, 3) AS score,
             contact_name, contact_number, contact_email, customer_name AS customer,
             runner_up_name AS runner_up, round(runner_up_score, 3) AS runner_up_score,
             call_count AS calls, sms_count AS sms",
        ),
        order: Some((
            "CASE match_status WHEN 'ambiguous' THEN 0 WHEN 'unmatched' THEN 1 ELSE 2 END,
             call_count + sms_count DESC, contact_id",
            "contact_id",
        )),
    },
];

/// The SQL of a report in `format`: every column for machine formats, the headline for tables.
pub fn report_sql(req: &ReportRequest, from: NaiveDate, to: NaiveDate, format: Format) -> String {
    let spec = REPORTS
        .iter()
        .find(|r| r.name == req.name)
        .expect("every report has a spec");
    let table = format == Format::Table;
    let agent = req.agent.as_deref();
    let quoted = || agent.map_or_else(|| "NULL".to_string(), quote);
    let src = match spec.rows {
        Rows::Range(name) => source(name, from, to, agent),
        Rows::TopCustomers => format!(
            "rpt_top_customers(DATE '{from}', DATE '{to}', agent := {}, top_n := {})",
            quoted(),
            req.top
        ),
        Rows::StaleAccounts => format!(
            "rpt_stale_accounts({}, as_of := DATE '{to}')",
            req.stale_days
        ),
        Rows::OrdersAfterCalls => format!(
            "rpt_orders_after_calls(DATE '{from}', DATE '{to}', window_days := {})",
            req.window_days
        ),
        Rows::ContactMatches => match agent {
            // Contacts this agent called or texted.
            Some(a) => format!(
                "rpt_contact_matches WHERE contact_id IN (
                     SELECT callduck_contact_id(contact_number, contact_name, contact_email)
                     FROM stg_justcall__calls WHERE agent_email_key = callduck_email_key({a})
                     UNION
                     SELECT callduck_contact_id(contact_number, contact_name, contact_email)
                     FROM stg_justcall__texts WHERE agent_email_key = callduck_email_key({a}))",
                a = quote(a)
            ),
            None => "rpt_contact_matches".to_string(),
        },
        // (The table format prints this one row vertically: see `run_report`.)
        Rows::Team => {
            let calls = source("rpt_call_kpis", from, to, agent);
            let sms = source("rpt_sms_summary", from, to, agent);
            return format!(
                "SELECT k.* EXCLUDE (agent_id, agent_email, is_team_total, call_rank),
                        s.* EXCLUDE (agent_id, agent_email, is_team_total)
                 FROM (FROM {calls} WHERE is_team_total) AS k
                 FULL OUTER JOIN (FROM {sms} WHERE is_team_total) AS s ON true"
            );
        }
        Rows::Heatmap => {
            let src = source("rpt_call_heatmap", from, to, agent);
            if !table {
                return format!("FROM {src}");
            }
            let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    format!(
                        "coalesce(sum(total_calls) FILTER (WHERE local_weekday = {}), 0) AS {d}",
                        i + 1
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            return format!(
                "SELECT printf('%02d:00', h.local_hour) AS hour, {days}, coalesce(sum(total_calls), 0) AS total
                 FROM range(24) AS h(local_hour) LEFT JOIN {src} AS c USING (local_hour)
                 GROUP BY h.local_hour ORDER BY h.local_hour"
            );
        }
    };
    let order = spec
        .order
        .map(|(t, m)| format!(" ORDER BY {}", if table { t } else { m }))
        .unwrap_or_default();
    match spec.table.filter(|_| table) {
        Some(columns) => format!("SELECT {columns} FROM {src}{order}"),
        None => format!("FROM {src}{order}"),
    }
}

/// Runs one report against `store`.
pub fn run_report(store: &Store, req: &ReportRequest, out: &Output) -> anyhow::Result<()> {
    let (from, to) = resolve_range(store, req)?;
    if let Some(agent) = &req.agent {
        let known: bool = store.conn().query_row(
            "SELECT count(*) > 0 FROM fct_agent_daily WHERE agent_email_key = callduck_email_key(?)",
            [agent],
            |r| r.get(0),
        )?;
        anyhow::ensure!(
            known,
            "no agent with email {agent:?} in {}: `callduck sql \"SELECT DISTINCT agent_email_key FROM fct_agent_daily\"` lists them",
            store.path().display()
        );
    }
    if req.name.needs_customers() {
        let customers: i64 =
            store
                .conn()
                .query_row("SELECT count(*) FROM crm_customers", [], |r| r.get(0))?;
        anyhow::ensure!(
            customers > 0,
            "{} holds no CRM customers, so this report would be empty: import them first, e.g. \
             `callduck import customers people.csv --kind copper-people`",
            store.path().display()
        );
    }
    let sql = report_sql(req, from, to, out.format);
    if out.format == Format::Table {
        let name = req
            .name
            .to_possible_value()
            .expect("report names are values")
            .get_name()
            .to_string();
        println!(
            "{name}: local days {from} to {to}, {}",
            req.agent
                .as_deref()
                .map_or("all agents".to_string(), |a| format!("agent {a}"))
        );
    }
    let out = Output {
        vertical: req.name == ReportName::Team,
        ..out.clone()
    };
    out.write(store.conn(), &sql).with_context(|| {
        format!(
            "report {}",
            req.name
                .to_possible_value()
                .expect("report names are values")
                .get_name()
        )
    })
}

/// Runs an analyst's query (`callduck sql`): the file is opened read-only.
pub fn run_sql(store: &Store, query: &str, out: &Output, restricted: bool) -> anyhow::Result<()> {
    anyhow::ensure!(
        !query.trim().is_empty(),
        "the query is empty: e.g. callduck sql \"FROM fct_agent_daily LIMIT 10\""
    );
    if !restricted {
        return out.write(store.conn(), query);
    }
    // The query may read the database only: no files, no ATTACH, no extensions, and no way to
    // undo that (the configuration is locked). DuckDB may still write the result into one
    // private directory (for stdout) and the --output file.
    let scratch = tempfile::Builder::new()
        .prefix("callduck-out-")
        .tempdir()
        .context("creating a private temporary directory")?;
    let list = |paths: &[&std::path::Path]| {
        paths
            .iter()
            .map(|p| output::quote(&p.to_string_lossy()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let files: Vec<&std::path::Path> = out.path.iter().map(|p| p.as_path()).collect();
    store
        .conn()
        .execute_batch(&format!(
            "SET allowed_directories = [{}]; SET allowed_paths = [{}];
             SET enable_external_access = false; SET lock_configuration = true;",
            list(&[scratch.path()]),
            list(&files)
        ))
        .context("restricting the query to the database")?;
    let out = Output {
        scratch: Some(scratch.path().to_path_buf()),
        ..out.clone()
    };
    out.write(store.conn(), query)
}
