//! The browser API: a thin `#[wasm_bindgen]` layer over the pure core, compiled for `wasm32` only.
//!
//! Every function here converts its JavaScript inputs (plain objects through serde-wasm-bindgen,
//! typed arrays by copy), calls the core, and converts the result back as plain JSON-compatible
//! objects (maps become objects, `None` becomes `null`). Errors of any kind become one `JsError`
//! whose message names the offending field or record; nothing here defines a metric.
//!
//! Names are camelCase; the TypeScript interfaces of options and results are in the custom
//! section below and end up in the package's `.d.ts`.
//!
//! Time zones: the core in `wasm32` ships the IANA zone names but not their offsets, which come
//! from the runtime's `Intl.DateTimeFormat` (`intl.rs`), installed before options are read.

#![cfg(target_arch = "wasm32")]

use std::fmt::Display;

use js_sys::{Array, Float64Array, Int32Array, Uint32Array, Uint8Array};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use callduck_metrics::columnar::{self, AgentEntry, CallColumns, ContactEntry, SmsColumns};
use callduck_metrics::fuzzy::{self, Customer, SearchOptions};
use callduck_metrics::options::{Filter, MetricsOptions};
use callduck_metrics::pace::{PaceInput, Period};
use callduck_metrics::records::{Call, Sms};
use callduck_metrics::{calls, goals, sms};

mod intl;

pub use intl::{parse_gmt_offset, use_intl_offsets, IntlOffsets};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Options of every metric function. Dates are local `YYYY-MM-DD`, inclusive. */
export interface MetricsOptions {
  from?: string | null;
  to?: string | null;
  /** JustCall agent id, or email (any case). */
  agent?: string | number | null;
  /** `Incoming`/`Outgoing` (also `inbound`/`outbound`); `all` or absent for both. */
  direction?: string | null;
  /** IANA time zone of the local day; default `UTC`. */
  timeZone?: string | null;
  /** Agent id → IANA time zone, overriding `timeZone` for that agent. */
  agentTimeZones?: Record<string, string>;
}

/** A call record as JustCall's `/v2.1/calls` returns it (other fields are accepted and ignored). */
export interface JustCallCall {
  id: number | string;
  call_date: string;
  call_time: string;
  agent_id?: number | string | null;
  agent_email?: string | null;
  agent_name?: string | null;
  contact_number?: string | number | null;
  call_info: { direction: string; type?: string | null; [key: string]: unknown };
  call_duration?: { total_duration?: number | string | null; [key: string]: unknown } | null;
  [key: string]: unknown;
}

/** An SMS record as JustCall's `/v2.1/texts` returns it. */
export interface JustCallSms {
  id: number | string;
  sms_date: string;
  sms_time: string;
  direction: string;
  agent_id?: number | string | null;
  agent_email?: string | null;
  contact_number?: string | number | null;
  contact_email?: string | null;
  contact_name?: string | null;
  delivery_status?: string | null;
  is_deleted?: boolean | string | null;
  medium?: string | null;
  [key: string]: unknown;
}

/** The seed's JustCallMetrics (completed = `Answered` as a whole value). */
export interface JustCallMetrics {
  totalCalls: number;
  inboundCalls: number;
  outboundCalls: number;
  completedCalls: number;
  missedCalls: number;
  /** Seconds. */
  totalDuration: number;
  averageDuration: number;
  callsByDay: Record<string, number>;
  callsByStatus: Record<string, number>;
}

/** One agent's JustCallMetrics (`CallBatch.callMetricsByAgent`). An agent is an `agentId`, else
 *  an email (then `agentId` is null), else unassigned (both null). */
export interface AgentCallMetrics extends JustCallMetrics {
  agentId: number | null;
  /** Trimmed, lower-cased. */
  agentEmail: string | null;
  agentName: string | null;
}

/** One agent's message counts (`SmsBatch.smsCountsByAgent`); the definitions of SmsMetrics. */
export interface AgentSmsCounts {
  agentId: number | null;
  agentEmail: string | null;
  agentName: string | null;
  /** Outgoing, not deleted (`sms_quantity`). */
  totalSent: number;
  totalReceived: number;
  deleted: number;
  automatedSent: number;
  deliveryFailures: number;
}

export interface ContactSms {
  contact: string;
  name: string | null;
  sent: number;
  received: number;
  replied: boolean;
  responses: number;
  averageResponseSeconds: number | null;
}

export interface ResponseTimes {
  responses: number;
  unanswered: number;
  averageSeconds: number | null;
  medianSeconds: number | null;
  maxSeconds: number | null;
}

export interface SmsMetrics {
  totalSent: number;
  totalReceived: number;
  deleted: number;
  automatedSent: number;
  sentByDay: Record<string, number>;
  receivedByDay: Record<string, number>;
  byContact: ContactSms[];
  contactsMessaged: number;
  contactsReplied: number;
  /** Unique contacts who replied ÷ unique contacts messaged. */
  responseRate: number | null;
  firstResponse: ResponseTimes;
  deliveryFailures: number;
  deliveryFailureRate: number | null;
  byDeliveryStatus: Record<string, number>;
}

/** One user's goal metrics for one local day. */
export interface UserDayGoals {
  agentId: number | null;
  agentEmail: string | null;
  agentName: string | null;
  date: string;
  phone_call_quantity: number;
  talk_time_minutes: number;
  sms_quantity: number;
  talk_time_seconds: number;
}

export type GoalPeriod = "daily" | "weekly" | "monthly" | "quarterly";

/** Either `totalDays` + `elapsedDays`, or `period` and/or `startDate` + `endDate` (with `today`,
 *  which defaults to the browser's local date). */
export interface PaceInput {
  target: number;
  current: number;
  period?: GoalPeriod;
  today?: string;
  startDate?: string;
  endDate?: string;
  totalDays?: number;
  elapsedDays?: number;
}

export interface GoalPace {
  target: number;
  current: number;
  totalDays: number;
  elapsedDays: number;
  remainingDays: number;
  expected: number;
  delta: number;
  progressPercent: number;
  pacePercent: number;
  status: "ahead" | "on-pace" | "behind";
  perDayTarget: number;
}

export interface Customer { id: string | number; name: string | null; }
export interface CustomerMatch { id: string; name: string; score: number; matched: string; }
export interface SearchOptions { limit?: number; minScore?: number; }

export interface AgentEntry { id: number | null; email: string | null; name: string | null; }
export interface ContactEntry { key: string | null; name: string | null; }

/** A columnar batch of calls: one typed array per column, strings as dictionary codes. */
export interface CallColumnsInput {
  id: Float64Array;
  /** Unix seconds, UTC. */
  startedAt: Float64Array;
  /** 0 Incoming, 1 Outgoing. */
  direction: Uint8Array;
  callType: Uint32Array;
  totalDuration: Int32Array;
  agent: Uint32Array;
  callTypes: (string | null)[];
  agents: AgentEntry[];
}

/** A columnar batch of SMS. */
export interface SmsColumnsInput {
  id: Float64Array;
  sentAt: Float64Array;
  direction: Uint8Array;
  deleted: Uint8Array;
  agent: Uint32Array;
  contact: Uint32Array;
  medium: Uint32Array;
  deliveryStatus: Uint32Array;
  agents: AgentEntry[];
  contacts: ContactEntry[];
  mediums: (string | null)[];
  deliveryStatuses: (string | null)[];
}
"#;

fn js_err(e: impl Display) -> JsError {
    JsError::new(&e.to_string())
}

fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(js_err)
}

fn absent(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

/// A small options object. It goes through `serde_json::Value` because serde-wasm-bindgen reads
/// only the fields a struct names, so `deny_unknown_fields` would not catch a misspelt key.
fn object<T: DeserializeOwned>(v: JsValue, what: &str) -> Result<T, JsError> {
    let json: serde_json::Value =
        serde_wasm_bindgen::from_value(v).map_err(|e| js_err(format!("{what}: {e}")))?;
    serde_json::from_value(json).map_err(|e| js_err(format!("{what}: {e}")))
}

fn from_js<T: DeserializeOwned + Default>(v: JsValue, what: &str) -> Result<T, JsError> {
    if absent(&v) {
        return Ok(T::default());
    }
    object(v, what)
}

/// The options, validated; IANA zones get their offsets from `Intl` ([`intl`]).
fn filter(options: JsValue) -> Result<Filter, JsError> {
    use_intl_offsets();
    from_js::<MetricsOptions>(options, "options")?
        .resolve()
        .map_err(js_err)
}

/// An array of records, each parsed on its own so an error names its index and id.
fn records<T: DeserializeOwned>(v: &JsValue, what: &str) -> Result<Vec<T>, JsError> {
    if absent(v) {
        return Ok(Vec::new());
    }
    if !Array::is_array(v) {
        return Err(js_err(format!("{what} must be an array of records")));
    }
    let array: &Array = v.unchecked_ref();
    let mut out = Vec::with_capacity(array.length() as usize);
    for (i, item) in array.iter().enumerate() {
        let id = js_sys::Reflect::get(&item, &JsValue::from_str("id"))
            .ok()
            .filter(|id| !absent(id))
            .map(|id| {
                format!(
                    " (id {})",
                    String::from(js_sys::JSON::stringify(&id).unwrap_or_default())
                )
            })
            .unwrap_or_default();
        out.push(
            serde_wasm_bindgen::from_value(item)
                .map_err(|e| js_err(format!("{what}[{i}]{id}: {e}")))?,
        );
    }
    Ok(out)
}

fn field(obj: &JsValue, key: &str) -> Result<JsValue, JsError> {
    if absent(obj) {
        return Err(js_err("columns must be an object of typed arrays"));
    }
    let v = js_sys::Reflect::get(obj, &JsValue::from_str(key)).map_err(|_| js_err(key))?;
    if absent(&v) {
        return Err(js_err(format!("columns.{key} is missing")));
    }
    Ok(v)
}

macro_rules! typed_column {
    ($name:ident, $array:ty, $elem:ty, $js:literal) => {
        /// A column: the typed array itself (copied into wasm memory), or a plain array of numbers.
        fn $name(obj: &JsValue, key: &str) -> Result<Vec<$elem>, JsError> {
            let v = field(obj, key)?;
            if let Some(a) = v.dyn_ref::<$array>() {
                Ok(a.to_vec())
            } else if Array::is_array(&v) {
                Ok(<$array>::new(&v).to_vec())
            } else {
                Err(js_err(format!(concat!("columns.{} must be a ", $js), key)))
            }
        }
    };
}

typed_column!(f64_column, Float64Array, f64, "Float64Array");
typed_column!(i32_column, Int32Array, i32, "Int32Array");
typed_column!(u32_column, Uint32Array, u32, "Uint32Array");
typed_column!(u8_column, Uint8Array, u8, "Uint8Array");

fn dictionary<T: DeserializeOwned>(obj: &JsValue, key: &str) -> Result<Vec<T>, JsError> {
    serde_wasm_bindgen::from_value(field(obj, key)?)
        .map_err(|e| js_err(format!("columns.{key}: {e}")))
}

fn call_columns(obj: &JsValue) -> Result<CallColumns, JsError> {
    let cols = CallColumns {
        id: f64_column(obj, "id")?,
        started_at: f64_column(obj, "startedAt")?,
        direction: u8_column(obj, "direction")?,
        call_type: u32_column(obj, "callType")?,
        total_duration: i32_column(obj, "totalDuration")?,
        agent: u32_column(obj, "agent")?,
        call_types: dictionary::<Option<String>>(obj, "callTypes")?,
        agents: dictionary::<AgentEntry>(obj, "agents")?,
    };
    cols.validate()
        .map_err(|e| js_err(format!("columns.{e}")))?;
    Ok(cols)
}

fn sms_columns(obj: &JsValue) -> Result<SmsColumns, JsError> {
    let cols = SmsColumns {
        id: f64_column(obj, "id")?,
        sent_at: f64_column(obj, "sentAt")?,
        direction: u8_column(obj, "direction")?,
        deleted: u8_column(obj, "deleted")?,
        agent: u32_column(obj, "agent")?,
        contact: u32_column(obj, "contact")?,
        medium: u32_column(obj, "medium")?,
        delivery_status: u32_column(obj, "deliveryStatus")?,
        agents: dictionary::<AgentEntry>(obj, "agents")?,
        contacts: dictionary::<ContactEntry>(obj, "contacts")?,
        mediums: dictionary::<Option<String>>(obj, "mediums")?,
        delivery_statuses: dictionary::<Option<String>>(obj, "deliveryStatuses")?,
    };
    cols.validate()
        .map_err(|e| js_err(format!("columns.{e}")))?;
    Ok(cols)
}

fn meta(v: JsValue) -> Result<serde_json::Value, JsError> {
    if absent(&v) {
        return Ok(serde_json::Value::Null);
    }
    serde_wasm_bindgen::from_value(v).map_err(|e| js_err(format!("meta: {e}")))
}

/// The version of callduck-metrics.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// The seed's call metrics over JustCall call records.
#[wasm_bindgen(js_name = computeCallMetrics, unchecked_return_type = "JustCallMetrics")]
pub fn compute_call_metrics(
    #[wasm_bindgen(unchecked_param_type = "JustCallCall[]")] calls: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "MetricsOptions | null")] options: JsValue,
) -> Result<JsValue, JsError> {
    let f = filter(options)?;
    let calls: Vec<Call> = records(&calls, "calls")?;
    to_js(&calls::call_metrics(&calls, &f))
}

/// SMS metrics over JustCall SMS records.
#[wasm_bindgen(js_name = computeSmsMetrics, unchecked_return_type = "SmsMetrics")]
pub fn compute_sms_metrics(
    #[wasm_bindgen(unchecked_param_type = "JustCallSms[]")] sms: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "MetricsOptions | null")] options: JsValue,
) -> Result<JsValue, JsError> {
    let f = filter(options)?;
    let sms: Vec<Sms> = records(&sms, "sms")?;
    to_js(&sms::sms_metrics(&sms, &f))
}

/// `phone_call_quantity`, `talk_time_minutes` and `sms_quantity` per user and local day.
#[wasm_bindgen(js_name = dailyGoalMetrics, unchecked_return_type = "UserDayGoals[]")]
pub fn daily_goal_metrics(
    #[wasm_bindgen(unchecked_param_type = "JustCallCall[] | null | undefined")] calls: JsValue,
    #[wasm_bindgen(unchecked_param_type = "JustCallSms[] | null | undefined")] sms: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "MetricsOptions | null")] options: JsValue,
) -> Result<JsValue, JsError> {
    let f = filter(options)?;
    let calls: Vec<Call> = records(&calls, "calls")?;
    let sms: Vec<Sms> = records(&sms, "sms")?;
    to_js(&goals::daily_goal_metrics(&calls, &sms, &f))
}

/// First and last day (`YYYY-MM-DD`) of the goal period (`daily`, `weekly`, `monthly`,
/// `quarterly`) that contains `day`; weeks start on Monday.
#[wasm_bindgen(js_name = goalPeriodBounds, unchecked_return_type = "[string, string]")]
pub fn goal_period_bounds(period: &str, day: &str) -> Result<JsValue, JsError> {
    let p = Period::from_name(period).ok_or_else(|| {
        js_err(format!(
            "unknown goal period {period:?}: daily, weekly, monthly or quarterly"
        ))
    })?;
    let day = callduck_metrics::lenient::parse_date(day)
        .ok_or_else(|| js_err(format!("day must be YYYY-MM-DD, got {day:?}")))?;
    let (start, end) = p.bounds(day);
    to_js(&[start.to_string(), end.to_string()])
}

/// The dashboard's goal pace: expected, progress %, pace %, status and per-day target.
#[wasm_bindgen(js_name = goalPace, unchecked_return_type = "GoalPace")]
pub fn goal_pace(
    #[wasm_bindgen(unchecked_param_type = "PaceInput")] input: JsValue,
) -> Result<JsValue, JsError> {
    if absent(&input) {
        return Err(js_err("goalPace needs {target, current, ...}"));
    }
    let mut input: PaceInput = object(input, "input")?;
    if input.today.is_none() {
        let now = js_sys::Date::new_0();
        input.today = chrono::NaiveDate::from_ymd_opt(
            now.get_full_year() as i32,
            now.get_month() + 1,
            now.get_date(),
        );
    }
    to_js(&input.pace().map_err(js_err)?)
}

/// The best-matching customers for a name, best first.
#[wasm_bindgen(js_name = searchCustomers, unchecked_return_type = "CustomerMatch[]")]
pub fn search_customers(
    query: &str,
    #[wasm_bindgen(unchecked_param_type = "Customer[]")] customers: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "SearchOptions | null")] options: JsValue,
) -> Result<JsValue, JsError> {
    let customers: Vec<Customer> = records(&customers, "customers")?;
    let options: SearchOptions = from_js(options, "options")?;
    to_js(&fuzzy::search_customers(query, customers, options))
}

/// Customers normalised once, for search-as-you-type.
#[wasm_bindgen]
pub struct CustomerIndex(fuzzy::CustomerIndex);

#[wasm_bindgen]
impl CustomerIndex {
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "Customer[]")] customers: JsValue,
    ) -> Result<CustomerIndex, JsError> {
        Ok(CustomerIndex(fuzzy::CustomerIndex::new(records(
            &customers,
            "customers",
        )?)))
    }

    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.0.len()
    }

    #[wasm_bindgen(unchecked_return_type = "CustomerMatch[]")]
    pub fn search(
        &self,
        query: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "SearchOptions | null")] options: JsValue,
    ) -> Result<JsValue, JsError> {
        to_js(&self.0.search(query, from_js(options, "options")?))
    }
}

/// A columnar batch of calls held in wasm memory: load it once, recompute on every filter change.
#[wasm_bindgen]
pub struct CallBatch(CallColumns);

#[wasm_bindgen]
impl CallBatch {
    /// From typed arrays (copied once into wasm memory).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "CallColumnsInput")] columns: JsValue,
    ) -> Result<CallBatch, JsError> {
        Ok(CallBatch(call_columns(&columns)?))
    }

    /// From JustCall call records.
    #[wasm_bindgen(js_name = fromCalls)]
    pub fn from_calls(
        #[wasm_bindgen(unchecked_param_type = "JustCallCall[]")] calls: JsValue,
    ) -> Result<CallBatch, JsError> {
        let calls: Vec<Call> = records(&calls, "calls")?;
        Ok(CallBatch(CallColumns::from_calls(&calls).map_err(js_err)?))
    }

    /// From a batch file (`CDBATCH1`, see the crate docs).
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<CallBatch, JsError> {
        Ok(CallBatch(CallColumns::from_bytes(bytes).map_err(js_err)?))
    }

    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.0.len()
    }

    /// The batch as a batch file.
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "Record<string, unknown> | null")]
        meta: JsValue,
    ) -> Result<Vec<u8>, JsError> {
        Ok(self.0.to_bytes(self::meta(meta)?))
    }

    /// The seed's call metrics over the batch.
    #[wasm_bindgen(js_name = computeCallMetrics, unchecked_return_type = "JustCallMetrics")]
    pub fn compute_call_metrics(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "MetricsOptions | null")] options: JsValue,
    ) -> Result<JsValue, JsError> {
        to_js(&self.0.call_metrics(&filter(options)?))
    }

    /// The seed's call metrics of every agent, in one pass over the batch (the team leaderboard):
    /// one row per agent with a call that passes the options, ids first.
    #[wasm_bindgen(js_name = callMetricsByAgent, unchecked_return_type = "AgentCallMetrics[]")]
    pub fn call_metrics_by_agent(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "MetricsOptions | null")] options: JsValue,
    ) -> Result<JsValue, JsError> {
        to_js(&self.0.call_metrics_by_agent(&filter(options)?))
    }

    /// Goal metrics per user and day from these calls alone (see `dailyGoalMetricsColumnar` to
    /// add an SMS batch).
    #[wasm_bindgen(js_name = dailyGoalMetrics, unchecked_return_type = "UserDayGoals[]")]
    pub fn daily_goal_metrics(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "MetricsOptions | null")] options: JsValue,
    ) -> Result<JsValue, JsError> {
        to_js(&columnar::daily_goal_metrics(
            Some(&self.0),
            None,
            &filter(options)?,
        ))
    }
}

/// A columnar batch of SMS held in wasm memory.
#[wasm_bindgen]
pub struct SmsBatch(SmsColumns);

#[wasm_bindgen]
impl SmsBatch {
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "SmsColumnsInput")] columns: JsValue,
    ) -> Result<SmsBatch, JsError> {
        Ok(SmsBatch(sms_columns(&columns)?))
    }

    #[wasm_bindgen(js_name = fromSms)]
    pub fn from_sms(
        #[wasm_bindgen(unchecked_param_type = "JustCallSms[]")] sms: JsValue,
    ) -> Result<SmsBatch, JsError> {
        let sms: Vec<Sms> = records(&sms, "sms")?;
        Ok(SmsBatch(SmsColumns::from_sms(&sms)))
    }

    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<SmsBatch, JsError> {
        Ok(SmsBatch(SmsColumns::from_bytes(bytes).map_err(js_err)?))
    }

    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.0.len()
    }

    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "Record<string, unknown> | null")]
        meta: JsValue,
    ) -> Result<Vec<u8>, JsError> {
        Ok(self.0.to_bytes(self::meta(meta)?))
    }

    #[wasm_bindgen(js_name = computeSmsMetrics, unchecked_return_type = "SmsMetrics")]
    pub fn compute_sms_metrics(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "MetricsOptions | null")] options: JsValue,
    ) -> Result<JsValue, JsError> {
        to_js(&self.0.sms_metrics(&filter(options)?))
    }

    /// Sent, received, deleted, automated and failed messages of every agent, in one pass.
    #[wasm_bindgen(js_name = smsCountsByAgent, unchecked_return_type = "AgentSmsCounts[]")]
    pub fn sms_counts_by_agent(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "MetricsOptions | null")] options: JsValue,
    ) -> Result<JsValue, JsError> {
        to_js(&self.0.sms_counts_by_agent(&filter(options)?))
    }

    /// Goal metrics per user and day from these messages alone (`sms_quantity`).
    #[wasm_bindgen(js_name = dailyGoalMetrics, unchecked_return_type = "UserDayGoals[]")]
    pub fn daily_goal_metrics(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "MetricsOptions | null")] options: JsValue,
    ) -> Result<JsValue, JsError> {
        to_js(&columnar::daily_goal_metrics(
            None,
            Some(&self.0),
            &filter(options)?,
        ))
    }
}

/// One-shot columnar call metrics: copies the typed arrays in, computes, drops them. Use
/// [`CallBatch`] to recompute without copying again.
#[wasm_bindgen(js_name = computeCallMetricsColumnar, unchecked_return_type = "JustCallMetrics")]
pub fn compute_call_metrics_columnar(
    #[wasm_bindgen(unchecked_param_type = "CallColumnsInput")] columns: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "MetricsOptions | null")] options: JsValue,
) -> Result<JsValue, JsError> {
    let f = filter(options)?;
    to_js(&call_columns(&columns)?.call_metrics(&f))
}

/// One-shot columnar SMS metrics.
#[wasm_bindgen(js_name = computeSmsMetricsColumnar, unchecked_return_type = "SmsMetrics")]
pub fn compute_sms_metrics_columnar(
    #[wasm_bindgen(unchecked_param_type = "SmsColumnsInput")] columns: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "MetricsOptions | null")] options: JsValue,
) -> Result<JsValue, JsError> {
    let f = filter(options)?;
    to_js(&sms_columns(&columns)?.sms_metrics(&f))
}

/// Goal metrics per user and day from a call batch and an SMS batch.
#[wasm_bindgen(js_name = dailyGoalMetricsColumnar, unchecked_return_type = "UserDayGoals[]")]
pub fn daily_goal_metrics_columnar(
    calls: &CallBatch,
    sms: &SmsBatch,
    #[wasm_bindgen(unchecked_optional_param_type = "MetricsOptions | null")] options: JsValue,
) -> Result<JsValue, JsError> {
    to_js(&columnar::daily_goal_metrics(
        Some(&calls.0),
        Some(&sms.0),
        &filter(options)?,
    ))
}
