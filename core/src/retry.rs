//! Retries with jittered exponential backoff, done here rather than in the SDK so that every call
//! honours the resource's deadline and Terraform's Stop, and so callers learn when an attempt
//! failed *ambiguously* (the request may have been applied: a reset connection, a 5xx), which
//! non-idempotent writes must then reconcile instead of blindly failing.

use std::future::Future;
use std::time::{Duration, Instant};

use aws_sdk_route53::error::{ProvideErrorMetadata, SdkError};
use tokio_util::sync::CancellationToken;

use crate::error::Error;

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base: Duration,
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 25,
            base: Duration::from_millis(200),
            cap: Duration::from_secs(20),
        }
    }
}

/// How an attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Rejected before doing anything (throttling, PriorRequestNotComplete): safe to retry.
    RetrySafe,
    /// May or may not have been applied (reset, timeout, 5xx): retry, but remember.
    RetryAmbiguous,
    Fatal,
}

const RETRY_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "PriorRequestNotComplete",
    "RequestLimitExceeded",
    "TooManyRequestsException",
];

pub(crate) fn classify<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> Class {
    match e {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => Class::RetryAmbiguous,
        SdkError::ResponseError(_) => Class::RetryAmbiguous,
        SdkError::ServiceError(se) => {
            let code = se.err().code().unwrap_or_default();
            if RETRY_CODES.contains(&code) {
                Class::RetrySafe
            } else if code.is_empty()
                || code == "InternalFailure"
                || code == "ServiceUnavailable"
                || code == "InternalError"
            {
                Class::RetryAmbiguous
            } else {
                Class::Fatal
            }
        }
        _ => Class::Fatal,
    }
}

fn to_error<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
    op: &'static str,
    e: SdkError<E, R>,
) -> Error {
    match &e {
        SdkError::ServiceError(se) => Error::Api {
            op,
            code: se.err().code().unwrap_or("Unknown").to_string(),
            message: se.err().message().unwrap_or("(no message)").to_string(),
        },
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => Error::Transport {
            op,
            message: error_chain(&e),
        },
        _ => Error::Api {
            op,
            code: "Unknown".into(),
            message: error_chain(&e),
        },
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// The outcome of a retried call: the result, and whether any earlier attempt failed ambiguously.
#[derive(Debug)]
pub struct Outcome<T> {
    pub result: Result<T, Error>,
    pub ambiguous: bool,
}

/// Full-jitter backoff: a random delay up to min(cap, base * 2^attempt).
pub fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let exp = policy.base.saturating_mul(1u32 << attempt.min(16));
    let top = exp.min(policy.cap);
    let ms = rand::random_range(0..=top.as_millis().max(1) as u64);
    Duration::from_millis(ms.max(policy.base.as_millis() as u64 / 4))
}

/// Calls `f` until it succeeds, fails fatally, the retries run out, the deadline passes or `cancel`
/// fires.
pub async fn retry<T, E, R, F, Fut>(
    op: &'static str,
    policy: &RetryPolicy,
    deadline: Instant,
    cancel: &CancellationToken,
    mut f: F,
) -> Outcome<T>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, R>>>,
{
    let mut ambiguous = false;
    let mut attempt = 0u32;
    loop {
        if cancel.is_cancelled() {
            return Outcome {
                result: Err(Error::Cancelled),
                ambiguous,
            };
        }
        let res = tokio::select! {
            r = f() => r,
            _ = cancel.cancelled() => return Outcome { result: Err(Error::Cancelled), ambiguous: true },
        };
        match res {
            Ok(v) => {
                return Outcome {
                    result: Ok(v),
                    ambiguous,
                }
            }
            Err(e) => {
                let class = classify(&e);
                if class == Class::Fatal || attempt >= policy.max_retries {
                    return Outcome {
                        result: Err(to_error(op, e)),
                        ambiguous,
                    };
                }
                ambiguous |= class == Class::RetryAmbiguous;
                let wait = backoff(policy, attempt);
                if wait > deadline.saturating_duration_since(Instant::now()) {
                    return Outcome {
                        result: Err(to_error(op, e)),
                        ambiguous,
                    };
                }
                tracing::debug!(
                    op,
                    attempt,
                    ?class,
                    wait_ms = wait.as_millis() as u64,
                    "retrying: {}",
                    to_error(op, e)
                );
                attempt += 1;
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = cancel.cancelled() => return Outcome { result: Err(Error::Cancelled), ambiguous },
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded_and_jittered() {
        let p = RetryPolicy {
            max_retries: 5,
            base: Duration::from_millis(100),
            cap: Duration::from_secs(2),
        };
        for attempt in 0..20 {
            let d = backoff(&p, attempt);
            assert!(d <= Duration::from_secs(2), "{d:?}");
            assert!(d >= Duration::from_millis(25));
        }
        let samples: std::collections::HashSet<_> = (0..50).map(|_| backoff(&p, 5)).collect();
        assert!(samples.len() > 5, "no jitter: {samples:?}");
    }
}
