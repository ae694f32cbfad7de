//! The module's time-zone offsets in headless Chromium (`Intl.DateTimeFormat`, i.e. Chromium's
//! ICU and its copy of the IANA database) against the native core's (chrono-tz), for every zone
//! name the module accepts, over 2000–2037: `wasm/tests/fixtures/zone-transitions.json`, written
//! natively by `wasm/tests/zones.rs`.
//!
//! * `Intl` directly (the module's source, uncached): the offset one second before, at and one
//!   second after every transition.
//! * The module's own tables (the cached path the metrics use: daily probes of `Intl`, bisected to
//!   the second): every zone's list of transitions, so a change that only `Intl` has is caught too.
//!
//! The browser's tzdata can be newer than chrono-tz's. Each difference is printed (zone, interval,
//! chrono-tz's offset, the browser's) and must be explained by a rule change of a later tzdata
//! release listed in [`NEWER_RULES`]: a zone passes when the browser gives exactly chrono-tz's
//! offsets, or exactly chrono-tz's with that zone's listed change applied (whole, at every
//! instant checked); anything else fails. The comparison itself is never loosened.
//!
//! Also the edges: which names are zones is the native core's decision, not `Intl`'s.
//!
//! Run with `wasm/scripts/test-browser.sh`.

#![cfg(target_arch = "wasm32")]

use callduck_metrics::tz::{IanaZone, OffsetSource, OffsetTable, Zone};
use callduck_metrics_wasm::{self as bindings, parse_gmt_offset, IntlOffsets};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const FIXTURE: &str = include_str!("../../tests/fixtures/zone-transitions.json");

/// How a later release changed a zone from some instant on.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// Every change from then on happens this many seconds later.
    Later(i64),
    /// This offset from then on, with no more changes.
    Permanent(i32),
}

/// A rule change of a tzdata release later than chrono-tz's (2025b), which a browser with newer
/// tzdata (Chromium 156's ICU reports 2026e) applies and the native core does not yet.
struct Newer {
    release: &'static str,
    what: &'static str,
    zones: &'static [&'static str],
    /// Unix seconds.
    from: i64,
    rule: Rule,
}

/// The rule changes after tzdata 2025b (chrono-tz 0.10.4, the latest on crates.io), from the
/// tz NEWS file (2026a–2026c) and, for the two after 2026c, from Chromium 156's own data.
const NEWER_RULES: &[Newer] = &[
    Newer {
        release: "2026a",
        what: "Moldova has used EU transition times since 2022 (03:00 and 04:00 local, i.e. 01:00 UTC, not 00:00 UTC)",
        zones: &["Europe/Chisinau", "Europe/Tiraspol"],
        from: 1_640_995_200, // 2022-01-01T00:00:00Z
        rule: Rule::Later(3_600),
    },
    Newer {
        release: "2026b",
        what: "British Columbia: permanent -07 (modelled from 2026-11-01 02:00 local)",
        zones: &["America/Vancouver", "Canada/Pacific"],
        from: 1_793_523_600, // 2026-11-01T09:00:00Z
        rule: Rule::Permanent(-25_200),
    },
    Newer {
        release: "2026c",
        what: "Alberta: permanent -06 (modelled from 2026-11-01 02:00 local)",
        zones: &["America/Edmonton", "Canada/Mountain", "America/Yellowknife"],
        from: 1_793_520_000, // 2026-11-01T08:00:00Z
        rule: Rule::Permanent(-21_600),
    },
    Newer {
        release: "2026c",
        what: "Morocco and Western Sahara: permanent +00 from 2026-09-20 02:00 local",
        zones: &["Africa/Casablanca", "Africa/El_Aaiun"],
        from: 1_789_866_000, // 2026-09-20T01:00:00Z
        rule: Rule::Permanent(0),
    },
    Newer {
        release: "after 2026c (announced in 2026c's commentary; seen in Chromium 156)",
        what: "Northwest Territories: permanent -06 from 2026-11-01 02:00 local",
        zones: &["America/Inuvik"],
        from: 1_793_520_000, // 2026-11-01T08:00:00Z
        rule: Rule::Permanent(-21_600),
    },
    Newer {
        release: "after 2026c (seen in Chromium 156; not in the tz NEWS available here)",
        what: "Manitoba: permanent -05 from 2026-11-01 02:00 local",
        zones: &["America/Winnipeg", "Canada/Central", "America/Rainy_River"],
        from: 1_793_516_400, // 2026-11-01T07:00:00Z
        rule: Rule::Permanent(-18_000),
    },
];

/// A zone's offsets over the fixture's span: the offset at its start and each change.
#[derive(Debug, Clone, PartialEq)]
struct Steps {
    first: i32,
    changes: Vec<(i64, i32)>,
}

impl Steps {
    fn at(&self, t: i64) -> i32 {
        let i = self.changes.partition_point(|c| c.0 <= t);
        if i == 0 {
            self.first
        } else {
            self.changes[i - 1].1
        }
    }

    /// These offsets with a later release's change applied.
    fn with(&self, newer: &Newer) -> Steps {
        let mut changes: Vec<(i64, i32)> = self
            .changes
            .iter()
            .filter(|c| c.0 < newer.from)
            .copied()
            .collect();
        match newer.rule {
            Rule::Later(d) => changes.extend(
                self.changes
                    .iter()
                    .filter(|c| c.0 >= newer.from)
                    .map(|&(t, o)| (t + d, o)),
            ),
            Rule::Permanent(o) => {
                if self.at(newer.from - 1) != o {
                    changes.push((newer.from, o));
                }
            }
        }
        Steps {
            first: self.first,
            changes,
        }
    }

    /// Where two zones' offsets differ within `[from, to)`: (start, end, self's, other's).
    fn diff(&self, other: &Steps, from: i64, to: i64) -> Vec<(i64, i64, i32, i32)> {
        let mut at: Vec<i64> = std::iter::once(from)
            .chain(self.changes.iter().chain(&other.changes).map(|c| c.0))
            .chain(std::iter::once(to))
            .filter(|&t| t >= from && t <= to)
            .collect();
        at.sort_unstable();
        at.dedup();
        let mut out: Vec<(i64, i64, i32, i32)> = Vec::new();
        for w in at.windows(2) {
            let (a, b) = (self.at(w[0]), other.at(w[0]));
            if a == b {
                continue;
            }
            match out.last_mut() {
                Some(last) if last.1 == w[0] && (last.2, last.3) == (a, b) => last.1 = w[1],
                _ => out.push((w[0], w[1], a, b)),
            }
        }
        out
    }
}

struct Fixture {
    tzdb: String,
    from: i64,
    to: i64,
    zones: Vec<(String, Steps)>,
}

fn fixture() -> Fixture {
    let v: Value = serde_json::from_str(FIXTURE).unwrap();
    let zones = v["zones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let row = row.as_array().unwrap();
            let name = row[0].as_str().unwrap().to_owned();
            let first = row[1].as_i64().unwrap() as i32;
            let changes = row[2..]
                .chunks(2)
                .map(|p| (p[0].as_i64().unwrap(), p[1].as_i64().unwrap() as i32))
                .collect();
            (name, Steps { first, changes })
        })
        .collect();
    Fixture {
        tzdb: v["tzdb"].as_str().unwrap().to_owned(),
        from: v["from"].as_i64().unwrap(),
        to: v["to"].as_i64().unwrap(),
        zones,
    }
}

/// The later release that changed `zone`, if one is listed.
fn newer_rule(zone: &str) -> Option<&'static Newer> {
    NEWER_RULES.iter().find(|n| n.zones.contains(&zone))
}

fn iso(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| unix.to_string())
}

fn hm(o: i32) -> String {
    let a = o.abs();
    let s = if a % 60 != 0 {
        format!(":{:02}", a % 60)
    } else {
        String::new()
    };
    format!(
        "{}{:02}:{:02}{s}",
        if o < 0 { '-' } else { '+' },
        a / 3600,
        a % 3600 / 60
    )
}

fn user_agent() -> String {
    let nav = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()).unwrap();
    js_sys::Reflect::get(&nav, &"userAgent".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "Intl".into())
}

fn js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap()
}

#[wasm_bindgen_test]
fn longoffset_text_is_read_to_the_second() {
    for (text, want) in [
        ("1/1/2026, GMT-05:00", Some(-18_000)),
        ("1/1/2026, GMT+05:45", Some(20_700)),
        ("1/1/2026, GMT+5", Some(18_000)),
        ("12/31/1969, GMT-00:44:30", Some(-2_670)),
        ("1/1/2026, GMT", Some(0)),
        ("1/1/2026, GMT+00:00", Some(0)),
        ("1/1/2026, GMT\u{2212}03:30", Some(-12_600)),
        ("1/1/2026, UTC", None),
        ("1/1/2026, GMT+05:", None),
        ("1/1/2026, GMT+5:30:00:00", None),
        ("1/1/2026, GMT+x", None),
    ] {
        assert_eq!(parse_gmt_offset(text), want, "{text}");
    }
}

#[wasm_bindgen_test]
fn every_zone_name_is_known_to_intl() {
    let source = IntlOffsets::default();
    let f = fixture();
    assert_eq!(f.zones.len(), IanaZone::all().count());
    let unknown: Vec<&str> = f
        .zones
        .iter()
        .map(|(name, ..)| name.as_str())
        .filter(|name| source.offset_at(name, 0).is_none())
        .collect();
    assert!(
        unknown.is_empty(),
        "Intl does not know {unknown:?} (the module would reject them as a timeZone)"
    );
}

#[wasm_bindgen_test]
fn intl_gives_chrono_tz_offsets_around_every_transition() {
    let source = IntlOffsets::default();
    let f = fixture();
    let (mut instants, mut transitions, mut newer) = (0, 0, Vec::new());
    let mut failures = Vec::new();
    for (name, native) in &f.zones {
        let alternative = newer_rule(name).map(|n| native.with(n));
        // One second before, at and after each change of either expectation, and both ends.
        let mut at = vec![f.from, f.to - 1];
        for c in native
            .changes
            .iter()
            .chain(alternative.iter().flat_map(|a| &a.changes))
        {
            at.extend([c.0 - 1, c.0, c.0 + 1]);
        }
        at.sort_unstable();
        at.dedup();
        instants += at.len();
        transitions += native.changes.len();
        let got: Vec<Option<i32>> = at.iter().map(|&t| source.offset_at(name, t)).collect();
        let matches = |steps: &Steps| at.iter().zip(&got).all(|(&t, &g)| g == Some(steps.at(t)));
        if matches(native) {
            continue;
        }
        if alternative.as_ref().is_some_and(matches) {
            newer.push(name.as_str());
            continue;
        }
        for (&t, &g) in at.iter().zip(&got) {
            if g != Some(native.at(t)) {
                failures.push(format!(
                    "{name} at {} ({t}): chrono-tz {} {}, Intl {}",
                    iso(t),
                    f.tzdb,
                    hm(native.at(t)),
                    g.map(hm).unwrap_or_else(|| "none".into())
                ));
            }
        }
    }
    console_log!(
        "Intl ({}) vs chrono-tz {}: {} zones, {transitions} native transitions, {instants} instants \
         compared; equal except the documented later rule changes of {newer:?}",
        user_agent(),
        f.tzdb,
        f.zones.len()
    );
    for failure in &failures {
        console_log!("UNEXPLAINED {failure}");
    }
    assert!(
        failures.is_empty(),
        "{} instants where Intl differs from chrono-tz without a documented later rule change \
         (all printed above): {:?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
}

#[wasm_bindgen_test]
fn the_module_finds_the_native_transitions_of_every_zone() {
    bindings::use_intl_offsets();
    let f = fixture();
    let start = js_sys::Date::now();
    let mut unexplained = Vec::new();
    let mut explained = 0;
    for (name, native) in &f.zones {
        let zone = Zone::of_agent(name).unwrap();
        let table = OffsetTable::build(zone, f.from, f.to - 1);
        let found = Steps {
            first: table.offset_at(f.from),
            changes: table
                .starts()
                .iter()
                .zip(table.offsets())
                .skip(1)
                .filter(|(&s, _)| s > f.from && s < f.to)
                .map(|(&s, &o)| (s, o))
                .collect(),
        };
        if found == *native {
            continue;
        }
        let newer = newer_rule(name);
        let why = match newer {
            Some(n) if found == native.with(n) => {
                explained += 1;
                format!("tzdata {}: {}", n.release, n.what)
            }
            _ => {
                unexplained.push(name.clone());
                "UNEXPLAINED".to_owned()
            }
        };
        // The differences, precisely: each interval where the offsets differ.
        for (a, b, n, g) in native.diff(&found, f.from, f.to) {
            console_log!(
                "{name}: {} – {}: chrono-tz {} {}, browser {} [{why}]",
                iso(a),
                iso(b),
                f.tzdb,
                hm(n),
                hm(g)
            );
        }
    }
    console_log!(
        "module tables (Intl, cached) vs chrono-tz {}: {} zones over {} – {}, built in {:.0} ms; \
         {explained} zones differ as a later tzdata release documents, {} unexplained",
        f.tzdb,
        f.zones.len(),
        iso(f.from),
        iso(f.to),
        js_sys::Date::now() - start,
        unexplained.len()
    );
    assert!(
        unexplained.is_empty(),
        "the module's offsets differ from chrono-tz's without a documented reason for {unexplained:?} (intervals printed above)"
    );
}

#[wasm_bindgen_test]
fn every_newer_rule_names_zones_that_exist() {
    for n in NEWER_RULES {
        for z in n.zones {
            assert!(IanaZone::from_name(z).is_some(), "{z} ({})", n.release);
        }
    }
}

#[wasm_bindgen_test]
fn which_names_are_zones_is_the_native_decision() {
    bindings::use_intl_offsets();
    // As the native test `tz::tests::agent_zones_are_trimmed_and_unknown_ones_are_none`: Intl
    // would accept `utc` and `america/chicago` (case-insensitive) and `US/Central`-style links;
    // the module follows chrono-tz's exact names.
    for (name, want) in [
        (" America/Chicago\t", Some("America/Chicago")),
        ("UTC", Some("UTC")),
        ("US/Central", Some("US/Central")),
        ("EST5EDT ", Some("EST5EDT")),
        ("", None),
        ("  ", None),
        ("Mars/Base", None),
        ("utc", None),
        ("america/chicago", None),
        ("AMERICA/CHICAGO", None),
        ("America/Chicago\u{a0}", None),
        ("Etc/Unknown", None),
        ("Factory", None),
    ] {
        assert_eq!(Zone::of_agent(name).map(|z| z.name()), want, "{name:?}");
    }
    assert_eq!(Zone::parse("utc").unwrap(), Zone::Utc);
    assert!(Zone::parse("Mars/Base").is_err());
    assert!(Zone::parse("america/chicago")
        .unwrap_err()
        .to_string()
        .contains("unknown IANA time zone"));

    // Through the API: an empty, unknown or miscased agent zone falls back to `timeZone`.
    let calls = js(&serde_json::json!([
        {"id": 1, "agent_id": 7, "call_date": "2026-03-09", "call_time": "04:30:00",
         "call_info": {"direction": "Incoming", "type": "Answered"}},
        {"id": 2, "agent_id": 7, "call_date": "2026-11-02", "call_time": "04:30:00",
         "call_info": {"direction": "Incoming", "type": "Answered"}}
    ]));
    let by_day = |options: Value| -> Value {
        let m: Value = serde_wasm_bindgen::from_value(
            bindings::compute_call_metrics(calls.clone(), js(&options))
                .map_err(JsValue::from)
                .unwrap(),
        )
        .unwrap();
        m["callsByDay"].clone()
    };
    let new_york = by_day(serde_json::json!({"timeZone": "America/New_York"}));
    // 04:30 UTC is 00:30 EDT on 03-09 and 23:30 EST on 11-01.
    assert_eq!(
        new_york,
        serde_json::json!({"2026-03-09": 1, "2026-11-01": 1})
    );
    for agent_zone in ["", " ", "Mars/Base", "utc", "america/los_angeles"] {
        assert_eq!(
            by_day(serde_json::json!({"timeZone": " America/New_York\n",
                                      "agentTimeZones": {"7": agent_zone}})),
            new_york,
            "{agent_zone:?}"
        );
    }
    assert_eq!(
        by_day(serde_json::json!({"timeZone": "America/New_York",
                                  "agentTimeZones": {"7": " Asia/Kathmandu "}})),
        serde_json::json!({"2026-03-09": 1, "2026-11-02": 1})
    );
    assert_eq!(
        by_day(serde_json::json!({"timeZone": "utc"})),
        serde_json::json!({"2026-03-09": 1, "2026-11-02": 1})
    );
}
