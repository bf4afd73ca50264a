//! A hosted zone's name, looked up once per zone per provider process and shared by every resource
//! (`r53_record`, `r53_records`) at plan and at apply. A zone's name never changes and zone IDs are
//! never reused, so the answer is kept for the life of the process. Concurrent callers for the same
//! zone wait for one lookup (single flight); a failed lookup is not kept, so the next caller asks
//! again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use r53_core::{Call, Error};
use r53_plugin::{AttrPath, Ctx, Diagnostics, Value};
use tokio::sync::OnceCell;

use crate::common::{api_diag, call, READ_TIMEOUT};
use crate::provider::Meta;

type Cells = Mutex<HashMap<String, Arc<OnceCell<String>>>>;

fn cells() -> &'static Cells {
    static CELLS: OnceLock<Cells> = OnceLock::new();
    CELLS.get_or_init(Default::default)
}

/// The zone's name, or `Ok(None)` when no zone has this ID.
pub async fn zone_name(meta: &Meta, c: &Call, zone_id: &str) -> Result<Option<String>, Error> {
    let cell = cells()
        .lock()
        .expect("zone lookup lock")
        .entry(zone_id.to_string())
        .or_default()
        .clone();
    let found = cell
        .get_or_try_init(|| async {
            meta.aws
                .route53
                .find_hosted_zone_by_id(c, zone_id)
                .await
                .map(|z| z.name)
        })
        .await;
    match found {
        Ok(n) => Ok(Some(n.clone())),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// At plan time: the name of the zone `planned.zone_id` names, for the rules that need it. `None`
/// when the ID is unknown (a zone created in the same run: the apply checks those rules), or when
/// the zone does not exist or cannot be read — then with an error at `zone_id` in `d`.
pub async fn planned_zone_name(
    meta: &Meta,
    ctx: &Ctx,
    planned: &Value,
    d: &mut Diagnostics,
) -> Option<String> {
    let zone_id = r53_core::route53::strip_zone_id(planned.get("zone_id").as_str()?);
    match zone_name(meta, &call(ctx, READ_TIMEOUT), &zone_id).await {
        Ok(Some(n)) => Some(n),
        Ok(None) => {
            d.error_at(
                AttrPath::attr("zone_id"),
                "Hosted zone not found",
                format!("no hosted zone with ID {zone_id}"),
            );
            None
        }
        Err(e) => {
            d.push(
                api_diag(&format!("Reading hosted zone {zone_id}"), &e)
                    .at(AttrPath::attr("zone_id")),
            );
            None
        }
    }
}
