//! `r53_resolver_rule_association`: a Resolver rule applied to a VPC.

use async_trait::async_trait;

use r53_core::resolver::RuleAssociation;
use r53_plugin::framework::Failure;
use r53_plugin::schema::Schema;
use r53_plugin::{Ctx, Diagnostic, Diagnostics, Field, Resource, Value};

use crate::common::*;
use crate::meta::Meta;

pub(crate) const TYPE_NAME: &str = "r53_resolver_rule_association";

pub(crate) struct RuleAssociationResource;

const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10 * 60);

r53_plugin::model! {
    /// The configuration and state of `r53_resolver_rule_association`.
    pub struct Association / AssociationAttrs {
        description: "Applies a Route 53 Resolver rule (`r53_resolver_rule`) to a VPC: the VPC's queries for the rule's \
         domain follow the rule. Creation waits until the association is `COMPLETE`, destruction until it is gone. \
         Every argument forces replacement (the API cannot change an association).";
        attributes {
            id: String [computed] "The association's ID (`rslvr-rrassoc-…`).",
            resolver_rule_id: String [required, force_new] "The rule's ID. Changing it replaces the association.",
            vpc_id: String [required, force_new] "The VPC's ID. Changing it replaces the association.",
            name: String [optional, force_new] "A friendly name. Changing it replaces the association.",
            status: String [computed] "The association's status as last read (`COMPLETE`, or `OVERRIDDEN` when another rule for the same domain applies to the VPC).",
        }
        blocks {
            timeouts: Vec<Timeouts> [0, 1] => timeouts_block("Defaults: create 10m, delete 10m; an update changes nothing remote."),
        }
    }
}

pub fn schema() -> Schema {
    Schema::new(0, Association::block())
}

fn state_of(a: &RuleAssociation, timeouts: &Field<Vec<Timeouts>>) -> Association {
    Association {
        id: Field::Known(a.id.clone()),
        resolver_rule_id: Field::Known(a.resolver_rule_id.clone()),
        vpc_id: Field::Known(a.vpc_id.clone()),
        name: a.name.clone().into(),
        status: Field::Known(a.status.clone()),
        timeouts: timeouts.clone(),
    }
}

impl RuleAssociationResource {
    async fn find(
        meta: &Meta,
        ctx: &Ctx,
        id: &str,
    ) -> Result<Option<RuleAssociation>, Diagnostics> {
        match meta
            .aws
            .resolver
            .find_rule_association(&call(ctx, READ_TIMEOUT), id)
            .await
        {
            // Being deleted is as good as gone (as terraform-provider-aws reads it): plan it again.
            Ok(a) if a.status == "DELETING" => Ok(None),
            Ok(a) => Ok(Some(a)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(api_diag(&format!("Reading Resolver rule association {id}"), &e).into()),
        }
    }
}

#[async_trait]
impl Resource<Meta> for RuleAssociationResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn identity(&self) -> Option<r53_plugin::Identity> {
        Some(r53_plugin::Identity::new(vec![
            r53_plugin::IdentityAttr::required("id", "The association's ID (`rslvr-rrassoc-…`)."),
        ]))
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let m = match Association::from_value(config) {
            Ok(m) => m,
            Err(e) => return e,
        };
        let a = Association::ATTR;
        let mut d = Diagnostics::new();
        for (attr, v) in [
            (a.resolver_rule_id, &m.resolver_rule_id),
            (a.vpc_id, &m.vpc_id),
        ] {
            if v.as_str().is_some_and(|s| s.trim().is_empty()) {
                d.error_at(at(attr), format!("Invalid {attr}"), "must not be empty");
            }
        }
        Timeouts::check(&m.timeouts, a.timeouts, &mut d);
        d
    }

    fn modify_plan(&self, prior: &Value, planned: &mut Value, d: &mut Diagnostics) {
        if prior.is_null() || planned.is_null() {
            return;
        }
        let (p, mut n) = match Association::from_values(prior, planned) {
            Ok(pn) => pn,
            Err(e) => return d.extend(e),
        };
        n.id = p.id;
        n.status = p.status;
        *planned = n.to_value();
    }

    async fn create(&self, meta: &Meta, ctx: &Ctx, planned: Value) -> Result<Value, Failure> {
        let m = Association::from_value(&planned)?;
        let t = Timeouts::of(&m.timeouts, |t| &t.create, DEFAULT_TIMEOUT);
        let rule = m.resolver_rule_id.string().unwrap_or_default();
        let vpc = m.vpc_id.string().unwrap_or_default();
        let a = meta
            .aws
            .resolver
            .associate_rule(&call(ctx, t), &rule, &vpc, m.name.as_str())
            .await
            .map_err(|e| {
                api_diag(
                    &format!("Associating Resolver rule {rule} with VPC {vpc}"),
                    &e,
                )
            })?;
        tracing::info!(id = %a.id, rule = %rule, vpc = %vpc, "associated Resolver rule");
        Ok(state_of(&a, &m.timeouts).to_value())
    }

    async fn read(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let m = Association::from_value(state)?;
        let id = m.id.string().unwrap_or_default();
        Ok(Self::find(meta, ctx, &id)
            .await?
            .map(|a| state_of(&a, &m.timeouts).to_value()))
    }

    async fn update(
        &self,
        _meta: &Meta,
        _ctx: &Ctx,
        _prior: &Value,
        planned: Value,
    ) -> Result<Value, Failure> {
        // Every argument forces replacement: only `timeouts` reaches here.
        Ok(planned)
    }

    async fn delete(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
    ) -> Result<Diagnostics, Diagnostics> {
        let m = Association::from_value(prior)?;
        let t = Timeouts::of(&m.timeouts, |t| &t.delete, DEFAULT_TIMEOUT);
        let a = RuleAssociation {
            id: m.id.string().unwrap_or_default(),
            resolver_rule_id: m.resolver_rule_id.string().unwrap_or_default(),
            vpc_id: m.vpc_id.string().unwrap_or_default(),
            ..Default::default()
        };
        meta.aws
            .resolver
            .disassociate_rule(&call(ctx, t), &a)
            .await
            .map_err(|e| api_diag(&format!("Deleting Resolver rule association {}", a.id), &e))?;
        Ok(Diagnostics::new())
    }

    async fn import(&self, meta: &Meta, ctx: &Ctx, id: &str) -> Result<Value, Diagnostics> {
        let id = id.trim();
        match Self::find(meta, ctx, id).await? {
            Some(a) => Ok(state_of(&a, &Field::Null).to_value()),
            None => Err(Diagnostic::error(
                "Cannot import Resolver rule association",
                format!("no Resolver rule association with ID {id:?} exists in this region"),
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

    #[test]
    fn every_argument_forces_replacement() {
        let s = schema();
        let base =
            serde_json::json!({"resolver_rule_id": "rslvr-rr-1", "vpc_id": "vpc-1", "name": "a"});
        for (k, v) in [
            ("resolver_rule_id", "rslvr-rr-2"),
            ("vpc_id", "vpc-2"),
            ("name", "b"),
        ] {
            let mut j = base.clone();
            j[k] = serde_json::json!(v);
            assert_eq!(
                RuleAssociationResource.replace_paths(&s, &cfg(base.clone()), &cfg(j)),
                vec![at(k)],
                "{k}"
            );
        }
    }

    #[test]
    fn empty_ids_and_bad_timeouts_are_refused_at_their_paths() {
        let d = RuleAssociationResource.validate(&cfg(serde_json::json!({
            "resolver_rule_id": " ", "vpc_id": "vpc-1",
            "timeouts": [{"create": "soon", "update": null, "delete": null}],
        })));
        let paths: Vec<String> =
            d.0.iter()
                .map(|x| x.path.as_ref().unwrap().to_string())
                .collect();
        assert_eq!(paths, ["resolver_rule_id", "timeouts[0].create"]);
    }
}
