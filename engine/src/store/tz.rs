//! UTC offsets of IANA time zones, written into `callduck_tz_offsets` for the views.
//!
//! DuckDB needs its ICU extension for time-zone arithmetic; callduck's views must run in any
//! plain DuckDB (CLI, Python) without it. So the engine, which has the IANA database (chrono-tz),
//! writes each zone's offset intervals as data (`callduck_tz_offsets`) and, derived from them, one
//! row per zone and UTC day (`callduck_tz_days`), so the views find a record's local time with an
//! equi-join on (zone, UTC date): `local = utc + offset`, where the offset switches at `changes_at`
//! on the few days a zone changes its clocks.

use std::str::FromStr;

use anyhow::Context as _;
use chrono::{Duration, NaiveDate, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;
use duckdb::params;

use super::Store;

/// One interval `[valid_from, valid_until)` (UTC) during which a zone has one UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetSpan {
    pub valid_from: NaiveDateTime,
    pub valid_until: NaiveDateTime,
    pub utc_offset_seconds: i32,
}

fn offset_at(tz: Tz, utc: NaiveDateTime) -> i32 {
    tz.offset_from_utc_datetime(&utc).fix().local_minus_utc()
}

/// The first and last instants covered; records outside fall back to the nearest interval.
pub fn coverage() -> (NaiveDateTime, NaiveDateTime) {
    (
        NaiveDate::from_ymd_opt(1970, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap(),
        NaiveDate::from_ymd_opt(2070, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap(),
    )
}

/// The offset intervals of `tz` over [`coverage`], exact to the second.
pub fn offset_spans(tz: Tz) -> Vec<OffsetSpan> {
    let (start, end) = coverage();
    let mut spans = Vec::new();
    let mut span_start = start;
    let mut current = offset_at(tz, start);
    let mut t = start;
    // Zones change offset at most a few times a year: step by 6 hours, then bisect each change.
    let step = Duration::hours(6);
    while t < end {
        let next = (t + step).min(end);
        let off = offset_at(tz, next);
        if off != current {
            let (mut lo, mut hi) = (t, next); // offset(lo) == current, offset(hi) != current
                                              // Bisect in whole seconds (offsets change on whole seconds; halving a Duration would
                                              // wander into fractions of a second).
            while hi - lo > Duration::seconds(1) {
                let mid = lo + Duration::seconds((hi - lo).num_seconds() / 2);
                if offset_at(tz, mid) == current {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            spans.push(OffsetSpan {
                valid_from: span_start,
                valid_until: hi,
                utc_offset_seconds: current,
            });
            span_start = hi;
            current = offset_at(tz, hi);
        }
        t = next;
    }
    spans.push(OffsetSpan {
        valid_from: span_start,
        valid_until: end,
        utc_offset_seconds: current,
    });
    spans
}

/// Parses an IANA zone name, with an error that says what is expected.
pub fn parse_zone(name: &str) -> anyhow::Result<Tz> {
    Tz::from_str(name.trim()).map_err(|_| {
        anyhow::anyhow!(
            "unknown time zone {name:?}: use an IANA name such as America/New_York or UTC"
        )
    })
}

impl Store {
    /// Makes sure `callduck_tz_offsets` holds every zone in `zones` (unknown names are skipped and
    /// returned, so the caller can warn; the views then use the business zone for those agents).
    pub fn ensure_time_zones<'a>(
        &self,
        zones: impl IntoIterator<Item = &'a str>,
    ) -> anyhow::Result<Vec<String>> {
        let mut unknown = Vec::new();
        for name in zones {
            let Ok(tz) = Tz::from_str(name.trim()) else {
                unknown.push(name.to_string());
                continue;
            };
            let canonical = name.trim();
            let present: i64 = self.conn().query_row(
                "SELECT count(*) FROM callduck_tz_days WHERE timezone = ?",
                [canonical],
                |r| r.get(0),
            )?;
            if present > 0 {
                continue;
            }
            self.conn().execute(
                "DELETE FROM callduck_tz_offsets WHERE timezone = ?",
                [canonical],
            )?;
            let mut stmt = self
                .conn()
                .prepare("INSERT INTO callduck_tz_offsets VALUES (?, ?, ?, ?)")?;
            for s in offset_spans(tz) {
                stmt.execute(params![
                    canonical,
                    s.valid_from,
                    s.valid_until,
                    s.utc_offset_seconds
                ])
                .with_context(|| format!("writing offsets of {canonical}"))?;
            }
            // One row per UTC day: the offset at midnight UTC, and the first change in the day.
            let (start, end) = coverage();
            self.conn()
                .execute(
                    "INSERT INTO callduck_tz_days
                     WITH spans AS (SELECT * FROM callduck_tz_offsets WHERE timezone = ?1),
                     days AS (SELECT d AS day_start FROM range(?2::TIMESTAMP, ?3::TIMESTAMP, INTERVAL 1 DAY) AS t(d))
                     SELECT ?1, CAST(days.day_start AS DATE), at_midnight.utc_offset_seconds,
                            change.valid_from, change.utc_offset_seconds
                     FROM days
                     JOIN spans AS at_midnight
                       ON days.day_start >= at_midnight.valid_from AND days.day_start < at_midnight.valid_until
                     LEFT JOIN spans AS change
                       ON change.valid_from > days.day_start AND change.valid_from < days.day_start + INTERVAL 1 DAY
                     QUALIFY row_number() OVER (PARTITION BY days.day_start ORDER BY change.valid_from) = 1",
                    params![canonical, start, end],
                )
                .with_context(|| format!("writing daily offsets of {canonical}"))?;
        }
        Ok(unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, mi, s)
            .unwrap()
    }

    #[test]
    fn new_york_2026_transitions_are_exact() {
        let spans = offset_spans(chrono_tz::America::New_York);
        // DST starts 2026-03-08 07:00 UTC (2:00 EST) and ends 2026-11-01 06:00 UTC (2:00 EDT).
        let spring = spans
            .iter()
            .find(|s| s.valid_from == at(2026, 3, 8, 7, 0, 0))
            .unwrap();
        assert_eq!(spring.utc_offset_seconds, -4 * 3600);
        assert_eq!(spring.valid_until, at(2026, 11, 1, 6, 0, 0));
        let fall = spans
            .iter()
            .find(|s| s.valid_from == at(2026, 11, 1, 6, 0, 0))
            .unwrap();
        assert_eq!(fall.utc_offset_seconds, -5 * 3600);
    }

    #[test]
    fn spans_are_contiguous_and_cover_the_range() {
        for tz in [
            chrono_tz::Asia::Kolkata,
            chrono_tz::Australia::Sydney,
            chrono_tz::UTC,
        ] {
            let spans = offset_spans(tz);
            assert_eq!(spans.first().unwrap().valid_from, coverage().0);
            assert_eq!(spans.last().unwrap().valid_until, coverage().1);
            for w in spans.windows(2) {
                assert_eq!(w[0].valid_until, w[1].valid_from);
                assert_ne!(w[0].utc_offset_seconds, w[1].utc_offset_seconds);
            }
        }
    }

    #[test]
    fn unknown_zone_names_say_what_to_use() {
        let err = parse_zone("Mars/Olympus").unwrap_err().to_string();
        assert!(err.contains("IANA"), "{err}");
    }
}
