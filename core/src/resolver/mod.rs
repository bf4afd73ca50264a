//! Route 53 Resolver (regional): inbound and outbound endpoints, forwarding rules and their VPC
//! associations. find → status → wait as terraform-provider-aws does it: a create or change is
//! followed until the object's status settles (endpoint CREATING/UPDATING → OPERATIONAL, rule
//! UPDATING → COMPLETE, association CREATING → COMPLETE), a delete until the object is gone, each
//! within the call's deadline. SDK types stay in this module tree; callers see the structs below.

use std::future::Future;
use std::time::Duration;

use aws_sdk_route53resolver as rr;

use crate::call::Call;
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;

mod endpoint;
mod rule;

pub use endpoint::{EndpointIp, NewEndpoint, ResolverEndpoint};
pub use rule::{NewRule, ResolverRule, RuleAssociation, RuleUpdate, TargetIp};

/// Fewest IP addresses an endpoint has (the API refuses fewer, for availability).
pub const MIN_ENDPOINT_IPS: usize = 2;
/// Most IP addresses one endpoint may be created with (the API's limit on `IpAddresses`).
pub const MAX_ENDPOINT_IPS: usize = 20;
/// Most security groups on an endpoint.
pub const MAX_SECURITY_GROUPS: usize = 10;
/// Most target addresses of a forwarding rule this client sends.
pub const MAX_TARGET_IPS: usize = 64;
/// Most pages a listing follows: a server that never stops paging ends in an error, not a loop.
pub const MAX_PAGES: usize = 1_000;

/// The Route 53 Resolver client of one region.
#[derive(Clone, Debug)]
pub struct Resolver {
    client: rr::Client,
    policy: RetryPolicy,
    /// The longest pause between status polls.
    pub poll: Duration,
}

/// One look at an object being waited for.
#[derive(Debug)]
pub(crate) enum Step<T> {
    /// Settled: the wait is over.
    Done(T),
    /// Still changing; the status seen.
    Pending(String),
    /// Settled in a failed status: (status, message).
    Failed(String, String),
}

/// Polls `look` (200 ms, doubling to `max_pause`) until it is done or failed, the call's deadline
/// passes (`Error::Timeout` naming `what` and the last status) or the call is cancelled.
pub(crate) async fn wait_until<T, F, Fut>(
    call: &Call,
    what: &str,
    max_pause: Duration,
    mut look: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Step<T>>>,
{
    // tokio's clock (paused in tests); the call's deadline as the time left now.
    let started = tokio::time::Instant::now();
    let budget = call.remaining();
    let mut pause = Duration::from_millis(200).min(max_pause);
    loop {
        let status = match look().await? {
            Step::Done(t) => return Ok(t),
            Step::Failed(status, message) => {
                return Err(Error::Invalid(format!("{what} ended {status}: {message}")))
            }
            Step::Pending(s) => s,
        };
        if started.elapsed() + pause > budget {
            return Err(Error::Timeout {
                what: format!("{what} (still {status})"),
                after: started.elapsed(),
            });
        }
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = call.cancel.cancelled() => return Err(Error::Cancelled),
        }
        pause = (pause * 2).min(max_pause);
    }
}

/// A new, unique CreatorRequestId (the API's idempotency token: a retry reuses it).
pub fn new_creator_request_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!("r53-tf1-{nanos:x}-{:08x}", rand::random::<u32>())
}

/// The API's "does not exist" for any Resolver object.
fn is_not_found(e: &Error) -> bool {
    e.code() == Some("ResourceNotFoundException")
}

fn filter(name: &str, value: &str) -> rr::types::Filter {
    rr::types::Filter::builder()
        .name(name)
        .values(value)
        .build()
}

impl Resolver {
    pub fn new(client: rr::Client, policy: RetryPolicy) -> Self {
        Resolver {
            client,
            policy,
            poll: Duration::from_secs(10),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio_util::sync::CancellationToken;

    #[tokio::test(start_paused = true)]
    async fn a_wait_follows_the_status_until_it_settles() {
        let looks = AtomicUsize::new(0);
        let call = Call::new(Duration::from_secs(60), CancellationToken::new());
        let got = wait_until(&call, "endpoint e", Duration::from_secs(10), || {
            let n = looks.fetch_add(1, Ordering::SeqCst);
            async move {
                Ok(if n < 3 {
                    Step::Pending("CREATING".into())
                } else {
                    Step::Done(n)
                })
            }
        })
        .await
        .unwrap();
        assert_eq!(got, 3);
        assert_eq!(looks.load(Ordering::SeqCst), 4);
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_ends_at_the_deadline_naming_the_last_status() {
        let call = Call::new(Duration::from_secs(30), CancellationToken::new());
        let e = wait_until::<(), _, _>(&call, "endpoint e", Duration::from_secs(10), || async {
            Ok(Step::Pending("CREATING".into()))
        })
        .await
        .unwrap_err();
        assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
        assert!(e.to_string().contains("endpoint e (still CREATING)"), "{e}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_status_and_a_stop_end_the_wait() {
        let call = Call::new(Duration::from_secs(30), CancellationToken::new());
        let e = wait_until::<(), _, _>(&call, "association a", Duration::from_secs(10), || async {
            Ok(Step::Failed("FAILED".into(), "no route".into()))
        })
        .await
        .unwrap_err();
        assert_eq!(e.to_string(), "association a ended FAILED: no route");

        let cancel = CancellationToken::new();
        let call = Call::new(Duration::from_secs(30), cancel.clone());
        cancel.cancel();
        let e = wait_until::<(), _, _>(&call, "endpoint e", Duration::from_secs(10), || async {
            Ok(Step::Pending("DELETING".into()))
        })
        .await
        .unwrap_err();
        assert!(e.is_cancelled(), "{e:?}");
    }

    #[test]
    fn creator_request_ids_are_unique_and_short() {
        let a = new_creator_request_id();
        let b = new_creator_request_id();
        assert_ne!(a, b);
        assert!(a.starts_with("r53-tf1-") && a.len() <= 255, "{a}");
    }
}
