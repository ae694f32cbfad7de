//! Zone offsets from an outside source, cached: how the WebAssembly build gets its offsets without
//! compiling the IANA database in.
//!
//! The core names zones by [`IanaZone`] (an index into the shipped list of names, [`NAMES`](super::names::NAMES)), so
//! which names are valid is decided here exactly as natively (chrono-tz's names, spelt exactly),
//! never by the source. An [`OffsetSource`] answers one question, "the UTC offset of zone Z at
//! instant T"; the bindings' source asks the JavaScript runtime (`Intl.DateTimeFormat`, whose ICU
//! carries its own copy of the database). [`ZoneOffsets`] turns those answers into each zone's
//! transitions, one chunk of ~388 days at a time, cached, so the first look-up in a chunk costs
//! about 400 calls to the source and every later one a lookup in Rust: a recompute of a million
//! calls never reaches the source.
//!
//! A chunk is probed once a day and bisected to the second where the offset changes
//! ([`SOURCE_PROBE_STEP`]). That misses a change only when the offset changes and changes back
//! within a day: between 1970 and 2100 no zone of the database changes twice within 6.9 days
//! (America/Boa_Vista, October 2000, is the closest pair; `tests/zones.rs` checks 2000–2037 on
//! every run, `transition_gaps_1970_2100` all of it when asked).
//!
//! Natively the core uses chrono-tz directly; this module is compiled there too, so that the
//! caching is tested natively against chrono-tz (with chrono-tz as the source).

use std::cell::RefCell;
use std::collections::HashMap;

use super::names::names;
use super::{OffsetTable, DAY_SECONDS};

/// Where a build without a compiled-in time-zone database gets UTC offsets.
pub trait OffsetSource {
    /// The UTC offset of the IANA zone `zone` (a name of [`NAMES`](super::names::NAMES)) at the unix instant `unix`,
    /// in seconds east of UTC (local = UTC + offset); `None` when the source does not know the
    /// zone. Called only for instants chrono can represent (years −262143 … 262142).
    fn offset_at(&self, zone: &str, unix: i64) -> Option<i32>;
}

/// An IANA zone or link name of the shipped list ([`NAMES`](super::names::NAMES): chrono-tz's names), by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IanaZone(u16);

impl IanaZone {
    /// The zone of a name spelt exactly as in the IANA database (`America/New_York`, `UTC`);
    /// `None` for any other spelling (`utc`, `america/new_york`, ` UTC`) or an unknown name,
    /// as chrono-tz's `Tz::from_str` decides.
    pub fn from_name(name: &str) -> Option<IanaZone> {
        names()
            .binary_search(&name)
            .ok()
            .map(|i| IanaZone(i as u16))
    }

    /// The zone's name.
    pub fn name(self) -> &'static str {
        names()[usize::from(self.0)]
    }

    /// Every zone of the list, in the list's order.
    pub fn all() -> impl Iterator<Item = IanaZone> {
        (0..names().len() as u16).map(IanaZone)
    }
}

/// Seconds covered by one cached chunk of a zone's offsets (2^25 s, about 388 days), aligned on
/// the unix epoch.
pub const CHUNK_SECONDS: i64 = 1 << 25;

/// Step between two questions to the source when a chunk is built; changes are then located to
/// the second by bisection. See the module docs for why a day is safe.
pub const SOURCE_PROBE_STEP: i64 = DAY_SECONDS;

/// The instants chrono can represent (as `DateTime::from_timestamp` accepts them). Natively an
/// instant outside has the offset 0; so it has here, without asking the source.
fn representable(unix: i64) -> bool {
    chrono::DateTime::from_timestamp(unix, 0).is_some()
}

/// One chunk's offsets: `offsets[i]` from `starts[i]` on; `starts[0]` is the chunk's start.
#[derive(Debug, Clone)]
struct Chunk {
    starts: Vec<i64>,
    offsets: Vec<i32>,
}

#[derive(Default)]
struct Cache {
    /// Whether the source knows a zone.
    known: HashMap<IanaZone, bool>,
    chunks: HashMap<(IanaZone, i64), Chunk>,
    /// The interval `[lo, hi)` of the last look-up and its offset, for the row path's runs of
    /// instants in one zone.
    last: Option<(IanaZone, i64, i64, i32)>,
}

/// An [`OffsetSource`] with each zone's offsets cached as transitions, chunk by chunk.
pub struct ZoneOffsets {
    source: Box<dyn OffsetSource>,
    cache: RefCell<Cache>,
}

impl ZoneOffsets {
    pub fn new(source: impl OffsetSource + 'static) -> ZoneOffsets {
        ZoneOffsets {
            source: Box::new(source),
            cache: RefCell::new(Cache::default()),
        }
    }

    /// Whether the source gives offsets for `zone` (asked once per zone).
    pub fn knows(&self, zone: IanaZone) -> bool {
        if let Some(&known) = self.cache.borrow().known.get(&zone) {
            return known;
        }
        let known = self.source.offset_at(zone.name(), 0).is_some();
        self.cache.borrow_mut().known.insert(zone, known);
        known
    }

    /// The offset of `zone` at `unix` (0 where chrono cannot represent the instant, as natively).
    pub fn offset_at(&self, zone: IanaZone, unix: i64) -> i32 {
        if !representable(unix) {
            return 0;
        }
        let mut cache = self.cache.borrow_mut();
        if let Some((z, lo, hi, offset)) = cache.last {
            if z == zone && unix >= lo && unix < hi {
                return offset;
            }
        }
        let k = unix.div_euclid(CHUNK_SECONDS);
        let chunk = self.chunk(&mut cache, zone, k);
        let i = chunk.starts.partition_point(|&s| s <= unix) - 1;
        let lo = chunk.starts[i];
        let hi = chunk
            .starts
            .get(i + 1)
            .copied()
            .unwrap_or((k + 1) * CHUNK_SECONDS);
        let offset = chunk.offsets[i];
        cache.last = Some((zone, lo, hi, offset));
        offset
    }

    /// The offsets of `zone` for every instant in `[from, to]` as an [`OffsetTable`], equal to
    /// what [`OffsetTable::build`] makes natively from chrono-tz: a day of margin on each side,
    /// the first interval extended to −∞ and the last to +∞.
    pub fn table(&self, zone: IanaZone, from: i64, to: i64) -> OffsetTable {
        let (from, to) = if from <= to { (from, to) } else { (to, from) };
        let from = from.saturating_sub(DAY_SECONDS);
        let to = to.saturating_add(DAY_SECONDS);
        let mut starts = vec![i64::MIN];
        let mut offsets = vec![self.offset_at(zone, from)];
        let mut cache = self.cache.borrow_mut();
        let mut current = offsets[0];
        // Chunks beyond what chrono represents hold no change (offset 0 throughout).
        let first = from.div_euclid(CHUNK_SECONDS).max(MIN_CHUNK);
        let last = to.div_euclid(CHUNK_SECONDS).min(MAX_CHUNK);
        for k in first..=last {
            let chunk = self.chunk(&mut cache, zone, k);
            for (&s, &o) in chunk.starts.iter().zip(&chunk.offsets) {
                if s > from && s <= to && o != current {
                    starts.push(s);
                    offsets.push(o);
                    current = o;
                }
            }
        }
        OffsetTable::from_parts(starts, offsets).expect("starts are increasing")
    }

    /// Chunk `k` of `zone`, built from the source the first time.
    fn chunk<'c>(&self, cache: &'c mut Cache, zone: IanaZone, k: i64) -> &'c Chunk {
        cache
            .chunks
            .entry((zone, k))
            .or_insert_with(|| self.build_chunk(zone, k))
    }

    /// Asks the source once per [`SOURCE_PROBE_STEP`] over chunk `k`, and bisects each change
    /// to its first second.
    fn build_chunk(&self, zone: IanaZone, k: i64) -> Chunk {
        let name = zone.name();
        let chunk_lo = k * CHUNK_SECONDS;
        let chunk_hi = chunk_lo + CHUNK_SECONDS - 1; // inclusive
                                                     // Only representable instants are asked about; the others keep offset 0.
        let (lo, hi) = (chunk_lo.max(MIN_UNIX), chunk_hi.min(MAX_UNIX));
        let mut starts = vec![chunk_lo];
        let mut offsets = vec![0];
        if lo > hi {
            return Chunk { starts, offsets };
        }
        let mut current = self.source.offset_at(name, lo).unwrap_or(0);
        if lo > chunk_lo {
            starts.push(lo);
            offsets.push(current);
        } else {
            offsets[0] = current;
        }
        let at = |t: i64, previous: i32| self.source.offset_at(name, t).unwrap_or(previous);
        let mut t = lo;
        while t < hi {
            let next = t.saturating_add(SOURCE_PROBE_STEP).min(hi);
            // Each change within (t, next], located to its first second.
            while at(next, current) != current {
                let (mut a, mut b) = (t, next);
                while b - a > 1 {
                    let mid = a + (b - a) / 2;
                    if at(mid, current) == current {
                        a = mid;
                    } else {
                        b = mid;
                    }
                }
                current = at(b, current);
                starts.push(b);
                offsets.push(current);
                t = b;
            }
            t = next;
        }
        if hi < chunk_hi && current != 0 {
            starts.push(hi + 1);
            offsets.push(0);
        }
        Chunk { starts, offsets }
    }
}

/// The first and last instants chrono represents.
const MIN_UNIX: i64 = -8_334_601_228_800;
const MAX_UNIX: i64 = 8_210_266_876_799;
const MIN_CHUNK: i64 = MIN_UNIX.div_euclid(CHUNK_SECONDS);
const MAX_CHUNK: i64 = MAX_UNIX.div_euclid(CHUNK_SECONDS);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn representable_range_is_chronos() {
        assert!(representable(MIN_UNIX) && !representable(MIN_UNIX - 1));
        assert!(representable(MAX_UNIX) && !representable(MAX_UNIX + 1));
    }

    #[test]
    fn names_are_sorted_and_unique() {
        assert!(names().windows(2).all(|w| w[0] < w[1]));
        assert!(names().len() < usize::from(u16::MAX));
        for z in IanaZone::all() {
            assert_eq!(IanaZone::from_name(z.name()), Some(z));
        }
    }

    /// A source with one transition a year and a counter of questions.
    struct Toy(std::rc::Rc<std::cell::Cell<usize>>);

    impl OffsetSource for Toy {
        fn offset_at(&self, zone: &str, unix: i64) -> Option<i32> {
            self.0.set(self.0.get() + 1);
            (zone == "Europe/Paris").then(|| {
                // +2 h from day 100 of each 365-day "year" to day 300, else +1 h.
                let d = unix.div_euclid(DAY_SECONDS).rem_euclid(365);
                if (100..300).contains(&d) {
                    7200
                } else {
                    3600
                }
            })
        }
    }

    #[test]
    fn chunks_are_asked_once_and_bisected_to_the_second() {
        let asked = std::rc::Rc::new(std::cell::Cell::new(0));
        let offsets = ZoneOffsets::new(Toy(asked.clone()));
        let paris = IanaZone::from_name("Europe/Paris").unwrap();
        let berlin = IanaZone::from_name("Europe/Berlin").unwrap();
        assert!(offsets.knows(paris));
        assert!(!offsets.knows(berlin));
        let t = 100 * DAY_SECONDS;
        assert_eq!(offsets.offset_at(paris, t - 1), 3600);
        assert_eq!(offsets.offset_at(paris, t), 7200);
        let after_first = asked.get();
        assert!(after_first < 500, "{after_first} questions for one chunk");
        for u in (0..CHUNK_SECONDS).step_by(3_600) {
            offsets.offset_at(paris, u);
        }
        assert_eq!(asked.get(), after_first, "a built chunk is not asked again");
        let table = offsets.table(paris, 0, 2 * 365 * DAY_SECONDS);
        assert_eq!(
            &table.starts()[1..],
            &[
                100 * DAY_SECONDS,
                300 * DAY_SECONDS,
                465 * DAY_SECONDS,
                665 * DAY_SECONDS
            ]
        );
        assert_eq!(table.offsets(), &[3600, 7200, 3600, 7200, 3600]);
        // Beyond chrono's range: offset 0, the source not asked.
        let before = asked.get();
        assert_eq!(offsets.offset_at(paris, i64::MAX), 0);
        assert_eq!(offsets.offset_at(paris, i64::MIN), 0);
        assert_eq!(asked.get(), before);
    }
}
