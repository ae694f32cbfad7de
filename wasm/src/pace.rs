//! Goal pace, exactly as the goals dashboard judges it (shared/reference/goals-tracker-contract.md).
//!
//! Calendar days, weekends included. For a period of `total` days with `elapsed` days gone:
//! * expected = target / total × elapsed
//! * progress% = current / target × 100 (0 when the target is not positive)
//! * pace% = elapsed / total × 100
//! * status: `ahead` when progress% ≥ pace% + 5, `on-pace` when progress% ≥ pace% − 5, else `behind`
//! * per-day target for the rest of the period = max(target − current, 0) / max(total − elapsed, 1)
//!
//! `elapsed` from a period and today ([`PaceInput::resolve`]): today counts as half a day for daily
//! goals; for longer periods the days from the start through today, today included (the
//! dashboard's `differenceInDays(now, start) + 1`), clamped to `[0, total]`. Periods: daily,
//! weekly (Monday start), monthly, quarterly.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::MetricsError;
use crate::lenient;

/// Tolerance around pace%, in percentage points.
pub const PACE_TOLERANCE_POINTS: f64 = 5.0;

/// A goal period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Daily,
    Weekly,
    Monthly,
    Quarterly,
}

impl Period {
    /// A period by the dashboard's name (`daily`, `weekly`, `monthly`, `quarterly`; padding and
    /// case ignored); `None` for any other.
    pub fn from_name(name: &str) -> Option<Period> {
        match lenient::trim(name).to_ascii_lowercase().as_str() {
            "daily" => Some(Period::Daily),
            "weekly" => Some(Period::Weekly),
            "monthly" => Some(Period::Monthly),
            "quarterly" => Some(Period::Quarterly),
            _ => None,
        }
    }

    /// First and last day of the period that contains `day`. The one definition of goal periods:
    /// the Firestore export and the dashboard page (through `goalPeriodBounds`) both use it.
    pub fn bounds(self, day: NaiveDate) -> (NaiveDate, NaiveDate) {
        match self {
            Period::Daily => (day, day),
            Period::Weekly => {
                let start = day.week(Weekday::Mon).first_day();
                (start, start + Duration::days(6))
            }
            Period::Monthly => {
                let start = day.with_day(1).expect("day 1 exists");
                (start, last_day_of_month(start))
            }
            Period::Quarterly => {
                let first_month = (day.month0() / 3) * 3 + 1;
                let start = NaiveDate::from_ymd_opt(day.year(), first_month, 1).expect("valid");
                let last_month_start =
                    NaiveDate::from_ymd_opt(day.year(), first_month + 2, 1).expect("valid");
                (start, last_day_of_month(last_month_start))
            }
        }
    }
}

fn last_day_of_month(first: NaiveDate) -> NaiveDate {
    let (y, m) = if first.month() == 12 {
        (first.year() + 1, 1)
    } else {
        (first.year(), first.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).expect("valid") - Duration::days(1)
}

/// `ahead`, `on-pace` or `behind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PaceStatus {
    Ahead,
    OnPace,
    Behind,
}

/// The dashboard's pace figures for one goal.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GoalPace {
    pub target: f64,
    pub current: f64,
    pub total_days: f64,
    pub elapsed_days: f64,
    pub remaining_days: f64,
    /// Where the goal should be by now.
    pub expected: f64,
    /// `current − expected` (positive = ahead).
    pub delta: f64,
    pub progress_percent: f64,
    pub pace_percent: f64,
    pub status: PaceStatus,
    /// What each remaining day needs to reach the target.
    pub per_day_target: f64,
}

/// Pace from explicit day counts.
pub fn goal_pace(target: f64, current: f64, total_days: f64, elapsed_days: f64) -> GoalPace {
    let expected = if total_days > 0.0 {
        target / total_days * elapsed_days
    } else {
        0.0
    };
    let progress_percent = if target > 0.0 {
        current / target * 100.0
    } else {
        0.0
    };
    let pace_percent = if total_days > 0.0 {
        elapsed_days / total_days * 100.0
    } else {
        0.0
    };
    let status = if progress_percent >= pace_percent + PACE_TOLERANCE_POINTS {
        PaceStatus::Ahead
    } else if progress_percent >= pace_percent - PACE_TOLERANCE_POINTS {
        PaceStatus::OnPace
    } else {
        PaceStatus::Behind
    };
    GoalPace {
        target,
        current,
        total_days,
        elapsed_days,
        remaining_days: (total_days - elapsed_days).max(0.0),
        expected,
        delta: current - expected,
        progress_percent,
        pace_percent,
        status,
        per_day_target: (target - current).max(0.0) / (total_days - elapsed_days).max(1.0),
    }
}

/// What a caller gives `goalPace`: target and current, plus either `totalDays` and `elapsedDays`,
/// or `today` with a `period` and/or the goal's `startDate`/`endDate`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaceInput {
    pub target: f64,
    pub current: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// Local date; the browser layer defaults it to the browser's today.
    #[serde(
        default,
        deserialize_with = "lenient::opt_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub today: Option<NaiveDate>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_date: Option<NaiveDate>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_days: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_days: Option<f64>,
}

impl PaceInput {
    /// `(total, elapsed)` days.
    pub fn resolve(&self) -> Result<(f64, f64), MetricsError> {
        if let (Some(total), Some(elapsed)) = (self.total_days, self.elapsed_days) {
            if !(total > 0.0 && total.is_finite() && elapsed >= 0.0 && elapsed.is_finite()) {
                return Err(MetricsError::invalid(
                    "totalDays",
                    "totalDays must be > 0 and elapsedDays ≥ 0",
                ));
            }
            return Ok((total, elapsed.min(total)));
        }
        let today = self.today.ok_or_else(|| {
            MetricsError::invalid(
                "today",
                "give today (YYYY-MM-DD), or totalDays and elapsedDays",
            )
        })?;
        let (start, end) = match (self.start_date, self.end_date, self.period) {
            (Some(s), Some(e), _) => (s, e),
            (_, _, Some(p)) => p.bounds(today),
            _ => {
                return Err(MetricsError::invalid(
                    "period",
                    "give a period, or startDate and endDate",
                ))
            }
        };
        if end < start {
            return Err(MetricsError::invalid(
                "endDate",
                "endDate is before startDate",
            ));
        }
        let total = ((end - start).num_days() + 1) as f64;
        let elapsed = if today < start {
            0.0
        } else if today > end {
            total
        } else if self.period == Some(Period::Daily) {
            // Today counts as half a day for daily goals.
            (today - start).num_days() as f64 + 0.5
        } else {
            ((today - start).num_days() + 1) as f64
        };
        Ok((total, elapsed))
    }

    pub fn pace(&self) -> Result<GoalPace, MetricsError> {
        if !self.target.is_finite() || !self.current.is_finite() {
            return Err(MetricsError::invalid(
                "target",
                "target and current must be numbers",
            ));
        }
        let (total, elapsed) = self.resolve()?;
        Ok(goal_pace(self.target, self.current, total, elapsed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_by_name_follow_the_dashboard() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let bounds = |name: &str, day: &str| Period::from_name(name).map(|p| p.bounds(d(day)));
        let today = "2026-11-25"; // a Wednesday
        assert_eq!(bounds("daily", today), Some((d(today), d(today))));
        assert_eq!(
            bounds(" Weekly ", today),
            Some((d("2026-11-23"), d("2026-11-29")))
        );
        assert_eq!(
            bounds("monthly", today),
            Some((d("2026-11-01"), d("2026-11-30")))
        );
        assert_eq!(
            bounds("quarterly", today),
            Some((d("2026-10-01"), d("2026-12-31")))
        );
        assert_eq!(
            bounds("quarterly", "2026-02-10"),
            Some((d("2026-01-01"), d("2026-03-31")))
        );
        assert_eq!(bounds("weekly", "2026-11-23").unwrap().0, d("2026-11-23"));
        assert_eq!(
            bounds("monthly", "2028-02-14"),
            Some((d("2028-02-01"), d("2028-02-29")))
        );
        assert_eq!(bounds("yearly", today), None);
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn formulas_follow_the_contract() {
        // 300 calls a month of 30 days, 10 days gone, 120 made.
        let p = goal_pace(300.0, 120.0, 30.0, 10.0);
        assert_eq!(p.expected, 100.0);
        assert_eq!(p.progress_percent, 40.0);
        assert!((p.pace_percent - 33.333333).abs() < 1e-5);
        assert_eq!(p.status, PaceStatus::Ahead);
        assert_eq!(p.per_day_target, 9.0);
        // Exactly +5 points is ahead; exactly −5 is on pace; below is behind.
        assert_eq!(goal_pace(100.0, 55.0, 10.0, 5.0).status, PaceStatus::Ahead);
        assert_eq!(goal_pace(100.0, 45.0, 10.0, 5.0).status, PaceStatus::OnPace);
        assert_eq!(goal_pace(100.0, 44.0, 10.0, 5.0).status, PaceStatus::Behind);
        // Last day: the remaining target is divided by at least one day; never negative.
        assert_eq!(goal_pace(100.0, 40.0, 7.0, 7.0).per_day_target, 60.0);
        assert_eq!(goal_pace(100.0, 140.0, 7.0, 3.0).per_day_target, 0.0);
        assert_eq!(goal_pace(0.0, 3.0, 7.0, 3.0).progress_percent, 0.0);
    }

    #[test]
    fn periods_and_elapsed_days() {
        assert_eq!(
            Period::Weekly.bounds(d("2026-03-08")),
            (d("2026-03-02"), d("2026-03-08"))
        );
        assert_eq!(
            Period::Monthly.bounds(d("2024-02-10")),
            (d("2024-02-01"), d("2024-02-29"))
        );
        assert_eq!(
            Period::Quarterly.bounds(d("2026-11-30")),
            (d("2026-10-01"), d("2026-12-31"))
        );
        assert_eq!(
            Period::Daily.bounds(d("2026-01-01")),
            (d("2026-01-01"), d("2026-01-01"))
        );

        let mut input = PaceInput {
            target: 50.0,
            current: 10.0,
            period: Some(Period::Daily),
            today: Some(d("2026-03-04")),
            ..PaceInput::default()
        };
        assert_eq!(input.resolve().unwrap(), (1.0, 0.5));
        let p = input.pace().unwrap();
        assert_eq!(
            (p.expected, p.pace_percent, p.progress_percent),
            (25.0, 50.0, 20.0)
        );
        assert_eq!(p.status, PaceStatus::Behind);
        assert_eq!(p.per_day_target, 40.0);

        input.period = Some(Period::Weekly); // Wednesday: Mon, Tue, Wed gone.
        assert_eq!(input.resolve().unwrap(), (7.0, 3.0));
        input.period = Some(Period::Monthly);
        assert_eq!(input.resolve().unwrap(), (31.0, 4.0));

        input.period = None;
        input.start_date = Some(d("2026-03-10"));
        input.end_date = Some(d("2026-03-19"));
        assert_eq!(input.resolve().unwrap(), (10.0, 0.0));
        input.today = Some(d("2026-04-01"));
        assert_eq!(input.resolve().unwrap(), (10.0, 10.0));

        let explicit = PaceInput {
            target: 1.0,
            total_days: Some(4.0),
            elapsed_days: Some(9.0),
            ..PaceInput::default()
        };
        assert_eq!(explicit.resolve().unwrap(), (4.0, 4.0));
        assert!(PaceInput {
            target: 1.0,
            ..PaceInput::default()
        }
        .pace()
        .is_err());
    }

    #[test]
    fn serialises_like_the_dashboard() {
        let input: PaceInput = serde_json::from_str(
            r#"{"target": 20, "current": 18, "period": "weekly", "today": "2026-03-07"}"#,
        )
        .unwrap();
        let json = serde_json::to_value(input.pace().unwrap()).unwrap();
        assert_eq!(json["status"], "on-pace");
        assert_eq!(json["perDayTarget"], 2.0);
        assert_eq!(json["progressPercent"], 90.0);
    }
}
