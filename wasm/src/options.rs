//! Options shared by every metric function (`computeCallMetrics(calls, options)` and friends):
//! a local date range, an agent, a direction and the time zones that decide a record's day.
//!
//! [`MetricsOptions`] is what a caller writes (camelCase, JSON or a JS object; unknown keys are an
//! error so a misspelt `timezone` does not silently fall back to UTC). [`Filter`] is the same after
//! validation, with parsed zones and day numbers, used by both the row and the columnar paths.
//!
//! Semantics:
//! * `from`/`to`: local dates `YYYY-MM-DD`, inclusive, in the record's zone (below).
//! * `agent`: a JustCall agent id (`7`, `"7"`) or email (trimmed, any case).
//! * `direction`: `Incoming`/`Outgoing` (also `inbound`, `outbound`, any case); `all` or empty
//!   means both.
//! * `timeZone`: IANA name for the local day (the business zone), padding trimmed, default `UTC`;
//!   an unknown name is an error. `agentTimeZones` maps agent ids to their own zone (JustCall's
//!   user setting, passed as served), which wins over `timeZone` for that agent's records when it
//!   is a known IANA name ([`Zone::of_agent`]); an empty or unknown one falls back to `timeZone`,
//!   as the SQL views' `effective_timezone` does, instead of failing the whole computation.
//!   Which names are zones is the same on every target ([`crate::tz`]); only in `wasm32` can a
//!   valid zone lack offsets (a JavaScript runtime without `Intl` or with an older ICU), which
//!   is an error for either option ([`Zone::check_offsets`]).

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::MetricsError;
use crate::lenient;
use crate::records::{Call, Direction, Sms};
use crate::tz::{day_number, Zone, ZoneMap};

/// The options as written by a caller.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricsOptions {
    /// First local date, inclusive.
    #[serde(
        default,
        deserialize_with = "lenient::opt_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub from: Option<NaiveDate>,
    /// Last local date, inclusive.
    #[serde(
        default,
        deserialize_with = "lenient::opt_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub to: Option<NaiveDate>,
    /// Agent id or email.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub agent: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_direction",
        skip_serializing_if = "Option::is_none"
    )]
    pub direction: Option<Direction>,
    /// IANA time zone of the local day (default UTC).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub time_zone: Option<String>,
    /// Agent id → IANA time zone, overriding `time_zone` for that agent (when known).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub agent_time_zones: BTreeMap<String, String>,
}

fn opt_direction<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Direction>, D::Error> {
    let Some(s) = lenient::opt_string(d)? else {
        return Ok(None);
    };
    let t = lenient::trim(&s);
    if t.is_empty() || t.eq_ignore_ascii_case("all") || t.eq_ignore_ascii_case("any") {
        return Ok(None);
    }
    Direction::parse(t).map(Some).ok_or_else(|| {
        serde::de::Error::invalid_value(
            serde::de::Unexpected::Str(t),
            &"a direction (Incoming, Outgoing or all)",
        )
    })
}

/// An agent to keep: by JustCall id, or by email compared trimmed and case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentFilter {
    Id(i64),
    /// Lower-cased, trimmed.
    Email(String),
}

impl AgentFilter {
    /// `"7"` → `Id(7)`; anything else → `Email` (normalised); empty → `None`.
    pub fn parse(s: &str) -> Option<AgentFilter> {
        let t = lenient::trim(s);
        if t.is_empty() {
            return None;
        }
        match t.parse::<i64>() {
            Ok(id) => Some(AgentFilter::Id(id)),
            Err(_) => Some(AgentFilter::Email(normalize_email(t))),
        }
    }

    pub fn matches(&self, agent_id: Option<i64>, agent_email: Option<&str>) -> bool {
        match self {
            AgentFilter::Id(id) => agent_id == Some(*id),
            AgentFilter::Email(e) => agent_email.is_some_and(|a| emails_equal(a, e)),
        }
    }
}

/// An email as stored for comparison: [`lenient::trim`]med, lower-cased. SQL twin:
/// `callduck_email_key` (which also makes an empty result NULL, as [`crate::goals::UserKey`] does).
pub fn normalize_email(email: &str) -> String {
    lenient::trim(email).to_lowercase()
}

/// Whether an email equals an already normalised one.
pub fn emails_equal(raw: &str, normalized: &str) -> bool {
    let raw = lenient::trim(raw);
    if raw.is_ascii() {
        raw.eq_ignore_ascii_case(normalized)
    } else {
        raw.to_lowercase() == normalized
    }
}

/// Validated options.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Day numbers (days since 1970-01-01), inclusive.
    pub from_day: Option<i64>,
    pub to_day: Option<i64>,
    pub agent: Option<AgentFilter>,
    pub direction: Option<Direction>,
    pub zones: ZoneMap,
}

impl MetricsOptions {
    /// Validates the options: zones must be known IANA names, agent ids integers, `from ≤ to`.
    pub fn resolve(&self) -> Result<Filter, MetricsError> {
        let default = match &self.time_zone {
            Some(name) => Zone::parse(name)?,
            None => Zone::Utc,
        };
        let mut zones = ZoneMap::single(default);
        for (agent, name) in &self.agent_time_zones {
            let id: i64 = lenient::trim(agent).parse().map_err(|_| {
                MetricsError::invalid(
                    "agentTimeZones",
                    format!("key {agent:?} is not an agent id"),
                )
            })?;
            if let Some(zone) = Zone::of_agent(name) {
                zone.check_offsets("agentTimeZones")?;
                zones.by_agent.insert(id, zone);
            }
        }
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if from > to {
                return Err(MetricsError::invalid(
                    "from",
                    format!("{from} is after to = {to}"),
                ));
            }
        }
        Ok(Filter {
            from_day: self.from.map(day_number),
            to_day: self.to.map(day_number),
            agent: self.agent.as_deref().and_then(AgentFilter::parse),
            direction: self.direction,
            zones,
        })
    }
}

impl Filter {
    /// No filtering, days in `zone`.
    pub fn in_zone(zone: Zone) -> Filter {
        Filter {
            zones: ZoneMap::single(zone),
            ..Filter::default()
        }
    }

    /// The same filter without its direction (goal metrics count both directions).
    pub fn without_direction(&self) -> Filter {
        Filter {
            direction: None,
            ..self.clone()
        }
    }

    /// Inlined everywhere and without closures: the columnar loops call it once per record, and
    /// the module is compiled for size (`opt-level = "z"`), which inlines only what must be.
    #[inline(always)]
    pub fn accepts_day(&self, day: i64) -> bool {
        !matches!(self.from_day, Some(f) if day < f) && !matches!(self.to_day, Some(t) if day > t)
    }

    pub fn accepts_agent(&self, agent_id: Option<i64>, agent_email: Option<&str>) -> bool {
        self.agent
            .as_ref()
            .is_none_or(|a| a.matches(agent_id, agent_email))
    }

    #[inline(always)]
    pub fn accepts_direction(&self, direction: Direction) -> bool {
        !matches!(self.direction, Some(d) if d != direction)
    }

    /// The local date of a record of `agent_id` at the UTC instant `utc`.
    pub fn local_date(&self, agent_id: Option<i64>, utc: NaiveDateTime) -> NaiveDate {
        self.zones.local_date(agent_id, utc)
    }

    /// The local date a call counts for.
    pub fn call_date(&self, call: &Call) -> NaiveDate {
        self.local_date(call.agent_id, call.started_at())
    }

    /// The local date an SMS counts for.
    pub fn sms_date(&self, sms: &Sms) -> NaiveDate {
        self.local_date(sms.agent_id, sms.sent_at())
    }

    /// Whether a call passes every option.
    pub fn accepts_call(&self, call: &Call) -> bool {
        self.accepts_direction(call.call_info.direction)
            && self.accepts_agent(call.agent_id, call.agent_email.as_deref())
            && self.accepts_day(day_number(self.call_date(call)))
    }

    /// Whether an SMS passes every option.
    pub fn accepts_sms(&self, sms: &Sms) -> bool {
        self.accepts_direction(sms.direction)
            && self.accepts_agent(sms.agent_id, sms.agent_email.as_deref())
            && self.accepts_day(day_number(self.sms_date(sms)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(json: &str) -> Result<Filter, String> {
        let o: MetricsOptions = serde_json::from_str(json).map_err(|e| e.to_string())?;
        o.resolve().map_err(|e| e.to_string())
    }

    #[test]
    fn parses_every_option() {
        let f = opts(
            r#"{"from":"2026-03-01","to":"2026-03-31","agent":" Ana@X.com ","direction":"inbound",
                "timeZone":"America/Chicago","agentTimeZones":{"7":"Europe/London"}}"#,
        )
        .unwrap();
        assert_eq!(f.agent, Some(AgentFilter::Email("ana@x.com".into())));
        assert_eq!(f.direction, Some(Direction::Incoming));
        assert_eq!(f.zones.zone_of(Some(7)).name(), "Europe/London");
        assert_eq!(f.zones.zone_of(Some(8)).name(), "America/Chicago");
        assert_eq!(f.zones.zone_of(None).name(), "America/Chicago");
        assert!(f.accepts_day(f.from_day.unwrap()) && f.accepts_day(f.to_day.unwrap()));
        assert!(!f.accepts_day(f.to_day.unwrap() + 1));
        assert!(f.accepts_agent(None, Some("ANA@x.COM")));
        assert!(!f.accepts_agent(Some(1), Some("bob@x.com")));
        let f = opts(r#"{"agent": 7, "direction": "all"}"#).unwrap();
        assert_eq!(f.agent, Some(AgentFilter::Id(7)));
        assert_eq!(f.direction, None);
        assert_eq!(opts("{}").unwrap(), Filter::default());
    }

    #[test]
    fn rejects_bad_options() {
        assert!(opts(r#"{"timezone":"UTC"}"#)
            .unwrap_err()
            .contains("unknown field"));
        assert!(opts(r#"{"timeZone":"Nowhere/City"}"#)
            .unwrap_err()
            .contains("timeZone"));
        assert!(opts(r#"{"from":"2026-02-02","to":"2026-02-01"}"#)
            .unwrap_err()
            .contains("from"));
        assert!(opts(r#"{"from":"02/01/2026"}"#)
            .unwrap_err()
            .contains("YYYY-MM-DD"));
        assert!(opts(r#"{"direction":"sideways"}"#)
            .unwrap_err()
            .contains("direction"));
        assert!(opts(r#"{"agentTimeZones":{"ana":"UTC"}}"#)
            .unwrap_err()
            .contains("agentTimeZones"));
    }

    #[test]
    fn agent_zones_fall_back_to_the_business_zone() {
        let f = opts(
            r#"{"timeZone":" America/New_York\n","agentTimeZones":{"1":"","2":" Asia/Kolkata ",
                "3":"Mars/Base","4":"utc"}}"#,
        )
        .unwrap();
        assert_eq!(f.zones.default.name(), "America/New_York");
        assert_eq!(f.zones.zone_of(Some(2)).name(), "Asia/Kolkata");
        for agent in [1, 3, 4] {
            assert_eq!(f.zones.zone_of(Some(agent)).name(), "America/New_York");
        }
    }

    #[test]
    fn emails_are_compared_without_ascii_padding() {
        let f = opts(r#"{"agent":"\tAna@X.com\r\n"}"#).unwrap();
        assert_eq!(f.agent, Some(AgentFilter::Email("ana@x.com".into())));
        assert!(f.accepts_agent(None, Some(" ANA@x.com\u{b}")));
        assert!(!f.accepts_agent(None, Some("ana@x.com\u{a0}")));
    }
}
