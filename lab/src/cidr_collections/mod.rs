//! Route 53's CIDR collections (IP-based routing), answered by the lab on the real REST/XML API:
//! moto 5.2.5 has none of it (404), and it silently drops `CidrRoutingConfig` and
//! `GeoProximityLocation` from the record sets it stores. So the lab keeps the collections here,
//! and keeps each record set's CIDR or geoproximity routing beside moto's copy (per zone, name,
//! type and set identifier), written when moto accepted the batch and put back into the
//! `ListResourceRecordSets` answers.
//!
//! Rules (the API reference's shapes and errors): collection names 1–64 of `[0-9A-Za-z_-]`,
//! location names 1–16 of the same (`*`, the default location, only in record sets), a
//! CallerReference makes one collection ever, `CollectionVersion` must be the current one
//! (`CidrCollectionVersionMismatchException`), a CIDR block is in at most one location of a
//! collection, a location record sets use cannot lose its last block (`CidrBlockInUseException`),
//! only an empty collection no record set uses can be deleted (`CidrCollectionInUseException`).
//! Blocks are IPv4 up to /24 and IPv6 up to /48, with no host bits set, and are written in their
//! canonical form (lower-case compressed IPv6). The lab keeps one account's worth of collections.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;
use std::sync::Mutex;

use r53_zone::cidr::{
    valid_collection_name, valid_location_name, Block, MAX_LOCATION_CHARS, MAX_NAME_CHARS,
};

use crate::cidr_routing::{self, bare_zone, label, routing_changes, RecordKey, RecordRouting};
use crate::moto_api::norm;
use crate::reusable_sets::api::{error, invalid, ok, query, segments};
use crate::reusable_sets::Answer;
use crate::xml::{self, Element};

const NS: &str = "https://route53.amazonaws.com/doc/2013-04-01/";

/// Route 53's default quota of CIDR collections per account.
pub const MAX_COLLECTIONS: usize = 5;
/// Route 53's default quota of CIDR blocks per collection (also the most one change may carry).
pub const MAX_BLOCKS_PER_COLLECTION: usize = 1000;
/// The most changes (and blocks) one ChangeCidrCollection request may carry.
pub const MAX_CHANGES: usize = 1000;
pub const MAX_CALLER_REFERENCE_CHARS: usize = 64;
/// List pages: the default size and the most one page holds.
pub const DEFAULT_MAX_RESULTS: usize = 100;
pub const MAX_MAX_RESULTS: usize = 1000;

fn no_collection(id: &str) -> Answer {
    error(
        404,
        "NoSuchCidrCollectionException",
        format!("The CIDR collection {id} does not exist."),
    )
}

#[derive(Debug, Clone)]
struct Collection {
    name: String,
    caller_reference: String,
    version: i64,
    /// Creation order, for listing.
    seq: u64,
    /// location → its blocks; a location exists while it has a block.
    locations: BTreeMap<String, BTreeSet<Block>>,
}

impl Collection {
    fn blocks(&self) -> usize {
        self.locations.values().map(BTreeSet::len).sum()
    }
}

#[derive(Debug, Default)]
struct Inner {
    collections: HashMap<String, Collection>,
    /// Every CallerReference used, with the name it was for (deleted collections' too).
    references: HashMap<String, String>,
    next_seq: u64,
    routing: HashMap<RecordKey, RecordRouting>,
}

impl Inner {
    /// Whether a record set uses this collection (at `location`, or at any location).
    fn used(&self, id: &str, location: Option<&str>) -> bool {
        self.routing.values().any(|r| {
            matches!(r, RecordRouting::Cidr { collection_id, location_name }
                if collection_id == id && location.is_none_or(|l| l == location_name))
        })
    }
}

/// The lab's CIDR collections and the CIDR/geoproximity routing of record sets.
#[derive(Debug, Default)]
pub struct CidrCollections {
    inner: Mutex<Inner>,
}

/// Page tokens are hex of the next item's key, so no key needs URL escaping.
fn token_of(key: &str) -> String {
    key.bytes().map(|b| format!("{b:02x}")).collect()
}

fn key_of_token(t: &str) -> Option<String> {
    if !t.len().is_multiple_of(2) || !t.is_ascii() {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..t.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(t.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

/// (page size, the key to start at) from a list request's query.
fn paging(path: &str) -> Result<(usize, Option<String>), Answer> {
    let max = match query(path, "maxresults") {
        None => DEFAULT_MAX_RESULTS,
        Some(m) => match m.parse::<usize>() {
            Ok(n) if (1..=MAX_MAX_RESULTS).contains(&n) => n,
            _ => {
                return Err(invalid(format!(
                    "MaxResults must be 1 to {MAX_MAX_RESULTS}, not {m:?}."
                )))
            }
        },
    };
    let start = match query(path, "nexttoken").filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => Some(
            key_of_token(t).ok_or_else(|| invalid(format!("The NextToken {t:?} is not valid.")))?,
        ),
    };
    Ok((max, start))
}

fn next_token(next: Option<&str>) -> String {
    next.map(|k| format!("<NextToken>{}</NextToken>", token_of(k)))
        .unwrap_or_default()
}

fn arn(id: &str) -> String {
    format!("arn:aws:route53:::cidrcollection/{id}")
}

fn collection_xml(tag: &str, id: &str, c: &Collection) -> String {
    format!(
        "<{tag}><Arn>{}</Arn><Id>{id}</Id><Name>{}</Name><Version>{}</Version></{tag}>",
        arn(id),
        xml::escape(&c.name),
        c.version
    )
}

/// A uuid4-shaped ID, as Route 53's are.
fn new_id() -> String {
    let a: u128 = rand::random();
    let a = (((a & !(0xf << 76)) | (0x4 << 76)) & !(0x3 << 62)) | (0x2 << 62);
    let h = format!("{a:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        h.get(..8).unwrap_or_default(),
        h.get(8..12).unwrap_or_default(),
        h.get(12..16).unwrap_or_default(),
        h.get(16..20).unwrap_or_default(),
        h.get(20..).unwrap_or_default()
    )
}

impl CidrCollections {
    /// Answers the CIDR-collection actions (`act` as the proxy names them); `None` for any other.
    pub fn handle(&self, act: &str, path: &str, body: &[u8]) -> Option<Answer> {
        let segs = segments(path);
        let id = segs.get(2).copied().unwrap_or_default();
        Some(match act {
            "CreateCidrCollection" => self.create(body),
            "ListCidrCollections" => self.list_collections(path),
            "ChangeCidrCollection" => self.change(id, body),
            "DeleteCidrCollection" => self.delete(id),
            "ListCidrLocations" => self.list_locations(id, path),
            "ListCidrBlocks" => self.list_blocks(id, path),
            _ => return None,
        })
    }

    /// The location of `collection_id` whose block holds `ip` most specifically (longest
    /// prefix); None when no block holds it (the record set at `*` then answers).
    pub fn locate(&self, collection_id: &str, ip: IpAddr) -> Option<String> {
        let inner = self.inner.lock().unwrap();
        let c = inner.collections.get(collection_id)?;
        c.locations
            .iter()
            .flat_map(|(loc, blocks)| blocks.iter().map(move |b| (loc, b)))
            .filter(|(_, b)| b.contains(ip))
            .max_by_key(|(_, b)| b.len)
            .map(|(loc, _)| loc.clone())
    }

    /// The CIDR or geoproximity routing of a record set (name in any case, with or without
    /// the final dot), as the last accepted batch wrote it.
    pub fn record_routing(
        &self,
        zone_id: &str,
        name: &str,
        ty: &str,
        set_id: Option<&str>,
    ) -> Option<RecordRouting> {
        let key = (
            bare_zone(zone_id).to_string(),
            norm(name),
            ty.to_ascii_uppercase(),
            set_id.map(str::to_string),
        );
        self.inner.lock().unwrap().routing.get(&key).cloned()
    }

    fn create(&self, body: &[u8]) -> Answer {
        let Ok(doc) = xml::parse(body) else {
            return invalid("The request body is not valid XML.");
        };
        let name = doc.text_at(&["Name"]).unwrap_or_default();
        let caller_reference = doc.text_at(&["CallerReference"]).unwrap_or_default();
        if !valid_collection_name(name) {
            return invalid(format!(
                "The collection name {name:?} must be 1 to {MAX_NAME_CHARS} characters of letters, digits, _ and -."
            ));
        }
        if caller_reference.is_empty()
            || caller_reference.len() > MAX_CALLER_REFERENCE_CHARS
            || !caller_reference.is_ascii()
        {
            return invalid(format!(
                "CallerReference must be 1 to {MAX_CALLER_REFERENCE_CHARS} ASCII characters."
            ));
        }
        let mut inner = self.inner.lock().unwrap();
        // A retried create (same reference, same name) gets the collection it made.
        if let Some((id, c)) = inner
            .collections
            .iter()
            .find(|(_, c)| c.caller_reference == caller_reference && c.name == name)
        {
            return created(id, c);
        }
        if let Some(used_for) = inner.references.get(caller_reference) {
            return error(
                400,
                "CidrCollectionAlreadyExistsException",
                format!("The caller reference {caller_reference} was already used, for the collection {used_for}."),
            );
        }
        if inner.collections.values().any(|c| c.name == name) {
            return error(
                400,
                "CidrCollectionAlreadyExistsException",
                format!(
                    "A CIDR collection named {name} already exists with another caller reference."
                ),
            );
        }
        if inner.collections.len() >= MAX_COLLECTIONS {
            return error(
                400,
                "LimitsExceeded",
                format!("The account has reached its limit of {MAX_COLLECTIONS} CIDR collections."),
            );
        }
        let id = new_id();
        let seq = inner.next_seq;
        inner.next_seq += 1;
        let c = Collection {
            name: name.to_string(),
            caller_reference: caller_reference.to_string(),
            version: 1,
            seq,
            locations: BTreeMap::new(),
        };
        inner
            .references
            .insert(caller_reference.to_string(), name.to_string());
        let answer = created(&id, &c);
        inner.collections.insert(id, c);
        answer
    }

    fn list_collections(&self, path: &str) -> Answer {
        let (max, start) = match paging(path) {
            Ok(p) => p,
            Err(a) => return a,
        };
        let inner = self.inner.lock().unwrap();
        let mut all: Vec<(&String, &Collection)> = inner.collections.iter().collect();
        all.sort_by_key(|(_, c)| c.seq);
        let from = match &start {
            None => 0,
            Some(k) => match all.iter().position(|(id, _)| *id == k) {
                Some(i) => i,
                None => return invalid("The NextToken names no CIDR collection."),
            },
        };
        let page: String = all
            .iter()
            .skip(from)
            .take(max)
            .map(|(id, c)| collection_xml("member", id, c))
            .collect();
        let next = all.get(from + max).map(|(id, _)| id.as_str());
        ok(
            200,
            format!(
                "<?xml version=\"1.0\"?>\n<ListCidrCollectionsResponse xmlns=\"{NS}\">{}<CidrCollections>{page}</CidrCollections></ListCidrCollectionsResponse>",
                next_token(next)
            ),
        )
    }

    fn change(&self, id: &str, body: &[u8]) -> Answer {
        let Ok(doc) = xml::parse(body) else {
            return invalid("The request body is not valid XML.");
        };
        let version = match doc.text_at(&["CollectionVersion"]) {
            None => None,
            Some(v) => match v.parse::<i64>() {
                Ok(n) if n >= 1 => Some(n),
                _ => return invalid(format!("CollectionVersion {v:?} is not a number from 1.")),
            },
        };
        let changes: Vec<&Element> = doc
            .child("Changes")
            .map(|c| c.children_named("member").collect())
            .unwrap_or_default();
        if changes.is_empty() || changes.len() > MAX_CHANGES {
            return invalid(format!("Changes must hold 1 to {MAX_CHANGES} changes."));
        }
        // Parse the whole request before touching the collection: it applies whole or not at all.
        let mut parsed = Vec::new();
        let mut total_blocks = 0usize;
        for (n, c) in changes.iter().enumerate() {
            let at = n + 1;
            let location = c.text_at(&["LocationName"]).unwrap_or_default();
            if !valid_location_name(location) {
                return invalid(format!("Change {at}: the location name {location:?} must be 1 to {MAX_LOCATION_CHARS} characters of letters, digits, _ and -."));
            }
            let action = c.text_at(&["Action"]).unwrap_or_default();
            if action != "PUT" && action != "DELETE_IF_EXISTS" {
                return invalid(format!(
                    "Change {at}: the action {action:?} is not PUT or DELETE_IF_EXISTS."
                ));
            }
            let list: Vec<&str> = c
                .child("CidrList")
                .map(|l| {
                    l.children_named("Cidr")
                        .map(|e| e.text_at(&[]).unwrap_or_default())
                        .collect()
                })
                .unwrap_or_default();
            total_blocks = total_blocks.saturating_add(list.len());
            if list.is_empty() || total_blocks > MAX_CHANGES {
                return invalid(format!("Change {at}: CidrList must hold 1 to {MAX_CHANGES} blocks, {MAX_CHANGES} in the whole request."));
            }
            let mut blocks = Vec::new();
            for s in list {
                match Block::parse(s) {
                    Ok(b) => blocks.push(b),
                    Err(e) => return invalid(format!("Change {at}: {e}")),
                }
            }
            parsed.push((location.to_string(), action == "PUT", blocks));
        }
        let mut inner = self.inner.lock().unwrap();
        let Some(current) = inner.collections.get(id) else {
            return no_collection(id);
        };
        if let Some(v) = version {
            if v != current.version {
                return error(
                    409,
                    "CidrCollectionVersionMismatchException",
                    format!(
                        "The collection {id} is at version {}, not {v}.",
                        current.version
                    ),
                );
            }
        }
        let mut locations = current.locations.clone();
        for (location, put, blocks) in &parsed {
            let set = locations.entry(location.clone()).or_default();
            for b in blocks {
                if *put {
                    set.insert(*b);
                } else {
                    set.remove(b);
                }
            }
        }
        locations.retain(|_, blocks| !blocks.is_empty());
        // A block is in one location of a collection.
        let mut seen: HashMap<Block, &str> = HashMap::new();
        for (loc, blocks) in &locations {
            for b in blocks {
                if let Some(other) = seen.insert(*b, loc) {
                    return error(
                        400,
                        "CidrBlockInUseException",
                        format!("The CIDR block {b} would be in both location {other} and location {loc} of collection {id}."),
                    );
                }
            }
        }
        // A location record sets use keeps a block.
        for loc in current.locations.keys() {
            if !locations.contains_key(loc) && inner.used(id, Some(loc)) {
                return error(
                    400,
                    "CidrBlockInUseException",
                    format!("The location {loc} of collection {id} is used by record sets, so it cannot lose its last CIDR block; change those record sets first."),
                );
            }
        }
        let blocks: usize = locations.values().map(BTreeSet::len).sum();
        if blocks > MAX_BLOCKS_PER_COLLECTION {
            return error(
                400,
                "LimitsExceeded",
                format!("A CIDR collection holds at most {MAX_BLOCKS_PER_COLLECTION} blocks; this change would make {blocks}."),
            );
        }
        let Some(c) = inner.collections.get_mut(id) else {
            return no_collection(id);
        };
        c.locations = locations;
        c.version += 1;
        ok(
            200,
            format!(
                "<?xml version=\"1.0\"?>\n<ChangeCidrCollectionResponse xmlns=\"{NS}\"><Id>{}</Id></ChangeCidrCollectionResponse>",
                new_id()
            ),
        )
    }

    fn delete(&self, id: &str) -> Answer {
        let mut inner = self.inner.lock().unwrap();
        let Some(c) = inner.collections.get(id) else {
            return no_collection(id);
        };
        if c.blocks() > 0 || inner.used(id, None) {
            return error(
                400,
                "CidrCollectionInUseException",
                format!("The CIDR collection {id} still has locations or is used by record sets; empty it first."),
            );
        }
        inner.collections.remove(id);
        ok(
            200,
            format!("<?xml version=\"1.0\"?>\n<DeleteCidrCollectionResponse xmlns=\"{NS}\"/>"),
        )
    }

    fn list_locations(&self, id: &str, path: &str) -> Answer {
        let (max, start) = match paging(path) {
            Ok(p) => p,
            Err(a) => return a,
        };
        let inner = self.inner.lock().unwrap();
        let Some(c) = inner.collections.get(id) else {
            return no_collection(id);
        };
        let names: Vec<&String> = c
            .locations
            .keys()
            .filter(|l| start.as_ref().is_none_or(|s| *l >= s))
            .collect();
        let page: String = names
            .iter()
            .take(max)
            .map(|l| {
                format!(
                    "<member><LocationName>{}</LocationName></member>",
                    xml::escape(l)
                )
            })
            .collect();
        ok(
            200,
            format!(
                "<?xml version=\"1.0\"?>\n<ListCidrLocationsResponse xmlns=\"{NS}\">{}<CidrLocations>{page}</CidrLocations></ListCidrLocationsResponse>",
                next_token(names.get(max).map(|s| s.as_str()))
            ),
        )
    }

    fn list_blocks(&self, id: &str, path: &str) -> Answer {
        let (max, start) = match paging(path) {
            Ok(p) => p,
            Err(a) => return a,
        };
        let inner = self.inner.lock().unwrap();
        let Some(c) = inner.collections.get(id) else {
            return no_collection(id);
        };
        let only = query(path, "location").filter(|l| !l.is_empty());
        if let Some(l) = only {
            if !c.locations.contains_key(l) {
                return error(
                    404,
                    "NoSuchCidrLocationException",
                    format!("The collection {id} has no location {l}."),
                );
            }
        }
        // Keys "location block" sort by location, then block.
        let all: Vec<(String, &String, &Block)> = c
            .locations
            .iter()
            .filter(|(l, _)| only.is_none_or(|o| o == l.as_str()))
            .flat_map(|(l, bs)| bs.iter().map(move |b| (format!("{l} {b}"), l, b)))
            .filter(|(k, _, _)| start.as_ref().is_none_or(|s| k >= s))
            .collect();
        let page: String = all
            .iter()
            .take(max)
            .map(|(_, l, b)| {
                format!(
                    "<member><CidrBlock>{b}</CidrBlock><LocationName>{}</LocationName></member>",
                    xml::escape(l)
                )
            })
            .collect();
        ok(
            200,
            format!(
                "<?xml version=\"1.0\"?>\n<ListCidrBlocksResponse xmlns=\"{NS}\">{}<CidrBlocks>{page}</CidrBlocks></ListCidrBlocksResponse>",
                next_token(all.get(max).map(|(k, _, _)| k.as_str()))
            ),
        )
    }

    /// Route 53's checks of the CIDR and geoproximity routing in a ChangeResourceRecordSets
    /// batch to zone `zone_id` (moto makes none): the collection and location exist, one name
    /// and type uses one collection, a geoproximity location is one place and the bias in
    /// range. `Some` refuses the batch.
    pub fn check_batch(&self, zone_id: &str, body: &[u8]) -> Option<Answer> {
        let doc = xml::parse(body).ok()?;
        let zone = bare_zone(zone_id);
        let changes = routing_changes(zone, &doc);
        let inner = self.inner.lock().unwrap();
        let mut problems = Vec::new();
        // A value outside the API's shapes is InvalidInput, before any other check.
        let mut input_problem: Option<String> = None;
        // (name, type) → collections its CIDR sets use after the batch.
        let mut after: HashMap<(String, String), HashMap<Option<String>, String>> = HashMap::new();
        for (k, r) in &inner.routing {
            if let RecordRouting::Cidr { collection_id, .. } = r {
                if k.0 == zone {
                    after
                        .entry((k.1.clone(), k.2.clone()))
                        .or_default()
                        .insert(k.3.clone(), collection_id.clone());
                }
            }
        }
        for c in &changes {
            let label = label(&c.key);
            let slot = after.entry((c.key.1.clone(), c.key.2.clone())).or_default();
            if c.action == "DELETE" {
                slot.remove(&c.key.3);
                continue;
            }
            slot.remove(&c.key.3);
            match &c.routing {
                Some(Ok(RecordRouting::Cidr {
                    collection_id,
                    location_name,
                })) => {
                    match inner.collections.get(collection_id) {
                        None => problems.push(format!(
                            "{label}: the CIDR collection {collection_id} does not exist"
                        )),
                        Some(col) => {
                            if location_name != "*" && !col.locations.contains_key(location_name) {
                                problems.push(format!(
                                    "{label}: the CIDR collection {collection_id} has no location {location_name}"
                                ));
                            }
                        }
                    }
                    if c.key.3.is_none() {
                        problems.push(format!("{label}: IP-based routing needs a SetIdentifier"));
                    }
                    slot.insert(c.key.3.clone(), collection_id.clone());
                }
                Some(Ok(RecordRouting::GeoProximity(_))) if c.key.3.is_none() => problems.push(
                    format!("{label}: geoproximity routing needs a SetIdentifier"),
                ),
                Some(Err((code, e))) => {
                    if *code == "InvalidInput" {
                        input_problem.get_or_insert(format!("{label}: {e}"));
                    } else {
                        problems.push(format!("{label}: {e}"));
                    }
                }
                _ => {}
            }
        }
        for ((name, ty), sets) in &after {
            let used: BTreeSet<&String> = sets.values().collect();
            if used.len() > 1 {
                let list: Vec<&str> = used.iter().map(|s| s.as_str()).collect();
                problems.push(format!(
                    "[name='{name}.', type='{ty}']: record sets of one name and type must use one CIDR collection, not {}",
                    list.join(", ")
                ));
            }
        }
        if let Some(p) = input_problem {
            return Some(invalid(p));
        }
        if problems.is_empty() {
            None
        } else {
            problems.sort();
            Some(error(400, "InvalidChangeBatch", problems.join("; ")))
        }
    }

    /// Keeps the routing of a batch moto accepted: CREATE and UPSERT write it (or clear it when
    /// the set has none), DELETE forgets it.
    pub fn apply_batch(&self, zone_id: &str, body: &[u8]) {
        let Ok(doc) = xml::parse(body) else { return };
        let zone = bare_zone(zone_id);
        let mut inner = self.inner.lock().unwrap();
        for c in routing_changes(zone, &doc) {
            match (c.action.as_str(), c.routing) {
                ("CREATE" | "UPSERT", Some(Ok(r))) => {
                    inner.routing.insert(c.key, r);
                }
                ("CREATE" | "UPSERT" | "DELETE", _) => {
                    inner.routing.remove(&c.key);
                }
                _ => {}
            }
        }
    }

    /// A deleted zone's record sets go with it.
    pub fn forget_zone(&self, zone_id: &str) {
        let zone = bare_zone(zone_id);
        self.inner
            .lock()
            .unwrap()
            .routing
            .retain(|k, _| k.0 != zone);
    }

    /// Puts the routing moto dropped back into a ListResourceRecordSets answer of `zone_id`
    /// (see [`cidr_routing::restore`]).
    pub fn restore_listing(&self, zone_id: &str, body: &str) -> String {
        let zone = bare_zone(zone_id);
        let inner = self.inner.lock().unwrap();
        if !inner.routing.keys().any(|k| k.0 == zone) {
            return body.to_string();
        }
        cidr_routing::restore(zone, body, |k| inner.routing.get(k))
    }
}

fn created(id: &str, c: &Collection) -> Answer {
    Answer::Ok {
        status: 201,
        body: format!(
            "<?xml version=\"1.0\"?>\n<CreateCidrCollectionResponse xmlns=\"{NS}\">{}</CreateCidrCollectionResponse>",
            collection_xml("Collection", id, c)
        ),
        location: Some(format!(
            "https://route53.amazonaws.com/2013-04-01/cidrcollection/{id}"
        )),
    }
}

#[cfg(test)]
mod tests;
