//! Query parameters of the list endpoints → validated filters, and the paging arithmetic.
//!
//! JustCall reads `from_datetime`/`to_datetime` as wall-clock times in the *account's* time
//! zone (`yyyy-mm-dd` or `yyyy-mm-dd hh:mm:ss`, both bounds inclusive, a bare `to` date meaning
//! the end of that day) and refuses spans over 90 days; records are compared by their UTC
//! instant. Pages are 0-based, `per_page` defaults to 20 and may not exceed 100. Errors are
//! 400s that name the offending parameter, as an API should.

use std::collections::HashMap;

use callduck_metrics::Direction;
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike as _};
use chrono_tz::Tz;

/// What the list filters look at, for calls and SMS alike.
pub(crate) trait Record {
    fn at(&self) -> NaiveDateTime;
    fn agent(&self) -> Option<i64>;
    fn direction(&self) -> Direction;
    fn call_type(&self) -> Option<&str>;
    fn contact(&self) -> Option<&str>;
    fn line(&self) -> Option<&str>;
}

/// Default page size of every list endpoint.
pub(crate) const DEFAULT_PER_PAGE: usize = 20;
/// Largest page size accepted.
pub(crate) const MAX_PER_PAGE: usize = 100;
/// Longest `from_datetime`..`to_datetime` span accepted.
pub(crate) const MAX_SPAN_DAYS: i64 = 90;

/// An error answer: HTTP status and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub status: u16,
    pub message: String,
}

impl ApiError {
    pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError {
            status: 400,
            message: message.into(),
        }
    }

    pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            status: 404,
            message: message.into(),
        }
    }
}

/// Page number and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Paging {
    pub page: usize,
    pub per_page: usize,
}

/// What a list request selects; times are UTC, both bounds inclusive.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ListFilter {
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub agent_id: Option<i64>,
    pub direction: Option<Direction>,
    /// Lower-cased `call_type`.
    pub call_type: Option<String>,
    /// Digits of `contact_number`.
    pub contact_digits: Option<String>,
    /// Digits of `justcall_number`.
    pub line_digits: Option<String>,
}

impl ListFilter {
    /// Whether any filter besides time and agent is set (those need a scan).
    pub(crate) fn has_predicates(&self) -> bool {
        self.direction.is_some()
            || self.call_type.is_some()
            || self.contact_digits.is_some()
            || self.line_digits.is_some()
    }

    /// The non-index filters (direction, type, numbers) for one record.
    pub(crate) fn matches<R: Record>(&self, r: &R) -> bool {
        self.direction.is_none_or(|d| r.direction() == d)
            && self
                .call_type
                .as_deref()
                .is_none_or(|t| r.call_type().is_some_and(|k| k.eq_ignore_ascii_case(t)))
            && self
                .contact_digits
                .as_deref()
                .is_none_or(|d| same_number(r.contact(), d))
            && self
                .line_digits
                .as_deref()
                .is_none_or(|d| same_number(r.line(), d))
    }
}

/// Sort direction of a list (`sort=id` and `sort=datetime` give the same order here, because
/// ids increase with time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    Asc,
    Desc,
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Numbers match when their last ten digits (or all, if fewer) agree, whatever the format.
fn same_number(record: Option<&str>, want_digits: &str) -> bool {
    let Some(record) = record else { return false };
    let have = digits(record);
    let tail = &want_digits[want_digits.len().saturating_sub(10)..];
    !tail.is_empty() && have.ends_with(tail)
}

fn param<'a>(params: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    params.get(name).map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// `page` (0-based, default 0) and `per_page` (1..=100, default 20).
pub(crate) fn parse_paging(params: &HashMap<String, String>) -> Result<Paging, ApiError> {
    let page = match param(params, "page") {
        None => 0,
        Some(p) => p.parse::<usize>().map_err(|_| {
            ApiError::bad_request(format!("page must be a non-negative integer, got {p:?}"))
        })?,
    };
    let per_page = match param(params, "per_page") {
        None => DEFAULT_PER_PAGE,
        Some(p) => p.parse::<usize>().map_err(|_| {
            ApiError::bad_request(format!(
                "per_page must be an integer from 1 to {MAX_PER_PAGE}, got {p:?}"
            ))
        })?,
    };
    if per_page == 0 || per_page > MAX_PER_PAGE {
        return Err(ApiError::bad_request(format!(
            "per_page must be between 1 and {MAX_PER_PAGE}, got {per_page}"
        )));
    }
    Ok(Paging { page, per_page })
}

/// Which bound a wall-clock time is: it decides how a skipped or repeated local hour is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bound {
    From,
    To,
}

/// Parses `yyyy-mm-dd` or `yyyy-mm-dd hh:mm:ss`; a bare date is 00:00:00 as a `From` bound and
/// 23:59:59 as a `To` bound.
pub(crate) fn parse_local(s: &str, bound: Bound) -> Option<NaiveDateTime> {
    let s = s.trim();
    if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S") {
        return Some(t);
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(match bound {
        Bound::From => d.and_time(NaiveTime::MIN),
        Bound::To => d.and_hms_opt(23, 59, 59)?,
    })
}

/// The UTC instant of a wall-clock bound in `tz`. In the autumn's repeated hour the bound is
/// widened (earlier instant for `From`, later for `To`); a time inside the spring's skipped hour
/// is the moment the clock jumps (for `To`, the second before it).
pub(crate) fn local_to_utc(tz: Tz, local: NaiveDateTime, bound: Bound) -> NaiveDateTime {
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => t.naive_utc(),
        chrono::LocalResult::Ambiguous(a, b) => match bound {
            Bound::From => a.naive_utc().min(b.naive_utc()),
            Bound::To => a.naive_utc().max(b.naive_utc()),
        },
        chrono::LocalResult::None => {
            // Walk forward to the first wall-clock minute that exists: the end of the gap.
            let mut t = local;
            for _ in 0..(24 * 60) {
                t = (t + Duration::minutes(1))
                    .with_second(0)
                    .expect("second 0 exists");
                if let Some(after) = tz.from_local_datetime(&t).earliest() {
                    let jump = after.naive_utc();
                    return match bound {
                        Bound::From => jump,
                        Bound::To => jump - Duration::seconds(1),
                    };
                }
            }
            local
        }
    }
}

/// The filters of `/v2.1/calls` (`calls = true`) or `/v2.1/texts`, and the order.
pub(crate) fn parse_list_filter(
    params: &HashMap<String, String>,
    tz: Tz,
    calls: bool,
) -> Result<(ListFilter, Order), ApiError> {
    let mut f = ListFilter::default();
    let bad_date = |name: &str, v: &str| {
        ApiError::bad_request(format!(
            "{name} must be yyyy-mm-dd or yyyy-mm-dd hh:mm:ss (in the account's time zone), got {v:?}"
        ))
    };
    let from_local = match param(params, "from_datetime") {
        Some(v) => Some(parse_local(v, Bound::From).ok_or_else(|| bad_date("from_datetime", v))?),
        None => None,
    };
    let to_local = match param(params, "to_datetime") {
        Some(v) => Some(parse_local(v, Bound::To).ok_or_else(|| bad_date("to_datetime", v))?),
        None => None,
    };
    if let (Some(a), Some(b)) = (from_local, to_local) {
        if b < a {
            return Err(ApiError::bad_request(
                "from_datetime must not be after to_datetime",
            ));
        }
        if b - a > Duration::days(MAX_SPAN_DAYS) {
            return Err(ApiError::bad_request(format!(
                "the range from_datetime..to_datetime may span at most {MAX_SPAN_DAYS} days"
            )));
        }
    }
    f.from = from_local.map(|t| local_to_utc(tz, t, Bound::From));
    f.to = to_local.map(|t| local_to_utc(tz, t, Bound::To));

    if let Some(v) = param(params, "agent_id") {
        f.agent_id = Some(v.parse().map_err(|_| {
            ApiError::bad_request(format!("agent_id must be an integer, got {v:?}"))
        })?);
    }
    let direction_name = if calls {
        "call_direction"
    } else {
        "sms_direction"
    };
    if let Some(v) = param(params, direction_name) {
        f.direction = Some(Direction::parse(v).ok_or_else(|| {
            ApiError::bad_request(format!(
                "{direction_name} must be Incoming or Outgoing, got {v:?}"
            ))
        })?);
    }
    if calls {
        f.call_type = param(params, "call_type").map(str::to_lowercase);
    }
    for (name, slot) in [
        ("contact_number", &mut f.contact_digits),
        ("justcall_number", &mut f.line_digits),
    ] {
        if let Some(v) = param(params, name) {
            let d = digits(v);
            if d.is_empty() {
                return Err(ApiError::bad_request(format!(
                    "{name} must be a phone number, got {v:?}"
                )));
            }
            *slot = Some(d);
        }
    }
    if let Some(v) = param(params, "sort") {
        if !matches!(v.to_ascii_lowercase().as_str(), "id" | "datetime") {
            return Err(ApiError::bad_request(format!(
                "sort must be id or datetime, got {v:?}"
            )));
        }
    }
    let order = match param(params, "order")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("desc") => Order::Desc,
        Some("asc") => Order::Asc,
        Some(v) => {
            return Err(ApiError::bad_request(format!(
                "order must be asc or desc, got {v:?}"
            )))
        }
    };
    Ok((f, order))
}

/// The records `[start, end)` of a page (positions in the sorted selection) and whether a next
/// page exists. With `overlap`, page p ≥ 1 begins with the last record of page p − 1: pages
/// advance by `per_page − 1`, are still `per_page` long, and every record is still served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageWindow {
    pub start: usize,
    pub end: usize,
    pub has_next: bool,
}

pub(crate) fn page_window(total: usize, page: usize, per_page: usize, overlap: bool) -> PageWindow {
    let stride = if overlap && per_page > 1 {
        per_page - 1
    } else {
        per_page
    };
    let start = page.saturating_mul(stride).min(total);
    let end = start.saturating_add(per_page).min(total);
    PageWindow {
        start,
        end,
        has_next: end < total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn ny() -> Tz {
        "America/New_York".parse().unwrap()
    }

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn paging_defaults_and_limits() {
        assert_eq!(
            parse_paging(&q(&[])).unwrap(),
            Paging {
                page: 0,
                per_page: 20
            }
        );
        assert_eq!(
            parse_paging(&q(&[("page", "3"), ("per_page", "100")])).unwrap(),
            Paging {
                page: 3,
                per_page: 100
            }
        );
        let e = parse_paging(&q(&[("per_page", "101")])).unwrap_err();
        assert_eq!(e.status, 400);
        assert!(e.message.contains("per_page"), "{}", e.message);
        assert!(parse_paging(&q(&[("per_page", "0")])).is_err());
        assert!(parse_paging(&q(&[("page", "-1")]))
            .unwrap_err()
            .message
            .contains("page"));
    }

    #[test]
    fn dates_are_read_in_the_account_zone_dst_correct() {
        let (f, order) = parse_list_filter(
            &q(&[
                ("from_datetime", "2026-10-31"),
                ("to_datetime", "2026-11-02"),
            ]),
            ny(),
            true,
        )
        .unwrap();
        assert_eq!(order, Order::Desc);
        // EDT (UTC-4) before the change, EST (UTC-5) after it.
        assert_eq!(f.from, Some(dt("2026-10-31 04:00:00")));
        assert_eq!(f.to, Some(dt("2026-11-03 04:59:59")));
        let (f, _) =
            parse_list_filter(&q(&[("from_datetime", "2026-11-19 19:30:00")]), ny(), false)
                .unwrap();
        assert_eq!(f.from, Some(dt("2026-11-20 00:30:00")));
        let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
        let (f, _) =
            parse_list_filter(&q(&[("to_datetime", "2026-11-20 05:30:00")]), kolkata, true)
                .unwrap();
        assert_eq!(f.to, Some(dt("2026-11-20 00:00:00")));
    }

    #[test]
    fn skipped_and_repeated_hours() {
        // 2026-11-01 01:30 happens twice in New York: widen both bounds.
        let t = dt("2026-11-01 01:30:00");
        assert_eq!(
            local_to_utc(ny(), t, Bound::From),
            dt("2026-11-01 05:30:00")
        );
        assert_eq!(local_to_utc(ny(), t, Bound::To), dt("2026-11-01 06:30:00"));
        // 2026-03-08 02:30 does not exist: the clock jumps from 02:00 EST to 03:00 EDT (07:00 UTC).
        let t = dt("2026-03-08 02:30:00");
        assert_eq!(
            local_to_utc(ny(), t, Bound::From),
            dt("2026-03-08 07:00:00")
        );
        assert_eq!(local_to_utc(ny(), t, Bound::To), dt("2026-03-08 06:59:59"));
    }

    #[test]
    fn bad_dates_and_long_spans_are_400s_naming_the_parameter() {
        let e = parse_list_filter(&q(&[("from_datetime", "yesterday")]), ny(), true).unwrap_err();
        assert_eq!(e.status, 400);
        assert!(e.message.contains("from_datetime"), "{}", e.message);
        let e = parse_list_filter(&q(&[("to_datetime", "2026-02-30")]), ny(), true).unwrap_err();
        assert!(e.message.contains("to_datetime"), "{}", e.message);
        let e = parse_list_filter(
            &q(&[
                ("from_datetime", "2026-01-01"),
                ("to_datetime", "2026-04-01"),
            ]),
            ny(),
            true,
        )
        .unwrap_err();
        assert!(e.message.contains("90 days"), "{}", e.message);
        // 90 days exactly is fine; one second more is not.
        let ok = [
            ("from_datetime", "2026-01-01 00:00:00"),
            ("to_datetime", "2026-04-01 00:00:00"),
        ];
        assert!(parse_list_filter(&q(&ok), ny(), true).is_ok());
        let long = [
            ("from_datetime", "2026-01-01 00:00:00"),
            ("to_datetime", "2026-04-01 00:00:01"),
        ];
        assert!(parse_list_filter(&q(&long), ny(), true).is_err());
        assert!(parse_list_filter(&q(&[("order", "sideways")]), ny(), true).is_err());
        assert!(parse_list_filter(&q(&[("call_direction", "Sideways")]), ny(), true).is_err());
        assert!(parse_list_filter(&q(&[("agent_id", "abc")]), ny(), true).is_err());
    }

    #[test]
    fn other_filters() {
        let (f, o) = parse_list_filter(
            &q(&[
                ("sms_direction", "Outbound"),
                ("order", "ASC"),
                ("sort", "datetime"),
                ("contact_number", "+1 (347) 469-9543"),
            ]),
            ny(),
            false,
        )
        .unwrap();
        assert_eq!(o, Order::Asc);
        assert_eq!(f.direction, Some(Direction::Outgoing));
        assert_eq!(f.contact_digits.as_deref(), Some("13474699543"));
        assert!(same_number(Some("347-469-9543"), "13474699543"));
        assert!(same_number(Some("13474699543"), "3474699543"));
        assert!(!same_number(Some("347-469-9544"), "13474699543"));
        assert!(!same_number(None, "1"));
    }

    #[test]
    fn page_windows() {
        assert_eq!(
            page_window(250, 0, 100, false),
            PageWindow {
                start: 0,
                end: 100,
                has_next: true
            }
        );
        assert_eq!(
            page_window(250, 2, 100, false),
            PageWindow {
                start: 200,
                end: 250,
                has_next: false
            }
        );
        assert_eq!(
            page_window(250, 3, 100, false),
            PageWindow {
                start: 250,
                end: 250,
                has_next: false
            }
        );
        assert_eq!(
            page_window(200, 1, 100, false),
            PageWindow {
                start: 100,
                end: 200,
                has_next: false
            }
        );
        // Overlap: page 1 starts with page 0's last record.
        assert_eq!(
            page_window(250, 1, 100, true),
            PageWindow {
                start: 99,
                end: 199,
                has_next: true
            }
        );
        assert_eq!(
            page_window(250, 2, 100, true),
            PageWindow {
                start: 198,
                end: 250,
                has_next: false
            }
        );
        // Every record is served at least once, pages stay full until the end.
        for total in [0, 1, 99, 100, 101, 199, 200, 1234] {
            let mut seen = vec![0u32; total];
            let mut page = 0;
            loop {
                let w = page_window(total, page, 100, true);
                assert!(w.end - w.start == 100 || !w.has_next);
                for s in &mut seen[w.start..w.end] {
                    *s += 1;
                }
                if page > 0 && w.start < w.end {
                    let prev = page_window(total, page - 1, 100, true);
                    assert_eq!(w.start, prev.end - 1, "overlap by one");
                }
                if !w.has_next {
                    break;
                }
                page += 1;
            }
            assert!(seen.iter().all(|&n| n >= 1), "total {total}");
        }
        // A page size of 1 cannot overlap.
        assert_eq!(
            page_window(5, 2, 1, true),
            PageWindow {
                start: 2,
                end: 3,
                has_next: true
            }
        );
    }
}
