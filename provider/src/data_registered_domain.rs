//! Data source `r53_registered_domain`: a read-only view of a domain registered in this account.

use async_trait::async_trait;
use r53_core::ContactRole;
use r53_plugin::schema::{Attribute, Block, Schema};
use r53_plugin::{Ctx, DataSource, Diagnostic, Diagnostics, Type, Value};

use crate::common::*;
use crate::domain::{check_domain_name, configured_domain, set_contacts, set_registration};
use crate::meta::Meta;

/// The data source's name in configurations (and in its docs page).
pub const TYPE_NAME: &str = "r53_registered_domain";

pub struct RegisteredDomainData;

pub fn schema() -> Schema {
    let mut b = Block::new(
        "Reads a domain registered with Route 53 Domains in this account, without managing it: privacy, \
         auto-renewal, transfer lock, name servers, dates and, with `include_contacts = true`, the contacts.",
    )
    .attr(Attribute::new("id", Type::String, "The domain name in ASCII form.").computed())
    .attr(Attribute::new("domain_name", Type::String, "The domain to read (Unicode names are looked up in their `xn--` form).").required())
    .attr(Attribute::new(
        "include_contacts",
        Type::Bool,
        "Read the four contacts into the `*_contact` attributes. Default `false`: they stay null, because a data \
         source's values are stored in the Terraform state and contacts are personal data.",
    ).optional())
    .attr(Attribute::new("auto_renew", Type::Bool, "Whether the domain renews automatically.").computed())
    .attr(Attribute::new("transfer_lock", Type::Bool, "Whether transfers to another registrar are locked.").computed())
    .attr(Attribute::new("name_servers", Type::list(Type::String), "The name servers the registrar has for the domain.").computed())
    .attr(Attribute::new("glue_ips", Type::map(Type::list(Type::String)), "Glue addresses by name server, for name servers that have them.").computed())
    .attr(Attribute::new("creation_date", Type::String, "When the domain was registered (RFC 3339).").computed())
    .attr(Attribute::new("expiration_date", Type::String, "When the registration expires (RFC 3339).").computed())
    .attr(Attribute::new("status_list", Type::list(Type::String), "EPP status codes of the domain.").computed())
    .attr(Attribute::new("registrar_name", Type::String, "The registrar of record.").computed())
    .attr(Attribute::new("tags", Type::map(Type::String), "The domain's tags.").computed());
    for role in ContactRole::ALL {
        b = b
            .attr(
                Attribute::new(
                    &format!("{}_contact", role.key()),
                    Type::map(Type::String),
                    &format!(
                        "The {} contact, field to value (sensitive); null unless `include_contacts = true`.",
                        role.key()
                    ),
                )
                .computed()
                .sensitive(),
            )
            .attr(
                Attribute::new(
                    &format!("{}_privacy", role.key()),
                    Type::Bool,
                    &format!("Whether the {} contact is hidden from WHOIS.", role.key()),
                )
                .computed(),
            );
    }
    Schema::new(0, b)
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
        check_domain_name(config.get("domain_name").as_str(), "domain_name", &mut d);
        d
    }

    async fn read(&self, meta: &Meta, ctx: &Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let (raw, name) = configured_domain(config.get("domain_name").as_str())?;
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
                .at(at("domain_name"))
                .into())
            }
            Err(e) => return Err(api_diag(&what, &e).into()),
        };
        let tags = dm.tags(&c, &name).await.map_err(|e| api_diag(&what, &e))?;
        let mut s = Value::Object(Default::default());
        s.set("id", Value::string(&d.name));
        s.set("domain_name", Value::string(raw));
        s.set("auto_renew", Value::Bool(d.auto_renew));
        s.set("transfer_lock", Value::Bool(d.transfer_lock));
        s.set(
            "name_servers",
            list_value(
                d.name_servers
                    .iter()
                    .map(|n| n.name.trim_end_matches('.').to_ascii_lowercase()),
            ),
        );
        s.set(
            "glue_ips",
            Value::Map(
                d.name_servers
                    .iter()
                    .filter(|n| !n.glue_ips.is_empty())
                    .map(|n| (n.name.as_str(), list_value(n.glue_ips.clone())))
                    .collect(),
            ),
        );
        set_registration(&mut s, &d);
        s.set("tags", map_value(&tags));
        s.set("include_contacts", config.get("include_contacts").clone());
        let include = config.get("include_contacts").as_bool().unwrap_or(false);
        set_contacts(&mut s, &d, |_| include);
        Ok(s)
    }
}
