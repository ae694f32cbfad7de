//! Which windows a sync requests, and what each finished window lets it promise.
//!
//! JustCall reads `from_datetime`/`to_datetime` in the *account user's* time zone, which the
//! engine does not know. Every UTC offset lies in [-12 h, +14 h], so the outer bounds are widened
//! by 14 hours each side, and the range is cut into contiguous windows (each starts one second
//! after the previous ends) of at most `window_days`: whatever the account's zone, together they
//! cover the UTC range with no gap and no overlap. After the window ending at local time `b`, every
//! record with UTC instant up to `b - 14 h` has been seen: that is the watermark it earns.
//!
//! A later run starts `trailing` before the watermark (a *full re-scan* of the trailing window,
//! so late notes and dispositions land), or, between full re-scans when the cadence allows it
//! ([`PlanInput::overlap`]), only a short overlap before it. Either way the 14-hour slack is
//! added on top, so an overlap run still re-reads at least the last 2 hours before the watermark
//! whatever the account's zone.

use chrono::{Duration, NaiveDateTime};

use crate::justcall::Window;

/// Widening for the unknown zone of the API's filters.
pub const ZONE_SLACK_HOURS: i64 = 14;

/// The work for one stream in one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamPlan {
    /// First UTC instant the run must cover.
    pub start: NaiveDateTime,
    /// Last UTC instant the run must cover (the run's `--until`, or now).
    pub end: NaiveDateTime,
    /// Windows to request, in order, each with the watermark it earns once fully stored.
    pub windows: Vec<(Window, NaiveDateTime)>,
    /// Whether the run re-reads the whole trailing window before the stored watermark (or has
    /// none yet): once it succeeds, it counts as the stream's latest full re-scan.
    pub full_rescan: bool,
}

/// How a run chooses its start.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput {
    /// The stream's stored watermark, if a run finished a window before.
    pub watermark: Option<NaiveDateTime>,
    /// An explicit start (`--since`): wins over the watermark, for re-backfills.
    pub since: Option<NaiveDateTime>,
    /// End of the run (`--until`), else now.
    pub end: NaiveDateTime,
    /// First-run history, days before `end`.
    pub backfill: Duration,
    /// Re-scan before the watermark, for late notes and dispositions.
    pub trailing: Duration,
    /// `Some(o)`: a run between full re-scans, which re-scans only `o` before the watermark
    /// (at most `trailing`). `None`: a full re-scan of the trailing window.
    pub overlap: Option<Duration>,
    /// Longest window to request (≤ 90 days minus the slack).
    pub window: Duration,
}

/// Plans the windows of one stream. Errors when the range is empty or backwards, and when the
/// stored watermark lies after the end (a clock that was ahead, or an old `--until` in the
/// future): then records after the real end of that run may be missing, which only the user
/// can judge (`callduck watermark reset`).
///
/// A `--since` after the stored watermark skips the records in between: such a run stores what
/// it fetches but earns no watermark, so the next run still starts from the stored one.
pub fn plan(input: PlanInput) -> Result<StreamPlan, String> {
    if let (None, Some(mark)) = (input.since, input.watermark) {
        if mark > input.end {
            return Err(format!(
                "the stored watermark {mark} UTC is after the end of this run ({} UTC): a clock was \
                 ahead or an earlier --until was in the future, so records after that run may be \
                 missing. Choose a date you know is complete and run `callduck watermark reset \
                 STREAM --to DATE` (or without --to to backfill again)",
                input.end
            ));
        }
    }
    let back = input
        .overlap
        .map_or(input.trailing, |o| o.min(input.trailing));
    let start = match (input.since, input.watermark) {
        (Some(since), _) => since,
        (None, Some(mark)) => mark - back,
        (None, None) => input.end - input.backfill,
    };
    let full_rescan = input
        .watermark
        .is_none_or(|mark| start <= mark - input.trailing);
    // The watermark a window may earn: none past the stored one when --since left a gap.
    let gap = match (input.since, input.watermark) {
        (Some(since), Some(mark)) if since > mark => Some(mark),
        _ => None,
    };
    if start >= input.end {
        return Err(format!(
            "the sync range is empty: it starts at {start} UTC and ends at {} UTC (check --since and --until)",
            input.end
        ));
    }
    let slack = Duration::hours(ZONE_SLACK_HOURS);
    let (api_from, api_to) = (start - slack, input.end + slack);
    let span = input.window.max(Duration::hours(1));
    let mut windows = Vec::new();
    let mut from = api_from;
    while from <= api_to {
        let to = (from + span - Duration::seconds(1)).min(api_to);
        let earned = (to - slack).min(input.end);
        let earned = gap.map_or(earned, |mark| earned.min(mark));
        windows.push((Window { from, to }, earned));
        from = to + Duration::seconds(1);
    }
    Ok(StreamPlan {
        start,
        end: input.end,
        windows,
        full_rescan,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, d)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    fn input() -> PlanInput {
        PlanInput {
            watermark: None,
            since: None,
            end: t(20, 0),
            backfill: Duration::days(90),
            trailing: Duration::days(3),
            overlap: None,
            window: Duration::days(30),
        }
    }

    #[test]
    fn first_run_backfills_with_contiguous_windows() {
        let p = plan(input()).unwrap();
        assert_eq!(p.start, t(20, 0) - Duration::days(90));
        let ws = &p.windows;
        assert_eq!(ws[0].0.from, p.start - Duration::hours(14));
        assert_eq!(ws.last().unwrap().0.to, t(20, 14));
        for pair in ws.windows(2) {
            assert_eq!(pair[1].0.from, pair[0].0.to + Duration::seconds(1));
            assert!(pair[0].1 <= pair[1].1, "watermarks only rise");
        }
        for (w, _) in ws {
            assert!(w.to - w.from < Duration::days(90));
        }
        assert_eq!(
            ws.last().unwrap().1,
            t(20, 0),
            "the last window earns the end"
        );
    }

    #[test]
    fn later_runs_rescan_a_trailing_window() {
        let p = plan(PlanInput {
            watermark: Some(t(19, 0)),
            ..input()
        })
        .unwrap();
        assert_eq!(p.start, t(16, 0));
        assert_eq!(p.windows.len(), 1);
        assert_eq!(p.windows[0].0.from, t(15, 10));
    }

    #[test]
    fn between_full_rescans_only_the_overlap_is_reread() {
        let full = plan(PlanInput {
            watermark: Some(t(19, 0)),
            ..input()
        })
        .unwrap();
        assert!(full.full_rescan);
        let overlap = plan(PlanInput {
            watermark: Some(t(19, 0)),
            overlap: Some(Duration::minutes(10)),
            ..input()
        })
        .unwrap();
        assert!(!overlap.full_rescan);
        assert_eq!(overlap.start, t(19, 0) - Duration::minutes(10));
        assert_eq!(
            overlap.windows[0].0.from,
            overlap.start - Duration::hours(14)
        );
        assert_eq!(overlap.windows.last().unwrap().1, t(20, 0), "earns the end");
        // An overlap longer than the trailing window is the trailing window: a full re-scan.
        let long = plan(PlanInput {
            watermark: Some(t(19, 0)),
            overlap: Some(Duration::days(5)),
            ..input()
        })
        .unwrap();
        assert!(long.full_rescan);
        assert_eq!(long.start, t(16, 0));
        // A first run (backfill) and a --since before the trailing window are full re-scans; a
        // --since inside it is not.
        assert!(plan(input()).unwrap().full_rescan);
        for (since, full) in [(t(10, 0), true), (t(18, 0), false)] {
            let p = plan(PlanInput {
                watermark: Some(t(19, 0)),
                since: Some(since),
                overlap: Some(Duration::minutes(10)),
                ..input()
            })
            .unwrap();
            assert_eq!(p.full_rescan, full, "--since {since}");
        }
    }

    #[test]
    fn since_wins_and_backwards_ranges_are_refused() {
        let p = plan(PlanInput {
            watermark: Some(t(19, 0)),
            since: Some(t(1, 0)),
            ..input()
        })
        .unwrap();
        assert_eq!(p.start, t(1, 0));
        let err = plan(PlanInput {
            since: Some(t(21, 0)),
            ..input()
        })
        .unwrap_err();
        assert!(err.contains("--since"), "{err}");
    }

    #[test]
    fn a_since_after_the_watermark_earns_nothing_past_it() {
        let p = plan(PlanInput {
            watermark: Some(t(5, 0)),
            since: Some(t(18, 0)),
            ..input()
        })
        .unwrap();
        assert_eq!(p.start, t(18, 0));
        assert!(
            p.windows.iter().all(|(_, earned)| *earned <= t(5, 0)),
            "the skipped 5th to 18th stays unsynced: {:?}",
            p.windows
        );
    }

    #[test]
    fn a_watermark_in_the_future_is_refused_with_the_way_back() {
        let err = plan(PlanInput {
            watermark: Some(t(20, 0) + Duration::days(3000)),
            ..input()
        })
        .unwrap_err();
        assert!(err.contains("callduck watermark reset"), "{err}");
    }
}
