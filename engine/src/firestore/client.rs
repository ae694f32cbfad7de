//! [`FirestoreClient`]: the REST v1 calls the export needs: list a collection, run a query, and
//! `batchWrite` with retries.
//!
//! `batchWrite` is not atomic: Firestore answers HTTP 200 with one status per write. A whole
//! request that fails with a retriable status (or a dropped connection) is sent again; inside a
//! successful answer, only the writes whose code is retriable are sent again. Writes that fail for
//! good are returned with their reason, never dropped silently.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rand::SeedableRng as _;
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::retry;
use super::{Auth, FirestoreConfig, FirestoreError};
use crate::backoff::Backoff;

/// A document as Firestore returns it: full resource name and typed `fields`.
#[derive(Debug, Clone)]
pub struct Document {
    /// `projects/.../documents/{collection}/{id}`.
    pub name: String,
    pub fields: Value,
}

impl Document {
    /// The document id (last path segment).
    pub fn id(&self) -> &str {
        self.name.rsplit('/').next().unwrap_or(&self.name)
    }
}

/// One write of a `batchWrite`: a whole-document replace, or an update of some fields.
#[derive(Debug, Clone)]
pub struct Write {
    /// `{collection}/{id}`.
    pub path: String,
    pub fields: serde_json::Map<String, Value>,
    /// Fields to update; `None` replaces the whole document.
    pub update_mask: Option<Vec<String>>,
}

/// What became of one write.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOutcome {
    Written,
    /// Failed for good (or still failing after every attempt): the reason.
    Failed(String),
}

/// Request counters, for summaries and benchmarks.
#[derive(Debug, Default)]
pub struct Counters {
    pub requests: AtomicU64,
    pub retried_requests: AtomicU64,
    pub retried_writes: AtomicU64,
}

#[derive(Debug, Clone)]
pub struct FirestoreClient {
    http: reqwest::Client,
    config: Arc<FirestoreConfig>,
    auth: Auth,
    counters: Arc<Counters>,
}

fn sleep(d: Duration) -> tokio::time::Sleep {
    tokio::time::sleep(d)
}

impl FirestoreClient {
    pub fn new(config: FirestoreConfig) -> Result<FirestoreClient, FirestoreError> {
        let auth = Auth::from_config(&config)?;
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .user_agent(concat!("callduck/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| FirestoreError::Protocol {
                request: "building the HTTP client".into(),
                detail: e.to_string(),
            })?;
        Ok(FirestoreClient {
            http,
            config: Arc::new(config),
            auth,
            counters: Arc::default(),
        })
    }

    /// Gets a token now, so missing or refused credentials stop a command before its long work
    /// (e.g. `sync --export-firestore`) rather than after it.
    pub async fn check_credentials(&self) -> Result<(), FirestoreError> {
        self.auth.bearer().await.map(|_| ())
    }

    pub fn config(&self) -> &FirestoreConfig {
        &self.config
    }

    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    fn url(&self, suffix: &str) -> String {
        format!(
            "{}/v1/{}{}",
            self.config.base_url(),
            self.config.documents_path(),
            suffix
        )
    }

    /// Sends one request (POST with `body`, or GET) with retries of retriable failures.
    async fn send(
        &self,
        label: &str,
        url: &str,
        body: Option<&Value>,
    ) -> Result<Value, FirestoreError> {
        let mut backoff = Backoff::new(self.config.backoff);
        let mut rng = rand::rngs::StdRng::from_os_rng();
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.counters.requests.fetch_add(1, Ordering::Relaxed);
            let bearer = self.auth.bearer().await?;
            let request = match body {
                Some(b) => self.http.post(url).json(b),
                None => self.http.get(url),
            };
            let result = request
                .header(reqwest::header::AUTHORIZATION, bearer.expose())
                .send()
                .await;
            let failure = match result {
                Ok(response) => {
                    let status = response.status();
                    let text = response.text().await.unwrap_or_default();
                    if status.is_success() {
                        return serde_json::from_str(&text).map_err(|e| FirestoreError::Protocol {
                            request: label.to_string(),
                            detail: format!("invalid JSON ({e})"),
                        });
                    }
                    let message = error_message(&text);
                    match status {
                        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                            return Err(FirestoreError::PermissionDenied {
                                request: label.to_string(),
                                status: status.as_u16(),
                                message,
                                project: self.config.project_id.clone(),
                            })
                        }
                        StatusCode::NOT_FOUND => {
                            return Err(FirestoreError::NotFound {
                                request: label.to_string(),
                                project: self.config.project_id.clone(),
                            })
                        }
                        s if !retry::status_is_retriable(s) => {
                            return Err(FirestoreError::Http {
                                request: label.to_string(),
                                status: s.as_u16(),
                                message,
                            })
                        }
                        s => format!("HTTP {}: {message}", s.as_u16()),
                    }
                }
                Err(e) if retry::transport_is_retriable(&e) => format!("{e}"),
                Err(e) => {
                    return Err(FirestoreError::Http {
                        request: label.to_string(),
                        status: 0,
                        message: e.to_string(),
                    })
                }
            };
            if attempt >= self.config.max_attempts {
                return Err(FirestoreError::GaveUp {
                    request: label.to_string(),
                    attempts: attempt,
                    last: failure,
                });
            }
            self.counters
                .retried_requests
                .fetch_add(1, Ordering::Relaxed);
            let wait = backoff.next(&mut rng);
            tracing::debug!(
                "retrying {label} in {:.1}s after: {failure}",
                wait.as_secs_f64()
            );
            sleep(wait).await;
        }
    }

    /// Every document of a top-level collection (paged).
    pub async fn list(&self, collection: &str) -> Result<Vec<Document>, FirestoreError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut url = self.url(&format!("/{collection}?pageSize=300"));
            if let Some(t) = &token {
                url.push_str("&pageToken=");
                url.push_str(t);
            }
            let page = self.send(&format!("GET {collection}"), &url, None).await?;
            for doc in page
                .get("documents")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.push(parse_document(doc, &format!("GET {collection}"))?);
            }
            match page.get("nextPageToken").and_then(Value::as_str) {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => return Ok(out),
            }
        }
    }

    /// Runs a structured query (`runQuery`) and returns the documents.
    pub async fn run_query(
        &self,
        structured_query: Value,
    ) -> Result<Vec<Document>, FirestoreError> {
        let url = self.url(":runQuery");
        let answer = self
            .send(
                "runQuery",
                &url,
                Some(&json!({ "structuredQuery": structured_query })),
            )
            .await?;
        let mut out = Vec::new();
        for item in answer.as_array().into_iter().flatten() {
            if let Some(doc) = item.get("document") {
                out.push(parse_document(doc, "runQuery")?);
            }
        }
        Ok(out)
    }

    /// Writes `writes` in one `batchWrite` request (at most 500, distinct documents), retrying
    /// the request and then only its retriable failed writes. Returns one outcome per write.
    pub async fn batch_write(&self, writes: &[Write]) -> Result<Vec<WriteOutcome>, FirestoreError> {
        let mut outcomes: Vec<Option<WriteOutcome>> = vec![None; writes.len()];
        let mut pending: Vec<usize> = (0..writes.len()).collect();
        let mut backoff = Backoff::new(self.config.backoff);
        let mut rng = rand::rngs::StdRng::from_os_rng();
        let url = self.url(":batchWrite");
        let parent = self.config.documents_path();
        for attempt in 1..=self.config.max_attempts {
            let body = json!({
                "writes": pending.iter().map(|&i| write_json(&parent, &writes[i])).collect::<Vec<_>>()
            });
            let answer = self
                .send(
                    &format!("batchWrite of {} documents", pending.len()),
                    &url,
                    Some(&body),
                )
                .await?;
            let statuses = answer
                .get("status")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if statuses.len() != pending.len() {
                return Err(FirestoreError::Protocol {
                    request: "batchWrite".into(),
                    detail: format!("{} statuses for {} writes", statuses.len(), pending.len()),
                });
            }
            let mut again = Vec::new();
            for (&i, status) in pending.iter().zip(&statuses) {
                let code = status.get("code").and_then(Value::as_i64).unwrap_or(0);
                if code == 0 {
                    outcomes[i] = Some(WriteOutcome::Written);
                } else {
                    let message = status
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    let reason = format!("code {code}: {message}");
                    if retry::write_code_is_retriable(code) && attempt < self.config.max_attempts {
                        again.push(i);
                    }
                    outcomes[i] = Some(WriteOutcome::Failed(reason));
                }
            }
            if again.is_empty() {
                break;
            }
            self.counters
                .retried_writes
                .fetch_add(again.len() as u64, Ordering::Relaxed);
            sleep(backoff.next(&mut rng)).await;
            pending = again;
        }
        Ok(outcomes
            .into_iter()
            .map(|o| o.expect("every write has an outcome"))
            .collect())
    }

    /// Size in bytes of `write` in a request body (to keep requests under the size limit).
    pub fn encoded_len(&self, write: &Write) -> usize {
        write_json(&self.config.documents_path(), write)
            .to_string()
            .len()
            + 1
    }
}

fn write_json(parent: &str, write: &Write) -> Value {
    let mut w =
        json!({ "update": { "name": format!("{parent}/{}", write.path), "fields": write.fields } });
    if let Some(mask) = &write.update_mask {
        w["updateMask"] = json!({ "fieldPaths": mask });
    }
    w
}

fn parse_document(doc: &Value, request: &str) -> Result<Document, FirestoreError> {
    let name = doc
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| FirestoreError::Protocol {
            request: request.to_string(),
            detail: "a document without a name".into(),
        })?;
    Ok(Document {
        name: name.to_string(),
        fields: doc.get("fields").cloned().unwrap_or_else(|| json!({})),
    })
}

/// The `error.message` of a Google API error body, else the body's start.
fn error_message(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("error")?.get("message")?.as_str().map(str::to_string))
        .unwrap_or_else(|| body.chars().take(300).collect())
}
