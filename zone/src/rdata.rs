//! Record types and values: validation of each value's syntax, and the mapping between what users
//! write and what Route 53 stores (the "wire" presentation form).

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// Every record type Route 53 hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordType {
    A,
    Aaaa,
    Caa,
    Cname,
    Ds,
    Https,
    Mx,
    Naptr,
    Ns,
    Ptr,
    Soa,
    Spf,
    Srv,
    Sshfp,
    Svcb,
    Tlsa,
    Txt,
}

impl RecordType {
    pub const ALL: [RecordType; 17] = [
        RecordType::A,
        RecordType::Aaaa,
        RecordType::Caa,
        RecordType::Cname,
        RecordType::Ds,
        RecordType::Https,
        RecordType::Mx,
        RecordType::Naptr,
        RecordType::Ns,
        RecordType::Ptr,
        RecordType::Soa,
        RecordType::Spf,
        RecordType::Srv,
        RecordType::Sshfp,
        RecordType::Svcb,
        RecordType::Tlsa,
        RecordType::Txt,
    ];
    pub fn as_str(&self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Caa => "CAA",
            RecordType::Cname => "CNAME",
            RecordType::Ds => "DS",
            RecordType::Https => "HTTPS",
            RecordType::Mx => "MX",
            RecordType::Naptr => "NAPTR",
            RecordType::Ns => "NS",
            RecordType::Ptr => "PTR",
            RecordType::Soa => "SOA",
            RecordType::Spf => "SPF",
            RecordType::Srv => "SRV",
            RecordType::Sshfp => "SSHFP",
            RecordType::Svcb => "SVCB",
            RecordType::Tlsa => "TLSA",
            RecordType::Txt => "TXT",
        }
    }
    /// Types whose values are quoted character strings.
    pub fn is_text(&self) -> bool {
        matches!(self, RecordType::Txt | RecordType::Spf)
    }
    /// Types an alias record may have.
    pub fn can_alias(&self) -> bool {
        matches!(
            self,
            RecordType::A
                | RecordType::Aaaa
                | RecordType::Cname
                | RecordType::Caa
                | RecordType::Mx
                | RecordType::Naptr
                | RecordType::Ptr
                | RecordType::Spf
                | RecordType::Srv
                | RecordType::Txt
                | RecordType::Https
                | RecordType::Svcb
        )
    }
}

impl serde::Serialize for RecordType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for RecordType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RecordType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let up = s.trim().to_ascii_uppercase();
        RecordType::ALL
            .iter()
            .find(|t| t.as_str() == up)
            .copied()
            .ok_or_else(|| {
                format!(
                    "{s:?} is not a record type Route 53 hosts (one of {})",
                    RecordType::ALL.map(|t| t.as_str()).join(", ")
                )
            })
    }
}

/// Splits a logical TXT string into Route 53's form: quoted strings of at most 255 bytes, with `"`
/// and `\` escaped and bytes outside printable ASCII as `\ooo` octal escapes (the form Route 53
/// lists them in). A value already written as quoted strings is kept as the user wrote it.
pub fn encode_user_value(ty: RecordType, v: &str) -> String {
    if !ty.is_text() || is_quoted_form(v) {
        return v.to_string();
    }
    text_strings(v)
        .into_iter()
        .map(|p| quote_route53(p.as_bytes()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Splits logical text into DNS character strings of at most 255 bytes, never inside a UTF-8
/// character; empty text is one empty string.
pub fn text_strings(v: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = v;
    loop {
        let mut end = rest.len().min(255);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let (head, tail) = rest.split_at(end);
        parts.push(head);
        rest = tail;
        if rest.is_empty() {
            return parts;
        }
    }
}

/// One character string as Route 53 writes it: `"` and `\` escaped, every byte outside
/// printable ASCII as a `\ooo` octal escape.
pub fn quote_route53(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 2);
    s.push('"');
    for &b in bytes {
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\{b:03o}")),
        }
    }
    s.push('"');
    s
}

fn is_quoted_form(v: &str) -> bool {
    let t = v.trim();
    t.len() >= 2 && t.starts_with('"') && t.ends_with('"') && parse_string_bytes(t).is_some()
}

/// Parses `"a" "b\"c"` into its character strings; None when not well-formed or a string is
/// not UTF-8 (see [`parse_string_bytes`] for the bytes).
pub fn parse_character_strings(s: &str) -> Option<Vec<String>> {
    parse_string_bytes(s)?
        .into_iter()
        .map(|b| String::from_utf8(b).ok())
        .collect()
}

/// Route 53's quoted character strings as bytes: `\ooo` is an octal byte (as Route 53 writes
/// and reads them), `\X` is X; None when not well-formed.
pub fn parse_string_bytes(s: &str) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let b = s.trim().as_bytes();
    let mut i = 0;
    let oct = |c: u8| (b'0'..=b'7').contains(&c).then(|| c - b'0');
    while i < b.len() {
        let c = *b.get(i)?;
        i += 1;
        if c.is_ascii_whitespace() {
            continue;
        }
        if c != b'"' {
            return None;
        }
        let mut cur = Vec::new();
        loop {
            let c = *b.get(i)?;
            i += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let n = *b.get(i)?;
                    let three = b.get(i..i + 3).and_then(|d| {
                        let (x, y, z) = (oct(d[0])?, oct(d[1])?, oct(d[2])?);
                        u8::try_from(u32::from(x) * 64 + u32::from(y) * 8 + u32::from(z)).ok()
                    });
                    match three {
                        Some(v) => {
                            cur.push(v);
                            i += 3;
                        }
                        None => {
                            cur.push(n);
                            i += 1;
                        }
                    }
                }
                other => cur.push(other),
            }
        }
        out.push(cur);
    }
    Some(out)
}

/// The user form of a value Route 53 returned: for TXT, a single string (or strings we split at 255
/// bytes) becomes the plain logical text; anything else stays in quoted form (so do strings that
/// are not UTF-8, and text that would itself read as quoted strings).
pub fn decode_wire_value(ty: RecordType, wire: &str) -> String {
    if !ty.is_text() {
        return wire.to_string();
    }
    let Some(parts) = parse_string_bytes(wire) else {
        return wire.to_string();
    };
    let split_by_us = match parts.split_last() {
        Some((_, init)) => init.iter().all(|p| p.len() == 255 || p.len() >= 252),
        None => false,
    };
    if parts.len() != 1 && !split_by_us {
        return wire.to_string();
    }
    let Ok(joined) = String::from_utf8(parts.concat()) else {
        return wire.to_string();
    };
    if !is_quoted_form(&joined) && encode_user_value(ty, &joined) == normalise_quoted(wire) {
        joined
    } else {
        wire.to_string()
    }
}

fn normalise_quoted(wire: &str) -> String {
    match parse_string_bytes(wire) {
        Some(parts) => parts
            .iter()
            .map(|p| quote_route53(p))
            .collect::<Vec<_>>()
            .join(" "),
        None => wire.to_string(),
    }
}

/// The canonical comparison form of a value: what Route 53 would store, with host names lower-cased
/// and their trailing dots removed and white space folded.
pub fn canonical_value(ty: RecordType, v: &str) -> String {
    let v = v.trim();
    match ty {
        RecordType::Txt | RecordType::Spf => normalise_quoted(&encode_user_value(ty, v)),
        RecordType::A => v
            .parse::<Ipv4Addr>()
            .map(|a| a.to_string())
            .unwrap_or_else(|_| v.to_string()),
        RecordType::Aaaa => v
            .parse::<Ipv6Addr>()
            .map(|a| a.to_string())
            .unwrap_or_else(|_| v.to_string()),
        RecordType::Cname | RecordType::Ns | RecordType::Ptr => host(v),
        RecordType::Mx | RecordType::Srv => {
            let mut f: Vec<String> = v.split_whitespace().map(str::to_string).collect();
            if let Some(last) = f.last_mut() {
                *last = host(last);
            }
            f.join(" ")
        }
        _ => v
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase(),
    }
}

fn host(h: &str) -> String {
    let h = h.trim().to_ascii_lowercase();
    h.strip_suffix('.').map(str::to_string).unwrap_or(h)
}

/// Whether two value sets mean the same to Route 53 (order- and form-insensitive).
pub fn values_equivalent(ty: RecordType, a: &[String], b: &[String]) -> bool {
    let mut ca: Vec<String> = a.iter().map(|v| canonical_value(ty, v)).collect();
    let mut cb: Vec<String> = b.iter().map(|v| canonical_value(ty, v)).collect();
    ca.sort();
    cb.sort();
    ca.dedup();
    cb.dedup();
    ca == cb
}

/// Checks one value's syntax for its type, as Route 53 would. Returns why it is invalid.
pub fn check_value(ty: RecordType, v: &str) -> Result<(), String> {
    let t = v.trim();
    if t.is_empty() {
        return Err("the value is empty".into());
    }
    let fields: Vec<&str> = t.split_whitespace().collect();
    let num = |s: &str, max: u64, what: &str| -> Result<(), String> {
        match s.parse::<u64>() {
            Ok(n) if n <= max => Ok(()),
            _ => Err(format!(
                "{what} must be a number from 0 to {max}, not {s:?}"
            )),
        }
    };
    let need = |n: usize, form: &str| -> Result<(), String> {
        if fields.len() == n {
            Ok(())
        } else {
            Err(format!("a {ty} value has the form {form:?}; got {t:?}"))
        }
    };
    match ty {
        RecordType::A => t
            .parse::<Ipv4Addr>()
            .map(|_| ())
            .map_err(|_| format!("{t:?} is not an IPv4 address")),
        RecordType::Aaaa => t
            .parse::<Ipv6Addr>()
            .map(|_| ())
            .map_err(|_| format!("{t:?} is not an IPv6 address")),
        RecordType::Cname | RecordType::Ns | RecordType::Ptr => {
            need(1, "host.name")?;
            check_host(t)
        }
        RecordType::Mx => {
            need(2, "priority host")?;
            num(fields[0], 65535, "the priority")?;
            check_host(fields[1])
        }
        RecordType::Srv => {
            need(4, "priority weight port target")?;
            num(fields[0], 65535, "the priority")?;
            num(fields[1], 65535, "the weight")?;
            num(fields[2], 65535, "the port")?;
            check_host(fields[3])
        }
        RecordType::Caa => {
            if fields.len() < 3 {
                return Err(format!(
                    "a CAA value has the form \"flags tag \\\"value\\\"\"; got {t:?}"
                ));
            }
            num(fields[0], 255, "the flags")?;
            if !fields[1].chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(format!(
                    "CAA tag {:?} must be letters and digits",
                    fields[1]
                ));
            }
            Ok(())
        }
        RecordType::Ds => {
            need(4, "key-tag algorithm digest-type digest")?;
            num(fields[0], 65535, "the key tag")?;
            num(fields[1], 255, "the algorithm")?;
            num(fields[2], 255, "the digest type")?;
            hex(fields[3])
        }
        RecordType::Sshfp => {
            need(3, "algorithm fp-type fingerprint")?;
            num(fields[0], 255, "the algorithm")?;
            num(fields[1], 255, "the fingerprint type")?;
            hex(fields[2])
        }
        RecordType::Tlsa => {
            need(4, "usage selector matching-type data")?;
            num(fields[0], 255, "the usage")?;
            num(fields[1], 255, "the selector")?;
            num(fields[2], 255, "the matching type")?;
            hex(fields[3])
        }
        RecordType::Naptr => {
            if fields.len() < 6 {
                return Err(format!("a NAPTR value has the form 'order preference \"flags\" \"service\" \"regexp\" replacement'; got {t:?}"));
            }
            num(fields[0], 65535, "the order")?;
            num(fields[1], 65535, "the preference")
        }
        RecordType::Https | RecordType::Svcb => {
            if fields.len() < 2 {
                return Err(format!(
                    "a {ty} value has the form 'priority target [params]'; got {t:?}"
                ));
            }
            num(fields[0], 65535, "the priority")
        }
        RecordType::Soa => {
            need(7, "mname rname serial refresh retry expire minimum")?;
            fields[2..]
                .iter()
                .try_for_each(|f| num(f, u32::MAX as u64, "SOA timers and serial"))
        }
        RecordType::Txt | RecordType::Spf => {
            if is_quoted_form(t) || !t.starts_with('"') {
                Ok(())
            } else {
                Err(format!(
                    "{t:?} starts with a quote but is not a list of well-formed quoted strings"
                ))
            }
        }
    }
}

fn check_host(h: &str) -> Result<(), String> {
    if h == "." {
        return Ok(());
    }
    crate::name::Name::parse(h)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn hex(s: &str) -> Result<(), String> {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(format!("{s:?} is not hexadecimal"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_parse_case_insensitively() {
        assert_eq!("aaaa".parse::<RecordType>().unwrap(), RecordType::Aaaa);
        assert!("AXFR"
            .parse::<RecordType>()
            .unwrap_err()
            .contains("not a record type"));
    }

    #[test]
    fn txt_is_quoted_escaped_and_split_at_255() {
        assert_eq!(
            encode_user_value(RecordType::Txt, "v=spf1 -all"),
            "\"v=spf1 -all\""
        );
        assert_eq!(
            encode_user_value(RecordType::Txt, "say \"hi\""),
            "\"say \\\"hi\\\"\""
        );
        let long = "k".repeat(600);
        let enc = encode_user_value(RecordType::Txt, &long);
        let parts = parse_character_strings(&enc).unwrap();
        assert_eq!(
            parts.iter().map(String::len).collect::<Vec<_>>(),
            vec![255, 255, 90]
        );
        assert_eq!(decode_wire_value(RecordType::Txt, &enc), long);
        // explicitly quoted multi-string values stay as written
        assert_eq!(
            encode_user_value(RecordType::Txt, "\"a\" \"b\""),
            "\"a\" \"b\""
        );
        assert_eq!(
            decode_wire_value(RecordType::Txt, "\"a\" \"b\""),
            "\"a\" \"b\""
        );
        assert_eq!(
            decode_wire_value(RecordType::Txt, "\"say \\\"hi\\\"\""),
            "say \"hi\""
        );
    }

    /// Route 53 lists bytes outside printable ASCII as `\ooo` octal: read and written so.
    #[test]
    fn txt_octal_escapes_are_bytes() {
        assert_eq!(
            parse_string_bytes("\"a\\101\\377\\\"\\\\\" \"\""),
            Some(vec![vec![b'a', b'A', 0xff, b'"', b'\\'], vec![]])
        );
        assert_eq!(
            encode_user_value(RecordType::Txt, "é\t"),
            "\"\\303\\251\\011\""
        );
        assert_eq!(
            decode_wire_value(RecordType::Txt, "\"\\303\\251\\011\""),
            "é\t"
        );
        // Not UTF-8: stays in quoted form, and is sent as it was listed.
        assert_eq!(decode_wire_value(RecordType::Txt, "\"\\377\""), "\"\\377\"");
        assert_eq!(encode_user_value(RecordType::Txt, "\"\\377\""), "\"\\377\"");
        // Text that would itself read as quoted strings stays quoted (else it would be sent
        // without its quotes).
        let w = encode_user_value(RecordType::Txt, "\"a\"");
        assert_eq!(w, "\"a\"");
        assert_eq!(
            decode_wire_value(RecordType::Txt, "\"\\\"a\\\"\""),
            "\"\\\"a\\\"\""
        );
        assert!(values_equivalent(
            RecordType::Txt,
            &["caf\u{e9}".into()],
            &["\"caf\\303\\251\"".into()]
        ));
    }

    #[test]
    fn equivalence_ignores_case_dots_order() {
        let a = vec![
            "10 MX1.Example.com.".to_string(),
            "20 mx2.example.com".to_string(),
        ];
        let b = vec![
            "20 mx2.example.com.".to_string(),
            "10 mx1.example.com".to_string(),
        ];
        assert!(values_equivalent(RecordType::Mx, &a, &b));
        assert!(values_equivalent(
            RecordType::Txt,
            &["hello".into()],
            &["\"hello\"".into()]
        ));
        assert!(!values_equivalent(
            RecordType::Txt,
            &["hello".into()],
            &["Hello".into()]
        ));
        assert!(values_equivalent(
            RecordType::Aaaa,
            &["2001:DB8::0001".into()],
            &["2001:db8::1".into()]
        ));
    }

    #[test]
    fn value_syntax_per_type() {
        assert!(check_value(RecordType::A, "192.0.2.1").is_ok());
        assert!(check_value(RecordType::A, "192.0.2.300")
            .unwrap_err()
            .contains("IPv4"));
        assert!(check_value(RecordType::Mx, "mail.example.com")
            .unwrap_err()
            .contains("priority host"));
        assert!(check_value(RecordType::Srv, "10 5 5060 sip.example.com").is_ok());
        assert!(check_value(RecordType::Caa, "0 issue \"letsencrypt.org\"").is_ok());
        assert!(check_value(RecordType::Ds, "12345 13 2 ZZ")
            .unwrap_err()
            .contains("hexadecimal"));
        assert!(check_value(RecordType::Txt, "\"unterminated").is_err());
    }

    #[test]
    fn text_strings_are_at_most_255_bytes_and_keep_characters_whole() {
        assert_eq!(text_strings(""), vec![""]);
        let dkim = "v=DKIM1; k=rsa; p=".to_string() + &"A".repeat(400);
        let parts = text_strings(&dkim);
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            vec![255, 163]
        );
        assert_eq!(parts.concat(), dkim);
        // 254 ASCII bytes then a 2-byte character: the character starts the next string.
        let s = "a".repeat(254) + "é" + "b";
        assert_eq!(
            text_strings(&s).iter().map(|p| p.len()).collect::<Vec<_>>(),
            vec![254, 3]
        );
    }
}
