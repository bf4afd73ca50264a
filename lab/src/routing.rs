//! Which record sets of a routed group Route 53's name servers answer, by its rules
//! (ResourceRecordSet.HealthCheckId in the API reference, "How Route 53 chooses records when
//! health checking is configured" in the Developer Guide):
//! - a set whose health check is unhealthy is skipped; when every set of the group is unhealthy,
//!   all count as healthy;
//! - failover: the primary while healthy, else the secondary;
//! - weighted: a choice among the healthy sets of non-zero weight, in proportion to weight;
//!   weight-0 sets only when every non-zero one is unhealthy (then equally);
//! - multivalue: up to 8 healthy sets (up to 8 unhealthy ones when none is healthy); a set without
//!   a check is healthy;
//! - an alias that evaluates target health is as healthy as its in-zone target (a routed group:
//!   healthy if any member is), and is routed like any other set;
//! - latency: the client's region's set, else the first healthy one; geolocation: the client's
//!   subdivision, country, continent, then `*`, skipping unhealthy sets — where the client is
//!   comes from the lab's [`crate::client_locations`] (no location: the first healthy region,
//!   the `*` location).
//!
//! Pure but for [`Rotation`], the deterministic turn-taking that stands for Route 53's random
//! choices: weighted sets by smooth weighted round-robin (any run of `total weight` answers holds
//! each set exactly `weight` times, so tests can assert exact proportions), multivalue answers
//! rotated one place per answer.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::client_locations::Location;
use crate::geoproximity::{biased_km, distance_km, point_of};
use crate::health_checks::Health;
use crate::moto_api::{RecordSet, Routing};
use crate::nameservers::DelegationSets;
use crate::registry::under;
use crate::reusable_sets::Answer;

/// Route 53 answers at most this many multivalue records.
pub const MAX_MULTIVALUE: usize = 8;
/// Route 53's largest record weight.
pub const MAX_WEIGHT: i64 = 255;
/// How many aliases deep target health is followed.
const MAX_ALIAS_DEPTH: usize = 4;

/// A listed set (name-server names rewritten to the zone's delegation set) and how it routes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rrset {
    pub(crate) set: RecordSet,
    pub(crate) routing: Routing,
}

impl std::ops::Deref for Rrset {
    type Target = RecordSet;
    fn deref(&self) -> &RecordSet {
        &self.set
    }
}

/// Smooth weighted round-robin state of one group: its candidates (set id, weight) and their
/// running scores. A change of candidates starts over.
#[derive(Debug, Default)]
struct Swrr {
    members: Vec<(String, i64)>,
    current: Vec<i64>,
}

impl Swrr {
    /// The index (into `members`) of the next turn.
    fn next(&mut self, members: &[(String, i64)]) -> usize {
        if self.members != members {
            self.members = members.to_vec();
            self.current = vec![0; members.len()];
        }
        let total: i64 = members.iter().map(|m| m.1).sum();
        let mut best = 0;
        for (i, (_, w)) in members.iter().enumerate() {
            self.current[i] = self.current[i].saturating_add(*w);
            if self.current[i] > self.current[best] {
                best = i;
            }
        }
        self.current[best] = self.current[best].saturating_sub(total);
        best
    }
}

/// Turns per group key (zone, name, type): the weighted choice and the multivalue rotation.
#[derive(Debug, Default)]
pub(crate) struct Rotation {
    weighted: Mutex<HashMap<String, Swrr>>,
    multivalue: Mutex<HashMap<String, usize>>,
}

impl Rotation {
    fn weighted(&self, key: &str, members: &[(String, i64)]) -> usize {
        self.weighted
            .lock()
            .unwrap()
            .entry(key.to_string())
            .or_default()
            .next(members)
    }

    fn multivalue(&self, key: &str) -> usize {
        let mut m = self.multivalue.lock().unwrap();
        let turn = m.entry(key.to_string()).or_default();
        let now = *turn;
        *turn = turn.wrapping_add(1);
        now
    }
}

/// Whether set `s` of a zone (apex `apex`, sets `sets`) counts as healthy: its own health check
/// (none: healthy) and, for an alias that evaluates target health, its in-zone target group
/// (healthy if any member is).
pub(crate) fn set_healthy(
    sets: &[Rrset],
    apex: &str,
    s: &Rrset,
    health: &dyn Fn(&str) -> bool,
) -> bool {
    healthy_at(sets, apex, s, health, 0)
}

fn healthy_at(
    sets: &[Rrset],
    apex: &str,
    s: &Rrset,
    health: &dyn Fn(&str) -> bool,
    depth: usize,
) -> bool {
    if let Some(id) = &s.routing.health_check_id {
        if !health(id) {
            return false;
        }
    }
    match &s.alias {
        Some(t)
            if s.routing.evaluate_target_health && under(t, apex) && depth < MAX_ALIAS_DEPTH =>
        {
            let target: Vec<&Rrset> = sets
                .iter()
                .filter(|x| x.name == *t && x.ty == s.ty)
                .collect();
            target.is_empty()
                || target
                    .iter()
                    .any(|x| healthy_at(sets, apex, x, health, depth + 1))
        }
        _ => true,
    }
}

/// The sets of `group` (one name and type) Route 53 answers, given each set's health
/// (`healthy`), where the client is (`location`; `cidr_location` in the group's CIDR collection)
/// and the rotation state under `key`.
pub(crate) fn route<'a>(
    group: Vec<&'a Rrset>,
    healthy: &dyn Fn(&Rrset) -> bool,
    location: Option<&Location>,
    cidr_location: Option<&str>,
    rotation: &Rotation,
    key: &str,
) -> Vec<&'a Rrset> {
    // Plain sets answer as they are; a mix of plain and routed sets (which Route 53 refuses)
    // answers its first.
    if group.iter().all(|s| s.set_id.is_none()) {
        return group;
    }
    if group.iter().any(|s| s.set_id.is_none()) {
        return group.into_iter().take(1).collect();
    }
    let mut ok: Vec<bool> = group.iter().map(|s| healthy(s)).collect();
    if !ok.contains(&true) {
        ok = vec![true; group.len()];
    }
    let live = |i: &usize| ok[*i];
    let n = group.len();
    if group.iter().any(|s| s.failover.is_some()) {
        let role = |r: &str| (0..n).find(|i| group[*i].failover.as_deref() == Some(r));
        let (primary, secondary) = (role("PRIMARY"), role("SECONDARY"));
        let pick = primary
            .filter(live)
            .or(secondary.filter(live))
            .or(primary)
            .or(secondary);
        return pick.map(|i| group[i]).into_iter().collect();
    }
    if group.iter().any(|s| s.weight.is_some()) {
        // Route 53 weights are 0–255; clamped so no listed value can overflow the sums.
        let weight = |i: usize| group[i].weight.unwrap_or(0).clamp(0, MAX_WEIGHT);
        let mut members: Vec<(usize, i64)> = (0..n)
            .filter(live)
            .filter(|i| weight(*i) > 0)
            .map(|i| (i, weight(i)))
            .collect();
        if members.is_empty() {
            members = (0..n).filter(live).map(|i| (i, 1)).collect();
        }
        let ids: Vec<(String, i64)> = members
            .iter()
            .map(|(i, w)| (group[*i].set_id.clone().unwrap_or_default(), *w))
            .collect();
        if ids.is_empty() {
            return Vec::new();
        }
        let turn = rotation.weighted(key, &ids);
        return vec![group[members[turn].0]];
    }
    if group.iter().any(|s| s.routing.multivalue) {
        let healthy: Vec<usize> = (0..n).filter(live).collect();
        if healthy.is_empty() {
            return Vec::new();
        }
        let start = rotation.multivalue(key) % healthy.len();
        return (0..healthy.len().min(MAX_MULTIVALUE))
            .map(|k| group[healthy[(start + k) % healthy.len()]])
            .collect();
    }
    if group.iter().any(|s| s.routing.cidr.is_some()) {
        // CIDR: the set of the location whose block holds the client (its subnet, else its
        // address: `cidr_location`); no such location, or its set unhealthy: the `*` set.
        let at = |loc: &str| {
            (0..n)
                .filter(live)
                .find(|i| group[*i].routing.cidr.as_ref().is_some_and(|c| c.1 == loc))
        };
        return cidr_location
            .and_then(at)
            .or_else(|| at("*"))
            .map(|i| group[i])
            .into_iter()
            .collect();
    }
    if group.iter().any(|s| s.routing.geoproximity.is_some()) {
        // The healthy set nearest the client after bias; a client the lab cannot place (or sets
        // it cannot place) gets the first healthy set.
        let client = location.and_then(|l| l.latitude.zip(l.longitude));
        let score = |i: usize| -> Option<f64> {
            let g = group[i].routing.geoproximity.as_ref()?;
            let d = distance_km(client?, point_of(g)?);
            Some(biased_km(d, g.bias.unwrap_or(0)))
        };
        return (0..n)
            .filter(live)
            .filter_map(|i| score(i).map(|d| (i, d)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
            .or_else(|| (0..n).find(live))
            .map(|i| group[i])
            .into_iter()
            .collect();
    }
    if group.iter().any(|s| s.routing.geo.is_some()) {
        let geo = |i: usize| group[i].routing.geo.clone().unwrap_or_default();
        let loc = location.cloned().unwrap_or_default();
        let same = |a: &Option<String>, b: &Option<String>| a.is_some() && a == b;
        // Most specific first; an unhealthy match gives way to the larger area's set.
        let levels: [&dyn Fn(usize) -> bool; 4] = [
            &|i| {
                let g = geo(i);
                loc.subdivision.is_some()
                    && same(&g.country, &loc.country)
                    && same(&g.subdivision, &loc.subdivision)
            },
            &|i| {
                let g = geo(i);
                g.subdivision.is_none() && same(&g.country, &loc.country)
            },
            &|i| same(&geo(i).continent, &loc.continent),
            &|i| geo(i).country.as_deref() == Some("*"),
        ];
        return levels
            .iter()
            .find_map(|level| (0..n).filter(live).find(|i| level(*i)))
            .map(|i| group[i])
            .into_iter()
            .collect();
    }
    if group.iter().any(|s| s.routing.region.is_some()) {
        // The client's region when its set is healthy; else (no measurements) the first healthy.
        let mine = location.and_then(|l| l.region.as_ref());
        return (0..n)
            .filter(live)
            .find(|i| mine.is_some() && group[*i].routing.region.as_ref() == mine)
            .or_else(|| (0..n).find(live))
            .map(|i| group[i])
            .into_iter()
            .collect();
    }
    group
}

/// The lab controls of what routing goes by: `/__lab/health/*` (see [`Health::control`]) and
/// `/__lab/dns/client_location` (see [`crate::client_locations`]).
pub(crate) fn lab_control(
    health: &Health,
    sets: &DelegationSets,
    method: &str,
    path: &str,
    body: &[u8],
) -> Answer {
    if path.starts_with("/__lab/dns/") {
        sets.locations.control(method, path, body)
    } else {
        health.control(method, path, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::moto_api::Geo;
    use std::collections::HashSet;

    fn set(name: &str, id: &str, value: &str) -> Rrset {
        Rrset {
            set: RecordSet {
                name: name.into(),
                ty: "A".into(),
                set_id: Some(id.into()),
                ttl: Some(60),
                values: vec![value.into()],
                alias: None,
                failover: None,
                weight: None,
            },
            routing: Routing::default(),
        }
    }

    fn checked(mut s: Rrset, hc: &str) -> Rrset {
        s.routing.health_check_id = Some(hc.into());
        s
    }

    /// The values answered for `group` with the checks in `down` unhealthy.
    fn answer(group: &[Rrset], down: &[&str], rot: &Rotation) -> Vec<String> {
        let down: HashSet<&str> = down.iter().copied().collect();
        let health = |id: &str| !down.contains(id);
        let healthy = |s: &Rrset| set_healthy(group, "ex.test", s, &health);
        route(group.iter().collect(), &healthy, None, None, rot, "k")
            .iter()
            .map(|s| s.values[0].clone())
            .collect()
    }

    #[test]
    fn cidr_answers_the_clients_location_else_the_default() {
        let cidr = |loc: &str, value: &str, hc: &str| {
            let mut s = checked(set("c.ex.test", loc, value), hc);
            s.routing.cidr = Some(("coll".into(), loc.into()));
            s
        };
        let group = vec![
            cidr("east", "192.0.2.1", "he"),
            cidr("west", "192.0.2.2", "hw"),
            cidr("*", "192.0.2.9", "hd"),
        ];
        let rot = Rotation::default();
        let ask = |loc: Option<&str>, down: &[&str]| -> Vec<String> {
            let down: HashSet<&str> = down.iter().copied().collect();
            let health = |id: &str| !down.contains(id);
            let healthy = |s: &Rrset| set_healthy(&group, "ex.test", s, &health);
            route(group.iter().collect(), &healthy, None, loc, &rot, "c")
                .iter()
                .map(|s| s.values[0].clone())
                .collect()
        };
        assert_eq!(ask(Some("east"), &[]), ["192.0.2.1"]);
        assert_eq!(ask(Some("west"), &[]), ["192.0.2.2"]);
        assert_eq!(ask(None, &[]), ["192.0.2.9"], "in no location: the default");
        assert_eq!(
            ask(Some("north"), &[]),
            ["192.0.2.9"],
            "a location with no set"
        );
        assert_eq!(
            ask(Some("east"), &["he"]),
            ["192.0.2.9"],
            "its set unhealthy"
        );
        assert_eq!(
            ask(Some("east"), &["he", "hw", "hd"]),
            ["192.0.2.1"],
            "all unhealthy: all count as healthy"
        );
    }

    #[test]
    fn geoproximity_answers_the_nearest_after_bias() {
        let near = |id: &str, region: &str, bias: i32, hc: &str| {
            let mut s = checked(set("g.ex.test", id, id), hc);
            s.routing.geoproximity = Some(r53_zone::GeoProximity {
                aws_region: Some(region.into()),
                local_zone_group: None,
                coordinates: None,
                bias: Some(bias),
            });
            s
        };
        let rot = Rotation::default();
        // A client in Paris.
        let paris = Location {
            latitude: Some(48.86),
            longitude: Some(2.35),
            ..Default::default()
        };
        let ask = |group: &[Rrset], loc: Option<&Location>, down: &[&str]| -> Vec<String> {
            let down: HashSet<&str> = down.iter().copied().collect();
            let health = |id: &str| !down.contains(id);
            let healthy = |s: &Rrset| set_healthy(group, "ex.test", s, &health);
            route(group.iter().collect(), &healthy, loc, None, &rot, "g")
                .iter()
                .map(|s| s.values[0].clone())
                .collect()
        };
        let plain = [
            near("dublin", "eu-west-1", 0, "h1"),
            near("virginia", "us-east-1", 0, "h2"),
        ];
        assert_eq!(ask(&plain, Some(&paris), &[]), ["dublin"]);
        assert_eq!(
            ask(&plain, Some(&paris), &["h1"]),
            ["virginia"],
            "nearest unhealthy"
        );
        assert_eq!(
            ask(&plain, None, &[]),
            ["dublin"],
            "unplaced client: first healthy"
        );
        // Paris–Dublin ≈ 780 km, Paris–Virginia ≈ 6,200 km: a bias of 90 on Virginia (×0.1 ≈ 620)
        // draws Paris to it; −90 on Dublin (×1.9 ≈ 1,480) does not change that order alone.
        let biased = [
            near("dublin", "eu-west-1", 0, "h1"),
            near("virginia", "us-east-1", 90, "h2"),
        ];
        assert_eq!(ask(&biased, Some(&paris), &[]), ["virginia"]);
        let pushed = [
            near("dublin", "eu-west-1", -90, "h1"),
            near("virginia", "us-east-1", 0, "h2"),
        ];
        assert_eq!(ask(&pushed, Some(&paris), &[]), ["dublin"]);
    }

    fn failover(role: &str, s: Rrset) -> Rrset {
        let mut s = s;
        s.set.failover = Some(role.into());
        s
    }

    #[test]
    fn failover_answers_the_primary_while_healthy() {
        let rot = Rotation::default();
        let g = vec![
            failover("PRIMARY", checked(set("f.ex.test", "p", "192.0.2.1"), "hp")),
            failover(
                "SECONDARY",
                checked(set("f.ex.test", "s", "192.0.2.2"), "hs"),
            ),
        ];
        assert_eq!(answer(&g, &[], &rot), ["192.0.2.1"]);
        assert_eq!(answer(&g, &["hp"], &rot), ["192.0.2.2"]);
        assert_eq!(answer(&g, &["hs"], &rot), ["192.0.2.1"]);
        assert_eq!(
            answer(&g, &["hp", "hs"], &rot),
            ["192.0.2.1"],
            "all unhealthy: all count as healthy"
        );
        // A secondary without a check is healthy.
        let g = vec![
            failover("PRIMARY", checked(set("f.ex.test", "p", "192.0.2.1"), "hp")),
            failover("SECONDARY", set("f.ex.test", "s", "192.0.2.2")),
        ];
        assert_eq!(answer(&g, &["hp"], &rot), ["192.0.2.2"]);
    }

    fn weighted(id: &str, w: i64, value: &str) -> Rrset {
        let mut s = checked(set("w.ex.test", id, value), id);
        s.set.weight = Some(w);
        s
    }

    fn counts(g: &[Rrset], down: &[&str], n: usize, rot: &Rotation) -> Vec<(String, usize)> {
        let mut c: std::collections::BTreeMap<String, usize> = Default::default();
        for _ in 0..n {
            for v in answer(g, down, rot) {
                *c.entry(v).or_default() += 1;
            }
        }
        c.into_iter().collect()
    }

    #[test]
    fn weighted_answers_healthy_sets_in_exact_proportion() {
        let rot = Rotation::default();
        let g = vec![
            weighted("a", 1, "a"),
            weighted("b", 3, "b"),
            weighted("c", 4, "c"),
            weighted("z", 0, "z"),
        ];
        assert_eq!(
            counts(&g, &[], 80, &rot),
            [("a".into(), 10), ("b".into(), 30), ("c".into(), 40)]
        );
        // Any run of total-weight answers is exact, wherever it starts.
        answer(&g, &[], &rot);
        assert_eq!(
            counts(&g, &[], 8, &rot),
            [("a".into(), 1), ("b".into(), 3), ("c".into(), 4)]
        );
        assert_eq!(
            counts(&g, &["c"], 20, &rot),
            [("a".into(), 5), ("b".into(), 15)],
            "the unhealthy set never answers"
        );
        assert_eq!(
            counts(&g, &["a", "b", "c"], 6, &rot),
            [("z".into(), 6)],
            "weight 0 only when every other is down"
        );
        assert_eq!(
            counts(&g, &["a", "b", "c", "z"], 8, &rot),
            [("a".into(), 1), ("b".into(), 3), ("c".into(), 4)],
            "all down: all count as healthy"
        );
        let zeros = vec![weighted("x", 0, "x"), weighted("y", 0, "y")];
        assert_eq!(
            counts(&zeros, &[], 10, &rot),
            [("x".into(), 5), ("y".into(), 5)],
            "all zero: equal"
        );
    }

    #[test]
    fn multivalue_answers_up_to_eight_healthy_sets_rotating() {
        let rot = Rotation::default();
        let g: Vec<Rrset> = (0..10)
            .map(|i| {
                let mut s = set("m.ex.test", &format!("{i}"), &format!("192.0.2.{i}"));
                s.routing.multivalue = true;
                if i < 9 {
                    s.routing.health_check_id = Some(format!("h{i}"));
                }
                s
            })
            .collect();
        let a = answer(&g, &[], &rot);
        assert_eq!(a.len(), MAX_MULTIVALUE);
        let b = answer(&g, &[], &rot);
        assert_ne!(a, b, "rotated");
        let a = answer(&g, &["h0", "h1", "h2", "h3", "h4"], &rot);
        let mut sorted = a.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            [
                "192.0.2.5",
                "192.0.2.6",
                "192.0.2.7",
                "192.0.2.8",
                "192.0.2.9"
            ],
            "only the healthy; 9 has no check"
        );
        let all: Vec<String> = (0..9).map(|i| format!("h{i}")).collect();
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        assert_eq!(answer(&g, &all, &rot), ["192.0.2.9"]);
        let only_checked: Vec<Rrset> = g[..9].to_vec();
        assert_eq!(
            answer(&only_checked, &all, &rot).len(),
            MAX_MULTIVALUE,
            "none healthy: up to 8 unhealthy"
        );
    }

    #[test]
    fn aliases_inherit_their_targets_health() {
        let rot = Rotation::default();
        let mut sets = vec![
            failover("PRIMARY", set("app.ex.test", "p", "alias-p")),
            failover("SECONDARY", set("app.ex.test", "s", "192.0.2.99")),
            weighted("t1", 1, "192.0.2.1"),
            weighted("t2", 1, "192.0.2.2"),
        ];
        sets[0].set.alias = Some("w.ex.test".into());
        sets[0].routing.evaluate_target_health = true;
        sets[2].set.name = "w.ex.test".into();
        sets[3].set.name = "w.ex.test".into();
        let run = |sets: &[Rrset], down: &[&str]| {
            let down: HashSet<String> = down.iter().map(|s| s.to_string()).collect();
            let health = |id: &str| !down.contains(id);
            let healthy = |s: &Rrset| set_healthy(sets, "ex.test", s, &health);
            let group: Vec<&Rrset> = sets.iter().filter(|s| s.name == "app.ex.test").collect();
            route(group, &healthy, None, None, &rot, "app")
                .iter()
                .map(|s| s.values[0].clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(&sets, &[]), ["alias-p"]);
        assert_eq!(
            run(&sets, &["t1"]),
            ["alias-p"],
            "one target member is enough"
        );
        assert_eq!(run(&sets, &["t1", "t2"]), ["192.0.2.99"]);
        // Without evaluate_target_health the alias stays healthy.
        sets[0].routing.evaluate_target_health = false;
        assert_eq!(run(&sets, &["t1", "t2"]), ["alias-p"]);
    }

    #[test]
    fn plain_geo_and_latency_groups() {
        let rot = Rotation::default();
        let mut plain = set("p.ex.test", "x", "192.0.2.1");
        plain.set.set_id = None;
        assert_eq!(answer(&[plain], &[], &rot), ["192.0.2.1"]);
        let geo = |country: &str, id: &str, v: &str| {
            let mut s = checked(set("g.ex.test", id, v), id);
            s.routing.geo = Some(Geo {
                continent: None,
                country: Some(country.into()),
                subdivision: None,
            });
            s
        };
        let g = vec![geo("GB", "gb", "192.0.2.1"), geo("*", "any", "192.0.2.2")];
        assert_eq!(answer(&g, &[], &rot), ["192.0.2.2"]);
        assert!(answer(&g, &["any"], &rot).is_empty(), "the default is down");

        // A located client: subdivision, country, continent, `*`, skipping unhealthy sets.
        let mut ca = geo("US", "ca", "192.0.2.10");
        ca.routing.geo.as_mut().unwrap().subdivision = Some("CA".into());
        let mut eu = geo("", "eu", "192.0.2.30");
        eu.routing.geo = Some(Geo {
            continent: Some("EU".into()),
            country: None,
            subdivision: None,
        });
        let g = vec![
            ca,
            geo("US", "us", "192.0.2.20"),
            eu,
            geo("*", "any", "192.0.2.40"),
        ];
        let at = |continent: &str, country: &str, sub: Option<&str>, down: &[&str]| {
            let loc = Location {
                region: None,
                continent: Some(continent.into()),
                country: Some(country.into()),
                subdivision: sub.map(Into::into),
                ..Default::default()
            };
            let down: HashSet<&str> = down.iter().copied().collect();
            let health = |id: &str| !down.contains(id);
            let healthy = |s: &Rrset| set_healthy(&g, "ex.test", s, &health);
            route(g.iter().collect(), &healthy, Some(&loc), None, &rot, "g")
                .iter()
                .map(|s| s.values[0].clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(at("NA", "US", Some("CA"), &[]), ["192.0.2.10"]);
        assert_eq!(at("NA", "US", Some("CA"), &["ca"]), ["192.0.2.20"]);
        assert_eq!(at("NA", "US", Some("NY"), &[]), ["192.0.2.20"]);
        assert_eq!(at("EU", "DE", None, &[]), ["192.0.2.30"]);
        assert_eq!(at("EU", "DE", None, &["eu"]), ["192.0.2.40"]);
        assert_eq!(at("AS", "JP", None, &[]), ["192.0.2.40"]);
        let lat = |region: &str, id: &str, v: &str| {
            let mut s = checked(set("l.ex.test", id, v), id);
            s.routing.region = Some(region.into());
            s
        };
        let g = vec![
            lat("us-east-1", "use", "192.0.2.1"),
            lat("eu-west-1", "euw", "192.0.2.2"),
        ];
        assert_eq!(answer(&g, &[], &rot), ["192.0.2.1"]);
        assert_eq!(answer(&g, &["use"], &rot), ["192.0.2.2"]);
        let near = |region: &str, down: &[&str]| {
            let loc = Location {
                region: Some(region.into()),
                ..Default::default()
            };
            let down: HashSet<&str> = down.iter().copied().collect();
            let health = |id: &str| !down.contains(id);
            let healthy = |s: &Rrset| set_healthy(&g, "ex.test", s, &health);
            route(g.iter().collect(), &healthy, Some(&loc), None, &rot, "l")
                .iter()
                .map(|s| s.values[0].clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(near("eu-west-1", &[]), ["192.0.2.2"]);
        assert_eq!(near("eu-west-1", &["euw"]), ["192.0.2.1"]);
        assert_eq!(near("sa-east-1", &[]), ["192.0.2.1"]);
    }
}
