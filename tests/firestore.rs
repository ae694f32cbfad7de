//! The Firestore export against the real Firestore emulator (started by `tests/run.sh` and
//! `.ci/run`, address in FIRESTORE_EMULATOR_HOST): exact documents and field types, values equal
//! to the SQL views, unmapped agents, idempotence, upstream edits, vanished days, goals, and an
//! export interrupted half-way. Each test uses its own project id, so tests never see each other.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use callduck::firestore::export::{run_export, ExportOptions};
use callduck::firestore::{FirestoreClient, FirestoreConfig};
use callduck::simulator::SimConfig;
use callduck::store::Store;
use callduck_metrics::pace::Period;
use chrono::NaiveDate;
use common::emulator::*;
use common::*;
use serde_json::json;

fn options(as_of: NaiveDate) -> ExportOptions {
    ExportOptions {
        as_of: Some(as_of),
        ..ExportOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_exact_documents_then_only_what_changed() {
    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    sync(&sim, &config, &db, &common::options(&config))
        .await
        .unwrap();
    let fs = Emulator::new("exact");
    let mapped = seed_users(&fs, &db).await;
    let as_of = config.end.date();
    // A goal of the first user, and another source's metric inside its week.
    let (uid0, week) = (
        mapped.values().next().unwrap().clone(),
        Period::Weekly.bounds(as_of),
    );
    fs.put("goals", &format!("{uid0}_phone_call_quantity_weekly"), json!({
        "id": s(&format!("{uid0}_phone_call_quantity_weekly")), "userId": s(&uid0), "type": s("phone_call_quantity"),
        "period": s("weekly"), "target": { "integerValue": "100" }, "current": { "integerValue": "0" }
    })).await;
    fs.put(
        "metrics",
        &format!("{uid0}_phone_call_quantity_{}_copper", week.0),
        json!({
            "userId": s(&uid0), "type": s("phone_call_quantity"), "value": { "integerValue": "15" },
            "date": { "timestampValue": format!("{}T12:00:00Z", week.0) }, "source": s("copper")
        }),
    )
    .await;

    let client = FirestoreClient::new(fs.config()).unwrap();
    let store = Store::open(&db).unwrap();
    let first = run_export(&store, Some(&client), &options(as_of))
        .await
        .unwrap();
    let want = expected(&db, &mapped);
    assert!(want.len() > 100, "a real export: {} documents", want.len());
    assert_eq!(
        exported(&fs).await,
        want,
        "documents equal the SQL views for every user and day"
    );
    assert_eq!(first.written, want.len());
    assert_eq!(
        first.unmapped_agents.len(),
        1,
        "the agent without a dashboard user is reported"
    );
    assert!(!mapped.contains_key(&first.unmapped_agents[0].agent_id.unwrap()));
    assert!(first.requests as usize >= want.len().div_ceil(500));

    // The goal's current = every source's values in the current week, summed independently.
    let week_sum: i64 = want
        .iter()
        .filter(|((u, t, d), _)| {
            *u == uid0 && t == "phone_call_quantity" && *d >= week.0 && *d <= week.1
        })
        .map(|(_, v)| v)
        .sum::<i64>()
        + 15;
    let goals = fs.all("goals").await;
    let goal = &goals[&format!("{uid0}_phone_call_quantity_weekly")];
    assert_eq!(int_of(&goal["current"]), week_sum);
    assert_eq!(
        int_of(&goal["target"]),
        100,
        "fields outside the update mask are kept"
    );
    assert_eq!(
        goal["startDate"]["timestampValue"].as_str().unwrap()[..10],
        week.0.to_string()
    );

    // A second export in a row writes nothing.
    let again = run_export(&store, Some(&client), &options(as_of))
        .await
        .unwrap();
    assert_eq!((again.planned, again.written), (0, 0));
    assert_eq!(again.unchanged, want.len());
    assert_eq!(
        again.goals_updated, 0,
        "goals already hold the current period"
    );

    // A new week with no new activity: the weekly goal restarts from what that week holds.
    let next_week = as_of + chrono::Duration::days(7);
    let rolled = run_export(&store, Some(&client), &options(next_week))
        .await
        .unwrap();
    assert_eq!((rolled.written, rolled.goals_updated), (0, 1));
    let new_week = Period::Weekly.bounds(next_week);
    let new_sum: i64 = want
        .iter()
        .filter(|((u, t, d), _)| {
            *u == uid0 && t == "phone_call_quantity" && *d >= new_week.0 && *d <= new_week.1
        })
        .map(|(_, v)| v)
        .sum();
    let goal = &fs.all("goals").await[&format!("{uid0}_phone_call_quantity_weekly")];
    assert_eq!(int_of(&goal["current"]), new_sum);
    assert_eq!(
        goal["startDate"]["timestampValue"].as_str().unwrap()[..10],
        new_week.0.to_string()
    );
    let settled = run_export(&store, Some(&client), &options(next_week))
        .await
        .unwrap();
    assert_eq!(settled.goals_updated, 0);
    drop(store);

    // Upstream: new calls. Exactly the affected documents are written.
    sim.add_calls(7);
    sync(&sim, &config, &db, &common::options(&config))
        .await
        .unwrap();
    sim.shutdown();
    let after = expected(&db, &mapped);
    let changed: BTreeSet<_> = after
        .iter()
        .filter(|(k, v)| want.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect();
    assert!(!changed.is_empty());
    let store = Store::open(&db).unwrap();
    let third = run_export(&store, Some(&client), &options(as_of))
        .await
        .unwrap();
    assert_eq!(
        third.written,
        changed.len(),
        "only the changed documents: {changed:?}"
    );
    assert_eq!(exported(&fs).await, after);

    // A day whose activity vanished (calls removed upstream) is written as 0, not left stale.
    let (agent, uid) = mapped.iter().next().unwrap();
    let day: NaiveDate = store
        .conn()
        .query_row(
            "SELECT max(local_date) FROM stg_justcall__calls WHERE agent_id = ?",
            [agent],
            |r| r.get(0),
        )
        .unwrap();
    store
        .conn()
        .execute(
            "DELETE FROM raw_justcall__calls WHERE call_id IN (SELECT call_id FROM stg_justcall__calls WHERE agent_id = ? AND local_date = ?)",
            duckdb::params![agent, day],
        )
        .unwrap();
    let fourth = run_export(&store, Some(&client), &options(as_of))
        .await
        .unwrap();
    assert_eq!(fourth.zeroed, 2, "calls and talk time of that day");
    let now = exported(&fs).await;
    assert_eq!(now[&(uid.clone(), "phone_call_quantity".into(), day)], 0);
    assert_eq!(now[&(uid.clone(), "talk_time_minutes".into(), day)], 0);
    let fifth = run_export(&store, Some(&client), &options(as_of))
        .await
        .unwrap();
    assert_eq!(fifth.written, 0, "zeroed days are not rewritten");
}

/// A loopback proxy to the emulator that answers 503 to every `batchWrite` after the first
/// `allowed` ones: the network failing half-way through an export.
async fn failing_proxy(allowed: usize) -> (String, Arc<AtomicUsize>) {
    let upstream = format!("http://{}", emulator_host());
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let http = reqwest::Client::new();
    let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let (upstream, counter, http) = (upstream.clone(), counter.clone(), http.clone());
        async move {
            let path = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default();
            if path.contains(":batchWrite") && counter.fetch_add(1, Ordering::SeqCst) >= allowed {
                return axum::response::Response::builder()
                    .status(503)
                    .body(axum::body::Body::from("down"))
                    .unwrap();
            }
            let method = reqwest::Method::from_bytes(req.method().as_str().as_bytes()).unwrap();
            let body = axum::body::to_bytes(req.into_body(), usize::MAX)
                .await
                .unwrap();
            let answer = http
                .request(method, format!("{upstream}{path}"))
                .bearer_auth("owner")
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = answer.status().as_u16();
            let bytes = answer.bytes().await.unwrap();
            axum::response::Response::builder()
                .status(status)
                .body(axum::body::Body::from(bytes))
                .unwrap()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr.to_string(), seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_interrupted_half_way_is_finished_by_the_next_run() {
    let config = SimConfig {
        agents: 3,
        ..small_config()
    };
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    sync(&sim, &config, &db, &common::options(&config))
        .await
        .unwrap();
    sim.shutdown();
    let fs = Emulator::new("interrupted");
    let mapped = seed_users(&fs, &db).await;
    let want = expected(&db, &mapped);

    let (proxy, seen) = failing_proxy(2).await;
    let mut cfg =
        FirestoreConfig::from_vars(Some(fs.project.clone()), Some(proxy), None, None).unwrap();
    cfg.max_writes_per_request = 20;
    cfg.max_attempts = 2;
    let store = Store::open(&db).unwrap();
    let opts = ExportOptions {
        update_goals: false,
        ..options(config.end.date())
    };
    let err = run_export(&store, Some(&FirestoreClient::new(cfg).unwrap()), &opts)
        .await
        .unwrap_err();
    let message = format!("{err:#}");
    assert!(
        message.contains("after 40 of") && message.contains("next run"),
        "{message}"
    );
    assert!(
        seen.load(Ordering::SeqCst) > 2,
        "the proxy refused the third request"
    );
    assert_eq!(exported(&fs).await.len(), 40, "two batches landed");
    let recorded: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM firestore_export_ledger", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(
        recorded, 40,
        "the ledger holds exactly what Firestore confirmed"
    );

    let mut cfg = fs.config();
    cfg.max_writes_per_request = 20;
    let next = run_export(&store, Some(&FirestoreClient::new(cfg).unwrap()), &opts)
        .await
        .unwrap();
    assert_eq!(
        next.written,
        want.len() - 40,
        "the next run writes only the rest"
    );
    assert_eq!(exported(&fs).await, want);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_scheduled_command_syncs_then_exports() {
    let config = SimConfig {
        agents: 2,
        ..small_config()
    };
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let fs = Emulator::new("sync-export");
    // The dashboard knows both agents (emails as the simulator serves them).
    for (i, user) in sim.dataset().users.iter().enumerate() {
        let uid = format!("uid{i}");
        fs.put(
            "users",
            &uid,
            json!({ "id": s(&uid), "email": s(user.email.as_deref().unwrap()) }),
        )
        .await;
    }
    let run = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_callduck"))
            .arg("--db")
            .arg(&db)
            .args([
                "--quiet",
                "sync",
                "--backfill-days",
                "30",
                "--export-firestore",
                "--firestore-project",
                &fs.project,
            ])
            .args(extra)
            .env("JUSTCALL_BASE_URL", sim.base_url())
            .env("JUSTCALL_API_KEY", &config.api_key)
            .env("JUSTCALL_API_SECRET", &config.api_secret)
            .env("FIRESTORE_EMULATOR_HOST", emulator_host())
            .env_remove("GOOGLE_APPLICATION_CREDENTIALS")
            .output()
            .unwrap()
    };
    let out = run(&[]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("firestore export: wrote"), "{text}");
    let docs = exported(&fs).await;
    let mapped: BTreeMap<i64, String> = sim
        .dataset()
        .users
        .iter()
        .enumerate()
        .map(|(i, u)| (u.id, format!("uid{i}")))
        .collect();
    assert_eq!(docs, expected(&db, &mapped));
    // Scheduled again with nothing new: the export writes nothing.
    let out = run(&[]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("firestore export: wrote 0 metrics document(s)"),
        "{text}"
    );
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_callduck"))
        .arg("--db")
        .arg(&db)
        .arg("status")
        .output()
        .unwrap();
    let status = String::from_utf8_lossy(&status.stdout).to_string();
    assert!(
        status.contains(&format!(
            "firestore   {} metrics documents written",
            docs.len()
        )),
        "{status}"
    );
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_processed_by_serve_are_exported_to_the_dashboard() {
    use callduck::secret::Secret;
    use callduck::simulator::webhooks::{deliver, events_for};
    use callduck::store::now_utc;
    use callduck::sync::SyncOptions;
    use callduck::webhooks::server::{start as serve, ServeConfig};

    let config = SimConfig {
        agents: 2,
        ..small_config()
    };
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    let users_only = SyncOptions {
        streams: vec![callduck::justcall::Stream::Users],
        ..common::options(&config)
    };
    sync(&sim, &config, &db, &users_only).await.unwrap();
    let fs = Emulator::new("serve-export");
    let mapped = seed_users(&fs, &db).await; // the second agent stays unmapped
    let public_url = "https://hooks.example.com/justcall";
    let server = serve(
        tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
        Store::open(&db).unwrap(),
        callduck::justcall::JustCallClient::with_credentials(
            &sim.base_url(),
            &config.api_key,
            &config.api_secret,
        )
        .unwrap(),
        ServeConfig {
            public_url: public_url.into(),
            secret: Secret::new(config.api_secret.clone()),
            timestamp_window: chrono::TimeDelta::minutes(5),
            body_limit: 1 << 20,
            batch_events: 1000,
            every: None,
            sync: SyncOptions::default(),
            snapshot: None,
            export: Some((
                FirestoreClient::new(fs.config()).unwrap(),
                options(config.end.date()),
            )),
            events: Default::default(),
            limits: Default::default(),
        },
    )
    .await
    .unwrap();
    let events = events_for(&sim.dataset());
    let url = format!("http://{}/webhooks/justcall", server.addr);
    let results = deliver(&url, public_url, &config.api_secret, &events, 8, now_utc()).await;
    assert!(results.iter().all(|(s, _)| *s == 200));
    assert_eq!(server.drained(Duration::from_secs(60)).await.unwrap(), 0);
    // The export runs once the processor is idle; wait until the documents stop changing.
    let mut last = 0;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let n = fs.all("metrics").await.len();
        if n > 0 && n == last {
            break;
        }
        last = n;
    }
    drop(server.shutdown().await);
    sim.shutdown();
    assert_eq!(
        exported(&fs).await,
        expected(&db, &mapped),
        "the dashboard sees what the views say"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_import_from_the_dashboards_firestore_collection() {
    let fs = Emulator::new("crm-import");
    let phone = |n: &str| json!({"mapValue": {"fields": {"number": s(n), "category": s("work")}}});
    fs.put(
        "copper_people",
        "p1",
        json!({
            "name": s("MARIA GARCIA"), "company": s("Green Leaf LLC"),
            "email": s("Maria@GreenLeaf.com"),
            "phone_numbers": {"arrayValue": {"values": [phone("347-469-9543"), phone("n/a")]}}
        }),
    )
    .await;
    fs.put(
        "copper_people",
        "p2",
        json!({"name": s("Tom Cole"), "Phone Number 2": s("(212) 736-0100")}),
    )
    .await;
    fs.put("copper_people", "p3", json!({"title": s("Buyer")}))
        .await;

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crm.duckdb");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_callduck"))
        .args(["--quiet", "--db"])
        .arg(&db)
        .args([
            "import",
            "customers",
            "--kind",
            "copper-people",
            "--firestore",
            "--project",
        ])
        .arg(&fs.project)
        .env("FIRESTORE_EMULATOR_HOST", emulator_host())
        .env_remove("GOOGLE_APPLICATION_CREDENTIALS")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("import copper-people from firestore:copper_people: 3 record(s) read, 2 loaded, 1 rejected"),
        "{text}"
    );
    assert!(text.contains("nothing to match on"), "{text}");
    let store = Store::open_read_only(&db).unwrap();
    let phones: Vec<(String, Option<String>)> = store
        .conn()
        .prepare("SELECT customer_id, phone_e164 FROM crm_customer_phones ORDER BY 1, 2 NULLS LAST")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        phones,
        vec![
            (
                "copper-people:p1".to_string(),
                Some("+13474699543".to_string())
            ),
            ("copper-people:p1".to_string(), None),
            (
                "copper-people:p2".to_string(),
                Some("+12127360100".to_string())
            ),
        ]
    );
    let (email, account): (String, String) = store
        .conn()
        .query_row(
            "SELECT e.email, c.account_id FROM crm_customer_emails e JOIN crm_customers c USING (customer_id)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (email.as_str(), account.as_str()),
        ("maria@greenleaf.com", "company:green leaf")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_users_are_refused_a_second_target_gets_everything_and_verify_repairs_edits() {
    let fs = Emulator::new("refusals");
    let config = small_config();
    let sim = start(config.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = temp_db(&dir);
    sync(&sim, &config, &db, &common::options(&config))
        .await
        .unwrap();
    let mapped = seed_users(&fs, &db).await;
    let store = Store::open(&db).unwrap();
    let client = FirestoreClient::new(fs.config()).unwrap();
    let as_of = config.end.date();
    let first = run_export(&store, Some(&client), &options(as_of))
        .await
        .unwrap();
    assert!(first.written > 50, "{first:?}");
    let docs_before = fs.all("metrics").await;
    let users_in_file = |store: &Store| -> Vec<(String, Option<String>)> {
        let mut stmt = store
            .conn()
            .prepare("SELECT user_id, email FROM firestore_users ORDER BY user_id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let users_before = users_in_file(&store);

    // An empty users file, and one that maps a single agent, are refused; a dry run of the
    // latter says what it would zero and changes nothing either.
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, "[]").unwrap();
    let err = run_export(
        &store,
        Some(&client),
        &ExportOptions {
            users_file: Some(empty),
            ..options(as_of)
        },
    )
    .await
    .unwrap_err();
    assert!(format!("{err:#}").contains("hold no user"), "{err:#}");
    let (agent, uid) = mapped.iter().next().unwrap();
    let email: String = store
        .conn()
        .query_row(
            "SELECT email FROM raw_justcall__users WHERE user_id = ?",
            [agent],
            |r| r.get(0),
        )
        .unwrap();
    let one = dir.path().join("one.json");
    std::fs::write(&one, json!([{ "id": uid, "email": email }]).to_string()).unwrap();
    let one_user = ExportOptions {
        users_file: Some(one),
        ..options(as_of)
    };
    let err = run_export(&store, Some(&client), &one_user)
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("would zero"), "{err:#}");
    let dry = run_export(
        &store,
        Some(&client),
        &ExportOptions {
            dry_run: true,
            ..one_user.clone()
        },
    )
    .await
    .unwrap();
    assert!(dry.zeroed > 50, "{dry:?}");
    assert_eq!(users_in_file(&store), users_before, "the file is unchanged");
    assert_eq!(
        fs.all("metrics").await,
        docs_before,
        "Firestore is unchanged"
    );

    // Another target (project) from the same file receives every document.
    let fs2 = Emulator::new("second-target");
    let mapped2 = seed_users(&fs2, &db).await;
    let second = run_export(
        &store,
        Some(&FirestoreClient::new(fs2.config()).unwrap()),
        &options(as_of),
    )
    .await
    .unwrap();
    assert_eq!(second.written, first.written, "{second:?}");
    assert_eq!(exported(&fs2).await, expected(&db, &mapped2));

    // Someone deletes one document and edits another: the ledger alone does not see it, --verify
    // does and writes both again.
    let mut ids = docs_before.keys();
    let (deleted, edited) = (ids.next().unwrap().clone(), ids.next().unwrap().clone());
    let r = fs
        .http
        .delete(format!("{}/metrics/{deleted}", fs.docs_url()))
        .bearer_auth("owner")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let mut fields = docs_before[&edited].clone();
    fields["value"] = json!({ "integerValue": "9999" });
    fs.put("metrics", &edited, fields).await;
    let plain = run_export(&store, Some(&client), &options(as_of))
        .await
        .unwrap();
    assert_eq!(plain.written, 0);
    let verified = run_export(
        &store,
        Some(&client),
        &ExportOptions {
            verify: true,
            ..options(as_of)
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (verified.repaired, verified.written),
        (2, 2),
        "{verified:?}"
    );
    assert_eq!(exported(&fs).await, expected(&db, &mapped));
    sim.shutdown();
}
