//! `r53_delegation_status`: what the parent publishes for a domain, what each of its name servers
//! answers, and what is wrong — checked over DNS, no AWS calls.

use std::collections::BTreeMap;

use async_trait::async_trait;
use r53_core::dns::delegation::{display_zone, Walker};
use r53_plugin::schema::Schema;
use r53_plugin::{Ctx, DataSource, Diagnostic, Diagnostics, Field, Value};

use crate::common::*;
use crate::domain::ascii_name;
use crate::meta::Meta;

/// The data source's name in configurations (and in its docs page).
pub(crate) const TYPE_NAME: &str = "r53_delegation_status";

r53_plugin::model! {
    /// One published name server's answer (an element of `servers`).
    pub struct ServerAnswer / ServerAnswerAttrs {
        description: "";
        attributes {
            name: String [] "",
            addresses: Vec<String> [] "",
            authoritative: bool [] "",
            serial: i64 [] "",
            name_servers: Vec<String> [] "",
            error: String [] "",
        }
    }
}

r53_plugin::model! {
    /// The configuration and result of `r53_delegation_status`.
    pub struct DelegationStatus / DelegationStatusAttrs {
        description: "The live delegation of a domain, read over DNS from its parent's authoritative servers (found by walking \
         from the root hints in the provider's `dns` settings): the NS, glue and DS the parent publishes, each listed \
         name server's answer, and a summary of problems — lame servers, inconsistent serials, missing glue, a DS \
         without a matching DNSKEY, parent servers that disagree. Makes no AWS calls.";
        attributes {
            id: String [computed] "The domain in ASCII form.",
            domain: String [required] "The domain or subdomain to check.",
            parent_zone: String [computed] "The parent zone (e.g. `com`).",
            parent_name_servers: Vec<String> [computed] "The parent zone's servers that were asked.",
            delegated: bool [computed] "Whether the parent publishes a delegation (NS records) for the domain, consistently across its servers.",
            name_servers: Vec<String> [computed] "The NS set the parent publishes (sorted; empty when none or when its servers disagree).",
            glue: BTreeMap<String, Vec<String>> [computed] "Glue addresses the parent gives, per in-domain name server.",
            ds: Vec<String> [computed] "DS records the parent publishes, in presentation form.",
            servers: Vec<ServerAnswer> [computed] "Each published name server's answer: `name`, `addresses`, `authoritative` (answered the SOA with the AA flag), `serial`, the apex `name_servers` it serves, and `error` when it is not usable.",
            problems: Vec<String> [computed] "What is wrong, one sentence each; empty when the delegation is healthy.",
            dnssec: String [computed] "What a validating resolver concludes about the domain's SOA, checked in process from the provider's `dns.trust_anchors` down every cut: `secure` (signed from the root), `insecure` (a parent proves there is no DS: unsigned), `bogus` (the chain is broken: validating resolvers fail the domain) or `indeterminate` (not decided: an NSEC3 proof, or no answer).",
            dnssec_reason: String [computed] "Why, for `insecure` (where the chain ends), `bogus` (the zone and what failed) and `indeterminate`; null when `secure`.",
        }
    }
}

pub fn schema() -> Schema {
    Schema::new(0, DelegationStatus::block())
}

pub(crate) struct DelegationStatusData;

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
        match DelegationStatus::from_value(config) {
            Ok(m) => {
                if let Some(Err(e)) = m.domain.as_str().map(ascii_name) {
                    d.error_at(at(DelegationStatus::ATTR.domain), "Invalid domain", e);
                }
            }
            Err(e) => return e,
        }
        d
    }

    async fn read(&self, meta: &Meta, ctx: &Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let mut m = DelegationStatus::from_value(config)?;
        let domain = ascii_name(m.domain.as_str().unwrap_or_default()).map_err(|e| {
            Diagnostic::error("Invalid domain", e).at(at(DelegationStatus::ATTR.domain))
        })?;
        // Under the read timeout and Terraform's Stop.
        let c = crate::common::call(ctx, crate::common::READ_TIMEOUT);
        let w = Walker::new(meta.dns.clone()).bounded_by(&c);
        let st = w
            .status(&domain)
            .await
            .map_err(|e| crate::common::walk_diag(&domain, &e))?;
        let p = &st.parent;
        let published = p.agreed();
        m.id = Field::Known(domain.clone());
        m.parent_zone = Field::Known(p.zone.clone());
        m.parent_name_servers = Field::Known(p.servers.iter().map(|x| x.name.clone()).collect());
        m.delegated = Field::Known(published.is_some());
        m.name_servers = Field::Known(published.unwrap_or_default());
        m.glue = Field::Known(
            p.glue
                .iter()
                .map(|(k, v)| (k.clone(), v.iter().map(|a| a.to_string()).collect()))
                .collect(),
        );
        m.ds = Field::Known(p.ds.clone());
        m.servers = Field::Known(
            st.servers
                .iter()
                .map(|a| ServerAnswer {
                    name: Field::Known(a.name.clone()),
                    addresses: Field::Known(a.addrs.iter().map(|x| x.to_string()).collect()),
                    authoritative: Field::Known(a.authoritative),
                    serial: a.serial.map(i64::from).into(),
                    name_servers: Field::Known(a.ns.clone()),
                    error: a.error.clone().into(),
                })
                .collect(),
        );
        m.problems = Field::Known(st.problems.clone());
        let (verdict, reason) = crate::dnssec_diag::verdict(&w, &domain).await;
        m.dnssec = Field::Known(verdict.to_string());
        m.dnssec_reason = reason.into();
        tracing::debug!(
            "r53_delegation_status {domain}: {} ({} problems)",
            display_zone(&p.zone),
            st.problems.len()
        );
        Ok(m.to_value())
    }
}
