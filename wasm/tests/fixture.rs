//! The native core's results on the shared data equal `fixtures/expected.json`, which the browser
//! test holds the WebAssembly module to. Regenerate after a deliberate change of a definition:
//! `CALLDUCK_UPDATE_FIXTURES=1 cargo test --release -p callduck-metrics --test fixture`.
//!
//! `CALLDUCK_FIXTURE_INPUTS=FILE` also writes the records the fixture is computed from (calls, SMS,
//! customers, as JSON records) to FILE, for the npm package test (`wasm/scripts/test-package.sh`),
//! which holds the package's Node and bundled builds to the same `expected.json`.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use callduck_metrics::columnar::{self, CallColumns, SmsColumns};
use callduck_metrics::{Call, MetricsOptions, Sms};

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/expected.json");

#[test]
fn native_core_matches_the_fixture() {
    let expected = common::expected_by_core();
    if std::env::var_os("CALLDUCK_UPDATE_FIXTURES").is_some() {
        let text = serde_json::to_string_pretty(&expected).unwrap() + "\n";
        std::fs::write(PATH, text).unwrap();
    }
    if let Some(path) = std::env::var_os("CALLDUCK_FIXTURE_INPUTS") {
        let inputs = serde_json::json!({
            "calls": common::calls_data(),
            "sms": common::sms_data(),
            "customers": common::customers(),
        });
        std::fs::write(&path, serde_json::to_string(&inputs).unwrap() + "\n")
            .unwrap_or_else(|e| panic!("CALLDUCK_FIXTURE_INPUTS={path:?}: {e}"));
    }
    let stored: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(PATH)
            .expect("fixture missing: run with CALLDUCK_UPDATE_FIXTURES=1"),
    )
    .unwrap();
    if let Some(d) = common::diff(&expected, &stored, "") {
        panic!("the core's results changed ({d}); if deliberate, regenerate with CALLDUCK_UPDATE_FIXTURES=1");
    }
}

#[test]
fn json_records_and_columns_give_the_fixture() {
    // Records through their JSON form (what the browser passes) and through columns.
    let calls: Vec<Call> =
        serde_json::from_value(serde_json::to_value(common::calls_data()).unwrap()).unwrap();
    let sms: Vec<Sms> =
        serde_json::from_value(serde_json::to_value(common::sms_data()).unwrap()).unwrap();
    let c = CallColumns::from_bytes(
        &CallColumns::from_calls(&calls)
            .unwrap()
            .to_bytes(serde_json::Value::Null),
    )
    .unwrap();
    let s = SmsColumns::from_bytes(&SmsColumns::from_sms(&sms).to_bytes(serde_json::Value::Null))
        .unwrap();
    let stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(PATH).unwrap()).unwrap();
    for scenario in stored["scenarios"].as_array().unwrap() {
        let f = serde_json::from_value::<MetricsOptions>(scenario["options"].clone())
            .unwrap()
            .resolve()
            .unwrap();
        let got = serde_json::json!({
            "callMetrics": c.call_metrics(&f),
            "smsMetrics": s.sms_metrics(&f),
            "dailyGoals": columnar::daily_goal_metrics(Some(&c), Some(&s), &f),
            "callsByAgent": c.call_metrics_by_agent(&f),
            "smsByAgent": s.sms_counts_by_agent(&f),
        });
        for key in [
            "callMetrics",
            "smsMetrics",
            "dailyGoals",
            "callsByAgent",
            "smsByAgent",
        ] {
            if let Some(d) = common::diff(&got[key], &scenario[key], key) {
                panic!("{d} for {}", scenario["options"]);
            }
        }
    }
}
