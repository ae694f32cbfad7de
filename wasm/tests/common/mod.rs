//! What the native fixture test and the browser test share: the data, the scenarios and the
//! expected results' file, so the browser's results are compared with the native core's.
//!
//! `fixtures/expected.json` is written by the native core (`CALLDUCK_UPDATE_FIXTURES=1 cargo test
//! -p callduck-metrics --test fixture`) and checked by both the native and the browser tests.

#![allow(dead_code)]

use callduck_metrics::fuzzy::{self, Customer, SearchOptions};
use callduck_metrics::pace::PaceInput;
use callduck_metrics::{agents, calls, goals, sms, synth, Call, MetricsOptions, Sms};
use serde_json::{json, Value};

pub const CALLS: (usize, u64) = (600, 11);
pub const SMS: (usize, u64) = (600, 12);

pub fn calls_data() -> Vec<Call> {
    synth::calls(CALLS.0, CALLS.1)
}

pub fn sms_data() -> Vec<Sms> {
    synth::sms(SMS.0, SMS.1)
}

/// The options of each scenario, as a caller writes them.
pub fn scenarios() -> Vec<Value> {
    vec![
        json!({}),
        json!({"timeZone": "America/New_York", "from": "2026-03-06", "to": "2026-03-10"}),
        json!({"timeZone": "America/Denver", "agentTimeZones": {"8": "America/Los_Angeles", "9": "Europe/London"},
               "agent": "ANA.LOPEZ@example.com"}),
        json!({"timeZone": "Europe/Berlin", "direction": "Outgoing", "from": "2026-03-27"}),
    ]
}

pub fn pace_inputs() -> Vec<Value> {
    vec![
        json!({"target": 300, "current": 120, "totalDays": 30, "elapsedDays": 10}),
        json!({"target": 50, "current": 10, "period": "daily", "today": "2026-03-04"}),
        json!({"target": 20, "current": 18, "period": "weekly", "today": "2026-03-07"}),
        json!({"target": 900, "current": 100, "period": "quarterly", "today": "2026-02-15"}),
        json!({"target": 100, "current": 45, "startDate": "2026-03-01", "endDate": "2026-03-10", "today": "2026-03-05"}),
    ]
}

pub fn customers() -> Value {
    json!([
        {"id": 1, "name": "ACME SUPPLY CO., INC."},
        {"id": "2", "name": "BTG Distro | TCC LLC"},
        {"id": 3, "name": "Acme Supplies Ltd"},
        {"id": 4, "name": "Green Leaf Wellness"},
        {"id": 5, "name": "Smith & Sons, L.L.C."},
        {"id": 6, "name": null}
    ])
}

pub fn searches() -> Vec<(&'static str, Value)> {
    vec![
        ("Acme Supply", json!({})),
        ("tcc", json!({"limit": 1, "minScore": 0.5})),
        ("smith and sons", json!({"limit": 3})),
    ]
}

/// The first difference between two results (numbers equal within 1e-12 relative: the JSON
/// parser of serde_json is not exactly round-trip for every float); `None` when equal.
pub fn diff(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            let tol = 1e-12 * x.abs().max(y.abs()).max(1.0);
            ((x - y).abs() > tol).then(|| format!("{path}: {x} != {y}"))
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return Some(format!("{path}: {} items != {} items", x.len(), y.len()));
            }
            x.iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (x, y))| diff(x, y, &format!("{path}[{i}]")))
        }
        (Value::Object(x), Value::Object(y)) => {
            let kx: Vec<_> = x.keys().collect();
            let ky: Vec<_> = y.keys().collect();
            if kx != ky {
                return Some(format!("{path}: keys {kx:?} != {ky:?}"));
            }
            x.iter()
                .find_map(|(k, v)| diff(v, &y[k], &format!("{path}.{k}")))
        }
        _ => (a != b).then(|| format!("{path}: {a} != {b}")),
    }
}

/// Everything the native core computes on the data, in the fixture's shape.
pub fn expected_by_core() -> Value {
    let calls = calls_data();
    let sms = sms_data();
    let scenarios: Vec<Value> = scenarios()
        .into_iter()
        .map(|options| {
            let f = serde_json::from_value::<MetricsOptions>(options.clone())
                .unwrap()
                .resolve()
                .unwrap();
            json!({
                "options": options,
                "callMetrics": calls::call_metrics(&calls, &f),
                "smsMetrics": sms::sms_metrics(&sms, &f),
                "dailyGoals": goals::daily_goal_metrics(&calls, &sms, &f),
                "callsByAgent": agents::call_metrics_by_agent(&calls, &f),
                "smsByAgent": agents::sms_counts_by_agent(&sms, &f),
            })
        })
        .collect();
    let pace: Vec<Value> = pace_inputs()
        .into_iter()
        .map(|input| {
            let p: PaceInput = serde_json::from_value(input.clone()).unwrap();
            json!({"input": input, "output": p.pace().unwrap()})
        })
        .collect();
    let customers: Vec<Customer> = serde_json::from_value(customers()).unwrap();
    let search: Vec<Value> = searches()
        .into_iter()
        .map(|(query, options)| {
            let o: SearchOptions = serde_json::from_value(options.clone()).unwrap();
            json!({"query": query, "options": options,
                   "output": fuzzy::search_customers(query, customers.clone(), o)})
        })
        .collect();
    json!({
        "about": "Written by the native core (wasm/tests/fixture.rs); the browser test (wasm/tests/browser.rs) must reproduce it.",
        "calls": {"n": CALLS.0, "seed": CALLS.1},
        "sms": {"n": SMS.0, "seed": SMS.1},
        "scenarios": scenarios,
        "pace": pace,
        "search": search,
    })
}
