//! Errors of the Firestore sink, each saying what the user can do about it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum FirestoreError {
    #[error(
        "no Firestore project: pass --project, set FIRESTORE_PROJECT_ID or GOOGLE_CLOUD_PROJECT, \
         or use a service-account key (GOOGLE_APPLICATION_CREDENTIALS) that names its project_id"
    )]
    MissingProject,
    #[error(
        "no Google credentials found ({0}): set FIRESTORE_EMULATOR_HOST for the emulator, \
         GOOGLE_APPLICATION_CREDENTIALS to a service-account key file, run `gcloud auth \
         application-default login`, or run on Google Cloud with a service account"
    )]
    MissingCredentials(String),
    #[error("cannot use the service-account key {path}: {detail} (check GOOGLE_APPLICATION_CREDENTIALS)")]
    BadKey { path: PathBuf, detail: String },
    #[error(
        "getting an OAuth2 token for Firestore failed: {0} (check the service account and its key)"
    )]
    Token(String),
    #[error(
        "Firestore refused {request} with HTTP {status}: {message} (check that the service account \
         has the Cloud Datastore User role on project {project})"
    )]
    PermissionDenied {
        request: String,
        status: u16,
        message: String,
        project: String,
    },
    #[error(
        "Firestore project {project} or its database was not found ({request}): check --project"
    )]
    NotFound { request: String, project: String },
    #[error("gave up on {request} after {attempts} attempts: {last}")]
    GaveUp {
        request: String,
        attempts: u32,
        last: String,
    },
    #[error("{request} failed: HTTP {status}: {message}")]
    Http {
        request: String,
        status: u16,
        message: String,
    },
    #[error("unexpected answer to {request}: {detail}")]
    Protocol { request: String, detail: String },
}
