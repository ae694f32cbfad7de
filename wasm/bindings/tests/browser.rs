//! The WebAssembly module in headless Chromium gives the native core's results
//! (`wasm/tests/fixtures/expected.json`, written natively by `wasm/tests/fixture.rs`) on the same data, through every entry point:
//! JSON records, typed-array columns (one-shot and held batches) and batch files.
//!
//! Run with `wasm/scripts/test-browser.sh` (wasm-bindgen-test-runner + chromedriver).

#![cfg(target_arch = "wasm32")]

#[path = "../../tests/common/mod.rs"]
mod common;

use callduck_metrics::columnar::{CallColumns, SmsColumns};
use callduck_metrics_wasm::{self as bindings, CallBatch, CustomerIndex, SmsBatch};
use js_sys::{Float64Array, Int32Array, Object, Reflect, Uint32Array, Uint8Array};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::{JsError, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const FIXTURE: &str = include_str!("../../tests/fixtures/expected.json");

fn fixture() -> Value {
    serde_json::from_str(FIXTURE).unwrap()
}

fn js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap()
}

fn rust(v: Result<JsValue, JsError>) -> Value {
    match v {
        Ok(v) => serde_wasm_bindgen::from_value(v).unwrap(),
        Err(e) => panic!("module error: {}", message(e)),
    }
}

fn message(e: JsError) -> String {
    let v = JsValue::from(e);
    Reflect::get(&v, &"message".into())
        .unwrap()
        .as_string()
        .unwrap_or_default()
}

fn same(got: &Value, want: &Value, what: &str) {
    if let Some(d) = common::diff(got, want, what) {
        panic!("module and native core differ: {d}");
    }
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    Reflect::set(obj, &key.into(), value).unwrap();
}

/// The typed-array form a JavaScript caller would build.
fn call_columns_js(c: &CallColumns) -> JsValue {
    let o = Object::new();
    set(&o, "id", &Float64Array::from(&c.id[..]).into());
    set(
        &o,
        "startedAt",
        &Float64Array::from(&c.started_at[..]).into(),
    );
    set(&o, "direction", &Uint8Array::from(&c.direction[..]).into());
    set(&o, "callType", &Uint32Array::from(&c.call_type[..]).into());
    set(
        &o,
        "totalDuration",
        &Int32Array::from(&c.total_duration[..]).into(),
    );
    set(&o, "agent", &Uint32Array::from(&c.agent[..]).into());
    set(&o, "callTypes", &js(&c.call_types));
    set(&o, "agents", &js(&c.agents));
    o.into()
}

fn sms_columns_js(s: &SmsColumns) -> JsValue {
    let o = Object::new();
    set(&o, "id", &Float64Array::from(&s.id[..]).into());
    set(&o, "sentAt", &Float64Array::from(&s.sent_at[..]).into());
    set(&o, "direction", &Uint8Array::from(&s.direction[..]).into());
    set(&o, "deleted", &Uint8Array::from(&s.deleted[..]).into());
    set(&o, "agent", &Uint32Array::from(&s.agent[..]).into());
    set(&o, "contact", &Uint32Array::from(&s.contact[..]).into());
    set(&o, "medium", &Uint32Array::from(&s.medium[..]).into());
    set(
        &o,
        "deliveryStatus",
        &Uint32Array::from(&s.delivery_status[..]).into(),
    );
    set(&o, "agents", &js(&s.agents));
    set(&o, "contacts", &js(&s.contacts));
    set(&o, "mediums", &js(&s.mediums));
    set(&o, "deliveryStatuses", &js(&s.delivery_statuses));
    o.into()
}

#[wasm_bindgen_test]
fn the_data_is_the_natively_generated_data() {
    let f = fixture();
    assert_eq!(f["calls"]["n"], common::CALLS.0);
    assert_eq!(f["calls"]["seed"], common::CALLS.1);
    // The core in wasm reproduces the fixture too (same code, other target; zone offsets from
    // Intl, which the bindings install before reading options and this test installs itself).
    bindings::use_intl_offsets();
    if let Some(d) = common::diff(&common::expected_by_core(), &f, "") {
        panic!("core compiled to wasm differs from native: {d}");
    }
}

#[wasm_bindgen_test]
fn json_records_give_the_native_results() {
    let calls = js(&common::calls_data());
    let sms = js(&common::sms_data());
    for s in fixture()["scenarios"].as_array().unwrap() {
        let opts = js(&s["options"]);
        let what = s["options"].to_string();
        same(
            &rust(bindings::compute_call_metrics(calls.clone(), opts.clone())),
            &s["callMetrics"],
            &what,
        );
        same(
            &rust(bindings::compute_sms_metrics(sms.clone(), opts.clone())),
            &s["smsMetrics"],
            &what,
        );
        same(
            &rust(bindings::daily_goal_metrics(
                calls.clone(),
                sms.clone(),
                opts.clone(),
            )),
            &s["dailyGoals"],
            &what,
        );
    }
}

#[wasm_bindgen_test]
fn typed_array_columns_give_the_native_results() {
    let c = CallColumns::from_calls(&common::calls_data()).unwrap();
    let s = SmsColumns::from_sms(&common::sms_data());
    let (cj, sj) = (call_columns_js(&c), sms_columns_js(&s));
    let calls = CallBatch::new(cj.clone()).unwrap();
    let sms = SmsBatch::new(sj.clone()).unwrap();
    assert_eq!(
        (calls.length(), sms.length()),
        (common::CALLS.0, common::SMS.0)
    );
    for sc in fixture()["scenarios"].as_array().unwrap() {
        let opts = js(&sc["options"]);
        let what = sc["options"].to_string();
        same(
            &rust(calls.compute_call_metrics(opts.clone())),
            &sc["callMetrics"],
            &what,
        );
        same(
            &rust(bindings::compute_call_metrics_columnar(
                cj.clone(),
                opts.clone(),
            )),
            &sc["callMetrics"],
            &what,
        );
        same(
            &rust(sms.compute_sms_metrics(opts.clone())),
            &sc["smsMetrics"],
            &what,
        );
        same(
            &rust(bindings::compute_sms_metrics_columnar(
                sj.clone(),
                opts.clone(),
            )),
            &sc["smsMetrics"],
            &what,
        );
        same(
            &rust(bindings::daily_goal_metrics_columnar(
                &calls,
                &sms,
                opts.clone(),
            )),
            &sc["dailyGoals"],
            &what,
        );
        same(
            &rust(calls.call_metrics_by_agent(opts.clone())),
            &sc["callsByAgent"],
            &what,
        );
        same(
            &rust(sms.sms_counts_by_agent(opts.clone())),
            &sc["smsByAgent"],
            &what,
        );
    }
}

#[wasm_bindgen_test]
fn batch_files_and_record_batches_give_the_native_results() {
    let from_records = CallBatch::from_calls(js(&common::calls_data())).unwrap();
    let bytes = from_records.to_bytes(JsValue::NULL).unwrap();
    let from_file = CallBatch::from_bytes(&bytes).unwrap();
    let sms = SmsBatch::from_bytes(
        &SmsBatch::from_sms(js(&common::sms_data()))
            .unwrap()
            .to_bytes(JsValue::NULL)
            .unwrap(),
    )
    .unwrap();
    for sc in fixture()["scenarios"].as_array().unwrap() {
        let opts = js(&sc["options"]);
        let what = sc["options"].to_string();
        same(
            &rust(from_records.compute_call_metrics(opts.clone())),
            &sc["callMetrics"],
            &what,
        );
        same(
            &rust(from_file.compute_call_metrics(opts.clone())),
            &sc["callMetrics"],
            &what,
        );
        same(
            &rust(sms.compute_sms_metrics(opts.clone())),
            &sc["smsMetrics"],
            &what,
        );
        same(
            &rust(from_file.call_metrics_by_agent(opts.clone())),
            &sc["callsByAgent"],
            &what,
        );
        same(
            &rust(sms.sms_counts_by_agent(opts.clone())),
            &sc["smsByAgent"],
            &what,
        );
    }
}

#[wasm_bindgen_test]
fn pace_and_search_give_the_native_results() {
    let f = fixture();
    for p in f["pace"].as_array().unwrap() {
        same(
            &rust(bindings::goal_pace(js(&p["input"]))),
            &p["output"],
            &p["input"].to_string(),
        );
    }
    let customers = js(&common::customers());
    let index = CustomerIndex::new(customers.clone()).unwrap();
    for s in f["search"].as_array().unwrap() {
        let q = s["query"].as_str().unwrap();
        same(
            &rust(bindings::search_customers(
                q,
                customers.clone(),
                js(&s["options"]),
            )),
            &s["output"],
            q,
        );
        same(&rust(index.search(q, js(&s["options"]))), &s["output"], q);
    }
    // Without `today`, the browser's date is used.
    let p = rust(bindings::goal_pace(js(
        &serde_json::json!({"target": 10, "current": 1, "period": "monthly"}),
    )));
    assert!(p["totalDays"].as_f64().unwrap() >= 28.0);
}

#[wasm_bindgen_test]
fn errors_name_what_is_wrong() {
    let calls = js(&common::calls_data());
    let e = bindings::compute_call_metrics(
        calls.clone(),
        js(&serde_json::json!({"timeZone": "Mars/Base"})),
    )
    .unwrap_err();
    assert!(message(e).contains("Mars/Base"));
    let e = bindings::compute_call_metrics(calls, js(&serde_json::json!({"timezone": "UTC"})))
        .unwrap_err();
    assert!(message(e).contains("unknown field"));
    let bad =
        js(&serde_json::json!([{"id": 5, "call_date": "2026-01-01", "call_time": "1:00:00"}]));
    let e = bindings::compute_call_metrics(bad, JsValue::UNDEFINED).unwrap_err();
    let m = message(e);
    assert!(m.contains("calls[0]") && m.contains("call_info"), "{m}");
    let e =
        bindings::compute_call_metrics(JsValue::from_str("nope"), JsValue::UNDEFINED).unwrap_err();
    assert!(message(e).contains("array"));

    let mut c = CallColumns::from_calls(&common::calls_data()).unwrap();
    c.agent[0] = 1_000;
    let e = CallBatch::new(call_columns_js(&c)).err().unwrap();
    assert!(message(e).contains("columns.agent"));
    let o = call_columns_js(&CallColumns::default());
    set(o.unchecked_ref(), "startedAt", &JsValue::from_str("x"));
    assert!(message(CallBatch::new(o).err().unwrap()).contains("Float64Array"));
    assert!(CallBatch::from_bytes(b"garbage").is_err());
    let batch = CallBatch::from_calls(js(&common::calls_data())).unwrap();
    let e = batch
        .call_metrics_by_agent(js(
            &serde_json::json!({"from": "2026-03-10", "to": "2026-03-01"}),
        ))
        .unwrap_err();
    assert!(message(e).contains("from"));
    let e = batch
        .call_metrics_by_agent(js(&serde_json::json!({"agents": 7})))
        .unwrap_err();
    assert!(message(e).contains("unknown field"));
}

use wasm_bindgen::JsCast;
