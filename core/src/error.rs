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
    /// Route 53 accepted the write (`change`), then waiting for it to be INSYNC failed (Stop, timeout):
    /// the change is in the zone, so the caller must keep what it wrote.
    #[error("Route 53 accepted the change ({change}), but it was not confirmed in sync: {cause}")]
    Unconfirmed { change: String, cause: Box<Error> },
    #[error("{0}")]
    Invalid(String),
    #[error("AWS configuration: {0}")]
    Config(String),
}

impl Error {
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }
    /// Whether a failed write may nevertheless be in Route 53: it was accepted (`Unconfirmed`), or
    /// the request may have been sent when it was cut short (Stop, deadline, a transport failure, a
    /// 5xx). False only when Route 53 refused the request itself, or nothing was sent.
    pub fn may_have_landed(&self) -> bool {
        match self {
            Error::Unconfirmed { .. }
            | Error::Cancelled
            | Error::Timeout { .. }
            | Error::Transport { .. } => true,
            Error::Api { code, .. } => matches!(
                code.as_str(),
                "InternalFailure" | "InternalError" | "ServiceUnavailable" | "Unknown"
            ),
            _ => false,
        }
    }
    /// Whether the error is Terraform's Stop, possibly after the write was accepted.
    pub fn is_cancelled(&self) -> bool {
        match self {
            Error::Cancelled => true,
            Error::Unconfirmed { cause, .. } => cause.is_cancelled(),
            _ => false,
        }
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
