//! Domain names as the registrar and delegation resources take them (ASCII form, checked), and the
//! registration attributes the registered-domain resource and data source share.

use r53_core::{ContactRole, RegisteredDomain};
use r53_plugin::{Diagnostic, Diagnostics, Value};

use crate::common::*;

/// A domain name in ASCII form, checked for registrability: LDH labels, at least two of them.
pub fn ascii_domain(raw: &str) -> Result<String, String> {
    let t = raw.trim().trim_end_matches('.');
    if t.is_empty() {
        return Err("the domain name is empty".into());
    }
    let a = if t.is_ascii() {
        t.to_ascii_lowercase()
    } else {
        idna::domain_to_ascii(t)
            .map_err(|_| format!("{raw:?} is not a valid internationalised domain name"))?
    };
    let labels: Vec<&str> = a.split('.').collect();
    if labels.len() < 2 {
        return Err(format!(
            "{raw:?} is a top-level domain; a registrable name has at least two labels, like example.com"
        ));
    }
    if a.len() > 253 {
        return Err(format!("{raw:?} is longer than 253 characters"));
    }
    for l in &labels {
        if l.is_empty() {
            return Err(format!("{raw:?} has an empty label (two dots in a row)"));
        }
        if l.len() > 63 {
            return Err(format!("label {l:?} is longer than 63 characters"));
        }
        if let Some(c) = l
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(format!(
                "{raw:?} contains {c:?}; registered names use letters, digits and hyphens only"
            ));
        }
        if l.starts_with('-') || l.ends_with('-') {
            return Err(format!(
                "label {l:?} starts or ends with a hyphen, which registries refuse"
            ));
        }
    }
    Ok(a)
}

/// Validation of a `domain_name` attribute (resource and data sources alike).
pub fn check_domain_name(config: &Value, d: &mut Diagnostics) {
    if let Some(n) = config.get("domain_name").as_str() {
        if let Err(e) = ascii_domain(n) {
            d.error_at(at("domain_name"), "Invalid domain_name", e);
        }
    }
}

/// The configured `domain_name` and its ASCII form, for a read or an apply.
pub fn configured_domain(v: &Value) -> Result<(String, String), Diagnostic> {
    let raw = opt_str(v, "domain_name").unwrap_or_default();
    let ascii = ascii_domain(&raw).map_err(|e| Diagnostic::error("Invalid domain_name", e))?;
    Ok((raw, ascii))
}

/// The dates, status codes and registrar name (resource and data source alike).
pub fn set_registration(s: &mut Value, d: &RegisteredDomain) {
    s.set("creation_date", Value::opt_string(d.creation_date.clone()));
    s.set(
        "expiration_date",
        Value::opt_string(d.expiration_date.clone()),
    );
    s.set("status_list", list_value(d.status_list.clone()));
    s.set(
        "registrar_name",
        Value::opt_string(d.registrar_name.clone()),
    );
}

/// `<role>_privacy` for every role, and `<role>_contact` for the roles `include` accepts (null
/// for the others, and when the registrar has none): contact values are personal data, copied
/// into state only where the configuration asks for them.
pub fn set_contacts(s: &mut Value, d: &RegisteredDomain, include: impl Fn(ContactRole) -> bool) {
    for role in ContactRole::ALL {
        s.set(
            &format!("{}_contact", role.key()),
            d.contacts
                .get(&role)
                .filter(|_| include(role))
                .map(|c| map_value(&c.0))
                .unwrap_or(Value::Null),
        );
        s.set(
            &format!("{}_privacy", role.key()),
            d.privacy
                .get(&role)
                .map(|b| Value::Bool(*b))
                .unwrap_or(Value::Null),
        );
    }
}

/// A domain or subdomain name in ASCII form.
pub fn ascii_name(raw: &str) -> Result<String, String> {
    let t = raw.trim().trim_end_matches('.');
    let a = if t.is_ascii() {
        t.to_ascii_lowercase()
    } else {
        idna::domain_to_ascii(t).map_err(|_| format!("{raw:?} is not a valid domain name"))?
    };
    r53_zone::Name::parse(&a).map_err(|e| e.to_string())?;
    if !a.contains('.') {
        return Err(format!(
            "{raw:?} is a top-level domain; delegate a name with at least two labels"
        ));
    }
    Ok(a)
}
