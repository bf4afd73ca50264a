//! `r53_delegation`'s DNSSEC: the DS records for `dnssec_keys`, published at the parent in the
//! only safe order and removed in the reverse one.
//!
//! Publishing: every target name server serves the zone signed by the keys (DNSKEY set and SOA
//! verify) → wait the zone's maximum TTL, so no resolver still holds an unsigned answer → publish
//! (registrar key, parent-zone DS record set, or, external, say what to enter) → wait until every
//! parent server publishes it → validate the chain in process from the trust anchors → wait the
//! larger NS TTL. Removing: unpublish → wait until no parent server publishes it → wait the DS TTL,
//! so no resolver still expects signatures → validate (never bogus). Keys are matched by the DS
//! computed here (key tag, digest type, digest), never by registrar Ids.

use std::time::{Duration, Instant};

use r53_core::dns::delegation::{ds_text_key, same_ds, ParentView, Walker};
use r53_core::dns::dnssec::ds_from_text;
use r53_core::domains::{DnssecKeyInput, DsParts};
use r53_core::{Call, Change};
use r53_plugin::{Ctx, Diagnostic, Field};
use r53_zone::{RecordSet, RecordType};

use super::{Delegation, DelegationResource, Mode, DEFAULT_TTL};
use crate::common::*;
use crate::meta::Meta;

/// A `dnssec_keys` entry that is a DS the parent publishes but no configured key matches (read
/// writes these into state so the plan shows their removal).
const STRAY: &str = "DS ";

/// One configured key and the DS the parent should publish for it.
#[derive(Clone, Debug)]
pub(super) struct Key {
    pub(super) input: DnssecKeyInput,
    pub(super) ds: DsParts,
}

/// A `dnssec_keys` entry (`FLAGS 3 ALGORITHM BASE64`) for `domain`, or why not.
pub(super) fn parse_key(domain: &str, text: &str) -> Result<Key, String> {
    let t: Vec<&str> = text.split_whitespace().collect();
    if text.starts_with(STRAY) {
        return Err(format!(
            "{text:?} is a DS record; dnssec_keys takes the zone's DNSKEY record data (`257 3 13 <base64>`, e.g. \
             r53_key_signing_key.<name>.dnskey_record). In the state a `DS …` entry is a DS the parent publishes that \
             no configured key matches."
        ));
    }
    let [flags, proto, alg, key @ ..] = t.as_slice() else {
        return Err(format!(
            "{text:?}: expected DNSKEY record data, `FLAGS 3 ALGORITHM BASE64-KEY`"
        ));
    };
    let (Ok(flags), Ok(3), Ok(algorithm), false) = (
        flags.parse::<u16>(),
        proto.parse::<u8>(),
        alg.parse::<u8>(),
        key.is_empty(),
    ) else {
        return Err(format!(
            "{text:?}: expected DNSKEY record data, `FLAGS 3 ALGORITHM BASE64-KEY` (flags 257 or 256, protocol 3)"
        ));
    };
    let input = DnssecKeyInput {
        flags,
        algorithm,
        public_key: key.concat(),
    };
    let ds = input.ds(domain).map_err(|e| e.to_string())?;
    Ok(Key { input, ds })
}

/// The DS of each entry that is a key (`DS …` entries are not).
pub(super) fn ds_records(domain: &str, keys: &[String]) -> Vec<String> {
    keys.iter()
        .filter_map(|t| parse_key(domain, t).ok())
        .map(|k| k.ds.text())
        .collect()
}

/// The configured keys (None: not managed).
pub(super) fn keys_of(domain: &str, m: &Delegation) -> Result<Option<Vec<Key>>, String> {
    if m.dnssec_keys.is_null() {
        return Ok(None);
    }
    m.dnssec_keys
        .items()
        .iter()
        .map(|k| parse_key(domain, k))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// The same DS: key tag, digest type and digest (the algorithm is not always returned).
fn same(a: &DsParts, b: &DsParts) -> bool {
    a.key_tag == b.key_tag
        && a.digest_type == b.digest_type
        && a.digest.eq_ignore_ascii_case(&b.digest)
}

/// `TAG ALG DT HEX` as parts.
fn parts_of(text: &str) -> Option<DsParts> {
    let t = ds_text_key(text);
    let mut it = t.split(' ');
    let key_tag = it.next()?.parse().ok()?;
    let algorithm = it.next()?.parse().ok()?;
    let digest_type = it.next()?.parse().ok()?;
    let digest: String = it.collect();
    (!digest.is_empty()).then_some(DsParts {
        key_tag,
        algorithm,
        digest_type,
        digest,
    })
}

/// What every DS step works within: the provider, the operation (deadline), Terraform's
/// context (warnings, Stop), the mode and the domain.
pub(super) struct DsOp<'a> {
    pub(super) meta: &'a Meta,
    pub(super) c: &'a Call,
    pub(super) ctx: &'a Ctx,
    pub(super) mode: &'a Mode,
    pub(super) domain: &'a str,
    /// The DS records the prior state held (keys' DS and `DS …` entries): only these may be
    /// removed — the plan showed them going. None on create.
    pub(super) prior_ds: Option<Vec<String>>,
    /// Seconds resolvers may still follow the delegation from before a switch made by this
    /// apply (the parent's NS TTL then): added to the wait before a DS is published.
    pub(super) switched_ns_ttl: u32,
}

/// The DS each entry of a prior `dnssec_keys` stands for (a key's DS, or a `DS …` entry's text).
pub(super) fn prior_ds(domain: &str, keys: &[String]) -> Vec<String> {
    keys.iter()
        .filter_map(|t| match t.strip_prefix(STRAY) {
            Some(ds) => Some(ds_text_key(ds)),
            None => parse_key(domain, t).ok().map(|k| k.ds.text()),
        })
        .collect()
}

impl DelegationResource {
    /// The DS records bound now: the registrar's keys, the parent zone's DS record set, or
    /// (external) what every parent server agrees on. None: nothing to read (no view).
    pub(super) async fn live_ds(
        &self,
        meta: &Meta,
        c: &Call,
        mode: &Mode,
        domain: &str,
        view: Option<&ParentView>,
    ) -> Result<Option<Vec<DsParts>>, Diagnostic> {
        match mode {
            Mode::Registrar => match meta.aws.domains.ds_keys(c, domain).await {
                Ok(keys) => Ok(Some(
                    keys.iter()
                        .map(|k| DsParts {
                            key_tag: k.key_tag,
                            algorithm: k.algorithm.unwrap_or(0),
                            digest_type: k.digest_type,
                            digest: k.digest.to_ascii_uppercase(),
                        })
                        .collect(),
                )),
                Err(e) if e.is_not_found() => Ok(None),
                Err(e) => Err(api_diag(
                    &format!("Reading the DNSSEC keys of {domain}"),
                    &e,
                )),
            },
            Mode::Parent(z) => {
                match meta
                    .aws
                    .route53
                    .find_record_set(c, z, domain, RecordType::Ds, None)
                    .await
                {
                    Ok(r) => Ok(Some(r.values.iter().filter_map(|v| parts_of(v)).collect())),
                    Err(e) if e.is_not_found() => Ok(Some(Vec::new())),
                    Err(e) => Err(api_diag(&format!("Reading DS {domain} in zone {z}"), &e)),
                }
            }
            Mode::External => Ok(view
                .and_then(ParentView::ds_agreed)
                .map(|d| d.iter().filter_map(|t| parts_of(t)).collect())),
        }
    }

    /// `dnssec_keys` as it is live: each known key (configured, or served by the zone) whose DS
    /// is bound, then `DS …` for each bound DS no key matches.
    pub(super) async fn keys_seen(
        &self,
        meta: &Meta,
        c: &Call,
        domain: &str,
        known: &[String],
        live: &[DsParts],
    ) -> Vec<String> {
        let mut candidates: Vec<(String, Key)> = known
            .iter()
            .filter_map(|t| parse_key(domain, t).ok().map(|k| (t.clone(), k)))
            .collect();
        // Import (no keys known): the zone's own DNSKEY set, from a name server it is delegated to.
        if candidates.is_empty() && !live.is_empty() {
            let w = Walker::new(meta.dns.clone()).bounded_by(c);
            if let Ok(view) = w.parent_view(domain).await {
                if let Some(ns) = view.published().and_then(|n| n.first().cloned()) {
                    let a = w.check_server(&ns, view.glue.get(&ns), domain, true).await;
                    for (flags, alg, pk) in a.dnskey_fields() {
                        let t = format!("{flags} 3 {alg} {pk}");
                        if let Ok(k) = parse_key(domain, &t) {
                            candidates.push((t, k));
                        }
                    }
                }
            }
        }
        let mut out: Vec<String> = candidates
            .iter()
            .filter(|(_, k)| live.iter().any(|d| same(d, &k.ds)))
            .map(|(t, _)| t.clone())
            .collect();
        for d in live {
            if !candidates.iter().any(|(_, k)| same(d, &k.ds)) {
                out.push(format!("{STRAY}{}", d.text()));
            }
        }
        out
    }

    /// Sets the computed DNSSEC attributes: the DS for the keys, what the parent publishes and,
    /// when keys are managed, the in-process verdict.
    pub(super) async fn dnssec_status(
        &self,
        meta: &Meta,
        c: &Call,
        domain: &str,
        view: Option<&ParentView>,
        s: &mut Delegation,
    ) {
        s.ds_records = Field::Known(ds_records(domain, s.dnssec_keys.items()));
        s.published_ds = Field::Known(view.and_then(ParentView::ds_agreed).unwrap_or_default());
        if s.dnssec_keys.is_null() {
            s.dnssec = Field::Null;
            s.dnssec_reason = Field::Null;
            return;
        }
        let w = Walker::new(meta.dns.clone()).bounded_by(c);
        let (verdict, reason) = crate::dnssec_diag::verdict(&w, domain).await;
        s.dnssec = Field::Known(verdict.to_string());
        s.dnssec_reason = reason.into();
    }

    /// Publishes the DS of `add` and removes `remove` in one write of the bound set (registrar:
    /// one operation per key, each waited for).
    async fn write_ds(
        &self,
        op: &DsOp<'_>,
        planned: &Delegation,
        live: &[DsParts],
        add: &[Key],
        remove: &[DsParts],
    ) -> Result<(), Diagnostic> {
        let DsOp {
            meta,
            c,
            mode,
            domain,
            ..
        } = *op;
        let what = format!("{} {domain}: DS", super::TYPE_NAME);
        match mode {
            Mode::Registrar => {
                let dm = &meta.aws.domains;
                for k in add {
                    let op = dm
                        .associate_ds(c, domain, &k.input)
                        .await
                        .map_err(|e| api_diag(&what, &e))?;
                    dm.wait_operation_successful(c, &op)
                        .await
                        .map_err(|e| api_diag(&what, &e))?;
                }
                for d in remove {
                    let op = dm
                        .disassociate_ds(c, domain, d)
                        .await
                        .map_err(|e| api_diag(&what, &e))?;
                    dm.wait_operation_successful(c, &op)
                        .await
                        .map_err(|e| api_diag(&what, &e))?;
                }
            }
            Mode::Parent(zid) => {
                let mut values: Vec<String> = live
                    .iter()
                    .filter(|d| !remove.iter().any(|r| same(r, d)))
                    .map(DsParts::text)
                    .collect();
                for k in add {
                    if !values
                        .iter()
                        .any(|v| parts_of(v).is_some_and(|d| same(&d, &k.ds)))
                    {
                        values.push(k.ds.text());
                    }
                }
                let r = &meta.aws.route53;
                let set = |values: Vec<String>| RecordSet {
                    name: domain.to_string(),
                    ty: RecordType::Ds,
                    ttl: Some(planned.ttl.get().unwrap_or(DEFAULT_TTL)),
                    values,
                    alias: None,
                    set_identifier: None,
                    routing: None,
                    health_check_id: None,
                };
                let change = if values.is_empty() {
                    match r
                        .find_record_set(c, zid, domain, RecordType::Ds, None)
                        .await
                    {
                        Ok(live) => Change::Delete(live),
                        Err(e) if e.is_not_found() => return Ok(()),
                        Err(e) => return Err(api_diag(&what, &e)),
                    }
                } else {
                    Change::Upsert(set(values))
                };
                let id = r
                    .change_record_sets(c, zid, &[change], &format!("r53_delegation {domain} DS"))
                    .await
                    .map_err(|e| api_diag(&what, &e))?;
                r.wait_change_insync(c, id.as_ref())
                    .await
                    .map_err(|e| api_diag(&what, &e))?;
            }
            Mode::External => {}
        }
        Ok(())
    }

    /// Waits, within the operation, until `ok` holds for a fresh parent view; the last view on
    /// success, or the error saying what every server publishes.
    async fn wait_ds(
        &self,
        op: &DsOp<'_>,
        what: &str,
        ok: impl Fn(&ParentView) -> bool,
    ) -> Result<ParentView, Diagnostic> {
        let DsOp {
            meta,
            c,
            ctx,
            mode,
            domain,
            ..
        } = *op;
        let mut pause = Duration::from_millis(500);
        loop {
            let w = Self::walker(meta, c);
            let view = self.view(meta, c, &w, mode, domain).await?;
            if ok(&view) {
                return Ok(view);
            }
            let left = c.deadline.saturating_duration_since(Instant::now());
            if left < pause || ctx.cancel.is_cancelled() {
                return Err(Diagnostic::error(
                    format!("{domain}: timed out waiting until {what}"),
                    format!(
                        "The parent's servers publish now: {}. The change itself was made; registries publish on \
                         their own schedule. Apply again to keep waiting, or raise timeouts.",
                        view.each_ds()
                    ),
                ));
            }
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = ctx.cancel.cancelled() => {}
            }
            pause = (pause * 2).min(Duration::from_secs(10));
        }
    }

    /// Sleeps `d` unless the operation's deadline comes first (then false).
    async fn settle(c: &Call, ctx: &Ctx, d: Duration) -> bool {
        if c.deadline.saturating_duration_since(Instant::now()) <= d {
            return false;
        }
        tokio::select! {
            _ = tokio::time::sleep(d) => true,
            _ = ctx.cancel.cancelled() => false,
        }
    }

    /// The DS steps of an apply. `before_switch`: only the removals (a domain whose name servers
    /// change goes insecure first); otherwise additions, then removals (a key rollover keeps a
    /// valid DS at every moment).
    pub(super) async fn apply_ds(
        &self,
        op: &DsOp<'_>,
        planned: &Delegation,
        before_switch: bool,
    ) -> Result<(), Diagnostic> {
        let DsOp {
            meta,
            c,
            mode,
            domain,
            ..
        } = *op;
        let Some(keys) = keys_of(domain, planned).map_err(|e| {
            Diagnostic::error("Invalid dnssec_keys", e).at(at(Delegation::ATTR.dnssec_keys))
        })?
        else {
            return Ok(());
        };
        let w = Self::walker(meta, c);
        let view = self.view(meta, c, &w, mode, domain).await?;
        let Some(live) = self.live_ds(meta, c, mode, domain, Some(&view)).await? else {
            if *mode == Mode::External {
                return Err(Diagnostic::error(
                    format!("{domain}: cannot tell which DS the parent publishes"),
                    format!(
                        "The parent's servers do not agree, or did not answer: {}. Nothing was changed; apply again \
                         once they agree.",
                        view.each_ds()
                    ),
                ));
            }
            return Ok(());
        };
        let add: Vec<Key> = keys
            .iter()
            .filter(|k| !live.iter().any(|d| same(d, &k.ds)))
            .cloned()
            .collect();
        let remove: Vec<DsParts> = live
            .iter()
            .filter(|d| !keys.iter().any(|k| same(d, &k.ds)))
            .cloned()
            .collect();
        // Only what the plan showed going: a DS that appeared since (or, on create, was already
        // there) is not removed behind the plan's back.
        let unplanned: Vec<String> = remove
            .iter()
            .map(DsParts::text)
            .filter(|d| {
                op.prior_ds
                    .as_ref()
                    .is_none_or(|p| !p.iter().any(|x| same_ds(x, d)))
            })
            .collect();
        if !unplanned.is_empty() {
            return Err(Diagnostic::error(
                format!("{domain}: a DS the plan did not show is bound"),
                format!(
                    "{} is published for {domain} and no key in dnssec_keys matches it, but the plan did not show it \
                     going (it appeared since the plan was made, or this delegation is being created). Nothing was \
                     changed. Refresh and plan again to see it (import the delegation first when it is new), or add its \
                     key to dnssec_keys.",
                    unplanned.join(" | ")
                ),
            ));
        }
        let want: Vec<String> = keys.iter().map(|k| k.ds.text()).collect();
        // Added, or bound but not yet on every parent server (an earlier apply timed out).
        let unfinished = !keys.is_empty() && !view.ds_on_every_server(&want);
        if !before_switch && (!add.is_empty() || unfinished) {
            self.publish(op, planned, &view.zone, &live, &keys, &add)
                .await?;
        }
        if !remove.is_empty() {
            let live = self
                .live_ds(meta, c, mode, domain, None)
                .await?
                .unwrap_or(live);
            self.unpublish(op, planned, &live, &remove, view.ds_ttl)
                .await?;
        }
        Ok(())
    }

    async fn publish(
        &self,
        op: &DsOp<'_>,
        planned: &Delegation,
        parent_zone: &str,
        live: &[DsParts],
        keys: &[Key],
        add: &[Key],
    ) -> Result<(), Diagnostic> {
        let DsOp {
            meta,
            c,
            ctx,
            mode,
            domain,
            ..
        } = *op;
        let ds = keys
            .iter()
            .map(|k| ds_from_text(domain, &k.ds.text()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                Diagnostic::error(format!("{domain}: a DS record r53 cannot check"), e)
                    .at(at(Delegation::ATTR.dnssec_keys))
            })?;
        let targets = super::ns_of(planned);
        // 0. A DS means something only under a signed parent.
        if !parent_zone.is_empty() {
            let w = Self::walker(meta, c);
            let (verdict, reason) = crate::dnssec_diag::verdict(&w, parent_zone).await;
            if verdict != "secure" {
                return Err(Diagnostic::error(
                    format!(
                        "{domain}: the parent zone {parent_zone} is {verdict}, so a DS there would not make {domain} secure"
                    ),
                    format!(
                        "{}. Sign the parent zone and publish its own DS first (for a Route 53 parent zone: its \
                         r53_key_signing_key, r53_hosted_zone_dnssec and r53_delegation with dnssec_keys), then apply \
                         again. Nothing was published.",
                        reason.unwrap_or_default()
                    ),
                )
                .at(at(Delegation::ATTR.dnssec_keys)));
            }
        }
        // 1. Every target serves the zone signed by these keys.
        let (mut max_ttl, mut ns_ttl) = (0u32, 0u32);
        let w = Self::walker(meta, c);
        for ns in &targets {
            match w
                .serves_signed(ns, domain, &ds)
                .await
                .map_err(|e| walk_diag(domain, &e))?
            {
                Ok(z) => {
                    max_ttl = max_ttl.max(z.max_ttl);
                    ns_ttl = ns_ttl.max(z.ns_ttl);
                }
                Err(why) => {
                    return Err(Diagnostic::error(
                        format!("{domain}: not every name server serves the zone signed by dnssec_keys"),
                        format!(
                            "{why}. Publishing the DS now would make {domain} bogus (validating resolvers would refuse it). \
                             Sign the zone first (r53_key_signing_key ACTIVE and r53_hosted_zone_dnssec SIGNING, and \
                             make this resource depend on them), then apply again. Nothing was published."
                        ),
                    )
                    .at(at(Delegation::ATTR.dnssec_keys)));
                }
            }
        }
        // 2. Resolvers may hold unsigned answers for the zone's longest TTL.
        if !add.is_empty() {
            let wait = planned
                .dnssec_max_ttl
                .get()
                .and_then(|t| u64::try_from(t).ok())
                .unwrap_or(u64::from(max_ttl))
                .max(u64::from(op.switched_ns_ttl));
            let wait = Duration::from_secs(wait);
            if !Self::settle(c, ctx, wait).await {
                // After a switch, the earliest safe time, since the next apply cannot know it.
                let switched = if op.switched_ns_ttl > 0 {
                    let now = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_secs())
                        .unwrap_or(0);
                    format!(
                        " The name servers were switched by this apply: resolvers may ask the old, unsigned servers \
                         until {} — do not publish the DS (apply again) before then.",
                        r53_core::rfc3339(now.saturating_add(u64::from(op.switched_ns_ttl)))
                    )
                } else {
                    String::new()
                };
                return Err(Diagnostic::error(
                    format!("{domain}: no time to wait out the zone's TTL before publishing the DS"),
                    format!(
                        "Before the parent vouches for signatures, every answer resolvers cached unsigned must expire: \
                         {}s (dnssec_max_ttl, or the longest of the apex SOA and NS TTLs and the negative TTL; after a \
                         switch of name servers in this apply, at least the parent's NS TTL). The operation's timeout \
                         ends sooner. Lower the zone's TTLs, raise timeouts, or set dnssec_max_ttl = 0 if the zone has \
                         been signed for longer than its TTLs. Nothing was published.{switched}",
                        wait.as_secs()
                    ),
                )
                .at(at(Delegation::ATTR.dnssec_max_ttl)));
            }
        }
        // 3. Publish.
        self.write_ds(op, planned, live, add, &[]).await?;
        let want: Vec<String> = keys.iter().map(|k| k.ds.text()).collect();
        if *mode == Mode::External && !planned.wait_for_delegation.get().unwrap_or(false) {
            ctx.warn(Diagnostic::warning(
                format!("{domain}: enter the DS at the registrar"),
                format!(
                    "{domain}'s registrar is not Route 53, so the DS is not published by this apply. Enter at the \
                     registrar: {}. The zone is signed by every name server, and the zone's TTL has passed, so \
                     it is safe to do now.",
                    want.join(" | ")
                ),
            ));
            return Ok(());
        }
        if *mode == Mode::External {
            ctx.warn(Diagnostic::warning(
                format!("{domain}: enter the DS at the registrar"),
                format!(
                    "Waiting for the parent to publish DS {} for {domain}: enter it at the registrar.",
                    want.join(" | ")
                ),
            ));
        }
        // 4. Every parent server publishes it.
        let view = self
            .wait_ds(op, "every parent server publishes the DS", |v| {
                v.ds_on_every_server(&want)
            })
            .await?;
        // 5. The chain validates from the trust anchors.
        let w = Self::walker(meta, c);
        let (verdict, reason) = crate::dnssec_diag::verdict(&w, domain).await;
        if verdict != "secure" {
            return Err(Diagnostic::error(
                format!("{domain} is {verdict} after the DS was published"),
                format!(
                    "{}. The DS is published ({}).",
                    reason.unwrap_or_default(),
                    view.each_ds()
                ),
            ));
        }
        // 6. Resolvers holding the delegation from before see the DS once its NS TTL passes.
        let ns_ttl = Duration::from_secs(u64::from(view.ns_ttl.unwrap_or(0).max(ns_ttl)));
        if !Self::settle(c, ctx, ns_ttl).await {
            ctx.warn(Diagnostic::warning(
                format!("{domain} is secure; some resolvers may not see it yet"),
                format!(
                    "The chain validates now. Resolvers that cached the delegation before the DS was published see it \
                     within {}s (the NS TTL), after this apply ends.",
                    ns_ttl.as_secs()
                ),
            ));
        }
        Ok(())
    }

    async fn unpublish(
        &self,
        op: &DsOp<'_>,
        planned: &Delegation,
        live: &[DsParts],
        remove: &[DsParts],
        ds_ttl: Option<u32>,
    ) -> Result<(), Diagnostic> {
        let DsOp {
            meta,
            c,
            ctx,
            mode,
            domain,
            ..
        } = *op;
        let gone = texts(remove);
        // Resolvers may hold the DS for its TTL and still expect signatures until then: remove
        // nothing unless that wait fits in this operation.
        let ttl = Duration::from_secs(u64::from(ds_ttl.unwrap_or(DS_TTL_UNKNOWN)));
        if c.deadline.saturating_duration_since(Instant::now()) <= ttl + REMOVAL_MARGIN {
            return Err(Diagnostic::error(
                format!("{domain}: no time to wait out the DS TTL"),
                format!(
                    "Removing DS {} means waiting until no parent server publishes it and then its TTL ({}s), so that \
                     no resolver still expects signatures when the zone stops signing. That does not fit in this \
                     operation's timeout. Raise timeouts (update) above it, or lower the DS TTL first (parent zone: \
                     ttl). Nothing was removed.",
                    gone.join(" | "),
                    ttl.as_secs()
                ),
            ));
        }
        self.write_ds(op, planned, live, &[], remove).await?;
        if *mode == Mode::External {
            ctx.warn(Diagnostic::warning(
                format!("{domain}: remove the DS at the registrar"),
                format!(
                    "Waiting for the parent to stop publishing DS {} for {domain}: remove it at the registrar. The zone \
                     must stay signed until then and for the DS TTL after.",
                    gone.join(" | ")
                ),
            ));
        }
        let view = self
            .wait_ds(op, "no parent server publishes the removed DS", |v| {
                v.ds_on_no_server(&gone)
            })
            .await?;
        if !Self::settle(c, ctx, ttl).await {
            return Err(Diagnostic::error(
                format!("{domain}: interrupted waiting out the DS TTL"),
                format!(
                    "The DS is gone from every parent server, but resolvers may hold it for {}s more: keep the zone \
                     signed until then before turning signing off.",
                    ttl.as_secs()
                ),
            ));
        }
        let w = Self::walker(meta, c);
        let (verdict, reason) = crate::dnssec_diag::verdict(&w, domain).await;
        if verdict == "bogus" {
            return Err(Diagnostic::error(
                format!("{domain} is bogus after the DS was removed"),
                format!("{} ({}).", reason.unwrap_or_default(), view.each_ds()),
            ));
        }
        Ok(())
    }
}

/// Time kept for the waits around a removal besides the DS TTL (publication, validation).
const REMOVAL_MARGIN: Duration = Duration::from_secs(120);

/// The DS TTL assumed when no parent server gave one: a day, like most TLDs.
const DS_TTL_UNKNOWN: u32 = 86_400;

fn texts(ds: &[DsParts]) -> Vec<String> {
    ds.iter().map(DsParts::text).collect()
}

/// DNSKEY texts compared by their DS (spacing and key wrapping do not matter).
pub(super) fn same_keys(domain: &str, a: &[String], b: &[String]) -> bool {
    let ds = |s: &[String]| -> Option<Vec<String>> {
        let mut v: Vec<String> = s
            .iter()
            .map(|t| {
                parse_key(domain, t)
                    .map(|k| k.ds.text())
                    .or_else(|_| Ok::<_, ()>(ds_text_key(t)))
            })
            .collect::<Result<_, _>>()
            .ok()?;
        v.sort();
        v.dedup();
        Some(v)
    };
    ds(a) == ds(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "257 3 13 AEtXQbNM9RSp2gGL+m5/J75x/1jM0HZ/t2qaxSQgEaKeOwKqp2QPNPXg8m76G6pq6QiW2F0BfuyGvXPJTXORBA==";

    #[test]
    fn keys_parse_to_their_ds_and_ds_entries_are_refused() {
        let k = parse_key("example.com", KEY).unwrap();
        assert_eq!(k.input.flags, 257);
        assert_eq!(k.input.algorithm, 13);
        assert_eq!(parts_of(&k.ds.text().to_lowercase()).unwrap(), k.ds);
        let e = parse_key("example.com", &format!("DS {}", k.ds.text())).unwrap_err();
        assert!(e.contains("is a DS record"), "{e}");
        for bad in ["", "257 3", "257 2 13 AAAA", "x 3 13 AAAA", "257 3 13 !!!"] {
            assert!(parse_key("example.com", bad).is_err(), "{bad:?}");
        }
        // Wrapped keys are the same key.
        let wrapped = KEY.replacen("m5/", "m5/ ", 1);
        assert!(same_keys("example.com", &[KEY.into()], &[wrapped]));
    }
}
