//! Step 1 of the export: the dashboard's users (the `users` collection, or a file), stored in
//! `firestore_users`; agents map to users by their email key. Emails two users share are
//! ambiguous and map to no one; agents with no user are reported (view `rpt_unmapped_agents`).

use std::collections::BTreeMap;

use anyhow::Context as _;
use duckdb::params;
use serde_json::Value;

use super::super::value;
use super::super::FirestoreClient;
use super::ExportOptions;
use crate::store::{now_utc, Store};

/// A JustCall agent no dashboard user matches.
#[derive(Debug, Clone, PartialEq)]
pub struct UnmappedAgent {
    pub agent_id: Option<i64>,
    pub email: Option<String>,
    pub total_calls: i64,
    pub sms_sent: i64,
}

/// A dashboard user as read from Firestore or a file.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardUser {
    pub uid: String,
    pub email: Option<String>,
    pub name: Option<String>,
}

/// The same key as the views' `callduck_email_key` (ASCII whitespace trimmed, lower case).
pub(super) fn email_key(email: &str) -> String {
    callduck_metrics::options::normalize_email(email)
}

pub(super) async fn dashboard_users(
    client: Option<&FirestoreClient>,
    opts: &ExportOptions,
) -> anyhow::Result<Vec<DashboardUser>> {
    if let Some(path) = &opts.users_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the users file {}", path.display()))?;
        let rows: Vec<Value> = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} must be a JSON array of {{\"id\", \"email\", \"name\"}}",
                path.display()
            )
        })?;
        return rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let uid = r
                    .get("id")
                    .or_else(|| r.get("uid"))
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        anyhow::anyhow!("{}: user #{} has no string \"id\"", path.display(), i + 1)
                    })?;
                Ok(DashboardUser {
                    uid: uid.to_string(),
                    email: r.get("email").and_then(Value::as_str).map(str::to_string),
                    name: r.get("name").and_then(Value::as_str).map(str::to_string),
                })
            })
            .collect();
    }
    let client =
        client.context("reading the dashboard's users needs Firestore (or --users-file)")?;
    let docs = client
        .list("users")
        .await
        .context("reading the users collection")?;
    Ok(docs
        .iter()
        .map(|d| DashboardUser {
            uid: d.id().to_string(),
            email: value::field(&d.fields, "email")
                .and_then(value::as_string)
                .map(str::to_string),
            name: value::field(&d.fields, "name")
                .and_then(value::as_string)
                .map(str::to_string),
        })
        .collect())
}

/// Replaces `firestore_users` inside the caller's transaction; returns the emails shared by
/// several users (mapped to no one).
pub(super) fn store_users(store: &Store, users: &[DashboardUser]) -> anyhow::Result<Vec<String>> {
    let mut by_email: BTreeMap<String, usize> = BTreeMap::new();
    for u in users {
        if let Some(e) = &u.email {
            *by_email.entry(email_key(e)).or_default() += 1;
        }
    }
    let ambiguous: Vec<String> = by_email
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(e, _)| e.clone())
        .collect();
    let conn = store.conn();
    conn.execute_batch("DELETE FROM firestore_users;")?;
    let now = now_utc();
    let mut stmt = conn.prepare("INSERT OR REPLACE INTO firestore_users VALUES (?, ?, ?, ?, ?)")?;
    for u in users {
        let key = u
            .email
            .as_deref()
            .map(email_key)
            .filter(|k| !k.is_empty() && !ambiguous.contains(k));
        stmt.execute(params![u.uid, u.email, key, u.name, now])
            .context("storing the dashboard's users")?;
    }
    Ok(ambiguous)
}

pub(super) fn unmapped_agents(store: &Store) -> anyhow::Result<Vec<UnmappedAgent>> {
    let mut stmt = store
        .conn()
        .prepare("SELECT agent_id, agent_email, total_calls, sms_sent FROM rpt_unmapped_agents")?;
    let rows = stmt.query_map([], |r| {
        Ok(UnmappedAgent {
            agent_id: r.get(0)?,
            email: r.get(1)?,
            total_calls: r.get(2)?,
            sms_sent: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
