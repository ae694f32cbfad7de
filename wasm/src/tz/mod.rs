//! Local calendar days of UTC instants, correct across daylight-saving changes.
//!
//! A call's canonical instant is its UTC `call_date` + `call_time`; the day it counts for is the
//! calendar day of that instant in a time zone (the agent's, else a business default). Two ways to
//! get it, which must agree and are tested against each other:
//!
//! * [`Zone::local_date`]: the zone's offset at one instant (the row path);
//! * [`OffsetTable`]: the zone's UTC offsets as sorted intervals over a span of instants, so the
//!   columnar path turns a million instants into days with one comparison and one division each.
//!   A table can also be supplied directly ([`OffsetTable::from_parts`]) by a caller that has its
//!   own offsets (the engine's `callduck_tz_offsets`).
//!
//! Where the offsets come from depends on the target; which names are zones does not:
//!
//! * natively (the engine, the native tests) the IANA database is compiled in: chrono-tz, and an
//!   IANA zone is a `chrono_tz::Tz`;
//! * in `wasm32` the database is not shipped (it was ~40% of the gzipped module): an IANA zone is
//!   an [`IanaZone`], an index into the list of chrono-tz's names ([`names::NAMES`], generated
//!   and checked natively), so a name is valid exactly when it is natively; its offsets come from
//!   the [`OffsetSource`] installed with [`set_offset_source`] (the bindings install one that asks
//!   the JavaScript runtime's `Intl.DateTimeFormat`), cached per zone as transitions
//!   ([`ZoneOffsets`]).
//!
//! Day numbers are days since 1970-01-01 (`i64`), converted to [`NaiveDate`] only for output.

pub mod names;
mod source;

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};

use crate::error::MetricsError;

pub use source::{IanaZone, OffsetSource, ZoneOffsets, CHUNK_SECONDS, SOURCE_PROBE_STEP};

/// What an IANA zone is on this target: chrono-tz's `Tz` natively (the whole database compiled
/// in), an [`IanaZone`] (a name of the list, offsets from an [`OffsetSource`]) in `wasm32`.
#[cfg(not(target_arch = "wasm32"))]
pub type IanaTz = chrono_tz::Tz;
/// What an IANA zone is on this target: chrono-tz's `Tz` natively (the whole database compiled
/// in), an [`IanaZone`] (a name of the list, offsets from an [`OffsetSource`]) in `wasm32`.
#[cfg(target_arch = "wasm32")]
pub type IanaTz = IanaZone;

/// Seconds in a civil day.
pub const DAY_SECONDS: i64 = 86_400;

/// Days from 0001-01-01 (chrono's day 1) to 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// Day number (days since 1970-01-01) of a date.
pub fn day_number(date: NaiveDate) -> i64 {
    i64::from(chrono::Datelike::num_days_from_ce(&date) - UNIX_EPOCH_DAYS_FROM_CE)
}

/// Date of a day number; `None` outside chrono's range.
pub fn date_of_day(day: i64) -> Option<NaiveDate> {
    let ce = i32::try_from(day.checked_add(i64::from(UNIX_EPOCH_DAYS_FROM_CE))?).ok()?;
    NaiveDate::from_num_days_from_ce_opt(ce)
}

/// Unix seconds of a UTC date-time.
pub fn unix_seconds(utc: NaiveDateTime) -> i64 {
    utc.and_utc().timestamp()
}

/// A time zone: UTC or an IANA zone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Zone {
    #[default]
    Utc,
    Iana(IanaTz),
}

impl Zone {
    /// Parses an IANA name (`America/New_York`; exact spelling) or `UTC`/`Z` (any case).
    pub fn parse(name: &str) -> Result<Zone, MetricsError> {
        let name = crate::lenient::trim(name);
        if name.eq_ignore_ascii_case("utc") || name.eq_ignore_ascii_case("z") || name.is_empty() {
            return Ok(Zone::Utc);
        }
        let zone = Zone::iana(name).ok_or_else(|| {
            MetricsError::invalid("timeZone", format!("unknown IANA time zone {name:?}"))
        })?;
        zone.check_offsets("timeZone")?;
        Ok(zone)
    }

    /// An agent's own zone, as the SQL views take it (`effective_timezone` in
    /// `stg_justcall__users`): the name with its padding trimmed ([`crate::lenient::trim`]) when it
    /// is an IANA name spelt exactly (`UTC` included, the engine registers those offsets); `None`
    /// when it is empty or unknown (`Mars/Base`, `utc`), so the business zone applies.
    pub fn of_agent(name: &str) -> Option<Zone> {
        Zone::iana(crate::lenient::trim(name))
    }

    /// The IANA zone of a name spelt exactly (chrono-tz's `Tz::from_str`).
    #[cfg(not(target_arch = "wasm32"))]
    fn iana(name: &str) -> Option<Zone> {
        use std::str::FromStr;
        chrono_tz::Tz::from_str(name).ok().map(Zone::Iana)
    }

    /// The IANA zone of a name spelt exactly: the same names as chrono-tz's `Tz::from_str`.
    #[cfg(target_arch = "wasm32")]
    fn iana(name: &str) -> Option<Zone> {
        IanaZone::from_name(name).map(Zone::Iana)
    }

    /// Whether this zone's offsets can be computed: always natively; in `wasm32` when an
    /// [`OffsetSource`] is installed and knows the zone (a JavaScript runtime without `Intl`, or
    /// whose ICU predates the zone, does not). The error names `field`. A valid name whose
    /// offsets are missing is an error rather than a fallback: the day would differ from the
    /// engine's.
    pub fn check_offsets(&self, field: &str) -> Result<(), MetricsError> {
        #[cfg(target_arch = "wasm32")]
        if let Zone::Iana(zone) = self {
            return match global_offsets() {
                Some(offsets) if offsets.knows(*zone) => Ok(()),
                Some(_) => Err(MetricsError::invalid(
                    field,
                    format!(
                        "time zone {:?} is valid, but this JavaScript runtime's Intl.DateTimeFormat has no offsets for it",
                        zone.name()
                    ),
                )),
                None => Err(MetricsError::invalid(
                    field,
                    format!(
                        "time zone {:?} needs an offset source (callduck_metrics::tz::set_offset_source)",
                        zone.name()
                    ),
                )),
            };
        }
        let _ = field;
        Ok(())
    }

    /// The zone's name (`UTC` or the IANA name).
    pub fn name(&self) -> &'static str {
        match self {
            Zone::Utc => "UTC",
            Zone::Iana(tz) => tz.name(),
        }
    }

    /// UTC offset in seconds at a unix instant (local = utc + offset).
    pub fn offset_at(&self, unix: i64) -> i32 {
        match self {
            Zone::Utc => 0,
            Zone::Iana(tz) => iana_offset(*tz, unix),
        }
    }

    /// The local calendar date of a UTC date-time.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn local_date(&self, utc: NaiveDateTime) -> NaiveDate {
        use chrono::TimeZone;
        match self {
            Zone::Utc => utc.date(),
            Zone::Iana(tz) => tz.from_utc_datetime(&utc).date_naive(),
        }
    }

    /// The local calendar date of a UTC date-time.
    #[cfg(target_arch = "wasm32")]
    pub fn local_date(&self, utc: NaiveDateTime) -> NaiveDate {
        match self {
            Zone::Utc => utc.date(),
            Zone::Iana(_) => {
                let offset =
                    chrono::TimeDelta::seconds(i64::from(self.offset_at(unix_seconds(utc))));
                utc.checked_add_signed(offset).unwrap_or(utc).date()
            }
        }
    }

    /// The local day number of a unix instant.
    pub fn local_day(&self, unix: i64) -> i64 {
        (unix + i64::from(self.offset_at(unix))).div_euclid(DAY_SECONDS)
    }
}

/// chrono-tz's offset of `tz` at `unix` (0 where chrono cannot represent the instant).
#[cfg(not(target_arch = "wasm32"))]
fn iana_offset(tz: IanaTz, unix: i64) -> i32 {
    use chrono::{Offset, TimeZone};
    match chrono::DateTime::from_timestamp(unix, 0) {
        Some(dt) => tz
            .offset_from_utc_datetime(&dt.naive_utc())
            .fix()
            .local_minus_utc(),
        None => 0,
    }
}

/// The installed source's offset of `zone` at `unix`, through the cache.
#[cfg(target_arch = "wasm32")]
fn iana_offset(zone: IanaTz, unix: i64) -> i32 {
    global_offsets()
        .expect("an IANA zone needs an offset source (callduck_metrics::tz::set_offset_source)")
        .offset_at(zone, unix)
}

#[cfg(target_arch = "wasm32")]
thread_local! {
    static OFFSETS: std::cell::RefCell<Option<std::rc::Rc<ZoneOffsets>>> =
        const { std::cell::RefCell::new(None) };
}

/// Installs where this `wasm32` build gets IANA zones' offsets (the bindings install one that
/// asks `Intl.DateTimeFormat`), replacing any earlier source and its cache.
#[cfg(target_arch = "wasm32")]
pub fn set_offset_source(source: impl OffsetSource + 'static) {
    let offsets = std::rc::Rc::new(ZoneOffsets::new(source));
    OFFSETS.with(|o| *o.borrow_mut() = Some(offsets));
}

/// Whether an offset source is installed ([`set_offset_source`]).
#[cfg(target_arch = "wasm32")]
pub fn has_offset_source() -> bool {
    OFFSETS.with(|o| o.borrow().is_some())
}

#[cfg(target_arch = "wasm32")]
fn global_offsets() -> Option<std::rc::Rc<ZoneOffsets>> {
    OFFSETS.with(|o| o.borrow().clone())
}

/// A zone's UTC offsets as intervals: `offsets[i]` holds from `starts[i]` (unix seconds,
/// inclusive) to `starts[i + 1]`; the first interval extends to −∞ and the last to +∞.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetTable {
    starts: Vec<i64>,
    offsets: Vec<i32>,
}

/// Step between probes when looking for transitions. Real zones change offset at most a few
/// times a year and never twice within six hours.
const PROBE_STEP: i64 = 6 * 3600;

impl OffsetTable {
    /// A table with one offset everywhere.
    pub fn fixed(offset_seconds: i32) -> OffsetTable {
        OffsetTable {
            starts: vec![i64::MIN],
            offsets: vec![offset_seconds],
        }
    }

    /// A table from explicit intervals. `starts` must be strictly increasing and as long as
    /// `offsets`; the first start is treated as −∞.
    pub fn from_parts(starts: Vec<i64>, offsets: Vec<i32>) -> Result<OffsetTable, MetricsError> {
        if starts.is_empty() || starts.len() != offsets.len() {
            return Err(MetricsError::invalid(
                "offsetTable",
                "starts and offsets must be non-empty and of equal length",
            ));
        }
        if starts.windows(2).any(|w| w[0] >= w[1]) {
            return Err(MetricsError::invalid(
                "offsetTable",
                "starts must be strictly increasing",
            ));
        }
        let mut starts = starts;
        starts[0] = i64::MIN;
        Ok(OffsetTable { starts, offsets })
    }

    /// The exact offsets of `zone` for every instant in `[from, to]` (unix seconds).
    /// Instants outside the span get the offset of the nearest end.
    pub fn build(zone: Zone, from: i64, to: i64) -> OffsetTable {
        match zone {
            Zone::Utc => OffsetTable::fixed(0),
            #[cfg(not(target_arch = "wasm32"))]
            Zone::Iana(_) => OffsetTable::probe(zone, from, to),
            #[cfg(target_arch = "wasm32")]
            Zone::Iana(z) => global_offsets()
                .expect(
                    "an IANA zone needs an offset source (callduck_metrics::tz::set_offset_source)",
                )
                .table(z, from, to),
        }
    }

    /// [`OffsetTable::build`] by probing `zone.offset_at` every [`PROBE_STEP`] over the span (a
    /// day of margin on each side) and bisecting each change to its first second.
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    fn probe(zone: Zone, from: i64, to: i64) -> OffsetTable {
        let (from, to) = if from <= to { (from, to) } else { (to, from) };
        let from = from - DAY_SECONDS;
        let to = to + DAY_SECONDS;
        let mut starts = vec![i64::MIN];
        let mut offsets = vec![zone.offset_at(from)];
        let mut t = from;
        let mut current = offsets[0];
        while t < to {
            let next = (t + PROBE_STEP).min(to);
            let off = zone.offset_at(next);
            if off != current {
                // The first second with the new offset lies in (t, next]: bisect.
                let (mut lo, mut hi) = (t, next);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if zone.offset_at(mid) == current {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                starts.push(hi);
                offsets.push(off);
                current = off;
            }
            t = next;
        }
        OffsetTable { starts, offsets }
    }

    /// Interval starts (the first is `i64::MIN`).
    pub fn starts(&self) -> &[i64] {
        &self.starts
    }

    /// Offsets, seconds east of UTC.
    pub fn offsets(&self) -> &[i32] {
        &self.offsets
    }

    /// Offset at a unix instant (binary search).
    pub fn offset_at(&self, unix: i64) -> i32 {
        let i = self.starts.partition_point(|&s| s <= unix);
        self.offsets[i.saturating_sub(1)]
    }

    /// Local day number at a unix instant.
    pub fn local_day(&self, unix: i64) -> i64 {
        (unix + i64::from(self.offset_at(unix))).div_euclid(DAY_SECONDS)
    }

    /// A cursor for many look-ups, fastest when instants come roughly in order.
    pub fn cursor(&self) -> DayCursor<'_> {
        let mut c = DayCursor {
            table: self,
            lo: i64::MIN,
            hi: i64::MAX,
            offset: 0,
            day_lo: 0,
            day_hi: 0,
            day: 0,
        };
        c.seek(0);
        c
    }
}

/// Sequential local-day look-ups on an [`OffsetTable`]: the current offset interval and the
/// current local day's UTC bounds are cached, so an instant on the same day as the previous one
/// costs two comparisons and no division.
#[derive(Debug, Clone)]
pub struct DayCursor<'a> {
    table: &'a OffsetTable,
    /// Offset interval `[lo, hi)` and its offset.
    lo: i64,
    hi: i64,
    offset: i64,
    /// UTC instants `[day_lo, day_hi)` that fall on local day `day` (within the interval).
    day_lo: i64,
    day_hi: i64,
    day: i64,
}

impl DayCursor<'_> {
    fn seek(&mut self, unix: i64) {
        let t = self.table;
        let i = t.starts.partition_point(|&s| s <= unix).saturating_sub(1);
        self.lo = t.starts[i];
        self.hi = t.starts.get(i + 1).copied().unwrap_or(i64::MAX);
        self.offset = i64::from(t.offsets[i]);
    }

    #[cold]
    #[inline(never)]
    fn local_day_slow(&mut self, unix: i64) -> i64 {
        if unix < self.lo || unix >= self.hi {
            self.seek(unix);
        }
        let day = (unix + self.offset).div_euclid(DAY_SECONDS);
        self.day = day;
        self.day_lo = (day * DAY_SECONDS - self.offset).max(self.lo);
        self.day_hi = ((day + 1) * DAY_SECONDS - self.offset).min(self.hi);
        day
    }

    /// Local day number of a unix instant.
    #[inline(always)]
    pub fn local_day(&mut self, unix: i64) -> i64 {
        if unix >= self.day_lo && unix < self.day_hi {
            self.day
        } else {
            self.local_day_slow(unix)
        }
    }
}

/// The zone of each agent: a default plus per-agent overrides (JustCall's user time zones).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ZoneMap {
    pub default: Zone,
    pub by_agent: HashMap<i64, Zone>,
}

impl ZoneMap {
    /// One zone for every agent.
    pub fn single(zone: Zone) -> ZoneMap {
        ZoneMap {
            default: zone,
            by_agent: HashMap::new(),
        }
    }

    /// The zone of an agent (the default when the agent has none or is unknown).
    pub fn zone_of(&self, agent_id: Option<i64>) -> Zone {
        agent_id
            .and_then(|id| self.by_agent.get(&id).copied())
            .unwrap_or(self.default)
    }

    /// The agent's local date of a UTC date-time.
    pub fn local_date(&self, agent_id: Option<i64>, utc: NaiveDateTime) -> NaiveDate {
        self.zone_of(agent_id).local_date(utc)
    }

    /// Every distinct zone, the default first.
    pub fn zones(&self) -> Vec<Zone> {
        let mut zones = vec![self.default];
        let mut rest: Vec<Zone> = self.by_agent.values().copied().collect();
        rest.sort_unstable_by_key(|z| z.name());
        for z in rest {
            if !zones.contains(&z) {
                zones.push(z);
            }
        }
        zones
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;

    fn utc(d: &str, t: &str) -> NaiveDateTime {
        NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .unwrap()
            .and_time(NaiveTime::parse_from_str(t, "%H:%M:%S").unwrap())
    }

    #[test]
    fn day_numbers_round_trip() {
        let d = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        assert_eq!(day_number(d), 0);
        let d = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap();
        assert_eq!(date_of_day(day_number(d)), Some(d));
        assert_eq!(date_of_day(-1), NaiveDate::from_ymd_opt(1969, 12, 31));
    }

    #[test]
    fn late_evening_local_is_next_utc_day() {
        // 23:30 in New York (EST, UTC-5) on 2026-01-15 is 04:30 UTC on the 16th.
        let ny = Zone::parse("America/New_York").unwrap();
        let u = utc("2026-01-16", "04:30:00");
        assert_eq!(ny.local_date(u).to_string(), "2026-01-15");
        assert_eq!(Zone::Utc.local_date(u).to_string(), "2026-01-16");
        let t = unix_seconds(u);
        assert_eq!(
            date_of_day(ny.local_day(t)).unwrap().to_string(),
            "2026-01-15"
        );
    }

    #[test]
    fn dst_changes_move_the_day_boundary() {
        let ny = Zone::parse("America/New_York").unwrap();
        // Spring forward 2026-03-08 07:00 UTC: before it EST (-5), after it EDT (-4).
        assert_eq!(
            ny.offset_at(unix_seconds(utc("2026-03-08", "06:59:59"))),
            -5 * 3600
        );
        assert_eq!(
            ny.offset_at(unix_seconds(utc("2026-03-08", "07:00:00"))),
            -4 * 3600
        );
        // 04:30 UTC on 03-09 is 00:30 EDT on the 9th, but would be 23:30 on the 8th under EST.
        assert_eq!(
            ny.local_date(utc("2026-03-09", "04:30:00")).to_string(),
            "2026-03-09"
        );
        // Fall back 2026-11-01 06:00 UTC: 04:30 UTC on 11-02 is 23:30 EST on the 1st.
        assert_eq!(
            ny.local_date(utc("2026-11-02", "04:30:00")).to_string(),
            "2026-11-01"
        );
        assert_eq!(
            ny.local_date(utc("2026-10-31", "04:30:00")).to_string(),
            "2026-10-31"
        );
    }

    #[test]
    fn offset_table_matches_chrono_tz_everywhere() {
        for name in [
            "America/New_York",
            "Europe/London",
            "Australia/Lord_Howe",
            "Asia/Kolkata",
            "UTC",
        ] {
            let zone = Zone::parse(name).unwrap();
            let from = unix_seconds(utc("2025-10-01", "00:00:00"));
            let to = unix_seconds(utc("2026-12-01", "00:00:00"));
            let table = OffsetTable::build(zone, from, to);
            let mut cursor = table.cursor();
            // Every 17 minutes over 14 months, plus the seconds around each transition.
            let mut probes: Vec<i64> = (from..=to).step_by(17 * 60).collect();
            for &s in &table.starts()[1..] {
                probes.extend([s - 1, s, s + 1]);
            }
            for t in probes {
                assert_eq!(table.offset_at(t), zone.offset_at(t), "{name} at {t}");
                assert_eq!(cursor.local_day(t), zone.local_day(t), "{name} at {t}");
            }
        }
    }

    #[test]
    fn unknown_zone_is_an_error() {
        let err = Zone::parse("Mars/Olympus").unwrap_err().to_string();
        assert!(err.contains("Mars/Olympus"), "{err}");
        assert_eq!(Zone::parse("utc").unwrap(), Zone::Utc);
    }

    #[test]
    fn agent_zones_are_trimmed_and_unknown_ones_are_none() {
        assert_eq!(
            Zone::of_agent(" America/Chicago\t").map(|z| z.name()),
            Some("America/Chicago")
        );
        assert_eq!(Zone::of_agent("UTC").map(|z| z.name()), Some("UTC"));
        for name in [
            "",
            "  ",
            "Mars/Base",
            "utc",
            "america/chicago",
            "America/Chicago\u{a0}",
        ] {
            assert_eq!(Zone::of_agent(name), None, "{name:?}");
        }
        assert_eq!(
            Zone::parse("\n America/Chicago ").unwrap().name(),
            "America/Chicago"
        );
    }

    /// `names.rs` as chrono-tz's names make it.
    #[cfg(not(target_arch = "wasm32"))]
    fn names_file() -> String {
        let mut names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
        names.sort_unstable();
        let head = include_str!("names.rs");
        let head = &head[..head.find("pub const TZDB_VERSION").unwrap()];
        let mut out = format!(
            "{head}pub const TZDB_VERSION: &str = {:?};\n\n",
            chrono_tz::IANA_TZDB_VERSION
        );
        out += "/// Every zone and link name of chrono-tz (`chrono_tz::TZ_VARIANTS`), one a line, sorted by\n";
        out += "/// bytes: the IANA names the core accepts, spelt exactly ([`names`]).\n";
        out += "pub const NAMES: &str = \"\n";
        for name in names {
            out += name;
            out += "\n";
        }
        out + "\";\n\n/// [`NAMES`] as a sorted list, for a binary search.\npub fn names() -> &'static [&'static str] {\n    static LIST: std::sync::OnceLock<Vec<&str>> = std::sync::OnceLock::new();\n    LIST.get_or_init(|| NAMES.lines().filter(|l| !l.is_empty()).collect())\n}\n"
    }

    /// The module decides which names are zones from `names.rs`; natively chrono-tz decides.
    /// Both must agree on every name, and on every other spelling of one.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn zone_names_are_chrono_tz_names() {
        use std::str::FromStr;
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/tz/names.rs");
        let want = names_file();
        if std::env::var_os("CALLDUCK_UPDATE_FIXTURES").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        assert!(
            std::fs::read_to_string(path).unwrap() == want,
            "{path} is not chrono-tz's list of names (chrono-tz updated?): regenerate with \
             CALLDUCK_UPDATE_FIXTURES=1 cargo test --release -p callduck-metrics --lib tz::"
        );
        assert_eq!(names::TZDB_VERSION, chrono_tz::IANA_TZDB_VERSION);
        assert_eq!(names::names().len(), chrono_tz::TZ_VARIANTS.len());
        let mut spellings = vec![
            String::new(),
            " UTC".into(),
            "UTC ".into(),
            "Mars/Base".into(),
            "GMT+0 ".into(),
            "America/New_York\u{a0}".into(),
            "America/New York".into(),
            "America//New_York".into(),
            "Factory".into(),
        ];
        for tz in chrono_tz::TZ_VARIANTS {
            let name = tz.name();
            assert_eq!(IanaZone::from_name(name).map(IanaZone::name), Some(name));
            spellings.extend([
                name.to_lowercase(),
                name.to_uppercase(),
                name.replace('_', " "),
                format!("{name}/"),
            ]);
        }
        for s in &spellings {
            assert_eq!(
                IanaZone::from_name(s).map(IanaZone::name),
                chrono_tz::Tz::from_str(s).ok().map(|tz| tz.name()),
                "{s:?}"
            );
        }
    }

    #[test]
    fn explicit_tables_are_checked() {
        assert!(OffsetTable::from_parts(vec![0, 0], vec![1, 2]).is_err());
        let t = OffsetTable::from_parts(vec![0, 100], vec![-3600, 0]).unwrap();
        assert_eq!(t.offset_at(-5), -3600);
        assert_eq!(t.offset_at(100), 0);
    }
}
