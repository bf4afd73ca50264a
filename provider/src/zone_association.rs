//! `r53_zone_association`: one VPC associated with a private hosted zone, possibly another
//! account's (after that account's `r53_vpc_association_authorization`).

use async_trait::async_trait;

use r53_core::Vpc;
use r53_plugin::framework::Failure;
use r53_plugin::schema::Schema;
use r53_plugin::{Ctx, Diagnostic, Diagnostics, Resource, Value};

use crate::common::*;
use crate::meta::Meta;
use crate::vpc_ref::{self, import_target, plan_create, VpcRefModel};

pub(crate) struct ZoneAssociationResource;

pub(crate) const TYPE_NAME: &str = "r53_zone_association";

r53_plugin::model! {
    /// The configuration and state of `r53_zone_association`.
    pub struct Association / AssociationAttrs {
        description: "Associates a VPC with a private hosted zone, so resources in the VPC resolve the zone's records. \
         The zone may belong to another AWS account: that account first authorizes the VPC \
         (`r53_vpc_association_authorization`, through a provider configured for the zone's account), then this \
         resource, through a provider configured for the VPC's account, makes the association. Make this resource \
         refer to the authorization (e.g. `zone_id = r53_vpc_association_authorization.x.zone_id`) so Terraform \
         authorizes before it associates and disassociates before it removes the authorization.\n\n\
         Creation and destruction wait until the change is in sync on all Route 53 servers. The association is \
         read from the VPC's side (ListHostedZonesByVPC), which the VPC's account may do for a zone of another \
         account; an association removed outside Terraform is planned again. To manage some of a zone's VPCs here \
         and others in the zone's own `vpc` blocks, set `vpc_associations = \"additive\"` on `r53_hosted_zone`, or \
         the two will undo each other's work.";
        attributes {
            id: String [computed] "`ZONE_ID:VPC_ID:VPC_REGION`.",
            zone_id: String [required, force_new] "The private hosted zone's ID. Changing it replaces the association.",
            vpc_id: String [required, force_new] "The VPC's ID. Changing it replaces the association.",
            vpc_region: String [optional_computed, force_new]
                "The VPC's region. Defaults to the provider's `region`. Changing it replaces the association.",
            owning_account: String [computed] "The AWS account that owns the zone (another account's ID for a cross-account association).",
        }
    }
}

crate::vpc_ref::vpc_ref_model!(Association);

pub fn schema() -> Schema {
    Schema::new(0, Association::block())
}

impl ZoneAssociationResource {
    /// The state of the association of `vpc` with `zone_id` (as the user spelt the zone ID).
    fn state(zone_id: &str, vpc: &Vpc, owning_account: Option<String>) -> Value {
        Association {
            owning_account: owning_account.into(),
            ..Association::known(zone_id, vpc)
        }
        .to_value()
    }

    /// The live association, or None when it is gone (or its zone is).
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
            .find_zone_association(&c, zone_id, vpc)
            .await;
        let what = || {
            format!(
                "Reading the association of VPC {} with hosted zone {zone_id}",
                vpc.id
            )
        };
        Ok(unless_gone(found, what)?.map(|z| Self::state(zone_id, vpc, z.owning_account)))
    }
}

#[async_trait]
impl Resource<Meta> for ZoneAssociationResource {
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
        vpc_ref::validate::<Association>(config)
    }

    async fn plan_with_api(
        &self,
        meta: &Meta,
        _ctx: &Ctx,
        prior: &Value,
        planned: &mut Value,
        d: &mut Diagnostics,
    ) {
        // A create's region and ID are known at plan time: the provider's region is the default.
        plan_create::<Association>(&meta.aws.region, prior, planned, d);
    }

    async fn create(&self, meta: &Meta, ctx: &Ctx, planned: Value) -> Result<Value, Failure> {
        let (zone_id, vpc) = Association::from_value(&planned)?.target(&meta.aws.region);
        let what = format!("Associating VPC {} with hosted zone {zone_id}", vpc.id);
        let c = call(ctx, CREATE_TIMEOUT);
        if let Err(e) = meta.aws.route53.associate_vpc(&c, &zone_id, &vpc).await {
            let d = api_diag(&what, &e);
            // Accepted but not confirmed (Stop, deadline): keep it in state (tainted) so it is
            // not orphaned; a refresh drops it if it did not land after all.
            return Err(if e.may_have_landed() {
                Failure::with_partial(d, Self::state(&zone_id, &vpc, None))
            } else {
                d.into()
            });
        }
        tracing::info!(zone_id = %zone_id, vpc_id = %vpc.id, region = %vpc.region, "associated VPC");
        match Self::find(meta, ctx, &zone_id, &vpc).await {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(Failure::from(Diagnostic::error(
                what,
                "Route 53 accepted the association, but ListHostedZonesByVPC does not show it",
            ))),
            Err(d) => Err(Failure::with_partial(d, Self::state(&zone_id, &vpc, None))),
        }
    }

    async fn read(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let (zone_id, vpc) = Association::from_value(state)?.target(&meta.aws.region);
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
        let (zone_id, vpc) = Association::from_value(prior)?.target(&meta.aws.region);
        let c = call(ctx, DELETE_TIMEOUT);
        match meta.aws.route53.disassociate_vpc(&c, &zone_id, &vpc).await {
            Ok(()) => Ok(Diagnostics::new()),
            Err(e) if e.is_not_found() => Ok(Diagnostics::new()),
            Err(e) if e.code() == Some("LastVPCAssociation") => Err(Diagnostic::error(
                format!("Disassociating VPC {} from hosted zone {zone_id} failed", vpc.id),
                format!(
                    "It is the zone's last VPC, and a private zone keeps at least one ({e}). Associate another VPC \
                     first, or delete the zone."
                ),
            )
            .into()),
            Err(e) => Err(api_diag(
                &format!("Disassociating VPC {} from hosted zone {zone_id}", vpc.id),
                &e,
            )
            .into()),
        }
    }

    async fn import(&self, meta: &Meta, ctx: &Ctx, id: &str) -> Result<Value, Diagnostics> {
        let (zone_id, vpc) = import_target(id, &meta.aws.region)?;
        let found = Self::find(meta, ctx, &zone_id, &vpc).await?;
        found.ok_or_else(|| {
            Diagnostic::error(
                "Cannot import VPC association",
                format!(
                    "VPC {} ({}) is not associated with hosted zone {zone_id}",
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
            &ZoneAssociationResource,
        );
    }

    #[test]
    fn invalid_ids_are_reported_at_their_attribute() {
        let d = ZoneAssociationResource.validate(&cfg(
            serde_json::json!({"zone_id": "/hostedzone/Z1", "vpc_id": "vpc:1", "vpc_region": ""}),
        ));
        let paths: Vec<String> =
            d.0.iter()
                .map(|x| x.path.as_ref().unwrap().to_string())
                .collect();
        assert_eq!(paths, ["vpc_id", "vpc_region"]);
        assert!(ZoneAssociationResource
            .validate(&cfg(
                serde_json::json!({"zone_id": "Z1", "vpc_id": "vpc-1"})
            ))
            .is_empty());
    }

    #[test]
    fn state_keeps_the_users_zone_id_and_names_the_triple() {
        let v = Vpc {
            id: "vpc-1".into(),
            region: "eu-west-1".into(),
        };
        let s = Association::from_value(&ZoneAssociationResource::state(
            "/hostedzone/Z1",
            &v,
            Some("111111111111".into()),
        ))
        .unwrap();
        assert_eq!(s.id.as_str(), Some("Z1:vpc-1:eu-west-1"));
        assert_eq!(s.zone_id.as_str(), Some("/hostedzone/Z1"));
        assert_eq!(s.owning_account.as_str(), Some("111111111111"));
    }
}
