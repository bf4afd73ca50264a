//! Route 53 hosting: hosted zones and record sets, find → status → wait, with reconciliation of
//! writes whose first attempt failed ambiguously.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use aws_sdk_route53 as r53;
use r53::types as t;
use r53_zone::{
    name::normalise, Alias, Failover, GeoLocation, GeoProximity, RecordSet, RecordType, Routing,
};

use crate::error::{Error, Result};
use crate::retry::RetryPolicy;

mod cidr_collection;
mod delegation_set;
mod dnssec;
mod health_check;
mod query_log;
mod sdk;
mod vpc;
mod zone_list;
pub use cidr_collection::{
    cidr_changes, new_cidr_caller_reference, CidrChange, CidrCollectionInfo, CidrLocations,
    MAX_BLOCKS_PER_CHANGE, MAX_CIDR_CALLER_REFERENCE,
};
pub use delegation_set::{new_set_caller_reference, strip_delegation_set_id, DelegationSet};
pub use dnssec::{new_ksk_caller_reference, DnssecInfo, KeySigningKeyInfo};
pub use health_check::{
    health_check_reference_name, new_health_check_caller_reference, CheckerReport, HealthCheckInfo,
    MAX_HEALTH_CHECK_REFERENCE_NAME,
};
pub use query_log::QueryLog;
use sdk::{record_from_sdk, to_change_batch, zone_from_sdk};
pub use vpc::{ZoneAssociation, MAX_AUTHORIZATION_PAGES};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vpc {
    pub id: String,
    pub region: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedZone {
    /// Without the "/hostedzone/" prefix.
    pub id: String,
    /// Normalised, no trailing dot.
    pub name: String,
    pub comment: Option<String>,
    pub private: bool,
    pub caller_reference: String,
    pub record_count: i64,
    pub name_servers: Vec<String>,
    pub delegation_set_id: Option<String>,
    pub vpcs: Vec<Vpc>,
}

#[derive(Debug, Clone)]
pub struct NewZone {
    pub name: String,
    pub comment: Option<String>,
    pub vpcs: Vec<Vpc>,
    pub delegation_set_id: Option<String>,
    /// Unique per creation ([`NewZone::new_caller_reference`]); retries reuse it so AWS can spot a
    /// duplicate.
    pub caller_reference: String,
}

/// Start of the CallerReference of every zone the provider creates (version 1 of the scheme:
/// `r53-tf1:<fingerprint>:<nonce>`). Zones made any other way (console, other tools, this provider
/// before the scheme) never match it, so they are never taken for an interrupted create.
pub const CALLER_REF_PREFIX: &str = "r53-tf1:";

/// Tag a zone gets once its create has answered Terraform (with the state, or a partial state),
/// i.e. once some Terraform state knows it. A zone with our CallerReference prefix and without
/// this tag is one whose create never answered (the provider was killed): the only kind of zone a
/// later create of the same zone takes over. Hidden from `tags` (read and write).
pub const CLAIM_TAG: &str = "r53:claimed";

impl NewZone {
    /// What a later create must match to take this zone over: name, public or private, the first
    /// VPC (a private zone is created with it) and the delegation set. FNV-1a (stable across
    /// builds and versions, unlike std's hasher); a filter, not a secret: the zone's name and
    /// claim tag are checked on the zone itself.
    pub fn fingerprint(&self) -> String {
        let first = self.vpcs.first();
        let text = format!(
            "{}\n{}\n{}\n{}\n{}",
            normalise(&self.name),
            if self.vpcs.is_empty() {
                "public"
            } else {
                "private"
            },
            first.map(|v| v.id.as_str()).unwrap_or(""),
            first.map(|v| v.region.as_str()).unwrap_or(""),
            self.delegation_set_id.as_deref().unwrap_or("")
        );
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in text.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        format!("{h:016x}")
    }

    /// `r53-tf1:<fingerprint>:`: what the CallerReference of a zone made for this spec starts with.
    pub fn caller_reference_base(&self) -> String {
        format!("{CALLER_REF_PREFIX}{}:", self.fingerprint())
    }

    /// A fresh CallerReference for one create (Route 53 refuses a reference used before, even by
    /// a zone deleted since, so each create needs its own nonce).
    pub fn new_caller_reference(&self) -> String {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        format!(
            "{}{nanos:x}-{:08x}",
            self.caller_reference_base(),
            rand::random::<u32>()
        )
    }
}

pub use crate::change::{Change, ChangeId};

pub use crate::call::Call;

#[derive(Clone, Debug)]
pub struct Route53 {
    client: r53::Client,
    policy: RetryPolicy,
    /// The longest pause between GetChange polls.
    pub poll: Duration,
}

pub fn strip_zone_id(id: &str) -> String {
    id.trim_start_matches("/hostedzone/")
        .trim_start_matches("hostedzone/")
        .to_string()
}

impl Route53 {
    pub fn new(client: r53::Client, policy: RetryPolicy) -> Self {
        Route53 {
            client,
            policy,
            poll: Duration::from_secs(2),
        }
    }

    // ---- hosted zones --------------------------------------------------------------------------

    pub async fn create_hosted_zone(
        &self,
        call: &Call,
        z: &NewZone,
    ) -> Result<(HostedZone, Option<ChangeId>)> {
        let out = call
            .send("CreateHostedZone", &self.policy, || {
                let mut req = self
                    .client
                    .create_hosted_zone()
                    .name(&z.name)
                    .caller_reference(&z.caller_reference)
                    .hosted_zone_config(
                        t::HostedZoneConfig::builder()
                            .set_comment(z.comment.clone())
                            .private_zone(!z.vpcs.is_empty())
                            .build(),
                    );
                // A private zone is created with its first VPC; the others are associated afterwards.
                if let Some(v) = z.vpcs.first() {
                    req = req.vpc(
                        t::Vpc::builder()
                            .vpc_id(&v.id)
                            .vpc_region(t::VpcRegion::from(v.region.as_str()))
                            .build(),
                    );
                }
                if let Some(d) = &z.delegation_set_id {
                    req = req.delegation_set_id(d);
                }
                req.send()
            })
            .await;
        match out.result {
            // Built from the response alone: once the zone exists the caller must get its ID, so no
            // further call (which Stop could cut short) may stand between it and the caller.
            Ok(o) => {
                let hz = o
                    .hosted_zone()
                    .ok_or_else(|| Error::Invalid("CreateHostedZone returned no zone".into()))?;
                let change = o.change_info().map(|c| ChangeId::of(c.id()));
                let mut zone = zone_from_sdk(hz);
                zone.name_servers = o
                    .delegation_set()
                    .map(|d| d.name_servers().to_vec())
                    .unwrap_or_default();
                zone.delegation_set_id = o
                    .delegation_set()
                    .and_then(|d| d.id())
                    .map(strip_delegation_set_id)
                    .filter(|s| !s.is_empty())
                    .or_else(|| z.delegation_set_id.clone());
                zone.vpcs = z.vpcs.iter().take(1).cloned().collect();
                Ok((zone, change))
            }
            // A retry of a request that did go through: find the zone our caller reference made.
            Err(Error::Api { code, .. }) if code == "HostedZoneAlreadyExists" && out.ambiguous => {
                let zone = self
                    .find_hosted_zones_by_name(call, &z.name)
                    .await?
                    .into_iter()
                    .find(|hz| hz.caller_reference == z.caller_reference)
                    .ok_or_else(|| {
                        Error::Invalid(format!(
                            "a hosted zone {} already exists with another caller reference",
                            z.name
                        ))
                    })?;
                let zone = self.find_hosted_zone_by_id(call, &zone.id).await?;
                Ok((zone, None))
            }
            Err(e) => Err(e),
        }
    }

    /// The zone an earlier create of the same spec made and never reported to Terraform (its
    /// provider was killed): named `z.name`, with a CallerReference starting with
    /// [`NewZone::caller_reference_base`] and without the [`CLAIM_TAG`]. Zones any Terraform state
    /// knows are claimed, so they are never returned; zones made outside this provider do not
    /// have the prefix. When several match (several killed creates), the first in Route 53's
    /// order is returned and the others are logged.
    pub async fn find_unclaimed_zone(
        &self,
        call: &Call,
        z: &NewZone,
    ) -> Result<Option<HostedZone>> {
        let base = z.caller_reference_base();
        let mut found: Option<HostedZone> = None;
        for hz in self.find_hosted_zones_by_name(call, &z.name).await? {
            if !hz.caller_reference.starts_with(&base) {
                continue;
            }
            if self.all_tags(call, &hz.id).await?.contains_key(CLAIM_TAG) {
                continue;
            }
            match &found {
                None => found = Some(hz),
                Some(first) => tracing::warn!(
                    zone_id = %hz.id,
                    adopted = %first.id,
                    "another unclaimed zone from an interrupted create; left alone"
                ),
            }
        }
        match found {
            Some(hz) => Ok(Some(self.find_hosted_zone_by_id(call, &hz.id).await?)),
            None => Ok(None),
        }
    }

    /// Whether a zone carries the [`CLAIM_TAG`] (some Terraform state knows it).
    pub async fn is_claimed(&self, call: &Call, id: &str) -> Result<bool> {
        Ok(self.all_tags(call, id).await?.contains_key(CLAIM_TAG))
    }

    /// Marks a zone as known to a Terraform state ([`CLAIM_TAG`]), so no later create takes it over.
    pub async fn claim_zone(&self, call: &Call, id: &str) -> Result<()> {
        let claim = t::Tag::builder().key(CLAIM_TAG).value("terraform").build();
        self.change_tags(
            call,
            t::TagResourceType::Hostedzone,
            id,
            Some(vec![claim]),
            None,
        )
        .await
    }

    /// One ChangeTagsForResource call (at most 10 tags to add and 10 keys to remove).
    async fn change_tags(
        &self,
        call: &Call,
        kind: t::TagResourceType,
        id: &str,
        add: Option<Vec<t::Tag>>,
        remove: Option<Vec<String>>,
    ) -> Result<()> {
        call.send("ChangeTagsForResource", &self.policy, || {
            self.client
                .change_tags_for_resource()
                .resource_type(kind.clone())
                .resource_id(id)
                .set_add_tags(add.clone())
                .set_remove_tag_keys(remove.clone())
                .send()
        })
        .await
        .result
        .map(|_| ())
    }

    pub async fn find_hosted_zone_by_id(&self, call: &Call, id: &str) -> Result<HostedZone> {
        let id = strip_zone_id(id);
        let out = call
            .send("GetHostedZone", &self.policy, || {
                self.client.get_hosted_zone().id(&id).send()
            })
            .await;
        let o = match out.result {
            Ok(o) => o,
            Err(Error::Api { code, .. }) if code == "NoSuchHostedZone" => {
                return Err(Error::NotFound {
                    what: format!("hosted zone {id}"),
                })
            }
            Err(e) => return Err(e),
        };
        let hz = o.hosted_zone().ok_or_else(|| Error::NotFound {
            what: format!("hosted zone {id}"),
        })?;
        let mut zone = zone_from_sdk(hz);
        zone.name_servers = o
            .delegation_set()
            .map(|d| d.name_servers().to_vec())
            .unwrap_or_default();
        // A zone on Route 53's default set has no set ID (moto answers an empty one).
        zone.delegation_set_id = o
            .delegation_set()
            .and_then(|d| d.id())
            .map(strip_delegation_set_id)
            .filter(|s| !s.is_empty());
        zone.vpcs = o
            .vpcs()
            .iter()
            .map(|v| Vpc {
                id: v.vpc_id().unwrap_or_default().to_string(),
                region: v
                    .vpc_region()
                    .map(|r| r.as_str().to_string())
                    .unwrap_or_default(),
            })
            .collect();
        Ok(zone)
    }

    /// Zones whose name is exactly `name` (there can be several: public + private, or duplicates).
    pub async fn find_hosted_zones_by_name(
        &self,
        call: &Call,
        name: &str,
    ) -> Result<Vec<HostedZone>> {
        let want = normalise(name);
        let mut out = Vec::new();
        let mut next: Option<(String, Option<String>)> = Some((format!("{want}."), None));
        while let Some((dns, zid)) = next.take() {
            let o = call
                .send("ListHostedZonesByName", &self.policy, || {
                    self.client
                        .list_hosted_zones_by_name()
                        .dns_name(&dns)
                        .set_hosted_zone_id(zid.clone())
                        .max_items(100)
                        .send()
                })
                .await
                .result?;
            let mut past = false;
            for hz in o.hosted_zones() {
                if normalise(hz.name()) == want {
                    out.push(zone_from_sdk(hz));
                } else {
                    past = true;
                }
            }
            if o.is_truncated() && !past {
                if let (Some(n), Some(z)) = (o.next_dns_name(), o.next_hosted_zone_id()) {
                    next = Some((n.to_string(), Some(z.to_string())));
                }
            }
        }
        Ok(out)
    }

    pub async fn update_zone_comment(
        &self,
        call: &Call,
        id: &str,
        comment: Option<&str>,
    ) -> Result<()> {
        call.send("UpdateHostedZoneComment", &self.policy, || {
            self.client
                .update_hosted_zone_comment()
                .id(id)
                .set_comment(Some(comment.unwrap_or("").to_string()))
                .send()
        })
        .await
        .result
        .map(|_| ())
    }

    /// The zone's tags, without the provider's own [`CLAIM_TAG`] (never shown, never removed).
    pub async fn tags(&self, call: &Call, id: &str) -> Result<BTreeMap<String, String>> {
        let mut tags = self.all_tags(call, id).await?;
        tags.remove(CLAIM_TAG);
        Ok(tags)
    }

    async fn all_tags(&self, call: &Call, id: &str) -> Result<BTreeMap<String, String>> {
        self.tags_of(call, t::TagResourceType::Hostedzone, id).await
    }

    /// The tags of a zone or health check (`kind`), as Route 53 has them.
    async fn tags_of(
        &self,
        call: &Call,
        kind: t::TagResourceType,
        id: &str,
    ) -> Result<BTreeMap<String, String>> {
        let o = call
            .send("ListTagsForResource", &self.policy, || {
                self.client
                    .list_tags_for_resource()
                    .resource_type(kind.clone())
                    .resource_id(id)
                    .send()
            })
            .await
            .result?;
        Ok(o.resource_tag_set()
            .map(|s| {
                s.tags()
                    .iter()
                    .map(|t| {
                        (
                            t.key().unwrap_or_default().to_string(),
                            t.value().unwrap_or_default().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Makes the zone's tags exactly `want` (`have` as [`Route53::tags`] gives it: the claim tag
    /// is never removed).
    pub async fn set_tags(
        &self,
        call: &Call,
        id: &str,
        have: &BTreeMap<String, String>,
        want: &BTreeMap<String, String>,
    ) -> Result<()> {
        self.set_tags_of(call, t::TagResourceType::Hostedzone, id, have, want)
            .await
    }

    /// Makes the tags of a zone or health check (`kind`) exactly `want`, given `have`.
    async fn set_tags_of(
        &self,
        call: &Call,
        kind: t::TagResourceType,
        id: &str,
        have: &BTreeMap<String, String>,
        want: &BTreeMap<String, String>,
    ) -> Result<()> {
        let add: Vec<t::Tag> = want
            .iter()
            .filter(|(k, v)| have.get(*k) != Some(v))
            .map(|(k, v)| t::Tag::builder().key(k).value(v).build())
            .collect();
        let remove: Vec<String> = have
            .keys()
            .filter(|k| !want.contains_key(*k))
            .cloned()
            .collect();
        if add.is_empty() && remove.is_empty() {
            return Ok(());
        }
        // Route 53 takes at most 10 tags to add and 10 keys to remove per call.
        let (mut add_it, mut rm_it) = (add.chunks(10), remove.chunks(10));
        loop {
            let (a, r) = (add_it.next(), rm_it.next());
            if a.is_none() && r.is_none() {
                return Ok(());
            }
            self.change_tags(
                call,
                kind.clone(),
                id,
                a.map(|x| x.to_vec()),
                r.map(|x| x.to_vec()),
            )
            .await?;
        }
    }

    /// Deletes a zone. A zone already gone counts as deleted.
    pub async fn delete_hosted_zone(&self, call: &Call, id: &str) -> Result<Option<ChangeId>> {
        let out = call
            .send("DeleteHostedZone", &self.policy, || {
                self.client.delete_hosted_zone().id(id).send()
            })
            .await;
        match out.result {
            Ok(o) => Ok(o.change_info().map(|c| ChangeId::of(c.id()))),
            Err(Error::Api { code, .. }) if code == "NoSuchHostedZone" => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Deletes every record set except the apex SOA and NS, re-listing until none is left so records
    /// added out of band meanwhile do not make the zone deletion fail.
    pub async fn empty_zone(&self, call: &Call, zone: &HostedZone) -> Result<usize> {
        let mut deleted = 0;
        for _round in 0..20 {
            let sets: Vec<RecordSet> = self
                .list_record_sets(call, &zone.id)
                .await?
                .into_iter()
                .filter(|r| {
                    !(r.name == zone.name && matches!(r.ty, RecordType::Soa | RecordType::Ns))
                })
                .collect();
            if sets.is_empty() {
                return Ok(deleted);
            }
            for chunk in sets.chunks(500) {
                let changes: Vec<Change> = chunk.iter().cloned().map(Change::Delete).collect();
                let id = self
                    .change_record_sets(call, &zone.id, &changes, "r53: force_destroy")
                    .await?;
                self.wait_change_insync(call, id.as_ref()).await?;
                deleted += chunk.len();
            }
        }
        Err(Error::Invalid(format!(
            "zone {} kept gaining records while being emptied",
            zone.name
        )))
    }

    // ---- changes -------------------------------------------------------------------------------

    /// Waits until the change is INSYNC; `None` (nothing was sent, or an earlier attempt's change
    /// already landed) is done at once.
    pub async fn wait_change_insync(&self, call: &Call, id: Option<&ChangeId>) -> Result<()> {
        let Some(id) = id else {
            return Ok(());
        };
        // Changes usually sync within seconds: poll quickly first, then back off.
        let started = Instant::now();
        let mut wait = Duration::from_millis(500);
        loop {
            let o = call
                .send("GetChange", &self.policy, || {
                    self.client.get_change().id(&id.0).send()
                })
                .await
                .result?;
            if o.change_info().map(|c| c.status()) == Some(&t::ChangeStatus::Insync) {
                return Ok(());
            }
            wait = wait.min(self.poll).min(call.remaining());
            if wait.is_zero() {
                return Err(Error::Timeout {
                    what: format!("change {} to be INSYNC", id.0),
                    after: started.elapsed(),
                });
            }
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = call.cancel.cancelled() => return Err(Error::Cancelled),
            }
            wait = wait.mul_f32(1.5);
        }
    }

    // ---- record sets ---------------------------------------------------------------------------

    /// Every record set of a zone (pages of up to 300).
    pub async fn list_record_sets(&self, call: &Call, zone_id: &str) -> Result<Vec<RecordSet>> {
        let mut out = Vec::new();
        self.each_record_set(call, zone_id, |rs| out.push(rs))
            .await?;
        Ok(out)
    }

    /// Every record set of a zone, handed to `f` page by page as it arrives (in Route 53's order),
    /// so a caller turning 10,000 sets into something else never holds them all at once.
    pub async fn each_record_set(
        &self,
        call: &Call,
        zone_id: &str,
        mut f: impl FnMut(RecordSet),
    ) -> Result<()> {
        let mut start: Option<(String, t::RrType, Option<String>)> = None;
        loop {
            let o = call
                .send("ListResourceRecordSets", &self.policy, || {
                    let mut req = self
                        .client
                        .list_resource_record_sets()
                        .hosted_zone_id(zone_id)
                        .max_items(300);
                    if let Some((n, ty, id)) = &start {
                        req = req
                            .start_record_name(n)
                            .start_record_type(ty.clone())
                            .set_start_record_identifier(id.clone());
                    }
                    req.send()
                })
                .await;
            let o = match o.result {
                Err(Error::Api { code, .. }) if code == "NoSuchHostedZone" => {
                    return Err(Error::NotFound {
                        what: format!("hosted zone {zone_id}"),
                    })
                }
                r => r?,
            };
            for r in o.resource_record_sets() {
                if let Some(rs) = record_from_sdk(r) {
                    f(rs);
                }
            }
            match (o.is_truncated(), o.next_record_name(), o.next_record_type()) {
                (true, Some(n), Some(ty)) => {
                    start = Some((
                        n.to_string(),
                        ty.clone(),
                        o.next_record_identifier().map(str::to_string),
                    ))
                }
                _ => return Ok(()),
            }
        }
    }

    /// The record set with this name, type and set identifier.
    pub async fn find_record_set(
        &self,
        call: &Call,
        zone_id: &str,
        name: &str,
        ty: RecordType,
        set_id: Option<&str>,
    ) -> Result<RecordSet> {
        let want = normalise(name);
        let not_found = || Error::NotFound {
            what: format!(
                "record set {want} {ty}{} in zone {zone_id}",
                set_id.map(|s| format!(" ({s})")).unwrap_or_default()
            ),
        };
        let o = call
            .send("ListResourceRecordSets", &self.policy, || {
                self.client
                    .list_resource_record_sets()
                    .hosted_zone_id(zone_id)
                    .start_record_name(format!("{want}."))
                    .start_record_type(t::RrType::from(ty.as_str()))
                    .set_start_record_identifier(set_id.map(str::to_string))
                    .max_items(if set_id.is_some() { 300 } else { 1 })
                    .send()
            })
            .await;
        let o = match o.result {
            Err(Error::Api { code, .. }) if code == "NoSuchHostedZone" => return Err(not_found()),
            r => r?,
        };
        o.resource_record_sets()
            .iter()
            .filter_map(record_from_sdk)
            .find(|r| r.name == want && r.ty == ty && r.set_identifier.as_deref() == set_id)
            .ok_or_else(not_found)
    }

    /// Sends one change batch. If an earlier attempt failed ambiguously and AWS now refuses the batch,
    /// checks whether the zone already reflects it (our first attempt did land) before failing.
    pub async fn change_record_sets(
        &self,
        call: &Call,
        zone_id: &str,
        changes: &[Change],
        comment: &str,
    ) -> Result<Option<ChangeId>> {
        let batch = to_change_batch(changes, comment)?;
        let out = call
            .send("ChangeResourceRecordSets", &self.policy, || {
                self.client
                    .change_resource_record_sets()
                    .hosted_zone_id(zone_id)
                    .change_batch(batch.clone())
                    .send()
            })
            .await;
        match out.result {
            Ok(o) => Ok(o.change_info().map(|c| ChangeId::of(c.id()))),
            Err(Error::Api { code, message, op })
                if code == "InvalidChangeBatch" && out.ambiguous =>
            {
                if self.changes_applied(call, zone_id, changes).await? {
                    tracing::info!(
                        zone_id,
                        "change batch had already been applied by an earlier attempt"
                    );
                    Ok(None)
                } else {
                    Err(Error::Api { op, code, message })
                }
            }
            Err(e) => Err(e),
        }
    }

    async fn changes_applied(
        &self,
        call: &Call,
        zone_id: &str,
        changes: &[Change],
    ) -> Result<bool> {
        for c in changes {
            match c {
                Change::Create(r) | Change::Upsert(r) => {
                    match self
                        .find_record_set(call, zone_id, &r.name, r.ty, r.set_identifier.as_deref())
                        .await
                    {
                        Ok(have) if same_record(&have, r) => {}
                        Ok(_) => return Ok(false),
                        Err(e) if e.is_not_found() => return Ok(false),
                        Err(e) => return Err(e),
                    }
                }
                Change::Delete(r) => match self
                    .find_record_set(call, zone_id, &r.name, r.ty, r.set_identifier.as_deref())
                    .await
                {
                    Ok(_) => return Ok(false),
                    Err(e) if e.is_not_found() => {}
                    Err(e) => return Err(e),
                },
            }
        }
        Ok(true)
    }
}

/// Whether two record sets are the same to Route 53: one definition, in the zone model.
pub use r53_zone::plan::same_record;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_ids_lose_their_prefix() {
        assert_eq!(strip_zone_id("/hostedzone/Z123"), "Z123");
        assert_eq!(strip_zone_id("Z123"), "Z123");
    }
}
