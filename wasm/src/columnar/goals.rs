//! Daily goal metrics on columnar batches; equal to [`crate::goals::daily_goal_metrics`] on the
//! records the batches were made from.

use std::collections::HashMap;

use super::calls::{day_window, AgentPlan, MAX_GRID_CELLS};
use super::{span, CallColumns, SmsColumns, DIRECTION_OUTGOING};
use crate::goals::{UserDayGoals, Users};
use crate::metrics::DailyGoalMetrics;
use crate::options::Filter;
use crate::tz::OffsetTable;

/// Goal metrics per user and local day from a call batch and/or an SMS batch.
pub fn daily_goal_metrics(
    calls: Option<&CallColumns>,
    sms: Option<&SmsColumns>,
    filter: &Filter,
) -> Vec<UserDayGoals> {
    let filter = filter.without_direction();
    let mut users = Users::default();
    let call_users: Vec<usize> = calls
        .map(|c| {
            c.agents
                .iter()
                .map(|a| users.register(a.id, a.email.as_deref(), a.name.as_deref()))
                .collect()
        })
        .unwrap_or_default();
    let sms_users: Vec<usize> = sms
        .map(|s| {
            s.agents
                .iter()
                .map(|a| users.register(a.id, a.email.as_deref(), a.name.as_deref()))
                .collect()
        })
        .unwrap_or_default();

    let mut sums: HashMap<(i64, usize), DailyGoalMetrics> = HashMap::new();
    if let Some(c) = calls {
        call_sums(c, &call_users, users.len(), &filter, &mut sums);
    }
    if let Some(s) = sms {
        let plan = AgentPlan::new(&s.agents, &filter, span(&s.sent_at));
        let mut cursors: Vec<_> = plan.tables.iter().map(OffsetTable::cursor).collect();
        // Slices in the loop (see `CallColumns::call_metrics_by_agent_grid`).
        let (cursors, zone, ok, sms_users) = (
            &mut cursors[..],
            &plan.zone[..],
            &plan.ok[..],
            &sms_users[..],
        );
        let n = s.len();
        let (sent, dir, deleted, agent) = (
            &s.sent_at[..n],
            &s.direction[..n],
            &s.deleted[..n],
            &s.agent[..n],
        );
        for i in 0..n {
            let a = agent[i] as usize;
            if dir[i] != DIRECTION_OUTGOING || deleted[i] != 0 || !ok[a] {
                continue;
            }
            let day = cursors[zone[a]].local_day(sent[i] as i64);
            if filter.accepts_day(day) {
                sums.entry((day, sms_users[a])).or_default().sms_quantity += 1;
            }
        }
    }
    users.rows(sums)
}

fn call_sums(
    c: &CallColumns,
    user_of: &[usize],
    user_count: usize,
    filter: &Filter,
    sums: &mut HashMap<(i64, usize), DailyGoalMetrics>,
) {
    let bounds = span(&c.started_at);
    let plan = AgentPlan::new(&c.agents, filter, bounds);
    let mut cursors: Vec<_> = plan.tables.iter().map(OffsetTable::cursor).collect();
    let (first_day, days) = day_window(bounds);
    let dense = user_count.saturating_mul(days) <= MAX_GRID_CELLS;
    let mut grid: Vec<(i64, i64)> = if dense {
        vec![(0, 0); user_count * days]
    } else {
        Vec::new()
    };
    // Slices in the loop (see `CallColumns::call_metrics_by_agent_grid`).
    let (cursors, zone, ok, cells) = (
        &mut cursors[..],
        &plan.zone[..],
        &plan.ok[..],
        &mut grid[..],
    );
    let n = c.len();
    let (started, dur, agent) = (&c.started_at[..n], &c.total_duration[..n], &c.agent[..n]);
    for i in 0..n {
        let a = agent[i] as usize;
        if !ok[a] {
            continue;
        }
        let day = cursors[zone[a]].local_day(started[i] as i64);
        if !filter.accepts_day(day) {
            continue;
        }
        let secs = i64::from(dur[i]);
        if dense {
            let cell = &mut cells[user_of[a] * days + (day - first_day) as usize];
            cell.0 += 1;
            cell.1 += secs;
        } else {
            let m = sums.entry((day, user_of[a])).or_default();
            m.phone_call_quantity += 1;
            m.talk_time_seconds += secs;
        }
    }
    for (idx, &(count, secs)) in grid.iter().enumerate() {
        if count > 0 {
            let m = sums
                .entry((first_day + (idx % days) as i64, idx / days))
                .or_default();
            m.phone_call_quantity += count;
            m.talk_time_seconds += secs;
        }
    }
}
