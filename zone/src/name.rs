//! Domain names as Route 53 takes and returns them.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    #[error("the name is empty")]
    Empty,
    #[error("{0:?} is longer than 255 characters")]
    TooLong(String),
    #[error("label {label:?} in {name:?} is longer than 63 characters")]
    LabelTooLong { name: String, label: String },
    #[error("{0:?} has an empty label (two dots in a row)")]
    EmptyLabel(String),
    #[error("{name:?} contains {ch:?}, which Route 53 does not accept in names")]
    BadChar { name: String, ch: char },
    #[error("a wildcard '*' must be the whole leftmost label, as in '*.example.com' ({0:?})")]
    BadWildcard(String),
}

/// A normalised absolute DNS name: lower case, no trailing dot, Route 53's octal escapes decoded.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name(String);

impl Name {
    /// Parses and validates a name (absolute, with or without the trailing dot).
    pub fn parse(s: &str) -> Result<Name, NameError> {
        let n = normalise(s);
        if n.is_empty() {
            return Err(NameError::Empty);
        }
        if n.len() > 253 {
            return Err(NameError::TooLong(s.to_string()));
        }
        let labels: Vec<&str> = n.split('.').collect();
        for (i, l) in labels.iter().enumerate() {
            if l.is_empty() {
                return Err(NameError::EmptyLabel(s.to_string()));
            }
            if l.len() > 63 {
                return Err(NameError::LabelTooLong {
                    name: s.to_string(),
                    label: l.to_string(),
                });
            }
            if l.contains('*') && (i != 0 || *l != "*") {
                return Err(NameError::BadWildcard(s.to_string()));
            }
            // Route 53 accepts a-z 0-9 - _ and the printable specials it escapes in octal.
            if let Some(ch) = l
                .chars()
                .find(|c| !(c.is_ascii_graphic()) || *c == '\\' || *c == '"')
            {
                return Err(NameError::BadChar {
                    name: s.to_string(),
                    ch,
                });
            }
        }
        Ok(Name(n))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// With the trailing dot, as Route 53 writes it.
    pub fn to_fqdn(&self) -> String {
        format!("{}.", self.0)
    }
    pub fn is_subdomain_of(&self, zone: &Name) -> bool {
        let (n, z) = (self.0.as_bytes(), zone.0.as_bytes());
        n == z || (n.len() > z.len() && n.ends_with(z) && n[n.len() - z.len() - 1] == b'.')
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Lower-cases, drops one trailing dot, and decodes `\NNN` octal escapes (Route 53 returns `*` as
/// `\052`).
pub fn normalise(s: &str) -> String {
    let s = s.trim();
    let s = s.strip_suffix('.').unwrap_or(s);
    if !s.contains('\\') {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    let b = s.as_bytes();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == '\\' && i + 3 < b.len() && b[i + 1..i + 4].iter().all(u8::is_ascii_digit) {
            let code = (b[i + 1] - b'0') as u32 * 64
                + (b[i + 2] - b'0') as u32 * 8
                + (b[i + 3] - b'0') as u32;
            if let Some(d) = char::from_u32(code) {
                out.push(d.to_ascii_lowercase());
                chars.nth(2);
                continue;
            }
        }
        // Characters outside ASCII are kept whole (validation then names them).
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Whether the normalised `name` is `zone` or below it ("" is the root, above every name).
pub fn within(name: &str, zone: &str) -> bool {
    zone.is_empty() || name == zone || name.ends_with(&format!(".{zone}"))
}

/// The absolute name for a record `name` given in a zone: accepts the FQDN (with or without dot),
/// a name relative to the zone, or "" / "@" for the apex.
pub fn fqdn(name: &str, zone: &str) -> String {
    let zone = normalise(zone);
    let n = normalise(name);
    if n.is_empty() || n == "@" {
        return zone;
    }
    if !zone.is_empty() && within(&n, &zone) {
        n
    } else {
        format!("{n}.{zone}")
    }
}

/// The name relative to `zone` ("" at the apex).
pub fn relative_to_zone(name: &str, zone: &str) -> String {
    let (n, z) = (normalise(name), normalise(zone));
    if n == z {
        String::new()
    } else {
        n.strip_suffix(&format!(".{z}")).unwrap_or(&n).to_string()
    }
}

pub fn is_apex(name: &str, zone: &str) -> bool {
    normalise(name) == normalise(zone) || fqdn(name, zone) == normalise(zone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_decodes_escapes_and_keeps_other_characters_whole() {
        assert_eq!(normalise(" WWW.Example.COM. "), "www.example.com");
        assert_eq!(normalise("\\052.Example.com"), "*.example.com");
        assert_eq!(normalise("a\\101b"), "aab");
        assert_eq!(normalise("Café.example"), "café.example");
        assert_eq!(normalise("é\\052"), "é*");
        assert_eq!(normalise("x\\05"), "x\\05");
    }

    #[test]
    fn normalises_case_dots_and_octal() {
        assert_eq!(normalise("WWW.Example.COM."), "www.example.com");
        assert_eq!(normalise("\\052.example.com."), "*.example.com");
        assert_eq!(
            Name::parse("_dmarc.Example.com.").unwrap().as_str(),
            "_dmarc.example.com"
        );
    }

    #[test]
    fn rejects_bad_names() {
        assert!(matches!(Name::parse("a..b"), Err(NameError::EmptyLabel(_))));
        assert!(matches!(
            Name::parse(&format!("{}.com", "a".repeat(64))),
            Err(NameError::LabelTooLong { .. })
        ));
        assert!(matches!(
            Name::parse("a*.example.com"),
            Err(NameError::BadWildcard(_))
        ));
        assert!(matches!(
            Name::parse("www.*.example.com"),
            Err(NameError::BadWildcard(_))
        ));
        assert!(matches!(
            Name::parse("sp ace.example.com"),
            Err(NameError::BadChar { .. })
        ));
        assert!(Name::parse("*.example.com").is_ok());
    }

    #[test]
    fn relative_and_absolute_names() {
        assert_eq!(fqdn("www", "example.com."), "www.example.com");
        assert_eq!(fqdn("www.example.com.", "example.com"), "www.example.com");
        assert_eq!(fqdn("", "example.com"), "example.com");
        assert_eq!(fqdn("@", "example.com"), "example.com");
        assert!(is_apex("Example.com.", "example.com"));
        assert_eq!(relative_to_zone("a.b.example.com.", "example.com"), "a.b");
    }
}
