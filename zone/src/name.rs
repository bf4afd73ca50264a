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
    #[error("{0:?} is not a valid internationalised domain name")]
    Idna(String),
    #[error("{0:?} is a top-level domain; give a name with at least two labels, like example.com")]
    TopLevel(String),
    #[error("{name:?} contains {ch:?}; registered names use letters, digits and hyphens only")]
    NotLdh { name: String, ch: char },
    #[error("label {0:?} starts or ends with a hyphen, which registries refuse")]
    Hyphen(String),
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
        let labels: Vec<&str> = n.split('.').collect();
        let wire: usize = labels.iter().map(|l| label_bytes(l) + 1).sum::<usize>();
        if wire > 254 {
            return Err(NameError::TooLong(s.to_string()));
        }
        for (i, l) in labels.iter().enumerate() {
            if l.is_empty() {
                return Err(NameError::EmptyLabel(s.to_string()));
            }
            if label_bytes(l) > 63 {
                return Err(NameError::LabelTooLong {
                    name: s.to_string(),
                    label: l.to_string(),
                });
            }
            if l.contains('*') && (i != 0 || *l != "*") {
                return Err(NameError::BadWildcard(s.to_string()));
            }
            // Route 53 accepts a-z 0-9 - _, the printable specials, and any byte as an octal
            // escape (normalise leaves only those escapes).
            let bad_escape = !escapes_ok(l);
            if bad_escape {
                return Err(NameError::BadChar {
                    name: s.to_string(),
                    ch: '\\',
                });
            }
            if let Some(ch) = l.chars().find(|c| !(c.is_ascii_graphic()) || *c == '"') {
                return Err(NameError::BadChar {
                    name: s.to_string(),
                    ch,
                });
            }
        }
        Ok(Name(n))
    }
    /// A name as a user types it (a Terraform attribute, a command-line argument): surrounding
    /// space and one trailing dot ignored, Unicode labels converted to their punycode A-labels
    /// (UTS 46), then checked as [`Name::parse`] does.
    pub fn from_user(raw: &str) -> Result<Name, NameError> {
        let t = raw.trim();
        if t.is_ascii() {
            return Name::parse(t);
        }
        let a = idna::domain_to_ascii(t.strip_suffix('.').unwrap_or(t))
            .map_err(|_| NameError::Idna(raw.to_string()))?;
        Name::parse(&a)
    }

    /// A domain that can be delegated from a parent zone: a name of at least two labels.
    pub fn delegable(raw: &str) -> Result<Name, NameError> {
        let n = Name::from_user(raw)?;
        if n.labels() < 2 {
            return Err(NameError::TopLevel(raw.to_string()));
        }
        Ok(n)
    }

    /// A domain that can be registered: at least two labels of letters, digits and inner hyphens
    /// (LDH), at most 253 characters.
    pub fn registrable(raw: &str) -> Result<Name, NameError> {
        let n = Name::delegable(raw)?;
        if n.0.len() > 253 {
            return Err(NameError::TooLong(raw.to_string()));
        }
        for l in n.0.split('.') {
            if let Some(ch) = l
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
            {
                return Err(NameError::NotLdh {
                    name: raw.to_string(),
                    ch,
                });
            }
            if l.starts_with('-') || l.ends_with('-') {
                return Err(NameError::Hyphen(l.to_string()));
            }
        }
        Ok(n)
    }

    /// How many labels the name has (`a\056b.example` has two).
    pub fn labels(&self) -> usize {
        self.0.split('.').count()
    }

    pub fn as_str(&self) -> &str {
        &self.0
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

/// Whether a byte is written as itself in a normalised name; the others stay `\ooo` octal
/// escapes, as Route 53 writes them: `.` inside a label (`a\.b` is one label), `\`, `"` and
/// bytes outside printable ASCII.
fn plain_in_name(b: u8) -> bool {
    b.is_ascii_graphic() && !matches!(b, b'.' | b'\\' | b'"')
}

/// The byte of a `\ooo` octal escape at the start of `b` (which starts after the `\`).
fn octal_at(b: &[u8]) -> Option<u8> {
    let d = b.get(..3)?;
    d.iter()
        .try_fold(0u32, |acc, c| {
            (b'0'..=b'7')
                .contains(c)
                .then(|| acc * 8 + u32::from(c - b'0'))
        })
        .and_then(|v| u8::try_from(v).ok())
}

/// Lower-cases, drops one trailing dot, and decodes `\ooo` octal escapes (Route 53 returns `*` as
/// `\052`) except those of bytes that need them (see [`plain_in_name`]), which are written the
/// one way Route 53 does; `\X` (zone-file style) is read as X, so `a\.b` becomes `a\056b`.
pub fn normalise(s: &str) -> String {
    let mut cur = normalise_once(s);
    // Trimming and the dot can uncover more of the same (" a. ."): settle, so that normalise is
    // idempotent. Each further pass only shortens the text.
    while cur.starts_with(char::is_whitespace)
        || cur.ends_with(|c: char| c == '.' || c.is_whitespace())
    {
        let next = normalise_once(&cur);
        if next == cur {
            break;
        }
        cur = next;
    }
    cur
}

fn normalise_once(s: &str) -> String {
    let s = s.trim();
    let s = match s.strip_suffix('.') {
        // An escaped final dot is part of the last label, not the root; and of two final dots
        // only one is the root's (the other is an empty label, for validation to name).
        Some(t) => {
            let slashes = t.bytes().rev().take_while(|b| *b == b'\\').count();
            if slashes % 2 == 1 || (slashes == 0 && t.ends_with('.')) {
                s
            } else {
                t
            }
        }
        None => s,
    };
    if !s.contains('\\') {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    let b = s.as_bytes();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            let rest = b.get(i + 1..).unwrap_or_default();
            let (byte, skip) = match octal_at(rest) {
                Some(v) => (Some(v), 3),
                None => match rest.first() {
                    // A digit starts an (incomplete) octal escape: left for validation.
                    Some(&n) if n.is_ascii() && !n.is_ascii_digit() => (Some(n), 1),
                    _ => (None, 0),
                },
            };
            if let Some(v) = byte {
                let v = v.to_ascii_lowercase();
                if plain_in_name(v) {
                    out.push(v as char);
                } else {
                    out.push_str(&format!("\\{v:03o}"));
                }
                if skip > 0 {
                    chars.nth(skip - 1);
                }
                continue;
            }
        }
        // Characters outside ASCII are kept whole (validation then names them).
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Whether every `\\` in a label starts a `\\ooo` octal escape.
fn escapes_ok(l: &str) -> bool {
    let b = l.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b.get(i) == Some(&b'\\') {
            if octal_at(b.get(i + 1..).unwrap_or_default()).is_none() {
                return false;
            }
            i += 4;
        } else {
            i += 1;
        }
    }
    true
}

/// The length in bytes of a normalised label (an escape is one byte).
fn label_bytes(l: &str) -> usize {
    let mut n = 0;
    let b = l.as_bytes();
    let mut i = 0;
    while i < b.len() {
        i += if b.get(i) == Some(&b'\\') && octal_at(b.get(i + 1..).unwrap_or_default()).is_some() {
            4
        } else {
            1
        };
        n += 1;
    }
    n
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

pub(crate) fn is_apex(name: &str, zone: &str) -> bool {
    normalise(name) == normalise(zone) || fqdn(name, zone) == normalise(zone)
}

/// Whether `name` matches the wildcard `pattern` (`*`: any run of characters, dots included; `?`:
/// one character), compared as names compare: case and a trailing dot do not matter. At most
/// len(pattern) × len(name) steps: no backtracking blow-up on patterns like `*a*a*a*b`.
pub fn matches_pattern(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = normalise(pattern).chars().collect();
    let n: Vec<char> = normalise(name).chars().collect();
    let (mut pi, mut ni) = (0, 0);
    // The last `*` seen and where in `name` its match currently ends.
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
            }
            Some(&c) if c == '?' || c == n[ni] => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                // Let the last `*` take one more character and try again after it.
                Some((sp, sn)) => {
                    pi = sp + 1;
                    ni = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_delegable_and_registrable() {
        let ok = |f: fn(&str) -> Result<Name, NameError>, raw: &str| f(raw).map(|n| n.to_string());
        assert_eq!(
            ok(Name::from_user, " Example.COM. ").unwrap(),
            "example.com"
        );
        assert_eq!(
            ok(Name::from_user, "Bücher.Example.").unwrap(),
            "xn--bcher-kva.example"
        );
        assert_eq!(
            ok(Name::registrable, "bücher.example").unwrap(),
            "xn--bcher-kva.example"
        );
        assert_eq!(
            ok(Name::delegable, "_sub.example.com").unwrap(),
            "_sub.example.com"
        );
        assert!(matches!(
            Name::delegable("com."),
            Err(NameError::TopLevel(_))
        ));
        assert!(matches!(
            Name::from_user("a\u{fffd}b.com"),
            Err(NameError::Idna(_))
        ));
        for bad in [
            "com",
            "a..b",
            "-a.com",
            "a-.com",
            "a_b.com",
            "a b.com",
            "",
            "a\\.b.com",
        ] {
            assert!(Name::registrable(bad).is_err(), "{bad}");
        }
        assert!(matches!(
            Name::registrable("a_b.com"),
            Err(NameError::NotLdh { ch: '_', .. })
        ));
        assert!(matches!(
            Name::registrable("-a.com"),
            Err(NameError::Hyphen(_))
        ));
        assert_eq!(Name::parse("a\\.b.example").unwrap().labels(), 2);
    }

    #[test]
    fn normalise_decodes_escapes_and_keeps_other_characters_whole() {
        assert_eq!(normalise(" WWW.Example.COM. "), "www.example.com");
        assert_eq!(normalise("\\052.Example.com"), "*.example.com");
        assert_eq!(normalise("a\\101b"), "aab");
        assert_eq!(normalise("Café.example"), "café.example");
        assert_eq!(normalise("é\\052"), "é*");
        assert_eq!(normalise("x\\05"), "x\\05");
    }

    /// An escaped dot stays inside its label (Route 53 writes it `\056`); it used to be
    /// decoded into a label separator.
    #[test]
    fn escaped_dots_and_specials_stay_escaped() {
        assert_eq!(normalise("a\\056b.Example.com."), "a\\056b.example.com");
        assert_eq!(normalise("a\\.b.example.com"), "a\\056b.example.com");
        assert_eq!(normalise("a\\\\b\\042\\000"), "a\\134b\\042\\000");
        assert_eq!(normalise("x\\101\\177"), "xa\\177");
        let n = Name::parse("a\\056b.example.com.").unwrap();
        assert_eq!(n.as_str(), "a\\056b.example.com");
        assert!(n.is_subdomain_of(&Name::parse("example.com").unwrap()));
        assert!(!n.is_subdomain_of(&Name::parse("b.example.com").unwrap()));
        // A label's length counts an escape as one byte.
        assert!(Name::parse(&format!("{}.com", "\\056".repeat(63))).is_ok());
        assert!(Name::parse(&format!("{}.com", "\\056".repeat(64))).is_err());
        assert!(matches!(
            Name::parse("ab\\"),
            Err(NameError::BadChar { .. })
        ));
        assert!(matches!(
            Name::parse("a\\09.com"),
            Err(NameError::BadChar { .. })
        ));
        for s in ["a\\056b.x", "A\\.B", "\\052.x.", "a\\\\.x", "é\\101"] {
            assert_eq!(normalise(&normalise(s)), normalise(s), "{s}");
        }
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

    #[test]
    fn wildcard_patterns_match_as_names_compare() {
        use super::matches_pattern as m;
        assert!(m("*.example.com", "www.Example.COM."));
        assert!(m("*.example.com", "a.b.example.com"));
        assert!(!m("*.example.com", "example.com"));
        assert!(m("*example.com", "example.com"));
        assert!(m("app-?.test", "app-1.test") && !m("app-?.test", "app-12.test"));
        assert!(m("*", "anything.at.all") && m("*", "."));
        assert!(m("example.com", "EXAMPLE.com.") && !m("example.com", "example.org"));
        // A pattern that makes naive backtracking exponential.
        let hard = format!("{}b", "*a".repeat(30));
        assert!(!m(&hard, &"a".repeat(200)));
    }
}
