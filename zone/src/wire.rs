//! DNS resource records (hickory's types, as read from zone files and zone transfers) in
//! Route 53's terms: record type, owner name and the value in the syntax Route 53 stores.

use hickory_proto::rr::{self as h, RData};

use crate::name::normalise;
use crate::rdata::RecordType;

/// DNSSEC records that a signed zone carries: Route 53 signs zones itself, so these are never
/// copied (the conversion report says so, because a DS at the parent then needs attention).
/// CDS/CDNSKEY (RFC 7344, which signers such as Knot publish at the apex by default) are among
/// them: Route 53 cannot hold either type.
pub(crate) fn is_dnssec_signing_type(t: h::RecordType) -> bool {
    use h::RecordType as T;
    matches!(
        t,
        T::RRSIG
            | T::NSEC
            | T::NSEC3
            | T::NSEC3PARAM
            | T::DNSKEY
            | T::KEY
            | T::SIG
            | T::CDS
            | T::CDNSKEY
    )
}

/// An owner or target name as Route 53 writes it: lower case, no trailing dot, and characters
/// outside letters, digits, `-`, `_` and `*` as `\ooo` octal escapes.
pub(crate) fn name_to_route53(n: &h::Name) -> String {
    let mut out = String::new();
    for (i, label) in n.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        for &b in label {
            let c = b.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'*' {
                out.push(c as char);
            } else {
                out.push_str(&format!("\\{c:03o}"));
            }
        }
    }
    normalise(&out)
}

fn host(n: &h::Name) -> String {
    let s = name_to_route53(n);
    if s.is_empty() {
        ".".to_string()
    } else {
        format!("{s}.")
    }
}

/// One character string as Route 53 quotes it (octal escapes for bytes outside printable ASCII).
fn quote(bytes: &[u8]) -> String {
    crate::rdata::quote_route53(bytes)
}

/// Mnemonics of types hickory has no variant for, so reports name them (RFC 3597 `TYPEnnn`
/// otherwise).
const OTHER_TYPES: [(&str, u16); 14] = [
    ("HINFO", 13),
    ("MINFO", 14),
    ("RP", 17),
    ("AFSDB", 18),
    ("X25", 19),
    ("ISDN", 20),
    ("RT", 21),
    ("PX", 26),
    ("GPOS", 27),
    ("LOC", 29),
    ("KX", 36),
    ("DNAME", 39),
    ("SPF", 99),
    ("URI", 256),
];

/// The mnemonic (or `TYPEnnn`) of a type code.
pub fn type_name(code: u16) -> String {
    match h::RecordType::from(code) {
        h::RecordType::Unknown(_) => OTHER_TYPES
            .iter()
            .find(|(_, c)| *c == code)
            .map(|(n, _)| n.to_string())
            .unwrap_or_else(|| format!("TYPE{code}")),
        t => t.to_string(),
    }
}

/// The code of a type mnemonic or `TYPEnnn` that hickory's parser does not know.
pub(crate) fn type_code(name: &str) -> Option<u16> {
    let up = name.to_ascii_uppercase();
    if let Some(n) = up.strip_prefix("TYPE") {
        return n.parse().ok();
    }
    OTHER_TYPES.iter().find(|(n, _)| *n == up).map(|(_, c)| *c)
}

/// Why a record cannot become a Route 53 value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    /// The type's mnemonic, or `TYPEnnn` for unknown types.
    pub type_name: String,
}

/// The Route 53 type and wire value (TXT quoted, names absolute with the trailing dot) of one
/// resource record.
pub fn to_route53(data: &RData) -> Result<(RecordType, String), Unsupported> {
    let unsupported = || Unsupported {
        type_name: type_name(u16::from(data.record_type())),
    };
    Ok(match data {
        RData::A(a) => (RecordType::A, a.0.to_string()),
        RData::AAAA(a) => (RecordType::Aaaa, a.0.to_string()),
        RData::CNAME(n) => (RecordType::Cname, host(&n.0)),
        RData::NS(n) => (RecordType::Ns, host(&n.0)),
        RData::PTR(n) => (RecordType::Ptr, host(&n.0)),
        RData::MX(mx) => (
            RecordType::Mx,
            format!("{} {}", mx.preference(), host(mx.exchange())),
        ),
        RData::SRV(s) => (
            RecordType::Srv,
            format!(
                "{} {} {} {}",
                s.priority(),
                s.weight(),
                s.port(),
                host(s.target())
            ),
        ),
        RData::TXT(t) => (RecordType::Txt, txt_value(t.txt_data())),
        RData::CAA(c) => {
            let flags = if c.issuer_critical() { 128 } else { 0 };
            (
                RecordType::Caa,
                format!("{flags} {} {}", c.tag(), quote(c.raw_value())),
            )
        }
        RData::NAPTR(n) => (
            RecordType::Naptr,
            format!(
                "{} {} {} {} {} {}",
                n.order(),
                n.preference(),
                quote(n.flags()),
                quote(n.services()),
                quote(n.regexp()),
                host(n.replacement())
            ),
        ),
        RData::SSHFP(s) => (RecordType::Sshfp, s.to_string().to_ascii_uppercase()),
        RData::TLSA(t) => (RecordType::Tlsa, t.to_string().to_ascii_uppercase()),
        RData::SVCB(s) => (RecordType::Svcb, svcb_value(s)),
        RData::HTTPS(s) => (RecordType::Https, svcb_value(&s.0)),
        RData::SOA(s) => (
            RecordType::Soa,
            format!(
                "{} {} {} {} {} {} {}",
                host(s.mname()),
                host(s.rname()),
                s.serial(),
                s.refresh(),
                s.retry(),
                s.expire(),
                s.minimum()
            ),
        ),
        RData::DNSSEC(hickory_proto::dnssec::rdata::DNSSECRData::DS(ds)) => (
            RecordType::Ds,
            format!(
                "{} {} {} {}",
                ds.key_tag(),
                u8::from(ds.algorithm()),
                u8::from(ds.digest_type()),
                data_encoding_hex(ds.digest())
            ),
        ),
        // SPF has no variant of its own in hickory; it arrives as an unknown type 99.
        RData::Unknown { code, rdata } if u16::from(*code) == 99 => {
            (RecordType::Spf, spf_value(rdata.anything()))
        }
        _ => return Err(unsupported()),
    })
}

fn txt_value(strings: &[Box<[u8]>]) -> String {
    if strings.is_empty() {
        return "\"\"".to_string();
    }
    strings
        .iter()
        .map(|s| quote(s))
        .collect::<Vec<_>>()
        .join(" ")
}

/// SPF rdata is TXT-shaped: a sequence of length-prefixed strings.
fn spf_value(rdata: &[u8]) -> String {
    let mut strings: Vec<Box<[u8]>> = Vec::new();
    let mut i = 0;
    while i < rdata.len() {
        let n = rdata[i] as usize;
        let end = (i + 1 + n).min(rdata.len());
        strings.push(rdata[i + 1..end].into());
        i = end;
    }
    txt_value(&strings)
}

fn svcb_value(s: &h::rdata::SVCB) -> String {
    let mut v = format!("{} {}", s.svc_priority(), host(s.target_name()));
    use h::rdata::svcb::SvcParamValue as V;
    fn list<T: std::fmt::Display>(v: &[T]) -> String {
        v.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(",")
    }
    for (k, val) in s.svc_params() {
        // hickory's Display leaves a trailing comma after lists
        let shown = match val {
            V::Mandatory(m) => list(&m.0),
            V::Alpn(a) => list(&a.0),
            V::Ipv4Hint(h) => list(&h.0),
            V::Ipv6Hint(h) => list(&h.0),
            other => other.to_string(),
        };
        if shown.is_empty() {
            v.push_str(&format!(" {k}"));
        } else {
            v.push_str(&format!(" {k}={shown}"));
        }
    }
    v
}

fn data_encoding_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn rd(ty: &str, text: &str) -> RData {
        let z = crate::zonefile::parse_str(
            &format!("x 300 IN {ty} {text}\n"),
            std::path::Path::new("t.zone"),
            "example.com",
        )
        .unwrap();
        z.records[0].data().clone()
    }

    #[test]
    fn names_become_route53_form() {
        let n = h::Name::from_str("*.WWW.Example.COM.").unwrap();
        assert_eq!(name_to_route53(&n), "*.www.example.com");
    }

    #[test]
    fn values_in_route53_syntax() {
        assert_eq!(
            to_route53(&rd("MX", "10 mail")).unwrap(),
            (RecordType::Mx, "10 mail.example.com.".into())
        );
        assert_eq!(
            to_route53(&rd("TXT", "\"a b\" \"c\\\"d\"")).unwrap().1,
            "\"a b\" \"c\\\"d\""
        );
        assert_eq!(
            to_route53(&rd("CAA", "0 issue \"letsencrypt.org\""))
                .unwrap()
                .1,
            "0 issue \"letsencrypt.org\""
        );
        assert_eq!(
            to_route53(&rd("SRV", "1 2 443 svc")).unwrap().1,
            "1 2 443 svc.example.com."
        );
    }

    #[test]
    fn unsupported_types_are_named() {
        let e = to_route53(&rd("HINFO", "\"PC\" \"Linux\"")).unwrap_err();
        assert_eq!(e.type_name, "HINFO");
    }

    #[test]
    fn signer_records_are_dnssec_types_and_data_is_not() {
        use h::RecordType as T;
        for t in [
            T::RRSIG,
            T::NSEC,
            T::DNSKEY,
            T::CDS,
            T::CDNSKEY,
            T::NSEC3PARAM,
        ] {
            assert!(is_dnssec_signing_type(t), "{t}");
        }
        // DS is the parent's data for a child zone: kept (the report notes it).
        for t in [T::DS, T::A, T::TXT, T::NS, T::SOA] {
            assert!(!is_dnssec_signing_type(t), "{t}");
        }
    }
}
