//! The data set as the server holds it: the canonical records plus the indexes that let a page
//! be served without scanning every record, and the edits tests make while it runs.
//!
//! Calls and SMS are kept sorted by id, which is also time order (ids increase with time), next
//! to a parallel array of their UTC instants in epoch seconds: a time window is two binary
//! searches. Per-agent position lists make the `agent_id` filter a binary search too. Only the
//! rarer filters (direction, type, numbers) scan, and only within the window.
//!
//! An optional clock ([`Served::set_clock`]) makes time pass: records that start at or after it
//! are not served yet (lists and single records alike), as if they had not happened, so a
//! benchmark can walk through a week of the data set hour by hour.

use std::collections::{HashMap, HashSet};

use callduck_metrics::{Call, Direction, Sms};
use chrono::NaiveDateTime;
use rand::Rng;

use super::dataset::{self, finish_call, make_call, rng_for, stream, World, IN_PROGRESS};
use super::names;
use super::query::{ListFilter, Record};
use super::{Dataset, SimConfig};

impl Record for Call {
    fn at(&self) -> NaiveDateTime {
        self.started_at()
    }
    fn agent(&self) -> Option<i64> {
        self.agent_id
    }
    fn direction(&self) -> Direction {
        self.call_info.direction
    }
    fn call_type(&self) -> Option<&str> {
        self.call_info.call_type.as_deref()
    }
    fn contact(&self) -> Option<&str> {
        self.contact_number.as_deref()
    }
    fn line(&self) -> Option<&str> {
        self.justcall_number.as_deref()
    }
}

impl Record for Sms {
    fn at(&self) -> NaiveDateTime {
        self.sent_at()
    }
    fn agent(&self) -> Option<i64> {
        self.agent_id
    }
    fn direction(&self) -> Direction {
        self.direction
    }
    fn call_type(&self) -> Option<&str> {
        None
    }
    fn contact(&self) -> Option<&str> {
        self.contact_number.as_deref()
    }
    fn line(&self) -> Option<&str> {
        self.justcall_number.as_deref()
    }
}

/// The records a list request matches, in ascending (id = time) order, as positions.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Selection {
    /// A contiguous run of positions.
    Range(usize, usize),
    /// Scattered positions, ascending.
    Positions(Vec<u32>),
}

impl Selection {
    pub(crate) fn len(&self) -> usize {
        match self {
            Selection::Range(lo, hi) => hi - lo,
            Selection::Positions(p) => p.len(),
        }
    }

    /// Position of the `k`-th selected record (ascending order).
    pub(crate) fn position(&self, k: usize) -> usize {
        match self {
            Selection::Range(lo, _) => lo + k,
            Selection::Positions(p) => p[k] as usize,
        }
    }
}

/// One stream's time index: UTC epoch seconds per position and positions per agent.
#[derive(Default)]
struct TimeIndex {
    secs: Vec<i64>,
    by_agent: HashMap<i64, Vec<u32>>,
}

impl TimeIndex {
    fn build<R: Record>(records: &[R]) -> TimeIndex {
        let mut ix = TimeIndex {
            secs: Vec::with_capacity(records.len()),
            by_agent: HashMap::new(),
        };
        for r in records {
            ix.push(r);
        }
        ix
    }

    fn push<R: Record>(&mut self, r: &R) {
        let pos = u32::try_from(self.secs.len()).expect("fewer than 2^32 records");
        self.secs.push(r.at().and_utc().timestamp());
        if let Some(a) = r.agent() {
            self.by_agent.entry(a).or_default().push(pos);
        }
    }

    fn select<R: Record>(&self, records: &[R], f: &ListFilter) -> Selection {
        let lo = f.from.map_or(0, |t| {
            let t = t.and_utc().timestamp();
            self.secs.partition_point(|&s| s < t)
        });
        let hi = f.to.map_or(self.secs.len(), |t| {
            let t = t.and_utc().timestamp();
            self.secs.partition_point(|&s| s <= t)
        });
        if lo >= hi {
            return Selection::Range(0, 0);
        }
        match f.agent_id {
            Some(agent) => {
                let list = self.by_agent.get(&agent).map_or(&[][..], Vec::as_slice);
                let a = list.partition_point(|&p| (p as usize) < lo);
                let b = list.partition_point(|&p| (p as usize) < hi);
                Selection::Positions(
                    list[a..b]
                        .iter()
                        .copied()
                        .filter(|&p| f.matches(&records[p as usize]))
                        .collect(),
                )
            }
            None if !f.has_predicates() => Selection::Range(lo, hi),
            None => Selection::Positions(
                (lo..hi)
                    .filter(|&p| f.matches(&records[p]))
                    .map(|p| p as u32)
                    .collect(),
            ),
        }
    }
}

/// The served data set.
pub(crate) struct Served {
    pub(crate) data: Dataset,
    world: World,
    calls: TimeIndex,
    texts: TimeIndex,
    malformed_calls: HashSet<i64>,
    malformed_texts: HashSet<i64>,
    edits: u64,
    appends: u64,
    /// The simulated present (epoch seconds): records from then on are not served.
    clock: Option<i64>,
}

impl Served {
    pub(crate) fn new(config: &SimConfig) -> Served {
        let (world, data) = dataset::generate_world(config);
        Served {
            calls: TimeIndex::build(&data.calls),
            texts: TimeIndex::build(&data.texts),
            malformed_calls: data.malformed_call_ids.iter().copied().collect(),
            malformed_texts: data.malformed_text_ids.iter().copied().collect(),
            data,
            world,
            edits: 0,
            appends: 0,
            clock: None,
        }
    }

    /// Sets the simulated present (`None`: the data set's end, everything served).
    pub(crate) fn set_clock(&mut self, now: Option<NaiveDateTime>) {
        self.clock = now.map(|t| t.and_utc().timestamp());
    }

    /// The simulated present: the clock, else the data set's end.
    pub(crate) fn now(&self) -> NaiveDateTime {
        self.clock
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            .map_or(self.world.end, |d| d.naive_utc())
    }

    /// Whether a record starting at `at` has happened by the clock.
    fn visible(&self, at: NaiveDateTime) -> bool {
        self.clock.is_none_or(|c| at.and_utc().timestamp() < c)
    }

    /// Caps a list filter at the clock.
    fn until_clock(&self, f: &ListFilter) -> ListFilter {
        let mut f = f.clone();
        if let Some(c) = self.clock {
            let last = chrono::DateTime::from_timestamp(c - 1, 0).map(|d| d.naive_utc());
            f.to = match (f.to, last) {
                (Some(to), Some(last)) => Some(to.min(last)),
                (to, last) => to.or(last),
            };
        }
        f
    }

    pub(crate) fn select_calls(&self, f: &ListFilter) -> Selection {
        self.calls.select(&self.data.calls, &self.until_clock(f))
    }

    pub(crate) fn select_texts(&self, f: &ListFilter) -> Selection {
        self.texts.select(&self.data.texts, &self.until_clock(f))
    }

    pub(crate) fn is_malformed_call(&self, id: i64) -> bool {
        self.malformed_calls.contains(&id)
    }

    pub(crate) fn is_malformed_text(&self, id: i64) -> bool {
        self.malformed_texts.contains(&id)
    }

    pub(crate) fn user(&self, id: i64) -> Option<&callduck_metrics::User> {
        let users = &self.data.users;
        users
            .binary_search_by_key(&id, |u| u.id)
            .ok()
            .map(|i| &users[i])
    }

    pub(crate) fn call(&self, id: i64) -> Option<&Call> {
        let calls = &self.data.calls;
        calls
            .binary_search_by_key(&id, |c| c.id)
            .ok()
            .map(|i| &calls[i])
            .filter(|c| self.visible(c.started_at()))
    }

    pub(crate) fn text(&self, id: i64) -> Option<&Sms> {
        let texts = &self.data.texts;
        texts
            .binary_search_by_key(&id, |t| t.id)
            .ok()
            .map(|i| &texts[i])
            .filter(|t| self.visible(t.sent_at()))
    }

    /// The calls and SMS that started in `[from, to)`, ascending.
    pub(crate) fn started_between(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> (&[Call], &[Sms]) {
        let (a, b) = (from.and_utc().timestamp(), to.and_utc().timestamp());
        let range = |secs: &[i64]| {
            let lo = secs.partition_point(|&s| s < a);
            lo..secs.partition_point(|&s| s < b).max(lo)
        };
        (
            &self.data.calls[range(&self.calls.secs)],
            &self.data.texts[range(&self.texts.secs)],
        )
    }

    /// See [`super::SimHandle::edit_recent_calls`].
    pub(crate) fn edit_recent_calls(&mut self, n: usize, within: chrono::Duration) -> Vec<i64> {
        let now = self.now();
        let from = (now - within).and_utc().timestamp();
        let lo = self.calls.secs.partition_point(|&s| s < from);
        let hi = self
            .calls
            .secs
            .partition_point(|&s| s < now.and_utc().timestamp());
        let candidates: Vec<usize> = (lo..hi.max(lo))
            .filter(|&p| {
                let c = &self.data.calls[p];
                !self.malformed_calls.contains(&c.id)
                    && c.call_info.call_type.as_deref() != Some(IN_PROGRESS)
            })
            .collect();
        self.edits += 1;
        let mut rng = rng_for(self.world.seed, stream::EDIT, self.edits);
        let chosen = rand::seq::index::sample(&mut rng, candidates.len(), n.min(candidates.len()));
        let positions: Vec<usize> = chosen.into_iter().map(|k| candidates[k]).collect();
        self.edit_positions(&positions, &mut rng)
    }

    /// See [`super::SimHandle::edit_calls`].
    pub(crate) fn edit_calls(&mut self, ids: &[i64]) -> Vec<i64> {
        let positions: Vec<usize> = ids
            .iter()
            .filter_map(|id| self.data.calls.binary_search_by_key(id, |c| c.id).ok())
            .collect();
        self.edits += 1;
        let mut rng = rng_for(self.world.seed, stream::EDIT, self.edits);
        self.edit_positions(&positions, &mut rng)
    }

    /// Changes notes, disposition and rating of the calls at `positions`; returns their ids,
    /// ascending.
    fn edit_positions(&mut self, positions: &[usize], rng: &mut rand::rngs::StdRng) -> Vec<i64> {
        let generation = self.edits;
        let mut ids = Vec::with_capacity(positions.len());
        for &p in positions {
            let call = &mut self.data.calls[p];
            let info = &mut call.call_info;
            let answered = info.call_type.as_deref() == Some("Answered");
            let note = names::NOTES[rng.random_range(0..names::NOTES.len())]
                .replace("{first}", "the customer")
                .replace("{n}", &rng.random_range(1000..99_999).to_string());
            info.notes = Some(format!("Update {generation}: {note}"));
            let choices = if answered {
                names::DISPOSITIONS_ANSWERED
            } else {
                names::DISPOSITIONS_UNANSWERED
            };
            let current = choices
                .iter()
                .position(|d| Some(*d) == info.disposition.as_deref());
            let next = current.map_or(rng.random_range(0..choices.len()), |i| {
                (i + 1) % choices.len()
            });
            info.disposition = Some(choices[next].to_string());
            if answered {
                info.rating = Some(info.rating.map_or(rng.random_range(1..6), |r| r % 5 + 1));
            }
            ids.push(call.id);
        }
        ids.sort_unstable();
        tracing::debug!(
            generation,
            edited = ids.len(),
            "JustCall simulator: calls edited"
        );
        ids
    }

    /// See [`super::SimHandle::add_calls`].
    pub(crate) fn add_calls(&mut self, n: usize) -> Vec<i64> {
        if self.world.agents.is_empty() {
            return Vec::new();
        }
        self.appends += 1;
        let mut rng = rng_for(self.world.seed, stream::ADD, self.appends);
        let last = self.data.calls.last();
        let from = last
            .map_or(self.world.start, Call::started_at)
            .max(self.world.start);
        let span = (self.world.end - from).num_seconds().max(1);
        let mut offsets: Vec<i64> = (0..n).map(|_| rng.random_range(0..span)).collect();
        offsets.sort_unstable();
        let first_id = last.map_or(dataset::FIRST_CALL_ID, |c| c.id + 1);
        let mut ids = Vec::with_capacity(n);
        for (id, off) in (first_id..).zip(offsets) {
            let at = from + chrono::Duration::seconds(off);
            let agent = &self.world.agents[rng.random_range(0..self.world.agents.len())];
            let mut call = make_call(&self.world, agent, at, &mut rng);
            finish_call(&mut call, id, self.world.seed);
            self.calls.push(&call);
            self.data.calls.push(call);
            ids.push(id);
        }
        tracing::debug!(added = ids.len(), "JustCall simulator: calls added");
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn served() -> Served {
        Served::new(&SimConfig {
            agents: 4,
            days: 10,
            ..SimConfig::default()
        })
    }

    fn filter() -> ListFilter {
        ListFilter::default()
    }

    #[test]
    fn time_windows_are_inclusive_binary_searches() {
        let s = served();
        let calls = &s.data.calls;
        let (a, b) = (calls[100].started_at(), calls[200].started_at());
        let sel = s.select_calls(&ListFilter {
            from: Some(a),
            to: Some(b),
            ..filter()
        });
        let want: Vec<i64> = calls
            .iter()
            .filter(|c| c.started_at() >= a && c.started_at() <= b)
            .map(|c| c.id)
            .collect();
        let got: Vec<i64> = (0..sel.len()).map(|k| calls[sel.position(k)].id).collect();
        assert_eq!(got, want);
        assert!(matches!(sel, Selection::Range(..)));
    }

    #[test]
    fn agent_and_direction_filters() {
        let s = served();
        let agent = s.data.users[2].id;
        let f = ListFilter {
            agent_id: Some(agent),
            direction: Some(Direction::Incoming),
            ..filter()
        };
        let sel = s.select_calls(&f);
        let want: Vec<i64> = s
            .data
            .calls
            .iter()
            .filter(|c| c.agent_id == Some(agent) && c.call_info.direction == Direction::Incoming)
            .map(|c| c.id)
            .collect();
        assert!(!want.is_empty());
        let got: Vec<i64> = (0..sel.len())
            .map(|k| s.data.calls[sel.position(k)].id)
            .collect();
        assert_eq!(got, want);
        assert_eq!(
            s.select_texts(&ListFilter {
                agent_id: Some(-5),
                ..filter()
            })
            .len(),
            0
        );
    }

    #[test]
    fn edits_change_recent_calls_deterministically() {
        let mut a = served();
        let mut b = served();
        let before = a.data.calls.clone();
        let ids = a.edit_recent_calls(5, Duration::days(2));
        assert_eq!(ids, b.edit_recent_calls(5, Duration::days(2)));
        assert_eq!(ids.len(), 5);
        let end = a.world.end;
        for id in &ids {
            let old = before.iter().find(|c| c.id == *id).unwrap();
            let new = a.call(*id).unwrap();
            assert!(end - new.started_at() <= Duration::days(2));
            assert_ne!(old.call_info.notes, new.call_info.notes);
            assert_ne!(old.call_info.disposition, new.call_info.disposition);
        }
        let changed = before
            .iter()
            .zip(&a.data.calls)
            .filter(|(x, y)| x != y)
            .count();
        assert_eq!(changed, 5);
        // A second edit of the same calls changes them again.
        let again = a.edit_recent_calls(50_000, Duration::days(2));
        assert!(again.len() > 5);
        for id in &ids {
            assert!(a
                .call(*id)
                .unwrap()
                .call_info
                .notes
                .as_deref()
                .unwrap()
                .starts_with("Update 2:"));
        }
    }

    #[test]
    fn the_clock_hides_what_has_not_happened_yet() {
        let mut s = served();
        let calls = s.data.calls.clone();
        let now = calls[500].started_at();
        s.set_clock(Some(now));
        assert_eq!(s.now(), now);
        let sel = s.select_calls(&filter());
        let shown: Vec<i64> = (0..sel.len()).map(|k| calls[sel.position(k)].id).collect();
        let before: Vec<i64> = calls
            .iter()
            .filter(|c| c.started_at() < now)
            .map(|c| c.id)
            .collect();
        assert_eq!(shown, before);
        assert!(s.call(calls[500].id).is_none() && s.call(calls[0].id).is_some());
        let text = s.data.texts.iter().find(|t| t.sent_at() >= now).unwrap().id;
        assert!(s.text(text).is_none());
        // An explicit range ending later is cut at the clock too.
        let sel = s.select_calls(&ListFilter {
            from: Some(calls[400].started_at()),
            to: Some(calls[600].started_at()),
            ..filter()
        });
        assert!((0..sel.len()).all(|k| calls[sel.position(k)].started_at() < now));
        // Edits touch only what has happened; the records of an hour are listed for webhooks.
        let edited = s.edit_recent_calls(1000, Duration::hours(12));
        assert!(!edited.is_empty());
        assert!(edited.iter().all(|id| *id < calls[500].id));
        let (hour_calls, _) = s.started_between(now - Duration::hours(1), now);
        assert!(hour_calls
            .iter()
            .all(|c| c.started_at() < now && c.started_at() >= now - Duration::hours(1)));
        assert_eq!(s.edit_calls(&[calls[3].id, 17]), vec![calls[3].id]);
        s.set_clock(None);
        assert_eq!(s.select_calls(&filter()).len(), calls.len());
    }

    #[test]
    fn added_calls_extend_the_id_and_time_order() {
        let mut s = served();
        let last = s.data.calls.last().unwrap().clone();
        let ids = s.add_calls(7);
        assert_eq!(ids.len(), 7);
        assert_eq!(ids[0], last.id + 1);
        for w in s.data.calls.windows(2) {
            assert!(w[0].id < w[1].id && w[0].started_at() <= w[1].started_at());
        }
        let end = s.world.end;
        assert!(s.data.calls.last().unwrap().started_at() < end);
        // The indexes know the new calls.
        let sel = s.select_calls(&ListFilter {
            from: Some(last.started_at()),
            ..filter()
        });
        assert!(sel.len() >= 8);
        let agent = s.data.calls.last().unwrap().agent_id;
        let sel = s.select_calls(&ListFilter {
            agent_id: agent,
            from: Some(last.started_at()),
            ..filter()
        });
        assert!(sel.len() >= 1);
    }
}
