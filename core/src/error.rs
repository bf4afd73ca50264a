use std::time::Duration;

/// Errors of the AWS layer. `NotFound` is typed so callers (a resource's read) can turn it into
/// "gone from state" instead of failing.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{what} was not found")]
    NotFound { what: String },
    #[error("{op}: {code}: {message}")]
    Api {
        op: &'static str,
        code: String,
        message: String,
    },
    #[error("{op}: could not reach AWS: {message}")]
    Transport { op: &'static str, message: String },
    #[error("timed out after {}s waiting for {what}", .after.as_secs())]
    Timeout { what: String, after: Duration },
    #[error("cancelled (Terraform asked the provider to stop)")]
    Cancelled,
    #[error("registrar operation {kind} ({id}) ended {status}: {message}")]
    OperationFailed {
        id: String,
        kind: String,
        status: String,
        message: String,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("AWS configuration: {0}")]
    Config(String),
}

impl Error {
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }
    /// The AWS error code, when AWS answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api { code, .. } => Some(code),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
