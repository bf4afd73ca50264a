//! Route 53 CIDR collections (IP-based routing): create (idempotent by CallerReference), find →
//! typed NotFound, change by CollectionVersion (a concurrent change is re-read and only what
//! still differs from the plan is sent), delete (emptied first: Route 53 deletes only empty
//! collections), and the paged location and block listings. Locations are a map of location
//! name → canonical blocks (`r53_zone::cidr`).

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_route53 as r53;
use r53::types as t;

use super::{Call, Route53};
use crate::error::{Error, Result};

/// Longest CallerReference Route 53 accepts for a collection.
pub const MAX_CIDR_CALLER_REFERENCE: usize = 64;
/// The most blocks one ChangeCidrCollection request carries.
pub const MAX_BLOCKS_PER_CHANGE: usize = 1000;
/// A concurrent writer that keeps changing the collection: give up after this many conflicts.
const MAX_VERSION_RETRIES: usize = 5;
/// Pages of a listing read before giving up (a listing that never ends is a broken endpoint).
const MAX_PAGES: usize = 1000;

/// Location name → its blocks (canonical form).
pub type CidrLocations = BTreeMap<String, BTreeSet<String>>;

/// A CIDR collection as Route 53 has it, with every location's blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CidrCollectionInfo {
    pub id: String,
    pub arn: String,
    pub name: String,
    /// CollectionVersion: 1 at create, +1 per change.
    pub version: i64,
    pub locations: CidrLocations,
}

/// One ChangeCidrCollection change, without SDK types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CidrChange {
    pub location: String,
    /// PUT (true) or DELETE_IF_EXISTS (false).
    pub put: bool,
    pub blocks: Vec<String>,
}

/// The changes that turn `current` into `planned`: per location, the blocks to remove and
/// the blocks to add (a location planned without blocks is removed). Removals come first, so a
/// block moving between locations leaves one before it joins the other.
pub fn cidr_changes(current: &CidrLocations, planned: &CidrLocations) -> Vec<CidrChange> {
    let empty = BTreeSet::new();
    let names: BTreeSet<&String> = current.keys().chain(planned.keys()).collect();
    let mut removals = Vec::new();
    let mut puts = Vec::new();
    for name in names {
        let have = current.get(name).unwrap_or(&empty);
        let want = planned.get(name).unwrap_or(&empty);
        let gone: Vec<String> = have.difference(want).cloned().collect();
        let new: Vec<String> = want.difference(have).cloned().collect();
        if !gone.is_empty() {
            removals.push(CidrChange {
                location: name.clone(),
                put: false,
                blocks: gone,
            });
        }
        if !new.is_empty() {
            puts.push(CidrChange {
                location: name.clone(),
                put: true,
                blocks: new,
            });
        }
    }
    removals.extend(puts);
    removals
}

/// The changes in requests of at most [`MAX_BLOCKS_PER_CHANGE`] blocks (a change larger than
/// that is split across requests).
fn batches(changes: Vec<CidrChange>) -> Vec<Vec<CidrChange>> {
    let mut out: Vec<Vec<CidrChange>> = vec![Vec::new()];
    let mut room = MAX_BLOCKS_PER_CHANGE;
    for c in changes {
        let mut rest = c.blocks.as_slice();
        while !rest.is_empty() {
            if room == 0 {
                out.push(Vec::new());
                room = MAX_BLOCKS_PER_CHANGE;
            }
            let (now, later) = rest.split_at(rest.len().min(room));
            room -= now.len();
            if let Some(batch) = out.last_mut() {
                batch.push(CidrChange {
                    location: c.location.clone(),
                    put: c.put,
                    blocks: now.to_vec(),
                });
            }
            rest = later;
        }
    }
    out.retain(|b| !b.is_empty());
    out
}

/// A new CallerReference for a collection named `name`: the name and a nonce, unique per create
/// (cut to Route 53's limit).
pub fn new_cidr_caller_reference(name: &str) -> String {
    let nonce = format!("{:016x}", rand::random::<u64>());
    let keep = MAX_CIDR_CALLER_REFERENCE - nonce.len() - 1;
    let prefix: String = name.chars().filter(char::is_ascii).take(keep).collect();
    format!("{prefix}:{nonce}")
}

fn not_found(id: &str) -> Error {
    Error::NotFound {
        what: format!("CIDR collection {id}"),
    }
}

fn change_to_sdk(c: &CidrChange) -> Result<t::CidrCollectionChange> {
    t::CidrCollectionChange::builder()
        .location_name(&c.location)
        .action(if c.put {
            t::CidrCollectionChangeAction::Put
        } else {
            t::CidrCollectionChangeAction::DeleteIfExists
        })
        .set_cidr_list(Some(c.blocks.clone()))
        .build()
        .map_err(|e| Error::Invalid(format!("CIDR change for location {}: {e}", c.location)))
}

impl Route53 {
    /// Creates an empty collection. A retry of a request that went through returns the
    /// collection it made (Route 53 answers the same CallerReference and name with it).
    pub async fn create_cidr_collection(
        &self,
        call: &Call,
        name: &str,
        caller_reference: &str,
    ) -> Result<CidrCollectionInfo> {
        if caller_reference.is_empty() || caller_reference.len() > MAX_CIDR_CALLER_REFERENCE {
            return Err(Error::Invalid(format!(
                "a CIDR collection's caller reference must be 1 to {MAX_CIDR_CALLER_REFERENCE} characters, not {}",
                caller_reference.len()
            )));
        }
        let o = call
            .send("CreateCidrCollection", &self.policy, || {
                self.client
                    .create_cidr_collection()
                    .name(name)
                    .caller_reference(caller_reference)
                    .send()
            })
            .await
            .result?;
        let c = o
            .collection()
            .ok_or_else(|| Error::Invalid("CreateCidrCollection returned no collection".into()))?;
        Ok(CidrCollectionInfo {
            id: c.id().unwrap_or_default().to_string(),
            arn: c.arn().unwrap_or_default().to_string(),
            name: c.name().unwrap_or(name).to_string(),
            version: c.version().unwrap_or(1),
            locations: BTreeMap::new(),
        })
    }

    /// The collection with every location's blocks, or [`Error::NotFound`]. Route 53 has no
    /// GetCidrCollection: the collection is found in the listing, its blocks read after.
    pub async fn find_cidr_collection(&self, call: &Call, id: &str) -> Result<CidrCollectionInfo> {
        let mut token: Option<String> = None;
        let mut found = None;
        for _ in 0..MAX_PAGES {
            let o = call
                .send("ListCidrCollections", &self.policy, || {
                    self.client
                        .list_cidr_collections()
                        .set_next_token(token.clone())
                        .send()
                })
                .await
                .result?;
            found = o
                .cidr_collections()
                .iter()
                .find(|c| c.id() == Some(id))
                .cloned();
            token = o.next_token().map(str::to_string);
            if found.is_some() || token.is_none() {
                break;
            }
        }
        let c = found.ok_or_else(|| not_found(id))?;
        let mut locations = CidrLocations::new();
        for (location, block) in self.cidr_blocks(call, id, None).await? {
            locations.entry(location).or_default().insert(block);
        }
        Ok(CidrCollectionInfo {
            id: id.to_string(),
            arn: c.arn().unwrap_or_default().to_string(),
            name: c.name().unwrap_or_default().to_string(),
            version: c.version().unwrap_or(1),
            locations,
        })
    }

    /// The collection's location names, every page.
    pub async fn cidr_locations(&self, call: &Call, id: &str) -> Result<Vec<String>> {
        let mut token: Option<String> = None;
        let mut out = Vec::new();
        for _ in 0..MAX_PAGES {
            let r = call
                .send("ListCidrLocations", &self.policy, || {
                    self.client
                        .list_cidr_locations()
                        .collection_id(id)
                        .set_next_token(token.clone())
                        .send()
                })
                .await
                .result;
            let o = match r {
                Err(Error::Api { code, .. }) if code == "NoSuchCidrCollectionException" => {
                    return Err(not_found(id))
                }
                r => r?,
            };
            out.extend(
                o.cidr_locations()
                    .iter()
                    .filter_map(|l| l.location_name().map(str::to_string)),
            );
            token = o.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(out);
            }
        }
        Err(Error::Invalid(format!(
            "ListCidrLocations of {id} did not end after {MAX_PAGES} pages"
        )))
    }

    /// (location, block) of the collection (of one location when given), every page.
    pub async fn cidr_blocks(
        &self,
        call: &Call,
        id: &str,
        location: Option<&str>,
    ) -> Result<Vec<(String, String)>> {
        let mut token: Option<String> = None;
        let mut out = Vec::new();
        for _ in 0..MAX_PAGES {
            let r = call
                .send("ListCidrBlocks", &self.policy, || {
                    self.client
                        .list_cidr_blocks()
                        .collection_id(id)
                        .set_location_name(location.map(str::to_string))
                        .set_next_token(token.clone())
                        .send()
                })
                .await
                .result;
            let o = match r {
                Err(Error::Api { code, .. }) if code == "NoSuchCidrCollectionException" => {
                    return Err(not_found(id))
                }
                r => r?,
            };
            out.extend(o.cidr_blocks().iter().filter_map(|b| {
                Some((b.location_name()?.to_string(), b.cidr_block()?.to_string()))
            }));
            token = o.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(out);
            }
        }
        Err(Error::Invalid(format!(
            "ListCidrBlocks of {id} did not end after {MAX_PAGES} pages"
        )))
    }

    /// Turns the collection's locations into `planned`, starting from `seen` (as last read).
    /// When someone else changed it since (a version conflict) it is read again and only what
    /// still differs from `planned` is sent. The collection as it ends up.
    pub async fn change_cidr_collection(
        &self,
        call: &Call,
        seen: &CidrCollectionInfo,
        planned: &CidrLocations,
    ) -> Result<CidrCollectionInfo> {
        let mut current = seen.clone();
        for _ in 0..MAX_VERSION_RETRIES {
            let changes = cidr_changes(&current.locations, planned);
            if changes.is_empty() {
                return Ok(current);
            }
            match self.send_cidr_changes(call, &current, changes).await {
                Ok(version) => {
                    return Ok(CidrCollectionInfo {
                        version,
                        locations: planned.clone(),
                        ..current
                    })
                }
                Err(Error::Api { code, .. })
                    if code == "CidrCollectionVersionMismatchException" =>
                {
                    current = self.find_cidr_collection(call, &current.id).await?;
                }
                Err(e) => return Err(e),
            }
        }
        Err(Error::Invalid(format!(
            "CIDR collection {} kept changing while it was being updated ({MAX_VERSION_RETRIES} version conflicts); try again",
            seen.id
        )))
    }

    /// Sends the changes (in as few requests as the per-request limit allows), each with the
    /// version it expects; the version after.
    async fn send_cidr_changes(
        &self,
        call: &Call,
        current: &CidrCollectionInfo,
        changes: Vec<CidrChange>,
    ) -> Result<i64> {
        let mut version = current.version;
        for batch in batches(changes) {
            let sdk = batch
                .iter()
                .map(change_to_sdk)
                .collect::<Result<Vec<_>>>()?;
            let r = call
                .send("ChangeCidrCollection", &self.policy, || {
                    self.client
                        .change_cidr_collection()
                        .id(&current.id)
                        .collection_version(version)
                        .set_changes(Some(sdk.clone()))
                        .send()
                })
                .await
                .result;
            match r {
                Ok(_) => version += 1,
                Err(Error::Api { code, .. }) if code == "NoSuchCidrCollectionException" => {
                    return Err(not_found(&current.id))
                }
                Err(e) => return Err(e),
            }
        }
        Ok(version)
    }

    /// Empties the collection (Route 53 deletes only empty ones), then deletes it; one already
    /// gone is not an error (a retry, or deleted out of band).
    pub async fn delete_cidr_collection(&self, call: &Call, id: &str) -> Result<()> {
        let current = match self.find_cidr_collection(call, id).await {
            Ok(c) => c,
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e),
        };
        if !current.locations.is_empty() {
            match self
                .change_cidr_collection(call, &current, &CidrLocations::new())
                .await
            {
                Ok(_) => {}
                Err(e) if e.is_not_found() => return Ok(()),
                Err(e) => return Err(e),
            }
        }
        let out = call
            .send("DeleteCidrCollection", &self.policy, || {
                self.client.delete_cidr_collection().id(id).send()
            })
            .await;
        match out.result {
            Ok(_) => Ok(()),
            Err(Error::Api { code, .. }) if code == "NoSuchCidrCollectionException" => Ok(()),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locs(v: &[(&str, &[&str])]) -> CidrLocations {
        v.iter()
            .map(|(l, bs)| (l.to_string(), bs.iter().map(|b| b.to_string()).collect()))
            .collect()
    }

    #[test]
    fn changes_remove_first_then_add_and_skip_what_is_equal() {
        let have = locs(&[("a", &["10.0.0.0/8", "11.0.0.0/8"]), ("b", &["12.0.0.0/8"])]);
        let want = locs(&[("a", &["10.0.0.0/8"]), ("c", &["11.0.0.0/8"])]);
        let c = cidr_changes(&have, &want);
        let short: Vec<(&str, bool, Vec<&str>)> = c
            .iter()
            .map(|c| {
                (
                    c.location.as_str(),
                    c.put,
                    c.blocks.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            short,
            vec![
                ("a", false, vec!["11.0.0.0/8"]),
                ("b", false, vec!["12.0.0.0/8"]),
                ("c", true, vec!["11.0.0.0/8"]),
            ]
        );
        assert!(cidr_changes(&want, &want).is_empty());
    }

    #[test]
    fn large_changes_are_split_at_the_request_limit() {
        let blocks: Vec<String> = (0..2500)
            .map(|n| format!("10.{}.{}.0/24", n / 256, n % 256))
            .collect();
        let changes = vec![
            CidrChange {
                location: "a".into(),
                put: false,
                blocks: blocks[..700].to_vec(),
            },
            CidrChange {
                location: "b".into(),
                put: true,
                blocks: blocks[700..].to_vec(),
            },
        ];
        let b = batches(changes);
        let sizes: Vec<usize> = b
            .iter()
            .map(|r| r.iter().map(|c| c.blocks.len()).sum())
            .collect();
        assert_eq!(sizes, vec![1000, 1000, 500]);
        assert_eq!(b[0].len(), 2);
        assert!(batches(Vec::new()).is_empty());
    }

    #[test]
    fn caller_references_fit_and_differ() {
        let a = new_cidr_caller_reference(&"n".repeat(64));
        assert!(a.len() <= MAX_CIDR_CALLER_REFERENCE, "{a}");
        assert_ne!(
            new_cidr_caller_reference("x"),
            new_cidr_caller_reference("x")
        );
    }
}
