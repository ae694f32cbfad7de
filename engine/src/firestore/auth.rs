//! Bearer tokens for Firestore: `owner` for the emulator; OAuth2 access tokens in production,
//! from a service-account key file or from Application Default Credentials (the gcloud ADC file,
//! the metadata server on Google Cloud, the gcloud CLI), fetched, cached and refreshed by the
//! `gcp_auth` crate. Tokens are [`Secret`]s: they print redacted, so they cannot leak into logs
//! or errors.

use std::sync::Arc;

use gcp_auth::TokenProvider;
use tokio::sync::OnceCell;

use super::{FirestoreConfig, FirestoreError};
use crate::secret::Secret;

const SCOPES: &[&str] = &["https://www.googleapis.com/auth/datastore"];

/// How requests are authorised.
#[derive(Clone)]
pub enum Auth {
    /// The emulator accepts `Bearer owner` (and refuses batchWrite without it).
    Emulator,
    /// A service account's OAuth2 tokens, from its key file.
    ServiceAccount(Arc<gcp_auth::CustomServiceAccount>),
    /// Application Default Credentials, found at the first request (finding them may ask the
    /// metadata server, which is async).
    ApplicationDefault(Arc<OnceCell<Arc<dyn TokenProvider>>>),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::Emulator => f.write_str("Auth::Emulator"),
            Auth::ServiceAccount(_) => f.write_str("Auth::ServiceAccount(<redacted>)"),
            Auth::ApplicationDefault(_) => f.write_str("Auth::ApplicationDefault(<redacted>)"),
        }
    }
}

impl Auth {
    /// The emulator when one is configured, else the key file, else Application Default
    /// Credentials.
    pub fn from_config(config: &FirestoreConfig) -> Result<Auth, FirestoreError> {
        if config.emulator_host.is_some() {
            return Ok(Auth::Emulator);
        }
        let Some(path) = config.credentials_file.as_ref() else {
            return Ok(Auth::ApplicationDefault(Arc::default()));
        };
        let account = gcp_auth::CustomServiceAccount::from_file(path).map_err(|e| {
            FirestoreError::BadKey {
                path: path.clone(),
                // gcp_auth's messages name the problem (unreadable file, bad JSON, bad key) without
                // echoing the key itself.
                detail: e.to_string(),
            }
        })?;
        Ok(Auth::ServiceAccount(Arc::new(account)))
    }

    /// The `Authorization` header value.
    pub async fn bearer(&self) -> Result<Secret, FirestoreError> {
        let provider: &dyn TokenProvider = match self {
            Auth::Emulator => return Ok(Secret::new("Bearer owner")),
            Auth::ServiceAccount(account) => account.as_ref(),
            Auth::ApplicationDefault(cell) => cell
                .get_or_try_init(|| async {
                    gcp_auth::provider()
                        .await
                        .map_err(|e| FirestoreError::MissingCredentials(one_line(&e)))
                })
                .await?
                .as_ref(),
        };
        let token = provider
            .token(SCOPES)
            .await
            .map_err(|e| FirestoreError::Token(one_line(&e)))?;
        Ok(Secret::new(format!("Bearer {}", token.as_str())))
    }
}

/// An error and its causes on one line (gcp_auth's texts name the method that failed, never a
/// key or token).
fn one_line(error: &(dyn std::error::Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = e.source();
    }
    out.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_key_file_is_named_without_its_content() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("key.json");
        std::fs::write(&key, r#"{"type":"service_account","project_id":"p","private_key":"-----BEGIN PRIVATE KEY-----\nnot-a-key-SECRETSECRET\n-----END PRIVATE KEY-----\n","client_email":"x@p.iam.gserviceaccount.com","token_uri":"https://oauth2.googleapis.com/token"}"#).unwrap();
        let config = FirestoreConfig {
            project_id: "p".into(),
            credentials_file: Some(key.clone()),
            ..FirestoreConfig::default()
        };
        let err = Auth::from_config(&config).unwrap_err().to_string();
        assert!(
            err.contains("key.json") && err.contains("GOOGLE_APPLICATION_CREDENTIALS"),
            "{err}"
        );
        assert!(!err.contains("SECRETSECRET"), "{err}");
        let missing = FirestoreConfig {
            credentials_file: Some(dir.path().join("nope.json")),
            ..config
        };
        let err = Auth::from_config(&missing).unwrap_err().to_string();
        assert!(err.contains("nope.json"), "{err}");
    }
}
