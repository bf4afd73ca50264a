//! A record set's identity in a zone: name, type, set identifier — and the two ways it is written
//! for people (plans and errors; `r53_records` block labels).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::name::normalise;
use crate::rdata::RecordType;
use crate::record::RecordSet;

/// Name (normalised: lower case, no final dot), type and set identifier: what Route 53 keys a record set by.
///
/// Serialised as a `[name, type, set_identifier]` array, the form import journals have always had.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(
    from = "(String, RecordType, Option<String>)",
    into = "(String, RecordType, Option<String>)"
)]
pub struct RecordKey {
    pub name: String,
    pub ty: RecordType,
    pub set_identifier: Option<String>,
}

impl From<(String, RecordType, Option<String>)> for RecordKey {
    fn from((name, ty, set_identifier): (String, RecordType, Option<String>)) -> Self {
        RecordKey {
            name,
            ty,
            set_identifier,
        }
    }
}

impl From<RecordKey> for (String, RecordType, Option<String>) {
    fn from(k: RecordKey) -> Self {
        (k.name, k.ty, k.set_identifier)
    }
}

impl RecordKey {
    /// The key of a record set (whose name is already normalised, as the zone model keeps it).
    pub fn of(r: &RecordSet) -> RecordKey {
        RecordKey {
            name: r.name.clone(),
            ty: r.ty,
            set_identifier: r.set_identifier.clone(),
        }
    }

    /// The key of a name as a user wrote it (any case, with or without the trailing dot).
    pub fn new(name: &str, ty: RecordType, set_identifier: Option<&str>) -> RecordKey {
        RecordKey {
            name: normalise(name),
            ty,
            set_identifier: set_identifier.map(str::to_string),
        }
    }

    /// The label `import` and `r53-migrate export-tf` give the set's `record` block in
    /// `r53_records`: the name relative to `zone` (`@` at the apex), the type, and the set
    /// identifier — `"www A"`, `"@ MX"`, `"api A eu-west"`. Two keys of one zone never share a
    /// label (a name holds no space: Route 53 lists it as `\040`), and it reads like a zone file.
    pub fn block_label(&self, zone: &str) -> String {
        let zone = normalise(zone);
        let rel = if self.name == zone {
            "@"
        } else {
            self.name
                .strip_suffix(zone.as_str())
                .and_then(|s| s.strip_suffix('.'))
                .filter(|s| !s.is_empty())
                .unwrap_or(&self.name)
        };
        match &self.set_identifier {
            Some(id) => format!("{rel} {} {id}", self.ty),
            None => format!("{rel} {}", self.ty),
        }
    }
}

/// The one label of a record set in plans and errors: `www.example.com A (eu-west)`.
impl fmt::Display for RecordKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.set_identifier {
            Some(id) => write!(f, "{} {} ({id})", self.name, self.ty),
            None => write!(f, "{} {}", self.name, self.ty),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_relative_and_display_is_absolute() {
        let k = RecordKey::new("WWW.Example.com", RecordType::A, None);
        assert_eq!(k.to_string(), "www.example.com A");
        assert_eq!(k.block_label("example.com."), "www A");
        let apex = RecordKey::new("example.com.", RecordType::Mx, None);
        assert_eq!(apex.block_label("example.com"), "@ MX");
        let w = RecordKey::new("api.example.com", RecordType::Aaaa, Some("eu west"));
        assert_eq!(w.to_string(), "api.example.com AAAA (eu west)");
        assert_eq!(w.block_label("example.com."), "api AAAA eu west");
        // A name that only ends like the zone is not inside it.
        let other = RecordKey::new("notexample.com", RecordType::A, None);
        assert_eq!(other.block_label("example.com."), "notexample.com A");
    }

    #[test]
    fn serialises_as_the_journal_tuple() {
        let k = RecordKey::new("a.example.com", RecordType::Txt, Some("x"));
        let j = serde_json::to_string(&k).unwrap();
        assert_eq!(j, r#"["a.example.com","TXT","x"]"#);
        assert_eq!(serde_json::from_str::<RecordKey>(&j).unwrap(), k);
    }
}
