//! The CIDR and geoproximity routing of record sets, which moto drops: read from a
//! ChangeResourceRecordSets batch (with Route 53's refusals of a bad one), written back into a
//! ListResourceRecordSets answer. The store itself is [`crate::cidr_collections::CidrCollections`]'s, which also
//! checks the collections and locations a batch names.

use r53_zone::cidr::{valid_label, MAX_LOCATION_CHARS};
use r53_zone::GeoProximity;

use crate::moto_api::norm;
use crate::xml::{self, Element};

/// A record set's IP-based or geoproximity routing, as the lab keeps it beside moto's copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordRouting {
    Cidr {
        collection_id: String,
        /// A location of the collection, or `*` for the default.
        location_name: String,
    },
    GeoProximity(GeoProximity),
}

/// A record set's identity: (zone ID, normalised name, type, set identifier).
pub type RecordKey = (String, String, String, Option<String>);

pub(super) fn bare_zone(zone_id: &str) -> &str {
    zone_id.trim_start_matches("/hostedzone/")
}

pub(super) fn label(k: &RecordKey) -> String {
    format!(
        "[name='{}.', type='{}'{}]",
        k.1,
        k.2,
        k.3.as_ref()
            .map(|s| format!(", set-identifier='{s}'"))
            .unwrap_or_default()
    )
}

fn routing_xml(r: &RecordRouting) -> String {
    match r {
        RecordRouting::Cidr {
            collection_id,
            location_name,
        } => format!(
            "<CidrRoutingConfig><CollectionId>{}</CollectionId><LocationName>{}</LocationName></CidrRoutingConfig>",
            xml::escape(collection_id),
            xml::escape(location_name)
        ),
        RecordRouting::GeoProximity(g) => {
            let mut s = String::from("<GeoProximityLocation>");
            if let Some(r) = &g.aws_region {
                s.push_str(&format!("<AWSRegion>{}</AWSRegion>", xml::escape(r)));
            }
            if let Some(l) = &g.local_zone_group {
                s.push_str(&format!("<LocalZoneGroup>{}</LocalZoneGroup>", xml::escape(l)));
            }
            if let Some((lat, lon)) = &g.coordinates {
                s.push_str(&format!(
                    "<Coordinates><Latitude>{}</Latitude><Longitude>{}</Longitude></Coordinates>",
                    xml::escape(lat),
                    xml::escape(lon)
                ));
            }
            if let Some(b) = g.bias {
                s.push_str(&format!("<Bias>{b}</Bias>"));
            }
            s.push_str("</GeoProximityLocation>");
            s
        }
    }
}

/// A routing Route 53 refuses: its error code and why.
pub(super) type Refusal = (&'static str, String);

/// One change's record set and its routing.
pub(super) struct RoutingChange {
    pub(super) action: String,
    pub(super) key: RecordKey,
    pub(super) routing: Option<Result<RecordRouting, Refusal>>,
}

pub(super) fn routing_changes(zone: &str, doc: &Element) -> Vec<RoutingChange> {
    let mut found = Vec::new();
    doc.find_all("Change", &mut found);
    found
        .into_iter()
        .filter_map(|c| {
            let rr = c.child("ResourceRecordSet")?;
            Some(RoutingChange {
                action: c.text_at(&["Action"]).unwrap_or_default().to_string(),
                key: (
                    zone.to_string(),
                    norm(rr.text_at(&["Name"]).unwrap_or_default()),
                    rr.text_at(&["Type"]).unwrap_or_default().to_string(),
                    rr.text_at(&["SetIdentifier"]).map(str::to_string),
                ),
                routing: routing_of(rr),
            })
        })
        .collect()
}

/// A coordinate as the API's pattern has it: a sign, up to `int_digits` digits, up to two
/// decimals; and within ±`limit`.
fn coordinate(s: &str, int_digits: usize, limit: f64) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (i, f) = body.split_once('.').unwrap_or((body, ""));
    let shape = (1..=int_digits).contains(&i.len())
        && i.bytes().all(|b| b.is_ascii_digit())
        && f.len() <= 2
        && f.bytes().all(|b| b.is_ascii_digit());
    shape && s.parse::<f64>().is_ok_and(|v| v.abs() <= limit)
}

fn routing_of(rr: &Element) -> Option<Result<RecordRouting, Refusal>> {
    let batch = |m: String| Some(Err(("InvalidChangeBatch", m)));
    let input = |m: String| Some(Err(("InvalidInput", m)));
    if let Some(c) = rr.child("CidrRoutingConfig") {
        let collection_id = c.text_at(&["CollectionId"]).unwrap_or_default().to_string();
        let location_name = c.text_at(&["LocationName"]).unwrap_or_default().to_string();
        if rr.child("GeoProximityLocation").is_some() {
            return batch(
                "a record set has one routing policy, not both CIDR and geoproximity".into(),
            );
        }
        if !valid_label(&location_name, MAX_LOCATION_CHARS, true) {
            return input(format!(
                "the CIDR location name {location_name:?} must be 1 to {MAX_LOCATION_CHARS} characters of letters, digits, _ and - (or *)"
            ));
        }
        return Some(Ok(RecordRouting::Cidr {
            collection_id,
            location_name,
        }));
    }
    let g = rr.child("GeoProximityLocation")?;
    let text = |k: &str| g.text_at(&[k]).map(str::to_string);
    let coordinates = g.child("Coordinates").map(|c| {
        (
            c.text_at(&["Latitude"]).unwrap_or_default().to_string(),
            c.text_at(&["Longitude"]).unwrap_or_default().to_string(),
        )
    });
    let bias = match g.text_at(&["Bias"]) {
        None => None,
        Some(b) => match b.parse::<i32>() {
            Ok(n) if (-99..=99).contains(&n) => Some(n),
            _ => {
                return input(format!(
                    "the geoproximity bias {b:?} must be from -99 to 99"
                ))
            }
        },
    };
    let geo = GeoProximity {
        aws_region: text("AWSRegion"),
        local_zone_group: text("LocalZoneGroup"),
        coordinates,
        bias,
    };
    let places = [
        geo.aws_region.is_some(),
        geo.local_zone_group.is_some(),
        geo.coordinates.is_some(),
    ];
    if places.iter().filter(|p| **p).count() != 1 {
        return batch(
            "a geoproximity location is exactly one of an AWS region, a Local Zone group or coordinates".into(),
        );
    }
    if let Some((lat, lon)) = &geo.coordinates {
        if !coordinate(lat, 2, 90.0) || !coordinate(lon, 3, 180.0) {
            return input(format!(
                "the coordinates ({lat}, {lon}) must be a latitude from -90 to 90 and a longitude from -180 to 180, with at most two decimals"
            ));
        }
    }
    for (what, v) in [
        ("AWS region", &geo.aws_region),
        ("Local Zone group", &geo.local_zone_group),
    ] {
        if v.as_ref().is_some_and(|v| v.is_empty() || v.len() > 64) {
            return input(format!("the {what} must be 1 to 64 characters"));
        }
    }
    Some(Ok(RecordRouting::GeoProximity(geo)))
}

/// Puts the routing moto dropped back into a ListResourceRecordSets answer of `zone`, where the
/// API has it: the last elements of each `<ResourceRecordSet>` (`routing` of each set's key).
pub(super) fn restore<'a>(
    zone: &str,
    body: &str,
    routing: impl Fn(&RecordKey) -> Option<&'a RecordRouting>,
) -> String {
    const CLOSE: &str = "</ResourceRecordSet>";
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(end) = rest.find(CLOSE) {
        let (chunk, tail) = rest.split_at(end);
        out.push_str(chunk);
        let start = chunk.rfind("<ResourceRecordSet>").unwrap_or(0);
        let set = chunk.get(start..).unwrap_or_default();
        if let Ok(doc) = xml::parse(format!("{set}{CLOSE}").as_bytes()) {
            let key = (
                zone.to_string(),
                norm(doc.text_at(&["Name"]).unwrap_or_default()),
                doc.text_at(&["Type"]).unwrap_or_default().to_string(),
                doc.text_at(&["SetIdentifier"]).map(str::to_string),
            );
            if let Some(r) = routing(&key) {
                out.push_str(&routing_xml(r));
            }
        }
        out.push_str(CLOSE);
        rest = tail.get(CLOSE.len()..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}
