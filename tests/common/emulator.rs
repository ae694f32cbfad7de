//! The Firestore emulator as the tests see it (started by `tests/run.sh` and `.ci/run`, address in
//! FIRESTORE_EMULATOR_HOST): a plain REST view of one project per test, independent of
//! callduck's client, and the dashboard documents the SQL views say there should be.

use std::collections::BTreeMap;
use std::path::Path;

use callduck::firestore::FirestoreConfig;
use callduck::store::Store;
use chrono::NaiveDate;
use serde_json::{json, Value};

use super::init;

pub fn emulator_host() -> String {
    std::env::var("FIRESTORE_EMULATOR_HOST").expect(
        "FIRESTORE_EMULATOR_HOST is not set: run the tests with tests/run.sh, which starts the \
         Firestore emulator (gcloud emulators firestore start)",
    )
}

pub fn unique_project(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("callduck-{name}-{}-{nanos}", std::process::id())
}

/// A plain REST view of one emulator project, independent of callduck's client.
pub struct Emulator {
    pub http: reqwest::Client,
    pub base: String,
    pub project: String,
}

impl Emulator {
    pub fn new(name: &str) -> Emulator {
        init();
        Emulator {
            http: reqwest::Client::new(),
            base: format!("http://{}", emulator_host()),
            project: unique_project(name),
        }
    }

    pub fn docs_url(&self) -> String {
        format!(
            "{}/v1/projects/{}/databases/(default)/documents",
            self.base, self.project
        )
    }

    pub fn config(&self) -> FirestoreConfig {
        FirestoreConfig::from_vars(
            Some(self.project.clone()),
            Some(emulator_host()),
            None,
            None,
        )
        .unwrap()
    }

    pub async fn put(&self, collection: &str, id: &str, fields: Value) {
        let r = self
            .http
            .patch(format!("{}/{collection}/{id}", self.docs_url()))
            .bearer_auth("owner")
            .json(&json!({ "fields": fields }))
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_success(),
            "seeding {collection}/{id}: {}",
            r.text().await.unwrap()
        );
    }

    /// Every document of a collection: id → fields.
    pub async fn all(&self, collection: &str) -> BTreeMap<String, Value> {
        let mut out = BTreeMap::new();
        let mut token = String::new();
        loop {
            let url = format!(
                "{}/{collection}?pageSize=300&pageToken={token}",
                self.docs_url()
            );
            let page: Value = self
                .http
                .get(url)
                .bearer_auth("owner")
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            for d in page["documents"].as_array().into_iter().flatten() {
                let id = d["name"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string();
                out.insert(id, d["fields"].clone());
            }
            match page["nextPageToken"].as_str() {
                Some(t) if !t.is_empty() => token = t.to_string(),
                _ => return out,
            }
        }
    }
}

pub fn s(v: &str) -> Value {
    json!({ "stringValue": v })
}

pub fn int_of(v: &Value) -> i64 {
    v["integerValue"]
        .as_str()
        .unwrap_or_else(|| panic!("an integerValue, got {v}"))
        .parse()
        .unwrap()
}

/// Dashboard users for all agents but the last, emails in another case and padded; plus one
/// dashboard user with no JustCall account. Returns agent id → uid for the mapped agents.
pub async fn seed_users(fs: &Emulator, db: &Path) -> BTreeMap<i64, String> {
    let store = Store::open_read_only(db).unwrap();
    let mut stmt = store
        .conn()
        .prepare("SELECT user_id, email FROM raw_justcall__users ORDER BY user_id")
        .unwrap();
    let agents: Vec<(i64, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut mapped = BTreeMap::new();
    for (i, (agent, email)) in agents.iter().enumerate().take(agents.len() - 1) {
        let uid = format!("uid{i}");
        let shown = format!("  {}  ", email.to_uppercase());
        fs.put(
            "users",
            &uid,
            json!({ "id": s(&uid), "email": s(&shown), "name": s("Someone"), "role": s("sales") }),
        )
        .await;
        mapped.insert(*agent, uid);
    }
    fs.put(
        "users",
        "manager1",
        json!({ "id": s("manager1"), "email": s("boss@kanva.com"), "role": s("manager") }),
    )
    .await;
    mapped
}

/// fct_agent_daily as the dashboard should see it: (uid, type, day) → value, computed here from
/// the view's agent rows and the test's own agent → uid map.
pub fn expected(
    db: &Path,
    mapped: &BTreeMap<i64, String>,
) -> BTreeMap<(String, String, NaiveDate), i64> {
    let store = Store::open_read_only(db).unwrap();
    let mut stmt = store
        .conn()
        .prepare("SELECT agent_id, local_date, phone_call_quantity, talk_time_seconds, sms_quantity FROM fct_agent_daily")
        .unwrap();
    let rows: Vec<(i64, NaiveDate, i64, i64, i64)> = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = BTreeMap::new();
    for (agent, day, calls, seconds, sms) in rows {
        let Some(uid) = mapped.get(&agent) else {
            continue;
        };
        if calls > 0 {
            out.insert((uid.clone(), "phone_call_quantity".to_string(), day), calls);
            out.insert(
                (uid.clone(), "talk_time_minutes".to_string(), day),
                (seconds as f64 / 60.0).round() as i64,
            );
        }
        if sms > 0 {
            out.insert((uid.clone(), "sms_quantity".to_string(), day), sms);
        }
    }
    out
}

/// The justcall documents in the emulator, checked field by field: (uid, type, day) → value.
pub async fn exported(fs: &Emulator) -> BTreeMap<(String, String, NaiveDate), i64> {
    let mut out = BTreeMap::new();
    for (id, f) in fs.all("metrics").await {
        if f["source"]["stringValue"] != "justcall" {
            continue;
        }
        let uid = f["userId"]["stringValue"].as_str().unwrap().to_string();
        let kind = f["type"]["stringValue"].as_str().unwrap().to_string();
        let stamp = f["date"]["timestampValue"]
            .as_str()
            .unwrap_or_else(|| panic!("{id}: date must be a Timestamp: {}", f["date"]));
        assert!(
            stamp.ends_with("T12:00:00Z") || stamp.contains("T12:00:00."),
            "{id}: noon UTC, got {stamp}"
        );
        let day = NaiveDate::parse_from_str(&stamp[..10], "%Y-%m-%d").unwrap();
        assert_eq!(id, format!("{uid}_{kind}_{day}_justcall"));
        assert_eq!(f["id"]["stringValue"], id.as_str());
        assert!(
            f["createdAt"]["timestampValue"].is_string(),
            "{id}: createdAt is a Timestamp"
        );
        assert!(
            f["metadata"]["mapValue"]["fields"].is_object(),
            "{id}: metadata is a map"
        );
        let value = int_of(&f["value"]);
        if kind == "talk_time_minutes" {
            let fields = &f["metadata"]["mapValue"]["fields"];
            let seconds = int_of(&fields["totalSeconds"]);
            assert_eq!(
                value,
                (seconds as f64 / 60.0).round() as i64,
                "{id}: minutes from metadata seconds"
            );
        }
        out.insert((uid, kind, day), value);
    }
    out
}
