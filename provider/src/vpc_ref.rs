//! A (zone, VPC, region) triple as `r53_zone_association` and `r53_vpc_association_authorization`
//! name it: their IDs (`ZONE_ID:VPC_ID:VPC_REGION`), import IDs (`ZONE_ID:VPC_ID[:VPC_REGION]`,
//! as terraform-provider-aws writes them) and the checks of their parts.

use r53_plugin::Diagnostic;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
