//! Geoproximity routing as Route 53 describes it: each record set sits at a point (an AWS
//! region's, a Local Zone group's parent region's, or its own coordinates), and a client is
//! answered with the healthy set nearest to it after bias — Route 53's "biased distance":
//! `distance × (1 − bias/100)`, so a positive bias draws clients from farther away and a negative
//! one sends them elsewhere. Where the client is comes from the lab's client locations
//! (`latitude`/`longitude`); the lab has no GeoIP database.

use r53_zone::GeoProximity;

/// Where Route 53's regions are, roughly (the metro of each; geoproximity only compares
/// distances). Regions not listed cannot be located, and such a set is never the nearest.
const REGIONS: &[(&str, f64, f64)] = &[
    ("us-east-1", 38.9, -77.4),
    ("us-east-2", 40.0, -83.0),
    ("us-west-1", 37.4, -121.9),
    ("us-west-2", 45.8, -119.7),
    ("ca-central-1", 45.5, -73.6),
    ("ca-west-1", 51.0, -114.1),
    ("mx-central-1", 20.6, -100.4),
    ("sa-east-1", -23.5, -46.6),
    ("eu-west-1", 53.3, -6.3),
    ("eu-west-2", 51.5, -0.1),
    ("eu-west-3", 48.9, 2.4),
    ("eu-central-1", 50.1, 8.7),
    ("eu-central-2", 47.4, 8.5),
    ("eu-north-1", 59.3, 18.1),
    ("eu-south-1", 45.5, 9.2),
    ("eu-south-2", 41.6, -0.9),
    ("me-south-1", 26.1, 50.6),
    ("me-central-1", 25.2, 55.3),
    ("il-central-1", 32.1, 34.8),
    ("af-south-1", -33.9, 18.4),
    ("ap-east-1", 22.3, 114.2),
    ("ap-south-1", 19.1, 72.9),
    ("ap-south-2", 17.4, 78.5),
    ("ap-northeast-1", 35.7, 139.7),
    ("ap-northeast-2", 37.6, 127.0),
    ("ap-northeast-3", 34.7, 135.5),
    ("ap-southeast-1", 1.3, 103.8),
    ("ap-southeast-2", -33.9, 151.2),
    ("ap-southeast-3", -6.2, 106.8),
    ("ap-southeast-4", -37.8, 145.0),
    ("ap-southeast-5", 3.1, 101.7),
    ("ap-southeast-7", 13.8, 100.5),
];

/// Mean Earth radius (km), for great-circle distances.
const EARTH_KM: f64 = 6371.0;

/// Where a record set sits: `(latitude, longitude)` in degrees.
pub fn point_of(g: &GeoProximity) -> Option<(f64, f64)> {
    if let Some((lat, lon)) = &g.coordinates {
        let (lat, lon) = (
            lat.trim().parse::<f64>().ok()?,
            lon.trim().parse::<f64>().ok()?,
        );
        return ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon))
            .then_some((lat, lon));
    }
    // A Local Zone group is named after its parent region (`us-west-2-lax-1`): its point.
    let region = g.aws_region.as_deref().or(g.local_zone_group.as_deref())?;
    REGIONS
        .iter()
        .filter(|(r, _, _)| region == *r || region.starts_with(&format!("{r}-")))
        .max_by_key(|(r, _, _)| r.len())
        .map(|(_, lat, lon)| (*lat, *lon))
}

/// Great-circle distance in km (haversine).
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * EARTH_KM * h.sqrt().clamp(0.0, 1.0).asin()
}

/// Route 53's biased distance; bias is clamped to its −99..=99.
pub fn biased_km(distance: f64, bias: i32) -> f64 {
    distance * (1.0 - f64::from(bias.clamp(-99, 99)) / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(region: &str) -> GeoProximity {
        GeoProximity {
            aws_region: Some(region.into()),
            local_zone_group: None,
            coordinates: None,
            bias: None,
        }
    }

    #[test]
    fn points_distances_and_bias() {
        assert_eq!(point_of(&at("eu-west-1")), Some((53.3, -6.3)));
        assert_eq!(point_of(&at("mars-north-1")), None);
        let lz = GeoProximity {
            local_zone_group: Some("us-west-2-lax-1".into()),
            ..at("x")
        };
        let lz = GeoProximity {
            aws_region: None,
            ..lz
        };
        assert_eq!(
            point_of(&lz),
            Some((45.8, -119.7)),
            "a Local Zone: its region"
        );
        let c = GeoProximity {
            aws_region: None,
            coordinates: Some(("48.86".into(), "2.35".into())),
            ..at("x")
        };
        assert_eq!(point_of(&c), Some((48.86, 2.35)));
        let bad = GeoProximity {
            aws_region: None,
            coordinates: Some(("91".into(), "0".into())),
            ..at("x")
        };
        assert_eq!(point_of(&bad), None);
        // London–Paris is about 344 km.
        let d = distance_km((51.5074, -0.1278), (48.8566, 2.3522));
        assert!((d - 344.0).abs() < 5.0, "{d}");
        assert_eq!(distance_km((10.0, 10.0), (10.0, 10.0)), 0.0);
        assert_eq!(biased_km(1000.0, 50), 500.0);
        assert_eq!(biased_km(1000.0, -50), 1500.0);
        assert_eq!(biased_km(1000.0, 500), biased_km(1000.0, 99));
    }
}
