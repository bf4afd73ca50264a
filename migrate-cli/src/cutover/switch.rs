//! Switch: the new zone re-verified, the registrar asked, the parent watched until it publishes.

use super::machine::{self, Gate};
use super::*;

impl Cx<'_> {
    /// Whether `servers` still answer as at preflight: the first silent one, else every record
    /// set asked again (each difference printed).
    pub(super) async fn reverify(&self, st: &State, servers: &[ServerAnswer]) -> Result<(), Drift> {
        if let Some(bad) = servers.iter().find(|s| s.error.is_some()) {
            return Err(Drift::Silent(
                bad.name.clone(),
                bad.error.clone().unwrap_or_default(),
            ));
        }
        let Some(pf) = &st.preflight else {
            return Ok(());
        };
        let t = targets(servers, self.dns.dns_port);
        let questions: Vec<Question> = pf.reference.iter().map(|(q, _)| q.clone()).collect();
        let (replies, _) = equivalence::ask_all(&questions, &t, &self.opts).await;
        let mut labels = vec!["preflight".to_string()];
        labels.extend(t.iter().map(|t| t.label.clone()));
        // A preflight recorded by an earlier r53-migrate holds TXT/SPF answers in its older form:
        // today's answers are compared in that form, so an upgrade mid-cutover is not a drift.
        let legacy = pf.reference.iter().any(|(_, r)| r.is_legacy());
        let rows: Vec<Vec<Reply>> = pf
            .reference
            .iter()
            .zip(replies)
            .map(|((_, r), row)| {
                let mut v = vec![r.clone()];
                if legacy {
                    v.extend(row.iter().map(|x| x.to_legacy(self.opts.ignore_case)));
                } else {
                    v.extend(row);
                }
                v
            })
            .collect();
        // A split accepted at preflight (a note, not a blocker) is not a change since.
        let diverged: Vec<_> = equivalence::compare(&questions, &rows, &labels, 1)
            .into_iter()
            .filter(|d| d.kind.blocks())
            .collect();
        for x in &diverged {
            show!("    {x}");
        }
        if diverged.is_empty() {
            Ok(())
        } else {
            Err(Drift::Diverged(diverged.len()))
        }
    }

    /// Each server's own answers for the domain (addresses from the parent's glue when given;
    /// its DNSKEYs too with `keys`).
    pub(super) async fn servers(
        &self,
        st: &State,
        names: &[String],
        glue: Option<&ParentView>,
        keys: bool,
    ) -> Result<Vec<ServerAnswer>, Fail> {
        let w = self.walker();
        let mut out = Vec::new();
        for ns in names {
            out.push(
                w.check_server(ns, glue.and_then(|p| p.glue.get(ns)), &st.domain, keys)
                    .await,
            );
        }
        // A stopped walk's answers are not the servers' (Ctrl-C, --walk-timeout, --max-queries).
        w.stopped()
            .map_err(|e| Fail::error(format!("checking the name servers of {}: {e}", st.domain)))?;
        Ok(out)
    }

    /// Ready → Switching: the last checks, then the registrar.
    pub(super) async fn switch(&self, st: &mut State) -> Result<Option<u8>, Fail> {
        let d = st.domain.clone();
        let max_age = self.a.max_preflight_age.as_secs();
        match machine::switch_gate(st, now(), max_age) {
            Gate::Go => {}
            Gate::Unchecked => return Err(Fail::error("no preflight recorded")),
            Gate::Stale { age } => {
                return Err(Fail::refused(format!(
                    "the preflight of {d} is {} old (the bound is {}); run it again: r53-migrate cutover {d} --resume --recheck --switch",
                    span(age),
                    span(max_age)
                )))
            }
            Gate::NotYet { from } => {
                say(
                    "switch",
                    format!(
                        "not yet: the switch is safe from {} (in {}), when the old NS TTL has run out; run `r53-migrate cutover {d} --resume --switch` then",
                        rfc3339(from),
                        span(from.saturating_sub(now()))
                    ),
                );
                return Ok(Some(EXIT_PENDING));
            }
        }
        let checked_sets = st.preflight.as_ref().map_or(0, |p| p.reference.len());
        // The zones must not have diverged since preflight, at either host.
        let parent = self
            .walker()
            .parent_view(&d)
            .await
            .map_err(|e| Fail::error(format!("the parent of {d}: {e}")))?;
        let mut both = self.servers(st, &st.old_ns, Some(&parent), false).await?;
        both.extend(self.servers(st, &st.new_ns, None, false).await?);
        self.reverify(st, &both).await.map_err(|drift| match drift {
            Drift::Silent(name, e) => Fail::refused(format!(
                "{name} no longer answers for {d}: {e}; run preflight again with --recheck"
            )),
            Drift::Diverged(n) => Fail::refused(format!(
                "{n} record set(s) of {d} answer differently than at preflight (listed above); run preflight again with --recheck"
            )),
        })?;
        say(
            "switch",
            format!(
                "re-verified {} record sets at {} servers: unchanged since preflight",
                checked_sets,
                both.len()
            ),
        );
        match parent.agreed() {
            Some(ns) if ns == st.old_ns => {}
            Some(ns) if ns == st.new_ns => {
                say("switch", "the parent already publishes the new name servers");
            }
            other => {
                return Err(Fail::refused(format!(
                    "the delegation of {d} changed since preflight (the parent publishes {}); run preflight again with --recheck",
                    other.map(|n| n.join(", ")).unwrap_or_else(|| "no consistent set".into())
                )))
            }
        }
        // A low NS TTL in the new zone while the switch is young: a rollback then reaches
        // resolvers within minutes instead of days (AWS's procedure lowers it too). Put back
        // when the cutover completes or is rolled back.
        let bound = self.a.max_ns_ttl;
        let z = st.zone_id.clone();
        if st.new_ns_ttl_before.is_none() {
            // Recorded before the write, so a kill in between cannot lose the original.
            let current = self.apex_ns_ttl(&z, &d).await?;
            if current > bound {
                st.new_ns_ttl_before = Some(current);
                save(st, self.path)?;
            }
        }
        if let Some(before) = st.new_ns_ttl_before {
            self.set_apex_ns_ttl(&z, &d, bound).await?;
            let msg = format!("lowered the NS TTL of zone {z} from {before}s to {bound}s for the switch (restored when the cutover ends)");
            say("switch", &msg);
            st.event(msg);
        }
        advance(st, Event::SwitchStarted)?;
        st.switch_requested_at = Some(now());
        st.event(format!(
            "switching {d} from {} to {}",
            st.old_ns.join(", "),
            st.new_ns.join(", ")
        ));
        save(st, self.path)?;
        failpoint("switch-saved");
        Ok(None)
    }

    /// Switching → Monitoring.
    pub(super) async fn await_switch(&self, st: &mut State) -> Result<Option<u8>, Fail> {
        let want = st.new_ns.clone();
        self.registrar_set(st, &want, &BTreeMap::new(), false)
            .await?;
        if !self
            .wait_parent(st, &want, "switch", self.a.wait, self.a.poll)
            .await?
        {
            say(
                "switch",
                format!("still waiting after {}; the state is saved: run `r53-migrate cutover {} --resume` to go on waiting", span(self.a.wait.as_secs()), st.domain),
            );
            return Ok(Some(EXIT_PENDING));
        }
        let t = now();
        st.published_at = Some(t);
        let until = machine::complete_after(st, t);
        let hold = until.saturating_sub(t);
        st.complete_after = Some(until);
        advance(st, Event::Published)?;
        st.event(format!("the parent publishes the new name servers; the old delegation may be cached until {} ({}s)", rfc3339(until), hold));
        save(st, self.path)?;
        failpoint("published-saved");
        Ok(None)
    }
}

/// How servers stopped answering as at preflight.
pub(super) enum Drift {
    /// (server, why): it no longer answers authoritatively.
    Silent(String, String),
    /// This many record sets answer differently (each printed).
    Diverged(usize),
}
