//! `r53_vpc_association_authorization`: the zone owner's permission for another account's VPC
//! to be associated with its private zone.

use async_trait::async_trait;

use r53_core::Vpc;
use r53_plugin::framework::Failure;
use r53_plugin::schema::Schema;
use r53_plugin::{Ctx, Diagnostic, Diagnostics, Resource, Value};

use crate::common::*;
use crate::meta::Meta;
use crate::vpc_ref::{self, import_target, plan_create, VpcRefModel};

pub(crate) struct AuthorizationResource;

pub(crate) const TYPE_NAME: &str = "r53_vpc_association_authorization";

r53_plugin::model! {
    /// The configuration and state of `r53_vpc_association_authorization`.
    pub struct Authorization / AuthorizationAttrs {
        description: "Authorizes a VPC of another AWS account to be associated with a private hosted zone of this \
         provider's account. The first half of a cross-account association: create it through a provider \
         configured for the zone's account, then an `r53_zone_association` through a provider configured for the \
         VPC's account, referring to this resource so the order is right both ways (authorize → associate on \
         create; disassociate → remove the authorization on destroy).\n\n\
         Route 53 does not need the authorization once the association exists, so it may be destroyed afterwards; \
         keeping it lets the VPC's account associate again (after a replacement, say). An authorization removed \
         outside Terraform is planned again.";
        attributes {
            id: String [computed] "`ZONE_ID:VPC_ID:VPC_REGION`.",
            zone_id: String [required, force_new] "The private hosted zone's ID (a zone of this provider's account). Changing it replaces the authorization.",
            vpc_id: String [required, force_new] "The ID of the other account's VPC. Changing it replaces the authorization.",
            vpc_region: String [optional_computed, force_new]
                "The VPC's region. Defaults to the provider's `region`. Changing it replaces the authorization.",
        }
    }
}

crate::vpc_ref::vpc_ref_model!(Authorization);

pub fn schema() -> Schema {
    Schema::new(0, Authorization::block())
}

impl AuthorizationResource {
    fn state(zone_id: &str, vpc: &Vpc) -> Value {
        Authorization::known(zone_id, vpc).to_value()
    }

    /// The live authorization, or None when it is gone (or its zone is).
    async fn find(
        meta: &Meta,
        ctx: &Ctx,
        zone_id: &str,
        vpc: &Vpc,
    ) -> Result<Option<Value>, Diagnostics> {
        let c = call(ctx, READ_TIMEOUT);
        let found = meta
            .aws
            .route53
            .find_vpc_association_authorization(&c, zone_id, vpc)
            .await;
        let what = || {
            format!(
                "Reading the authorization of VPC {} for hosted zone {zone_id}",
                vpc.id
            )
        };
        // The region as the user spelt it (Route 53 compares it without case).
        Ok(unless_gone(found, what)?.map(|_| Self::state(zone_id, vpc)))
    }
}

#[async_trait]
impl Resource<Meta> for AuthorizationResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn identity(&self) -> Option<r53_plugin::Identity> {
        Some(crate::vpc_ref::identity())
    }

    fn import_id(&self, identity: &Value) -> Result<String, Diagnostics> {
        crate::vpc_ref::import_id(identity)
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        vpc_ref::validate::<Authorization>(config)
    }

    async fn plan_with_api(
        &self,
        meta: &Meta,
        _ctx: &Ctx,
        prior: &Value,
        planned: &mut Value,
        d: &mut Diagnostics,
    ) {
        plan_create::<Authorization>(&meta.aws.region, prior, planned, d);
    }

    async fn create(&self, meta: &Meta, ctx: &Ctx, planned: Value) -> Result<Value, Failure> {
        let (zone_id, vpc) = Authorization::from_value(&planned)?.target(&meta.aws.region);
        let what = format!(
            "Authorizing VPC {} ({}) for hosted zone {zone_id}",
            vpc.id, vpc.region
        );
        let c = call(ctx, CREATE_TIMEOUT);
        match meta
            .aws
            .route53
            .create_vpc_association_authorization(&c, &zone_id, &vpc)
            .await
        {
            Ok(()) => {
                tracing::info!(zone_id = %zone_id, vpc_id = %vpc.id, region = %vpc.region, "authorized VPC association");
                Ok(Self::state(&zone_id, &vpc))
            }
            // Cut short after it may have landed: keep it (tainted); a refresh drops it if not.
            Err(e) if e.may_have_landed() => Err(Failure::with_partial(
                api_diag(&what, &e),
                Self::state(&zone_id, &vpc),
            )),
            Err(e) => Err(Failure::from(api_diag(&what, &e))),
        }
    }

    async fn read(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let (zone_id, vpc) = Authorization::from_value(state)?.target(&meta.aws.region);
        Self::find(meta, ctx, &zone_id, &vpc).await
    }

    async fn update(
        &self,
        _meta: &Meta,
        _ctx: &Ctx,
        _prior: &Value,
        planned: Value,
    ) -> Result<Value, Failure> {
        // Every argument forces replacement: an update changes nothing remote.
        Ok(planned)
    }

    async fn delete(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
    ) -> Result<Diagnostics, Diagnostics> {
        let (zone_id, vpc) = Authorization::from_value(prior)?.target(&meta.aws.region);
        let c = call(ctx, DELETE_TIMEOUT);
        let removed = meta
            .aws
            .route53
            .delete_vpc_association_authorization(&c, &zone_id, &vpc)
            .await;
        let what = || {
            format!(
                "Removing the authorization of VPC {} for hosted zone {zone_id}",
                vpc.id
            )
        };
        // Gone already is as good as removed.
        unless_gone(removed, what).map(|_| Diagnostics::new())
    }

    async fn import(&self, meta: &Meta, ctx: &Ctx, id: &str) -> Result<Value, Diagnostics> {
        let (zone_id, vpc) = import_target(id, &meta.aws.region)?;
        let found = Self::find(meta, ctx, &zone_id, &vpc).await?;
        found.ok_or_else(|| {
            Diagnostic::error(
                "Cannot import VPC association authorization",
                format!(
                    "VPC {} ({}) is not authorized for hosted zone {zone_id} (or the zone is not this account's)",
                    vpc.id, vpc.region
                ),
            )
            .into()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(j: serde_json::Value) -> Value {
        Value::from_json(&j, &schema().ty()).unwrap()
    }

    #[test]
    fn every_argument_forces_replacement_and_is_described() {
        crate::vpc_ref::tests::every_argument_forces_replacement_and_is_described(
            &AuthorizationResource,
        );
    }

    #[test]
    fn invalid_ids_are_reported_at_their_attribute() {
        let d = AuthorizationResource.validate(&cfg(
            serde_json::json!({"zone_id": "Z 1", "vpc_id": "vpc-1"}),
        ));
        assert_eq!(d.0.len(), 1);
        assert_eq!(d.0[0].path, Some(at("zone_id")));
    }
}
