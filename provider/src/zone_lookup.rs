//! A hosted zone's name for the rules that need it (`r53_record`, `r53_records`), at plan and at
//! apply, from the process-wide cache in `r53_core::zones` (one lookup per zone per run).

use r53_core::{Call, Error};
use r53_plugin::{AttrPath, Ctx, Diagnostics, Field};

use crate::common::{api_diag, call, READ_TIMEOUT};
use crate::meta::Meta;

/// The zone's name, or `Ok(None)` when no zone has this ID.
pub async fn zone_name(meta: &Meta, c: &Call, zone_id: &str) -> Result<Option<String>, Error> {
    match meta.aws.zones.find_zone_name(c, zone_id).await {
        Ok(n) => Ok(Some(n)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// At plan time: the name of the zone a planned `zone_id` (attribute `attr`) names, for the rules
/// that need it. `None` when the ID is unknown (a zone created in the same run: the apply checks
/// those rules), or when the zone does not exist or cannot be read — then with an error at `attr`
/// in `d`.
pub(crate) async fn planned_zone_name(
    meta: &Meta,
    ctx: &Ctx,
    zone_id: &Field<String>,
    attr: &str,
    d: &mut Diagnostics,
) -> Option<String> {
    let zone_id = r53_core::route53::strip_zone_id(zone_id.as_str()?);
    match zone_name(meta, &call(ctx, READ_TIMEOUT), &zone_id).await {
        Ok(Some(n)) => Some(n),
        Ok(None) => {
            d.error_at(
                AttrPath::attr(attr),
                "Hosted zone not found",
                format!("no hosted zone with ID {zone_id}"),
            );
            None
        }
        Err(e) => {
            d.push(
                api_diag(&format!("Reading hosted zone {zone_id}"), &e).at(AttrPath::attr(attr)),
            );
            None
        }
    }
}
