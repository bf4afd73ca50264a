//! Route 53's reusable delegation sets, answered by the lab on the real REST/XML API (moto's do not
//! behave like Route 53's: creating a zone on one replaces the set with a fresh one of moto's
//! default names, every new zone adds an unnamed set to the list, and deleting a set in use or
//! one that does not exist succeeds).
//!
//! Each reusable set takes one of the lab's name-server sets kept for them
//! ([`nameservers::SETS`]..[`nameservers::ALL_SETS`]), so its four names answer over DNS like
//! any other set's; a set made from a zone (`HostedZoneId`) keeps that zone's set. A zone created
//! with `DelegationSetId` is put on the reusable set's names, so deleting the zone and creating it
//! again gives the same four name servers, which is what reusable sets are for.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::nameservers::{self, set_names, DelegationSets};
use crate::xml;

const NS: &str = "https://route53.amazonaws.com/doc/2013-04-01/";

/// Route 53's default quota of reusable delegation sets is 100; the lab has this many sets kept
/// for them.
pub const MAX_REUSABLE: usize = nameservers::REUSABLE_SETS;

/// What the lab answers: a status and an XML body, or one of Route 53's errors.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Ok {
        status: u16,
        body: String,
        location: Option<String>,
    },
    Error {
        status: u16,
        code: &'static str,
        message: String,
    },
}

/// What the lab's own APIs (health checks, CIDR collections) share: reading a request path and
/// building answers.
pub(crate) mod api {
    use super::Answer;

    /// A path's segments before the query (`/2013-04-01/healthcheck/{id}` → 2013-04-01,
    /// healthcheck, id).
    pub(crate) fn segments(path: &str) -> Vec<&str> {
        path.split('?')
            .next()
            .unwrap_or_default()
            .split('/')
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// A query parameter's raw value (names compared without case).
    pub(crate) fn query<'a>(path: &'a str, key: &str) -> Option<&'a str> {
        path.split_once('?')?
            .1
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }

    pub(crate) fn error(status: u16, code: &'static str, message: impl Into<String>) -> Answer {
        Answer::Error {
            status,
            code,
            message: message.into(),
        }
    }

    /// Route 53's `InvalidInput` (400).
    pub(crate) fn invalid(message: impl Into<String>) -> Answer {
        error(400, "InvalidInput", message)
    }

    pub(crate) fn ok(status: u16, body: String) -> Answer {
        Answer::Ok {
            status,
            body,
            location: None,
        }
    }
}

fn error(code: &'static str, message: impl Into<String>) -> Answer {
    Answer::Error {
        status: 400,
        code,
        message: message.into(),
    }
}

#[derive(Debug, Clone)]
struct Reusable {
    caller_reference: String,
    /// The lab's name-server set it stands for.
    index: usize,
}

/// The reusable delegation sets (one account's worth: the lab does not separate accounts here).
#[derive(Debug, Default)]
pub struct ReusableSets {
    sets: Mutex<BTreeMap<String, Reusable>>,
    /// Numbers the next set's ID.
    next: Mutex<u64>,
}

/// The ID in a path or a request (`/delegationset/N…` or `N…`).
fn bare(id: &str) -> &str {
    id.trim_start_matches("/delegationset/")
}

fn set_xml(id: &str, r: &Reusable) -> String {
    let names: String = set_names(r.index)
        .iter()
        .map(|n| format!("<NameServer>{n}</NameServer>"))
        .collect();
    format!(
        "<DelegationSet><Id>/delegationset/{id}</Id><CallerReference>{}</CallerReference><NameServers>{names}</NameServers></DelegationSet>",
        xml::escape(&r.caller_reference)
    )
}

impl ReusableSets {
    /// The lab set a reusable set stands for.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.sets.lock().unwrap().get(bare(id)).map(|r| r.index)
    }

    /// Answers the four reusable-set actions; `None` for any other.
    pub fn handle(
        &self,
        zones: &DelegationSets,
        act: &str,
        path: &str,
        body: &[u8],
    ) -> Option<Answer> {
        let id = path
            .split('?')
            .next()
            .unwrap_or_default()
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default();
        Some(match act {
            "CreateReusableDelegationSet" => self.create(zones, body),
            "GetReusableDelegationSet" => self.get(id),
            "ListReusableDelegationSets" => self.list(),
            "DeleteReusableDelegationSet" => self.delete(zones, id),
            _ => return None,
        })
    }

    fn create(&self, zones: &DelegationSets, body: &[u8]) -> Answer {
        let Ok(doc) = xml::parse(body) else {
            return error("InvalidInput", "The request body is not valid XML.");
        };
        let caller_reference = doc.text_at(&["CallerReference"]).unwrap_or_default();
        if caller_reference.is_empty() || caller_reference.len() > 128 {
            return error(
                "InvalidInput",
                "CallerReference must be 1 to 128 characters long.",
            );
        }
        let zone = doc
            .text_at(&["HostedZoneId"])
            .map(|z| z.trim_start_matches("/hostedzone/").to_string())
            .filter(|z| !z.is_empty());
        let mut sets = self.sets.lock().unwrap();
        if sets
            .values()
            .any(|r| r.caller_reference == caller_reference)
        {
            return error(
                "DelegationSetAlreadyCreated",
                "A delegation set with the same owner and caller reference combination has already been created.",
            );
        }
        let index = match &zone {
            Some(z) => {
                let Some(index) = zones.public_set_of(z) else {
                    return error(
                        "HostedZoneNotFound",
                        format!("The specified hosted zone {z} does not exist or is private."),
                    );
                };
                if sets.values().any(|r| r.index == index) {
                    return error(
                        "DelegationSetAlreadyReusable",
                        "The specified delegation set has already been marked as reusable.",
                    );
                }
                index
            }
            None => {
                let used: Vec<usize> = sets.values().map(|r| r.index).collect();
                match (nameservers::SETS..nameservers::ALL_SETS).find(|i| !used.contains(i)) {
                    Some(i) => i,
                    None => {
                        return error(
                            "LimitsExceeded",
                            format!("The lab allows {MAX_REUSABLE} reusable delegation sets."),
                        )
                    }
                }
            }
        };
        let mut next = self.next.lock().unwrap();
        *next = next.saturating_add(1);
        let id = format!("N{:012X}", *next);
        let r = Reusable {
            caller_reference: caller_reference.to_string(),
            index,
        };
        let body = format!(
            "<?xml version=\"1.0\"?>\n<CreateReusableDelegationSetResponse xmlns=\"{NS}\">{}</CreateReusableDelegationSetResponse>",
            set_xml(&id, &r)
        );
        if let Some(z) = &zone {
            zones.mark_reusable(z, &id);
        }
        sets.insert(id.clone(), r);
        Answer::Ok {
            status: 201,
            body,
            location: Some(format!(
                "https://route53.amazonaws.com/2013-04-01/delegationset/{id}"
            )),
        }
    }

    fn get(&self, id: &str) -> Answer {
        match self.sets.lock().unwrap().get(bare(id)) {
            Some(r) => Answer::Ok {
                status: 200,
                body: format!(
                    "<?xml version=\"1.0\"?>\n<GetReusableDelegationSetResponse xmlns=\"{NS}\">{}</GetReusableDelegationSetResponse>",
                    set_xml(bare(id), r)
                ),
                location: None,
            },
            None => no_such(id),
        }
    }

    fn list(&self) -> Answer {
        let sets = self.sets.lock().unwrap();
        let items: String = sets.iter().map(|(id, r)| set_xml(id, r)).collect();
        Answer::Ok {
            status: 200,
            body: format!(
                "<?xml version=\"1.0\"?>\n<ListReusableDelegationSetsResponse xmlns=\"{NS}\"><DelegationSets>{items}</DelegationSets><Marker></Marker><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListReusableDelegationSetsResponse>"
            ),
            location: None,
        }
    }

    fn delete(&self, zones: &DelegationSets, id: &str) -> Answer {
        let mut sets = self.sets.lock().unwrap();
        if !sets.contains_key(bare(id)) {
            return no_such(id);
        }
        if let Some(zone) = zones.zones_on_reusable(bare(id)).first() {
            return error(
                "DelegationSetInUse",
                format!(
                    "The specified delegation contains associated hosted zones (e.g. {zone}) which must be deleted before the reusable delegation set can be deleted."
                ),
            );
        }
        sets.remove(bare(id));
        Answer::Ok {
            status: 200,
            body: format!(
                "<?xml version=\"1.0\"?>\n<DeleteReusableDelegationSetResponse xmlns=\"{NS}\"/>"
            ),
            location: None,
        }
    }

    /// A CreateHostedZone naming a `DelegationSetId`: the set must exist and the zone be public.
    /// `Ok(None)`: the request names no set.
    pub fn check_new_zone(&self, body: &[u8]) -> Result<Option<usize>, Answer> {
        let Ok(doc) = xml::parse(body) else {
            return Ok(None);
        };
        let Some(id) = doc.text_at(&["DelegationSetId"]).filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        if doc.text_at(&["HostedZoneConfig", "PrivateZone"]) == Some("true")
            || doc.child("VPC").is_some()
        {
            return Err(error(
                "InvalidInput",
                "A private hosted zone cannot use a reusable delegation set.",
            ));
        }
        self.index_of(id).map(Some).ok_or_else(|| no_such(id))
    }
}

fn no_such(id: &str) -> Answer {
    error(
        "NoSuchDelegationSet",
        format!(
            "A reusable delegation set with the specified ID {} does not exist.",
            bare(id)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(r: &ReusableSets, z: &DelegationSets, caller: &str, zone: Option<&str>) -> Answer {
        let zone = zone
            .map(|z| format!("<HostedZoneId>{z}</HostedZoneId>"))
            .unwrap_or_default();
        let body = format!("<CreateReusableDelegationSetRequest xmlns=\"{NS}\"><CallerReference>{caller}</CallerReference>{zone}</CreateReusableDelegationSetRequest>");
        r.handle(
            z,
            "CreateReusableDelegationSet",
            "/2013-04-01/delegationset",
            body.as_bytes(),
        )
        .unwrap()
    }

    fn id_of(a: &Answer) -> String {
        let Answer::Ok { body, .. } = a else {
            panic!("{a:?}")
        };
        let doc = xml::parse(body.as_bytes()).unwrap();
        doc.text_at(&["DelegationSet", "Id"]).unwrap().to_string()
    }

    fn code(a: &Answer) -> &'static str {
        match a {
            Answer::Error { code, .. } => code,
            Answer::Ok { .. } => "ok",
        }
    }

    #[test]
    fn a_set_gets_its_own_names_and_is_refused_twice_and_while_in_use() {
        let (r, z) = (ReusableSets::default(), DelegationSets::default());
        let a = create(&r, &z, "one", None);
        let id = id_of(&a);
        assert!(id.starts_with("/delegationset/N"), "{id}");
        let Answer::Ok {
            status,
            body,
            location,
        } = &a
        else {
            unreachable!()
        };
        assert_eq!(*status, 201);
        assert!(location.as_deref().unwrap().ends_with(bare(&id)));
        let index = r.index_of(&id).unwrap();
        assert!((nameservers::SETS..nameservers::ALL_SETS).contains(&index));
        for n in set_names(index) {
            assert!(body.contains(&n), "{body}");
        }
        // the same caller reference again
        assert_eq!(
            code(&create(&r, &z, "one", None)),
            "DelegationSetAlreadyCreated"
        );
        // a second set gets other names
        let b = id_of(&create(&r, &z, "two", None));
        assert_ne!(r.index_of(&b), Some(index));
        // a zone on it: creating names it, deleting the set is refused until the zone is gone
        let req = format!("<CreateHostedZoneRequest><Name>example.com</Name><DelegationSetId>{}</DelegationSetId></CreateHostedZoneRequest>", bare(&id));
        assert_eq!(r.check_new_zone(req.as_bytes()), Ok(Some(index)));
        z.assign_on("Z1", "example.com", index, bare(&id));
        let del = |id: &str| {
            r.handle(
                &z,
                "DeleteReusableDelegationSet",
                &format!("/2013-04-01/delegationset/{}", bare(id)),
                b"",
            )
            .unwrap()
        };
        assert_eq!(code(&del(&id)), "DelegationSetInUse");
        z.forget("Z1");
        assert_eq!(code(&del(&id)), "ok");
        assert_eq!(code(&del(&id)), "NoSuchDelegationSet");
        assert_eq!(
            code(
                &r.handle(
                    &z,
                    "GetReusableDelegationSet",
                    &format!("/2013-04-01/delegationset/{}", bare(&id)),
                    b""
                )
                .unwrap()
            ),
            "NoSuchDelegationSet"
        );
        // the list holds only the set left
        let Answer::Ok { body, .. } = r
            .handle(
                &z,
                "ListReusableDelegationSets",
                "/2013-04-01/delegationset",
                b"",
            )
            .unwrap()
        else {
            unreachable!()
        };
        assert!(body.contains(&b) && !body.contains(&id), "{body}");
    }

    #[test]
    fn a_zone_may_not_name_a_missing_set_or_be_private_on_one() {
        let (r, z) = (ReusableSets::default(), DelegationSets::default());
        let id = id_of(&create(&r, &z, "one", None));
        let missing = b"<CreateHostedZoneRequest><Name>a.test</Name><DelegationSetId>NNOPE</DelegationSetId></CreateHostedZoneRequest>";
        assert_eq!(
            code(&r.check_new_zone(missing).unwrap_err()),
            "NoSuchDelegationSet"
        );
        let private = format!("<CreateHostedZoneRequest><Name>a.test</Name><VPC><VPCId>vpc-1</VPCId></VPC><DelegationSetId>{}</DelegationSetId></CreateHostedZoneRequest>", bare(&id));
        assert_eq!(
            code(&r.check_new_zone(private.as_bytes()).unwrap_err()),
            "InvalidInput"
        );
        assert_eq!(
            r.check_new_zone(
                b"<CreateHostedZoneRequest><Name>a.test</Name></CreateHostedZoneRequest>"
            ),
            Ok(None)
        );
    }

    #[test]
    fn the_lab_runs_out_of_sets_with_a_named_limit() {
        let (r, z) = (ReusableSets::default(), DelegationSets::default());
        for i in 0..MAX_REUSABLE {
            assert_eq!(code(&create(&r, &z, &format!("c{i}"), None)), "ok");
        }
        assert_eq!(code(&create(&r, &z, "one more", None)), "LimitsExceeded");
    }

    #[test]
    fn a_zone_set_made_reusable_keeps_the_zone_names() {
        let (r, z) = (ReusableSets::default(), DelegationSets::default());
        let set = z.assign("Z9", "example.org", false);
        let id = id_of(&create(&r, &z, "from-zone", Some("/hostedzone/Z9")));
        assert_eq!(r.index_of(&id), Some(set));
        assert_eq!(z.zones_on_reusable(bare(&id)), vec!["Z9".to_string()]);
        assert_eq!(
            code(&create(&r, &z, "again", Some("Z9"))),
            "DelegationSetAlreadyReusable"
        );
        assert_eq!(
            code(&create(&r, &z, "gone", Some("ZNONE"))),
            "HostedZoneNotFound"
        );
    }
}
