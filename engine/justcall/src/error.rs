//! What can go wrong talking to JustCall, said so that the reader knows what to do next.
//!
//! Every variant that concerns a request names it as method + path + query
//! (`GET /v2.1/calls?page=0&per_page=100`): never headers, so never the credentials. Texts taken
//! from response bodies are truncated and scrubbed of the key and secret before they get here.

/// An error of the JustCall client.
#[derive(Debug, thiserror::Error)]
pub enum JustCallError {
    /// HTTP 401 or 403: the key/secret pair was refused.
    #[error(
        "JustCall rejected the credentials (HTTP {status}) for {request}: check JUSTCALL_API_KEY and \
         JUSTCALL_API_SECRET"
    )]
    Unauthorized { status: u16, request: String },

    /// A request JustCall refuses and that would fail the same way again (HTTP 400, 422, other
    /// 4xx, or `"status": "error"` in a 200 answer); `message` is the API's own, truncated.
    #[error("JustCall refused {request} (HTTP {status}): {message}")]
    BadRequest {
        status: u16,
        request: String,
        message: String,
    },

    /// HTTP 404, or a one-record answer without the record.
    #[error("JustCall has no such resource: {request} (HTTP 404)")]
    NotFound { request: String },

    /// Every attempt failed with something retriable, or a transport failure not worth retrying;
    /// `last` is the last failure (status and body excerpt, or the transport error chain).
    #[error("gave up on {request} after {attempts} attempt{}: {last}", plural(*.attempts))]
    GaveUp {
        request: String,
        attempts: u32,
        last: String,
    },

    /// A complete answer that is not the JSON envelope expected (not retried).
    #[error("could not read JustCall's answer to {request}: {reason}")]
    Decode { request: String, reason: String },

    /// The client's configuration, or a request it refuses to send (e.g. a window over 90 days).
    #[error("JustCall client configuration: {0}")]
    Config(String),
}

fn plural(n: u32) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

impl JustCallError {
    /// The request the error concerns, if any.
    pub fn request(&self) -> Option<&str> {
        match self {
            JustCallError::Unauthorized { request, .. }
            | JustCallError::BadRequest { request, .. }
            | JustCallError::NotFound { request }
            | JustCallError::GaveUp { request, .. }
            | JustCallError::Decode { request, .. } => Some(request),
            JustCallError::Config(_) => None,
        }
    }
}

/// An error and its chain of sources, joined by ": " (reqwest's own Display omits the causes,
/// such as "connection refused"). Repeated texts are skipped.
pub(crate) fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !text.is_empty() && !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = e.source();
    }
    out
}

/// At most `max` characters of `text` (on a char boundary), with "…" when cut, whitespace
/// collapsed so a multi-line HTML error page stays on one line.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_request_and_what_to_do() {
        let e = JustCallError::Unauthorized {
            status: 401,
            request: "GET /v2.1/calls?page=0&per_page=100".into(),
        };
        assert_eq!(
            e.to_string(),
            "JustCall rejected the credentials (HTTP 401) for GET /v2.1/calls?page=0&per_page=100: check \
             JUSTCALL_API_KEY and JUSTCALL_API_SECRET"
        );
        let e = JustCallError::GaveUp {
            request: "GET /v2.1/users?page=0".into(),
            attempts: 8,
            last: "HTTP 503".into(),
        };
        assert_eq!(
            e.to_string(),
            "gave up on GET /v2.1/users?page=0 after 8 attempts: HTTP 503"
        );
        let e = JustCallError::GaveUp {
            request: "GET /x".into(),
            attempts: 1,
            last: "tls".into(),
        };
        assert_eq!(e.to_string(), "gave up on GET /x after 1 attempt: tls");
        assert_eq!(e.request(), Some("GET /x"));
    }

    #[test]
    fn truncate_cuts_on_char_boundaries_and_flattens() {
        assert_eq!(truncate("héllo\n  wörld", 100), "héllo wörld");
        assert_eq!(truncate("ééééé", 3), "ééé…");
        assert_eq!(truncate("", 3), "");
    }

    #[test]
    fn chain_joins_sources() {
        let inner =
            std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        #[derive(Debug, thiserror::Error)]
        #[error("error sending request")]
        struct Outer(#[source] std::io::Error);
        assert_eq!(
            chain(&Outer(inner)),
            "error sending request: connection refused"
        );
    }
}
