//! Every IANA zone's offsets, natively (chrono-tz), over 2000–2037: the fixture the browser test
//! (`wasm/bindings/tests/zones.rs`) holds the module's `Intl` offsets to, and the checks that make
//! the module's way of reading offsets safe.
//!
//! `fixtures/zone-transitions.json`: for each name of the list (`src/tz/names.rs`, chrono-tz's
//! 597 zones and links), its offset at `from` and each change until `to` (the first second with
//! the new offset, and that offset). Regenerate after a chrono-tz update:
//! `CALLDUCK_UPDATE_FIXTURES=1 cargo test --release -p callduck-metrics --test zones`.

#![cfg(not(target_arch = "wasm32"))]

use callduck_metrics::tz::{
    names, IanaZone, OffsetSource, OffsetTable, Zone, ZoneOffsets, SOURCE_PROBE_STEP,
};
use serde_json::Value;

const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/zone-transitions.json"
);
/// 2000-01-01T00:00:00Z and 2038-01-01T00:00:00Z.
const FROM: i64 = 946_684_800;
const TO: i64 = 2_145_916_800;

fn zone(name: &str) -> Zone {
    Zone::of_agent(name).unwrap_or_else(|| panic!("{name} is not a zone"))
}

/// The zone's offset at `FROM` and its changes in `(FROM, TO)`, as chrono-tz gives them.
fn transitions(name: &str) -> (i32, Vec<(i64, i32)>) {
    let table = OffsetTable::build(zone(name), FROM, TO);
    let first = table.offset_at(FROM);
    let changes = table
        .starts()
        .iter()
        .zip(table.offsets())
        .skip(1)
        .filter(|(&s, _)| s > FROM && s < TO)
        .map(|(&s, &o)| (s, o))
        .collect();
    (first, changes)
}

/// The fixture's text: one line per zone, `[name, offset at from, t1, o1, t2, o2, ...]`.
fn fixture_text() -> String {
    let mut lines = Vec::new();
    for z in IanaZone::all() {
        let (first, changes) = transitions(z.name());
        let mut row = vec![Value::from(z.name()), Value::from(first)];
        for (t, o) in changes {
            row.extend([Value::from(t), Value::from(o)]);
        }
        lines.push(serde_json::to_string(&row).unwrap());
    }
    format!(
        "{{\"about\": \"Written by the native core (wasm/tests/zones.rs) from chrono-tz; the browser test (wasm/bindings/tests/zones.rs) compares Intl's offsets with it. Per zone: [name, offset at from, then each change: the first second with the new offset, the new offset]; offsets in seconds east of UTC, instants in unix seconds.\",\n\"tzdb\": {:?},\n\"from\": {FROM},\n\"to\": {TO},\n\"zones\": [\n{}\n]}}\n",
        names::TZDB_VERSION,
        lines.join(",\n")
    )
}

#[test]
fn the_fixture_is_chrono_tz() {
    let want = fixture_text();
    if std::env::var_os("CALLDUCK_UPDATE_FIXTURES").is_some() {
        std::fs::write(PATH, &want).unwrap();
    }
    let stored = std::fs::read_to_string(PATH)
        .expect("fixture missing: run with CALLDUCK_UPDATE_FIXTURES=1");
    assert!(
        stored == want,
        "{PATH} is not chrono-tz's offsets (chrono-tz updated?): regenerate with CALLDUCK_UPDATE_FIXTURES=1"
    );
    let v: Value = serde_json::from_str(&stored).unwrap();
    assert_eq!(v["zones"].as_array().unwrap().len(), names::names().len());
}

/// chrono-tz as an [`OffsetSource`]: the module's cache, fed natively.
struct ChronoTz;

impl OffsetSource for ChronoTz {
    fn offset_at(&self, name: &str, unix: i64) -> Option<i32> {
        Zone::of_agent(name).map(|z| z.offset_at(unix))
    }
}

/// The module reads a source once a day ([`SOURCE_PROBE_STEP`]) and bisects: it would miss a
/// change undone within a day. No zone changes twice within a week in 2000–2037.
#[test]
fn no_zone_changes_twice_within_the_probe_step() {
    let mut closest = (i64::MAX, String::new(), 0);
    for z in IanaZone::all() {
        let (_, changes) = transitions(z.name());
        for w in changes.windows(2) {
            let gap = w[1].0 - w[0].0;
            if gap < closest.0 {
                closest = (gap, z.name().to_owned(), w[1].0);
            }
        }
    }
    assert!(
        closest.0 > 6 * SOURCE_PROBE_STEP,
        "{} changes twice within {} s (at {})",
        closest.1,
        closest.0,
        closest.2
    );
    // America/Boa_Vista, 2000-10-08 to 2000-10-15.
    assert_eq!(closest.1, "America/Boa_Vista");
    assert_eq!(closest.0, 601_200);
}

/// The cache the module uses over `Intl`, fed with chrono-tz here, gives chrono-tz's offsets:
/// the same transitions for every zone, and the same offset around each.
#[test]
fn cached_source_gives_chrono_tz_offsets_for_every_zone() {
    let offsets = ZoneOffsets::new(ChronoTz);
    let mut checked = 0;
    for z in IanaZone::all() {
        assert!(offsets.knows(z));
        let native = OffsetTable::build(zone(z.name()), FROM, TO);
        let cached = offsets.table(z, FROM, TO);
        assert_eq!(cached, native, "{}", z.name());
        let (first, changes) = transitions(z.name());
        assert_eq!(offsets.offset_at(z, FROM), first);
        let mut before = first;
        for (t, o) in changes {
            assert_eq!(
                offsets.offset_at(z, t - 1),
                before,
                "{} at {}",
                z.name(),
                t - 1
            );
            assert_eq!(offsets.offset_at(z, t), o, "{} at {t}", z.name());
            assert_eq!(offsets.offset_at(z, t + 1), o, "{} at {}", z.name(), t + 1);
            before = o;
            checked += 1;
        }
    }
    assert!(checked > 15_000, "{checked} transitions");
}

/// The gap check over 1970–2100 (a few seconds): `cargo test --release -p callduck-metrics
/// --test zones -- --ignored`.
#[test]
#[ignore]
fn transition_gaps_1970_2100() {
    let (from, to) = (0, 4_102_444_800);
    let mut closest = (i64::MAX, String::new());
    for z in IanaZone::all() {
        let table = OffsetTable::build(zone(z.name()), from, to);
        for w in table.starts()[1..].windows(2) {
            if w[1] - w[0] < closest.0 {
                closest = (w[1] - w[0], z.name().to_owned());
            }
        }
    }
    assert!(closest.0 > 6 * SOURCE_PROBE_STEP, "{closest:?}");
}
