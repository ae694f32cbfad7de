//! Retry policy only: which failures of a Firestore request, or of one write inside a
//! `batchWrite`, are worth another attempt. How long to wait is `crate::backoff`.

use reqwest::StatusCode;

/// gRPC codes in a write's `status.code` that a later attempt may cure: DEADLINE_EXCEEDED (4),
/// RESOURCE_EXHAUSTED (8), ABORTED (10), INTERNAL (13), UNAVAILABLE (14).
pub fn write_code_is_retriable(code: i64) -> bool {
    matches!(code, 4 | 8 | 10 | 13 | 14)
}

/// HTTP statuses of a whole request that a later attempt may cure.
pub fn status_is_retriable(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// Transport errors (timeouts, refused or dropped connections) are retried; a request that could
/// not be built is not.
pub fn transport_is_retriable(error: &reqwest::Error) -> bool {
    !error.is_builder() && !error.is_redirect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert!(write_code_is_retriable(10) && write_code_is_retriable(14));
        assert!(
            !write_code_is_retriable(3)
                && !write_code_is_retriable(7)
                && !write_code_is_retriable(0)
        );
        assert!(status_is_retriable(StatusCode::TOO_MANY_REQUESTS));
        assert!(status_is_retriable(StatusCode::SERVICE_UNAVAILABLE));
        assert!(
            !status_is_retriable(StatusCode::FORBIDDEN)
                && !status_is_retriable(StatusCode::BAD_REQUEST)
        );
    }
}
