//! `r53_resolver_rule`: which domain's queries the Route 53 Resolver forwards, and where.

use async_trait::async_trait;

use r53_core::resolver::{
    new_creator_request_id, NewRule, ResolverRule, RuleUpdate, TargetIp, MAX_TARGET_IPS,
};
use r53_plugin::framework::Failure;
use r53_plugin::schema::Schema;
use r53_plugin::{Ctx, Diagnostic, Diagnostics, Field, Resource, Value};

use crate::common::*;
use crate::meta::Meta;

pub(crate) const TYPE_NAME: &str = "r53_resolver_rule";

pub(crate) struct ResolverRuleResource;

const RULE_TYPES: [&str; 3] = ["FORWARD", "SYSTEM", "RECURSIVE"];
const DEFAULT_PORT: i64 = 53;
const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10 * 60);

r53_plugin::model! {
    /// One `target_ip` block.
    pub struct Target / TargetAttrs {
        description: "A DNS server the rule forwards queries to.";
        attributes {
            ip: String [required] "The server's IPv4 address.",
            port: i64 [optional_computed] "The server's port. Default 53.",
        }
    }
}

r53_plugin::model! {
    /// The configuration and state of `r53_resolver_rule`.
    pub struct Rule / RuleAttrs {
        description: "A Route 53 Resolver rule. A `FORWARD` rule sends the queries for `domain_name` (and its subdomains) \
         from the VPCs it is associated with (`r53_resolver_rule_association`) through an outbound \
         `r53_resolver_endpoint` to the `target_ip` servers, e.g. your on-premises DNS. A `SYSTEM` rule makes the \
         Resolver answer a subdomain of a forwarded domain itself.\n\n\
         `name`, `resolver_endpoint_id` and the `target_ip` blocks change in place (UpdateResolverRule); the domain and \
         the rule type cannot change without replacing the rule. Creation and changes wait until the rule is \
         `COMPLETE`, deletion until it is gone. A rule still associated with a VPC cannot be deleted: Terraform \
         removes the associations first when they refer to the rule.";
        attributes {
            id: String [computed] "The rule's ID (`rslvr-rr-…`).",
            arn: String [computed] "The rule's ARN.",
            domain_name: String [required, force_new]
                "The domain whose queries the rule applies to (a trailing dot and case do not matter). Changing it replaces the rule.",
            rule_type: String [required, force_new] "`FORWARD`, `SYSTEM` or `RECURSIVE`. Changing it replaces the rule.",
            name: String [optional] "A friendly name.",
            resolver_endpoint_id: String [optional]
                "The outbound endpoint queries leave through (`FORWARD` rules; required for them).",
            owner_id: String [computed] "The AWS account that owns the rule.",
            share_status: String [computed] "Whether the rule is shared with other accounts (AWS RAM).",
        }
        blocks {
            target_ip: Vec<Target> [0, 0],
            timeouts: Vec<Timeouts> [0, 1] => timeouts_block("Defaults: create 10m, update 10m, delete 10m."),
        }
    }
}

pub fn schema() -> Schema {
    Schema::new(0, Rule::block())
}

fn same_domain(a: &str, b: &str) -> bool {
    a.trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim_end_matches('.'))
}

fn targets(m: &Rule) -> Vec<TargetIp> {
    m.target_ip
        .items()
        .iter()
        .map(|t| TargetIp {
            ip: t.ip.string().unwrap_or_default(),
            port: t
                .port
                .get()
                .and_then(|p| i32::try_from(p).ok())
                .unwrap_or(DEFAULT_PORT as i32),
        })
        .collect()
}

/// The state of the live rule, keeping `base`'s spelling of the same domain.
fn state_of(r: &ResolverRule, base: &Rule) -> Rule {
    let domain = match base.domain_name.as_str() {
        Some(b) if same_domain(b, &r.domain_name) => b.to_string(),
        _ => r.domain_name.clone(),
    };
    Rule {
        id: Field::Known(r.id.clone()),
        arn: Field::Known(r.arn.clone()),
        domain_name: Field::Known(domain),
        rule_type: Field::Known(r.rule_type.clone()),
        name: r.name.clone().into(),
        resolver_endpoint_id: r.resolver_endpoint_id.clone().into(),
        owner_id: Field::Known(r.owner_id.clone()),
        share_status: Field::Known(r.share_status.clone()),
        target_ip: if r.target_ips.is_empty() {
            Field::Known(Vec::new())
        } else {
            Field::Known(
                r.target_ips
                    .iter()
                    .map(|t| Target {
                        ip: Field::Known(t.ip.clone()),
                        port: Field::Known(i64::from(t.port)),
                    })
                    .collect(),
            )
        },
        timeouts: base.timeouts.clone(),
    }
}

impl ResolverRuleResource {
    async fn find(meta: &Meta, ctx: &Ctx, id: &str) -> Result<Option<ResolverRule>, Diagnostics> {
        match meta
            .aws
            .resolver
            .find_rule(&call(ctx, READ_TIMEOUT), id)
            .await
        {
            Ok(r) => Ok(Some(r)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(api_diag(&format!("Reading Resolver rule {id}"), &e).into()),
        }
    }
}

#[async_trait]
impl Resource<Meta> for ResolverRuleResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn identity(&self) -> Option<r53_plugin::Identity> {
        Some(r53_plugin::Identity::new(vec![
            r53_plugin::IdentityAttr::required("id", "The rule's ID (`rslvr-rr-…`)."),
        ]))
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let m = match Rule::from_value(config) {
            Ok(m) => m,
            Err(e) => return e,
        };
        let a = Rule::ATTR;
        let mut d = Diagnostics::new();
        if let Some(t) = m.rule_type.as_str() {
            if !RULE_TYPES.contains(&t) {
                d.error_at(
                    at(a.rule_type),
                    "Invalid rule_type",
                    format!("must be FORWARD, SYSTEM or RECURSIVE, not {t:?}"),
                );
            }
        }
        if let Some(n) = m.domain_name.as_str() {
            if n.trim_end_matches('.').is_empty() && n != "." {
                d.error_at(
                    at(a.domain_name),
                    "Invalid domain_name",
                    "must not be empty",
                );
            }
        }
        if let Field::Known(ts) = &m.target_ip {
            if ts.len() > MAX_TARGET_IPS {
                d.error_at(
                    at(a.target_ip),
                    "Too many target_ip blocks",
                    format!(
                        "a rule forwards to at most {MAX_TARGET_IPS} addresses, not {}",
                        ts.len()
                    ),
                );
            }
            for (i, t) in ts.iter().enumerate() {
                let path = at(a.target_ip).index(i as i64);
                if let Some(ip) = t.ip.as_str() {
                    if ip.parse::<std::net::Ipv4Addr>().is_err() {
                        d.error_at(
                            path.clone().then(Target::ATTR.ip),
                            "Invalid ip",
                            format!("{ip:?} is not an IPv4 address"),
                        );
                    }
                }
                if let Some(p) = t.port.get() {
                    if !(1..=65535).contains(&p) {
                        d.error_at(
                            path.then(Target::ATTR.port),
                            "Invalid port",
                            format!("must be from 1 to 65535, not {p}"),
                        );
                    }
                }
            }
        }
        match m.rule_type.as_str() {
            Some("FORWARD") => {
                if m.target_ip.is_known() && m.target_ip.items().is_empty() {
                    d.error_at(
                        at(a.target_ip),
                        "Missing target_ip",
                        "a FORWARD rule needs at least one target_ip block",
                    );
                }
                if m.resolver_endpoint_id.is_null() {
                    d.error_at(
                        at(a.resolver_endpoint_id),
                        "Missing resolver_endpoint_id",
                        "a FORWARD rule forwards through an outbound endpoint",
                    );
                }
            }
            Some(t @ ("SYSTEM" | "RECURSIVE")) => {
                if !m.target_ip.items().is_empty() {
                    d.error_at(
                        at(a.target_ip),
                        "Unexpected target_ip",
                        format!("a {t} rule forwards nowhere: remove the target_ip blocks"),
                    );
                }
                if !m.resolver_endpoint_id.is_null() {
                    d.error_at(
                        at(a.resolver_endpoint_id),
                        "Unexpected resolver_endpoint_id",
                        format!("a {t} rule uses no endpoint"),
                    );
                }
            }
            _ => {}
        }
        Timeouts::check(&m.timeouts, a.timeouts, &mut d);
        d
    }

    fn modify_plan(&self, prior: &Value, planned: &mut Value, d: &mut Diagnostics) {
        if planned.is_null() {
            return;
        }
        let mut n = match Rule::from_value(planned) {
            Ok(n) => n,
            Err(e) => return d.extend(e),
        };
        if let Field::Known(ts) = &mut n.target_ip {
            for t in ts.iter_mut() {
                if !t.port.is_known() {
                    t.port = Field::Known(DEFAULT_PORT);
                }
            }
        }
        if !prior.is_null() {
            match Rule::from_value(prior) {
                Ok(p) => {
                    n.id = p.id;
                    n.arn = p.arn;
                    n.owner_id = p.owner_id;
                    n.share_status = p.share_status;
                }
                Err(e) => return d.extend(e),
            }
        }
        *planned = n.to_value();
    }

    async fn create(&self, meta: &Meta, ctx: &Ctx, planned: Value) -> Result<Value, Failure> {
        let m = Rule::from_value(&planned)?;
        let t = Timeouts::of(&m.timeouts, |t| &t.create, DEFAULT_TIMEOUT);
        let domain = m.domain_name.string().unwrap_or_default();
        let new = NewRule {
            creator_request_id: new_creator_request_id(),
            name: m.name.string(),
            domain_name: domain.clone(),
            rule_type: m.rule_type.string().unwrap_or_default(),
            resolver_endpoint_id: m.resolver_endpoint_id.string(),
            target_ips: targets(&m),
        };
        let r = meta
            .aws
            .resolver
            .create_rule(&call(ctx, t), &new)
            .await
            .map_err(|e| api_diag(&format!("Creating Resolver rule for {domain}"), &e))?;
        tracing::info!(id = %r.id, domain = %r.domain_name, "created Resolver rule");
        Ok(state_of(&r, &m).to_value())
    }

    async fn read(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let m = Rule::from_value(state)?;
        let id = m.id.string().unwrap_or_default();
        Ok(Self::find(meta, ctx, &id)
            .await?
            .map(|r| state_of(&r, &m).to_value()))
    }

    async fn update(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
        planned: Value,
    ) -> Result<Value, Failure> {
        let (p, n) = Rule::from_values(prior, &planned)?;
        let id = p.id.string().unwrap_or_default();
        let t = Timeouts::of(&n.timeouts, |t| &t.update, DEFAULT_TIMEOUT);
        let u = RuleUpdate {
            // An unset name is sent as an empty one (the API keeps a name it is not sent).
            name: (n.name != p.name).then(|| n.name.string().unwrap_or_default()),
            resolver_endpoint_id: (n.resolver_endpoint_id != p.resolver_endpoint_id)
                .then(|| n.resolver_endpoint_id.string())
                .flatten(),
            target_ips: (targets(&n) != targets(&p)).then(|| targets(&n)),
        };
        let r = if u.name.is_none() && u.resolver_endpoint_id.is_none() && u.target_ips.is_none() {
            meta.aws.resolver.find_rule(&call(ctx, t), &id).await
        } else {
            meta.aws.resolver.update_rule(&call(ctx, t), &id, &u).await
        }
        .map_err(|e| api_diag(&format!("Updating Resolver rule {id}"), &e))?;
        Ok(state_of(&r, &n).to_value())
    }

    async fn delete(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
    ) -> Result<Diagnostics, Diagnostics> {
        let m = Rule::from_value(prior)?;
        let id = m.id.string().unwrap_or_default();
        let t = Timeouts::of(&m.timeouts, |t| &t.delete, DEFAULT_TIMEOUT);
        meta.aws
            .resolver
            .delete_rule(&call(ctx, t), &id)
            .await
            .map_err(|e| api_diag(&format!("Deleting Resolver rule {id}"), &e))?;
        Ok(Diagnostics::new())
    }

    async fn import(&self, meta: &Meta, ctx: &Ctx, id: &str) -> Result<Value, Diagnostics> {
        let id = id.trim();
        match Self::find(meta, ctx, id).await? {
            Some(r) => Ok(state_of(&r, &Rule::default()).to_value()),
            None => Err(Diagnostic::error(
                "Cannot import Resolver rule",
                format!("no Resolver rule with ID {id:?} exists in this region"),
            )
            .into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(j: serde_json::Value) -> Value {
        Value::from_json(&j, &schema().ty()).unwrap()
    }

    fn paths(d: &Diagnostics) -> Vec<String> {
        d.0.iter()
            .map(|x| x.path.as_ref().unwrap().to_string())
            .collect()
    }

    #[test]
    fn forward_rules_need_targets_and_an_endpoint_system_rules_neither() {
        let d = ResolverRuleResource.validate(&cfg(serde_json::json!({
            "domain_name": "corp.example.com", "rule_type": "FORWARD", "target_ip": [],
        })));
        assert_eq!(paths(&d), ["target_ip", "resolver_endpoint_id"]);
        let d = ResolverRuleResource.validate(&cfg(serde_json::json!({
            "domain_name": "corp.example.com", "rule_type": "SYSTEM", "resolver_endpoint_id": "rslvr-out-1",
            "target_ip": [{"ip": "10.0.0.1"}],
        })));
        assert_eq!(paths(&d), ["target_ip", "resolver_endpoint_id"]);
        let d = ResolverRuleResource.validate(&cfg(serde_json::json!({
            "domain_name": "corp.example.com", "rule_type": "forward", "resolver_endpoint_id": "rslvr-out-1",
            "target_ip": [{"ip": "10.0.0.256", "port": 0}],
        })));
        assert_eq!(
            paths(&d),
            ["rule_type", "target_ip[0].ip", "target_ip[0].port"]
        );
        assert!(ResolverRuleResource
            .validate(&cfg(serde_json::json!({
                "domain_name": "corp.example.com", "rule_type": "FORWARD", "resolver_endpoint_id": "rslvr-out-1",
                "target_ip": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2", "port": 5353}],
            })))
            .is_empty());
    }

    #[test]
    fn state_keeps_the_configured_spelling_and_ports_default_to_53() {
        let live = ResolverRule {
            id: "rslvr-rr-1".into(),
            domain_name: "corp.example.com".into(),
            rule_type: "FORWARD".into(),
            target_ips: vec![TargetIp {
                ip: "10.0.0.1".into(),
                port: 53,
            }],
            ..Default::default()
        };
        let base = Rule {
            domain_name: "Corp.Example.com.".into(),
            ..Default::default()
        };
        let s = state_of(&live, &base);
        assert_eq!(s.domain_name.as_str(), Some("Corp.Example.com."));
        assert_eq!(s.target_ip.items()[0].port.get(), Some(53));
        assert_eq!(
            state_of(&live, &Rule::default()).domain_name.as_str(),
            Some("corp.example.com")
        );

        let mut planned = cfg(serde_json::json!({
            "domain_name": "corp.example.com", "rule_type": "FORWARD", "resolver_endpoint_id": "rslvr-out-1",
            "target_ip": [{"ip": "10.0.0.1"}],
        }));
        let mut d = Diagnostics::new();
        ResolverRuleResource.modify_plan(&Value::Null, &mut planned, &mut d);
        let n = Rule::from_value(&planned).unwrap();
        assert_eq!(n.target_ip.items()[0].port.get(), Some(53));
    }
}
