//! The deadline and cancellation every AWS call runs under, and the one way a call is sent:
//! retried by the client's policy within both.

use std::future::Future;
use std::time::{Duration, Instant};

use aws_sdk_route53::error::{ProvideErrorMetadata, SdkError};
use tokio_util::sync::CancellationToken;

use crate::retry::{retry, Outcome, RetryPolicy};

/// The deadline and cancellation every call runs under.
#[derive(Debug, Clone)]
pub struct Call {
    pub deadline: Instant,
    pub cancel: CancellationToken,
}

impl Call {
    pub fn new(timeout: Duration, cancel: CancellationToken) -> Self {
        Call {
            deadline: crate::deadline_after(timeout),
            cancel,
        }
    }
    /// A call Terraform's Stop does not cut short, for the bookkeeping a stopped write still owes
    /// (recording that a zone is claimed) before it answers.
    pub fn uncancellable(timeout: Duration) -> Self {
        Call::new(timeout, CancellationToken::new())
    }
    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// Sends `f` (one SDK request, `op` for errors and logs) until it succeeds, fails for good,
    /// `policy`'s retries run out, this call's deadline passes or it is cancelled.
    pub async fn send<T, E, R, F, Fut>(
        &self,
        op: &'static str,
        policy: &RetryPolicy,
        f: F,
    ) -> Outcome<T>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, R>>>,
    {
        retry(op, policy, self.deadline, &self.cancel, f).await
    }
}
