//! `r53_cidr_collection`: a CIDR collection for IP-based routing, its locations and their CIDR
//! blocks, all in one resource (the `location` blocks are authoritative).

use async_trait::async_trait;

use r53_core::route53::{new_cidr_caller_reference, CidrCollectionInfo, CidrLocations};
use r53_plugin::framework::Failure;
use r53_plugin::schema::Schema;
use r53_plugin::{Ctx, Diagnostic, Diagnostics, Field, Resource, Set, Value};
use r53_zone::cidr::{
    canonical_block, valid_collection_name, valid_location_name, MAX_LOCATION_CHARS, MAX_NAME_CHARS,
};

use crate::common::*;
use crate::meta::Meta;

pub(crate) const TYPE_NAME: &str = "r53_cidr_collection";

/// Route 53's default quota of CIDR blocks in one collection.
pub const MAX_BLOCKS: usize = 1000;

pub(crate) struct CidrCollectionResource;

r53_plugin::model! {
    /// A `location` block of `r53_cidr_collection`.
    pub struct Location / LocationAttrs {
        description: "A location of the collection: a name record sets route by and the client networks it stands for.";
        attributes {
            name: String [required]
                "The location's name (1 to 16 letters, digits, `_` and `-`), as `cidr_routing_policy.location_name` names it.",
            cidr_blocks: Set<String> [required]
                "The location's CIDR blocks, at least one: IPv4 up to /24, IPv6 up to /48, with no host bits set \
                 (`192.0.2.0/24`, `2001:db8::/48`). A block belongs to one location of the collection.",
        }
    }
}

r53_plugin::model! {
    /// The configuration and state of `r53_cidr_collection`.
    pub struct CidrCollectionModel / CidrCollectionAttrs {
        description: "A CIDR collection: named locations, each a set of client networks (CIDR blocks), for IP-based \
             routing — record sets with `cidr_routing_policy` answer the clients of their location, and the one at \
             location `\"*\"` everyone else. The `location` blocks are the whole collection: locations and blocks not \
             declared are removed. Every change is one ChangeCidrCollection request carrying the collection's version, \
             so a location is never half-changed and a concurrent change is not overwritten blindly. Route 53 refuses \
             to remove a location record sets still use (change those record sets first).";
        attributes {
            id: String [computed] "The collection's ID.",
            arn: String [computed] "The collection's ARN.",
            name: String [required, force_new]
                "The collection's name (1 to 64 letters, digits, `_` and `-`), unique in the account. Changing it replaces the collection.",
            version: i64 [computed] "The collection's version: 1 at creation, one more for every change.",
        }
        blocks {
            location: Set<Location> [0, 0],
        }
    }
}

pub fn schema() -> Schema {
    Schema::new(0, CidrCollectionModel::block())
}

/// The configured locations with their blocks in canonical form; None while anything is unknown
/// or a block is not one Route 53 takes (validate reports those).
fn locations_of(m: &CidrCollectionModel) -> Option<CidrLocations> {
    let mut out = CidrLocations::new();
    for l in m.location.known()?.0.iter() {
        let name = l.name.string()?;
        let blocks = l.cidr_blocks.known()?;
        let set = out.entry(name).or_default();
        for b in &blocks.0 {
            set.insert(canonical_block(b).ok()?);
        }
    }
    Some(out)
}

/// Every problem with the configured locations, as (summary, detail).
fn location_problems(m: &CidrCollectionModel) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    let mut owner: std::collections::BTreeMap<String, String> = Default::default();
    let mut total = 0usize;
    for l in m.location.items() {
        let name = l.name.as_str();
        if let Some(n) = name {
            if !valid_location_name(n) {
                out.push(("Invalid location name", format!("{n:?} must be 1 to {MAX_LOCATION_CHARS} letters, digits, _ and - (\"*\" is only for record sets, meaning every other client)")));
            }
            if !names.insert(n.to_string()) {
                out.push((
                    "Duplicate location",
                    format!("location {n:?} is declared twice; give each location one block"),
                ));
            }
        }
        let label = name.unwrap_or("(unknown)");
        let Some(blocks) = l.cidr_blocks.known() else {
            continue;
        };
        if blocks.0.is_empty() {
            out.push((
                "Empty location",
                format!("location {label:?} has no CIDR block; a location exists only with at least one (remove the block to remove the location)"),
            ));
        }
        total += blocks.0.len();
        for b in &blocks.0 {
            match canonical_block(b) {
                Err(e) => out.push(("Invalid CIDR block", format!("location {label:?}: {e}"))),
                Ok(c) => {
                    if let Some(other) = owner.insert(c.clone(), label.to_string()) {
                        if other != label {
                            out.push((
                                "CIDR block in two locations",
                                format!("{c} is in location {other:?} and location {label:?}; a block belongs to one location"),
                            ));
                        }
                    }
                }
            }
        }
    }
    if total > MAX_BLOCKS {
        out.push((
            "Too many CIDR blocks",
            format!("the collection has {total} CIDR blocks; Route 53 allows {MAX_BLOCKS} per collection"),
        ));
    }
    out
}

/// State from what Route 53 has, keeping the configuration's spelling of a block where it is
/// the same network (`2001:DB8::/32` and `2001:db8::/32`).
fn state_of(c: &CidrCollectionInfo, base: &CidrCollectionModel) -> CidrCollectionModel {
    let spelled: std::collections::BTreeMap<(String, String), String> = base
        .location
        .items()
        .iter()
        .filter_map(|l| Some((l.name.string()?, l.cidr_blocks.known()?.0.clone())))
        .flat_map(|(n, bs)| {
            bs.into_iter()
                .filter_map(move |b| Some(((n.clone(), canonical_block(&b).ok()?), b)))
        })
        .collect();
    CidrCollectionModel {
        id: Field::Known(c.id.clone()),
        arn: Field::Known(c.arn.clone()),
        name: Field::Known(c.name.clone()),
        version: Field::Known(c.version),
        location: Field::Known(Set(c
            .locations
            .iter()
            .map(|(name, blocks)| Location {
                name: Field::Known(name.clone()),
                cidr_blocks: Field::Known(Set(blocks
                    .iter()
                    .map(|b| {
                        spelled
                            .get(&(name.clone(), b.clone()))
                            .cloned()
                            .unwrap_or_else(|| b.clone())
                    })
                    .collect())),
            })
            .collect())),
    }
}

/// A failed change as a diagnostic; a location still in use is explained, not just coded.
fn change_diag(id: &str, removed: &[String], e: &r53_core::Error) -> Diagnostic {
    match e.code() {
        Some("CidrBlockInUseException") => Diagnostic::error(
            format!("Cannot change CIDR collection {id}"),
            format!(
                "Route 53 refused the change, and changed nothing: a location record sets still use cannot lose its last \
                 CIDR block{}. Change or remove the record sets with that cidr_routing_policy first (or keep the location). \
                 Route 53 said: {e}",
                if removed.is_empty() {
                    String::new()
                } else {
                    format!(" (removed here: {})", removed.join(", "))
                }
            ),
        ),
        _ => api_diag(&format!("Changing CIDR collection {id}"), e),
    }
}

#[async_trait]
impl Resource<Meta> for CidrCollectionResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn identity(&self) -> Option<r53_plugin::Identity> {
        Some(r53_plugin::Identity::new(vec![
            r53_plugin::IdentityAttr::required("id", "The CIDR collection's ID."),
        ]))
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let m = match CidrCollectionModel::from_value(config) {
            Ok(m) => m,
            Err(e) => return e,
        };
        let a = CidrCollectionModel::ATTR;
        let mut d = Diagnostics::new();
        if let Some(n) = m.name.as_str() {
            if !valid_collection_name(n) {
                d.error_at(
                    at(a.name),
                    "Invalid name",
                    format!("{n:?} must be 1 to {MAX_NAME_CHARS} letters, digits, _ and -"),
                );
            }
        }
        for (summary, detail) in location_problems(&m) {
            d.error_at(at(a.location), summary, detail);
        }
        d
    }

    /// The same networks in another spelling plan nothing: the prior spelling is kept.
    fn keep_prior_form(&self, prior: &Value, planned: &mut Value) -> bool {
        let a = CidrCollectionModel::ATTR;
        if prior.is_null() || planned.is_null() || prior.get(a.location) == planned.get(a.location)
        {
            return false;
        }
        let Ok((p, n)) = CidrCollectionModel::from_values(prior, planned) else {
            return false;
        };
        match (locations_of(&p), locations_of(&n)) {
            (Some(x), Some(y)) if x == y => {
                planned.set(a.location, prior.get(a.location).clone());
                true
            }
            _ => false,
        }
    }

    /// ID and ARN never change; the version does with every change of the locations.
    fn modify_plan(&self, prior: &Value, planned: &mut Value, _d: &mut Diagnostics) {
        if prior.is_null() || planned.is_null() {
            return;
        }
        let a = CidrCollectionModel::ATTR;
        for name in [a.id, a.arn] {
            planned.set(name, prior.get(name).clone());
        }
        let same = CidrCollectionModel::from_values(prior, planned)
            .ok()
            .and_then(|(p, n)| Some(locations_of(&p)? == locations_of(&n)?))
            .unwrap_or(false);
        planned.set(
            a.version,
            if same {
                prior.get(a.version).clone()
            } else {
                Value::Unknown
            },
        );
    }

    async fn create(&self, meta: &Meta, ctx: &Ctx, planned: Value) -> Result<Value, Failure> {
        let m = CidrCollectionModel::from_value(&planned)?;
        let name = m.name.string().unwrap_or_default();
        let want = locations_of(&m).ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Invalid CIDR collection",
                "the locations are not known or not valid",
            ))
        })?;
        let c = call(ctx, CREATE_TIMEOUT);
        let r53 = &meta.aws.route53;
        let made = r53
            .create_cidr_collection(&c, &name, &new_cidr_caller_reference(&name))
            .await
            .map_err(|e| api_diag(&format!("Creating CIDR collection {name}"), &e))?;
        tracing::info!(id = %made.id, %name, "created CIDR collection");
        match r53.change_cidr_collection(&c, &made, &want).await {
            Ok(done) => Ok(state_of(&done, &m).to_value()),
            // The collection exists: keep it in state (tainted) rather than lose track of it.
            Err(e) => Err(Failure::with_partial(
                change_diag(&made.id, &[], &e),
                state_of(&made, &m).to_value(),
            )),
        }
    }

    async fn read(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let m = CidrCollectionModel::from_value(state)?;
        let id = m.id.string().unwrap_or_default();
        let found = meta
            .aws
            .route53
            .find_cidr_collection(&call(ctx, READ_TIMEOUT), &id)
            .await;
        Ok(
            unless_gone(found, || format!("Reading CIDR collection {id}"))?
                .map(|c| state_of(&c, &m).to_value()),
        )
    }

    async fn update(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
        planned: Value,
    ) -> Result<Value, Failure> {
        let (p, n) = CidrCollectionModel::from_values(prior, &planned)?;
        let id = p.id.string().unwrap_or_default();
        let want = locations_of(&n).ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Invalid CIDR collection",
                "the locations are not known or not valid",
            ))
        })?;
        let removed: Vec<String> = locations_of(&p)
            .unwrap_or_default()
            .into_keys()
            .filter(|l| !want.contains_key(l))
            .collect();
        let c = call(ctx, CREATE_TIMEOUT);
        let r53 = &meta.aws.route53;
        // The collection as it is now: the change starts from it and carries its version.
        let seen = r53
            .find_cidr_collection(&c, &id)
            .await
            .map_err(|e| api_diag(&format!("Reading CIDR collection {id}"), &e))?;
        let done = r53
            .change_cidr_collection(&c, &seen, &want)
            .await
            .map_err(|e| change_diag(&id, &removed, &e))?;
        Ok(state_of(&done, &n).to_value())
    }

    async fn delete(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
    ) -> Result<Diagnostics, Diagnostics> {
        let m = CidrCollectionModel::from_value(prior)?;
        let id = m.id.string().unwrap_or_default();
        meta.aws
            .route53
            .delete_cidr_collection(&call(ctx, DELETE_TIMEOUT), &id)
            .await
            .map_err(|e| match e.code() {
                Some("CidrBlockInUseException" | "CidrCollectionInUseException") => {
                    Diagnostic::error(
                        format!("Cannot delete CIDR collection {id}"),
                        format!("record sets still route by its locations; delete or change them first. Route 53 said: {e}"),
                    )
                }
                _ => api_diag(&format!("Deleting CIDR collection {id}"), &e),
            })?;
        Ok(Diagnostics::new())
    }

    async fn import(&self, meta: &Meta, ctx: &Ctx, id: &str) -> Result<Value, Diagnostics> {
        let id = id.trim();
        match meta
            .aws
            .route53
            .find_cidr_collection(&call(ctx, READ_TIMEOUT), id)
            .await
        {
            Ok(c) => Ok(state_of(&c, &CidrCollectionModel::default()).to_value()),
            Err(e) if e.is_not_found() => Err(Diagnostic::error(
                "Cannot import CIDR collection",
                format!("no CIDR collection with ID {id:?} exists"),
            )
            .into()),
            Err(e) => Err(api_diag("Importing CIDR collection", &e).into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(name: &str, locs: &[(&str, &[&str])]) -> CidrCollectionModel {
        CidrCollectionModel {
            name: name.into(),
            location: Field::Known(Set(locs
                .iter()
                .map(|(n, bs)| Location {
                    name: (*n).into(),
                    cidr_blocks: Field::Known(Set(bs.iter().map(|b| b.to_string()).collect())),
                })
                .collect())),
            ..Default::default()
        }
    }

    fn problems(m: &CidrCollectionModel) -> Vec<String> {
        CidrCollectionResource
            .validate(&m.to_value())
            .0
            .iter()
            .map(|d| format!("{d:?}"))
            .collect()
    }

    #[test]
    fn validate_points_at_the_attribute_without_a_call() {
        assert!(problems(&model(
            "ok_1",
            &[("a", &["10.0.0.0/8"]), ("b", &["2001:db8::/32"])]
        ))
        .is_empty());
        let bad_name = problems(&model("no.dots", &[]));
        assert_eq!(bad_name.len(), 1);
        assert!(
            bad_name[0].contains("Invalid name") && bad_name[0].contains("\"name\""),
            "{bad_name:?}"
        );
        for (m, want) in [
            (model("c", &[("a", &["10.0.0.1/8"])]), "host bits"),
            (model("c", &[("a", &["10.0.0.0/25"])]), "at most /24"),
            (
                model("c", &[("*", &["10.0.0.0/8"])]),
                "Invalid location name",
            ),
            (model("c", &[("a", &[])]), "Empty location"),
            (
                model("c", &[("a", &["10.0.0.0/8"]), ("a", &["11.0.0.0/8"])]),
                "Duplicate location",
            ),
            (
                model("c", &[("a", &["10.0.0.0/8"]), ("b", &["10.0.0.0/8"])]),
                "two locations",
            ),
        ] {
            let p = problems(&m);
            assert!(
                p.iter()
                    .any(|d| d.contains(want) && d.contains("\"location\"")),
                "{want}: {p:?}"
            );
        }
        // Unknown values wait.
        let mut v = model("c", &[]).to_value();
        v.set("name", Value::Unknown);
        assert!(CidrCollectionResource.validate(&v).is_empty());
    }

    #[test]
    fn respelled_blocks_plan_nothing_and_changes_plan_a_new_version() {
        let info = CidrCollectionInfo {
            id: "c-1".into(),
            arn: "arn:aws:route53:::cidrcollection/c-1".into(),
            name: "c".into(),
            version: 3,
            locations: [("a".to_string(), ["2001:db8::/32".to_string()].into())].into(),
        };
        let prior = state_of(&info, &model("c", &[("a", &["2001:DB8::/32"])]));
        assert_eq!(
            prior.location.items()[0].cidr_blocks.known().unwrap().0,
            vec!["2001:DB8::/32".to_string()]
        );
        let prior = prior.to_value();
        let mut planned = model("c", &[("a", &["2001:db8:0::/32"])]).to_value();
        assert!(CidrCollectionResource.keep_prior_form(&prior, &mut planned));
        let mut d = Diagnostics::new();
        CidrCollectionResource.modify_plan(&prior, &mut planned, &mut d);
        assert_eq!(planned, prior);
        let mut changed = model("c", &[("a", &["2001:db8::/32", "10.0.0.0/8"])]).to_value();
        assert!(!CidrCollectionResource.keep_prior_form(&prior, &mut changed));
        CidrCollectionResource.modify_plan(&prior, &mut changed, &mut d);
        assert_eq!(changed.get("version"), &Value::Unknown);
        assert_eq!(changed.get("id"), prior.get("id"));
    }
}
