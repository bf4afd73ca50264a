//! `r53_key_signing_key`: a DNSSEC key-signing key (KSK) of a hosted zone, backed by a KMS key.
//! The KMS key is checked against Route 53's rules first (`r53_core::kms`), so a wrong key is
//! refused with the rule it breaks — and, for a key policy, the statement to add. Every change
//! waits until it is INSYNC. Destroy deactivates, then deletes (the only order Route 53 accepts).

use async_trait::async_trait;

use r53_core::route53::{strip_zone_id, KeySigningKeyInfo};
use r53_plugin::framework::Failure;
use r53_plugin::schema::Schema;
use r53_plugin::{Ctx, Diagnostic, Diagnostics, Field, Resource, Value};

use crate::common::*;
use crate::dnssec_diag::dnssec_diag;
use crate::meta::Meta;

pub(crate) const TYPE_NAME: &str = "r53_key_signing_key";

pub(crate) struct KeySigningKeyResource;

r53_plugin::model! {
    /// The configuration and state of `r53_key_signing_key`.
    pub struct KskModel / KskAttrs {
        description: "A DNSSEC key-signing key (KSK) of a public hosted zone. Route 53 keeps the zone-signing key itself; \
             the KSK signs the zone's DNSKEY set with a KMS key you own, and its `ds_record` is what the parent (the \
             registrar, or the parent zone) publishes to complete the chain of trust. A zone has at most two KSKs (two \
             for a rollover). The KMS key must be a customer managed key in us-east-1, `ECC_NIST_P256`, `SIGN_VERIFY`, \
             enabled, whose key policy allows `kms:DescribeKey`, `kms:GetPublicKey` and `kms:Sign` to the service \
             principal `dnssec-route53.amazonaws.com`; the provider checks this before asking Route 53 and, for a policy, \
             prints the statement to add. Signing itself is `r53_hosted_zone_dnssec`. Destroying deactivates the key, \
             then deletes it: Route 53 refuses while the zone signs with it as its only ACTIVE key, or while the parent \
             still publishes its DS.";
        attributes {
            id: String [computed] "`HOSTED_ZONE_ID,NAME`.",
            hosted_zone_id: String [required, force_new] "The public hosted zone's ID. Changing it replaces the key.",
            name: String [required, force_new]
                "The key's name, unique in the zone: 3 to 128 letters, digits and underscores. Changing it replaces the key.",
            kms_key_arn: String [required, force_new]
                "The ARN of the KMS key (`arn:aws:kms:us-east-1:ACCOUNT:key/ID`, not an alias). Each KSK of a zone needs its own key. Changing it replaces the KSK.",
            status: String [optional]
                "`ACTIVE` (the default when unset: the key signs the DNSKEY set) or `INACTIVE`. The state shows what Route 53 reports when it differs (e.g. `ACTION_NEEDED` when the KMS key can no longer be used), and the next apply sets it back.",
            key_tag: i64 [computed] "The key tag (RFC 4034 Appendix B) of the key's DNSKEY.",
            flags: i64 [computed] "The DNSKEY flags: always 257 (zone key, secure entry point).",
            signing_algorithm_mnemonic: String [computed] "The signing algorithm: `ECDSAP256SHA256`.",
            signing_algorithm_type: i64 [computed] "The signing algorithm's number: 13.",
            digest_algorithm_mnemonic: String [computed] "The DS digest algorithm: `SHA-256`.",
            digest_algorithm_type: i64 [computed] "The DS digest algorithm's number: 2.",
            digest_value: String [computed] "The DS digest (SHA-256 of the owner name and the DNSKEY), upper-case hex.",
            public_key: String [computed] "The public key, base64 (the DNSKEY's key field).",
            dnskey_record: String [computed] "The DNSKEY record data: `257 3 13 <public key>`.",
            ds_record: String [computed] "The DS record data the parent publishes: `<key tag> 13 2 <digest>`.",
        }
    }
}

pub fn schema() -> Schema {
    Schema::new(0, KskModel::block())
}

const ACTIVE: &str = "ACTIVE";
const INACTIVE: &str = "INACTIVE";

/// The status a configuration asks for (unset: ACTIVE).
fn wanted(m: &KskModel) -> &str {
    m.status.as_str().unwrap_or(ACTIVE)
}

/// The state of `k` in `zone_id` (as the user spelt it); `status` keeps the configuration's
/// spelling (including unset) while Route 53's status is what it asks for.
fn state_of(zone_id: &str, k: &KeySigningKeyInfo, configured: Field<String>) -> KskModel {
    let status = match configured.as_str() {
        None if k.status == ACTIVE => Field::Null,
        Some(s) if s == k.status => configured,
        _ => Field::Known(k.status.clone()),
    };
    KskModel {
        id: Field::Known(format!("{},{}", strip_zone_id(zone_id), k.name)),
        hosted_zone_id: Field::Known(zone_id.to_string()),
        name: Field::Known(k.name.clone()),
        kms_key_arn: Field::Known(k.kms_arn.clone()),
        status,
        key_tag: Field::Known(i64::from(k.key_tag)),
        flags: Field::Known(i64::from(k.flag)),
        signing_algorithm_mnemonic: Field::Known(k.signing_algorithm_mnemonic.clone()),
        signing_algorithm_type: Field::Known(i64::from(k.signing_algorithm_type)),
        digest_algorithm_mnemonic: Field::Known(k.digest_algorithm_mnemonic.clone()),
        digest_algorithm_type: Field::Known(i64::from(k.digest_algorithm_type)),
        digest_value: Field::Known(k.digest_value.clone()),
        public_key: Field::Known(k.public_key.clone()),
        dnskey_record: Field::Known(k.dnskey_record.clone()),
        ds_record: Field::Known(k.ds_record.clone()),
    }
}

/// `ZONE,NAME` → (zone, name).
fn split_id(id: &str) -> Option<(String, String)> {
    let (zone, name) = id.split_once(',')?;
    let zone = strip_zone_id(zone.trim());
    let name = name.trim();
    (!zone.is_empty() && !zone.contains('/') && r53_zone::ksk::valid_name(name).is_ok())
        .then(|| (zone, name.to_string()))
}

impl KeySigningKeyResource {
    /// Moves the KSK to `want` (ACTIVE or INACTIVE) from `live`.
    async fn set_status(
        meta: &Meta,
        ctx: &Ctx,
        zone: &str,
        name: &str,
        want: &str,
    ) -> Result<(), Diagnostics> {
        let c = call(ctx, CREATE_TIMEOUT);
        let r53 = &meta.aws.route53;
        let r = if want == ACTIVE {
            r53.activate_key_signing_key(&c, zone, name).await
        } else {
            r53.deactivate_key_signing_key(&c, zone, name).await
        };
        r.map_err(|e| {
            let verb = if want == ACTIVE {
                "Activating"
            } else {
                "Deactivating"
            };
            dnssec_diag(&format!("{verb} key-signing key {name} of zone {zone}"), &e).into()
        })
    }

    async fn find(
        meta: &Meta,
        ctx: &Ctx,
        zone_id: &str,
        name: &str,
    ) -> Result<Option<KeySigningKeyInfo>, Diagnostics> {
        let found = meta
            .aws
            .route53
            .find_key_signing_key(&call(ctx, READ_TIMEOUT), zone_id, name)
            .await;
        unless_gone(found, || {
            format!("Reading key-signing key {name} of hosted zone {zone_id}")
        })
    }
}

#[async_trait]
impl Resource<Meta> for KeySigningKeyResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn identity(&self) -> Option<r53_plugin::Identity> {
        Some(r53_plugin::Identity::new(vec![
            r53_plugin::IdentityAttr::required("hosted_zone_id", "The hosted zone's ID."),
            r53_plugin::IdentityAttr::required("name", "The key-signing key's name."),
        ]))
    }

    fn import_id(&self, identity: &Value) -> Result<String, Diagnostics> {
        let get = |k: &str| {
            identity.get(k).as_str().map(str::to_string).ok_or_else(|| {
                Diagnostics::from(Diagnostic::error(
                    "Invalid import identity",
                    format!("`{k}` must be set"),
                ))
            })
        };
        Ok(format!("{},{}", get("hosted_zone_id")?, get("name")?))
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let m = match KskModel::from_value(config) {
            Ok(m) => m,
            Err(e) => return e,
        };
        let mut d = Diagnostics::new();
        let a = KskModel::ATTR;
        if let Some(n) = m.name.as_str() {
            if let Err(e) = r53_zone::ksk::valid_name(n) {
                d.error_at(at(a.name), "Invalid key-signing key name", e.to_string());
            }
        }
        if let Some(arn) = m.kms_key_arn.as_str() {
            if let Err(e) = r53_zone::ksk::check_region(arn) {
                d.error_at(
                    at(a.kms_key_arn),
                    "Invalid KMS key for DNSSEC",
                    e.to_string(),
                );
            }
        }
        if let Some(s) = m.status.as_str() {
            if s != ACTIVE && s != INACTIVE {
                d.error_at(
                    at(a.status),
                    "Invalid status",
                    format!("status is ACTIVE or INACTIVE, not {s:?}"),
                );
            }
        }
        d
    }

    fn modify_plan(&self, prior: &Value, planned: &mut Value, d: &mut Diagnostics) {
        if prior.is_null() || planned.is_null() {
            return;
        }
        let (p, mut n) = match KskModel::from_values(prior, planned) {
            Ok(pn) => pn,
            Err(e) => return d.extend(e),
        };
        // Only the status changes in place: the key's data stays.
        n.id = p.id;
        n.key_tag = p.key_tag;
        n.flags = p.flags;
        n.signing_algorithm_mnemonic = p.signing_algorithm_mnemonic;
        n.signing_algorithm_type = p.signing_algorithm_type;
        n.digest_algorithm_mnemonic = p.digest_algorithm_mnemonic;
        n.digest_algorithm_type = p.digest_algorithm_type;
        n.digest_value = p.digest_value;
        n.public_key = p.public_key;
        n.dnskey_record = p.dnskey_record;
        n.ds_record = p.ds_record;
        *planned = n.to_value();
    }

    async fn plan_with_api(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
        planned: &mut Value,
        d: &mut Diagnostics,
    ) {
        // A new key's KMS key is checked at plan time, so the plan fails, not the apply.
        if !prior.is_null() || planned.is_null() {
            return;
        }
        let Ok(m) = KskModel::from_value(planned) else {
            return;
        };
        let Some(arn) = m.kms_key_arn.as_str() else {
            return;
        };
        match meta
            .aws
            .kms
            .check_dnssec_key(&call(ctx, READ_TIMEOUT), arn)
            .await
        {
            Ok(c) => {
                for w in c.warnings {
                    d.warning("KMS key not fully checked", w);
                }
            }
            Err(r53_core::Error::Invalid(why)) => d.error_at(
                at(KskModel::ATTR.kms_key_arn),
                "KMS key unusable for Route 53 DNSSEC",
                why,
            ),
            // A KMS read that failed for another reason leaves the check to Route 53.
            Err(e) => d.warning("KMS key not checked", e.to_string()),
        }
    }

    async fn create(&self, meta: &Meta, ctx: &Ctx, planned: Value) -> Result<Value, Failure> {
        let m = KskModel::from_value(&planned)?;
        let zone_id = m.hosted_zone_id.string().unwrap_or_default();
        let name = m.name.string().unwrap_or_default();
        let arn = m.kms_key_arn.string().unwrap_or_default();
        let what = format!("Creating key-signing key {name} in hosted zone {zone_id}");
        let c = call(ctx, CREATE_TIMEOUT);
        match meta.aws.kms.check_dnssec_key(&c, &arn).await {
            Ok(check) => {
                for w in check.warnings {
                    tracing::warn!(arn = %arn, "{w}");
                }
            }
            Err(r53_core::Error::Invalid(why)) => {
                return Err(Diagnostic::error(
                    format!("{what} failed: the KMS key cannot be used for Route 53 DNSSEC"),
                    why,
                )
                .into())
            }
            Err(e) => tracing::warn!(arn = %arn, "KMS key not checked: {e}"),
        }
        let active = wanted(&m) == ACTIVE;
        let k = meta
            .aws
            .route53
            .create_key_signing_key(&c, &zone_id, &name, &arn, active)
            .await
            .map_err(|e| {
                let d = dnssec_diag(&what, &e);
                if e.may_have_landed() {
                    // Keep it in state (tainted) so it is not orphaned; a refresh drops it if it
                    // did not land after all.
                    let partial = KskModel {
                        id: Field::Known(format!("{},{name}", strip_zone_id(&zone_id))),
                        ..m.clone()
                    };
                    Failure::with_partial(d, partial.to_value())
                } else {
                    Failure::from(d)
                }
            })?;
        tracing::info!(zone = %zone_id, name = %name, key_tag = k.key_tag, "created key-signing key");
        Ok(state_of(&zone_id, &k, m.status).to_value())
    }

    async fn read(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let m = KskModel::from_value(state)?;
        let zone_id = m.hosted_zone_id.string().unwrap_or_default();
        let name = m.name.string().unwrap_or_default();
        Ok(Self::find(meta, ctx, &zone_id, &name)
            .await?
            .map(|k| state_of(&zone_id, &k, m.status).to_value()))
    }

    async fn update(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
        planned: Value,
    ) -> Result<Value, Failure> {
        let (p, n) = KskModel::from_values(prior, &planned)?;
        let zone_id = n.hosted_zone_id.string().unwrap_or_default();
        let name = n.name.string().unwrap_or_default();
        let want = wanted(&n);
        let live = p.status.as_str().unwrap_or(ACTIVE);
        if live != want {
            Self::set_status(meta, ctx, &zone_id, &name, want).await?;
        }
        match Self::find(meta, ctx, &zone_id, &name).await? {
            Some(k) => Ok(state_of(&zone_id, &k, n.status).to_value()),
            None => Err(Diagnostic::error(
                format!("Updating key-signing key {name} of hosted zone {zone_id} failed"),
                "the key-signing key is gone (deleted outside Terraform)",
            )
            .into()),
        }
    }

    async fn delete(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
    ) -> Result<Diagnostics, Diagnostics> {
        let m = KskModel::from_value(prior)?;
        let zone_id = m.hosted_zone_id.string().unwrap_or_default();
        let name = m.name.string().unwrap_or_default();
        let Some(k) = Self::find(meta, ctx, &zone_id, &name).await? else {
            return Ok(Diagnostics::new());
        };
        // Route 53 deletes only an INACTIVE key.
        if k.status != INACTIVE {
            match Self::set_status(meta, ctx, &zone_id, &name, INACTIVE).await {
                Ok(()) => {}
                Err(d) => return Err(d),
            }
        }
        let c = call(ctx, DELETE_TIMEOUT);
        match meta
            .aws
            .route53
            .delete_key_signing_key(&c, &zone_id, &name)
            .await
        {
            Ok(()) => Ok(Diagnostics::new()),
            Err(e) if e.is_not_found() => Ok(Diagnostics::new()),
            Err(e) => Err(dnssec_diag(
                &format!("Deleting key-signing key {name} of hosted zone {zone_id}"),
                &e,
            )
            .into()),
        }
    }

    async fn import(&self, meta: &Meta, ctx: &Ctx, id: &str) -> Result<Value, Diagnostics> {
        let Some((zone, name)) = split_id(id) else {
            return Err(Diagnostic::error(
                "Invalid import ID",
                format!("expected HOSTED_ZONE_ID,NAME (e.g. Z1D633PJN98FT9,ksk_1), got {id:?}"),
            )
            .into());
        };
        match Self::find(meta, ctx, &zone, &name).await? {
            Some(k) => Ok(state_of(&zone, &k, Field::Null).to_value()),
            None => Err(Diagnostic::error(
                "Cannot import key-signing key",
                format!("hosted zone {zone} has no key-signing key named {name}"),
            )
            .into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(status: &str) -> KeySigningKeyInfo {
        KeySigningKeyInfo {
            name: "ksk_1".into(),
            kms_arn: "arn:aws:kms:us-east-1:123456789012:key/k".into(),
            flag: 257,
            signing_algorithm_mnemonic: "ECDSAP256SHA256".into(),
            signing_algorithm_type: 13,
            digest_algorithm_mnemonic: "SHA-256".into(),
            digest_algorithm_type: 2,
            key_tag: 4242,
            digest_value: "AB".into(),
            public_key: "cGs=".into(),
            ds_record: "4242 13 2 AB".into(),
            dnskey_record: "257 3 13 cGs=".into(),
            status: status.into(),
            status_message: None,
        }
    }

    #[test]
    fn status_keeps_the_configurations_spelling_until_route53_differs() {
        let s =
            |live: &str, cfg: Field<String>| state_of("/hostedzone/Z1", &info(live), cfg).status;
        assert_eq!(s("ACTIVE", Field::Null), Field::Null);
        assert_eq!(
            s("ACTIVE", Field::Known("ACTIVE".into())).as_str(),
            Some("ACTIVE")
        );
        assert_eq!(s("INACTIVE", Field::Null).as_str(), Some("INACTIVE"));
        assert_eq!(
            s("ACTION_NEEDED", Field::Known("ACTIVE".into())).as_str(),
            Some("ACTION_NEEDED")
        );
        assert_eq!(
            s("INACTIVE", Field::Known("INACTIVE".into())).as_str(),
            Some("INACTIVE")
        );
        let m = state_of("/hostedzone/Z1", &info("ACTIVE"), Field::Null);
        assert_eq!(m.id.as_str(), Some("Z1,ksk_1"));
        assert_eq!(m.hosted_zone_id.as_str(), Some("/hostedzone/Z1"));
        assert_eq!(m.key_tag.get(), Some(4242));
        assert_eq!(m.ds_record.as_str(), Some("4242 13 2 AB"));
    }

    #[test]
    fn import_ids_are_zone_comma_name() {
        assert_eq!(split_id("Z1,ksk_1"), Some(("Z1".into(), "ksk_1".into())));
        assert_eq!(
            split_id("/hostedzone/Z1, ksk_1"),
            Some(("Z1".into(), "ksk_1".into()))
        );
        for bad in ["Z1", ",ksk_1", "Z1,", "Z1,k", "a/b,ksk_1", "Z1,bad-name"] {
            assert_eq!(split_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn invalid_arguments_are_reported_at_their_attribute() {
        let cfg = |j: serde_json::Value| Value::from_json(&j, &schema().ty()).unwrap();
        let ok = cfg(serde_json::json!({
            "hosted_zone_id": "Z1", "name": "ksk_1",
            "kms_key_arn": "arn:aws:kms:us-east-1:123456789012:key/k"
        }));
        assert!(KeySigningKeyResource.validate(&ok).is_empty());
        let bad = cfg(serde_json::json!({
            "hosted_zone_id": "Z1", "name": "k-1",
            "kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/k", "status": "ENABLED"
        }));
        let d = KeySigningKeyResource.validate(&bad);
        let paths: Vec<String> =
            d.0.iter()
                .map(|x| x.path.as_ref().unwrap().to_string())
                .collect();
        assert_eq!(paths, ["name", "kms_key_arn", "status"]);
        assert!(d.0[1].detail.contains("us-east-1"), "{}", d.0[1].detail);
    }
}
