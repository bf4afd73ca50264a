//! `r53_hosted_zone_dnssec`: whether Route 53 signs a hosted zone with DNSSEC. Every change waits
//! until it is INSYNC; destroy turns signing off (KSKs stay, as Route 53 leaves them).

use async_trait::async_trait;

use r53_core::route53::strip_zone_id;
use r53_plugin::framework::Failure;
use r53_plugin::schema::Schema;
use r53_plugin::{Ctx, Diagnostic, Diagnostics, Field, Resource, Value};

use crate::common::*;
use crate::dnssec_diag::dnssec_diag;
use crate::meta::Meta;

pub(crate) const TYPE_NAME: &str = "r53_hosted_zone_dnssec";

pub(crate) struct HostedZoneDnssecResource;

r53_plugin::model! {
    /// The configuration and state of `r53_hosted_zone_dnssec`.
    pub struct ZoneDnssecModel / ZoneDnssecAttrs {
        description: "DNSSEC signing of a public hosted zone. Signing needs an ACTIVE `r53_key_signing_key` in the zone \
             (make this resource depend on it), and a parent that delegates to exactly the zone's name servers or not at \
             all. Turning signing on does not make the zone secure by itself: the parent must also publish the key's DS \
             record (`r53_key_signing_key.ds_record`). Turning it off (or destroying this resource) is refused while the \
             parent still publishes a DS of an ACTIVE key: remove the DS first and wait for its TTL, or the zone becomes \
             bogus. Destroying turns signing off and leaves the key-signing keys as they are.";
        attributes {
            id: String [computed] "The hosted zone's ID.",
            hosted_zone_id: String [required, force_new] "The public hosted zone's ID. Changing it replaces the resource.",
            signing_status: String [optional]
                "`SIGNING` (the default when unset) or `NOT_SIGNING`. The state shows what Route 53 reports when it differs (e.g. `ACTION_NEEDED` when a key-signing key's KMS key can no longer be used), and the next apply sets it back.",
        }
    }
}

pub fn schema() -> Schema {
    Schema::new(0, ZoneDnssecModel::block())
}

const SIGNING: &str = "SIGNING";
const NOT_SIGNING: &str = "NOT_SIGNING";

fn wanted(m: &ZoneDnssecModel) -> &str {
    m.signing_status.as_str().unwrap_or(SIGNING)
}

/// The state for zone `zone_id` (as the user spelt it) whose Route 53 status is `live`; the
/// configuration's spelling (including unset) is kept while they agree.
fn state_of(zone_id: &str, live: &str, configured: Field<String>) -> ZoneDnssecModel {
    let signing_status = match configured.as_str() {
        None if live == SIGNING => Field::Null,
        Some(s) if s == live => configured,
        _ => Field::Known(live.to_string()),
    };
    ZoneDnssecModel {
        id: Field::Known(strip_zone_id(zone_id)),
        hosted_zone_id: Field::Known(zone_id.to_string()),
        signing_status,
    }
}

impl HostedZoneDnssecResource {
    /// The zone's signing status, None when the zone is gone.
    async fn live(meta: &Meta, ctx: &Ctx, zone_id: &str) -> Result<Option<String>, Diagnostics> {
        let found = meta
            .aws
            .route53
            .get_dnssec(&call(ctx, READ_TIMEOUT), zone_id)
            .await;
        Ok(
            unless_gone(found, || format!("Reading DNSSEC of hosted zone {zone_id}"))?
                .map(|d| d.serve_signature),
        )
    }

    /// Turns signing on or off as `want` says and reads the result back.
    async fn apply(
        meta: &Meta,
        ctx: &Ctx,
        zone_id: &str,
        want: &str,
        configured: Field<String>,
    ) -> Result<Value, Failure> {
        let c = call(ctx, CREATE_TIMEOUT);
        let r53 = &meta.aws.route53;
        let (r, verb) = if want == SIGNING {
            (r53.enable_hosted_zone_dnssec(&c, zone_id).await, "Enabling")
        } else {
            (
                r53.disable_hosted_zone_dnssec(&c, zone_id).await,
                "Disabling",
            )
        };
        r.map_err(|e| {
            Failure::from(dnssec_diag(
                &format!("{verb} DNSSEC signing of hosted zone {zone_id}"),
                &e,
            ))
        })?;
        match Self::live(meta, ctx, zone_id).await? {
            Some(live) => Ok(state_of(zone_id, &live, configured).to_value()),
            None => Err(Diagnostic::error(
                format!("{verb} DNSSEC signing of hosted zone {zone_id} failed"),
                "the hosted zone is gone",
            )
            .into()),
        }
    }
}

#[async_trait]
impl Resource<Meta> for HostedZoneDnssecResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn identity(&self) -> Option<r53_plugin::Identity> {
        Some(r53_plugin::Identity::new(vec![
            r53_plugin::IdentityAttr::required("hosted_zone_id", "The hosted zone's ID."),
        ]))
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let m = match ZoneDnssecModel::from_value(config) {
            Ok(m) => m,
            Err(e) => return e,
        };
        let mut d = Diagnostics::new();
        if let Some(s) = m.signing_status.as_str() {
            if s != SIGNING && s != NOT_SIGNING {
                d.error_at(
                    at(ZoneDnssecModel::ATTR.signing_status),
                    "Invalid signing_status",
                    format!("signing_status is SIGNING or NOT_SIGNING, not {s:?}"),
                );
            }
        }
        d
    }

    fn modify_plan(&self, prior: &Value, planned: &mut Value, _d: &mut Diagnostics) {
        if prior.is_null() || planned.is_null() {
            return;
        }
        let a = ZoneDnssecModel::ATTR;
        planned.set(a.id, prior.get(a.id).clone());
    }

    async fn create(&self, meta: &Meta, ctx: &Ctx, planned: Value) -> Result<Value, Failure> {
        let m = ZoneDnssecModel::from_value(&planned)?;
        let zone_id = m.hosted_zone_id.string().unwrap_or_default();
        Self::apply(meta, ctx, &zone_id, wanted(&m), m.signing_status.clone()).await
    }

    async fn read(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let m = ZoneDnssecModel::from_value(state)?;
        let zone_id = m.hosted_zone_id.string().unwrap_or_default();
        Ok(Self::live(meta, ctx, &zone_id)
            .await?
            .map(|live| state_of(&zone_id, &live, m.signing_status).to_value()))
    }

    async fn update(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        _prior: &Value,
        planned: Value,
    ) -> Result<Value, Failure> {
        let m = ZoneDnssecModel::from_value(&planned)?;
        let zone_id = m.hosted_zone_id.string().unwrap_or_default();
        Self::apply(meta, ctx, &zone_id, wanted(&m), m.signing_status.clone()).await
    }

    async fn delete(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
    ) -> Result<Diagnostics, Diagnostics> {
        let m = ZoneDnssecModel::from_value(prior)?;
        let zone_id = m.hosted_zone_id.string().unwrap_or_default();
        let c = call(ctx, DELETE_TIMEOUT);
        match meta
            .aws
            .route53
            .disable_hosted_zone_dnssec(&c, &zone_id)
            .await
        {
            Ok(()) => Ok(Diagnostics::new()),
            Err(e) if e.is_not_found() => Ok(Diagnostics::new()),
            Err(e) => Err(dnssec_diag(
                &format!("Disabling DNSSEC signing of hosted zone {zone_id}"),
                &e,
            )
            .into()),
        }
    }

    async fn import(&self, meta: &Meta, ctx: &Ctx, id: &str) -> Result<Value, Diagnostics> {
        let zone = strip_zone_id(id.trim());
        if zone.is_empty() || zone.contains('/') {
            return Err(Diagnostic::error(
                "Invalid import ID",
                format!("expected a hosted zone ID like Z1D633PJN98FT9, got {id:?}"),
            )
            .into());
        }
        match Self::live(meta, ctx, &zone).await? {
            Some(live) => Ok(state_of(&zone, &live, Field::Null).to_value()),
            None => Err(Diagnostic::error(
                "Cannot import hosted zone DNSSEC",
                format!("no hosted zone with ID {zone} exists"),
            )
            .into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_status_keeps_the_configurations_spelling_until_route53_differs() {
        let s = |live: &str, cfg: Field<String>| state_of("Z1", live, cfg).signing_status;
        assert_eq!(s("SIGNING", Field::Null), Field::Null);
        assert_eq!(s("NOT_SIGNING", Field::Null).as_str(), Some("NOT_SIGNING"));
        assert_eq!(
            s("NOT_SIGNING", Field::Known("NOT_SIGNING".into())).as_str(),
            Some("NOT_SIGNING")
        );
        assert_eq!(
            s("ACTION_NEEDED", Field::Known("SIGNING".into())).as_str(),
            Some("ACTION_NEEDED")
        );
        assert_eq!(
            state_of("/hostedzone/Z1", "SIGNING", Field::Null)
                .id
                .as_str(),
            Some("Z1")
        );
    }

    #[test]
    fn an_unknown_signing_status_is_refused_at_its_attribute() {
        let cfg = |j: serde_json::Value| Value::from_json(&j, &schema().ty()).unwrap();
        assert!(HostedZoneDnssecResource
            .validate(&cfg(serde_json::json!({"hosted_zone_id": "Z1"})))
            .is_empty());
        let d = HostedZoneDnssecResource.validate(&cfg(
            serde_json::json!({"hosted_zone_id": "Z1", "signing_status": "ON"}),
        ));
        assert_eq!(d.0.len(), 1);
        assert_eq!(d.0[0].path, Some(at("signing_status")));
    }
}
