//! `r53_delegation_status`: what the parent publishes for a domain, what each of its name servers
//! answers, and what is wrong — checked over DNS, no AWS calls.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use r53_core::dns::delegation::{display_zone, Walker};
use r53_plugin::schema::{Attribute, Block, Schema};
use r53_plugin::{Ctx, DataSource, Diagnostic, Diagnostics, Type, Value};

use crate::common::*;
use crate::domain::ascii_name;
use crate::meta::Meta;

/// The data source's name in configurations (and in its docs page).
pub const TYPE_NAME: &str = "r53_delegation_status";

fn server_type() -> Type {
    let mut m: BTreeMap<Arc<str>, Type> = BTreeMap::new();
    m.insert("name".into(), Type::String);
    m.insert("addresses".into(), Type::list(Type::String));
    m.insert("authoritative".into(), Type::Bool);
    m.insert("serial".into(), Type::Number);
    m.insert("name_servers".into(), Type::list(Type::String));
    m.insert("error".into(), Type::String);
    Type::Object(m)
}

pub fn schema() -> Schema {
    let b = Block::new(
        "The live delegation of a domain, read over DNS from its parent's authoritative servers (found by walking \
         from the root hints in the provider's `dns` settings): the NS, glue and DS the parent publishes, each listed \
         name server's answer, and a summary of problems — lame servers, inconsistent serials, missing glue, a DS \
         without a matching DNSKEY, parent servers that disagree. Makes no AWS calls.",
    )
    .attr(Attribute::new("id", Type::String, "The domain in ASCII form.").computed())
    .attr(Attribute::new("domain", Type::String, "The domain or subdomain to check.").required())
    .attr(Attribute::new("parent_zone", Type::String, "The parent zone (e.g. `com`).").computed())
    .attr(Attribute::new("parent_name_servers", Type::list(Type::String), "The parent zone's servers that were asked.").computed())
    .attr(Attribute::new("delegated", Type::Bool, "Whether the parent publishes a delegation (NS records) for the domain, consistently across its servers.").computed())
    .attr(Attribute::new("name_servers", Type::list(Type::String), "The NS set the parent publishes (sorted; empty when none or when its servers disagree).").computed())
    .attr(Attribute::new("glue", Type::map(Type::list(Type::String)), "Glue addresses the parent gives, per in-domain name server.").computed())
    .attr(Attribute::new("ds", Type::list(Type::String), "DS records the parent publishes, in presentation form.").computed())
    .attr(Attribute::new("servers", Type::list(server_type()), "Each published name server's answer: `name`, `addresses`, `authoritative` (answered the SOA with the AA flag), `serial`, the apex `name_servers` it serves, and `error` when it is not usable.").computed())
    .attr(Attribute::new("problems", Type::list(Type::String), "What is wrong, one sentence each; empty when the delegation is healthy.").computed());
    Schema::new(0, b)
}

pub struct DelegationStatusData;

#[async_trait]
impl DataSource<Meta> for DelegationStatusData {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(Err(e)) = config.get("domain").as_str().map(ascii_name) {
            d.error_at(at("domain"), "Invalid domain", e);
        }
        d
    }

    async fn read(&self, meta: &Meta, ctx: &Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let domain = ascii_name(&opt_str(config, "domain").unwrap_or_default())
            .map_err(|e| Diagnostic::error("Invalid domain", e).at(at("domain")))?;
        // Under the read timeout and Terraform's Stop.
        let c = crate::common::call(ctx, crate::common::READ_TIMEOUT);
        let w = Walker::new(meta.dns.clone()).bounded_by(&c);
        let st = w
            .status(&domain)
            .await
            .map_err(|e| crate::common::walk_diag(&domain, &e))?;
        let p = &st.parent;
        let mut s = config.clone();
        s.set("id", Value::string(&domain));
        s.set("parent_zone", Value::string(&p.zone));
        s.set(
            "parent_name_servers",
            list_value(p.servers.iter().map(|x| x.name.clone())),
        );
        let published = p.agreed();
        s.set("delegated", Value::Bool(published.is_some()));
        s.set("name_servers", list_value(published.unwrap_or_default()));
        s.set(
            "glue",
            Value::Map(
                p.glue
                    .iter()
                    .map(|(k, v)| (k.as_str(), list_value(v.iter().map(|a| a.to_string()))))
                    .collect(),
            ),
        );
        s.set("ds", list_value(p.ds.iter().cloned()));
        s.set(
            "servers",
            Value::List(
                st.servers
                    .iter()
                    .map(|a| {
                        let mut o = Value::Object(Default::default());
                        o.set("name", Value::string(&a.name));
                        o.set(
                            "addresses",
                            list_value(a.addrs.iter().map(|x| x.to_string())),
                        );
                        o.set("authoritative", Value::Bool(a.authoritative));
                        o.set(
                            "serial",
                            a.serial
                                .map(|n| Value::Number(r53_plugin::Number::Int(n as i64)))
                                .unwrap_or(Value::Null),
                        );
                        o.set("name_servers", list_value(a.ns.iter().cloned()));
                        o.set(
                            "error",
                            a.error.as_ref().map(Value::string).unwrap_or(Value::Null),
                        );
                        o
                    })
                    .collect(),
            ),
        );
        s.set("problems", list_value(st.problems.iter().cloned()));
        tracing::debug!(
            "r53_delegation_status {domain}: {} ({} problems)",
            display_zone(&p.zone),
            st.problems.len()
        );
        Ok(s)
    }
}
