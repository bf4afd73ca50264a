//! Route 53's rules for DNSSEC key-signing keys (KSKs), pure: the KSK name, the KMS key Route 53
//! signs with (its ARN, region, key spec, usage, state and key policy), the public key taken from
//! KMS's SubjectPublicKeyInfo, and the DNSKEY/DS a KSK publishes. One set of rules for the lab
//! (which answers Route 53's DNSSEC API) and the provider (which checks them before calling it).
//!
//! Route 53's API reference (KeySigningKey.KmsArn, CreateKeySigningKey): the customer managed key
//! must be Enabled, ECC_NIST_P256, SIGN_VERIFY, in us-east-1, and its key policy must allow
//! DescribeKey, GetPublicKey and Sign to the service principal `dnssec-route53.amazonaws.com`.
//! KSK names are 3–128 of `[A-Za-z0-9_]`; a zone has at most two KSKs; algorithm 13 only, flags
//! 257, DS digest SHA-256.

use hickory_proto::dnssec::rdata::DNSKEY;
use hickory_proto::dnssec::{Algorithm, DigestType, PublicKeyBuf};
use serde_json::Value;

use crate::name::Name;

/// The most KSKs one hosted zone may have.
pub const MAX_KSKS_PER_ZONE: usize = 2;
pub const MIN_NAME_CHARS: usize = 3;
pub const MAX_NAME_CHARS: usize = 128;
/// CreateKeySigningKey's CallerReference (Nonce): 1–128 characters.
pub const MAX_CALLER_REFERENCE_CHARS: usize = 128;
/// The service principal a key policy must allow.
pub const DNSSEC_PRINCIPAL: &str = "dnssec-route53.amazonaws.com";
/// The only region Route 53 takes KMS keys from.
pub const KMS_REGION: &str = "us-east-1";
pub const KEY_SPEC: &str = "ECC_NIST_P256";
pub const KEY_USAGE: &str = "SIGN_VERIFY";
pub const KEY_STATE: &str = "Enabled";
/// The KMS actions the key policy must allow the service principal.
pub const REQUIRED_ACTIONS: [&str; 3] = ["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign"];
/// A KSK's DNSKEY flags (zone key + secure entry point), algorithm and DS digest type.
pub const FLAGS: u16 = 257;
pub const ALGORITHM: u8 = 13;
pub const ALGORITHM_MNEMONIC: &str = "ECDSAP256SHA256";
pub const DIGEST_TYPE: u8 = 2;
pub const DIGEST_MNEMONIC: &str = "SHA-256";
/// A key policy longer than this is refused unread (KMS's own limit is 32 KiB).
pub const MAX_POLICY_BYTES: usize = 32 * 1024;

/// DER SubjectPublicKeyInfo of a P-256 key up to the uncompressed point's X||Y: SEQUENCE {
/// SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (0 unused bits) 0x04 … }.
pub const P256_SPKI_PREFIX: [u8; 27] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04,
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KskError {
    #[error("the KSK name {0:?} is {1} characters long; Route 53 takes {MIN_NAME_CHARS} to {MAX_NAME_CHARS}")]
    NameLength(String, usize),
    #[error("the KSK name {name:?} contains {ch:?}; Route 53 takes only letters, digits and underscores")]
    NameChar { name: String, ch: char },
    #[error("{0:?} is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID); Route 53 takes a key's ARN, not an alias or a bare key ID")]
    Arn(String),
    #[error("the KMS key {arn} is in {region}; Route 53 signs only with keys in {KMS_REGION}")]
    Region { arn: String, region: String },
    #[error("the KMS key {arn} has key spec {spec}; Route 53 signs only with {KEY_SPEC} keys")]
    KeySpec { arn: String, spec: String },
    #[error("the KMS key {arn} has key usage {usage}; Route 53 needs {KEY_USAGE}")]
    KeyUsage { arn: String, usage: String },
    #[error("the KMS key {arn} is {state}; Route 53 needs it {KEY_STATE}")]
    KeyState { arn: String, state: String },
    #[error("the key policy of {arn} is not valid JSON: {reason}")]
    PolicyJson { arn: String, reason: String },
    #[error("the key policy of {arn} does not allow {} to the service principal {DNSSEC_PRINCIPAL}; add this statement to the key policy:\n{}", missing.join(", "), policy_statement(account))]
    PolicyMissing {
        arn: String,
        account: String,
        missing: Vec<String>,
    },
    #[error("KMS gave a public key that is not a P-256 SubjectPublicKeyInfo ({0})")]
    PublicKey(String),
    #[error("cannot compute the DNSKEY/DS: {0}")]
    Digest(String),
}

/// Checks a KSK name: 3–128 characters, letters, digits and underscores.
pub fn valid_name(name: &str) -> Result<(), KskError> {
    let n = name.chars().count();
    if !(MIN_NAME_CHARS..=MAX_NAME_CHARS).contains(&n) {
        return Err(KskError::NameLength(name.to_string(), n));
    }
    match name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        Some(ch) => Err(KskError::NameChar {
            name: name.to_string(),
            ch,
        }),
        None => Ok(()),
    }
}

/// A KMS key ARN's parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsArn {
    pub partition: String,
    pub region: String,
    pub account: String,
    pub key_id: String,
}

/// Parses `arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID` (not an alias ARN, not a bare key ID).
pub fn parse_kms_arn(arn: &str) -> Result<KmsArn, KskError> {
    let bad = || KskError::Arn(arn.to_string());
    if arn.len() > 2048 {
        return Err(bad());
    }
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [a, partition, service, region, account, resource] = parts.as_slice() else {
        return Err(bad());
    };
    let key_id = resource.strip_prefix("key/").ok_or_else(bad)?;
    let word = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if *a != "arn"
        || *service != "kms"
        || !word(partition)
        || !word(region)
        || account.len() != 12
        || !account.bytes().all(|b| b.is_ascii_digit())
        || !word(key_id)
    {
        return Err(bad());
    }
    Ok(KmsArn {
        partition: partition.to_string(),
        region: region.to_string(),
        account: account.to_string(),
        key_id: key_id.to_string(),
    })
}

/// Checks the key's region (from its ARN) is the one Route 53 uses.
pub fn check_region(arn: &str) -> Result<KmsArn, KskError> {
    let a = parse_kms_arn(arn)?;
    if a.region != KMS_REGION {
        return Err(KskError::Region {
            arn: arn.to_string(),
            region: a.region,
        });
    }
    Ok(a)
}

/// What DescribeKey says about a key, as far as Route 53's rules go.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyFacts {
    pub key_spec: String,
    pub key_usage: String,
    pub key_state: String,
}

/// Checks key spec, usage and state (in that order, the first broken rule is reported).
pub fn check_key(arn: &str, k: &KeyFacts) -> Result<(), KskError> {
    if k.key_spec != KEY_SPEC {
        return Err(KskError::KeySpec {
            arn: arn.to_string(),
            spec: k.key_spec.clone(),
        });
    }
    if k.key_usage != KEY_USAGE {
        return Err(KskError::KeyUsage {
            arn: arn.to_string(),
            usage: k.key_usage.clone(),
        });
    }
    if k.key_state != KEY_STATE {
        return Err(KskError::KeyState {
            arn: arn.to_string(),
            state: k.key_state.clone(),
        });
    }
    Ok(())
}

/// The key-policy statements to add for Route 53 DNSSEC (AWS's own example), for account
/// `account`.
pub fn policy_statement(account: &str) -> String {
    format!(
        r#"{{
  "Sid": "Allow Route 53 DNSSEC Service",
  "Effect": "Allow",
  "Principal": {{ "Service": "{DNSSEC_PRINCIPAL}" }},
  "Action": ["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign"],
  "Resource": "*",
  "Condition": {{
    "StringEquals": {{ "aws:SourceAccount": "{account}" }},
    "ArnLike": {{ "aws:SourceArn": "arn:aws:route53:::hostedzone/*" }}
  }}
}},
{{
  "Sid": "Allow Route 53 DNSSEC Service to CreateGrant",
  "Effect": "Allow",
  "Principal": {{ "Service": "{DNSSEC_PRINCIPAL}" }},
  "Action": "kms:CreateGrant",
  "Resource": "*",
  "Condition": {{ "Bool": {{ "kms:GrantIsForAWSResource": "true" }} }}
}}"#
    )
}

/// A key policy that passed [`check_policy`]; `warnings` name what was not evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyCheck {
    pub warnings: Vec<String>,
}

/// IAM's wildcard match (`*` any run, `?` one character), case-insensitive as action names are.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let t: Vec<char> = text.to_ascii_lowercase().chars().collect();
    // Iterative match with one backtrack point: linear in practice, never recursive.
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if *c == '?' || *c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

/// A string or a list of strings (IAM accepts both); anything else is none.
fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether a statement's principal names Route 53's DNSSEC service (or everyone).
fn names_principal(st: &Value) -> bool {
    match st.get("Principal") {
        Some(Value::String(s)) => s == "*",
        Some(Value::Object(m)) => {
            strings(m.get("Service")).contains(&DNSSEC_PRINCIPAL) || strings(m.get("AWS")) == ["*"]
        }
        _ => false,
    }
}

/// Whether a statement covers `action` (Action or NotAction, with wildcards).
fn covers_action(st: &Value, action: &str) -> bool {
    if let Some(a) = st.get("Action") {
        return strings(Some(a)).iter().any(|p| glob(p, action));
    }
    if let Some(na) = st.get("NotAction") {
        return !strings(Some(na)).iter().any(|p| glob(p, action));
    }
    false
}

/// Whether a statement covers the key (`Resource` `*` or the key's ARN, with wildcards; a key
/// policy's resource is the key itself).
fn covers_resource(st: &Value, arn: &str) -> bool {
    match st.get("Resource") {
        Some(r) => strings(Some(r)).iter().any(|p| glob(p, arn)),
        None => st
            .get("NotResource")
            .is_some_and(|nr| !strings(Some(nr)).iter().any(|p| glob(p, arn))),
    }
}

/// Checks that key policy `policy` (JSON) allows [`REQUIRED_ACTIONS`] to
/// [`DNSSEC_PRINCIPAL`] on key `arn`: an Allow statement naming the principal (as a string or
/// in a list), the action (string or list, wildcards such as `kms:*`) and the key, with no Deny
/// statement taking it back. Conditions cannot be evaluated here: they are ignored, with a
/// warning (an Allow under conditions counts as allowing; a Deny under conditions as not
/// denying).
pub fn check_policy(arn: &str, account: &str, policy: &str) -> Result<PolicyCheck, KskError> {
    let json_err = |reason: String| KskError::PolicyJson {
        arn: arn.to_string(),
        reason,
    };
    if policy.len() > MAX_POLICY_BYTES {
        return Err(json_err(format!(
            "{} bytes, over the limit of {MAX_POLICY_BYTES}",
            policy.len()
        )));
    }
    let doc: Value = serde_json::from_str(policy).map_err(|e| json_err(e.to_string()))?;
    let statements: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(s @ Value::Object(_)) => vec![s],
        _ => return Err(json_err("it has no Statement".into())),
    };
    let mut warnings = Vec::new();
    let mut missing = Vec::new();
    for action in REQUIRED_ACTIONS {
        let applies = |st: &Value, e: &str| {
            st.get("Effect").and_then(Value::as_str) == Some(e)
                && names_principal(st)
                && covers_action(st, action)
                && covers_resource(st, arn)
        };
        let allow: Vec<&Value> = statements
            .iter()
            .copied()
            .filter(|s| applies(s, "Allow"))
            .collect();
        let deny: Vec<&Value> = statements
            .iter()
            .copied()
            .filter(|s| applies(s, "Deny"))
            .collect();
        let sid = |s: &Value| {
            s.get("Sid")
                .and_then(Value::as_str)
                .map(|s| format!("statement {s:?}"))
                .unwrap_or_else(|| "a statement without Sid".into())
        };
        for s in allow.iter().chain(&deny) {
            if s.get("Condition").is_some() {
                let w = format!(
                    "{} has conditions for {DNSSEC_PRINCIPAL} that were not evaluated (counted as met for an Allow, not met for a Deny)",
                    sid(s)
                );
                if !warnings.contains(&w) {
                    warnings.push(w);
                }
            }
        }
        let denied = deny.iter().any(|s| s.get("Condition").is_none());
        if allow.is_empty() || denied {
            missing.push(action.to_string());
        }
    }
    if missing.is_empty() {
        Ok(PolicyCheck { warnings })
    } else {
        Err(KskError::PolicyMissing {
            arn: arn.to_string(),
            account: account.to_string(),
            missing,
        })
    }
}

/// The 64-byte X||Y of a P-256 public key from its DER SubjectPublicKeyInfo (what KMS
/// GetPublicKey returns): the fixed 27-byte prefix, checked byte for byte, then the point.
pub fn public_key_from_spki(der: &[u8]) -> Result<[u8; 64], KskError> {
    if der.len() != P256_SPKI_PREFIX.len() + 64 {
        return Err(KskError::PublicKey(format!(
            "{} bytes, a P-256 one has {}",
            der.len(),
            P256_SPKI_PREFIX.len() + 64
        )));
    }
    let (prefix, point) = der.split_at(P256_SPKI_PREFIX.len());
    if prefix != P256_SPKI_PREFIX {
        return Err(KskError::PublicKey(
            "its algorithm or curve is not id-ecPublicKey/prime256v1 with an uncompressed point"
                .into(),
        ));
    }
    let mut out = [0u8; 64];
    out.copy_from_slice(point);
    Ok(out)
}

/// What a KSK publishes, as Route 53's `KeySigningKey` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KskRecords {
    pub key_tag: u16,
    /// DS digest (SHA-256 of owner name and DNSKEY RDATA), upper-case hex.
    pub digest_value: String,
    /// Base64 of the 64-byte X||Y.
    pub public_key: String,
    /// `257 3 13 <base64>`.
    pub dnskey_record: String,
    /// `<tag> 13 2 <DIGEST>`.
    pub ds_record: String,
}

/// The KSK DNSKEY of public key `public_key` (X||Y).
pub fn dnskey(public_key: &[u8; 64]) -> DNSKEY {
    DNSKEY::with_flags(
        FLAGS,
        PublicKeyBuf::new(public_key.to_vec(), Algorithm::ECDSAP256SHA256),
    )
}

/// The DNSKEY and DS a KSK with public key `public_key` has at the apex of `zone` (key tag by
/// RFC 4034 Appendix B over the DNSKEY RDATA).
pub fn records(zone: &Name, public_key: &[u8; 64]) -> Result<KskRecords, KskError> {
    let key = dnskey(public_key);
    let owner = hickory_proto::rr::Name::from_ascii(format!("{}.", zone.as_str()))
        .map_err(|e| KskError::Digest(e.to_string()))?;
    let key_tag = key
        .calculate_key_tag()
        .map_err(|e| KskError::Digest(e.to_string()))?;
    let digest = key
        .to_digest(&owner, DigestType::SHA256)
        .map_err(|e| KskError::Digest(e.to_string()))?;
    let digest_value = data_encoding::HEXUPPER.encode(digest.as_ref());
    let public_key = data_encoding::BASE64.encode(public_key);
    Ok(KskRecords {
        key_tag,
        ds_record: format!("{key_tag} {ALGORITHM} {DIGEST_TYPE} {digest_value}"),
        dnskey_record: format!("{FLAGS} 3 {ALGORITHM} {public_key}"),
        digest_value,
        public_key,
    })
}

/// Whether DS RDATA text `ds` ("TAG ALG DIGEST-TYPE HEX", hex in any case, possibly split by
/// blanks) is the DS of the KSK with `dnskey_record` at the apex of `zone`, with any digest type
/// the DS uses (SHA-256 or SHA-384).
pub fn ds_matches(zone: &Name, dnskey_record: &str, ds: &str) -> bool {
    let mut t = ds.split_whitespace();
    let (Some(tag), Some(alg), Some(dt)) = (t.next(), t.next(), t.next()) else {
        return false;
    };
    let digest: String = t.collect::<String>().to_ascii_uppercase();
    let kind = match dt {
        "2" => crate::dnskey::DsDigest::Sha256,
        "4" => crate::dnskey::DsDigest::Sha384,
        _ => return false,
    };
    match crate::dnskey::ds_record(zone, dnskey_record, kind) {
        Ok(mine) => mine == format!("{tag} {alg} {dt} {digest}"),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    #[test]
    fn names_are_3_to_128_letters_digits_underscores() {
        assert!(valid_name("ksk_1").is_ok());
        assert!(valid_name(&"a".repeat(128)).is_ok());
        assert!(matches!(valid_name("ab"), Err(KskError::NameLength(_, 2))));
        assert!(matches!(
            valid_name(&"a".repeat(129)),
            Err(KskError::NameLength(_, 129))
        ));
        assert!(matches!(
            valid_name("my-key"),
            Err(KskError::NameChar { ch: '-', .. })
        ));
        assert!(matches!(
            valid_name("clé_1"),
            Err(KskError::NameChar { ch: 'é', .. })
        ));
    }

    #[test]
    fn arns_are_key_arns_and_the_region_must_be_us_east_1() {
        let a = check_region(ARN).unwrap();
        assert_eq!(a.account, "123456789012");
        assert_eq!(a.key_id, "1234abcd-12ab-34cd-56ef-1234567890ab");
        let west = ARN.replace("us-east-1", "eu-west-1");
        assert!(
            matches!(check_region(&west), Err(KskError::Region { region, .. }) if region == "eu-west-1")
        );
        for bad in [
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:us-east-1:123456789012:alias/dnssec",
            "arn:aws:s3:us-east-1:123456789012:key/x",
            "arn:aws:kms:us-east-1:12345:key/x",
            "arn:aws:kms:us-east-1:123456789012:key/",
            "arn:aws:kms:us-east-1:123456789012:key/a/b",
        ] {
            assert!(matches!(parse_kms_arn(bad), Err(KskError::Arn(_))), "{bad}");
        }
    }

    #[test]
    fn key_spec_usage_and_state_are_checked_in_that_order() {
        let good = KeyFacts {
            key_spec: KEY_SPEC.into(),
            key_usage: KEY_USAGE.into(),
            key_state: KEY_STATE.into(),
        };
        assert!(check_key(ARN, &good).is_ok());
        let rsa = KeyFacts {
            key_spec: "RSA_2048".into(),
            key_state: "Disabled".into(),
            ..good.clone()
        };
        assert!(matches!(
            check_key(ARN, &rsa),
            Err(KskError::KeySpec { .. })
        ));
        let enc = KeyFacts {
            key_usage: "ENCRYPT_DECRYPT".into(),
            ..good.clone()
        };
        assert!(matches!(
            check_key(ARN, &enc),
            Err(KskError::KeyUsage { .. })
        ));
        let pending = KeyFacts {
            key_state: "PendingDeletion".into(),
            ..good
        };
        let e = check_key(ARN, &pending).unwrap_err();
        assert!(e.to_string().contains("PendingDeletion"), "{e}");
    }

    fn policy(statements: &str) -> String {
        format!(r#"{{"Version":"2012-10-17","Statement":{statements}}}"#)
    }

    const ROOT: &str = r#"{"Sid":"root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"}"#;

    #[test]
    fn aws_example_policy_is_accepted_with_a_warning_about_its_conditions() {
        let p = policy(&format!("[{ROOT},{}]", policy_statement("123456789012")));
        let c = check_policy(ARN, "123456789012", &p).unwrap();
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
        assert!(c.warnings[0].contains("Allow Route 53 DNSSEC Service"));
    }

    #[test]
    fn principal_and_action_may_be_strings_lists_or_wildcards() {
        for st in [
            r#"{"Effect":"Allow","Principal":{"Service":"dnssec-route53.amazonaws.com"},"Action":"kms:*","Resource":"*"}"#,
            r#"{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","dnssec-route53.amazonaws.com"]},"Action":["kms:DescribeKey","kms:Get*","KMS:SIGN"],"Resource":"*"}"#,
            r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}"#,
            r#"{"Effect":"Allow","Principal":{"Service":"dnssec-route53.amazonaws.com"},"NotAction":"kms:Decrypt","Resource":"arn:aws:kms:us-east-1:123456789012:key/*"}"#,
        ] {
            let p = policy(st);
            assert_eq!(
                check_policy(ARN, "123456789012", &p),
                Ok(PolicyCheck::default()),
                "{st}"
            );
        }
        // A single statement object instead of a list.
        let one = r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"dnssec-route53.amazonaws.com"},"Action":"kms:*","Resource":"*"}}"#;
        assert!(check_policy(ARN, "123456789012", one).is_ok());
    }

    #[test]
    fn a_missing_action_or_principal_is_refused_with_the_statement_to_add() {
        let only_root = policy(&format!("[{ROOT}]"));
        let e = check_policy(ARN, "123456789012", &only_root).unwrap_err();
        match &e {
            KskError::PolicyMissing { missing, .. } => assert_eq!(missing, &REQUIRED_ACTIONS),
            other => panic!("{other:?}"),
        }
        let text = e.to_string();
        assert!(text.contains(r#""Principal": { "Service": "dnssec-route53.amazonaws.com" }"#));
        assert!(
            text.contains(r#""aws:SourceAccount": "123456789012""#),
            "{text}"
        );
        let no_sign = policy(
            r#"[{"Effect":"Allow","Principal":{"Service":"dnssec-route53.amazonaws.com"},"Action":["kms:DescribeKey","kms:GetPublicKey"],"Resource":"*"}]"#,
        );
        match check_policy(ARN, "123456789012", &no_sign) {
            Err(KskError::PolicyMissing { missing, .. }) => assert_eq!(missing, ["kms:Sign"]),
            other => panic!("{other:?}"),
        }
        let other_key = policy(
            r#"[{"Effect":"Allow","Principal":{"Service":"dnssec-route53.amazonaws.com"},"Action":"kms:*","Resource":"arn:aws:kms:us-east-1:123456789012:key/other"}]"#,
        );
        assert!(check_policy(ARN, "123456789012", &other_key).is_err());
    }

    #[test]
    fn an_unconditional_deny_takes_an_allow_back() {
        let p = policy(
            r#"[{"Effect":"Allow","Principal":{"Service":"dnssec-route53.amazonaws.com"},"Action":"kms:*","Resource":"*"},
                {"Effect":"Deny","Principal":"*","Action":"kms:Sign","Resource":"*"}]"#,
        );
        match check_policy(ARN, "123456789012", &p) {
            Err(KskError::PolicyMissing { missing, .. }) => assert_eq!(missing, ["kms:Sign"]),
            other => panic!("{other:?}"),
        }
        let conditional = p.replace(
            r#""Resource":"*"}]"#,
            r#""Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]"#,
        );
        let c = check_policy(ARN, "123456789012", &conditional).unwrap();
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
    }

    #[test]
    fn policies_that_are_not_json_or_too_big_are_refused() {
        assert!(matches!(
            check_policy(ARN, "1", "{not json"),
            Err(KskError::PolicyJson { .. })
        ));
        assert!(matches!(
            check_policy(ARN, "1", "{}"),
            Err(KskError::PolicyJson { .. })
        ));
        let big = " ".repeat(MAX_POLICY_BYTES + 1);
        assert!(matches!(
            check_policy(ARN, "1", &big),
            Err(KskError::PolicyJson { .. })
        ));
    }

    #[test]
    fn globs() {
        assert!(glob("kms:*", "kms:Sign"));
        assert!(glob("*", "kms:Sign"));
        assert!(glob("kms:?ign", "kms:Sign"));
        assert!(glob("KMS:Get*Key", "kms:GetPublicKey"));
        assert!(!glob("kms:Get*Key", "kms:GetPublicKeys"));
        assert!(!glob("kms:Describe*", "kms:Sign"));
        assert!(glob("a*b*c", "aXXbYYbc"));
        assert!(!glob("", "x"));
    }

    /// A made-up point behind the real prefix: the prefix is checked byte for byte, the key tag
    /// is recomputed here by RFC 4034 Appendix B, and the DS agrees with `dnskey::ds_record`.
    #[test]
    fn spki_prefix_is_checked_and_records_follow_rfc_4034() {
        let point: [u8; 64] = std::array::from_fn(|i| i as u8 + 1);
        let mut der = P256_SPKI_PREFIX.to_vec();
        der.extend_from_slice(&point);
        assert_eq!(public_key_from_spki(&der).unwrap(), point);
        let mut wrong_curve = der.clone();
        wrong_curve[20] ^= 1;
        assert!(public_key_from_spki(&wrong_curve).is_err());
        assert!(public_key_from_spki(&der[..90]).is_err());
        assert!(public_key_from_spki(&[]).is_err());

        let zone = Name::parse("example.com.").unwrap();
        let r = records(&zone, &point).unwrap();
        assert_eq!(r.dnskey_record, format!("257 3 13 {}", r.public_key));
        // The same DS as the zone crate's own DS function (which the RFC 4509 vector checks).
        let ds = crate::dnskey::ds_record(&zone, &r.dnskey_record, crate::dnskey::DsDigest::Sha256)
            .unwrap();
        assert_eq!(r.ds_record, ds);
        assert!(r.ds_record.starts_with(&format!("{} 13 2 ", r.key_tag)));
        assert_eq!(r.digest_value.len(), 64);
        assert_eq!(r.digest_value, r.digest_value.to_ascii_uppercase());
        // RFC 4034 Appendix B by hand over the RDATA (flags, protocol, algorithm, key).
        let mut rdata = vec![0x01, 0x01, 3, 13];
        rdata.extend_from_slice(&point);
        let mut acc: u32 = 0;
        for (i, b) in rdata.iter().enumerate() {
            acc += if i % 2 == 0 {
                u32::from(*b) << 8
            } else {
                u32::from(*b)
            };
        }
        acc += (acc >> 16) & 0xffff;
        assert_eq!(r.key_tag, (acc & 0xffff) as u16);

        assert!(ds_matches(&zone, &r.dnskey_record, &r.ds_record));
        assert!(ds_matches(
            &zone,
            &r.dnskey_record,
            &r.ds_record.to_ascii_lowercase()
        ));
        let sha384 =
            crate::dnskey::ds_record(&zone, &r.dnskey_record, crate::dnskey::DsDigest::Sha384)
                .unwrap();
        assert!(ds_matches(&zone, &r.dnskey_record, &sha384));
        let other = Name::parse("example.net").unwrap();
        assert!(!ds_matches(&other, &r.dnskey_record, &r.ds_record));
        assert!(!ds_matches(&zone, &r.dnskey_record, "1 13 2 AB"));
        assert!(!ds_matches(&zone, &r.dnskey_record, "garbage"));
    }
}
