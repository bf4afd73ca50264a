//! `r53_delegation`'s create and update: preflight (the parent's view, lame targets, DS the new
//! servers cannot satisfy), the write (registrar, parent zone NS record set, or nothing for
//! external), the wait for the parent to publish, and the computed status.

use std::time::Duration;

use r53_core::dns::delegation::{display_zone, wait_published, Published};
use r53_core::{Change, NameServer};
use r53_plugin::{Ctx, Diagnostic, Failure, Field, Value};
use r53_zone::name::within;
use r53_zone::{RecordSet, RecordType};

use super::dnssec::{prior_ds, DsOp};
use super::live::{seen, set_seen};
use super::{ns_of, Delegation, DelegationResource, Mode, DEFAULT_TTL, TYPE_NAME};
use crate::common::*;
use crate::domain::ascii_name;
use crate::meta::Meta;

impl DelegationResource {
    pub(super) async fn apply(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: Option<&Delegation>,
        planned: &Delegation,
        timeout: Duration,
    ) -> Result<Value, Failure> {
        let creating = prior.is_none();
        let mode = Mode::of(planned).map_err(|e| Diagnostic::error("Invalid delegation", e))?;
        let domain = ascii_name(planned.domain.as_str().unwrap_or_default())
            .map_err(|e| Diagnostic::error("Invalid domain", e))?;
        let want = ns_of(planned);
        let c = call(ctx, timeout);
        let w = Self::walker(meta, &c);
        let what = format!("{TYPE_NAME} {domain}");

        // Preflight: the parent's view, the targets' answers, DS.
        let view = self.view(meta, &c, &w, &mode, &domain).await?;
        if let Mode::Parent(zid) = &mode {
            if !within(&domain, &view.zone) || domain == view.zone {
                return Err(Diagnostic::error(
                    "Subdomain outside its parent zone",
                    format!("{domain} is not a subdomain of {} (zone {zid})", view.zone),
                )
                .at(at(Delegation::ATTR.domain))
                .into());
            }
        }
        let switching = !view.publishes(&want);
        // A DS the new name servers cannot satisfy goes first (the domain goes insecure, then
        // switches); the DS for dnssec_keys comes once they serve the zone.
        let mut view = view;
        let ds_op = DsOp {
            meta,
            c: &c,
            ctx,
            mode: &mode,
            domain: &domain,
            prior_ds: prior.map(|p| prior_ds(&domain, p.dnssec_keys.items())),
            // Resolvers that cached the delegation before this switch keep asking the old servers.
            switched_ns_ttl: if switching {
                view.ns_ttl.unwrap_or(0)
            } else {
                0
            },
        };
        if switching && !planned.dnssec_keys.is_null() {
            if let Err(d) = self.apply_ds(&ds_op, planned, true).await {
                return Err(self
                    .ds_failure(meta, ctx, &mode, &domain, planned, creating, d)
                    .await);
            }
            view = self.view(meta, &c, &w, &mode, &domain).await?;
        }
        if switching {
            let pre = w
                .preflight(&view, &want)
                .await
                .map_err(|e| walk_diag(&domain, &e))?;
            if !pre.unmatched_ds.is_empty() {
                return Err(Diagnostic::error(
                    format!("{domain}: the parent publishes DS records the new name servers cannot satisfy"),
                    format!(
                        "{} publishes DS {} for {domain}, and no DNSKEY served by {} matches it. Switching now would make \
                         {domain} fail DNSSEC validation (SERVFAIL for validating resolvers). Remove the DS record at the \
                         registrar first (Route 53 Domains: disassociate the DNSSEC key) and wait for its TTL, or sign the \
                         new zone and publish its DS, then apply again. Nothing was changed.",
                        display_zone(&view.zone),
                        pre.unmatched_ds.join(" | "),
                        want.join(", ")
                    ),
                )
                .into());
            }
            if !pre.lame.is_empty() {
                let each: Vec<String> = pre
                    .lame
                    .iter()
                    .map(|(n, why)| format!("  - {n}: {why}"))
                    .collect();
                ctx.warn(Diagnostic::warning(
                    format!("{domain}: lame delegation — not every target name server answers for it"),
                    format!(
                        "These name servers do not answer authoritatively for {domain}:\n{}\nResolvers that ask them \
                         will get errors or stale answers. Make sure the zone exists on them (for Route 53: the hosted \
                         zone whose name_servers these are) before relying on this delegation.",
                        each.join("\n")
                    ),
                ));
            }
        }

        // The write.
        match &mode {
            Mode::Registrar => {
                let dm = &meta.aws.domains;
                let Some((current, _)) = self.live(meta, &c, &mode, &domain, None).await? else {
                    return Err(Diagnostic::error(
                        format!("{what} failed"),
                        format!("{domain} is not registered with Route 53 Domains in this account"),
                    )
                    .into());
                };
                if current != want {
                    let servers: Vec<NameServer> = want
                        .iter()
                        .map(|n| NameServer {
                            name: n.clone(),
                            glue_ips: Vec::new(),
                        })
                        .collect();
                    let op = dm
                        .update_name_servers(&c, &domain, &servers)
                        .await
                        .map_err(|e| api_diag(&what, &e))?;
                    dm.wait_operation_successful(&c, &op)
                        .await
                        .map_err(|e| api_diag(&what, &e))?;
                }
            }
            Mode::Parent(zid) => {
                let ttl = planned.ttl.get().unwrap_or(DEFAULT_TTL);
                let live = self.live(meta, &c, &mode, &domain, None).await?;
                if live.as_ref() != Some(&(want.clone(), Some(ttl))) {
                    let set = RecordSet {
                        name: domain.clone(),
                        ty: RecordType::Ns,
                        ttl: Some(ttl),
                        values: want.iter().map(|n| format!("{n}.")).collect(),
                        alias: None,
                        set_identifier: None,
                        routing: None,
                        health_check_id: None,
                    };
                    let r = &meta.aws.route53;
                    let id = r
                        .change_record_sets(
                            &c,
                            zid,
                            &[Change::Upsert(set)],
                            &format!("r53_delegation {domain}"),
                        )
                        .await
                        .map_err(|e| api_diag(&what, &e))?;
                    r.wait_change_insync(&c, id.as_ref())
                        .await
                        .map_err(|e| api_diag(&what, &e))?;
                }
            }
            Mode::External => {}
        }
        let mut state = planned.clone();

        // Wait for the parent to publish.
        let wait = planned
            .wait_for_delegation
            .get()
            .unwrap_or(mode.waits_by_default());
        if wait && !view.publishes(&want) {
            let waited = wait_published(
                &want,
                Some(view.clone()),
                c.deadline,
                &ctx.cancel,
                (Duration::from_secs(1), Duration::from_secs(15)),
                // A fresh walk per look: the query budget is per walk, not per wait.
                || async {
                    let w = Self::walker(meta, &c);
                    self.view(meta, &c, &w, &mode, &domain).await
                },
                |_| {},
            )
            .await;
            let (last, why) = match waited {
                Published::Yes(v) => (Some(v), None),
                Published::TimedOut(v) => (v, Some("timed out")),
                Published::Cancelled(v) => (v, Some("interrupted")),
            };
            if let Some(v) = last {
                view = v;
            }
            if let Some(why) = why {
                let now = seen(&view, &want, &mode);
                set_seen(&mut state, Some(&now));
                let d = Diagnostic::error(
                    format!("{what}: {why} waiting for the parent to publish the delegation"),
                    format!(
                        "{}. The change itself was made; DNS publication can lag (TLD registries push their zones \
                         on their own schedule). Apply again to keep waiting, or raise timeouts.",
                        now.message
                    ),
                );
                return Err(if creating && mode == Mode::External {
                    Failure::from(d)
                } else {
                    Failure::with_partial(d, state.to_value())
                });
            }
        }
        // DS records once the name servers are in place (keys added, then stale ones removed).
        // (External too: the DS is entered only once the parent delegates to these servers.)
        if !planned.dnssec_keys.is_null() && view.publishes(&want) {
            if let Err(d) = self.apply_ds(&ds_op, planned, false).await {
                return Err(self
                    .ds_failure(meta, ctx, &mode, &domain, planned, creating, d)
                    .await);
            }
            view = self
                .view(meta, &c, &Self::walker(meta, &c), &mode, &domain)
                .await?;
        } else if !planned.dnssec_keys.is_null() {
            ctx.warn(Diagnostic::warning(
                format!("{domain}: DS not changed yet"),
                format!(
                    "The parent does not publish the new name servers yet, and a DS is published only once it does \
                     (and the zone is served signed by them). Apply again after {} publishes them.",
                    display_zone(&view.zone)
                ),
            ));
        }
        let s = seen(&view, &want, &mode);
        set_seen(&mut state, Some(&s));
        state.id = Field::Known(mode.id(&domain));
        self.dnssec_status(meta, &c, &domain, Some(&view), &mut state)
            .await;
        if !s.delegated {
            if planned.fail_if_not_delegated.get() == Some(true) {
                let d = Diagnostic::error(format!("{domain} is not delegated"), s.message.clone())
                    .at(at(Delegation::ATTR.fail_if_not_delegated));
                return Err(if creating && mode == Mode::External {
                    Failure::from(d)
                } else {
                    Failure::with_partial(d, state.to_value())
                });
            }
            if mode == Mode::External || !wait {
                ctx.warn(Diagnostic::warning(
                    format!("{domain} is not delegated to these name servers yet"),
                    s.message.clone(),
                ));
            }
        }
        Ok(state.to_value())
    }

    /// A failed DS step: the error, with the state read back from AWS and DNS (what was written
    /// before the failure is in it), except for an external delegation being created.
    #[allow(clippy::too_many_arguments)]
    async fn ds_failure(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        mode: &Mode,
        domain: &str,
        planned: &Delegation,
        creating: bool,
        d: Diagnostic,
    ) -> Failure {
        if creating && *mode == Mode::External {
            return Failure::from(d);
        }
        match self
            .read_state(meta, ctx, mode, domain, planned, false)
            .await
        {
            Ok(Some(v)) => Failure::with_partial(d, v),
            _ => Failure::from(d),
        }
    }
}
