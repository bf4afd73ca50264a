//! A Route 53 record set and the rules Route 53 applies to it.

use crate::name::{self, Name};
use crate::rdata::{check_value, encode_user_value, RecordType};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Alias {
    pub name: String,
    pub zone_id: String,
    pub evaluate_target_health: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Failover {
    Primary,
    Secondary,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct GeoLocation {
    pub continent: Option<String>,
    pub country: Option<String>,
    pub subdivision: Option<String>,
}

/// Geoproximity routing: a location (an AWS region, a Local Zone group or coordinates) and a
/// bias. Route 53 writes the coordinates as decimal strings; they are kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct GeoProximity {
    pub aws_region: Option<String>,
    pub local_zone_group: Option<String>,
    /// (latitude, longitude)
    pub coordinates: Option<(String, String)>,
    pub bias: Option<i32>,
}

/// The routing policy of a record set that has a `set_identifier`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Routing {
    Weighted(i64),
    Latency(String),
    Failover(Failover),
    Geolocation(GeoLocation),
    MultiValue,
    /// IP-based routing: a CIDR collection and one of its locations (`*` for the default).
    Cidr {
        collection_id: String,
        location_name: String,
    },
    GeoProximity(GeoProximity),
}

impl Routing {
    /// The configuration attribute/block that holds this policy (for diagnostics).
    pub fn field(&self) -> &'static str {
        match self {
            Routing::Weighted(_) => "weighted_routing_policy",
            Routing::Latency(_) => "latency_routing_policy",
            Routing::Failover(_) => "failover_routing_policy",
            Routing::Geolocation(_) => "geolocation_routing_policy",
            Routing::MultiValue => "multivalue_answer_routing_policy",
            Routing::Cidr { .. } => "cidr_routing_policy",
            Routing::GeoProximity(_) => "geoproximity_routing_policy",
        }
    }
}

/// One record set: name + type (+ set identifier) with either values and a TTL, or an alias.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RecordSet {
    /// Absolute, normalised (lower case, no trailing dot).
    pub name: String,
    #[serde(rename = "type")]
    pub ty: RecordType,
    pub ttl: Option<i64>,
    /// Values in the user's form (TXT unquoted); see [`RecordSet::wire_values`].
    pub values: Vec<String>,
    pub alias: Option<Alias>,
    pub set_identifier: Option<String>,
    pub routing: Option<Routing>,
    pub health_check_id: Option<String>,
}

/// A broken rule, with the configuration field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RuleError {
    pub field: &'static str,
    pub message: String,
}

fn err(field: &'static str, message: impl Into<String>) -> RuleError {
    RuleError {
        field,
        message: message.into(),
    }
}

const MAX_TTL: i64 = 2_147_483_647;
/// Route 53 refuses a single value longer than this.
pub const MAX_VALUE_CHARS: usize = 4000;

impl RecordSet {
    /// Values as Route 53 stores them (TXT quoted and split).
    pub fn wire_values(&self) -> Vec<String> {
        self.values
            .iter()
            .map(|v| encode_user_value(self.ty, v))
            .collect()
    }

    /// Every Route 53 rule this record set breaks (empty when valid). Without the zone's name
    /// (not yet known at validate time) the rules that depend on it are skipped.
    pub fn check(&self, zone: Option<&str>) -> Vec<RuleError> {
        let mut out = Vec::new();
        match Name::parse(&self.name) {
            Err(e) => out.push(err("name", e.to_string())),
            Ok(n) => {
                if let Some(Ok(z)) = zone.map(Name::parse) {
                    if !n.is_subdomain_of(&z) {
                        out.push(err(
                            "name",
                            format!("{n} is not in the zone {z}: give the fully qualified name, e.g. \"{}.{z}\"", n.as_str()),
                        ));
                    }
                }
            }
        }
        // Only a CNAME cares (and this runs for every set of a large zone).
        if self.ty == RecordType::Cname && zone.is_some_and(|z| name::is_apex(&self.name, z)) {
            out.push(err(
                "type",
                format!(
                    "a CNAME cannot be at the zone apex ({}): DNS forbids CNAME beside the SOA and NS records. \
                     Use an alias record of type A/AAAA instead (alias {{ name, zone_id }})",
                    self.name
                ),
            ));
        }
        match &self.alias {
            Some(a) => {
                if !self.values.is_empty() {
                    out.push(err("records", "an alias record cannot also have records; remove `records` or the `alias` block"));
                }
                if self.ttl.is_some() {
                    out.push(err(
                        "ttl",
                        "an alias record takes its TTL from the target; remove `ttl`",
                    ));
                }
                if !self.ty.can_alias() {
                    out.push(err(
                        "type",
                        format!("Route 53 cannot make an alias of type {}", self.ty),
                    ));
                }
                if a.zone_id.trim().is_empty() {
                    out.push(err(
                        "alias",
                        "alias.zone_id must be the hosted zone ID of the alias target",
                    ));
                }
                if let Err(e) = Name::parse(&a.name) {
                    out.push(err("alias", format!("alias.name: {e}")));
                }
                if matches!(self.routing, Some(Routing::MultiValue)) {
                    out.push(err(
                        "multivalue_answer_routing_policy",
                        "multivalue answer routing cannot be used with an alias",
                    ));
                }
            }
            None => {
                if self.values.is_empty() {
                    out.push(err(
                        "records",
                        "a record set needs at least one value in `records` (or an `alias` block)",
                    ));
                }
                match self.ttl {
                    None => out.push(err(
                        "ttl",
                        "`ttl` is required for a record set with `records`",
                    )),
                    Some(t) if !(0..=MAX_TTL).contains(&t) => out.push(err(
                        "ttl",
                        format!("ttl must be from 0 to {MAX_TTL}, not {t}"),
                    )),
                    _ => {}
                }
                if self.ty == RecordType::Cname && self.values.len() > 1 {
                    out.push(err(
                        "records",
                        format!("a CNAME has exactly one value; got {}", self.values.len()),
                    ));
                }
                for (i, v) in self.values.iter().enumerate() {
                    if let Err(m) = check_value(self.ty, v) {
                        out.push(err("records", format!("value {} ({v:?}): {m}", i + 1)));
                    } else if encode_user_value(self.ty, v).len() > MAX_VALUE_CHARS {
                        out.push(err(
                            "records",
                            format!(
                                "value {} is longer than Route 53's {MAX_VALUE_CHARS} characters",
                                i + 1
                            ),
                        ));
                    }
                }
            }
        }
        match (&self.set_identifier, &self.routing) {
            (Some(_), None) => out.push(err(
                "set_identifier",
                "set_identifier needs a routing policy (weighted, latency, failover, geolocation, geoproximity, IP-based (CIDR) or multivalue answer)",
            )),
            (None, Some(r)) => out.push(err(r.field(), "a routing policy needs a set_identifier")),
            (Some(id), Some(_)) if id.is_empty() || id.len() > 128 => {
                out.push(err("set_identifier", "set_identifier must be 1 to 128 characters"))
            }
            _ => {}
        }
        match &self.routing {
            Some(Routing::Weighted(w)) if !(0..=255).contains(w) => out.push(err(
                "weighted_routing_policy",
                format!("weight must be from 0 to 255, not {w}"),
            )),
            Some(Routing::Geolocation(g)) => {
                if g.continent.is_none() && g.country.is_none() {
                    out.push(err(
                        "geolocation_routing_policy",
                        "give a continent or a country (\"*\" for the default location)",
                    ));
                }
                if g.continent.is_some() && g.country.is_some() {
                    out.push(err(
                        "geolocation_routing_policy",
                        "give either a continent or a country, not both",
                    ));
                }
                if g.subdivision.is_some() && g.country.is_none() {
                    out.push(err(
                        "geolocation_routing_policy",
                        "a subdivision needs its country",
                    ));
                }
            }
            Some(Routing::Cidr {
                collection_id,
                location_name,
            }) if collection_id.trim().is_empty() || location_name.trim().is_empty() => out.push(err(
                "cidr_routing_policy",
                "IP-based routing needs the CIDR collection id and a location name (\"*\" for the default)",
            )),
            Some(Routing::Cidr { location_name, .. })
                if location_name != crate::cidr::DEFAULT_LOCATION
                    && !crate::cidr::valid_location_name(location_name) =>
            {
                out.push(err(
                    "cidr_routing_policy",
                    format!(
                        "the location name {location_name:?} must be \"*\" or 1 to {} letters, digits, _ and -",
                        crate::cidr::MAX_LOCATION_CHARS
                    ),
                ))
            }
            Some(Routing::GeoProximity(g)) => {
                let places = [
                    g.aws_region.is_some(),
                    g.local_zone_group.is_some(),
                    g.coordinates.is_some(),
                ];
                if places.iter().filter(|p| **p).count() != 1 {
                    out.push(err(
                        "geoproximity_routing_policy",
                        "give exactly one of an AWS region, a Local Zone group or coordinates",
                    ));
                }
                if g.bias.is_some_and(|b| !(-99..=99).contains(&b)) {
                    out.push(err(
                        "geoproximity_routing_policy",
                        "the bias must be from -99 to 99",
                    ));
                }
            }
            Some(Routing::Latency(region)) if region.trim().is_empty() => out.push(err(
                "latency_routing_policy",
                "latency routing needs the AWS region",
            )),
            _ => {}
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rs(name: &str, ty: RecordType, values: &[&str]) -> RecordSet {
        RecordSet {
            name: name.into(),
            ty,
            ttl: Some(300),
            values: values.iter().map(|s| s.to_string()).collect(),
            alias: None,
            set_identifier: None,
            routing: None,
            health_check_id: None,
        }
    }

    #[test]
    fn valid_sets_pass() {
        assert!(rs("www.example.com", RecordType::A, &["192.0.2.1"])
            .check(Some("example.com"))
            .is_empty());
        assert!(rs(
            "_sip._tcp.example.com",
            RecordType::Srv,
            &["1 1 5060 sip.example.com"]
        )
        .check(Some("example.com"))
        .is_empty());
    }

    #[test]
    fn cname_at_apex_is_refused_with_alias_hint() {
        let e = rs("example.com", RecordType::Cname, &["other.example.net"])
            .check(Some("example.com."));
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, "type");
        assert!(e[0].message.contains("alias"));
    }

    #[test]
    fn alias_with_records_and_ttl_is_refused() {
        let mut r = rs("www.example.com", RecordType::A, &["192.0.2.1"]);
        r.alias = Some(Alias {
            name: "lb.example.net".into(),
            zone_id: "Z1".into(),
            evaluate_target_health: false,
        });
        let fields: Vec<_> = r
            .check(Some("example.com"))
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["records", "ttl"]);
    }

    #[test]
    fn routing_needs_set_identifier_and_vice_versa() {
        let mut r = rs("www.example.com", RecordType::A, &["192.0.2.1"]);
        r.routing = Some(Routing::Weighted(10));
        assert_eq!(
            r.check(Some("example.com"))[0].field,
            "weighted_routing_policy"
        );
        r.routing = None;
        r.set_identifier = Some("a".into());
        assert_eq!(r.check(Some("example.com"))[0].field, "set_identifier");
        r.routing = Some(Routing::Weighted(300));
        assert!(r.check(Some("example.com"))[0].message.contains("0 to 255"));
    }

    #[test]
    fn cidr_and_geoproximity_routing_are_checked() {
        let mut r = rs("www.example.com", RecordType::A, &["192.0.2.1"]);
        r.set_identifier = Some("s".into());
        r.routing = Some(Routing::Cidr {
            collection_id: "c1".into(),
            location_name: "*".into(),
        });
        assert!(r.check(Some("example.com")).is_empty());
        r.routing = Some(Routing::Cidr {
            collection_id: "c1".into(),
            location_name: " ".into(),
        });
        assert_eq!(r.check(Some("example.com"))[0].field, "cidr_routing_policy");
        for (name, ok) in [
            ("office-1", true),
            ("a.b", false),
            ("**", false),
            ("seventeen-chars-x", false),
        ] {
            r.routing = Some(Routing::Cidr {
                collection_id: "c1".into(),
                location_name: name.into(),
            });
            assert_eq!(r.check(None).is_empty(), ok, "{name}");
        }
        r.routing = Some(Routing::GeoProximity(GeoProximity {
            aws_region: Some("eu-west-1".into()),
            bias: Some(10),
            ..Default::default()
        }));
        assert!(r.check(Some("example.com")).is_empty());
        r.routing = Some(Routing::GeoProximity(GeoProximity {
            aws_region: Some("eu-west-1".into()),
            coordinates: Some(("1.0".into(), "2.0".into())),
            bias: Some(100),
            ..Default::default()
        }));
        let e = r.check(Some("example.com"));
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e.iter().all(|e| e.field == "geoproximity_routing_policy"));
        // Carried through serde (plans and reports are JSON).
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<RecordSet>(&json).unwrap(), r);
    }

    #[test]
    fn ttl_range_and_name_outside_zone() {
        let mut r = rs("www.other.org", RecordType::A, &["192.0.2.1"]);
        r.ttl = Some(-1);
        let fields: Vec<_> = r
            .check(Some("example.com"))
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["name", "ttl"]);
    }
}
