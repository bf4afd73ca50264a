//! DNSSEC keys at Route 53 Domains: the DS records the registrar passes to the registry.
//!
//! Route 53 Domains changed `GetDomainDetail` in 2026: keys used to come back with Flags and
//! PublicKey and the digest as Id; now only KeyTag, DigestType, Digest (Algorithm on some
//! registries) with Ids of the form `DS:<tag>-<alg>-<dt>-<DIGEST>` (Amazon Registrar) or numbers
//! (Gandi-backed TLDs). So a key is recognised ONLY by the DS computed here from (flags,
//! algorithm, public key): key tag, digest type and digest compared case-insensitively — never by
//! Id, Flags or PublicKey. The Id to remove a key is read from `GetDomainDetail` by that match.

use aws_sdk_route53domains::types as t;
use r53_zone::dnskey::{ds_parts, DsDigest, DsParts};

use super::{op_id, Domains, OperationId};
use crate::error::{Error, Result};
use crate::route53::Call;

/// A key as the zone's operator gives it to the registrar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnssecKeyInput {
    /// 257 (KSK) or 256 (ZSK).
    pub flags: u16,
    pub algorithm: u8,
    /// Base64.
    pub public_key: String,
}

impl DnssecKeyInput {
    /// The SHA-256 DS the registry publishes for this key at `domain`'s delegation.
    pub fn ds(&self, domain: &str) -> Result<DsParts> {
        let zone = r53_zone::Name::parse(domain)
            .map_err(|e| Error::Invalid(format!("domain {domain:?}: {e}")))?;
        ds_parts(
            &zone,
            self.flags,
            self.algorithm,
            &self.public_key,
            DsDigest::Sha256,
        )
        .map_err(|e| {
            Error::Invalid(format!(
                "DNSSEC key (flags {}, algorithm {}) for {domain}: {e}",
                self.flags, self.algorithm
            ))
        })
    }
}

/// A key as `GetDomainDetail` lists it, in either shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrarDsKey {
    /// The registrar's Id (digest, `DS:…` or a number): only for disassociating.
    pub id: String,
    pub key_tag: u16,
    pub digest_type: u8,
    /// As the registrar wrote it (upper-case hex at AWS).
    pub digest: String,
    /// Absent on some registries since 2026.
    pub algorithm: Option<u8>,
    /// Only in the pre-2026 shape.
    pub flags: Option<u16>,
    /// Only in the pre-2026 shape.
    pub public_key: Option<String>,
}

impl RegistrarDsKey {
    /// Is this the DS `ds` (key tag, digest type, digest ignoring case)?
    pub fn matches(&self, ds: &DsParts) -> bool {
        self.key_tag == ds.key_tag
            && self.digest_type == ds.digest_type
            && self.digest.eq_ignore_ascii_case(&ds.digest)
    }

    /// The DS RDATA text (`TAG ALG DT HEX`) when the algorithm is known.
    pub fn ds_text(&self) -> Option<String> {
        self.algorithm.map(|a| {
            format!(
                "{} {a} {} {}",
                self.key_tag,
                self.digest_type,
                self.digest.to_ascii_uppercase()
            )
        })
    }
}

/// The longest digest a DS carries in hex (SHA-384: 96; GOST/SHA-512 would be 128).
const MAX_DIGEST_HEX: usize = 128;

/// Reads one `DnssecKey` of either shape; the deprecated Flags/PublicKey are read here only.
#[allow(deprecated)]
pub(super) fn key_from(domain: &str, k: &t::DnssecKey) -> Result<RegistrarDsKey> {
    let bad = |what: String| {
        Error::Invalid(format!(
            "GetDomainDetail for {domain} listed a DNSSEC key with {what}"
        ))
    };
    let key_tag = k
        .key_tag()
        .ok_or_else(|| bad("no KeyTag".into()))
        .and_then(|v| u16::try_from(v).map_err(|_| bad(format!("KeyTag {v} out of range"))))?;
    let digest_type = k
        .digest_type()
        .ok_or_else(|| bad("no DigestType".into()))
        .and_then(|v| u8::try_from(v).map_err(|_| bad(format!("DigestType {v} out of range"))))?;
    let digest = k
        .digest()
        .filter(|d| !d.is_empty())
        .ok_or_else(|| bad("no Digest".into()))?;
    if digest.len() > MAX_DIGEST_HEX || !digest.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(bad(format!(
            "a Digest that is not up to {MAX_DIGEST_HEX} hex digits"
        )));
    }
    let id = k
        .id()
        .filter(|i| !i.is_empty())
        .ok_or_else(|| bad(format!("no Id (key tag {key_tag})")))?;
    Ok(RegistrarDsKey {
        id: id.to_string(),
        key_tag,
        digest_type,
        digest: digest.to_string(),
        algorithm: k.algorithm().and_then(|a| u8::try_from(a).ok()),
        flags: k.flags().and_then(|f| u16::try_from(f).ok()),
        public_key: k.public_key().filter(|p| !p.is_empty()).map(str::to_string),
    })
}

impl Domains {
    /// The DNSSEC keys the registrar holds for `name` (either shape).
    pub async fn ds_keys(&self, call: &Call, name: &str) -> Result<Vec<RegistrarDsKey>> {
        Ok(self.find_domain_by_name(call, name).await?.dnssec_keys)
    }

    /// Asks the registrar to pass `key` to the registry (an ADD_DNSSEC operation to wait for).
    /// A retry after an ambiguous failure finds the operation the first attempt started.
    pub async fn associate_ds(
        &self,
        call: &Call,
        name: &str,
        key: &DnssecKeyInput,
    ) -> Result<OperationId> {
        // Refuse locally what cannot give a DS, before the registrar sees it.
        key.ds(name)?;
        let attrs = t::DnssecSigningAttributes::builder()
            .algorithm(i32::from(key.algorithm))
            .flags(i32::from(key.flags))
            .public_key(&key.public_key)
            .build();
        let out = call
            .send("AssociateDelegationSignerToDomain", &self.policy, || {
                self.client
                    .associate_delegation_signer_to_domain()
                    .domain_name(name)
                    .signing_attributes(attrs.clone())
                    .send()
            })
            .await;
        match out.result {
            Ok(o) => op_id(o.operation_id),
            Err(e) if out.ambiguous => match self.find_operation(call, name, "ADD_DNSSEC").await? {
                Some(id) => Ok(id),
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// Removes the registrar's key whose DS is `ds` (a REMOVE_DNSSEC operation to wait for), its
    /// Id read from `GetDomainDetail` by that DS. `NotFound` when no listed key matches.
    pub async fn disassociate_ds(
        &self,
        call: &Call,
        name: &str,
        ds: &DsParts,
    ) -> Result<OperationId> {
        let keys = self.ds_keys(call, name).await?;
        let key = keys
            .iter()
            .find(|k| k.matches(ds))
            .ok_or_else(|| Error::NotFound {
                what: format!("DNSSEC key {} at the registrar for {name}", ds.text()),
            })?;
        let id = key.id.clone();
        let out = call
            .send(
                "DisassociateDelegationSignerFromDomain",
                &self.policy,
                || {
                    self.client
                        .disassociate_delegation_signer_from_domain()
                        .domain_name(name)
                        .id(&id)
                        .send()
                },
            )
            .await;
        match out.result {
            Ok(o) => op_id(o.operation_id),
            Err(e) if out.ambiguous => {
                match self.find_operation(call, name, "REMOVE_DNSSEC").await? {
                    Some(id) => Ok(id),
                    None => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: t::builders::DnssecKeyBuilder) -> t::DnssecKey {
        b.build()
    }

    fn ds() -> DsParts {
        DsParts {
            key_tag: 32853,
            algorithm: 13,
            digest_type: 2,
            digest: "C5FA0B1C".repeat(8),
        }
    }

    #[test]
    #[allow(deprecated)]
    fn both_shapes_read_and_match_by_ds_only() {
        let legacy = key(t::DnssecKey::builder()
            .algorithm(13)
            .flags(257)
            .public_key("AAAA")
            .digest_type(2)
            .digest("c5fa0b1c".repeat(8))
            .key_tag(32853)
            .id("c5fa0b1c".repeat(8)));
        let k = key_from("shop.test", &legacy).unwrap();
        assert_eq!(
            (k.flags, k.public_key.as_deref()),
            (Some(257), Some("AAAA"))
        );
        assert!(k.matches(&ds()), "digest case must not matter");
        // #48025's shape: no Algorithm, no Flags, no PublicKey.
        let bare = key(t::DnssecKey::builder()
            .digest_type(2)
            .digest("C5FA0B1C".repeat(8))
            .key_tag(32853)
            .id("DS:32853-13-2-C5FA"));
        let k = key_from("shop.test", &bare).unwrap();
        assert_eq!(
            (k.algorithm, k.flags, k.public_key.as_deref()),
            (None, None, None)
        );
        assert!(k.matches(&ds()));
        assert_eq!(k.ds_text(), None);
        // Another digest type or key tag is another DS.
        let mut other = ds();
        other.digest_type = 4;
        assert!(!k.matches(&other));
        let mut other = ds();
        other.key_tag = 1;
        assert!(!k.matches(&other));
    }

    #[test]
    fn unreadable_keys_are_refused_with_the_reason() {
        let e = |b: t::builders::DnssecKeyBuilder| {
            key_from("shop.test", &key(b)).unwrap_err().to_string()
        };
        assert!(
            e(t::DnssecKey::builder().digest_type(2).digest("AB").id("1")).contains("no KeyTag")
        );
        assert!(e(t::DnssecKey::builder()
            .key_tag(70000)
            .digest_type(2)
            .digest("AB")
            .id("1"))
        .contains("KeyTag 70000"));
        assert!(e(t::DnssecKey::builder()
            .key_tag(1)
            .digest_type(2)
            .digest("XYZ")
            .id("1"))
        .contains("hex"));
        assert!(e(t::DnssecKey::builder()
            .key_tag(1)
            .digest_type(2)
            .digest("AB"))
        .contains("no Id"));
    }

    #[test]
    fn a_key_input_gives_the_zone_crates_ds() {
        let pk = "mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==";
        let k = DnssecKeyInput {
            flags: 257,
            algorithm: 13,
            public_key: pk.into(),
        };
        let want = r53_zone::dnskey::ds_record(
            &r53_zone::Name::parse("example.net").unwrap(),
            &format!("257 3 13 {pk}"),
            DsDigest::Sha256,
        )
        .unwrap();
        assert_eq!(k.ds("example.net").unwrap().text(), want);
        let bad = DnssecKeyInput { flags: 1, ..k };
        assert!(bad.ds("example.net").is_err());
    }
}
