//! Bearer tokens for Firestore: `owner` for the emulator; OAuth2 access tokens from a
//! service-account key in production, fetched, cached and refreshed by the `gcp_auth` crate.
//! Tokens are [`Secret`]s: they print redacted, so they cannot leak into logs or errors.

use std::sync::Arc;

use gcp_auth::TokenProvider as _;

use super::{FirestoreConfig, FirestoreError};
use crate::secret::Secret;

const SCOPES: &[&str] = &["https://www.googleapis.com/auth/datastore"];

/// How requests are authorised.
#[derive(Clone)]
pub enum Auth {
    /// The emulator accepts `Bearer owner` (and refuses batchWrite without it).
    Emulator,
    /// A service account's OAuth2 tokens.
    ServiceAccount(Arc<gcp_auth::CustomServiceAccount>),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::Emulator => f.write_str("Auth::Emulator"),
            Auth::ServiceAccount(_) => f.write_str("Auth::ServiceAccount(<redacted>)"),
        }
    }
}

impl Auth {
    /// The emulator when one is configured, else the key file.
    pub fn from_config(config: &FirestoreConfig) -> Result<Auth, FirestoreError> {
        if config.emulator_host.is_some() {
            return Ok(Auth::Emulator);
        }
        let path = config
            .credentials_file
            .as_ref()
            .ok_or(FirestoreError::MissingCredentials)?;
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
        match self {
            Auth::Emulator => Ok(Secret::new("Bearer owner")),
            Auth::ServiceAccount(account) => {
                let token = account
                    .token(SCOPES)
                    .await
                    .map_err(|e| FirestoreError::Token(e.to_string()))?;
                Ok(Secret::new(format!("Bearer {}", token.as_str())))
            }
        }
    }
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
