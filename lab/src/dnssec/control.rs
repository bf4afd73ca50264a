//! The lab's controls for DNSSEC tests and the demo: KMS keys made in moto the way a user would
//! make them for Route 53 (or not quite), and keys that stop being usable.

use r53_zone::ksk;

use crate::Lab;

/// moto's default account, the one the lab's default access key (`testing`) acts as.
const ACCOUNT: &str = "123456789012";
const KEY: &str = "testing";

/// The key policy a lab KMS key gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KmsPolicy {
    /// The account's own `kms:*` plus AWS's statements for Route 53 DNSSEC.
    AllowsRoute53,
    /// Only the account's own `kms:*`: Route 53 may not use the key.
    WithoutRoute53,
}

impl KmsPolicy {
    /// The policy document (JSON).
    pub fn document(self) -> String {
        let root = format!(
            r#"{{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"kms:*","Resource":"*"}}"#
        );
        let statements = match self {
            KmsPolicy::AllowsRoute53 => format!("{root},{}", ksk::policy_statement(ACCOUNT)),
            KmsPolicy::WithoutRoute53 => root,
        };
        format!(r#"{{"Version":"2012-10-17","Id":"r53-lab-dnssec","Statement":[{statements}]}}"#)
    }
}

impl Lab {
    /// Runs a future on the lab's runtime from a synchronous caller.
    fn kms_block<T>(&self, f: impl std::future::Future<Output = T>) -> T {
        self.rt.block_on(f)
    }

    /// Creates an ECC_NIST_P256 SIGN_VERIFY key in us-east-1 (moto's KMS, default account) with
    /// `policy`; its ARN.
    pub fn create_dnssec_kms_key(&self, policy: KmsPolicy) -> anyhow::Result<String> {
        self.create_kms_key(ksk::KMS_REGION, ksk::KEY_SPEC, ksk::KEY_USAGE, policy)
    }

    /// Creates any KMS key (e.g. one in another region, an RSA key, an encryption key) in moto's
    /// default account; its ARN.
    pub fn create_kms_key(
        &self,
        region: &str,
        key_spec: &str,
        key_usage: &str,
        policy: KmsPolicy,
    ) -> anyhow::Result<String> {
        let dnssec = self.proxy.dnssec();
        let doc = policy.document();
        Ok(self.kms_block(
            dnssec
                .kms
                .create_key(KEY, region, key_spec, key_usage, Some(&doc)),
        )?)
    }

    /// Enables or disables a KMS key (us-east-1, default account).
    pub fn set_kms_key_enabled(&self, arn: &str, enabled: bool) -> anyhow::Result<()> {
        let dnssec = self.proxy.dnssec();
        Ok(self.kms_block(dnssec.kms.set_enabled(KEY, ksk::KMS_REGION, arn, enabled))?)
    }

    /// Replaces a KMS key's policy (us-east-1, default account).
    pub fn set_kms_key_policy(&self, arn: &str, policy: KmsPolicy) -> anyhow::Result<()> {
        let dnssec = self.proxy.dnssec();
        let doc = policy.document();
        Ok(self.kms_block(dnssec.kms.put_policy(KEY, ksk::KMS_REGION, arn, &doc))?)
    }

    /// Schedules a KMS key's deletion (us-east-1, default account): it is PendingDeletion.
    pub fn schedule_kms_key_deletion(&self, arn: &str) -> anyhow::Result<()> {
        let dnssec = self.proxy.dnssec();
        Ok(self.kms_block(dnssec.kms.schedule_deletion(KEY, ksk::KMS_REGION, arn))?)
    }
}
