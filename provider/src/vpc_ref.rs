//! A (zone, VPC, region) triple as `r53_zone_association` and `r53_vpc_association_authorization`
//! name it: their IDs (`ZONE_ID:VPC_ID:VPC_REGION`), import IDs (`ZONE_ID:VPC_ID[:VPC_REGION]`,
//! as terraform-provider-aws writes them), the checks of their parts, and what the two resources
//! do alike with the attributes they share (`id`, `zone_id`, `vpc_id`, `vpc_region`).

use r53_core::Vpc;
use r53_plugin::{Diagnostic, Diagnostics, Field, Value};

/// Longest zone ID Route 53 takes (its API's limit on `Id`).
pub(crate) const MAX_ZONE_ID: usize = 32;
/// Longest VPC ID Route 53 takes (its API's limit on `VPCId`).
pub(crate) const MAX_VPC_ID: usize = 1024;
/// Longest region name accepted (Route 53's longest is 14 characters).
pub(crate) const MAX_REGION: usize = 64;

/// The parts of an association's or authorization's ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VpcRef {
    pub zone_id: String,
    pub vpc_id: String,
    /// None when the import ID left it out (the provider's region applies).
    pub region: Option<String>,
}

impl VpcRef {
    /// The resource ID: `ZONE_ID:VPC_ID:VPC_REGION`.
    pub fn id(zone_id: &str, vpc_id: &str, region: &str) -> String {
        format!("{zone_id}:{vpc_id}:{region}")
    }
}

/// What is wrong with a zone ID, VPC ID or region (`what`), if anything: empty, too long, or with
/// characters Route 53 IDs never have (a `:` would make the resource ID ambiguous).
pub(crate) fn check_part(what: &str, v: &str, max: usize) -> Option<String> {
    if v.is_empty() {
        return Some(format!("the {what} is empty"));
    }
    if v.len() > max {
        return Some(format!(
            "the {what} is {} characters long; at most {max}",
            v.len()
        ));
    }
    if !v
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Some(format!(
            "the {what} {v:?} may hold only letters, digits, '-' and '_'"
        ));
    }
    None
}

/// Validation of a resource's `zone_id`, `vpc_id` and `vpc_region` (each given with its attribute
/// name, in that order; unknown or null ones are skipped), errors at their attributes.
pub(crate) fn check_parts(
    attrs: [(&str, &r53_plugin::Field<String>); 3],
    d: &mut r53_plugin::Diagnostics,
) {
    let [(zone_attr, zone), (vpc_attr, vpc), (region_attr, region)] = attrs;
    let zone = zone.as_str().map(r53_core::route53::strip_zone_id);
    for (attr, what, v, max) in [
        (zone_attr, "zone ID", zone.as_deref(), MAX_ZONE_ID),
        (vpc_attr, "VPC ID", vpc.as_str(), MAX_VPC_ID),
        (region_attr, "VPC region", region.as_str(), MAX_REGION),
    ] {
        if let Some(why) = v.and_then(|v| check_part(what, v, max)) {
            d.error_at(crate::common::at(attr), format!("Invalid {attr}"), why);
        }
    }
}

/// Parses `ZONE_ID:VPC_ID` or `ZONE_ID:VPC_ID:VPC_REGION` (the zone ID may carry `/hostedzone/`).
pub(crate) fn parse_import_id(id: &str) -> Result<VpcRef, Diagnostic> {
    let bad = |why: String| {
        Diagnostic::error(
            "Invalid import ID",
            format!("expected ZONE_ID:VPC_ID or ZONE_ID:VPC_ID:VPC_REGION (e.g. Z0123456789ABC:vpc-0123456789abcdef0:eu-west-1), got {id:?}: {why}"),
        )
    };
    let parts: Vec<&str> = id.trim().split(':').collect();
    let (zone, vpc, region) = match parts.as_slice() {
        [z, v] => (*z, *v, None),
        [z, v, r] => (*z, *v, Some(*r)),
        _ => return Err(bad(format!("{} parts", parts.len()))),
    };
    let zone = r53_core::route53::strip_zone_id(zone);
    for (what, v, max) in [
        ("zone ID", zone.as_str(), MAX_ZONE_ID),
        ("VPC ID", vpc, MAX_VPC_ID),
        ("VPC region", region.unwrap_or("x"), MAX_REGION),
    ] {
        if let Some(why) = check_part(what, v, max) {
            return Err(bad(why));
        }
    }
    Ok(VpcRef {
        zone_id: zone,
        vpc_id: vpc.to_string(),
        region: region.map(str::to_string),
    })
}

/// The import ID's zone ID and VPC, the VPC in the provider's region (`default_region`) when the ID
/// leaves the region out.
pub(crate) fn import_target(id: &str, default_region: &str) -> Result<(String, Vpc), Diagnostic> {
    let r = parse_import_id(id)?;
    let vpc = Vpc {
        id: r.vpc_id,
        region: r.region.unwrap_or_else(|| default_region.to_string()),
    };
    Ok((r.zone_id, vpc))
}

/// A model with the attributes `id`, `zone_id`, `vpc_id` and `vpc_region` (written with
/// [`vpc_ref_model!`]).
pub(crate) trait VpcRefModel: Sized + Default {
    fn from_value(v: &Value) -> Result<Self, Diagnostics>;
    fn to_value(&self) -> Value;
    /// `zone_id`, `vpc_id` and `vpc_region`, each with its attribute name.
    fn parts(&self) -> [(&'static str, &Field<String>); 3];
    /// `id`, `zone_id`, `vpc_id` and `vpc_region`.
    fn fields_mut(&mut self) -> [&mut Field<String>; 4];

    /// The model of `vpc` and zone `zone_id` (as the user spelt it), its ID named by them; any
    /// other attribute null.
    fn known(zone_id: &str, vpc: &Vpc) -> Self {
        let mut m = Self::default();
        let [id, zone, vpc_id, region] = m.fields_mut();
        let stripped = r53_core::route53::strip_zone_id(zone_id);
        *id = Field::Known(VpcRef::id(&stripped, &vpc.id, &vpc.region));
        *zone = Field::Known(zone_id.to_string());
        *vpc_id = Field::Known(vpc.id.clone());
        *region = Field::Known(vpc.region.clone());
        m
    }

    /// The zone ID (as the user spelt it) and the VPC the model names, the VPC in the provider's
    /// region (`default_region`) unless `vpc_region` is set.
    fn target(&self, default_region: &str) -> (String, Vpc) {
        let [(_, zone), (_, vpc), (_, region)] = self.parts();
        let vpc = Vpc {
            id: vpc.string().unwrap_or_default(),
            region: region
                .string()
                .unwrap_or_else(|| default_region.to_string()),
        };
        (zone.string().unwrap_or_default(), vpc)
    }
}

/// [`VpcRefModel`] for a `model!` with the fields `id`, `zone_id`, `vpc_id` and `vpc_region`.
macro_rules! vpc_ref_model {
    ($model:ty) => {
        impl $crate::vpc_ref::VpcRefModel for $model {
            fn from_value(v: &r53_plugin::Value) -> Result<Self, r53_plugin::Diagnostics> {
                <$model>::from_value(v)
            }
            fn to_value(&self) -> r53_plugin::Value {
                <$model>::to_value(self)
            }
            fn parts(&self) -> [(&'static str, &r53_plugin::Field<String>); 3] {
                let a = Self::ATTR;
                [
                    (a.zone_id, &self.zone_id),
                    (a.vpc_id, &self.vpc_id),
                    (a.vpc_region, &self.vpc_region),
                ]
            }
            fn fields_mut(&mut self) -> [&mut r53_plugin::Field<String>; 4] {
                [
                    &mut self.id,
                    &mut self.zone_id,
                    &mut self.vpc_id,
                    &mut self.vpc_region,
                ]
            }
        }
    };
}
pub(crate) use vpc_ref_model;

/// Either resource's `validate`: its zone ID, VPC ID and region checked, errors at their
/// attributes.
pub(crate) fn validate<M: VpcRefModel>(config: &Value) -> Diagnostics {
    let m = match M::from_value(config) {
        Ok(m) => m,
        Err(e) => return e,
    };
    let mut d = Diagnostics::new();
    check_parts(m.parts(), &mut d);
    d
}

/// Either resource's `plan_with_api`: a create's region and ID are known at plan time, the
/// provider's region (`default_region`) being the default.
pub(crate) fn plan_create<M: VpcRefModel>(
    default_region: &str,
    prior: &Value,
    planned: &mut Value,
    d: &mut Diagnostics,
) {
    if !prior.is_null() {
        return;
    }
    let mut m = match M::from_value(planned) {
        Ok(m) => m,
        Err(e) => return d.extend(e),
    };
    let [id, zone, vpc, region] = m.fields_mut();
    if region.is_unknown() {
        *region = Field::Known(default_region.to_string());
    }
    if let (Some(z), Some(v), Some(r)) = (zone.as_str(), vpc.as_str(), region.as_str()) {
        *id = Field::Known(VpcRef::id(&r53_core::route53::strip_zone_id(z), v, r));
    }
    *planned = m.to_value();
}

/// The identity of an association or authorization: the zone, the VPC and its region.
pub(crate) fn identity() -> r53_plugin::Identity {
    use r53_plugin::IdentityAttr as A;
    r53_plugin::Identity::new(vec![
        A::required("zone_id", "The private hosted zone's ID."),
        A::required("vpc_id", "The VPC's ID."),
        A::optional(
            "vpc_region",
            "The VPC's region (default: the provider's region).",
        ),
    ])
}

/// The import ID (`ZONE_ID:VPC_ID[:VPC_REGION]`) an identity stands for.
pub(crate) fn import_id(identity: &Value) -> Result<String, Diagnostics> {
    let part = |k: &str| identity.get(k).as_str().filter(|s| !s.is_empty());
    match (part("zone_id"), part("vpc_id"), part("vpc_region")) {
        (Some(z), Some(v), Some(r)) => Ok(format!("{z}:{v}:{r}")),
        (Some(z), Some(v), None) => Ok(format!("{z}:{v}")),
        _ => Err(Diagnostic::error(
            "Invalid import identity",
            "`zone_id` and `vpc_id` must be set",
        )
        .into()),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Either resource's schema: every attribute described, and a change of `zone_id`, `vpc_id` or
    /// `vpc_region` replaces it.
    pub(crate) fn every_argument_forces_replacement_and_is_described(
        r: &impl r53_plugin::Resource<crate::meta::Meta>,
    ) {
        let s = r.schema();
        for a in &s.block.attributes {
            assert!(!a.description.is_empty(), "{} undescribed", a.name);
        }
        let cfg = |j: serde_json::Value| Value::from_json(&j, &s.ty()).unwrap();
        let base =
            serde_json::json!({"zone_id": "Z1", "vpc_id": "vpc-1", "vpc_region": "eu-west-1"});
        for (k, v) in [
            ("zone_id", "Z2"),
            ("vpc_id", "vpc-2"),
            ("vpc_region", "us-east-1"),
        ] {
            let mut j = base.clone();
            j[k] = serde_json::json!(v);
            let paths = r.replace_paths(&s, &cfg(base.clone()), &cfg(j));
            assert_eq!(paths, vec![crate::common::at(k)], "{k}");
        }
    }

    #[test]
    fn import_ids_with_and_without_a_region() {
        assert_eq!(
            parse_import_id("Z123:vpc-1").unwrap(),
            VpcRef {
                zone_id: "Z123".into(),
                vpc_id: "vpc-1".into(),
                region: None
            }
        );
        assert_eq!(
            parse_import_id(" /hostedzone/Z123:vpc-1:eu-west-1 ").unwrap(),
            VpcRef {
                zone_id: "Z123".into(),
                vpc_id: "vpc-1".into(),
                region: Some("eu-west-1".into())
            }
        );
        for bad in [
            "",
            "Z123",
            "Z123:",
            ":vpc-1",
            "Z123:vpc-1:",
            "Z1:v:r:x",
            "Z 1:vpc-1",
            "Z1:vpc-1:eu/west",
        ] {
            let e = parse_import_id(bad).unwrap_err();
            assert_eq!(e.summary, "Invalid import ID", "{bad}");
        }
        let long = format!("{}:vpc-1", "Z".repeat(MAX_ZONE_ID + 1));
        assert!(parse_import_id(&long)
            .unwrap_err()
            .detail
            .contains("at most 32"));
        assert_eq!(VpcRef::id("Z1", "vpc-1", "eu-west-1"), "Z1:vpc-1:eu-west-1");
    }

    r53_plugin::model! {
        /// A model with the shared attributes and one more.
        pub struct Ref / RefAttrs {
            description: "A reference.";
            attributes {
                id: String [computed] "ID.",
                zone_id: String [required] "Zone.",
                vpc_id: String [required] "VPC.",
                vpc_region: String [optional_computed] "Region.",
                extra: String [computed] "Other.",
            }
        }
    }
    vpc_ref_model!(Ref);

    fn val(j: serde_json::Value) -> Value {
        use r53_plugin::model::AttrType;
        Value::from_json(&j, &Ref::ty()).unwrap()
    }

    #[test]
    fn a_create_plans_the_providers_region_and_the_id() {
        let mut planned = Ref {
            zone_id: Field::Known("/hostedzone/Z1".into()),
            vpc_id: Field::Known("vpc-1".into()),
            vpc_region: Field::Unknown,
            id: Field::Unknown,
            extra: Field::Unknown,
        }
        .to_value();
        let mut d = Diagnostics::new();
        plan_create::<Ref>("eu-west-1", &Value::Null, &mut planned, &mut d);
        let m = Ref::from_value(&planned).unwrap();
        assert!(d.is_empty());
        assert_eq!(m.vpc_region.as_str(), Some("eu-west-1"));
        assert_eq!(m.id.as_str(), Some("Z1:vpc-1:eu-west-1"));
        assert!(m.extra.is_unknown());
        // An update plans nothing.
        let before = planned.clone();
        plan_create::<Ref>("us-east-1", &before, &mut planned, &mut d);
        assert_eq!(planned, before);

        let (zone, vpc) = m.target("us-east-1");
        assert_eq!(zone, "/hostedzone/Z1");
        assert_eq!(
            (vpc.id.as_str(), vpc.region.as_str()),
            ("vpc-1", "eu-west-1")
        );
        let k = Ref::known(&zone, &vpc);
        assert_eq!(k.id, m.id);
        assert_eq!(k.zone_id, m.zone_id);
        assert!(k.extra.is_null());
        let d = validate::<Ref>(&val(
            serde_json::json!({"zone_id": "Z 1", "vpc_id": "vpc-1"}),
        ));
        assert_eq!(d.0.len(), 1);
        assert_eq!(
            import_target("Z1:vpc-2", "ap-south-1").unwrap().1.region,
            "ap-south-1"
        );
    }
}
