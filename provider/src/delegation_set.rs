//! `r53_delegation_set`: a reusable delegation set — four name servers the account keeps, that
//! hosted zones are created on (`r53_hosted_zone.delegation_set_id`). A zone destroyed and created
//! again on the same set gets the same four name servers, so the delegation at the parent or the
//! registrar never has to change; the same set across many zones gives white-label name servers.

use async_trait::async_trait;

use r53_core::route53::{new_set_caller_reference, strip_delegation_set_id, DelegationSet};
use r53_plugin::framework::Failure;
use r53_plugin::schema::Schema;
use r53_plugin::{Ctx, Diagnostic, Diagnostics, Field, Resource, Value};

use crate::common::*;
use crate::meta::Meta;

pub(crate) const TYPE_NAME: &str = "r53_delegation_set";

/// Longest `reference_name` (the CallerReference, at most 128 characters, also holds the prefix
/// and a nonce).
const MAX_REFERENCE_NAME: usize = 64;

pub(crate) struct DelegationSetResource;

r53_plugin::model! {
    /// The configuration and state of `r53_delegation_set`.
    pub struct DelegationSetModel / DelegationSetAttrs {
        description: "A reusable delegation set: four Route 53 name servers kept by the account, that hosted zones are created on \
             (`r53_hosted_zone.delegation_set_id`). A zone destroyed and created again on the same set keeps its four name \
             servers, so its delegation (`r53_delegation`, or the registrar) plans no change; many zones on one set share \
             one set of name servers (white-label name servers). Route 53 refuses to delete a set that zones still use.";
        attributes {
            id: String [computed] "The delegation set's ID (e.g. `N1PA6795SAMPLE`).",
            reference_name: String [optional, force_new]
                "A name to recognise the set by (kept in its caller reference; 1 to 64 bytes, no `:`). Changing it creates a new set — with other name servers.",
            arn: String [computed] "The set's ARN.",
            name_servers: Vec<String> [computed] "The set's four name servers, in Route 53's order.",
        }
    }
}

pub fn schema() -> Schema {
    Schema::new(0, DelegationSetModel::block())
}

/// The state of a set (the reference name from its caller reference when this provider made it).
fn state_of(d: &DelegationSet) -> DelegationSetModel {
    DelegationSetModel {
        id: Field::Known(d.id.clone()),
        reference_name: d.reference_name().map(str::to_string).into(),
        arn: Field::Known(format!("arn:aws:route53:::delegationset/{}", d.id)),
        name_servers: Field::Known(d.name_servers.clone()),
    }
}

#[async_trait]
impl Resource<Meta> for DelegationSetResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn identity(&self) -> Option<r53_plugin::Identity> {
        Some(r53_plugin::Identity::new(vec![
            r53_plugin::IdentityAttr::required(
                "id",
                "The delegation set's ID (e.g. `N1PA6795SAMPLE`).",
            ),
        ]))
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let m = match DelegationSetModel::from_value(config) {
            Ok(m) => m,
            Err(e) => return e,
        };
        let mut d = Diagnostics::new();
        if let Some(n) = m.reference_name.as_str() {
            // Bytes: Route 53 counts the caller reference's length, and it must hold the name.
            if n.is_empty() || n.len() > MAX_REFERENCE_NAME || n.contains(':') {
                d.error_at(
                    at(DelegationSetModel::ATTR.reference_name),
                    "Invalid reference_name",
                    format!(
                        "reference_name must be 1 to {MAX_REFERENCE_NAME} bytes without ':', not {n:?}"
                    ),
                );
            }
        }
        d
    }

    fn modify_plan(&self, prior: &Value, planned: &mut Value, d: &mut Diagnostics) {
        if prior.is_null() || planned.is_null() {
            return;
        }
        let (p, mut n) = match DelegationSetModel::from_values(prior, planned) {
            Ok(pn) => pn,
            Err(e) => return d.extend(e),
        };
        // Nothing changes in place: the computed attributes keep their values.
        n.id = p.id;
        n.arn = p.arn;
        n.name_servers = p.name_servers;
        *planned = n.to_value();
    }

    async fn create(&self, meta: &Meta, ctx: &Ctx, planned: Value) -> Result<Value, Failure> {
        let m = DelegationSetModel::from_value(&planned)?;
        let reference = new_set_caller_reference(m.reference_name.as_str().unwrap_or_default());
        let c = call(ctx, CREATE_TIMEOUT);
        let set = meta
            .aws
            .route53
            .create_delegation_set(&c, &reference)
            .await
            .map_err(|e| api_diag("Creating reusable delegation set", &e))?;
        tracing::info!(id = %set.id, "created reusable delegation set");
        let mut s = state_of(&set);
        // The configuration's spelling (state_of reads it back the same way; this keeps null null).
        s.reference_name = m.reference_name;
        Ok(s.to_value())
    }

    async fn read(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let m = DelegationSetModel::from_value(state)?;
        let id = m.id.string().unwrap_or_default();
        match meta
            .aws
            .route53
            .find_delegation_set(&call(ctx, READ_TIMEOUT), &id)
            .await
        {
            Ok(set) => {
                let mut s = state_of(&set);
                s.reference_name = m.reference_name;
                Ok(Some(s.to_value()))
            }
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(api_diag(&format!("Reading reusable delegation set {id}"), &e).into()),
        }
    }

    async fn update(
        &self,
        _meta: &Meta,
        _ctx: &Ctx,
        _prior: &Value,
        planned: Value,
    ) -> Result<Value, Failure> {
        // Every argument forces a new set; nothing is written in place.
        Ok(planned)
    }

    async fn delete(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
    ) -> Result<Diagnostics, Diagnostics> {
        let m = DelegationSetModel::from_value(prior)?;
        let id = m.id.string().unwrap_or_default();
        let what = format!("Deleting reusable delegation set {id}");
        match meta
            .aws
            .route53
            .delete_delegation_set(&call(ctx, DELETE_TIMEOUT), &id)
            .await
        {
            Ok(()) => Ok(Diagnostics::new()),
            Err(e) if e.code() == Some("DelegationSetInUse") => Err(Diagnostic::error(
                what,
                format!(
                    "Hosted zones still use this set, so Route 53 refused to delete it ({e}). Destroy those zones first \
                     (a zone that references the set's id is destroyed before it by Terraform)."
                ),
            )
            .into()),
            Err(e) => Err(api_diag(&what, &e).into()),
        }
    }

    async fn import(&self, meta: &Meta, ctx: &Ctx, id: &str) -> Result<Value, Diagnostics> {
        let id = strip_delegation_set_id(id);
        if id.is_empty() || id.contains('/') {
            return Err(Diagnostic::error(
                "Invalid import ID",
                format!("expected a delegation set ID like N1PA6795SAMPLE, got {id:?}"),
            )
            .into());
        }
        match meta
            .aws
            .route53
            .find_delegation_set(&call(ctx, READ_TIMEOUT), &id)
            .await
        {
            Ok(set) => Ok(state_of(&set).to_value()),
            Err(e) if e.is_not_found() => Err(Diagnostic::error(
                "Cannot import reusable delegation set",
                format!("no reusable delegation set with ID {id} exists"),
            )
            .into()),
            Err(e) => Err(api_diag("Importing reusable delegation set", &e).into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(caller_reference: &str) -> DelegationSet {
        DelegationSet {
            id: "N1".into(),
            caller_reference: caller_reference.into(),
            name_servers: vec!["ns-1.awsdns-01.com".into()],
        }
    }

    #[test]
    fn import_reads_the_reference_name_back_from_the_caller_reference() {
        let made = new_set_caller_reference("prod-ns");
        assert!(
            made.starts_with("r53-tf1:ds:prod-ns:") && made.len() <= 128,
            "{made}"
        );
        assert_eq!(
            state_of(&set(&made)).reference_name.as_str(),
            Some("prod-ns")
        );
        // Made some other way (console, other tools): no reference name.
        assert!(state_of(&set("console 2024-01-01"))
            .reference_name
            .is_null());
        let s = state_of(&set(&made));
        assert_eq!(s.arn.as_str(), Some("arn:aws:route53:::delegationset/N1"));
        assert_eq!(s.name_servers.items(), ["ns-1.awsdns-01.com".to_string()]);
    }

    #[test]
    fn a_reference_name_too_long_or_with_a_colon_is_refused_at_its_attribute() {
        let cfg = |n: &str| {
            Value::from_json(&serde_json::json!({ "reference_name": n }), &schema().ty()).unwrap()
        };
        assert!(DelegationSetResource.validate(&cfg("prod")).is_empty());
        let longest = "x".repeat(MAX_REFERENCE_NAME);
        assert!(DelegationSetResource.validate(&cfg(&longest)).is_empty());
        assert!(new_set_caller_reference(&longest).len() <= 128);
        for bad in ["", "a:b", &"x".repeat(MAX_REFERENCE_NAME + 1)] {
            let d = DelegationSetResource.validate(&cfg(bad));
            assert_eq!(d.0.len(), 1, "{bad:?}");
            assert_eq!(d.0[0].path, Some(at("reference_name")));
        }
    }
}
