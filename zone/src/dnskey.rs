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
}
