//! moto's Route 53 API as the lab reads it: the one record-set parser, name normaliser and zone listing shared
//! by the proxy (AWS's checks moto skips) and the name servers (answers from moto's zones).

use crate::xml::Element;

/// moto routes requests by the service named in the SigV4 credential scope (it checks no
/// signature), so the lab's own reads carry a Route 53 scope.
pub const MOTO_ROUTE53_AUTH: &str =
    "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/route53/aws4_request, SignedHeaders=host, Signature=0";

/// A name as Route 53 compares it: lower case, no trailing dot, its `\052` escape as `*`.
/// Also the lab's DNS-side normaliser (registry, registrar), where no escape occurs.
pub(crate) fn norm(n: &str) -> String {
    n.trim()
        .trim_end_matches('.')
        .to_ascii_lowercase()
        .replace("\\052", "*")
}

/// Percent-encoding for a query-string value.
pub(crate) fn urlenc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One `<ResourceRecordSet>` of a request or a listing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RecordSet {
    /// Normalised ([`norm`]).
    pub(crate) name: String,
    pub(crate) ty: String,
    pub(crate) set_id: Option<String>,
    /// None for an alias (or a TTL moto did not write as a number).
    pub(crate) ttl: Option<u32>,
    /// In document order; moto's own SOA value unwrapped from the Python dict repr it stores.
    pub(crate) values: Vec<String>,
    /// The alias target, normalised.
    pub(crate) alias: Option<String>,
    pub(crate) failover: Option<String>,
    pub(crate) weight: Option<i64>,
}

impl RecordSet {
    pub(crate) fn of(e: &Element) -> RecordSet {
        let values = e
            .child("ResourceRecords")
            .map(|rr| {
                rr.children_named("ResourceRecord")
                    .map(|r| unwrap_moto_value(r.text_at(&["Value"]).unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default();
        RecordSet {
            name: norm(e.text_at(&["Name"]).unwrap_or_default()),
            ty: e.text_at(&["Type"]).unwrap_or_default().to_string(),
            set_id: e.text_at(&["SetIdentifier"]).map(str::to_string),
            ttl: e.text_at(&["TTL"]).and_then(|t| t.parse().ok()),
            values,
            alias: e.text_at(&["AliasTarget", "DNSName"]).map(norm),
            failover: e.text_at(&["Failover"]).map(str::to_string),
            weight: e.text_at(&["Weight"]).and_then(|w| w.parse().ok()),
        }
    }

    /// Every `<ResourceRecordSet>` under `doc`.
    #[cfg(test)]
    fn all_in(doc: &Element) -> Vec<RecordSet> {
        let mut found = Vec::new();
        doc.find_all("ResourceRecordSet", &mut found);
        found.into_iter().map(RecordSet::of).collect()
    }
}

/// A geolocation (`GeoLocation`): continent, country, subdivision codes as given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Geo {
    pub(crate) continent: Option<String>,
    pub(crate) country: Option<String>,
    pub(crate) subdivision: Option<String>,
}

/// What decides whether and when a set answers (moto round-trips all of these): its health
/// check, multivalue answer, latency region, geolocation and whether an alias evaluates its
/// target's health. Kept apart from [`RecordSet`], which the proxy's batch checks build.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Routing {
    pub(crate) health_check_id: Option<String>,
    pub(crate) multivalue: bool,
    pub(crate) region: Option<String>,
    pub(crate) geo: Option<Geo>,
    pub(crate) evaluate_target_health: bool,
    /// CIDR routing (collection ID, location name): moto drops it, so the name servers fill it
    /// in from the lab's store (`cidr_collections`).
    pub(crate) cidr: Option<(String, String)>,
    /// Geoproximity routing (where the set sits, its bias), also dropped by moto.
    pub(crate) geoproximity: Option<r53_zone::GeoProximity>,
}

impl Routing {
    pub(crate) fn of(e: &Element) -> Routing {
        let text = |path: &[&str]| e.text_at(path).map(str::to_string);
        Routing {
            health_check_id: text(&["HealthCheckId"]),
            multivalue: e.text_at(&["MultiValueAnswer"]) == Some("true"),
            region: text(&["Region"]),
            geo: e.child("GeoLocation").map(|_| Geo {
                continent: text(&["GeoLocation", "ContinentCode"]),
                country: text(&["GeoLocation", "CountryCode"]),
                subdivision: text(&["GeoLocation", "SubdivisionCode"]),
            }),
            evaluate_target_health: e.text_at(&["AliasTarget", "EvaluateTargetHealth"])
                == Some("true"),
            cidr: None,
            geoproximity: None,
        }
    }
}

/// Every record set of moto's zone `zone` (its ID), read in pages through `get` (a GET of a Route 53
/// API path on moto, parsed).
pub(crate) async fn list_all<F, Fut>(zone: &str, get: F) -> anyhow::Result<Vec<RecordSet>>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Element>>,
{
    list_each(zone, get, RecordSet::of).await
}

/// Every record set of moto's zone `zone` with how it routes.
pub(crate) async fn list_routed<F, Fut>(
    zone: &str,
    get: F,
) -> anyhow::Result<Vec<(RecordSet, Routing)>>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Element>>,
{
    list_each(zone, get, |e| (RecordSet::of(e), Routing::of(e))).await
}

/// Every `<ResourceRecordSet>` of zone `zone`, all pages, each through `each`.
async fn list_each<T, F, Fut>(zone: &str, get: F, each: fn(&Element) -> T) -> anyhow::Result<Vec<T>>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Element>>,
{
    let mut sets = Vec::new();
    let mut next: Option<(String, String)> = None;
    loop {
        let mut q = format!("/2013-04-01/hostedzone/{zone}/rrset?maxitems=1000");
        if let Some((n, t)) = &next {
            q.push_str(&format!("&name={}&type={t}", urlenc(n)));
        }
        let doc = get(q).await?;
        let mut found = Vec::new();
        doc.find_all("ResourceRecordSet", &mut found);
        sets.extend(found.into_iter().map(each));
        if doc.text_at(&["IsTruncated"]) != Some("true") {
            return Ok(sets);
        }
        let text = |k: &str| doc.text_at(&[k]).unwrap_or_default().to_string();
        let page_end = (text("NextRecordName"), text("NextRecordType"));
        // moto pages by name and type only: a page that ends where it began never ends.
        anyhow::ensure!(
            next.as_ref() != Some(&page_end),
            "zone {zone} has over 1,000 record sets at {} {}, which moto cannot page",
            page_end.0,
            page_end.1
        );
        next = Some(page_end);
    }
}

/// moto stores the SOA it makes as a Python dict's repr (`{'Value': '…'}`).
fn unwrap_moto_value(v: &str) -> String {
    v.strip_prefix("{'Value': '")
        .and_then(|x| x.strip_suffix("'}"))
        .unwrap_or(v)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_like_route53() {
        assert_eq!(norm("\\052.Example.COM."), "*.example.com");
        assert_eq!(norm(" Example.test. "), "example.test");
    }

    #[test]
    fn a_listed_set_parses_whole() {
        let doc = crate::xml::parse(
            br#"<L><ResourceRecordSets><ResourceRecordSet><Name>\052.Ex.test.</Name><Type>SOA</Type><TTL>900</TTL><ResourceRecords><ResourceRecord><Value>{'Value': 'ns. h. 1 2 3 4 5'}</Value></ResourceRecord></ResourceRecords></ResourceRecordSet><ResourceRecordSet><Name>w.ex.test.</Name><Type>A</Type><SetIdentifier>p</SetIdentifier><Failover>PRIMARY</Failover><AliasTarget><DNSName>T.ex.test.</DNSName></AliasTarget></ResourceRecordSet></ResourceRecordSets></L>"#,
        )
        .unwrap();
        let sets = RecordSet::all_in(&doc);
        let mut found = Vec::new();
        doc.find_all("ResourceRecordSet", &mut found);
        assert_eq!(Routing::of(found[0]), Routing::default());
        assert_eq!(
            sets,
            vec![
                RecordSet {
                    name: "*.ex.test".into(),
                    ty: "SOA".into(),
                    set_id: None,
                    ttl: Some(900),
                    values: vec!["ns. h. 1 2 3 4 5".into()],
                    alias: None,
                    failover: None,
                    weight: None,
                },
                RecordSet {
                    name: "w.ex.test".into(),
                    ty: "A".into(),
                    set_id: Some("p".into()),
                    ttl: None,
                    values: vec![],
                    alias: Some("t.ex.test".into()),
                    failover: Some("PRIMARY".into()),
                    weight: None,
                },
            ]
        );
    }

    #[test]
    fn routing_settings_parse() {
        let doc = crate::xml::parse(
            br#"<ResourceRecordSet><Name>m.ex.test.</Name><Type>A</Type><SetIdentifier>1</SetIdentifier><MultiValueAnswer>true</MultiValueAnswer><Region>eu-west-1</Region><GeoLocation><CountryCode>GB</CountryCode><SubdivisionCode>ENG</SubdivisionCode></GeoLocation><AliasTarget><HostedZoneId>Z</HostedZoneId><DNSName>t.ex.test.</DNSName><EvaluateTargetHealth>true</EvaluateTargetHealth></AliasTarget><HealthCheckId>hc-1</HealthCheckId></ResourceRecordSet>"#,
        )
        .unwrap();
        assert_eq!(
            Routing::of(&doc),
            Routing {
                health_check_id: Some("hc-1".into()),
                multivalue: true,
                region: Some("eu-west-1".into()),
                geo: Some(Geo {
                    continent: None,
                    country: Some("GB".into()),
                    subdivision: Some("ENG".into()),
                }),
                evaluate_target_health: true,
                cidr: None,
                geoproximity: None,
            }
        );
    }
}
