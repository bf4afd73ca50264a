//! The DS record a parent publishes for a zone's DNSKEY (RFC 4034 §5.1.4, RFC 4509): what a
//! registrar or parent zone is given to link the chain of trust.

use hickory_proto::dnssec::rdata::DNSKEY;
use hickory_proto::dnssec::{Algorithm, DigestType, PublicKeyBuf};

use crate::name::Name;

/// DNSKEY presentation text longer than this is refused (a 4096-bit RSA key is about 700).
pub const MAX_DNSKEY_TEXT: usize = 8192;

/// A DS digest type a parent accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DsDigest {
    /// SHA-256 (digest type 2): what registries and Route 53 Domains ask for.
    Sha256,
    /// SHA-384 (digest type 4).
    Sha384,
}

impl DsDigest {
    fn code(self) -> u8 {
        match self {
            DsDigest::Sha256 => 2,
            DsDigest::Sha384 => 4,
        }
    }
    fn hickory(self) -> DigestType {
        match self {
            DsDigest::Sha256 => DigestType::SHA256,
            DsDigest::Sha384 => DigestType::SHA384,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DnskeyError {
    #[error("the DNSKEY is {0} characters long, over the limit of {MAX_DNSKEY_TEXT}")]
    TooLong(usize),
    #[error("expected \"FLAGS PROTOCOL ALGORITHM PUBLIC-KEY\" (e.g. \"257 3 13 mdsswUyr…\"), {0}")]
    Shape(String),
    #[error("the protocol field is {0}; a DNSKEY's is always 3")]
    Protocol(String),
    #[error("flags {0} do not mark a zone key (bit 7, value 256): a parent's DS must point at a zone key such as 257")]
    NotZoneKey(u16),
    #[error(
        "algorithm 1 (RSA/MD5) is obsolete and has another key tag rule; use a current algorithm"
    )]
    RsaMd5,
    #[error("the public key is not valid base64: {0}")]
    Base64(String),
    #[error("algorithm {algorithm} public keys are {want}; this one decodes to {got} bytes")]
    KeyLength {
        algorithm: u8,
        got: usize,
        want: String,
    },
    #[error("cannot compute the digest: {0}")]
    Digest(String),
}

/// The DS record data (`KEY-TAG ALGORITHM DIGEST-TYPE DIGEST`, digest in upper-case hex) for the
/// DNSKEY given in presentation form (`FLAGS PROTOCOL ALGORITHM BASE64`, the key may be split by
/// spaces) at the apex of `zone`.
pub fn ds_record(zone: &Name, dnskey: &str, digest: DsDigest) -> Result<String, DnskeyError> {
    let rdata = parse_dnskey(dnskey)?;
    let algorithm = u8::from(hickory_proto::dnssec::PublicKey::algorithm(
        rdata.public_key(),
    ));
    let owner = hickory_proto::rr::Name::from_ascii(format!("{}.", zone.as_str()))
        .map_err(|e| DnskeyError::Digest(e.to_string()))?;
    let tag = rdata
        .calculate_key_tag()
        .map_err(|e| DnskeyError::Digest(e.to_string()))?;
    let d = rdata
        .to_digest(&owner, digest.hickory())
        .map_err(|e| DnskeyError::Digest(e.to_string()))?;
    Ok(format!(
        "{tag} {algorithm} {} {}",
        digest.code(),
        data_encoding::HEXUPPER.encode(d.as_ref())
    ))
}

/// A DNSKEY's RDATA from its presentation form (`FLAGS PROTOCOL ALGORITHM BASE64`, the key may
/// be split by spaces); only zone keys (flag 256) are taken. hickory's zone-file parser refuses
/// DNSKEY records, so this one reads them.
pub fn parse_dnskey(dnskey: &str) -> Result<DNSKEY, DnskeyError> {
    if dnskey.len() > MAX_DNSKEY_TEXT {
        return Err(DnskeyError::TooLong(dnskey.len()));
    }
    let mut tokens = dnskey.split_whitespace();
    let mut next = |what: &str| {
        tokens
            .next()
            .ok_or_else(|| DnskeyError::Shape(format!("the {what} is missing")))
    };
    let flags = next("flags")?;
    let flags: u16 = flags
        .parse()
        .map_err(|_| DnskeyError::Shape(format!("flags {flags:?} are not a number 0-65535")))?;
    let protocol = next("protocol")?;
    if protocol != "3" {
        return Err(DnskeyError::Protocol(protocol.to_string()));
    }
    let algorithm = next("algorithm")?;
    let algorithm: u8 = algorithm.parse().map_err(|_| {
        DnskeyError::Shape(format!("algorithm {algorithm:?} is not a number 0-255"))
    })?;
    let key: String = tokens.collect();
    if key.is_empty() {
        return Err(DnskeyError::Shape("the public key is missing".into()));
    }
    if flags & 0x0100 == 0 {
        return Err(DnskeyError::NotZoneKey(flags));
    }
    if algorithm == 1 {
        return Err(DnskeyError::RsaMd5);
    }
    let key = data_encoding::BASE64
        .decode(key.as_bytes())
        .map_err(|e| DnskeyError::Base64(e.to_string()))?;
    let alg = Algorithm::from_u8(algorithm);
    Ok(DNSKEY::with_flags(flags, PublicKeyBuf::new(key, alg)))
}

/// Checks that `key` (base64) decodes to a public key of the shape DNSSEC algorithm `algorithm`
/// defines (RFC 6605 ECDSA: 64/96 bytes; RFC 8080 EdDSA: 32/57 bytes; RFC 3110 RSA: exponent
/// length, exponent, a 512- to 4096-bit modulus). Other algorithms are only checked to decode.
pub fn check_public_key(algorithm: u8, key: &str) -> Result<Vec<u8>, DnskeyError> {
    if key.len() > MAX_DNSKEY_TEXT {
        return Err(DnskeyError::TooLong(key.len()));
    }
    let compact: String = key.split_whitespace().collect();
    let bytes = data_encoding::BASE64
        .decode(compact.as_bytes())
        .map_err(|e| DnskeyError::Base64(e.to_string()))?;
    let fixed = match algorithm {
        13 => Some(64),
        14 => Some(96),
        15 => Some(32),
        16 => Some(57),
        _ => None,
    };
    if let Some(want) = fixed {
        if bytes.len() != want {
            return Err(DnskeyError::KeyLength {
                algorithm,
                got: bytes.len(),
                want: format!("{want} bytes"),
            });
        }
    }
    if matches!(algorithm, 5 | 7 | 8 | 10) {
        // RFC 3110 §2: one length byte, or 0 then two length bytes, then exponent and modulus.
        let (exp_len, rest) = match bytes.split_first() {
            Some((&0, rest)) => match rest {
                [hi, lo, rest @ ..] => ((usize::from(*hi) << 8) | usize::from(*lo), rest),
                _ => (usize::MAX, rest),
            },
            Some((&n, rest)) => (usize::from(n), rest),
            None => (usize::MAX, &[][..]),
        };
        let modulus = rest.len().checked_sub(exp_len).filter(|_| exp_len > 0);
        if !modulus.is_some_and(|m| (64..=512).contains(&m)) {
            return Err(DnskeyError::KeyLength {
                algorithm,
                got: bytes.len(),
                want: "an RFC 3110 exponent and a 512- to 4096-bit modulus".into(),
            });
        }
    }
    Ok(bytes)
}

/// A DS record's parts as [`ds_record`] writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsParts {
    pub key_tag: u16,
    pub algorithm: u8,
    pub digest_type: u8,
    /// Upper-case hex.
    pub digest: String,
}

impl DsParts {
    /// The DS RDATA text, `TAG ALG DT HEX`.
    pub fn text(&self) -> String {
        format!(
            "{} {} {} {}",
            self.key_tag, self.algorithm, self.digest_type, self.digest
        )
    }
}

/// [`ds_record`] for a key given as its fields (flags, algorithm, base64 public key), in parts.
pub fn ds_parts(
    zone: &Name,
    flags: u16,
    algorithm: u8,
    public_key: &str,
    digest: DsDigest,
) -> Result<DsParts, DnskeyError> {
    let text = ds_record(zone, &format!("{flags} 3 {algorithm} {public_key}"), digest)?;
    let mut it = text.split(' ');
    let mut num = || it.next().and_then(|t| t.parse::<u32>().ok());
    let (Some(tag), Some(alg), Some(dt)) = (num(), num(), num()) else {
        return Err(DnskeyError::Digest(format!("unexpected DS text {text:?}")));
    };
    let digest = text.rsplit(' ').next().unwrap_or_default().to_string();
    Ok(DsParts {
        key_tag: u16::try_from(tag).map_err(|e| DnskeyError::Digest(e.to_string()))?,
        algorithm: u8::try_from(alg).map_err(|e| DnskeyError::Digest(e.to_string()))?,
        digest_type: u8::try_from(dt).map_err(|e| DnskeyError::Digest(e.to_string()))?,
        digest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 4509 §2.2.1's example: dskey.example.com.'s DNSKEY and its SHA-256 DS.
    const RFC4509_KEY: &str = "256 3 5 AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==";
    const RFC4509_DS: &str =
        "60485 5 2 D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A";

    fn zone(s: &str) -> Name {
        Name::parse(s).unwrap()
    }

    #[test]
    fn the_rfc_4509_example() {
        let ds = ds_record(&zone("dskey.example.com"), RFC4509_KEY, DsDigest::Sha256).unwrap();
        assert_eq!(ds, RFC4509_DS);
    }

    #[test]
    fn the_key_may_be_split_and_the_owner_is_compared_in_lower_case() {
        let (head, tail) = RFC4509_KEY.split_at(60);
        let split = format!("  {head}\n {tail} ");
        let ds = ds_record(&zone("DSKEY.Example.COM."), &split, DsDigest::Sha256).unwrap();
        assert_eq!(ds, RFC4509_DS);
    }

    #[test]
    fn sha_384_has_digest_type_4_and_96_hex_digits() {
        let ds = ds_record(&zone("dskey.example.com"), RFC4509_KEY, DsDigest::Sha384).unwrap();
        let parts: Vec<&str> = ds.split(' ').collect();
        assert_eq!(&parts[..3], &["60485", "5", "4"]);
        assert_eq!(parts[3].len(), 96);
    }

    #[test]
    fn bad_keys_say_what_is_wrong() {
        let z = zone("example.com");
        let err = |k: &str| ds_record(&z, k, DsDigest::Sha256).unwrap_err();
        assert!(matches!(err(""), DnskeyError::Shape(_)));
        assert!(matches!(err("257 3"), DnskeyError::Shape(_)));
        assert!(matches!(err("257 3 13"), DnskeyError::Shape(_)));
        assert!(matches!(err("x 3 13 AAAA"), DnskeyError::Shape(_)));
        assert!(matches!(err("70000 3 13 AAAA"), DnskeyError::Shape(_)));
        assert!(matches!(err("257 2 13 AAAA"), DnskeyError::Protocol(_)));
        assert!(matches!(err("1 3 13 AAAA"), DnskeyError::NotZoneKey(1)));
        assert!(matches!(err("257 3 1 AAAA"), DnskeyError::RsaMd5));
        assert!(matches!(err("257 3 13 A!AA"), DnskeyError::Base64(_)));
        let long = format!("257 3 13 {}", "A".repeat(MAX_DNSKEY_TEXT));
        assert!(matches!(err(&long), DnskeyError::TooLong(_)));
    }

    #[test]
    fn public_keys_are_checked_for_their_algorithm() {
        let p256 = data_encoding::BASE64.encode(&[7u8; 64]);
        assert_eq!(check_public_key(13, &p256).unwrap().len(), 64);
        assert!(matches!(
            check_public_key(14, &p256),
            Err(DnskeyError::KeyLength { got: 64, .. })
        ));
        assert!(matches!(
            check_public_key(15, "AAAA"),
            Err(DnskeyError::KeyLength { .. })
        ));
        assert!(matches!(
            check_public_key(13, "A!"),
            Err(DnskeyError::Base64(_))
        ));
        // RSA: the RFC 4509 key (exponent length 3, 1024-bit modulus) passes; no modulus fails.
        let rsa = RFC4509_KEY.split(' ').nth(3).unwrap();
        assert!(check_public_key(8, rsa).is_ok());
        assert!(check_public_key(8, &data_encoding::BASE64.encode(&[3, 1, 0, 1])).is_err());
        assert!(check_public_key(8, &data_encoding::BASE64.encode(&[0])).is_err());
        assert!(check_public_key(8, "").is_err());
    }

    #[test]
    fn ds_parts_match_the_text() {
        let rsa = RFC4509_KEY.split(' ').nth(3).unwrap();
        let p = ds_parts(&zone("dskey.example.com"), 256, 5, rsa, DsDigest::Sha256).unwrap();
        assert_eq!(p.text(), RFC4509_DS);
        assert_eq!((p.key_tag, p.algorithm, p.digest_type), (60485, 5, 2));
    }
}
