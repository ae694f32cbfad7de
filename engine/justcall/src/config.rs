//! The client's configuration: where the API is, the credentials, paging, timeouts and retries.
//!
//! [`JustCallConfig::from_env`] reads `JUSTCALL_BASE_URL` (optional), `JUSTCALL_API_KEY` and
//! `JUSTCALL_API_SECRET`; everything else keeps its default unless the caller changes it.
//! [`JustCallConfig::validate`] runs again in [`JustCallClient::new`](super::JustCallClient::new),
//! so a hand-built configuration is checked too. `Debug` shows the credentials as `***`.

use std::time::Duration;

use super::error::JustCallError;
use crate::backoff::BackoffConfig;
use crate::secret::Secret;

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://api.justcall.io";
/// The API's largest page for calls, texts and users.
pub const MAX_PER_PAGE: u32 = 100;

/// How to reach JustCall and how hard to try.
#[derive(Debug, Clone)]
pub struct JustCallConfig {
    /// Scheme, host and optional path prefix of the API, without `/v2.1`
    /// (default `https://api.justcall.io`; env `JUSTCALL_BASE_URL`). A simulator, proxy or test
    /// server can stand in; must be an http or https URL.
    pub base_url: String,
    /// The API key (env `JUSTCALL_API_KEY`), sent as the first half of `Authorization: key:secret`.
    pub api_key: Secret,
    /// The API secret (env `JUSTCALL_API_SECRET`), the second half of the `Authorization` header.
    pub api_secret: Secret,
    /// Records per page, 1..=100 (default 100, the API's maximum: fewest requests).
    pub per_page: u32,
    /// Limit for one attempt, from connecting to the end of the body (default 30 s).
    pub request_timeout: Duration,
    /// Attempts per request before giving up, the first included (default 8; at least 1).
    pub max_attempts: u32,
    /// Spacing of retries after 5xx, 408, timeouts and connection failures (429s wait for the
    /// rate-limit reset instead).
    pub backoff: BackoffConfig,
    /// Pace requests from the `X-Rate-Limit-*` headers so the limits are never hit (default true).
    /// Off, the client still honours 429s, it just meets more of them.
    pub pace: bool,
    /// Largest answer body read, in bytes (default 64 MiB; a page of 100 records is well under
    /// 1 MiB): a larger one is an error, never buffered whole.
    pub max_body_bytes: usize,
}

impl Default for JustCallConfig {
    fn default() -> Self {
        JustCallConfig {
            base_url: DEFAULT_BASE_URL.to_string(),
            api_key: Secret::default(),
            api_secret: Secret::default(),
            per_page: MAX_PER_PAGE,
            request_timeout: Duration::from_secs(30),
            max_attempts: 8,
            backoff: BackoffConfig::default(),
            pace: true,
            max_body_bytes: 64 << 20,
        }
    }
}

impl JustCallConfig {
    /// The defaults plus `JUSTCALL_BASE_URL` (optional), `JUSTCALL_API_KEY` and
    /// `JUSTCALL_API_SECRET` (required), validated. Values are trimmed (a trailing newline from
    /// `$(cat file)` is a common accident).
    pub fn from_env() -> Result<JustCallConfig, JustCallError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) reading variables through `var` (for tests and other sources).
    pub fn from_vars(
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<JustCallConfig, JustCallError> {
        let get = |name: &str| {
            var(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let mut config = JustCallConfig::default();
        if let Some(url) = get("JUSTCALL_BASE_URL") {
            config.base_url = url;
        }
        let missing = |name: &str, what: &str| {
            JustCallError::Config(format!(
                "{name} is not set: export {name}=<your JustCall API {what}> (JUSTCALL_API_KEY and \
                 JUSTCALL_API_SECRET are both required; JUSTCALL_BASE_URL is optional)"
            ))
        };
        config.api_key =
            Secret::new(get("JUSTCALL_API_KEY").ok_or_else(|| missing("JUSTCALL_API_KEY", "key"))?);
        config.api_secret = Secret::new(
            get("JUSTCALL_API_SECRET").ok_or_else(|| missing("JUSTCALL_API_SECRET", "secret"))?,
        );
        config.validate()?;
        Ok(config)
    }

    /// Checks every field; the error says which one is wrong and what is allowed.
    pub fn validate(&self) -> Result<(), JustCallError> {
        self.parsed_base_url()?;
        if self.api_key.is_empty() {
            return Err(JustCallError::Config(
                "the API key is empty: set JUSTCALL_API_KEY to your JustCall API key".into(),
            ));
        }
        if self.api_secret.is_empty() {
            return Err(JustCallError::Config(
                "the API secret is empty: set JUSTCALL_API_SECRET to your JustCall API secret"
                    .into(),
            ));
        }
        if !(1..=MAX_PER_PAGE).contains(&self.per_page) {
            return Err(JustCallError::Config(format!(
                "per_page is {}; JustCall allows 1 to {MAX_PER_PAGE}",
                self.per_page
            )));
        }
        if self.max_attempts == 0 {
            return Err(JustCallError::Config(
                "max_attempts is 0; it must be at least 1".into(),
            ));
        }
        if self.request_timeout.is_zero() {
            return Err(JustCallError::Config(
                "request_timeout is 0; it must be positive".into(),
            ));
        }
        Ok(())
    }

    /// The base URL, parsed and checked to be http(s) with a host.
    pub(crate) fn parsed_base_url(&self) -> Result<reqwest::Url, JustCallError> {
        let bad = |why: String| {
            JustCallError::Config(format!(
                "JUSTCALL_BASE_URL {:?} {why}: use an http(s) URL such as {DEFAULT_BASE_URL}",
                self.base_url
            ))
        };
        let url = reqwest::Url::parse(self.base_url.trim())
            .map_err(|e| bad(format!("is not a URL ({e})")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad(format!("has scheme {:?}", url.scheme())));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("has no host".into()));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("has a query or fragment".into()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad(
                "carries user info; credentials go in JUSTCALL_API_KEY and JUSTCALL_API_SECRET"
                    .into(),
            ));
        }
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn reads_the_environment() {
        let c = JustCallConfig::from_vars(vars(&[
            ("JUSTCALL_API_KEY", "k-123\n"),
            ("JUSTCALL_API_SECRET", " s-456 "),
            ("JUSTCALL_BASE_URL", "http://127.0.0.1:8080"),
        ]))
        .unwrap();
        assert_eq!(
            (c.api_key.expose(), c.api_secret.expose()),
            ("k-123", "s-456")
        );
        assert_eq!(c.base_url, "http://127.0.0.1:8080");
        assert_eq!((c.per_page, c.max_attempts, c.pace), (100, 8, true));
        assert_eq!(c.request_timeout, Duration::from_secs(30));

        let c = JustCallConfig::from_vars(vars(&[
            ("JUSTCALL_API_KEY", "k"),
            ("JUSTCALL_API_SECRET", "s"),
        ]))
        .unwrap();
        assert_eq!(c.base_url, "https://api.justcall.io");
    }

    #[test]
    fn names_the_missing_variable() {
        let e = JustCallConfig::from_vars(vars(&[("JUSTCALL_API_SECRET", "s")]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("JUSTCALL_API_KEY is not set: export JUSTCALL_API_KEY="),
            "{e}"
        );
        let e = JustCallConfig::from_vars(vars(&[
            ("JUSTCALL_API_KEY", "k"),
            ("JUSTCALL_API_SECRET", "  "),
        ]))
        .unwrap_err()
        .to_string();
        assert!(e.contains("JUSTCALL_API_SECRET is not set"), "{e}");
    }

    #[test]
    fn rejects_bad_base_urls_and_fields() {
        let ok = || JustCallConfig {
            api_key: Secret::new("k"),
            api_secret: Secret::new("s"),
            ..JustCallConfig::default()
        };
        for url in [
            "api.justcall.io",
            "ftp://api.justcall.io",
            "http://",
            "https://u:p@h.io",
            "not a url",
        ] {
            let e = JustCallConfig {
                base_url: url.into(),
                ..ok()
            }
            .validate()
            .unwrap_err()
            .to_string();
            assert!(e.contains("JUSTCALL_BASE_URL"), "{url}: {e}");
        }
        assert!(JustCallConfig {
            base_url: "http://localhost:1/prefix".into(),
            ..ok()
        }
        .validate()
        .is_ok());
        assert!(JustCallConfig {
            per_page: 0,
            ..ok()
        }
        .validate()
        .is_err());
        assert!(JustCallConfig {
            per_page: 101,
            ..ok()
        }
        .validate()
        .is_err());
        assert!(JustCallConfig {
            max_attempts: 0,
            ..ok()
        }
        .validate()
        .is_err());
        assert!(JustCallConfig {
            api_key: Secret::default(),
            ..ok()
        }
        .validate()
        .is_err());
    }

    #[test]
    fn debug_hides_the_credentials() {
        let c = JustCallConfig {
            api_key: Secret::new("key-abc-123"),
            api_secret: Secret::new("secret-xyz-789"),
            ..JustCallConfig::default()
        };
        let text = format!("{c:?}");
        assert!(
            !text.contains("key-abc-123") && !text.contains("secret-xyz-789"),
            "{text}"
        );
    }
}
