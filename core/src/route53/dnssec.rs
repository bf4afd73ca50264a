//! Route 53 DNSSEC signing of a hosted zone: key-signing keys (KSKs, backed by KMS keys) and the
//! zone's signing status. Every write waits until its change is INSYNC; a failed wait after Route
//! 53 accepted it is [`Error::Unconfirmed`]. Reads of a KSK or a zone that is gone are
//! [`Error::NotFound`].

use super::{strip_zone_id, ChangeId, Route53};
use crate::call::Call;
use crate::error::{Error, Result};

/// A key-signing key as Route 53 reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeySigningKeyInfo {
    pub name: String,
    pub kms_arn: String,
    pub flag: i32,
    pub signing_algorithm_mnemonic: String,
    pub signing_algorithm_type: i32,
    pub digest_algorithm_mnemonic: String,
    pub digest_algorithm_type: i32,
    pub key_tag: i32,
    pub digest_value: String,
    pub public_key: String,
    pub ds_record: String,
    pub dnskey_record: String,
    /// ACTIVE, INACTIVE, DELETING, ACTION_NEEDED or INTERNAL_FAILURE.
    pub status: String,
    pub status_message: Option<String>,
}

/// A zone's DNSSEC: its signing status and KSKs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DnssecInfo {
    /// SIGNING, NOT_SIGNING, DELETING, ACTION_NEEDED or INTERNAL_FAILURE.
    pub serve_signature: String,
    pub status_message: Option<String>,
    pub key_signing_keys: Vec<KeySigningKeyInfo>,
}

fn ksk_from_sdk(k: &aws_sdk_route53::types::KeySigningKey) -> KeySigningKeyInfo {
    let s = |v: Option<&str>| v.unwrap_or_default().to_string();
    KeySigningKeyInfo {
        name: s(k.name()),
        kms_arn: s(k.kms_arn()),
        flag: k.flag(),
        signing_algorithm_mnemonic: s(k.signing_algorithm_mnemonic()),
        signing_algorithm_type: k.signing_algorithm_type(),
        digest_algorithm_mnemonic: s(k.digest_algorithm_mnemonic()),
        digest_algorithm_type: k.digest_algorithm_type(),
        key_tag: k.key_tag(),
        digest_value: s(k.digest_value()),
        public_key: s(k.public_key()),
        ds_record: s(k.ds_record()),
        dnskey_record: s(k.dnskey_record()),
        status: s(k.status()),
        status_message: k.status_message().map(str::to_string),
    }
}

fn ksk_not_found(zone: &str, name: &str) -> Error {
    Error::NotFound {
        what: format!("key-signing key {name} of hosted zone {zone}"),
    }
}

/// A unique CallerReference for a KSK create (retries of one create reuse it).
pub fn new_ksk_caller_reference(zone: &str, name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    // 128 characters at most: zone IDs are ≤ 32, names ≤ 128, so the name is cut if need be.
    let r = format!(
        "r53-tf1:ksk:{nanos:x}-{:08x}:{zone}:{name}",
        rand::random::<u32>()
    );
    r.chars().take(128).collect()
}

impl Route53 {
    /// The zone's DNSSEC status and KSKs; a zone that is gone is [`Error::NotFound`].
    pub async fn get_dnssec(&self, call: &Call, zone_id: &str) -> Result<DnssecInfo> {
        let zone = strip_zone_id(zone_id);
        let out = call
            .send("GetDNSSEC", &self.policy, || {
                self.client.get_dnssec().hosted_zone_id(&zone).send()
            })
            .await;
        match out.result {
            Ok(o) => Ok(DnssecInfo {
                serve_signature: o
                    .status()
                    .and_then(|s| s.serve_signature())
                    .unwrap_or_default()
                    .to_string(),
                status_message: o
                    .status()
                    .and_then(|s| s.status_message())
                    .map(str::to_string),
                key_signing_keys: o.key_signing_keys().iter().map(ksk_from_sdk).collect(),
            }),
            Err(Error::Api { code, .. }) if code == "NoSuchHostedZone" => Err(Error::NotFound {
                what: format!("hosted zone {zone}"),
            }),
            Err(e) => Err(e),
        }
    }

    /// One KSK of the zone, or [`Error::NotFound`] (the KSK or the zone is gone).
    pub async fn find_key_signing_key(
        &self,
        call: &Call,
        zone_id: &str,
        name: &str,
    ) -> Result<KeySigningKeyInfo> {
        let zone = strip_zone_id(zone_id);
        self.get_dnssec(call, &zone)
            .await
            .map_err(|e| match e {
                Error::NotFound { .. } => ksk_not_found(&zone, name),
                e => e,
            })?
            .key_signing_keys
            .into_iter()
            .find(|k| k.name == name)
            .ok_or_else(|| ksk_not_found(&zone, name))
    }

    /// Creates a KSK (ACTIVE or not) and waits until it is INSYNC. A retry of a create that went
    /// through finds the KSK it made (same name and key).
    pub async fn create_key_signing_key(
        &self,
        call: &Call,
        zone_id: &str,
        name: &str,
        kms_arn: &str,
        active: bool,
    ) -> Result<KeySigningKeyInfo> {
        let zone = strip_zone_id(zone_id);
        let reference = new_ksk_caller_reference(&zone, name);
        let status = if active { "ACTIVE" } else { "INACTIVE" };
        let out = call
            .send("CreateKeySigningKey", &self.policy, || {
                self.client
                    .create_key_signing_key()
                    .caller_reference(&reference)
                    .hosted_zone_id(&zone)
                    .name(name)
                    .key_management_service_arn(kms_arn)
                    .status(status)
                    .send()
            })
            .await;
        match out.result {
            Ok(o) => {
                let id = o.change_info().map(|c| ChangeId::of(c.id()));
                confirm(self, call, id).await?;
                o.key_signing_key()
                    .map(ksk_from_sdk)
                    .ok_or_else(|| Error::Invalid("CreateKeySigningKey returned no KSK".into()))
            }
            Err(Error::Api { code, .. })
                if code == "KeySigningKeyAlreadyExists" && out.ambiguous =>
            {
                let k = self.find_key_signing_key(call, &zone, name).await?;
                if k.kms_arn != kms_arn {
                    return Err(Error::Invalid(format!(
                        "hosted zone {zone} already has a key-signing key {name} on another KMS key ({})",
                        k.kms_arn
                    )));
                }
                Ok(k)
            }
            Err(e) => Err(e),
        }
    }

    /// Activates the KSK and waits until INSYNC.
    pub async fn activate_key_signing_key(
        &self,
        call: &Call,
        zone_id: &str,
        name: &str,
    ) -> Result<()> {
        let zone = strip_zone_id(zone_id);
        let out = call
            .send("ActivateKeySigningKey", &self.policy, || {
                self.client
                    .activate_key_signing_key()
                    .hosted_zone_id(&zone)
                    .name(name)
                    .send()
            })
            .await;
        let change = out
            .result
            .map(|o| o.change_info().map(|c| ChangeId::of(c.id())));
        self.ksk_status_changed(call, &zone, name, change).await
    }

    /// Deactivates the KSK and waits until INSYNC.
    pub async fn deactivate_key_signing_key(
        &self,
        call: &Call,
        zone_id: &str,
        name: &str,
    ) -> Result<()> {
        let zone = strip_zone_id(zone_id);
        let out = call
            .send("DeactivateKeySigningKey", &self.policy, || {
                self.client
                    .deactivate_key_signing_key()
                    .hosted_zone_id(&zone)
                    .name(name)
                    .send()
            })
            .await;
        let change = out
            .result
            .map(|o| o.change_info().map(|c| ChangeId::of(c.id())));
        self.ksk_status_changed(call, &zone, name, change).await
    }

    /// Deletes the (INACTIVE) KSK and waits until INSYNC. A KSK that is gone is
    /// [`Error::NotFound`], except on a retry of a request that may have gone through (done).
    pub async fn delete_key_signing_key(
        &self,
        call: &Call,
        zone_id: &str,
        name: &str,
    ) -> Result<()> {
        let zone = strip_zone_id(zone_id);
        let out = call
            .send("DeleteKeySigningKey", &self.policy, || {
                self.client
                    .delete_key_signing_key()
                    .hosted_zone_id(&zone)
                    .name(name)
                    .send()
            })
            .await;
        match out.result {
            Ok(o) => confirm(self, call, o.change_info().map(|c| ChangeId::of(c.id()))).await,
            Err(Error::Api { code, .. }) if code == "NoSuchKeySigningKey" && out.ambiguous => {
                Ok(())
            }
            Err(Error::Api { code, .. }) if code == "NoSuchKeySigningKey" => {
                Err(ksk_not_found(&zone, name))
            }
            Err(e) => Err(e),
        }
    }

    /// Enables DNSSEC signing of the zone and waits until INSYNC.
    pub async fn enable_hosted_zone_dnssec(&self, call: &Call, zone_id: &str) -> Result<()> {
        let zone = strip_zone_id(zone_id);
        let out = call
            .send("EnableHostedZoneDNSSEC", &self.policy, || {
                self.client
                    .enable_hosted_zone_dnssec()
                    .hosted_zone_id(&zone)
                    .send()
            })
            .await;
        match out.result {
            Ok(o) => confirm(self, call, o.change_info().map(|c| ChangeId::of(c.id()))).await,
            Err(Error::Api { code, .. }) if code == "NoSuchHostedZone" => Err(Error::NotFound {
                what: format!("hosted zone {zone}"),
            }),
            Err(e) => Err(e),
        }
    }

    /// Disables DNSSEC signing of the zone and waits until INSYNC. A zone without DNSSEC
    /// (`DNSSECNotFound`) is not signing already: done.
    pub async fn disable_hosted_zone_dnssec(&self, call: &Call, zone_id: &str) -> Result<()> {
        let zone = strip_zone_id(zone_id);
        let out = call
            .send("DisableHostedZoneDNSSEC", &self.policy, || {
                self.client
                    .disable_hosted_zone_dnssec()
                    .hosted_zone_id(&zone)
                    .send()
            })
            .await;
        match out.result {
            Ok(o) => confirm(self, call, o.change_info().map(|c| ChangeId::of(c.id()))).await,
            Err(Error::Api { code, .. }) if code == "DNSSECNotFound" => Ok(()),
            Err(Error::Api { code, .. }) if code == "NoSuchHostedZone" => Err(Error::NotFound {
                what: format!("hosted zone {zone}"),
            }),
            Err(e) => Err(e),
        }
    }
}

/// A change Route 53 accepted, waited for: a failed wait means the write is in Route 53 all the
/// same ([`Error::Unconfirmed`]).
impl Route53 {
    /// The end of Activate/DeactivateKeySigningKey: wait for the change, or say the KSK is gone.
    async fn ksk_status_changed(
        &self,
        call: &Call,
        zone: &str,
        name: &str,
        change: Result<Option<ChangeId>>,
    ) -> Result<()> {
        match change {
            Ok(id) => confirm(self, call, id).await,
            Err(Error::Api { code, .. }) if code == "NoSuchKeySigningKey" => {
                Err(ksk_not_found(zone, name))
            }
            Err(e) => Err(e),
        }
    }
}

async fn confirm(r: &Route53, call: &Call, id: Option<ChangeId>) -> Result<()> {
    match r.wait_change_insync(call, id.as_ref()).await {
        Ok(()) => Ok(()),
        Err(e) => match id {
            Some(c) => Err(Error::Unconfirmed {
                change: c.0,
                cause: Box::new(e),
            }),
            None => Err(e),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caller_references_are_unique_and_at_most_128_characters() {
        let a = new_ksk_caller_reference("Z123", "ksk_1");
        let b = new_ksk_caller_reference("Z123", "ksk_1");
        assert_ne!(a, b);
        assert!(
            a.starts_with("r53-tf1:ksk:") && a.ends_with(":Z123:ksk_1"),
            "{a}"
        );
        let long = new_ksk_caller_reference(&"Z".repeat(32), &"k".repeat(128));
        assert_eq!(long.chars().count(), 128);
    }

    #[test]
    fn sdk_ksks_keep_every_field() {
        let k = aws_sdk_route53::types::KeySigningKey::builder()
            .name("ksk_1")
            .kms_arn("arn:aws:kms:us-east-1:123456789012:key/k")
            .flag(257)
            .signing_algorithm_mnemonic("ECDSAP256SHA256")
            .signing_algorithm_type(13)
            .digest_algorithm_mnemonic("SHA-256")
            .digest_algorithm_type(2)
            .key_tag(12345)
            .digest_value("AB")
            .public_key("cGs=")
            .ds_record("12345 13 2 AB")
            .dnskey_record("257 3 13 cGs=")
            .status("ACTION_NEEDED")
            .status_message("fix the key")
            .build();
        let i = ksk_from_sdk(&k);
        assert_eq!(
            i,
            KeySigningKeyInfo {
                name: "ksk_1".into(),
                kms_arn: "arn:aws:kms:us-east-1:123456789012:key/k".into(),
                flag: 257,
                signing_algorithm_mnemonic: "ECDSAP256SHA256".into(),
                signing_algorithm_type: 13,
                digest_algorithm_mnemonic: "SHA-256".into(),
                digest_algorithm_type: 2,
                key_tag: 12345,
                digest_value: "AB".into(),
                public_key: "cGs=".into(),
                ds_record: "12345 13 2 AB".into(),
                dnskey_record: "257 3 13 cGs=".into(),
                status: "ACTION_NEEDED".into(),
                status_message: Some("fix the key".into()),
            }
        );
    }
}
