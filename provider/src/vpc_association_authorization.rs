//! `r53_vpc_association_authorization`: the zone owner's permission for another account's VPC
//! to be associated with its private zone.

use async_trait::async_trait;

use r53_core::Vpc;
use r53_plugin::framework::Failure;
use r53_plugin::schema::Schema;
use r53_plugin::{Ctx, Diagnostic, Diagnostics, Field, Resource, Value};

use crate::common::*;
use crate::meta::Meta;
use crate::vpc_ref::{check_parts, parse_import_id, VpcRef};

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

pub fn schema() -> Schema {
    Schema::new(0, Authorization::block())
}

impl AuthorizationResource {
    fn vpc(m: &Authorization, meta: &Meta) -> Vpc {
        Vpc {
            id: m.vpc_id.string().unwrap_or_default(),
            region: m
                .vpc_region
                .string()
                .unwrap_or_else(|| meta.aws.region.clone()),
        }
    }

    fn state(zone_id: &str, vpc: &Vpc) -> Value {
        let zone = r53_core::route53::strip_zone_id(zone_id);
        Authorization {
            id: Field::Known(VpcRef::id(&zone, &vpc.id, &vpc.region)),
            zone_id: Field::Known(zone_id.to_string()),
            vpc_id: Field::Known(vpc.id.clone()),
            vpc_region: Field::Known(vpc.region.clone()),
        }
        .to_value()
    }

    /// The live authorization, or None when it is gone (or its zone is).
    async fn find(
        meta: &Meta,
        ctx: &Ctx,
        zone_id: &str,
        vpc: &Vpc,
    ) -> Result<Option<Value>, Diagnostics> {
        let c = call(ctx, READ_TIMEOUT);
        match meta
            .aws
            .route53
            .find_vpc_association_authorization(&c, zone_id, vpc)
            .await
        {
            // The region as the user spelt it (Route 53 compares it without case).
            Ok(_) => Ok(Some(Self::state(zone_id, vpc))),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(api_diag(
                &format!(
                    "Reading the authorization of VPC {} for hosted zone {zone_id}",
                    vpc.id
                ),
                &e,
            )
            .into()),
        }
    }
}

#[async_trait]
impl Resource<Meta> for AuthorizationResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let m = match Authorization::from_value(config) {
            Ok(m) => m,
            Err(e) => return e,
        };
        let a = Authorization::ATTR;
        let mut d = Diagnostics::new();
        check_parts(
            [
                (a.zone_id, &m.zone_id),
                (a.vpc_id, &m.vpc_id),
                (a.vpc_region, &m.vpc_region),
            ],
            &mut d,
        );
        d
    }

    async fn plan_with_api(
        &self,
        meta: &Meta,
        _ctx: &Ctx,
        prior: &Value,
        planned: &mut Value,
        d: &mut Diagnostics,
    ) {
        if !prior.is_null() {
            return;
        }
        let mut m = match Authorization::from_value(planned) {
            Ok(m) => m,
            Err(e) => return d.extend(e),
        };
        if m.vpc_region.is_unknown() {
            m.vpc_region = Field::Known(meta.aws.region.clone());
        }
        if let (Some(z), Some(v), Some(r)) =
            (m.zone_id.as_str(), m.vpc_id.as_str(), m.vpc_region.as_str())
        {
            m.id = Field::Known(VpcRef::id(&r53_core::route53::strip_zone_id(z), v, r));
        }
        *planned = m.to_value();
    }

    async fn create(&self, meta: &Meta, ctx: &Ctx, planned: Value) -> Result<Value, Failure> {
        let m = Authorization::from_value(&planned)?;
        let zone_id = m.zone_id.string().unwrap_or_default();
        let vpc = Self::vpc(&m, meta);
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
        let m = Authorization::from_value(state)?;
        let zone_id = m.zone_id.string().unwrap_or_default();
        Self::find(meta, ctx, &zone_id, &Self::vpc(&m, meta)).await
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
        let m = Authorization::from_value(prior)?;
        let zone_id = m.zone_id.string().unwrap_or_default();
        let vpc = Self::vpc(&m, meta);
        let c = call(ctx, DELETE_TIMEOUT);
        match meta
            .aws
            .route53
            .delete_vpc_association_authorization(&c, &zone_id, &vpc)
            .await
        {
            Ok(()) => Ok(Diagnostics::new()),
            Err(e) if e.is_not_found() => Ok(Diagnostics::new()),
            Err(e) => Err(api_diag(
                &format!(
                    "Removing the authorization of VPC {} for hosted zone {zone_id}",
                    vpc.id
                ),
                &e,
            )
            .into()),
        }
    }

    async fn import(&self, meta: &Meta, ctx: &Ctx, id: &str) -> Result<Value, Diagnostics> {
        let r = parse_import_id(id)?;
        let vpc = Vpc {
            id: r.vpc_id,
            region: r.region.unwrap_or_else(|| meta.aws.region.clone()),
        };
        match Self::find(meta, ctx, &r.zone_id, &vpc).await? {
            Some(s) => Ok(s),
            None => Err(Diagnostic::error(
                "Cannot import VPC association authorization",
                format!(
                    "VPC {} ({}) is not authorized for hosted zone {} (or the zone is not this account's)",
                    vpc.id, vpc.region, r.zone_id
                ),
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
    fn every_argument_forces_replacement_and_is_described() {
        let s = schema();
        for a in &s.block.attributes {
            assert!(!a.description.is_empty(), "{} undescribed", a.name);
        }
        let base =
            serde_json::json!({"zone_id": "Z1", "vpc_id": "vpc-1", "vpc_region": "eu-west-1"});
        for (k, v) in [
            ("zone_id", "Z2"),
            ("vpc_id", "vpc-2"),
            ("vpc_region", "us-east-1"),
        ] {
            let mut j = base.clone();
            j[k] = serde_json::json!(v);
            let paths = AuthorizationResource.replace_paths(&s, &cfg(base.clone()), &cfg(j));
            assert_eq!(paths, vec![at(k)], "{k}");
        }
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
