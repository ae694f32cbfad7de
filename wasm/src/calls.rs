//! Call metrics over JustCall call records as the API returns them (the row path).
//!
//! `computeCallMetrics(calls, options)`: the records that pass the [`Filter`] go through
//! [`JustCallMetrics::compute`] with each call's local day in its zone. The columnar path
//! ([`crate::columnar::CallColumns::call_metrics`]) must give the same result; tests hold it to that.

use crate::metrics::JustCallMetrics;
use crate::options::Filter;
use crate::records::Call;

/// The seed's `JustCallMetrics` over the calls that pass `filter`, days in the agent's zone.
pub fn call_metrics(calls: &[Call], filter: &Filter) -> JustCallMetrics {
    JustCallMetrics::compute(calls.iter().filter(|c| filter.accepts_call(c)), |c| {
        filter.call_date(c)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::MetricsOptions;

    fn call(id: i64, date: &str, time: &str, agent: i64, dir: &str, ty: &str, secs: i64) -> Call {
        serde_json::from_value(serde_json::json!({
            "id": id, "call_date": date, "call_time": time, "agent_id": agent,
            "agent_email": format!("Agent{agent}@Example.com"),
            "call_info": {"direction": dir, "type": ty},
            "call_duration": {"total_duration": secs}
        }))
        .unwrap()
    }

    fn filter(json: serde_json::Value) -> Filter {
        serde_json::from_value::<MetricsOptions>(json)
            .unwrap()
            .resolve()
            .unwrap()
    }

    #[test]
    fn filters_and_buckets_by_local_day() {
        let calls = vec![
            // 23:30 EST on 01-15 = 04:30 UTC on 01-16.
            call(1, "2026-01-16", "4:30:00", 7, "Outgoing", "Answered", 120),
            call(2, "2026-01-16", "15:00:00", 7, "Incoming", "Missed", 0),
            call(3, "2026-01-16", "15:00:00", 8, "Incoming", "Unanswered", 0),
            call(4, "2026-01-17", "5:00:00", 8, "Outgoing", "In Progress", 30),
        ];
        let all = call_metrics(
            &calls,
            &filter(serde_json::json!({"timeZone": "America/New_York"})),
        );
        assert_eq!(all.total_calls, 4);
        assert_eq!((all.completed_calls, all.missed_calls), (1, 2));
        assert_eq!(all.calls_by_day["2026-01-15"], 1);
        assert_eq!(all.calls_by_day["2026-01-16"], 2);
        // 05:00 UTC on 01-17 is midnight in New York: the 17th.
        assert_eq!(all.calls_by_day["2026-01-17"], 1);
        assert_eq!(all.average_duration, 37.5);

        let utc = call_metrics(&calls, &filter(serde_json::json!({})));
        assert_eq!(utc.calls_by_day["2026-01-16"], 3);
        assert_eq!(utc.calls_by_day["2026-01-17"], 1);

        let ranged = call_metrics(
            &calls,
            &filter(
                serde_json::json!({"timeZone": "America/New_York", "from": "2026-01-16", "to": "2026-01-16"}),
            ),
        );
        assert_eq!(ranged.total_calls, 2);

        let agent = call_metrics(
            &calls,
            &filter(serde_json::json!({"agent": "agent8@EXAMPLE.com"})),
        );
        assert_eq!(agent.total_calls, 2);
        let by_id = call_metrics(
            &calls,
            &filter(serde_json::json!({"agent": 7, "direction": "Inbound"})),
        );
        assert_eq!((by_id.total_calls, by_id.inbound_calls), (1, 1));
        assert_eq!(by_id.calls_by_status["Missed"], 1);
    }

    #[test]
    fn agent_time_zones_override_the_default() {
        let calls = vec![call(
            1,
            "2026-01-16",
            "4:30:00",
            7,
            "Outgoing",
            "Answered",
            1,
        )];
        let m = call_metrics(
            &calls,
            &filter(
                serde_json::json!({"timeZone": "UTC", "agentTimeZones": {"7": "America/Los_Angeles"}}),
            ),
        );
        assert_eq!(m.calls_by_day.keys().collect::<Vec<_>>(), ["2026-01-15"]);
    }
}
