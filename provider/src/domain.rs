//! Domain names as the registrar and delegation resources take them (ASCII form, checked), and the
//! registration attributes the registered-domain resource and data source share.

use r53_core::{ContactRole, RegisteredDomain};
use r53_plugin::{Diagnostic, Diagnostics, Value};

use crate::common::*;

/// A domain name in ASCII form, checked for registrability (see [`r53_zone::Name::registrable`]).
pub fn ascii_domain(raw: &str) -> Result<String, String> {
    r53_zone::Name::registrable(raw)
        .map(|n| n.to_string())
        .map_err(|e| e.to_string())
}

/// Validation of a `domain_name` attribute `attr` (resource and data sources alike).
pub fn check_domain_name(name: Option<&str>, attr: &str, d: &mut Diagnostics) {
    if let Some(n) = name {
        if let Err(e) = ascii_domain(n) {
            d.error_at(at(attr), format!("Invalid {attr}"), e);
        }
    }
}

/// The configured domain name and its ASCII form, for a read or an apply.
pub fn configured_domain(name: Option<&str>) -> Result<(String, String), Diagnostic> {
    let raw = name.unwrap_or_default().to_string();
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

/// A domain or subdomain name in ASCII form (see [`r53_zone::Name::delegable`]).
pub fn ascii_name(raw: &str) -> Result<String, String> {
    r53_zone::Name::delegable(raw)
        .map(|n| n.to_string())
        .map_err(|e| e.to_string())
}
