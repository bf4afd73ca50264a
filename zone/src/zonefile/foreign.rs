//! Record types hickory's zone-file parser cannot read (or reads wrongly): each entry is rewritten
//! to a stand-in TXT record before parsing and restored after, so RFC 3597 `\#` data, SPF,
//! LOC, DNAME, TYPEnnn and the rest arrive as their wire bytes with file:line:col errors.

use super::*;

/// A place where the text can be cut into pieces that parse alone: before an entry that names
/// its owner, with the origin and TTL hickory's parser would have there.
pub(super) struct Cut {
    pub(super) line: usize,
    // Shared: most entries start a possible cut, and they all hold the same few values.
    pub(super) origin: Arc<str>,
    pub(super) ttl: Arc<str>,
}

/// Marks a TXT record that stands in for an entry hickory's parser cannot read (see
/// [`rewrite_foreign`]); followed by the type code, then `\#` hex data or the SPF strings.
pub(super) const STAND_IN: &str = "r53-zonefile-stand-in-6d1f0c";

/// Entries of types hickory's parser has no syntax for — SPF, RFC 3597 generic data (`\#`),
/// and mnemonics such as LOC or DNAME — are rewritten as a marked TXT record on the same
/// lines, so hickory still resolves their owner, TTL and class; [`restore`] turns them back.
/// Returns where the text may be cut into pieces (see [`parse_pieces`]).
pub(super) fn rewrite_foreign(out: &mut Expanded, origin: &str) -> Result<Vec<Cut>, ZoneFileError> {
    let mut cuts = Vec::new();
    let mut start = 0;
    let mut origin: Arc<str> = origin.into();
    // hickory gives a record without a TTL the last TTL seen; RFC 2308 says $TTL.
    let mut default_ttl: Option<Arc<str>> = None;
    // What an entry without a TTL gets inserted: "$TTL's value ".
    let mut default_ins = String::new();
    // The TTL hickory's parser holds after each entry (the last one it set), once known.
    let mut parser_ttl: Option<Arc<str>> = None;
    // A class other than IN carries over to later entries: no cuts after one.
    let mut other_class = false;
    for end in 0..out.lines.len() {
        if !out.boundary[end] {
            continue;
        }
        let (s, e) = (start, end);
        start = end + 1;
        let first = &out.lines[s].2;
        let t = first.trim_start();
        let directive = |d: &str| {
            t.len() > d.len() && t.get(..d.len()).is_some_and(|p| p.eq_ignore_ascii_case(d))
        };
        if directive("$ORIGIN") {
            if let Some(o) = words(t).get(1) {
                origin = absolute(o, &origin).into();
            }
        }
        if directive("$TTL") {
            default_ttl = words(t).get(1).map(|w| Arc::from(*w));
            default_ins = default_ttl
                .as_deref()
                .map(|t| format!("{t} "))
                .unwrap_or_default();
            parser_ttl.clone_from(&default_ttl);
        }
        if t.is_empty() || t.starts_with(';') || t.starts_with('$') {
            continue;
        }
        let owner = !first.starts_with(char::is_whitespace);
        if let (true, Some(ttl), false) = (owner, &parser_ttl, other_class) {
            cuts.push(Cut {
                line: s,
                origin: origin.clone(),
                ttl: ttl.clone(),
            });
        }
        let multi = s != e;
        let joined: String = if multi {
            out.lines[s..=e]
                .iter()
                .map(|l| l.2.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            String::new()
        };
        // hickory splits quoted strings inside parentheses at spaces: give it the entry on one
        // line, without the parentheses and comments (later lines of the entry left blank).
        if has_paren(if multi { &joined } else { first }) {
            let indent: String = first.chars().take_while(|c| c.is_whitespace()).collect();
            let src = if multi {
                joined.as_str()
            } else {
                first.as_str()
            };
            let flat = format!(
                "{indent}{}",
                tokens(src)
                    .iter()
                    .map(|t| t.1)
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            out.lines[s].2 = flat;
            for l in &mut out.lines[s + 1..=e] {
                l.2 = String::new();
            }
        } else if multi {
            // A multi-line entry without parentheses cannot be (the lines are entries): leave
            // it for hickory to report.
            continue;
        }
        let line = std::mem::take(&mut out.lines[s].2);
        let toks = tokens(&line);
        let mut i = usize::from(owner);
        let mut ttl_tok = None;
        while i < toks.len() {
            let tok = toks[i].1;
            if Parser::parse_time(tok).is_ok() {
                ttl_tok = Some(tok);
                i += 1;
            } else if ["IN", "CH", "CS", "HS", "NONE", "ANY"]
                .iter()
                .any(|c| tok.eq_ignore_ascii_case(c))
            {
                other_class |= !tok.eq_ignore_ascii_case("IN");
                i += 1;
            } else {
                break;
            }
        }
        let Some(&(tpos, tname)) = toks.get(i) else {
            out.lines[s].2 = line;
            continue;
        };
        let rdata = &toks[i + 1..];
        let ttl_ins = match (&default_ttl, ttl_tok) {
            (Some(_), None) => default_ins.as_str(),
            _ => "",
        };
        match (ttl_tok, ttl_ins.is_empty()) {
            (Some(t), _) if parser_ttl.as_deref() != Some(t) => parser_ttl = Some(Arc::from(t)),
            (Some(_), _) => {}
            (None, false) => parser_ttl.clone_from(&default_ttl),
            (None, true) => {}
        }
        // Type mnemonics are nearly always upper case already.
        let up: std::borrow::Cow<'_, str> = if tname.bytes().any(|b| b.is_ascii_lowercase()) {
            tname.to_ascii_uppercase().into()
        } else {
            tname.into()
        };
        let parsed = up.parse::<hickory_proto::rr::RecordType>();
        let known = parsed
            .as_ref()
            .is_ok_and(|t| !matches!(t, hickory_proto::rr::RecordType::Unknown(_)));
        let code = match parsed {
            Ok(t) if known => u16::from(t),
            _ => match crate::wire::type_code(&up) {
                Some(c) => c,
                None => {
                    // A real syntax error: hickory reports it.
                    out.lines[s].2 = line;
                    continue;
                }
            },
        };
        let generic = rdata.first().is_some_and(|t| t.1 == "\\#");
        let here = |col: usize, message: String| ZoneFileError::Syntax {
            loc: Loc {
                file: out.lines[s].0.to_path_buf(),
                line: out.lines[s].1,
                col: col + 1,
            },
            message,
        };
        // hickory's lexer decodes `\DDD` in quoted strings wrongly (as d1<<16 + d2<<8 + d3) and
        // not at all in words: TXT and SPF data with escapes is decoded here instead.
        let text_escapes = code == 16 && rdata.iter().any(|t| t.1.contains('\\'));
        if known && !generic && (code == 64 || code == 65) {
            svc_params_readable(rdata).map_err(|(off, m)| {
                here(
                    off,
                    format!("{m} (in a {} value)", crate::wire::type_name(code)),
                )
            })?;
        }
        if known && !generic && !text_escapes {
            // hickory's parser does not take `@` (the origin) inside record data, nor `\DDD`
            // in a quoted string (CAA, NAPTR): spell them out.
            let mut fixes: Vec<(usize, usize, String)> = Vec::new();
            for &(off, t) in rdata {
                if t == "@" {
                    fixes.push((off, 1, origin.to_string()));
                } else if t.starts_with('"') && has_decimal_escape(t) {
                    let fixed = requote_printable(t).map_err(|m| {
                        here(
                            off,
                            format!("{m} (in a {} value)", crate::wire::type_name(code)),
                        )
                    })?;
                    fixes.push((off, t.len(), fixed));
                }
            }
            if ttl_ins.is_empty() && fixes.is_empty() {
                out.lines[s].2 = line;
                continue;
            }
            let mut fixed = String::with_capacity(line.len() + ttl_ins.len());
            fixed.push_str(line.get(..tpos).unwrap_or_default());
            fixed.push_str(ttl_ins);
            let mut at = tpos;
            for (off, len, with) in fixes {
                fixed.push_str(line.get(at..off).unwrap_or_default());
                fixed.push_str(&with);
                at = off + len;
            }
            fixed.push_str(line.get(at..).unwrap_or_default());
            out.lines[s].2 = fixed;
            continue;
        }
        let mut strings = vec![STAND_IN.to_string(), code.to_string()];
        let data = if generic {
            Some(generic_data(rdata).map_err(|m| here(tpos, m))?)
        } else if code == 16 || code == 99 {
            Some(text_wire(rdata).map_err(|(off, m)| here(off, m))?)
        } else {
            None
        };
        if let Some(bytes) = data {
            strings.push("#".into());
            // In pieces: one long quoted string would be too long a token for hickory's lexer.
            let hex = data_hex(&bytes);
            strings.extend(
                hex.as_bytes()
                    .chunks(2000)
                    .map(|c| String::from_utf8_lossy(c).into_owned()),
            );
        }
        let quoted: Vec<String> = strings.iter().map(|s| format!("\"{s}\"")).collect();
        out.lines[s].2 = format!(
            "{}{ttl_ins}TXT {}",
            line.get(..tpos).unwrap_or_default(),
            quoted.join(" ")
        );
    }
    Ok(cuts)
}

pub(super) fn data_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// RFC 3597 generic data: `\# length hex...`, the length matching the data.
pub(super) fn generic_data(rdata: &[(usize, &str)]) -> Result<Vec<u8>, String> {
    let Some(&(_, len)) = rdata.get(1) else {
        return Err("generic record data (\\#) needs its length, as in '\\# 4 c0000201'".into());
    };
    let len: usize = len
        .parse()
        .map_err(|_| format!("generic record data (\\#): the length {len:?} is not a number"))?;
    if len > MAX_GENERIC_BYTES {
        return Err(format!(
            "generic record data (\\#) of {len} bytes is over {MAX_GENERIC_BYTES} bytes, the most a DNS record holds"
        ));
    }
    let hex: String = rdata
        .get(2..)
        .unwrap_or_default()
        .iter()
        .map(|t| t.1)
        .collect();
    let bytes = decode_hex(&hex).ok_or_else(|| {
        let shown: String = hex.chars().take(40).collect();
        format!("generic record data (\\#): '{shown}' is not hexadecimal")
    })?;
    if bytes.len() != len {
        return Err(format!(
            "generic record data (\\#) says {len} bytes but has {}",
            bytes.len()
        ));
    }
    Ok(bytes)
}

/// One zone-file character string (quoted or a word) as bytes: `\DDD` is a decimal byte, `\X`
/// is X itself (RFC 1035 §5.1).
pub(super) fn zone_string(tok: &str) -> Result<Vec<u8>, String> {
    let inner = match tok.strip_prefix('"') {
        Some(q) => q
            .strip_suffix('"')
            .ok_or_else(|| "a quoted string is not closed".to_string())?,
        None => tok,
    };
    let mut out = Vec::with_capacity(inner.len());
    let mut it = inner.chars();
    let mut buf = [0u8; 4];
    while let Some(c) = it.next() {
        if c != '\\' {
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match it.next() {
            None => return Err("a string ends with a lone '\\'".into()),
            Some(d) if d.is_ascii_digit() => {
                let (d2, d3) = (it.next(), it.next());
                let v = [Some(d), d2, d3].iter().try_fold(0u32, |acc, x| {
                    x.and_then(|x| x.to_digit(10)).map(|x| acc * 10 + x)
                });
                match v.and_then(|v| u8::try_from(v).ok()) {
                    Some(b) => out.push(b),
                    None => {
                        let shown: String = [Some(d), d2, d3].iter().flatten().collect();
                        return Err(format!(
                            "'\\{shown}' is not a decimal byte escape (\\000 to \\255)"
                        ));
                    }
                }
            }
            Some(x) => out.extend_from_slice(x.encode_utf8(&mut buf).as_bytes()),
        }
    }
    Ok(out)
}

/// TXT/SPF data as wire bytes: each string length-prefixed, strings over 255 bytes split.
pub(super) fn text_wire(rdata: &[(usize, &str)]) -> Result<Vec<u8>, (usize, String)> {
    let mut wire = Vec::new();
    for &(off, t) in rdata {
        let b = zone_string(t).map_err(|m| (off, m))?;
        if b.is_empty() {
            wire.push(0);
        }
        for chunk in b.chunks(255) {
            wire.push(chunk.len() as u8);
            wire.extend_from_slice(chunk);
        }
    }
    if wire.is_empty() {
        wire.push(0);
    }
    if wire.len() > MAX_GENERIC_BYTES {
        let off = rdata.first().map_or(0, |t| t.0);
        return Err((
            off,
            format!("the text is over {MAX_GENERIC_BYTES} bytes, the most a DNS record holds"),
        ));
    }
    Ok(wire)
}

/// Refuses SVCB/HTTPS parameters hickory's parser would panic on instead of rejecting (an
/// `alpn` list item its lexer cannot read, a value that is a lone `"`): one plain word per
/// parameter (`key=value` or `key="value"`), or one quoted string without escapes. Errors are
/// (byte offset, message).
pub(super) fn svc_params_readable(rdata: &[(usize, &str)]) -> Result<(), (usize, String)> {
    // Priority and target come first.
    for &(off, t) in rdata.iter().skip(2) {
        let bad = |why: &str| Err((off, format!("parameter {t}: {why}")));
        let param = if t.starts_with('"') {
            match t.get(1..t.len().saturating_sub(1)) {
                Some(inner) if t.len() >= 2 && t.ends_with('"') && !inner.contains(['"', '\\']) => {
                    inner
                }
                _ => {
                    return bad("a quoted parameter is one string without quotes or escapes inside")
                }
            }
        } else if t.contains(|c: char| c.is_whitespace() || c.is_control() || "();".contains(c)) {
            return bad(
                "write key=value or key=\"value\" with no space, ';' or parenthesis inside",
            );
        } else {
            t
        };
        let Some((key, value)) = param.split_once('=') else {
            continue;
        };
        let value = if value.starts_with('"') && value.ends_with('"') {
            match value.get(1..value.len().saturating_sub(1)) {
                Some(v) if value.len() >= 2 => v,
                _ => return bad("the value is a lone '\"'"),
            }
        } else {
            value
        };
        if key == "alpn" {
            if value.contains(['"', '\\']) {
                return bad("alpn-ids with quotes or escapes are not supported");
            }
            for id in value.split(',') {
                if id.is_empty() || id.len() > 255 {
                    return bad("each alpn-id is 1 to 255 bytes (alpn=h2,h3)");
                }
                if id.starts_with(['@', '$']) || !id.bytes().all(|b| b.is_ascii_graphic()) {
                    return bad("an alpn-id is printable ASCII, not starting with '@' or '$'");
                }
            }
        }
    }
    Ok(())
}

/// Whether a quoted string holds a `\DDD` escape.
pub(super) fn has_decimal_escape(t: &str) -> bool {
    let mut esc = false;
    for c in t.chars() {
        if esc {
            if c.is_ascii_digit() {
                return true;
            }
            esc = false;
        } else if c == '\\' {
            esc = true;
        }
    }
    false
}

/// A quoted string with its `\DDD` escapes written as the characters they stand for, which
/// hickory's lexer reads right; a byte outside printable ASCII is refused (hickory could not
/// carry it unchanged).
pub(super) fn requote_printable(t: &str) -> Result<String, String> {
    let b = zone_string(t)?;
    let mut s = String::with_capacity(b.len() + 2);
    s.push('"');
    for &c in &b {
        match c {
            b'"' | b'\\' => {
                s.push('\\');
                s.push(c as char);
            }
            0x20..=0x7e => s.push(c as char),
            _ => {
                return Err(format!(
                    "the byte \\{c:03} is not printable ASCII: only TXT and SPF strings may carry such bytes"
                ))
            }
        }
    }
    s.push('"');
    Ok(s)
}

/// Whether an entry has a parenthesis outside quoted strings and comments.
pub(super) fn has_paren(s: &str) -> bool {
    let (mut q, mut esc, mut comment) = (false, false, false);
    for c in s.chars() {
        if comment {
            comment = c != '\n';
            continue;
        }
        if esc {
            esc = false;
            continue;
        }
        match c {
            '\\' => esc = true,
            '"' => q = !q,
            ';' if !q => comment = true,
            '(' | ')' if !q => return true,
            _ => {}
        }
    }
    false
}

/// Tokens of one entry with their byte offsets: quoted strings whole, parentheses and comments
/// dropped.
pub(super) fn tokens(s: &str) -> Vec<(usize, &str)> {
    // Most entries are plain words: split them without looking at each byte twice.
    if s.bytes()
        .all(|c| c.is_ascii() && !matches!(c, b'"' | b'(' | b')' | b';' | b'\\'))
    {
        let base = s.as_ptr() as usize;
        return s
            .split_ascii_whitespace()
            .map(|t| (t.as_ptr() as usize - base, t))
            .collect();
    }
    let b = s.as_bytes();
    // The delimiters are ASCII; any other character is looked at whole.
    let ch = |i: usize| s[i..].chars().next().unwrap_or(' ');
    let space = |i: usize| {
        let c = b[i];
        if c.is_ascii() {
            c.is_ascii_whitespace()
        } else {
            ch(i).is_whitespace()
        }
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'(' || c == b')' || space(i) {
            i += if c.is_ascii() { 1 } else { ch(i).len_utf8() };
        } else if c == b';' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else {
            let st = i;
            let mut q = false;
            while i < b.len() {
                let c = b[i];
                if c == b'\\' {
                    i += 1;
                    if i < b.len() {
                        i += ch(i).len_utf8();
                    }
                    continue;
                }
                if c == b'"' {
                    q = !q;
                } else if !q && (c == b'(' || c == b')' || c == b';' || space(i)) {
                    break;
                }
                i += if c.is_ascii() { 1 } else { ch(i).len_utf8() };
            }
            out.push((st, &s[st..i.min(b.len())]));
        }
    }
    out
}

/// Turns a stand-in TXT record back into what the entry said.
pub(super) fn restore(r: Record) -> Result<Record, String> {
    use hickory_proto::rr::rdata::NULL;
    use hickory_proto::rr::{RData, RecordType as T};
    use hickory_proto::serialize::binary::{BinDecoder, Restrict};
    let RData::TXT(txt) = r.data() else {
        return Ok(r);
    };
    let parts: Vec<String> = txt
        .txt_data()
        .iter()
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    if parts.first().map(String::as_str) != Some(STAND_IN) {
        return Ok(r);
    }
    let code: u16 = parts.get(1).and_then(|c| c.parse().ok()).ok_or_else(|| {
        format!("a TXT record whose first string is {STAND_IN:?} (reserved by this reader)")
    })?;
    let rtype = T::from(code);
    let name = crate::wire::type_name(code);
    let data = match parts.get(2).map(String::as_str) {
        Some("#") => {
            let hex = parts.get(3..).unwrap_or_default().concat();
            let bytes = decode_hex(&hex).ok_or_else(|| {
                format!("generic record data (\\#) for {name} is not hexadecimal")
            })?;
            if matches!(rtype, T::Unknown(_)) {
                RData::Unknown {
                    code: rtype,
                    // NULL::with asserts on empty data (`\# 0`).
                    rdata: if bytes.is_empty() {
                        NULL::new()
                    } else {
                        NULL::with(bytes)
                    },
                }
            } else if bytes.is_empty() {
                return Err(format!(
                    "generic record data (\\#) for {name} is empty: the record needs data"
                ));
            } else {
                let len = u16::try_from(bytes.len()).map_err(|_| {
                    format!(
                        "generic record data (\\#) for {name} is over {MAX_GENERIC_BYTES} bytes"
                    )
                })?;
                let mut d = BinDecoder::new(&bytes);
                let data = RData::read(&mut d, rtype, Restrict::new(len))
                    .map_err(|e| format!("generic record data (\\#) for {name}: {e}"))?;
                if !d.is_empty() {
                    return Err(format!(
                        "generic record data (\\#) for {name}: {} bytes left over after the record",
                        d.len()
                    ));
                }
                data
            }
        }
        _ => RData::Unknown {
            code: rtype,
            rdata: NULL::new(),
        },
    };
    let mut out = Record::from_rdata(r.name().clone(), r.ttl(), data);
    out.set_dns_class(r.dns_class());
    Ok(out)
}

pub(super) fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    // Bytes, not string slices: a non-ASCII character is simply not a hex digit.
    let val = |c: u8| (c as char).to_digit(16);
    digits
        .chunks(2)
        .map(|p| match p {
            [h, l] => Some((val(*h)? * 16 + val(*l)?) as u8),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod foreign_types {
    use super::*;
    use crate::rdata::RecordType;
    use crate::wire::to_route53;

    fn one(body: &str) -> Result<(RecordType, String), String> {
        let z = super::parse_str(
            &format!("$TTL 300\n{body}\n"),
            std::path::Path::new("t"),
            "example.com",
        )
        .map_err(|e| e.to_string())?;
        to_route53(z.records[0].data()).map_err(|u| u.type_name)
    }

    fn parse(text: &str) -> Result<super::ParsedZone, String> {
        super::parse_str(text, std::path::Path::new("t"), "example.com").map_err(|e| e.to_string())
    }

    /// Found by fuzzing: SVCB/HTTPS parameters hickory's parser panics on (an `alpn` item its
    /// lexer cannot read, a value that is a lone quote) are refused with the place and why.
    #[test]
    fn svcb_parameters_hickory_cannot_read_are_errors() {
        for (data, why) in [
            ("alpn=\"h2,h3\"89AB", "alpn-ids with quotes"),
            ("alpn=h2\"x\"", "alpn-ids with quotes"),
            ("alpn=,h2", "1 to 255 bytes"),
            ("alpn=h2,,h3", "1 to 255 bytes"),
            ("alpn=@h2", "not starting with '@'"),
            ("alpn=\\h2", "alpn-ids with quotes or escapes"),
            ("alpn=\"h2;x\"", "no space, ';'"),
            ("\"alpn=\\\"h2\"", "without quotes or escapes inside"),
            ("alpn=\"h2 h3\"", "no space"),
        ] {
            for ty in ["SVCB", "HTTPS"] {
                let e = one(&format!("s IN {ty} 1 svc.example.net. {data}")).unwrap_err();
                assert!(
                    e.starts_with("t:2:") && e.contains(why) && e.contains(ty),
                    "{ty} {data}: {e}"
                );
            }
        }
        // Past those checks, a panic in hickory's parser is still this file's error.
        let origin = HName::from_ascii("example.com.").unwrap();
        assert_eq!(
            super::parse_text("s 60 IN SVCB 1 . alpn=\"h2,h3\"x\n", &origin).unwrap_err(),
            super::HICKORY_PANIC
        );
        let long = "x".repeat(256);
        let e = one(&format!("s IN HTTPS 1 . alpn={long}")).unwrap_err();
        assert!(e.contains("1 to 255 bytes"), "{e}");
    }

    /// Reported: panics (exit 101) on a multi-byte character in a comment or owner, on long
    /// comments and tokens (hickory's lexer asserts), and on `\# 0`.
    #[test]
    fn hostile_text_is_an_error_or_records_never_a_panic() {
        let soa = "@ 3600 IN SOA ns1 host 1 2 3 4 300\n";
        let long = "x".repeat(5000);
        let ok = [
            "$TTL 60\n; ééééééé\n;é\nwww IN A 192.0.2.1 ; é\n".to_string(),
            format!("$TTL 60\n{soa};{long}\nwww IN A 192.0.2.1 ;{long}\n"),
            format!("$TTL 60\n{soa}www IN TXT ( \"a\" ; {long}\n \"b\" )\n"),
            format!("$TTL 60\n{soa}ééé IN A 192.0.2.1\n"),
            "$TTL 60\nu IN TYPE65000 \\# 0\n".to_string(),
        ];
        for t in &ok {
            assert!(parse(t).is_ok(), "{t:.80}: {:?}", parse(t).err());
        }
        let bad = [
            (format!("$TTL 60\n{soa}www IN TXT \"\\\"{long}\"\n"), "t:3:12: a word or quoted string of 3001 characters is longer than the zone-file reader's limit of 3000"),
            (format!("$TTL 60\nwww IN TXT {long}\n"), "t:2:12: a word or quoted string"),
            (format!("$TTL 60\n{soa}www IN A{}192.0.2.1\n", " ".repeat(5000)), "t:3:9: a run of more than 1000 blanks"),
            ("$TTL 60\n$ORIé IN A 192.0.2.1\n".to_string(), "t:2:"),
            ("$TTL 60\nw IN A \\# 0\n".to_string(), "t:2:1: generic record data (\\#) for A is empty"),
            ("$TTL 60\nw IN SPF \\#\n".to_string(), "t:2:6: generic record data (\\#) needs its length"),
            ("$TTL 60\nw IN A \\# 4 c00002\n".to_string(), "says 4 bytes but has 3"),
            ("$TTL 60\nw IN A \\# 70000 00\n".to_string(), "70000 bytes is over 65535 bytes"),
            ("$TTL 60\nw IN A \\# 2 é1\n".to_string(), "not hexadecimal"),
            ("$TTL 60\nw IN TXT \"open\n".to_string(), "t:2:10: a quoted string is not closed on its line"),
            ("$TTL 60\nw IN TXT a\\;b\n".to_string(), "t:2:12: an escaped ';'"),
            ("$TTL 60\nw IN TXT \"\\300\"\n".to_string(), "'\\300' is not a decimal byte escape"),
            ("$TTL 60\nw IN TXT \"r53-zonefile-stand-in-6d1f0c\"\n".to_string(), "reserved"),
        ];
        for (t, want) in &bad {
            match parse(t) {
                Err(e) => assert!(e.contains(want), "{t:.60}: {e}"),
                Ok(z) => panic!("{t:.60}: accepted ({} records)", z.records.len()),
            }
        }
    }

    /// `\DDD` (decimal) and `\X` reach the record as the bytes they stand for; hickory's lexer
    /// read `"a\065b"` as U+0605 and passed `\` in words through.
    #[test]
    fn escapes_in_text_become_the_bytes_they_stand_for() {
        let txt = |body: &str| -> Vec<Vec<u8>> {
            let z = parse(&format!("$TTL 60\n{body}\n")).unwrap();
            match z.records[0].data() {
                hickory_proto::rr::RData::TXT(t) => {
                    t.txt_data().iter().map(|s| s.to_vec()).collect()
                }
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(txt("a IN TXT \"a\\065b\""), vec![b"aAb".to_vec()]);
        assert_eq!(
            txt("a IN TXT \"\\000\\255\\\"\\\\\""),
            vec![vec![0, 255, b'"', b'\\']]
        );
        assert_eq!(
            txt("a IN TXT x\\065y \"\\;\""),
            vec![b"xAy".to_vec(), b";".to_vec()]
        );
        assert_eq!(
            txt("a IN TXT ( \"caf\\195\\169\"\n  \"é\" )"),
            vec!["café".as_bytes().to_vec(), "é".as_bytes().to_vec()]
        );
        let (ty, v) = one("s IN SPF \"v=spf1 \\\"x\\\" -all\"").unwrap();
        assert_eq!(
            (ty, v.as_str()),
            (RecordType::Spf, "\"v=spf1 \\\"x\\\" -all\"")
        );
        // CAA and NAPTR strings: printable `\DDD` is spelled out for hickory; others refused.
        assert_eq!(
            one("c IN CAA 0 issue \"ca\\046example\"").unwrap().1,
            "0 issue \"ca.example\""
        );
        let e = one("c IN CAA 0 issue \"ca\\007\"").unwrap_err();
        assert!(
            e.contains("t:2:18: the byte \\007 is not printable ASCII"),
            "{e}"
        );
    }

    /// What a zone file says reaches Route 53 as the same bytes, and what Route 53 lists back
    /// (octal escapes) compares equal to what was imported; `a\.b` stays one label.
    #[test]
    fn escapes_reach_route53_form_and_compare_equal_on_read_back() {
        let z = parse(
            "$TTL 60\n\
             t1 IN TXT \"a\\065\\009b\"\n\
             t2 IN TXT \"\\255\\000x\" \"caf\\195\\169\"\n\
             a\\.b IN A 192.0.2.1\n\
             c IN CNAME x\\.y.example.net.\n",
        )
        .unwrap();
        let c = crate::convert::from_dns("example.com", &z.records, &Default::default()).unwrap();
        let get = |n: &str| {
            c.sets
                .iter()
                .find(|s| s.name == n)
                .unwrap_or_else(|| panic!("{n}: {:?}", c.sets))
        };
        assert_eq!(get("t1.example.com").values, vec!["aA\tb".to_string()]);
        assert_eq!(
            get("t1.example.com").wire_values(),
            vec!["\"aA\\011b\"".to_string()]
        );
        assert_eq!(
            get("t2.example.com").wire_values(),
            vec!["\"\\377\\000x\" \"caf\\303\\251\"".to_string()]
        );
        assert_eq!(
            get("a\\056b.example.com").values,
            vec!["192.0.2.1".to_string()]
        );
        assert_eq!(
            get("c.example.com").values,
            vec!["x\\056y.example.net.".to_string()]
        );
        // Route 53 lists these values back as sent; the read-back compares equal...
        for s in &c.sets {
            let mut listed = s.clone();
            listed.values = s.wire_values();
            assert!(crate::plan::same_record(&listed, s), "{s:?}");
        }
        // ...and differs when a byte differs.
        let mut other = get("t2.example.com").clone();
        other.values = vec!["\"\\376\\000x\" \"caf\\303\\251\"".into()];
        assert!(!crate::plan::same_record(&other, get("t2.example.com")));
        // The listing read back through the zone-file parser gives the same sets.
        let text = render(&c.sets);
        let back = parse(&text).unwrap();
        let again =
            crate::convert::from_dns("example.com", &back.records, &Default::default()).unwrap();
        assert_eq!(again.sets, c.sets, "{text}");
    }

    #[test]
    fn spf_generic_data_and_unknown_mnemonics() {
        assert_eq!(
            one("s IN SPF \"v=spf1 -all\"").unwrap(),
            (RecordType::Spf, "\"v=spf1 -all\"".into())
        );
        // RFC 3597 generic syntax for a known type is decoded into that type.
        assert_eq!(
            one("g IN TYPE1 \\# 4 0A000001").unwrap(),
            (RecordType::A, "10.0.0.1".into())
        );
        assert_eq!(
            one("g IN A \\# 4 C0000201").unwrap(),
            (RecordType::A, "192.0.2.1".into())
        );
        assert_eq!(
            one("u IN TYPE65534 \\# 4 0A000001").unwrap_err(),
            "TYPE65534"
        );
        assert_eq!(
            one("l IN LOC 52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m").unwrap_err(),
            "LOC"
        );
        assert_eq!(one("d 60 IN DNAME other.net.").unwrap_err(), "DNAME");
        assert_eq!(
            one("h IN HTTPS 1 . alpn=h2,h3").unwrap().1,
            "1 . alpn=h2,h3"
        );
        assert_eq!(
            one("s IN SVCB 1 svc.example.net. alpn=\"h2,h3\" port=8443")
                .unwrap()
                .1,
            "1 svc.example.net. alpn=h2,h3 port=8443"
        );
        assert_eq!(
            one("s IN SVCB 1 svc.example.net. \"alpn=h2\"").unwrap().1,
            "1 svc.example.net. alpn=h2"
        );
        let bad = one("g IN A \\# 4 ZZ000001").unwrap_err();
        assert!(
            bad.contains("t:2:") && bad.contains("not hexadecimal"),
            "{bad}"
        );
    }

    /// A large zone parsed in pieces gives the same records as one whole parse: cuts land
    /// after $ORIGIN and $TTL changes, before entries that inherit the owner, between records
    /// of one set, and after entries that set the TTL without $TTL.
    #[test]
    fn pieces_parse_like_the_whole() {
        let mut t = String::from("@ 3600 IN SOA ns1 host 1 2 3 4 300\n");
        for i in 0..3000 {
            match i % 11 {
                0 => t.push_str(&format!("$ORIGIN s{i}.example.com.\n")),
                1 => t.push_str(&format!("$TTL {}\n", 60 + i)),
                2 => t.push_str(&format!("h{i} A 192.0.2.{}\n   A 198.51.100.1\n", i % 250)),
                3 => t.push_str(&format!("\tAAAA 2001:db8::{i:x}\n")),
                4 => t.push_str(&format!("m{i} 120 MX 10 @\n")),
                5 => t.push_str(&format!("s{i} IN SPF \"v=spf1 -all\"\n")),
                6 => t.push_str(&format!("g{i} IN TYPE65280 \\# 2 abcd\n")),
                7 => t.push_str(&format!("x{i} IN TXT ( \"a b\" ; c\n  \"d\" )\n")),
                8 => t.push_str(&format!("c{i} CNAME h{}\n", i - 6)),
                9 => t.push_str(&format!("w{i} 7200 IN A 10.0.0.{}\n", i % 250)),
                _ => t.push_str(&format!("n{i} IN NS ns.other.net.\n")),
            }
        }
        let o = "example.com.";
        let mut out = Expanded {
            lines: Vec::new(),
            boundary: Vec::new(),
        };
        let f: Arc<Path> = Arc::from(Path::new("t"));
        let mut scan = Scan::default();
        for (i, l) in t.lines().enumerate() {
            scan.line(l);
            out.push(&f, i + 1, l, scan.depth == 0);
        }
        let cuts = rewrite_foreign(&mut out, o).unwrap();
        assert!(cuts.len() > 2 * PIECE_ENTRIES, "{} cuts", cuts.len());
        let oname = HName::from_ascii(o).unwrap();
        let whole = out.text();
        let key = |r: &Record| format!("{} {} {} {}", r.name(), r.ttl(), r.record_type(), r.data());
        let mut a: Vec<String> = parse_text(&whole, &oname)
            .unwrap()
            .iter()
            .map(key)
            .collect();
        let mut b: Vec<String> = parse_pieces(&out, &cuts, &oname)
            .unwrap()
            .iter()
            .map(key)
            .collect();
        a.sort();
        b.sort();
        assert_eq!(a.len(), b.len());
        assert_eq!(a, b);
        // The same without the SOA goes through the plain-entry reader alone, with equal records.
        let no_soa = whole.split_once('\n').unwrap().1;
        let mut c: Vec<String> = parse_plain(no_soa, &oname)
            .expect("plain entries only")
            .iter()
            .map(key)
            .collect();
        c.sort();
        let mut a_no_soa: Vec<String> = a.into_iter().filter(|k| !k.contains(" SOA ")).collect();
        a_no_soa.sort();
        assert_eq!(c, a_no_soa);
        // Entries it does not take make it step aside (hickory then parses the piece).
        for odd in [
            "a IN TXT \"x\\\"y\"\n",
            "a IN TXT (\"x\")\n",
            "$ttl 60\n",
            "a IN A 1.2.3.4 ; \"q\"\n",
            "a IN TXT \"\"\n",
            "\u{e9} IN A 1.2.3.4\n",
        ] {
            assert!(parse_plain(odd, &oname).is_none(), "{odd:?}");
        }
        // A second SOA in a later piece is still the parser's error.
        let twice = format!("{t}example.com. 60 IN SOA ns1 host 1 2 3 4 300\n");
        match parse_str(&twice, Path::new("t"), "example.com") {
            Err(e) => assert!(e.to_string().contains("SOA"), "{e}"),
            Ok(z) => panic!("a second SOA was accepted ({} records)", z.records.len()),
        }
    }
}
