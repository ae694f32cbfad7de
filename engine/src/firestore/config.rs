//! Configuration of the Firestore sink. Every field is documented; secrets stay in `auth.rs`.

use std::path::PathBuf;
use std::time::Duration;

use crate::backoff::{BackoffConfig, Jitter};

use super::FirestoreError;

/// Where and how to write.
#[derive(Debug, Clone)]
pub struct FirestoreConfig {
    /// Google Cloud project id: `--project`, else `FIRESTORE_PROJECT_ID`, else
    /// `GOOGLE_CLOUD_PROJECT`, else the key file's `project_id`, else the `quota_project_id` of
    /// the gcloud Application Default Credentials file.
    pub project_id: String,
    /// Firestore database id; the dashboard uses `(default)`.
    pub database: String,
    /// `host:port` of the Firestore emulator (`FIRESTORE_EMULATOR_HOST`): plain HTTP and
    /// `Authorization: Bearer owner`. `None` means production (`https://firestore.googleapis.com`).
    pub emulator_host: Option<String>,
    /// Service-account key file for production (`GOOGLE_APPLICATION_CREDENTIALS`). `None` (and
    /// no emulator) means Application Default Credentials: the file `gcloud auth
    /// application-default login` writes, the metadata server on Cloud Run, GCE or GKE, or the
    /// gcloud CLI's account, in that order (found by `gcp_auth` at the first request).
    pub credentials_file: Option<PathBuf>,
    /// Writes per `batchWrite` request (Firestore allows 500).
    pub max_writes_per_request: usize,
    /// Upper bound of a request body in bytes (Firestore refuses 4 MiB and more; keep a margin).
    pub max_request_bytes: usize,
    /// Attempts per request, and per write inside a batch, before giving up.
    pub max_attempts: u32,
    /// Timeout of one HTTP request.
    pub request_timeout: Duration,
    /// Waits between attempts.
    pub backoff: BackoffConfig,
}

impl Default for FirestoreConfig {
    fn default() -> Self {
        FirestoreConfig {
            project_id: String::new(),
            database: "(default)".into(),
            emulator_host: None,
            credentials_file: None,
            max_writes_per_request: 500,
            max_request_bytes: 3 * 1024 * 1024 + 512 * 1024,
            max_attempts: 6,
            request_timeout: Duration::from_secs(60),
            backoff: BackoffConfig {
                base: Duration::from_millis(200),
                max: Duration::from_secs(20),
                jitter: Jitter::Full,
            },
        }
    }
}

/// The `project_id` a service-account key file names, if it can be read.
fn project_of_key(path: &std::path::Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json.get("project_id")?.as_str().map(str::to_string)
}

/// The gcloud Application Default Credentials file (`gcloud auth application-default login`),
/// where `gcp_auth` looks for it.
fn adc_file() -> Option<PathBuf> {
    #[allow(deprecated)] // std::env::home_dir is what gcp_auth uses, and right on Unix.
    let home = std::env::home_dir()?;
    Some(home.join(".config/gcloud/application_default_credentials.json"))
}

/// The `quota_project_id` of the Application Default Credentials file, if there is one.
fn project_of_adc_file() -> Option<String> {
    project_of_adc_file_at(&adc_file()?)
}

fn project_of_adc_file_at(path: &std::path::Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json.get("quota_project_id")?.as_str().map(str::to_string)
}

impl FirestoreConfig {
    /// Reads the environment: `FIRESTORE_EMULATOR_HOST`, `GOOGLE_APPLICATION_CREDENTIALS`,
    /// `FIRESTORE_PROJECT_ID` or `GOOGLE_CLOUD_PROJECT` (overridden by `project`).
    pub fn from_env(project: Option<String>) -> Result<FirestoreConfig, FirestoreError> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        Self::from_vars(
            project,
            var("FIRESTORE_EMULATOR_HOST"),
            var("GOOGLE_APPLICATION_CREDENTIALS"),
            var("FIRESTORE_PROJECT_ID").or_else(|| var("GOOGLE_CLOUD_PROJECT")),
        )
    }

    /// Whether requests authenticate with Application Default Credentials.
    pub fn uses_application_default_credentials(&self) -> bool {
        self.emulator_host.is_none() && self.credentials_file.is_none()
    }

    /// [`from_env`](Self::from_env) with the variables given explicitly.
    pub fn from_vars(
        project: Option<String>,
        emulator_host: Option<String>,
        credentials: Option<String>,
        project_env: Option<String>,
    ) -> Result<FirestoreConfig, FirestoreError> {
        let emulator_host = emulator_host.map(|h| {
            h.trim()
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_string()
        });
        let credentials_file = credentials.map(PathBuf::from);
        let adc = emulator_host.is_none() && credentials_file.is_none();
        let project_id = project
            .or(project_env)
            .or_else(|| credentials_file.as_deref().and_then(project_of_key))
            .or_else(|| adc.then(project_of_adc_file).flatten())
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .ok_or(FirestoreError::MissingProject)?;
        Ok(FirestoreConfig {
            project_id,
            emulator_host,
            credentials_file,
            ..FirestoreConfig::default()
        })
    }

    /// `https://firestore.googleapis.com` or `http://{emulator}`.
    pub fn base_url(&self) -> String {
        match &self.emulator_host {
            Some(host) => format!("http://{host}"),
            None => "https://firestore.googleapis.com".to_string(),
        }
    }

    /// `projects/{p}/databases/{d}/documents`: the parent of every collection.
    pub fn documents_path(&self) -> String {
        format!(
            "projects/{}/databases/{}/documents",
            self.project_id, self.database
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_comes_from_flag_env_or_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("key.json");
        std::fs::write(
            &key,
            r#"{"type":"service_account","project_id":"from-key"}"#,
        )
        .unwrap();
        let k = Some(key.display().to_string());
        let c = FirestoreConfig::from_vars(None, None, k.clone(), None).unwrap();
        assert_eq!(c.project_id, "from-key");
        let c = FirestoreConfig::from_vars(None, None, k.clone(), Some("from-env".into())).unwrap();
        assert_eq!(c.project_id, "from-env");
        let c = FirestoreConfig::from_vars(Some("flag".into()), None, k, Some("from-env".into()))
            .unwrap();
        assert_eq!(c.project_id, "flag");
        let c = FirestoreConfig::from_vars(
            Some("p".into()),
            Some("http://127.0.0.1:8080/".into()),
            None,
            None,
        )
        .unwrap();
        assert_eq!(c.base_url(), "http://127.0.0.1:8080");
        assert_eq!(
            c.documents_path(),
            "projects/p/databases/(default)/documents"
        );
    }

    #[test]
    fn the_adc_file_names_its_quota_project() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("application_default_credentials.json");
        std::fs::write(
            &file,
            r#"{"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"r","quota_project_id":"adc-project"}"#,
        )
        .unwrap();
        assert_eq!(
            project_of_adc_file_at(&file).as_deref(),
            Some("adc-project")
        );
        std::fs::write(&file, r#"{"type":"authorized_user"}"#).unwrap();
        assert_eq!(project_of_adc_file_at(&file), None);
    }

    #[test]
    fn no_emulator_and_no_key_means_application_default_credentials() {
        let c = FirestoreConfig::from_vars(None, None, None, Some("from-env".into())).unwrap();
        assert!(c.uses_application_default_credentials());
        assert_eq!(c.project_id, "from-env");
        assert_eq!(c.base_url(), "https://firestore.googleapis.com");
        let c =
            FirestoreConfig::from_vars(None, Some("localhost:1".into()), None, Some("p".into()))
                .unwrap();
        assert!(!c.uses_application_default_credentials());
    }

    #[test]
    fn missing_pieces_say_what_to_set() {
        let e = FirestoreConfig::from_vars(None, Some("localhost:1".into()), None, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("--project"), "{e}");
    }
}
