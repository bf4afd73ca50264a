//! Where the lab's DNS clients are, for latency and geolocation routing: the lab has no GeoIP
//! database nor latency measurements, so a test says where a client subnet (or every client) is:
//! `POST /__lab/dns/client_location {"subnet": "198.51.100.0/24", "region": "eu-west-1",
//! "continent": "EU", "country": "DE", "subdivision": null, "latitude": 50.1, "longitude": 8.7}`
//! (no subnet: every other client; coordinates are for geoproximity).
//! A query is located by its EDNS client subnet when it has one, else its source address.

use std::net::IpAddr;
use std::sync::Mutex;

use serde::Deserialize;

use crate::reusable_sets::Answer;

/// At most this many located subnets (a lab setting, not a database).
pub const MAX_LOCATIONS: usize = 256;
/// Codes are short (a region name is the longest).
const MAX_CODE_CHARS: usize = 32;

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Location {
    /// The AWS region latency routing treats as nearest.
    pub region: Option<String>,
    pub continent: Option<String>,
    pub country: Option<String>,
    pub subdivision: Option<String>,
    /// Where the client is, for geoproximity routing (degrees; both or neither).
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum LocationError {
    #[error("subnet {0:?} is not an address/prefix (e.g. 198.51.100.0/24)")]
    Subnet(String),
    #[error("at most {MAX_LOCATIONS} client locations")]
    TooMany,
    #[error("location codes are 1 to {MAX_CODE_CHARS} characters")]
    Code,
    #[error("latitude (-90 to 90) and longitude (-180 to 180) go together")]
    Coordinates,
}

/// A subnet as (network address, prefix length), parsed and bounded.
fn parse_subnet(s: &str) -> Result<(IpAddr, u8), LocationError> {
    let bad = || LocationError::Subnet(s.to_string());
    let (a, p) = s.split_once('/').ok_or_else(bad)?;
    let ip: IpAddr = a.parse().map_err(|_| bad())?;
    let p: u8 = p.parse().map_err(|_| bad())?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    if p > max {
        return Err(bad());
    }
    Ok((ip, p))
}

/// Whether `addr` is inside `net`/`prefix` (families must agree).
pub fn contains(net: IpAddr, prefix: u8, addr: IpAddr) -> bool {
    fn bits(a: IpAddr) -> (u128, u32) {
        match a {
            IpAddr::V4(v) => (u128::from(u32::from(v)), 32),
            IpAddr::V6(v) => (u128::from(v), 128),
        }
    }
    let ((n, w), (a, w2)) = (bits(net), bits(addr));
    if w != w2 || u32::from(prefix) > w {
        return false;
    }
    let shift = w - u32::from(prefix);
    shift >= w || (n >> shift) == (a >> shift)
}

/// A subnet (network address, prefix length); `None`: every client no subnet holds.
type Subnet = Option<(IpAddr, u8)>;

#[derive(Debug, Default)]
pub struct ClientLocations {
    entries: Mutex<Vec<(Subnet, Location)>>,
}

impl ClientLocations {
    /// Locates clients of `subnet` (every client when `None`) at `loc`, replacing what was there.
    pub fn set(&self, subnet: Option<&str>, loc: Location) -> Result<(), LocationError> {
        let subnet = subnet.map(parse_subnet).transpose()?;
        let codes = [&loc.region, &loc.continent, &loc.country, &loc.subdivision];
        if codes.iter().any(|c| {
            c.as_ref()
                .is_some_and(|c| c.is_empty() || c.len() > MAX_CODE_CHARS)
        }) {
            return Err(LocationError::Code);
        }
        match (loc.latitude, loc.longitude) {
            (None, None) => {}
            (Some(la), Some(lo))
                if (-90.0..=90.0).contains(&la) && (-180.0..=180.0).contains(&lo) => {}
            _ => return Err(LocationError::Coordinates),
        }
        let mut e = self.entries.lock().unwrap();
        e.retain(|(s, _)| *s != subnet);
        if e.len() >= MAX_LOCATIONS {
            return Err(LocationError::TooMany);
        }
        e.push((subnet, loc));
        Ok(())
    }

    /// The location of `addr`: the longest subnet holding it, else the default, else none.
    pub fn of(&self, addr: IpAddr) -> Option<Location> {
        let e = self.entries.lock().unwrap();
        e.iter()
            .filter_map(|(s, l)| match s {
                Some((n, p)) if contains(*n, *p, addr) => Some((i16::from(*p), l)),
                Some(_) => None,
                None => Some((-1, l)),
            })
            .max_by_key(|(p, _)| *p)
            .map(|(_, l)| l.clone())
    }

    /// `POST /__lab/dns/client_location`.
    pub fn control(&self, method: &str, path: &str, body: &[u8]) -> Answer {
        #[derive(Deserialize)]
        struct Req {
            subnet: Option<String>,
            #[serde(flatten)]
            location: Location,
        }
        if (method, path) != ("POST", "/__lab/dns/client_location") {
            return Answer::Error {
                status: 404,
                code: "NotFound",
                message: format!("unknown lab DNS control {method} {path}"),
            };
        }
        let bad = |m: String| Answer::Error {
            status: 400,
            code: "InvalidInput",
            message: m,
        };
        match serde_json::from_slice::<Req>(body) {
            Ok(r) => match self.set(r.subnet.as_deref(), r.location) {
                Ok(()) => Answer::Ok {
                    status: 200,
                    body: "\"ok\"".into(),
                    location: None,
                },
                Err(e) => bad(e.to_string()),
            },
            Err(e) => bad(format!(
                "client_location: {e} (expected {{\"subnet\"?, \"region\"?, \"continent\"?, \"country\"?, \"subdivision\"?, \"latitude\"?, \"longitude\"?}})"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_subnet_then_the_default() {
        let c = ClientLocations::default();
        let at = |r: &str| Location {
            region: Some(r.into()),
            ..Default::default()
        };
        assert_eq!(c.of("127.0.0.1".parse().unwrap()), None);
        c.set(None, at("us-east-1")).unwrap();
        c.set(Some("198.51.100.0/24"), at("eu-west-1")).unwrap();
        c.set(Some("198.51.100.128/25"), at("ap-southeast-2"))
            .unwrap();
        let of = |a: &str| c.of(a.parse().unwrap()).unwrap().region.unwrap();
        assert_eq!(of("127.0.0.1"), "us-east-1");
        assert_eq!(of("198.51.100.7"), "eu-west-1");
        assert_eq!(of("198.51.100.200"), "ap-southeast-2");
        assert_eq!(of("2001:db8::1"), "us-east-1");
        assert!(c.set(Some("198.51.100.0/33"), at("x")).is_err());
        assert!(c.set(Some("nonsense"), at("x")).is_err());
        assert!(c.set(None, at("")).is_err());
        assert!(contains(
            "0.0.0.0".parse().unwrap(),
            0,
            "203.0.113.9".parse().unwrap()
        ));
        assert!(!contains(
            "10.0.0.0".parse().unwrap(),
            8,
            "::1".parse().unwrap()
        ));
        assert!(matches!(
            c.control(
                "POST",
                "/__lab/dns/client_location",
                br#"{"subnet": "203.0.113.0/24", "country": "DE", "continent": "EU"}"#
            ),
            Answer::Ok { .. }
        ));
        assert_eq!(
            c.of("203.0.113.1".parse().unwrap())
                .unwrap()
                .country
                .as_deref(),
            Some("DE")
        );
        assert!(matches!(
            c.control("POST", "/__lab/dns/client_location", b"[]"),
            Answer::Error { status: 400, .. }
        ));
    }
}
