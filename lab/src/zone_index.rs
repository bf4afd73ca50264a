//! The proxy's own index of each zone's record sets, so checking a change batch against AWS's
//! rules costs what the batch costs, not two upstream queries per change (moto answers each by
//! sorting the whole zone). The proxy builds a zone's index from moto when it first checks a batch
//! there, applies every batch moto accepts, and drops the index after anything it did not route
//! or cannot follow (a failed batch, a lenient one, an unknown request).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::moto_api::{norm, RecordSet};
use crate::xml::Element;

/// A record set's identity: normalised name, type, set identifier.
type Key = (String, String, Option<String>);

fn key(r: &RecordSet) -> Key {
    (r.name.clone(), r.ty.clone(), r.set_id.clone())
}

/// A set as parsed, values sorted: AWS compares a DELETE's values as a set.
fn sorted_set(e: &Element) -> RecordSet {
    let mut r = RecordSet::of(e);
    r.values.sort();
    r
}

/// One change of a `ChangeResourceRecordSets` request.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    action: String,
    set: RecordSet,
}

/// The changes of a request body, in order (changes without a record set are skipped).
pub(crate) fn changes_of(doc: &Element) -> Vec<Change> {
    let mut found = Vec::new();
    doc.find_all("Change", &mut found);
    found
        .into_iter()
        .filter_map(|c| {
            Some(Change {
                action: c.text_at(&["Action"]).unwrap_or_default().to_string(),
                set: sorted_set(c.child("ResourceRecordSet")?),
            })
        })
        .collect()
}

/// One zone as moto holds it.
#[derive(Debug, Default)]
pub(crate) struct ZoneIndex {
    /// The zone's name, normalised.
    name: String,
    sets: BTreeMap<Key, RecordSet>,
    /// Keys by set identifier: moto's DELETE of a set with an identifier removes every set
    /// carrying that identifier, at any name.
    by_set_id: HashMap<String, BTreeSet<Key>>,
}

impl ZoneIndex {
    /// The index of a zone from a listing; where moto holds duplicates (it accepts a repeated
    /// CREATE when lenient), the first listed stands, as the upstream queries found it.
    fn new(name: &str, listed: impl IntoIterator<Item = RecordSet>) -> ZoneIndex {
        let mut z = ZoneIndex {
            name: name.to_string(),
            ..Default::default()
        };
        for mut r in listed {
            let k = key(&r);
            if !z.sets.contains_key(&k) {
                r.values.sort();
                z.insert(r);
            }
        }
        z
    }

    /// The index of moto's zone `zone` (its ID), read through `get` (see [`crate::moto_api::list_all`]):
    /// the zone's name, then every record set. None when moto does not know the zone (it answers
    /// the batch itself).
    pub(crate) async fn load<F, Fut>(zone: &str, get: F) -> anyhow::Result<Option<ZoneIndex>>
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = anyhow::Result<Element>>,
    {
        let name = match get(format!("/2013-04-01/hostedzone/{zone}")).await {
            Ok(z) => norm(z.text_at(&["HostedZone", "Name"]).unwrap_or_default()),
            Err(e) if e.to_string().contains("404") => return Ok(None),
            Err(e) => return Err(e),
        };
        let sets = crate::moto_api::list_all(zone, get).await?;
        Ok(Some(ZoneIndex::new(&name, sets)))
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.sets.len()
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    fn insert(&mut self, r: RecordSet) {
        let k = key(&r);
        if let Some(id) = &r.set_id {
            self.by_set_id
                .entry(id.clone())
                .or_default()
                .insert(k.clone());
        }
        self.sets.insert(k, r);
    }

    fn remove(&mut self, k: &Key) {
        self.sets.remove(k);
        if let Some(id) = &k.2 {
            if let Some(keys) = self.by_set_id.get_mut(id) {
                keys.remove(k);
                if keys.is_empty() {
                    self.by_set_id.remove(id);
                }
            }
        }
    }

    /// Every record set with exactly this name.
    fn at<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a RecordSet> + 'a {
        self.sets
            .range((name.to_string(), String::new(), None)..)
            .take_while(move |(k, _)| k.0 == name)
            .map(|(_, r)| r)
    }

    /// AWS's checks moto skips, against the zone before the batch. Err(message) refuses the
    /// whole batch, as AWS does.
    pub(crate) fn check(&self, changes: &[Change]) -> Result<(), String> {
        let zone_name = &self.name;
        let deleted_in_batch = |o: &RecordSet| {
            changes
                .iter()
                .any(|c| c.action == "DELETE" && key(&c.set) == key(o))
        };
        let mut problems = Vec::new();
        for Change { action, set: want } in changes {
            let label = format!(
                "[name='{}.', type='{}'{}]",
                want.name,
                want.ty,
                want.set_id
                    .as_ref()
                    .map(|s| format!(", set-identifier='{s}'"))
                    .unwrap_or_default()
            );
            if want.ty == "CNAME" && &want.name == zone_name && action != "DELETE" {
                problems.push(format!("RRSet of type CNAME with DNS name {}. is not permitted at apex in zone {zone_name}.", want.name));
                continue;
            }
            if action != "DELETE" {
                // DNS: a CNAME cannot share its name with any other record type.
                let clash = self
                    .at(&want.name)
                    .filter(|o| !deleted_in_batch(o))
                    .find(|o| (want.ty == "CNAME") != (o.ty == "CNAME"));
                if let Some(o) = clash {
                    problems.push(format!(
                        "RRSet of type {} with DNS name {}. is not permitted because a conflicting RRSet of type {} with the same DNS name already exists in zone {zone_name}.",
                        want.ty, want.name, o.ty
                    ));
                    continue;
                }
            }
            match (action.as_str(), self.sets.get(&key(want))) {
                ("CREATE", Some(_)) => problems.push(format!(
                    "Tried to create resource record set {label} but it already exists"
                )),
                ("DELETE", None) => problems.push(format!(
                    "Tried to delete resource record set {label} but it was not found"
                )),
                ("DELETE", Some(h)) if h.ttl != want.ttl || h.values != want.values || h.alias != want.alias => problems.push(format!(
                    "Tried to delete resource record set {label} but the values provided do not match the current values"
                )),
                _ => {}
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }

    /// A batch moto accepted, applied as moto applies it: CREATE and UPSERT write the set; DELETE
    /// with a set identifier removes every set with that identifier, without one every set of
    /// that name and type.
    pub(crate) fn apply(&mut self, changes: &[Change]) {
        for c in changes {
            match c.action.as_str() {
                "CREATE" | "UPSERT" => self.insert(c.set.clone()),
                "DELETE" => {
                    let gone: Vec<Key> = match &c.set.set_id {
                        Some(id) => self
                            .by_set_id
                            .get(id)
                            .map(|keys| keys.iter().cloned().collect())
                            .unwrap_or_default(),
                        None => self
                            .at(&c.set.name)
                            .filter(|r| r.ty == c.set.ty)
                            .map(key)
                            .collect(),
                    };
                    for k in &gone {
                        self.remove(k);
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(name: &str, ty: &str, id: Option<&str>, values: &[&str]) -> RecordSet {
        RecordSet {
            name: name.into(),
            ty: ty.into(),
            set_id: id.map(Into::into),
            ttl: Some(300),
            values: values.iter().map(|v| v.to_string()).collect(),
            alias: None,
            failover: None,
            weight: None,
        }
    }

    fn change(action: &str, set: RecordSet) -> Change {
        Change {
            action: action.into(),
            set,
        }
    }

    fn zone() -> ZoneIndex {
        ZoneIndex::new(
            "ex.test",
            [
                set("ex.test", "NS", None, &["ns1."]),
                set("www.ex.test", "A", None, &["2", "1"]),
                set("w.ex.test", "A", Some("eu"), &["3"]),
                set("v.ex.test", "A", Some("eu"), &["4"]),
                set("w.ex.test", "A", Some("us"), &["5"]),
                // A duplicate moto kept: the first listed stands.
                set("www.ex.test", "A", None, &["9"]),
            ],
        )
    }

    #[test]
    fn batches_are_checked_against_the_zone_before_them() {
        let z = zone();
        assert_eq!(z.len(), 5);
        assert_eq!(
            z.check(&[change("CREATE", set("new.ex.test", "A", None, &["1"]))]),
            Ok(())
        );
        let e = z
            .check(&[change("CREATE", set("www.ex.test", "A", None, &["1"]))])
            .unwrap_err();
        assert!(
            e.contains("[name='www.ex.test.', type='A'] but it already exists"),
            "{e}"
        );
        // Values compare as a set (the listing's order does not matter); a mismatch is refused.
        assert_eq!(
            z.check(&[change("DELETE", set("www.ex.test", "A", None, &["1", "2"]))]),
            Ok(())
        );
        let e = z
            .check(&[change("DELETE", set("www.ex.test", "A", None, &["1"]))])
            .unwrap_err();
        assert!(e.contains("do not match the current values"), "{e}");
        let e = z
            .check(&[change("DELETE", set("w.ex.test", "A", Some("ap"), &["3"]))])
            .unwrap_err();
        assert!(
            e.contains("set-identifier='ap'] but it was not found"),
            "{e}"
        );
        // A CNAME at the apex, and beside another type unless that one goes in the same batch.
        let e = z
            .check(&[change("UPSERT", set("ex.test", "CNAME", None, &["x."]))])
            .unwrap_err();
        assert!(e.contains("not permitted at apex"), "{e}");
        let cname = change("CREATE", set("www.ex.test", "CNAME", None, &["x."]));
        let e = z.check(std::slice::from_ref(&cname)).unwrap_err();
        assert!(e.contains("conflicting RRSet of type A"), "{e}");
        let delete_a = change("DELETE", set("www.ex.test", "A", None, &["1", "2"]));
        assert_eq!(z.check(&[delete_a, cname]), Ok(()));
        // Every problem is reported, in order.
        let e = z
            .check(&[
                change("CREATE", set("www.ex.test", "A", None, &["1"])),
                change("DELETE", set("gone.ex.test", "A", None, &["1"])),
            ])
            .unwrap_err();
        assert_eq!(e.matches("; ").count(), 1, "{e}");
    }

    #[test]
    fn accepted_batches_change_the_index_as_they_change_moto() {
        let mut z = zone();
        z.apply(&[
            change("UPSERT", set("new.ex.test", "TXT", None, &["a", "b"])),
            change("CREATE", set("www.ex.test", "A", None, &["7"])),
        ]);
        assert_eq!(z.len(), 6);
        assert_eq!(
            z.check(&[change("DELETE", set("www.ex.test", "A", None, &["7"]))]),
            Ok(())
        );
        assert_eq!(
            z.check(&[change(
                "DELETE",
                set("new.ex.test", "TXT", None, &["a", "b"])
            )]),
            Ok(())
        );
        // moto's DELETE by set identifier removes that identifier at every name.
        z.apply(&[change("DELETE", set("w.ex.test", "A", Some("eu"), &["3"]))]);
        assert_eq!(z.len(), 4);
        assert!(z
            .check(&[change("CREATE", set("v.ex.test", "A", Some("eu"), &["4"]))])
            .is_ok());
        assert!(z
            .check(&[change("CREATE", set("w.ex.test", "A", Some("us"), &["4"]))])
            .is_err());
        // Without one, every set of that name and type goes, weighted ones included.
        z.apply(&[change("DELETE", set("w.ex.test", "A", None, &["5"]))]);
        assert_eq!(z.len(), 3);
        assert!(z
            .check(&[change("CREATE", set("w.ex.test", "A", Some("us"), &["5"]))])
            .is_ok());
        assert!(!z.is_empty());
    }

    #[test]
    fn a_request_body_gives_its_changes_in_order() {
        let doc = crate::xml::parse(br#"<ChangeResourceRecordSetsRequest><ChangeBatch><Changes><Change><Action>DELETE</Action><ResourceRecordSet><Name>A.ex.test.</Name><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>2</Value></ResourceRecord><ResourceRecord><Value>1</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change><Change><Action>CREATE</Action><ResourceRecordSet><Name>b.ex.test</Name><Type>TXT</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>"x"</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>"#).unwrap();
        let c = changes_of(&doc);
        assert_eq!(c.len(), 2);
        assert_eq!(
            (c[0].action.as_str(), c[0].set.name.as_str()),
            ("DELETE", "a.ex.test")
        );
        assert_eq!(c[0].set.values, vec!["1", "2"]);
        assert_eq!(
            (c[1].action.as_str(), c[1].set.ty.as_str()),
            ("CREATE", "TXT")
        );
    }
}
