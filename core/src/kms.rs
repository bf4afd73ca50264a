//! KMS, read-only, for one job: checking a key against Route 53's DNSSEC rules
//! (`r53_zone::ksk`) before Route 53 is asked to make a key-signing key of it, so a wrong key is
//! refused with the rule it breaks and, for a key policy, the statement to add — instead of
//! Route 53's bare `InvalidKMSArn`.

use aws_sdk_kms as kms;
use r53_zone::ksk::{self, KeyFacts, KskError};

use crate::call::Call;
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;

/// KMS in us-east-1, the only region Route 53 takes keys from.
#[derive(Clone, Debug)]
pub struct Kms {
    client: kms::Client,
    policy: RetryPolicy,
}

/// A key Route 53's rules allow; `warnings` name what could not be checked (conditions in the
/// key policy, or a read the caller's credentials may not make).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyCheck {
    pub warnings: Vec<String>,
}

/// Whether a KMS error is the caller lacking permission (the check is then skipped, not failed:
/// Route 53's own permission is what counts).
fn denied(e: &Error) -> bool {
    matches!(e.code(), Some("AccessDeniedException" | "AccessDenied"))
}

impl Kms {
    pub fn new(client: kms::Client, policy: RetryPolicy) -> Self {
        Kms { client, policy }
    }

    /// Checks key `arn` against Route 53's DNSSEC rules: a key ARN in us-east-1, ECC_NIST_P256,
    /// SIGN_VERIFY, Enabled, with a key policy allowing DescribeKey, GetPublicKey and Sign to
    /// `dnssec-route53.amazonaws.com`. A broken rule is [`Error::Invalid`] with its sentence.
    pub async fn check_dnssec_key(&self, call: &Call, arn: &str) -> Result<KeyCheck> {
        let invalid = |e: KskError| Error::Invalid(e.to_string());
        let parsed = ksk::check_region(arn).map_err(invalid)?;
        let mut warnings = Vec::new();
        let described = call
            .send("DescribeKey", &self.policy, || {
                self.client.describe_key().key_id(arn).send()
            })
            .await
            .result;
        match described {
            Ok(o) => {
                let m = o.key_metadata();
                let facts = KeyFacts {
                    key_spec: m
                        .and_then(|m| m.key_spec())
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                    key_usage: m
                        .and_then(|m| m.key_usage())
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                    key_state: m
                        .and_then(|m| m.key_state())
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                };
                ksk::check_key(arn, &facts).map_err(invalid)?;
            }
            Err(e) if e.code() == Some("NotFoundException") => {
                return Err(Error::Invalid(format!(
                    "the KMS key {arn} does not exist in {} (or was deleted); Route 53 needs a key in {}",
                    parsed.region,
                    ksk::KMS_REGION
                )))
            }
            Err(e) if denied(&e) => {
                warnings.push(format!("could not read the KMS key {arn} to check its key spec, usage and state ({e}); Route 53 will check them"));
            }
            Err(e) => return Err(e),
        }
        let policy = call
            .send("GetKeyPolicy", &self.policy, || {
                self.client
                    .get_key_policy()
                    .key_id(arn)
                    .policy_name("default")
                    .send()
            })
            .await
            .result;
        match policy {
            Ok(o) => {
                let text = o.policy().unwrap_or_default();
                let c = ksk::check_policy(arn, &parsed.account, text).map_err(invalid)?;
                warnings.extend(c.warnings);
            }
            Err(e) if denied(&e) => {
                warnings.push(format!("could not read the key policy of {arn} ({e}); Route 53 will check that it allows {}", ksk::DNSSEC_PRINCIPAL));
            }
            Err(e) => return Err(e),
        }
        Ok(KeyCheck { warnings })
    }
}
