//! Domain names as the registrar and delegation resources take them (ASCII form, checked), and the
//! registration attributes the registered-domain resource and data source share.

use r53_core::{ContactRole, RegisteredDomain};
use std::collections::BTreeMap;

use r53_plugin::{Diagnostic, Diagnostics, Field};

use crate::common::*;

/// A domain name in ASCII form, checked for registrability (see [`r53_zone::Name::registrable`]).
pub(crate) fn ascii_domain(raw: &str) -> Result<String, String> {
    r53_zone::Name::registrable(raw)
        .map(|n| n.to_string())
        .map_err(|e| e.to_string())
}

/// Validation of a `domain_name` attribute `attr` (resource and data sources alike).
pub(crate) fn check_domain_name(name: Option<&str>, attr: &str, d: &mut Diagnostics) {
    if let Some(n) = name {
        if let Err(e) = ascii_domain(n) {
            d.error_at(at(attr), format!("Invalid {attr}"), e);
        }
    }
}

/// The configured domain name and its ASCII form, for a read or an apply.
pub(crate) fn configured_domain(name: Option<&str>) -> Result<(String, String), Diagnostic> {
    let raw = name.unwrap_or_default().to_string();
    let ascii = ascii_domain(&raw).map_err(|e| Diagnostic::error("Invalid domain_name", e))?;
    Ok((raw, ascii))
}

/// A contact attribute's value: field name → value.
pub(crate) type ContactMap = Field<BTreeMap<String, String>>;

/// The per-role attributes of the registered-domain models (resource and data source alike).
pub(crate) trait RoleAttrs {
    /// Each role with its `<role>_contact` and `<role>_privacy` fields.
    fn roles_mut(&mut self) -> [(ContactRole, &mut ContactMap, &mut Field<bool>); 4];
}

/// `RoleAttrs` for a model with the fields `<role>_contact` and `<role>_privacy` of every role.
macro_rules! role_attrs {
    ($model:ty) => {
        impl $crate::domain::RoleAttrs for $model {
            fn roles_mut(
                &mut self,
            ) -> [(
                r53_core::ContactRole,
                &mut $crate::domain::ContactMap,
                &mut r53_plugin::Field<bool>,
            ); 4] {
                use r53_core::ContactRole::*;
                [
                    (Admin, &mut self.admin_contact, &mut self.admin_privacy),
                    (
                        Registrant,
                        &mut self.registrant_contact,
                        &mut self.registrant_privacy,
                    ),
                    (Tech, &mut self.tech_contact, &mut self.tech_privacy),
                    (
                        Billing,
                        &mut self.billing_contact,
                        &mut self.billing_privacy,
                    ),
                ]
            }
        }
    };
}
pub(crate) use role_attrs;

/// The dates, status codes and registrar name (resource and data source alike).
pub(crate) struct RegistrationAttrs {
    pub creation_date: Field<String>,
    pub expiration_date: Field<String>,
    pub status_list: Field<Vec<String>>,
    pub registrar_name: Field<String>,
}

pub(crate) fn registration(d: &RegisteredDomain) -> RegistrationAttrs {
    RegistrationAttrs {
        creation_date: d.creation_date.clone().into(),
        expiration_date: d.expiration_date.clone().into(),
        status_list: Field::Known(d.status_list.clone()),
        registrar_name: d.registrar_name.clone().into(),
    }
}

/// `<role>_privacy` for every role, and `<role>_contact` for the roles `include` accepts (null
/// for the others, and when the registrar has none): contact values are personal data, copied
/// into state only where the configuration asks for them.
pub(crate) fn set_contacts(
    m: &mut impl RoleAttrs,
    d: &RegisteredDomain,
    include: impl Fn(ContactRole) -> bool,
) {
    for (role, contact, privacy) in m.roles_mut() {
        *contact = d
            .contacts
            .get(&role)
            .filter(|_| include(role))
            .map(|c| c.0.clone())
            .into();
        *privacy = d.privacy.get(&role).copied().into();
    }
}

/// A domain or subdomain name in ASCII form (see [`r53_zone::Name::delegable`]).
pub(crate) fn ascii_name(raw: &str) -> Result<String, String> {
    r53_zone::Name::delegable(raw)
        .map(|n| n.to_string())
        .map_err(|e| e.to_string())
}
