//! A registrant's contacts: the roles, the fields Route 53 Domains takes and how each is checked,
//! and the redaction that keeps their values out of errors, logs and `Debug` (personal data
//! never leaves through a diagnostic).

use std::collections::BTreeMap;

use aws_sdk_route53domains::types as t;

use crate::error::Error;

/// The four contacts of a registration, in the order AWS lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContactRole {
    Admin,
    Registrant,
    Tech,
    Billing,
}

impl ContactRole {
    pub const ALL: [ContactRole; 4] = [
        ContactRole::Admin,
        ContactRole::Registrant,
        ContactRole::Tech,
        ContactRole::Billing,
    ];
    /// `admin`, `registrant`, `tech`, `billing`.
    pub fn key(self) -> &'static str {
        match self {
            ContactRole::Admin => "admin",
            ContactRole::Registrant => "registrant",
            ContactRole::Tech => "tech",
            ContactRole::Billing => "billing",
        }
    }
}

/// A contact: field name → value, only non-empty fields. Debug never shows the values (PII).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Contact(pub BTreeMap<String, String>);

impl std::fmt::Debug for Contact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

/// Contact fields: name, required by AWS, description.
pub const CONTACT_FIELDS: &[(&str, bool, &str)] = &[
    ("first_name", true, "First name."),
    ("last_name", true, "Last name."),
    (
        "contact_type",
        true,
        "`PERSON`, `COMPANY`, `ASSOCIATION`, `PUBLIC_BODY` or `RESELLER`.",
    ),
    (
        "organization_name",
        false,
        "Organization; required unless `contact_type` is `PERSON`.",
    ),
    ("address_line_1", true, "First line of the street address."),
    (
        "address_line_2",
        false,
        "Second line of the street address.",
    ),
    ("city", true, "City."),
    (
        "state",
        false,
        "State or province (required by some countries' registries).",
    ),
    (
        "country_code",
        true,
        "ISO 3166-1 alpha-2 country code, e.g. `GB`.",
    ),
    ("zip_code", true, "Postal code."),
    (
        "phone_number",
        true,
        "Phone number as `+CC.NUMBER`, e.g. `+44.2071234567`.",
    ),
    ("email", true, "Email address."),
    ("fax", false, "Fax number as `+CC.NUMBER`."),
];

const CONTACT_TYPES: &[&str] = &[
    "PERSON",
    "COMPANY",
    "ASSOCIATION",
    "PUBLIC_BODY",
    "RESELLER",
];

/// Problems with a contact, as (field, message); empty when it is acceptable. Pure: used by the
/// provider's validation before any call. Messages name the field and the rule, never the value:
/// contact values are personal data, and Terraform prints diagnostics and writes them to its log.
pub fn check_contact(c: &BTreeMap<String, String>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for k in c.keys() {
        if !CONTACT_FIELDS.iter().any(|(f, _, _)| f == k) {
            let known: Vec<&str> = CONTACT_FIELDS.iter().map(|f| f.0).collect();
            out.push((
                k.clone(),
                format!(
                    "unknown contact field {k:?}; known fields: {}",
                    known.join(", ")
                ),
            ));
        }
    }
    for (k, v) in c {
        if v.trim().is_empty() {
            out.push((
                k.clone(),
                format!("{k} is empty; leave the field out instead"),
            ));
        } else if v.trim() != v {
            out.push((k.clone(), format!("{k} has leading or trailing spaces")));
        }
    }
    let get = |k: &str| c.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
    for (f, required, _) in CONTACT_FIELDS {
        if *required && get(f).is_none() {
            out.push((f.to_string(), format!("{f} is required")));
        }
    }
    if let Some(ty) = get("contact_type") {
        if !CONTACT_TYPES.contains(&ty) {
            out.push((
                "contact_type".into(),
                format!("contact_type must be one of {}", CONTACT_TYPES.join(", ")),
            ));
        } else if ty != "PERSON" && get("organization_name").is_none() {
            out.push((
                "organization_name".into(),
                format!("organization_name is required when contact_type is {ty}"),
            ));
        }
    }
    if let Some(cc) = get("country_code") {
        if cc.len() != 2 || !cc.chars().all(|ch| ch.is_ascii_uppercase()) {
            out.push((
                "country_code".into(),
                "country_code must be an ISO 3166-1 alpha-2 code in capitals (like GB or US)"
                    .into(),
            ));
        } else if !t::CountryCode::values().contains(&cc) {
            out.push((
                "country_code".into(),
                "country_code is not a country code Route 53 Domains accepts".into(),
            ));
        }
    }
    for f in ["phone_number", "fax"] {
        if let Some(p) = get(f) {
            if !phone_ok(p) {
                out.push((
                    f.into(),
                    format!(
                        "{f} must be in the form +CC.NUMBER (a 1-3 digit country code, a dot, 4-15 digits, e.g. +1.2065550100)"
                    ),
                ));
            }
        }
    }
    if let Some(e) = get("email") {
        let ok = e
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.ends_with('.'));
        if !ok || e.contains(char::is_whitespace) {
            out.push((
                "email".into(),
                "email must be an address of the form name@domain.tld, without spaces".into(),
            ));
        }
    }
    out
}

/// `e` with every value of `contacts` that its message quotes replaced by the field it came from
/// (`<admin_contact.phone_number>`). Registrars quote the submitted value when they refuse it
/// ("PhoneNumber \"+44 20…\" is invalid"); the message still says why, without the personal data.
pub fn redact_contacts(e: Error, contacts: &BTreeMap<ContactRole, Contact>) -> Error {
    let mut values: Vec<(&str, String)> = contacts
        .iter()
        .flat_map(|(role, c)| {
            c.0.iter()
                // The contact type (PERSON, COMPANY, …) is not personal, and its words occur in
                // the registrar's own sentences.
                .filter(|(f, _)| f.as_str() != "contact_type")
                .map(move |(f, v)| (v.as_str(), format!("<{}_contact.{f}>", role.key())))
        })
        .filter(|(v, _)| !v.trim().is_empty())
        .collect();
    // Longest first, so a value that contains another is replaced whole.
    values.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
    let clean = |text: &str| {
        values.iter().fold(text.to_string(), |t, (v, label)| {
            // Short values (a state code, "Al") only as whole words, so "GB" in a word survives.
            replace_ignoring_ascii_case(&t, v, label, v.len() < 4)
        })
    };
    match e {
        Error::Api { op, code, message } => Error::Api {
            op,
            code,
            message: clean(&message),
        },
        Error::OperationFailed {
            id,
            kind,
            status,
            message,
        } => Error::OperationFailed {
            id,
            kind,
            status,
            message: clean(&message),
        },
        Error::Transport { op, message } => Error::Transport {
            op,
            message: clean(&message),
        },
        Error::Invalid(m) => Error::Invalid(clean(&m)),
        other => other,
    }
}

/// `hay` with each occurrence of `needle` (ASCII case ignored) replaced by `with`; with
/// `whole_word`, only occurrences not touching a letter or digit on either side.
fn replace_ignoring_ascii_case(hay: &str, needle: &str, with: &str, whole_word: bool) -> String {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.is_empty() {
        return hay.to_string();
    }
    let apart = |at: Option<usize>| {
        at.and_then(|i| h.get(i))
            .is_none_or(|b| !b.is_ascii_alphanumeric())
    };
    let mut out: Vec<u8> = Vec::with_capacity(h.len());
    let (mut last, mut i) = (0usize, 0usize);
    while let Some(end) = i.checked_add(n.len()).filter(|e| *e <= h.len()) {
        let hit = h.get(i..end).is_some_and(|w| w.eq_ignore_ascii_case(n))
            && (!whole_word || (apart(i.checked_sub(1)) && apart(Some(end))));
        if hit {
            out.extend_from_slice(h.get(last..i).unwrap_or_default());
            out.extend_from_slice(with.as_bytes());
            last = end;
            i = end;
        } else {
            i += 1;
        }
    }
    out.extend_from_slice(h.get(last..).unwrap_or_default());
    // A needle that is valid UTF-8 and matches byte for byte (ASCII letters folded) starts and
    // ends on character boundaries, so this is always valid; lossy rather than panic regardless.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn phone_ok(p: &str) -> bool {
    p.strip_prefix('+')
        .and_then(|p| p.split_once('.'))
        .is_some_and(|(cc, n)| {
            (1..=3).contains(&cc.len())
                && (4..=15).contains(&n.len())
                && cc.chars().chain(n.chars()).all(|c| c.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn ada() -> BTreeMap<String, String> {
        c(&[
            ("first_name", "Ada"),
            ("last_name", "Lovelace"),
            ("contact_type", "PERSON"),
            ("address_line_1", "1 Lab Way"),
            ("city", "London"),
            ("country_code", "GB"),
            ("zip_code", "N1 1AA"),
            ("phone_number", "+44.2071234567"),
            ("email", "ada@example.org"),
        ])
    }

    #[test]
    fn a_complete_person_passes() {
        assert!(
            check_contact(&ada()).is_empty(),
            "{:?}",
            check_contact(&ada())
        );
    }

    #[test]
    fn each_problem_names_its_field() {
        let mut x = ada();
        x.insert("phone_number".into(), "0207 123 4567".into());
        x.insert("country_code".into(), "gb".into());
        x.insert("contact_type".into(), "COMPANY".into());
        x.insert("colour".into(), "blue".into());
        x.remove("city");
        let fields: Vec<String> = check_contact(&x).into_iter().map(|p| p.0).collect();
        for f in [
            "phone_number",
            "country_code",
            "organization_name",
            "colour",
            "city",
        ] {
            assert!(
                fields.iter().any(|g| g == f),
                "{f} not reported: {fields:?}"
            );
        }
        let mut y = ada();
        y.insert("country_code".into(), "ZZ".into());
        y.insert("email".into(), "ada at example".into());
        let fields: Vec<String> = check_contact(&y).into_iter().map(|p| p.0).collect();
        assert_eq!(fields, ["country_code", "email"]);
    }

    #[test]
    fn phone_format_is_plus_country_dot_number() {
        assert!(phone_ok("+1.2065550100"));
        assert!(!phone_ok("+1-206-555-0100"));
        assert!(!phone_ok("1.2065550100"));
        assert!(!phone_ok("+1.20"));
    }

    #[test]
    fn problems_never_quote_the_value() {
        let mut x = ada();
        x.insert("phone_number".into(), "+44 20 7946 0958".into());
        x.insert("fax".into(), "fax-me-0958".into());
        x.insert("email".into(), "ada.at.example".into());
        x.insert("country_code".into(), "Britannia".into());
        x.insert("contact_type".into(), "Analytical Engine".into());
        let p = check_contact(&x);
        assert_eq!(p.len(), 5, "{p:?}");
        for (field, msg) in &p {
            for v in x.values() {
                assert!(!msg.contains(v.as_str()), "{field}: {msg:?} quotes {v:?}");
            }
            assert!(
                msg.contains(field.as_str()),
                "{msg:?} does not name {field}"
            );
        }
    }

    #[test]
    fn api_errors_lose_the_contact_values_they_quote() {
        let mut contacts = BTreeMap::new();
        let mut a = ada();
        a.insert("state".into(), "LN".into());
        contacts.insert(ContactRole::Admin, Contact(a));
        let e = redact_contacts(
            Error::Api {
                op: "UpdateDomainContact",
                code: "InvalidInput".into(),
                message:
                    "AdminContact.PhoneNumber \"+44.2071234567\" is invalid for ADA@EXAMPLE.ORG \
                          (Ada Lovelace, 1 Lab Way, N1 1AA, state LN; GB; LNX stays)"
                        .into(),
            },
            &contacts,
        );
        let m = e.to_string();
        for v in ada().values().filter(|v| v.as_str() != "PERSON") {
            assert!(
                !m.to_ascii_lowercase().contains(&v.to_ascii_lowercase()),
                "{v:?} in {m}"
            );
        }
        assert!(m.contains("<admin_contact.phone_number>"), "{m}");
        assert!(m.contains("<admin_contact.email>"), "{m}");
        assert!(m.contains("state <admin_contact.state>;"), "{m}");
        assert!(
            m.contains("LNX stays"),
            "short values only as whole words: {m}"
        );
        let f = redact_contacts(
            Error::OperationFailed {
                id: "op".into(),
                kind: "UPDATE_DOMAIN_CONTACT".into(),
                status: "FAILED".into(),
                message: "registry refused Lovelace".into(),
            },
            &contacts,
        );
        assert!(
            f.to_string()
                .ends_with("registry refused <admin_contact.last_name>"),
            "{f}"
        );
        // Non-ASCII values and text around them survive intact.
        let mut tech = BTreeMap::new();
        tech.insert(ContactRole::Tech, Contact(c(&[("city", "Zürich")])));
        let m = redact_contacts(Error::Invalid("Ünïcode Zürich Zürich!".into()), &tech).to_string();
        assert_eq!(m, "Ünïcode <tech_contact.city> <tech_contact.city>!");
    }

    #[test]
    fn contact_debug_hides_values() {
        let s = format!("{:?}", Contact(ada()));
        assert!(!s.contains("Lovelace") && s.contains("last_name"), "{s}");
    }
}
