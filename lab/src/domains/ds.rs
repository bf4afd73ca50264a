//! DNSSEC keys at the lab registrar: the checks Route 53 Domains makes on
//! `AssociateDelegationSignerToDomain`, the DS it derives (key tag and SHA-256 digest computed
//! here, as the registry would), and the shapes `GetDomainDetail` has returned them in.

use serde_json::{json, Value};

use super::{invalid, ApiError};

/// DNSSEC algorithms Route 53 Domains accepts for a key (its console's list: RSASHA1,
/// RSASHA1-NSEC3-SHA1, RSASHA256, RSASHA512, ECDSAP256SHA256, ECDSAP384SHA384, ED25519, ED448;
/// believed, from the documentation, not checked against AWS).
pub(crate) const ACCEPTED_ALGORITHMS: &[u8] = &[5, 7, 8, 10, 13, 14, 15, 16];

/// DS records a domain may hold before DnssecLimitExceeded. The API model gives no number; AWS's
/// guide is believed to say up to 8 keys.
pub(crate) const MAX_DS_KEYS: usize = 8;

/// Largest base64 public key the API takes (the model's length constraint on PublicKey).
const MAX_PUBLIC_KEY: usize = 32_768;

/// How `GetDomainDetail` writes `DnssecKeys`: Route 53 Domains changed it in 2026.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DnssecKeyShape {
    /// Before May 2026: Algorithm, Flags, PublicKey, DigestType, Digest, KeyTag; Id = the digest.
    Legacy,
    /// Since May 2026 (Amazon Registrar): KeyTag, DigestType, Digest, Algorithm; no Flags or
    /// PublicKey; Id = `DS:<tag>-<alg>-<digest type>-<DIGEST>`.
    #[default]
    Shape2026,
    /// As [`Shape2026`](Self::Shape2026) without Algorithm (some registries, terraform-provider-aws
    /// #48025).
    Shape2026NoAlgorithm,
    /// As [`Shape2026`](Self::Shape2026) with the numeric Ids Gandi-backed TLDs give (`1352089`).
    Shape2026Numeric,
}

/// One key the registrar passed to the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DsKey {
    /// The registrar's serial for the key (the numeric shape's Id).
    pub(crate) serial: u64,
    pub(crate) algorithm: u8,
    pub(crate) flags: u16,
    pub(crate) public_key: String,
    pub(crate) key_tag: u16,
    /// SHA-256, upper-case hex.
    pub(crate) digest: String,
}

/// Numeric Ids start here (the look of a Gandi one).
const NUMERIC_BASE: u64 = 1_352_088;

impl DsKey {
    /// Checks `SigningAttributes` as Route 53 Domains does and derives the DS for `domain`.
    pub(crate) fn from_request(
        domain: &str,
        attrs: &Value,
        serial: u64,
    ) -> Result<DsKey, ApiError> {
        if !attrs.is_object() {
            return Err(invalid("SigningAttributes is required"));
        }
        let algorithm = attrs
            .get("Algorithm")
            .and_then(Value::as_i64)
            .ok_or_else(|| invalid("SigningAttributes.Algorithm is required"))?;
        let algorithm = u8::try_from(algorithm)
            .ok()
            .filter(|a| ACCEPTED_ALGORITHMS.contains(a))
            .ok_or_else(|| {
                invalid(format!(
                    "SigningAttributes.Algorithm {algorithm} is not one of the supported DNSSEC algorithms {ACCEPTED_ALGORITHMS:?}"
                ))
            })?;
        let flags = attrs
            .get("Flags")
            .and_then(Value::as_i64)
            .ok_or_else(|| invalid("SigningAttributes.Flags is required"))?;
        let flags = match flags {
            256 => 256u16,
            257 => 257u16,
            other => {
                return Err(invalid(format!(
                    "SigningAttributes.Flags {other} must be 257 (KSK) or 256 (ZSK)"
                )))
            }
        };
        let key = attrs
            .get("PublicKey")
            .and_then(Value::as_str)
            .filter(|k| !k.is_empty())
            .ok_or_else(|| invalid("SigningAttributes.PublicKey is required"))?;
        if key.len() > MAX_PUBLIC_KEY {
            return Err(invalid(format!(
                "SigningAttributes.PublicKey is {} characters, over the limit of {MAX_PUBLIC_KEY}",
                key.len()
            )));
        }
        r53_zone::dnskey::check_public_key(algorithm, key)
            .map_err(|e| invalid(format!("SigningAttributes.PublicKey: {e}")))?;
        let zone = r53_zone::Name::parse(domain)
            .map_err(|e| invalid(format!("Domain name {domain} is invalid: {e}")))?;
        let ds = r53_zone::dnskey::ds_parts(
            &zone,
            flags,
            algorithm,
            key,
            r53_zone::dnskey::DsDigest::Sha256,
        )
        .map_err(|e| invalid(format!("SigningAttributes: {e}")))?;
        Ok(DsKey {
            serial,
            algorithm,
            flags,
            public_key: key.split_whitespace().collect(),
            key_tag: ds.key_tag,
            digest: ds.digest,
        })
    }

    /// The DS RDATA the registry publishes: `TAG ALG 2 HEX`.
    pub(crate) fn rdata(&self) -> String {
        format!("{} {} 2 {}", self.key_tag, self.algorithm, self.digest)
    }

    /// Is this the same DS (key tag, digest type, digest)?
    pub(crate) fn same_ds(&self, other: &DsKey) -> bool {
        self.key_tag == other.key_tag && self.digest.eq_ignore_ascii_case(&other.digest)
    }

    /// The Id `GetDomainDetail` gives this key in `shape`.
    pub(crate) fn id(&self, shape: DnssecKeyShape) -> String {
        match shape {
            DnssecKeyShape::Legacy => self.digest.clone(),
            DnssecKeyShape::Shape2026 | DnssecKeyShape::Shape2026NoAlgorithm => {
                format!("DS:{}-{}-2-{}", self.key_tag, self.algorithm, self.digest)
            }
            DnssecKeyShape::Shape2026Numeric => (NUMERIC_BASE + self.serial).to_string(),
        }
    }

    /// The key as a `DnssecKey` object in `shape`.
    pub(crate) fn json(&self, shape: DnssecKeyShape) -> Value {
        let mut v = json!({
            "KeyTag": self.key_tag,
            "DigestType": 2,
            "Digest": self.digest,
            "Id": self.id(shape),
        });
        if shape != DnssecKeyShape::Shape2026NoAlgorithm {
            v["Algorithm"] = json!(self.algorithm);
        }
        if shape == DnssecKeyShape::Legacy {
            v["Flags"] = json!(self.flags);
            v["PublicKey"] = json!(self.public_key);
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An ECDSA P-256 key (64 bytes) for tests.
    pub(crate) fn p256(seed: u8) -> String {
        data_encoding::BASE64.encode(&[seed; 64])
    }

    #[test]
    fn requests_are_checked_like_route_53_domains() {
        let ok = |a: Value| DsKey::from_request("shop.test", &a, 1);
        let k = ok(json!({"Algorithm": 13, "Flags": 257, "PublicKey": p256(1)})).unwrap();
        assert_eq!(k.digest.len(), 64);
        assert!(k
            .digest
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
        let expected = r53_zone::dnskey::ds_record(
            &r53_zone::Name::parse("shop.test").unwrap(),
            &format!("257 3 13 {}", p256(1)),
            r53_zone::dnskey::DsDigest::Sha256,
        )
        .unwrap();
        assert_eq!(k.rdata(), expected);
        let err = |a: Value| ok(a).unwrap_err();
        for (bad, says) in [
            (
                json!({"Algorithm": 1, "Flags": 257, "PublicKey": p256(1)}),
                "Algorithm 1",
            ),
            (
                json!({"Algorithm": 300, "Flags": 257, "PublicKey": p256(1)}),
                "Algorithm 300",
            ),
            (
                json!({"Algorithm": 13, "Flags": 1, "PublicKey": p256(1)}),
                "Flags 1",
            ),
            (
                json!({"Algorithm": 13, "Flags": 257, "PublicKey": "A!"}),
                "base64",
            ),
            (
                json!({"Algorithm": 14, "Flags": 257, "PublicKey": p256(1)}),
                "96 bytes",
            ),
            (
                json!({"Algorithm": 13, "Flags": 257, "PublicKey": "A".repeat(40_000)}),
                "32768",
            ),
            (
                json!({"Algorithm": 13, "Flags": 257}),
                "PublicKey is required",
            ),
            (
                json!({"Flags": 257, "PublicKey": p256(1)}),
                "Algorithm is required",
            ),
            (json!(null), "SigningAttributes is required"),
        ] {
            let e = err(bad.clone());
            assert_eq!(e.code, "InvalidInput");
            assert!(e.message.contains(says), "{bad}: {}", e.message);
        }
    }

    #[test]
    fn each_shape_writes_what_route_53_domains_did() {
        let k = DsKey::from_request(
            "shop.test",
            &json!({"Algorithm": 13, "Flags": 257, "PublicKey": p256(2)}),
            1,
        )
        .unwrap();
        let legacy = k.json(DnssecKeyShape::Legacy);
        assert_eq!(legacy["Id"], k.digest);
        assert_eq!(legacy["Flags"], 257);
        assert_eq!(legacy["PublicKey"], p256(2));
        let new = k.json(DnssecKeyShape::Shape2026);
        assert_eq!(
            new["Id"],
            format!("DS:{}-13-2-{}", k.key_tag, k.digest).as_str()
        );
        assert_eq!(new["Algorithm"], 13);
        assert!(new.get("Flags").is_none() && new.get("PublicKey").is_none());
        let bare = k.json(DnssecKeyShape::Shape2026NoAlgorithm);
        assert!(bare.get("Algorithm").is_none());
        assert_eq!(bare["KeyTag"], k.key_tag);
        let numeric = k.json(DnssecKeyShape::Shape2026Numeric);
        assert_eq!(numeric["Id"], "1352089");
        assert_eq!(numeric["DigestType"], 2);
    }
}
