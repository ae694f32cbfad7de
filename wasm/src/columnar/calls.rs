//! A columnar batch of calls and the seed's call metrics computed on it.
//!
//! Columns (all of one length, one entry per call):
//!
//! | column | type | value |
//! |---|---|---|
//! | `id` | f64 | call id |
//! | `startedAt` | f64 | unix seconds of `call_date` + `call_time` (UTC) |
//! | `direction` | u8 | 0 Incoming, 1 Outgoing |
//! | `callType` | u32 | code into `callTypes` (`call_info.type` as served, `null` when missing) |
//! | `totalDuration` | i32 | `call_duration.total_duration`, seconds |
//! | `agent` | u32 | code into `agents` ([`AgentEntry`]) |

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::{
    check_codes, check_directions, check_integral, check_len, direction_code, span, AgentEntry,
    DictBuilder, DIRECTION_OUTGOING,
};
use crate::agents::{sorted_rows, AgentCallMetrics};
use crate::error::MetricsError;
use crate::goals::Users;
use crate::metrics::{CallOutcome, JustCallMetrics};
use crate::options::Filter;
use crate::records::Call;
use crate::tz::{date_of_day, unix_seconds, OffsetTable, DAY_SECONDS};

/// A batch of calls, one vector per column (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallColumns {
    pub id: Vec<f64>,
    pub started_at: Vec<f64>,
    pub direction: Vec<u8>,
    pub call_type: Vec<u32>,
    pub total_duration: Vec<i32>,
    pub agent: Vec<u32>,
    pub call_types: Vec<Option<String>>,
    pub agents: Vec<AgentEntry>,
}

/// Zone tables and agent acceptance per agent-dictionary entry.
pub(crate) struct AgentPlan {
    /// The agent passes the filter's agent option.
    pub ok: Vec<bool>,
    /// Index into `tables`.
    pub zone: Vec<usize>,
    pub tables: Vec<OffsetTable>,
}

impl AgentPlan {
    /// `bounds`: smallest and largest instant of the batch ([`span`]).
    pub fn new(agents: &[AgentEntry], filter: &Filter, bounds: (i64, i64)) -> AgentPlan {
        let (lo, hi) = bounds;
        let zones = filter.zones.zones();
        let tables = zones
            .iter()
            .map(|&z| OffsetTable::build(z, lo, hi))
            .collect();
        AgentPlan {
            ok: agents
                .iter()
                .map(|a| filter.accepts_agent(a.id, a.email.as_deref()))
                .collect(),
            zone: agents
                .iter()
                .map(|a| {
                    let z = filter.zones.zone_of(a.id);
                    zones.iter().position(|&x| x == z).unwrap_or(0)
                })
                .collect(),
            tables,
        }
    }
}

/// Largest users × days grid counted densely; beyond it a hash map is used.
pub(crate) const MAX_GRID_CELLS: usize = 1 << 24;

/// First day number and length of a vector that holds every local day of instants within
/// `bounds` (UTC offsets lie within −12 h … +14 h; a margin of 15 h covers them).
pub(crate) fn day_window(bounds: (i64, i64)) -> (i64, usize) {
    let (lo, hi) = bounds;
    let first = (lo - 15 * 3600).div_euclid(DAY_SECONDS);
    let last = (hi + 15 * 3600).div_euclid(DAY_SECONDS);
    (first, (last - first + 1) as usize)
}

/// Adds counts by call-type code: completed, missed, by status, and the average duration
/// (`m.total_calls` and `m.total_duration` already set).
fn add_types(m: &mut JustCallMetrics, call_types: &[Option<String>], by_type: &[u64]) {
    for (ty, &n) in call_types.iter().zip(by_type) {
        if n == 0 {
            continue;
        }
        match CallOutcome::of_type(ty.as_deref()) {
            CallOutcome::Completed => m.completed_calls += n,
            CallOutcome::Missed => m.missed_calls += n,
            CallOutcome::InProgress => {}
        }
        let label = ty.clone().unwrap_or_else(|| "Unknown".into());
        *m.calls_by_status.entry(label).or_default() += n;
    }
    if m.total_calls > 0 {
        m.average_duration = m.total_duration as f64 / m.total_calls as f64;
    }
}

/// Per-day counts → `YYYY-MM-DD` map (days with no count left out).
pub(crate) fn days_map(first_day: i64, counts: &[u64]) -> BTreeMap<String, u64> {
    counts
        .iter()
        .enumerate()
        .filter(|(_, &n)| n > 0)
        .map(|(i, &n)| {
            let date = date_of_day(first_day + i as i64).map(|d| d.to_string());
            (date.unwrap_or_default(), n)
        })
        .collect()
}

#[derive(Default)]
struct Sums {
    by_day: Vec<u64>,
    by_type: Vec<u64>,
    total: u64,
    outgoing: u64,
    duration: i64,
}

impl CallColumns {
    /// Number of calls.
    pub fn len(&self) -> usize {
        self.started_at.len()
    }

    pub fn is_empty(&self) -> bool {
        self.started_at.is_empty()
    }

    /// Checks lengths, codes, directions and instants; every computation assumes a valid batch.
    pub fn validate(&self) -> Result<(), MetricsError> {
        let n = self.len();
        check_len("id", self.id.len(), n)?;
        check_len("direction", self.direction.len(), n)?;
        check_len("callType", self.call_type.len(), n)?;
        check_len("totalDuration", self.total_duration.len(), n)?;
        check_len("agent", self.agent.len(), n)?;
        check_codes("callType", &self.call_type, self.call_types.len())?;
        check_codes("agent", &self.agent, self.agents.len())?;
        check_directions("direction", &self.direction)?;
        check_integral("startedAt", &self.started_at)?;
        check_integral("id", &self.id)?;
        Ok(())
    }

    /// Encodes call records (dictionaries in order of first appearance).
    pub fn from_calls(calls: &[Call]) -> Result<CallColumns, MetricsError> {
        let n = calls.len();
        let mut cols = CallColumns {
            id: Vec::with_capacity(n),
            started_at: Vec::with_capacity(n),
            direction: Vec::with_capacity(n),
            call_type: Vec::with_capacity(n),
            total_duration: Vec::with_capacity(n),
            agent: Vec::with_capacity(n),
            ..CallColumns::default()
        };
        let mut types: DictBuilder<Option<String>> = DictBuilder::default();
        let mut agents: DictBuilder<AgentEntry> = DictBuilder::default();
        for c in calls {
            let duration = i32::try_from(c.call_duration.total_duration).map_err(|_| {
                MetricsError::invalid(
                    "totalDuration",
                    format!(
                        "call {}: {} s does not fit in 32 bits",
                        c.id, c.call_duration.total_duration
                    ),
                )
            })?;
            cols.id.push(c.id as f64);
            cols.started_at.push(unix_seconds(c.started_at()) as f64);
            cols.direction.push(direction_code(c.call_info.direction));
            cols.call_type
                .push(types.code(c.call_info.call_type.clone()));
            cols.total_duration.push(duration);
            cols.agent.push(agents.code(AgentEntry {
                id: c.agent_id,
                email: c.agent_email.clone(),
                name: c.agent_name.clone(),
            }));
        }
        cols.call_types = types.into_values();
        cols.agents = agents.into_values();
        Ok(cols)
    }

    /// The seed's `JustCallMetrics` over the calls that pass `filter`; equal to
    /// [`crate::calls::call_metrics`] on the records the batch was made from.
    pub fn call_metrics(&self, filter: &Filter) -> JustCallMetrics {
        let bounds = span(&self.started_at);
        let plan = AgentPlan::new(&self.agents, filter, bounds);
        let (first_day, days) = day_window(bounds);
        let mut sums = Sums {
            by_day: vec![0; days],
            by_type: vec![0; self.call_types.len()],
            ..Sums::default()
        };
        if plan.tables.len() == 1 {
            let mut cursor = plan.tables[0].cursor();
            self.scan(filter, &plan.ok, first_day, &mut sums, |_, t| {
                cursor.local_day(t)
            });
        } else {
            let mut cursors: Vec<_> = plan.tables.iter().map(OffsetTable::cursor).collect();
            let (cursors, zone) = (&mut cursors[..], &plan.zone[..]);
            self.scan(filter, &plan.ok, first_day, &mut sums, |a, t| {
                cursors[zone[a]].local_day(t)
            });
        }

        let mut m = JustCallMetrics {
            total_calls: sums.total,
            outbound_calls: sums.outgoing,
            inbound_calls: sums.total - sums.outgoing,
            total_duration: sums.duration,
            calls_by_day: days_map(first_day, &sums.by_day),
            ..JustCallMetrics::default()
        };
        add_types(&mut m, &self.call_types, &sums.by_type);
        m
    }

    /// [`CallColumns::call_metrics`] for every agent at once, in one pass over the columns; equal
    /// to [`crate::agents::call_metrics_by_agent`] on the records the batch was made from (see
    /// [`crate::agents`] for who an agent is and the order of the rows).
    pub fn call_metrics_by_agent(&self, filter: &Filter) -> Vec<AgentCallMetrics> {
        self.call_metrics_by_agent_grid(filter, MAX_GRID_CELLS)
    }

    /// [`CallColumns::call_metrics_by_agent`], counting days in a hash map when users × days
    /// exceeds `max_grid_cells`.
    pub(crate) fn call_metrics_by_agent_grid(
        &self,
        filter: &Filter,
        max_grid_cells: usize,
    ) -> Vec<AgentCallMetrics> {
        let mut users = Users::default();
        let user_of: Vec<usize> = self
            .agents
            .iter()
            .map(|a| users.register(a.id, a.email.as_deref(), a.name.as_deref()))
            .collect();
        let n_users = users.len();
        let bounds = span(&self.started_at);
        let plan = AgentPlan::new(&self.agents, filter, bounds);
        // Days that can count: the batch's local days within the filter's range.
        let (window_first, window_days) = day_window(bounds);
        let first_day = window_first.max(filter.from_day.unwrap_or(i64::MIN));
        let last_day =
            (window_first + window_days as i64 - 1).min(filter.to_day.unwrap_or(i64::MAX));
        let days = usize::try_from(last_day - first_day + 1).unwrap_or(0);
        let n_types = self.call_types.len();

        let mut totals = vec![(0u64, 0u64, 0i64); n_users];
        let mut by_type = vec![0u64; n_users * n_types];
        // users × days counts, dense unless that grid would be huge.
        let dense = n_users.saturating_mul(days) <= max_grid_cells;
        let mut by_day = vec![0u64; if dense { n_users * days } else { 0 }];
        let mut sparse: HashMap<(usize, i64), u64> = HashMap::new();

        if days > 0 {
            let want_dir = filter.direction.map(direction_code);
            let mut cursors: Vec<_> = plan.tables.iter().map(OffsetTable::cursor).collect();
            // Slices, not vectors, in the loop: indexing a slice needs no call even when the
            // module is compiled for size (see `Filter::accepts_day`).
            let (cursors, zone, ok, user_of) =
                (&mut cursors[..], &plan.zone[..], &plan.ok[..], &user_of[..]);
            let (totals, by_type, by_day) = (&mut totals[..], &mut by_type[..], &mut by_day[..]);
            let n = self.len();
            let (started, dir, ty, dur, agent) = (
                &self.started_at[..n],
                &self.direction[..n],
                &self.call_type[..n],
                &self.total_duration[..n],
                &self.agent[..n],
            );
            for i in 0..n {
                let a = agent[i] as usize;
                if !ok[a] {
                    continue;
                }
                let d = dir[i];
                if matches!(want_dir, Some(w) if w != d) {
                    continue;
                }
                let day = cursors[zone[a]].local_day(started[i] as i64);
                if day < first_day || day > last_day {
                    continue;
                }
                let u = user_of[a];
                let t = &mut totals[u];
                t.0 += 1;
                t.1 += u64::from(d == DIRECTION_OUTGOING);
                t.2 += i64::from(dur[i]);
                by_type[u * n_types + ty[i] as usize] += 1;
                if dense {
                    by_day[u * days + (day - first_day) as usize] += 1;
                } else {
                    *sparse.entry((u, day)).or_default() += 1;
                }
            }
        }

        let mut rows = totals
            .iter()
            .enumerate()
            .filter(|(_, t)| t.0 > 0)
            .map(|(u, &(total, outgoing, duration))| {
                let mut m = JustCallMetrics {
                    total_calls: total,
                    outbound_calls: outgoing,
                    inbound_calls: total - outgoing,
                    total_duration: duration,
                    calls_by_day: if dense {
                        days_map(first_day, &by_day[u * days..(u + 1) * days])
                    } else {
                        BTreeMap::new()
                    },
                    ..JustCallMetrics::default()
                };
                add_types(
                    &mut m,
                    &self.call_types,
                    &by_type[u * n_types..(u + 1) * n_types],
                );
                (u, m)
            })
            .collect::<Vec<_>>();
        if !dense {
            let mut cells: Vec<_> = sparse.into_iter().collect();
            cells.sort_unstable();
            let at: HashMap<usize, usize> =
                rows.iter().enumerate().map(|(i, (u, _))| (*u, i)).collect();
            for ((u, day), n) in cells {
                let date = date_of_day(day).map(|d| d.to_string()).unwrap_or_default();
                *rows[at[&u]].1.calls_by_day.entry(date).or_default() += n;
            }
        }
        sorted_rows(
            &users,
            rows,
            |agent_id, agent_email, agent_name, metrics| AgentCallMetrics {
                agent_id,
                agent_email,
                agent_name,
                metrics,
            },
        )
    }

    /// The hot loop: one pass over the columns.
    #[inline(always)]
    fn scan(
        &self,
        filter: &Filter,
        agent_ok: &[bool],
        first_day: i64,
        sums: &mut Sums,
        mut day_of: impl FnMut(usize, i64) -> i64,
    ) {
        let lo = filter.from_day.unwrap_or(i64::MIN);
        let hi = filter.to_day.unwrap_or(i64::MAX);
        let want_dir = filter.direction.map(direction_code);
        let n = self.len();
        let (started, dir, ty, dur, agent) = (
            &self.started_at[..n],
            &self.direction[..n],
            &self.call_type[..n],
            &self.total_duration[..n],
            &self.agent[..n],
        );
        let all_agents = agent_ok.iter().all(|&ok| ok);
        // Counters in locals: stores through the count vectors could alias fields of `sums`.
        let by_day = &mut sums.by_day[..];
        let by_type = &mut sums.by_type[..];
        let (mut total, mut outgoing, mut duration) = (0u64, 0u64, 0i64);
        // Calls come mostly in time order: count runs of one day in a register and add each run
        // once, rather than incrementing the same memory cell on every row.
        let (mut run_day, mut run) = (first_day, 0u64);
        for i in 0..n {
            let a = agent[i] as usize;
            if !all_agents && !agent_ok[a] {
                continue;
            }
            let d = dir[i];
            if matches!(want_dir, Some(w) if w != d) {
                continue;
            }
            let day = day_of(a, started[i] as i64);
            if day < lo || day > hi {
                continue;
            }
            if day != run_day {
                by_day[(run_day - first_day) as usize] += run;
                run_day = day;
                run = 0;
            }
            run += 1;
            by_type[ty[i] as usize] += 1;
            total += 1;
            outgoing += u64::from(d == DIRECTION_OUTGOING);
            duration += i64::from(dur[i]);
        }
        if let Some(cell) = by_day.get_mut((run_day - first_day) as usize) {
            *cell += run;
        }
        sums.total += total;
        sums.outgoing += outgoing;
        sums.duration += duration;
    }
}
