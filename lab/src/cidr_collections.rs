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

fn error(status: u16, code: &'static str, message: impl Into<String>) -> Answer {
    Answer::Error {
        status,
        code,
        message: message.into(),
    }
}

fn invalid(message: impl Into<String>) -> Answer {
    error(400, "InvalidInput", message)
}

fn no_collection(id: &str) -> Answer {
    error(
        404,
        "NoSuchCidrCollectionException",
        format!("The CIDR collection {id} does not exist."),
    )
}

fn ok(status: u16, body: String) -> Answer {
    Answer::Ok {
        status,
        body,
        location: None,
    }
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

fn segments(path: &str) -> Vec<&str> {
    path.split('?')
        .next()
        .unwrap_or_default()
        .split('/')
        .filter(|s| !s.is_empty())
        .collect()
}

fn query<'a>(path: &'a str, key: &str) -> Option<&'a str> {
    path.split_once('?')?
        .1
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
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
mod tests {
    use super::*;
    use r53_zone::GeoProximity;

    fn call(c: &CidrCollections, act: &str, path: &str, body: &str) -> Answer {
        c.handle(act, path, body.as_bytes()).expect("a CIDR action")
    }

    fn outcome(a: &Answer) -> (u16, &'static str) {
        match a {
            Answer::Ok { status, .. } => (*status, "ok"),
            Answer::Error { status, code, .. } => (*status, code),
        }
    }

    fn body(a: &Answer) -> &str {
        match a {
            Answer::Ok { body, .. } => body,
            Answer::Error { message, .. } => message,
        }
    }

    fn create(c: &CidrCollections, name: &str, caller: &str) -> Answer {
        call(
            c,
            "CreateCidrCollection",
            "/2013-04-01/cidrcollection",
            &format!("<CreateCidrCollectionRequest xmlns=\"{NS}\"><Name>{name}</Name><CallerReference>{caller}</CallerReference></CreateCidrCollectionRequest>"),
        )
    }

    fn id_of(a: &Answer) -> String {
        body(a)
            .split("<Id>")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap()
            .to_string()
    }

    /// A ChangeCidrCollection body: (location, action, blocks) per change.
    fn changes(version: Option<i64>, cs: &[(&str, &str, &[&str])]) -> String {
        let v = version
            .map(|v| format!("<CollectionVersion>{v}</CollectionVersion>"))
            .unwrap_or_default();
        let members: String = cs
            .iter()
            .map(|(l, a, bs)| {
                let list: String = bs.iter().map(|b| format!("<Cidr>{b}</Cidr>")).collect();
                format!("<member><LocationName>{l}</LocationName><Action>{a}</Action><CidrList>{list}</CidrList></member>")
            })
            .collect();
        format!("<ChangeCidrCollectionRequest xmlns=\"{NS}\">{v}<Changes>{members}</Changes></ChangeCidrCollectionRequest>")
    }

    fn change(
        c: &CidrCollections,
        id: &str,
        version: Option<i64>,
        cs: &[(&str, &str, &[&str])],
    ) -> Answer {
        call(
            c,
            "ChangeCidrCollection",
            &format!("/2013-04-01/cidrcollection/{id}"),
            &changes(version, cs),
        )
    }

    fn blocks(c: &CidrCollections, id: &str, q: &str) -> Vec<(String, String)> {
        let a = call(
            c,
            "ListCidrBlocks",
            &format!("/2013-04-01/cidrcollection/{id}/cidrblocks{q}"),
            "",
        );
        assert_eq!(outcome(&a), (200, "ok"), "{}", body(&a));
        let doc = xml::parse(body(&a).as_bytes()).unwrap();
        doc.child("CidrBlocks")
            .unwrap()
            .children_named("member")
            .map(|m| {
                (
                    m.text_at(&["LocationName"]).unwrap().to_string(),
                    m.text_at(&["CidrBlock"]).unwrap().to_string(),
                )
            })
            .collect()
    }

    fn version(c: &CidrCollections, id: &str) -> i64 {
        let a = call(c, "ListCidrCollections", "/2013-04-01/cidrcollection", "");
        let doc = xml::parse(body(&a).as_bytes()).unwrap();
        let v = doc
            .child("CidrCollections")
            .unwrap()
            .children_named("member")
            .find(|m| m.text_at(&["Id"]) == Some(id))
            .and_then(|m| m.text_at(&["Version"])?.parse().ok())
            .unwrap();
        v
    }

    #[test]
    fn names_and_caller_references_follow_route53() {
        let c = CidrCollections::default();
        for bad in ["", "has space", "dot.ted", &"x".repeat(65)] {
            assert_eq!(
                outcome(&create(&c, bad, "r")),
                (400, "InvalidInput"),
                "{bad:?}"
            );
        }
        assert_eq!(outcome(&create(&c, "ok", "")), (400, "InvalidInput"));
        let a = create(&c, &"N_-9".repeat(16), "r1");
        assert_eq!(outcome(&a), (201, "ok"), "{}", body(&a));
        let id = id_of(&a);
        assert!(body(&a).contains(&format!("<Arn>arn:aws:route53:::cidrcollection/{id}</Arn>")));
        assert!(body(&a).contains("<Version>1</Version>"));
        // A retry gets the same collection; the reference or the name elsewhere is refused.
        assert_eq!(id_of(&create(&c, &"N_-9".repeat(16), "r1")), id);
        assert_eq!(
            outcome(&create(&c, "other", "r1")),
            (400, "CidrCollectionAlreadyExistsException")
        );
        assert_eq!(
            outcome(&create(&c, &"N_-9".repeat(16), "r2")),
            (400, "CidrCollectionAlreadyExistsException")
        );
        // A deleted collection's reference stays spent.
        assert_eq!(
            outcome(&call(
                &c,
                "DeleteCidrCollection",
                &format!("/2013-04-01/cidrcollection/{id}"),
                ""
            )),
            (200, "ok")
        );
        assert_eq!(
            outcome(&create(&c, "again", "r1")),
            (400, "CidrCollectionAlreadyExistsException")
        );
        assert_eq!(
            outcome(&call(
                &c,
                "DeleteCidrCollection",
                &format!("/2013-04-01/cidrcollection/{id}"),
                ""
            )),
            (404, "NoSuchCidrCollectionException")
        );
        // The quota.
        for n in 0..MAX_COLLECTIONS {
            assert_eq!(
                outcome(&create(&c, &format!("c{n}"), &format!("q{n}"))),
                (201, "ok")
            );
        }
        assert_eq!(
            outcome(&create(&c, "one-more", "q-x")),
            (400, "LimitsExceeded")
        );
    }

    #[test]
    fn changes_need_the_current_version_and_apply_whole() {
        let c = CidrCollections::default();
        let id = id_of(&create(&c, "col", "r"));
        let a = change(
            &c,
            &id,
            Some(1),
            &[
                ("east", "PUT", &["10.0.0.0/8", "2001:DB8::/32"]),
                ("west", "PUT", &["192.0.2.0/24"]),
            ],
        );
        assert_eq!(outcome(&a), (200, "ok"), "{}", body(&a));
        assert_eq!(version(&c, &id), 2);
        assert_eq!(
            blocks(&c, &id, ""),
            vec![
                ("east".into(), "10.0.0.0/8".into()),
                ("east".into(), "2001:db8::/32".into()),
                ("west".into(), "192.0.2.0/24".into())
            ]
        );
        // A stale version is a conflict and changes nothing.
        let a = change(
            &c,
            &id,
            Some(1),
            &[("west", "DELETE_IF_EXISTS", &["192.0.2.0/24"])],
        );
        assert_eq!(outcome(&a), (409, "CidrCollectionVersionMismatchException"));
        assert_eq!(version(&c, &id), 2);
        // Without a version the change applies to whatever is there.
        assert_eq!(
            outcome(&change(
                &c,
                &id,
                None,
                &[("west", "DELETE_IF_EXISTS", &["198.51.100.0/24"])]
            )),
            (200, "ok")
        );
        assert_eq!(version(&c, &id), 3);
        // A bad block anywhere refuses the whole request.
        let a = change(
            &c,
            &id,
            Some(3),
            &[
                ("north", "PUT", &["203.0.113.0/24"]),
                ("south", "PUT", &["203.0.113.7/24"]),
            ],
        );
        assert_eq!(outcome(&a), (400, "InvalidInput"));
        assert!(body(&a).contains("host bits"), "{}", body(&a));
        assert!(blocks(&c, &id, "").iter().all(|(l, _)| l != "north"));
        for (l, act, b) in [
            ("bad.name", "PUT", "1.0.0.0/8"),
            ("*", "PUT", "1.0.0.0/8"),
            ("x", "MOVE", "1.0.0.0/8"),
            (&*"l".repeat(17), "PUT", "1.0.0.0/8"),
        ] {
            assert_eq!(
                outcome(&change(&c, &id, None, &[(l, act, &[b])])),
                (400, "InvalidInput"),
                "{l} {act}"
            );
        }
        // A block is in one location: moving it needs its DELETE in the same request.
        let a = change(&c, &id, None, &[("west", "PUT", &["10.0.0.0/8"])]);
        assert_eq!(outcome(&a), (400, "CidrBlockInUseException"));
        let a = change(
            &c,
            &id,
            None,
            &[
                ("east", "DELETE_IF_EXISTS", &["10.0.0.0/8"]),
                ("west", "PUT", &["10.0.0.0/8"]),
            ],
        );
        assert_eq!(outcome(&a), (200, "ok"), "{}", body(&a));
        // A location with no block left is gone.
        assert_eq!(
            outcome(&change(
                &c,
                &id,
                None,
                &[("east", "DELETE_IF_EXISTS", &["2001:db8::/32"])]
            )),
            (200, "ok")
        );
        let a = call(
            &c,
            "ListCidrBlocks",
            &format!("/2013-04-01/cidrcollection/{id}/cidrblocks?location=east"),
            "",
        );
        assert_eq!(outcome(&a), (404, "NoSuchCidrLocationException"));
        assert_eq!(
            outcome(&change(
                &c,
                "00000000-0000-4000-8000-000000000000",
                None,
                &[("a", "PUT", &["1.0.0.0/8"])]
            )),
            (404, "NoSuchCidrCollectionException")
        );
        // Only an empty collection can be deleted.
        let path = format!("/2013-04-01/cidrcollection/{id}");
        assert_eq!(
            outcome(&call(&c, "DeleteCidrCollection", &path, "")),
            (400, "CidrCollectionInUseException")
        );
        assert_eq!(
            outcome(&change(
                &c,
                &id,
                None,
                &[("west", "DELETE_IF_EXISTS", &["10.0.0.0/8", "192.0.2.0/24"])]
            )),
            (200, "ok")
        );
        assert_eq!(
            outcome(&call(&c, "DeleteCidrCollection", &path, "")),
            (200, "ok")
        );
    }

    #[test]
    fn the_block_quota_holds() {
        let c = CidrCollections::default();
        let id = id_of(&create(&c, "big", "r"));
        let all: Vec<String> = (0..=MAX_BLOCKS_PER_COLLECTION)
            .map(|n| format!("10.{}.{}.0/24", n / 256, n % 256))
            .collect();
        let (a, b) = all.split_at(600);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let b: Vec<&str> = b.iter().map(String::as_str).collect();
        assert_eq!(
            outcome(&change(&c, &id, None, &[("a", "PUT", &a)])),
            (200, "ok")
        );
        let r = change(&c, &id, None, &[("b", "PUT", &b)]);
        assert_eq!(outcome(&r), (400, "LimitsExceeded"), "{}", body(&r));
        assert_eq!(
            outcome(&change(&c, &id, None, &[("b", "PUT", &b[1..])])),
            (200, "ok")
        );
    }

    #[test]
    fn lists_page_with_tokens() {
        let c = CidrCollections::default();
        let ids: Vec<String> = (0..3)
            .map(|n| id_of(&create(&c, &format!("c{n}"), &format!("r{n}"))))
            .collect();
        let a = call(
            &c,
            "ListCidrCollections",
            "/2013-04-01/cidrcollection?maxresults=2",
            "",
        );
        let doc = xml::parse(body(&a).as_bytes()).unwrap();
        let token = doc.text_at(&["NextToken"]).unwrap().to_string();
        assert_eq!(
            doc.child("CidrCollections")
                .unwrap()
                .children_named("member")
                .count(),
            2
        );
        let a = call(
            &c,
            "ListCidrCollections",
            &format!("/2013-04-01/cidrcollection?maxresults=2&nexttoken={token}"),
            "",
        );
        assert!(
            body(&a).contains(&ids[2]) && !body(&a).contains("NextToken"),
            "{}",
            body(&a)
        );
        assert_eq!(
            outcome(&call(
                &c,
                "ListCidrCollections",
                "/2013-04-01/cidrcollection?maxresults=0",
                ""
            )),
            (400, "InvalidInput")
        );
        assert_eq!(
            outcome(&call(
                &c,
                "ListCidrCollections",
                "/2013-04-01/cidrcollection?nexttoken=zz",
                ""
            )),
            (400, "InvalidInput")
        );

        let id = &ids[0];
        let locs: Vec<String> = (0..5).map(|n| format!("loc{n}")).collect();
        for (n, l) in locs.iter().enumerate() {
            let b = format!("10.{n}.0.0/16");
            assert_eq!(
                outcome(&change(
                    &c,
                    id,
                    None,
                    &[(l, "PUT", &[&b, &format!("11.{n}.0.0/16")])]
                )),
                (200, "ok")
            );
        }
        let mut seen = Vec::new();
        let mut q = "?maxresults=2".to_string();
        loop {
            let a = call(
                &c,
                "ListCidrLocations",
                &format!("/2013-04-01/cidrcollection/{id}{q}"),
                "",
            );
            let doc = xml::parse(body(&a).as_bytes()).unwrap();
            seen.extend(
                doc.child("CidrLocations")
                    .unwrap()
                    .children_named("member")
                    .map(|m| m.text_at(&["LocationName"]).unwrap().to_string()),
            );
            match doc.text_at(&["NextToken"]) {
                Some(t) => q = format!("?maxresults=2&nexttoken={t}"),
                None => break,
            }
        }
        assert_eq!(seen, locs);
        let mut seen = Vec::new();
        let mut q = "?maxresults=3".to_string();
        loop {
            let a = call(
                &c,
                "ListCidrBlocks",
                &format!("/2013-04-01/cidrcollection/{id}/cidrblocks{q}"),
                "",
            );
            let doc = xml::parse(body(&a).as_bytes()).unwrap();
            seen.extend(
                doc.child("CidrBlocks")
                    .unwrap()
                    .children_named("member")
                    .map(|m| m.text_at(&["CidrBlock"]).unwrap().to_string()),
            );
            match doc.text_at(&["NextToken"]) {
                Some(t) => q = format!("?maxresults=3&nexttoken={t}"),
                None => break,
            }
        }
        assert_eq!(seen.len(), 10);
        assert_eq!(
            blocks(&c, id, "?location=loc3"),
            vec![
                ("loc3".into(), "10.3.0.0/16".into()),
                ("loc3".into(), "11.3.0.0/16".into())
            ]
        );
    }

    fn rrset(action: &str, name: &str, set_id: &str, routing: &str) -> String {
        format!("<Change><Action>{action}</Action><ResourceRecordSet><Name>{name}</Name><Type>A</Type><SetIdentifier>{set_id}</SetIdentifier><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord></ResourceRecords>{routing}</ResourceRecordSet></Change>")
    }

    fn batch(changes: &[String]) -> Vec<u8> {
        format!("<ChangeResourceRecordSetsRequest xmlns=\"{NS}\"><ChangeBatch><Changes>{}</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>", changes.concat()).into_bytes()
    }

    fn cidr(col: &str, loc: &str) -> String {
        format!("<CidrRoutingConfig><CollectionId>{col}</CollectionId><LocationName>{loc}</LocationName></CidrRoutingConfig>")
    }

    #[test]
    fn record_sets_name_existing_locations_and_keep_their_routing() {
        let c = CidrCollections::default();
        let id = id_of(&create(&c, "col", "r"));
        let other = id_of(&create(&c, "other", "r2"));
        assert_eq!(
            outcome(&change(
                &c,
                &id,
                None,
                &[
                    ("east", "PUT", &["10.0.0.0/8"]),
                    ("west", "PUT", &["10.1.0.0/16", "2001:db8::/32"])
                ]
            )),
            (200, "ok")
        );
        let code = |b: &[u8]| c.check_batch("Z1", b).map(|a| outcome(&a).1);
        // Unknown collection or location, a CIDR set without an identifier, two collections.
        assert_eq!(
            code(&batch(&[rrset(
                "CREATE",
                "w.ex.test.",
                "e",
                &cidr("nope", "east")
            )])),
            Some("InvalidChangeBatch")
        );
        assert_eq!(
            code(&batch(&[rrset(
                "CREATE",
                "w.ex.test.",
                "e",
                &cidr(&id, "north")
            )])),
            Some("InvalidChangeBatch")
        );
        assert_eq!(
            code(&batch(&[
                rrset("CREATE", "w.ex.test.", "e", &cidr(&id, "east")),
                rrset("CREATE", "w.ex.test.", "o", &cidr(&other, "*"))
            ])),
            Some("InvalidChangeBatch")
        );
        assert_eq!(
            code(&batch(&[rrset(
                "CREATE",
                "w.ex.test.",
                "e",
                &cidr(&id, "bad.loc")
            )])),
            Some("InvalidInput")
        );
        let good = batch(&[
            rrset("CREATE", "W.ex.test.", "e", &cidr(&id, "east")),
            rrset("CREATE", "w.ex.test", "d", &cidr(&id, "*")),
        ]);
        assert_eq!(code(&good), None);
        c.apply_batch("/hostedzone/Z1", &good);
        assert_eq!(
            c.record_routing("Z1", "w.EX.test.", "A", Some("e")),
            Some(RecordRouting::Cidr {
                collection_id: id.clone(),
                location_name: "east".into()
            })
        );
        assert_eq!(c.record_routing("Z2", "w.ex.test", "A", Some("e")), None);
        // The other collection at the same name and type, now that one is there.
        assert_eq!(
            code(&batch(&[rrset(
                "CREATE",
                "w.ex.test.",
                "o",
                &cidr(&other, "*")
            )])),
            Some("InvalidChangeBatch")
        );
        // A location in use keeps its last block; the collection cannot go.
        let a = change(
            &c,
            &id,
            None,
            &[("east", "DELETE_IF_EXISTS", &["10.0.0.0/8"])],
        );
        assert_eq!(
            outcome(&a),
            (400, "CidrBlockInUseException"),
            "{}",
            body(&a)
        );
        assert!(body(&a).contains("east"), "{}", body(&a));
        assert_eq!(
            outcome(&change(
                &c,
                &id,
                None,
                &[(
                    "west",
                    "DELETE_IF_EXISTS",
                    &["10.1.0.0/16", "2001:db8::/32"]
                )]
            )),
            (200, "ok")
        );
        // Longest prefix wins.
        assert_eq!(
            outcome(&change(&c, &id, None, &[("west", "PUT", &["10.1.0.0/16"])])),
            (200, "ok")
        );
        assert_eq!(
            c.locate(&id, "10.1.2.3".parse().unwrap()).as_deref(),
            Some("west")
        );
        assert_eq!(
            c.locate(&id, "10.2.2.3".parse().unwrap()).as_deref(),
            Some("east")
        );
        assert_eq!(c.locate(&id, "192.0.2.1".parse().unwrap()), None);
        assert_eq!(c.locate("nope", "10.2.2.3".parse().unwrap()), None);
        // The listing gets the routing back, at the end of each set.
        let listing = "<ListResourceRecordSetsResponse><ResourceRecordSets><ResourceRecordSet><Name>w.ex.test.</Name><Type>A</Type><SetIdentifier>e</SetIdentifier><TTL>60</TTL></ResourceRecordSet><ResourceRecordSet><Name>x.ex.test.</Name><Type>A</Type><TTL>60</TTL></ResourceRecordSet></ResourceRecordSets></ListResourceRecordSetsResponse>";
        let restored = c.restore_listing("Z1", listing);
        assert!(
            restored.contains(&format!(
                "<SetIdentifier>e</SetIdentifier><TTL>60</TTL>{}</ResourceRecordSet>",
                cidr(&id, "east")
            )),
            "{restored}"
        );
        assert_eq!(
            restored.matches("CidrRoutingConfig>").count(),
            2,
            "{restored}"
        );
        assert_eq!(c.restore_listing("Z9", listing), listing);
        let path = format!("/2013-04-01/cidrcollection/{id}");
        assert_eq!(
            outcome(&call(&c, "DeleteCidrCollection", &path, "")),
            (400, "CidrCollectionInUseException")
        );
        // DELETE forgets; an UPSERT without CIDR routing clears it.
        c.apply_batch(
            "Z1",
            &batch(&[
                rrset("DELETE", "w.ex.test.", "e", &cidr(&id, "east")),
                rrset("UPSERT", "w.ex.test.", "d", "<Weight>1</Weight>"),
            ]),
        );
        assert_eq!(c.record_routing("Z1", "w.ex.test", "A", Some("e")), None);
        assert_eq!(c.record_routing("Z1", "w.ex.test", "A", Some("d")), None);
        assert_eq!(
            outcome(&change(
                &c,
                &id,
                None,
                &[
                    ("east", "DELETE_IF_EXISTS", &["10.0.0.0/8"]),
                    ("west", "DELETE_IF_EXISTS", &["10.1.0.0/16"])
                ]
            )),
            (200, "ok")
        );
        assert_eq!(
            outcome(&call(&c, "DeleteCidrCollection", &path, "")),
            (200, "ok")
        );
    }

    #[test]
    fn geoproximity_is_one_place_and_a_bias_in_range() {
        let c = CidrCollections::default();
        let geo = |inner: &str| {
            rrset(
                "UPSERT",
                "g.ex.test.",
                "g1",
                &format!("<GeoProximityLocation>{inner}</GeoProximityLocation>"),
            )
        };
        let code = |inner: &str| {
            c.check_batch("Z1", &batch(&[geo(inner)]))
                .map(|a| outcome(&a).1)
        };
        assert_eq!(
            code("<AWSRegion>us-east-1</AWSRegion><Bias>10</Bias>"),
            None
        );
        assert_eq!(
            code("<LocalZoneGroup>us-west-2-den-1</LocalZoneGroup>"),
            None
        );
        assert_eq!(code("<Coordinates><Latitude>-45.5</Latitude><Longitude>+170.25</Longitude></Coordinates><Bias>-99</Bias>"), None);
        assert_eq!(code("<Bias>1</Bias>"), Some("InvalidChangeBatch"));
        assert_eq!(
            code("<AWSRegion>us-east-1</AWSRegion><LocalZoneGroup>x</LocalZoneGroup>"),
            Some("InvalidChangeBatch")
        );
        assert_eq!(
            code("<AWSRegion>us-east-1</AWSRegion><Bias>100</Bias>"),
            Some("InvalidInput")
        );
        assert_eq!(
            code("<AWSRegion>us-east-1</AWSRegion><Bias>x</Bias>"),
            Some("InvalidInput")
        );
        for (lat, lon) in [
            ("91", "0"),
            ("0", "181"),
            ("1.234", "0"),
            ("", "0"),
            ("1e1", "0"),
        ] {
            assert_eq!(code(&format!("<Coordinates><Latitude>{lat}</Latitude><Longitude>{lon}</Longitude></Coordinates>")), Some("InvalidInput"), "{lat} {lon}");
        }
        let ok = batch(&[geo("<Coordinates><Latitude>51.5</Latitude><Longitude>-0.12</Longitude></Coordinates><Bias>5</Bias>")]);
        c.apply_batch("Z1", &ok);
        let want = GeoProximity {
            coordinates: Some(("51.5".into(), "-0.12".into())),
            bias: Some(5),
            ..Default::default()
        };
        assert_eq!(
            c.record_routing("Z1", "g.ex.test", "A", Some("g1")),
            Some(RecordRouting::GeoProximity(want))
        );
        let listing = "<ResourceRecordSets><ResourceRecordSet><Name>g.ex.test.</Name><Type>A</Type><SetIdentifier>g1</SetIdentifier></ResourceRecordSet></ResourceRecordSets>";
        assert!(c.restore_listing("Z1", listing).contains("<GeoProximityLocation><Coordinates><Latitude>51.5</Latitude><Longitude>-0.12</Longitude></Coordinates><Bias>5</Bias></GeoProximityLocation></ResourceRecordSet>"));
        c.forget_zone("Z1");
        assert_eq!(c.record_routing("Z1", "g.ex.test", "A", Some("g1")), None);
    }
}
