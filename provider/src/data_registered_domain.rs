//! Data source `r53_registered_domain`: a read-only view of a domain registered in this account.

use async_trait::async_trait;
use std::collections::BTreeMap;

use r53_plugin::schema::Schema;
use r53_plugin::{Ctx, DataSource, Diagnostic, Diagnostics, Field, Value};

use crate::common::*;
use crate::domain::{check_domain_name, configured_domain, registration, set_contacts};
use crate::meta::Meta;

/// The data source's name in configurations (and in its docs page).
pub(crate) const TYPE_NAME: &str = "r53_registered_domain";

pub(crate) struct RegisteredDomainData;

r53_plugin::model! {
    /// The configuration and result of the `r53_registered_domain` data source.
    pub struct DomainView / DomainViewAttrs {
        description: "Reads a domain registered with Route 53 Domains in this account, without managing it: privacy, \
         auto-renewal, transfer lock, name servers, dates and, with `include_contacts = true`, the contacts.";
        attributes {
            id: String [computed] "The domain name in ASCII form.",
            domain_name: String [required] "The domain to read (Unicode names are looked up in their `xn--` form).",
            include_contacts: bool [optional]
                "Read the four contacts into the `*_contact` attributes. Default `false`: they stay null, because a data \
                 source's values are stored in the Terraform state and contacts are personal data.",
            auto_renew: bool [computed] "Whether the domain renews automatically.",
            transfer_lock: bool [computed] "Whether transfers to another registrar are locked.",
            name_servers: Vec<String> [computed] "The name servers the registrar has for the domain.",
            glue_ips: BTreeMap<String, Vec<String>> [computed] "Glue addresses by name server, for name servers that have them.",
            creation_date: String [computed] "When the domain was registered (RFC 3339).",
            expiration_date: String [computed] "When the registration expires (RFC 3339).",
            status_list: Vec<String> [computed] "EPP status codes of the domain.",
            registrar_name: String [computed] "The registrar of record.",
            tags: BTreeMap<String, String> [computed] "The domain's tags.",
            admin_contact: BTreeMap<String, String> [computed, sensitive]
                "The admin contact, field to value (sensitive); null unless `include_contacts = true`.",
            admin_privacy: bool [computed] "Whether the admin contact is hidden from WHOIS.",
            registrant_contact: BTreeMap<String, String> [computed, sensitive]
                "The registrant contact, field to value (sensitive); null unless `include_contacts = true`.",
            registrant_privacy: bool [computed] "Whether the registrant contact is hidden from WHOIS.",
            tech_contact: BTreeMap<String, String> [computed, sensitive]
                "The tech contact, field to value (sensitive); null unless `include_contacts = true`.",
            tech_privacy: bool [computed] "Whether the tech contact is hidden from WHOIS.",
            billing_contact: BTreeMap<String, String> [computed, sensitive]
                "The billing contact, field to value (sensitive); null unless `include_contacts = true`.",
            billing_privacy: bool [computed] "Whether the billing contact is hidden from WHOIS.",
        }
    }
}

crate::domain::role_attrs!(DomainView);

pub fn schema() -> Schema {
    Schema::new(0, DomainView::block())
}

#[async_trait]
impl DataSource<Meta> for RegisteredDomainData {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        match DomainView::from_value(config) {
            Ok(m) => {
                check_domain_name(m.domain_name.as_str(), DomainView::ATTR.domain_name, &mut d)
            }
            Err(e) => return e,
        }
        d
    }

    async fn read(&self, meta: &Meta, ctx: &Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let m = DomainView::from_value(config)?;
        let (raw, name) = configured_domain(m.domain_name.as_str())?;
        let c = call(ctx, READ_TIMEOUT);
        let what = format!("Reading registered domain {name}");
        let dm = &meta.aws.domains;
        let d = match dm.find_domain_by_name(&c, &name).await {
            Ok(d) => d,
            Err(e) if e.is_not_found() => {
                return Err(Diagnostic::error(
                    "Registered domain not found",
                    format!("{name} is not registered with Route 53 Domains in this account"),
                )
                .at(at(DomainView::ATTR.domain_name))
                .into())
            }
            Err(e) => return Err(api_diag(&what, &e).into()),
        };
        let tags = dm.tags(&c, &name).await.map_err(|e| api_diag(&what, &e))?;
        let r = registration(&d);
        let mut s = DomainView {
            id: Field::Known(d.name.clone()),
            domain_name: Field::Known(raw),
            include_contacts: m.include_contacts.clone(),
            auto_renew: Field::Known(d.auto_renew),
            transfer_lock: Field::Known(d.transfer_lock),
            name_servers: Field::Known(
                d.name_servers
                    .iter()
                    .map(|n| n.name.trim_end_matches('.').to_ascii_lowercase())
                    .collect(),
            ),
            glue_ips: Field::Known(
                d.name_servers
                    .iter()
                    .filter(|n| !n.glue_ips.is_empty())
                    .map(|n| (n.name.clone(), n.glue_ips.clone()))
                    .collect(),
            ),
            creation_date: r.creation_date,
            expiration_date: r.expiration_date,
            status_list: r.status_list,
            registrar_name: r.registrar_name,
            tags: Field::Known(tags),
            ..Default::default()
        };
        let include = m.include_contacts.get().unwrap_or(false);
        set_contacts(&mut s, &d, |_| include);
        Ok(s.to_value())
    }
}
