//! The columnar path equals the row path on generated data, for every option, and batch files
//! round-trip.

use super::*;
use crate::calls::call_metrics;
use crate::goals::daily_goal_metrics as row_goals;
use crate::metrics::JustCallMetrics;
use crate::options::{Filter, MetricsOptions};
use crate::records::Call;
use crate::sms::sms_metrics;
use crate::synth;

fn option_sets() -> Vec<MetricsOptions> {
    let zones: std::collections::BTreeMap<String, String> = synth::AGENT_TIME_ZONES
        .iter()
        .map(|(a, z)| (a.to_string(), z.to_string()))
        .collect();
    let json = [
        serde_json::json!({}),
        serde_json::json!({"timeZone": "America/New_York"}),
        serde_json::json!({"timeZone": "America/New_York", "from": "2026-03-07", "to": "2026-03-09"}),
        serde_json::json!({"timeZone": "Europe/Berlin", "from": "2026-03-28", "direction": "Outgoing"}),
        serde_json::json!({"timeZone": "Australia/Lord_Howe", "to": "2026-03-01", "direction": "inbound"}),
        serde_json::json!({"agent": "ANA.LOPEZ@example.com", "timeZone": "America/Chicago"}),
        serde_json::json!({"agent": 8}),
        serde_json::json!({"agent": "eve@example.com", "from": "2026-03-08", "to": "2026-03-08"}),
        serde_json::json!({"agent": "nobody@example.com"}),
        serde_json::json!({"timeZone": "America/Denver", "agentTimeZones": zones}),
    ];
    json.into_iter()
        .map(|j| serde_json::from_value(j).unwrap())
        .collect()
}

#[test]
fn call_metrics_equal_the_row_path() {
    let calls = synth::calls(20_000, 42);
    let cols = CallColumns::from_calls(&calls).unwrap();
    cols.validate().unwrap();
    for opts in option_sets() {
        let f = opts.resolve().unwrap();
        let row = call_metrics(&calls, &f);
        let col = cols.call_metrics(&f);
        assert_eq!(row, col, "{opts:?}");
    }
    let all = cols.call_metrics(&Filter::default());
    assert_eq!(all.total_calls, 20_000);
    assert!(all.calls_by_status.contains_key("Unknown"));
}

#[test]
fn sms_metrics_equal_the_row_path() {
    let sms = synth::sms(20_000, 7);
    let cols = SmsColumns::from_sms(&sms);
    cols.validate().unwrap();
    for opts in option_sets() {
        let f = opts.resolve().unwrap();
        assert_eq!(sms_metrics(&sms, &f), cols.sms_metrics(&f), "{opts:?}");
    }
    let m = cols.sms_metrics(&Filter::default());
    assert!(m.first_response.responses > 0 && m.delivery_failures > 0 && m.deleted > 0);
    assert!(m.response_rate.is_some_and(|r| r > 0.0 && r <= 1.0));
}

#[test]
fn daily_goals_equal_the_row_path() {
    let calls = synth::calls(20_000, 5);
    let sms = synth::sms(10_000, 6);
    let c = CallColumns::from_calls(&calls).unwrap();
    let s = SmsColumns::from_sms(&sms);
    for opts in option_sets() {
        let f = opts.resolve().unwrap();
        assert_eq!(
            row_goals(&calls, &sms, &f),
            daily_goal_metrics(Some(&c), Some(&s), &f),
            "{opts:?}"
        );
        assert_eq!(
            row_goals(&calls, &[], &f),
            daily_goal_metrics(Some(&c), None, &f),
            "{opts:?}"
        );
        assert_eq!(
            row_goals(&[], &sms, &f),
            daily_goal_metrics(None, Some(&s), &f),
            "{opts:?}"
        );
    }
    // Agent 7's two email spellings are one user.
    let rows = daily_goal_metrics(Some(&c), Some(&s), &Filter::default());
    assert!(rows
        .iter()
        .filter(|r| r.agent_id == Some(7))
        .all(|r| r.agent_email.as_deref() == Some("ana.lopez@example.com")));
}

#[test]
fn batches_out_of_order_and_with_repeated_dictionary_keys() {
    // A batch from another producer: rows out of time order, duplicate dictionary entries.
    let mut calls = synth::calls(3_000, 9);
    calls.reverse();
    let mut cols = CallColumns::from_calls(&calls).unwrap();
    let dup = cols.call_types.len() as u32;
    cols.call_types.push(cols.call_types[0].clone());
    for code in cols.call_type.iter_mut().step_by(2) {
        if *code == 0 {
            *code = dup;
        }
    }
    cols.validate().unwrap();
    let f = MetricsOptions {
        time_zone: Some("America/New_York".into()),
        ..Default::default()
    }
    .resolve()
    .unwrap();
    assert_eq!(call_metrics(&calls, &f), cols.call_metrics(&f));
}

fn call_at(date: &str, time: &str) -> Call {
    serde_json::from_value(serde_json::json!({
        "id": 1, "call_date": date, "call_time": time,
        "call_info": {"direction": "Outgoing", "type": "Answered"},
        "call_duration": {"total_duration": 60}
    }))
    .unwrap()
}

#[test]
fn local_days_across_dst_and_midnight() {
    let calls = vec![
        call_at("2026-01-16", "4:30:00"), // 23:30 EST on 01-15
        call_at("2026-03-08", "4:59:59"), // 23:59:59 EST on 03-07
        call_at("2026-03-08", "6:59:59"), // 01:59:59 EST on 03-08, just before the change
        call_at("2026-03-08", "7:00:00"), // 03:00 EDT on 03-08
        call_at("2026-03-09", "3:59:59"), // 23:59:59 EDT on 03-08
        call_at("2026-03-09", "4:00:00"), // 00:00 EDT on 03-09 (would be 03-08 under EST)
        call_at("2026-11-01", "5:59:59"), // 01:59:59 EDT on 11-01
        call_at("2026-11-01", "6:00:00"), // 01:00 EST on 11-01, the repeated hour
        call_at("2026-11-02", "4:30:00"), // 23:30 EST on 11-01
    ];
    let cols = CallColumns::from_calls(&calls).unwrap();
    let f = MetricsOptions {
        time_zone: Some("America/New_York".into()),
        ..Default::default()
    }
    .resolve()
    .unwrap();
    let m = cols.call_metrics(&f);
    assert_eq!(m, call_metrics(&calls, &f));
    let days: Vec<(&str, u64)> = m
        .calls_by_day
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        days,
        [
            ("2026-01-15", 1),
            ("2026-03-07", 1),
            ("2026-03-08", 3),
            ("2026-03-09", 1),
            ("2026-11-01", 3)
        ]
    );
    let utc = cols.call_metrics(&Filter::default());
    assert_eq!(utc.calls_by_day["2026-01-16"], 1);
    assert_eq!(utc.calls_by_day["2026-11-02"], 1);
}

#[test]
fn batch_files_round_trip() {
    let calls = synth::calls(1_000, 1);
    let cols = CallColumns::from_calls(&calls).unwrap();
    let bytes = cols.to_bytes(serde_json::json!({"source": "test"}));
    assert_eq!(&bytes[..8], file::MAGIC);
    assert_eq!(CallColumns::from_bytes(&bytes).unwrap(), cols);
    let header = file::Batch::from_bytes(&bytes).unwrap();
    assert_eq!((header.kind.as_str(), header.rows), ("calls", 1_000));
    assert_eq!(header.meta["source"], "test");

    let sms = SmsColumns::from_sms(&synth::sms(1_000, 2));
    let bytes = sms.to_bytes(serde_json::Value::Null);
    assert_eq!(SmsColumns::from_bytes(&bytes).unwrap(), sms);
    let err = CallColumns::from_bytes(&bytes).unwrap_err().to_string();
    assert!(err.contains("expected \"calls\""), "{err}");

    let empty = CallColumns::default();
    assert_eq!(
        CallColumns::from_bytes(&empty.to_bytes(serde_json::Value::Null)).unwrap(),
        empty
    );
    assert_eq!(
        empty.call_metrics(&Filter::default()),
        JustCallMetrics::default()
    );
}

#[test]
fn batch_file_columns_are_aligned_for_typed_arrays() {
    let cols = CallColumns::from_calls(&synth::calls(7, 1)).unwrap();
    let bytes = cols.to_bytes(serde_json::Value::Null);
    let h = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
    let header: file::Header = serde_json::from_slice(&bytes[12..12 + h]).unwrap();
    let data_start = (12 + h).div_ceil(8) * 8;
    for c in &header.columns {
        assert_eq!((data_start + c.offset) % 8, 0, "{}", c.name);
    }
    let started = header
        .columns
        .iter()
        .find(|c| c.name == "startedAt")
        .unwrap();
    let at = data_start + started.offset;
    assert_eq!(
        f64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()),
        cols.started_at[0]
    );
}

#[test]
fn corrupt_batches_are_errors() {
    let cols = CallColumns::from_calls(&synth::calls(10, 1)).unwrap();
    let bytes = cols.to_bytes(serde_json::Value::Null);
    assert!(CallColumns::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    assert!(CallColumns::from_bytes(b"not a batch").is_err());

    let mut bad = cols.clone();
    bad.agent[3] = 99;
    assert!(bad.validate().unwrap_err().to_string().contains("agent"));
    let mut bad = cols.clone();
    bad.direction[0] = 2;
    assert!(bad.validate().is_err());
    let mut bad = cols.clone();
    bad.started_at[1] = 1.5;
    assert!(bad
        .validate()
        .unwrap_err()
        .to_string()
        .contains("startedAt"));
    let mut bad = cols;
    bad.total_duration.pop();
    assert!(bad
        .validate()
        .unwrap_err()
        .to_string()
        .contains("totalDuration"));

    let mut huge = synth::calls(1, 1);
    huge[0].call_duration.total_duration = i64::from(i32::MAX) + 1;
    assert!(CallColumns::from_calls(&huge).is_err());
}

/// The options with `agent` replaced by one agent's id.
fn with_agent(opts: &MetricsOptions, id: i64) -> Filter {
    MetricsOptions {
        agent: Some(id.to_string()),
        ..opts.clone()
    }
    .resolve()
    .unwrap()
}

#[test]
fn call_metrics_by_agent_equal_call_metrics_per_agent() {
    use crate::agents::call_metrics_by_agent;
    use crate::goals::UserKey;
    let calls = synth::calls(20_000, 21);
    let cols = CallColumns::from_calls(&calls).unwrap();
    let mut saw_email_user = false;
    for opts in option_sets() {
        let f = opts.resolve().unwrap();
        let col = cols.call_metrics_by_agent(&f);
        // The one-pass columnar rows equal the row path's.
        assert_eq!(col, call_metrics_by_agent(&calls, &f), "{opts:?}");
        // Also when the days are counted in a hash map (a batch spanning many years).
        assert_eq!(col, cols.call_metrics_by_agent_grid(&f, 0), "{opts:?}");
        // Each row equals call_metrics on that agent's records alone, ...
        for row in &col {
            let key = UserKey::of(row.agent_id, row.agent_email.as_deref());
            let own: Vec<Call> = calls
                .iter()
                .filter(|c| UserKey::of(c.agent_id, c.agent_email.as_deref()) == key)
                .cloned()
                .collect();
            assert_eq!(row.metrics, call_metrics(&own, &f), "{opts:?} {key:?}");
            saw_email_user |= matches!(key, UserKey::Email(_));
            // ... and, for an agent with an id, the batch's call_metrics with that agent.
            if let (Some(id), None) = (row.agent_id, &opts.agent) {
                assert_eq!(
                    row.metrics,
                    cols.call_metrics(&with_agent(&opts, id)),
                    "{opts:?} agent {id}"
                );
            }
        }
        // The rows add up to the team (or the selected agent).
        let team = cols.call_metrics(&f);
        let sum = |g: fn(&JustCallMetrics) -> u64| col.iter().map(|r| g(&r.metrics)).sum::<u64>();
        assert_eq!(sum(|m| m.total_calls), team.total_calls, "{opts:?}");
        assert_eq!(sum(|m| m.inbound_calls), team.inbound_calls, "{opts:?}");
        assert_eq!(sum(|m| m.outbound_calls), team.outbound_calls, "{opts:?}");
        assert_eq!(sum(|m| m.completed_calls), team.completed_calls, "{opts:?}");
        assert_eq!(sum(|m| m.missed_calls), team.missed_calls, "{opts:?}");
        assert_eq!(
            col.iter().map(|r| r.metrics.total_duration).sum::<i64>(),
            team.total_duration,
            "{opts:?}"
        );
        assert!(col.iter().all(|r| r.metrics.total_calls > 0));
    }
    assert!(saw_email_user);
    // Every kind of agent: ids (7's two email spellings are one agent), an email, unassigned.
    let all = cols.call_metrics_by_agent(&Filter::default());
    let ids: Vec<Option<i64>> = all.iter().map(|r| r.agent_id).collect();
    assert_eq!(ids, [Some(7), Some(8), Some(9), Some(10), None, None]);
    assert_eq!(all[0].agent_email.as_deref(), Some("ana.lopez@example.com"));
    assert_eq!(all[4].agent_email.as_deref(), Some("eve@example.com"));
    assert_eq!(all[5].agent_email, None);
    // An agent filter keeps only that agent's row.
    let ana = cols.call_metrics_by_agent(
        &MetricsOptions {
            agent: Some("ANA.LOPEZ@example.com".into()),
            ..Default::default()
        }
        .resolve()
        .unwrap(),
    );
    assert_eq!(ana.len(), 1);
    assert_eq!(ana[0].agent_id, Some(7));
    assert!(CallColumns::default()
        .call_metrics_by_agent(&Filter::default())
        .is_empty());
}

#[test]
fn call_metrics_by_agent_local_days_across_dst() {
    // Two agents in different zones around the US spring-forward night; per-agent days follow
    // each agent's zone.
    let mut calls = Vec::new();
    for (i, (date, time)) in [
        ("2026-03-08", "4:59:59"), // 23:59:59 EST 03-07 | 20:59:59 PST 03-07
        ("2026-03-08", "7:00:00"), // 03:00 EDT 03-08    | 23:00 PST 03-07
        ("2026-03-09", "3:59:59"), // 23:59:59 EDT 03-08 | 20:59:59 PDT 03-08
        ("2026-03-09", "4:00:00"), // 00:00 EDT 03-09    | 21:00 PDT 03-08
        ("2026-03-09", "7:00:00"), // 03:00 EDT 03-09    | 00:00 PDT 03-09
    ]
    .into_iter()
    .enumerate()
    {
        for agent in [1, 2] {
            let mut c = call_at(date, time);
            c.id = (i * 2 + agent) as i64;
            c.agent_id = Some(agent as i64);
            calls.push(c);
        }
    }
    let cols = CallColumns::from_calls(&calls).unwrap();
    let opts: MetricsOptions = serde_json::from_value(serde_json::json!({
        "timeZone": "America/New_York", "agentTimeZones": {"2": "America/Los_Angeles"}
    }))
    .unwrap();
    let f = opts.resolve().unwrap();
    let rows = cols.call_metrics_by_agent(&f);
    assert_eq!(rows, crate::agents::call_metrics_by_agent(&calls, &f));
    let days = |i: usize| -> Vec<(String, u64)> {
        rows[i]
            .metrics
            .calls_by_day
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect()
    };
    let d = |s: &str, n: u64| (s.to_owned(), n);
    assert_eq!(
        days(0),
        [d("2026-03-07", 1), d("2026-03-08", 2), d("2026-03-09", 2)]
    );
    assert_eq!(
        days(1),
        [d("2026-03-07", 2), d("2026-03-08", 2), d("2026-03-09", 1)]
    );
    for (row, id) in rows.iter().zip([1, 2]) {
        assert_eq!(row.metrics, cols.call_metrics(&with_agent(&opts, id)));
    }
    // A one-day range.
    let day: MetricsOptions = MetricsOptions {
        from: Some("2026-03-08".parse().unwrap()),
        to: Some("2026-03-08".parse().unwrap()),
        ..opts.clone()
    };
    let rows = cols.call_metrics_by_agent(&day.resolve().unwrap());
    assert_eq!(
        rows.iter()
            .map(|r| r.metrics.total_calls)
            .collect::<Vec<_>>(),
        [2, 2]
    );
}

#[test]
fn sms_counts_by_agent_equal_sms_metrics_per_agent() {
    use crate::agents::{sms_counts_by_agent, SmsCounts};
    use crate::goals::UserKey;
    let sms = synth::sms(20_000, 22);
    let cols = SmsColumns::from_sms(&sms);
    for opts in option_sets() {
        let f = opts.resolve().unwrap();
        let col = cols.sms_counts_by_agent(&f);
        assert_eq!(col, sms_counts_by_agent(&sms, &f), "{opts:?}");
        for row in &col {
            let key = UserKey::of(row.agent_id, row.agent_email.as_deref());
            let own: Vec<_> = sms
                .iter()
                .filter(|s| UserKey::of(s.agent_id, s.agent_email.as_deref()) == key)
                .cloned()
                .collect();
            assert_eq!(
                row.counts,
                SmsCounts::of(&sms_metrics(&own, &f)),
                "{opts:?} {key:?}"
            );
            if let (Some(id), None) = (row.agent_id, &opts.agent) {
                assert_eq!(
                    row.counts,
                    SmsCounts::of(&cols.sms_metrics(&with_agent(&opts, id))),
                    "{opts:?} agent {id}"
                );
            }
        }
        let team = SmsCounts::of(&cols.sms_metrics(&f));
        let total = col.iter().fold(SmsCounts::default(), |mut a, r| {
            a.total_sent += r.counts.total_sent;
            a.total_received += r.counts.total_received;
            a.deleted += r.counts.deleted;
            a.automated_sent += r.counts.automated_sent;
            a.delivery_failures += r.counts.delivery_failures;
            a
        });
        assert_eq!(total, team, "{opts:?}");
    }
    let all = cols.sms_counts_by_agent(&Filter::default());
    assert!(all
        .iter()
        .any(|r| r.counts.deleted > 0 && r.counts.delivery_failures > 0));
}
