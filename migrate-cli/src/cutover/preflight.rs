//! Preflight (read-only): the parent, the old host, the new host, DNSSEC, the TTL plan and the
//! equivalence of every record set, saved as the state's findings.

use super::*;

impl Cx<'_> {
    /// Preflight: every check, printed with its evidence; saved. Returns whether it passed.
    pub(super) async fn preflight(
        &self,
        st: &mut State,
        src: Option<&crate::source::Source>,
        names: Option<&[Question]>,
    ) -> Result<bool, Fail> {
        let d = st.domain.clone();
        let mut blockers: Vec<String> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        let parent = self
            .walker()
            .parent_view(&d)
            .await
            .map_err(|e| Fail::error(format!("finding the parent of {d}: {e}")))?;
        st.parent_zone = parent.zone.clone();
        let pz = delegation::display_zone(&parent.zone);
        say(
            "preflight",
            format!(
                "parent: {pz}, {} server(s): {}",
                parent.servers.len(),
                parent
                    .servers
                    .iter()
                    .map(|s| if s.name == "root hints" {
                        join_ips(&s.addrs)
                    } else {
                        s.name.clone()
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        if !parent.consistent() {
            blockers.push(format!(
                "the servers of {pz} disagree about {d}: {}",
                parent.each_answer()
            ));
        }
        let Some(current) = parent.published() else {
            return self.finish_preflight(
                st,
                state::Preflight {
                    blockers: vec![format!("{pz} publishes no delegation for {d}: there is nothing to cut over from (delegate it directly, e.g. with r53_delegation)")],
                    notes,
                    ..Default::default()
                },
            );
        };
        st.parent_ns_ttl = parent.ns_ttl.unwrap_or(NS_TTL_DEFAULT);
        say(
            "preflight",
            format!(
                "delegation now: {} (NS TTL {} at the parent)",
                current.join(", "),
                st.parent_ns_ttl
            ),
        );
        if current == st.new_ns {
            blockers.push(format!(
                "{pz} already delegates {d} to the target zone's name servers; there is nothing to switch"
            ));
        }
        let overlap: Vec<&String> = current.iter().filter(|n| st.new_ns.contains(n)).collect();
        if !overlap.is_empty() && current != st.new_ns {
            notes.push(format!(
                "the current delegation already includes {} of the target's servers",
                overlap.len()
            ));
        }
        st.old_ns = current.clone();
        st.old_glue = parent
            .glue
            .iter()
            .filter(|(n, _)| current.contains(n))
            .map(|(n, ips)| (n.clone(), ips.iter().map(|i| i.to_string()).collect()))
            .collect();

        // The old host.
        let old = self.servers(st, &current, Some(&parent), false).await?;
        for s in &old {
            match &s.error {
                Some(e) => blockers.push(format!("old name server {}: {e}", s.name)),
                None => say(
                    "preflight",
                    format!(
                        "old host: {} ({}) serial {} NS TTL {}",
                        s.name,
                        join_ips(&s.addrs),
                        s.serial.map(|x| x.to_string()).unwrap_or("-".into()),
                        s.ns_ttl.map(|x| x.to_string()).unwrap_or("-".into())
                    ),
                ),
            }
        }
        let serials: BTreeSet<u32> = old.iter().filter_map(|s| s.serial).collect();
        if serials.len() > 1 {
            notes.push(format!(
                "the old host's servers serve different SOA serials ({}); the record-by-record comparison below decides",
                old.iter()
                    .filter_map(|s| s.serial.map(|x| format!("{} {x}", s.name)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }

        // The new host.
        let new = self
            .servers(st, &st.new_ns, None, !parent.ds.is_empty())
            .await?;
        for s in &new {
            match &s.error {
                Some(e) => blockers.push(format!("new name server {}: {e}", s.name)),
                None => {
                    say(
                        "preflight",
                        format!(
                            "new host: {} ({}) answers for {d}, serial {}",
                            s.name,
                            join_ips(&s.addrs),
                            s.serial.map(|x| x.to_string()).unwrap_or("-".into())
                        ),
                    );
                    if s.ns != st.new_ns {
                        blockers.push(format!(
                            "new name server {} serves apex NS {} for {d}, not the zone's own servers {}: resolvers would be sent elsewhere",
                            s.name,
                            s.ns.join(", "),
                            st.new_ns.join(", ")
                        ));
                    }
                }
            }
        }

        // DNSSEC.
        if !parent.ds.is_empty() {
            let unmatched = delegation::unmatched_ds(&parent, &new);
            if unmatched.is_empty() {
                say(
                    "preflight",
                    format!(
                        "DNSSEC: the parent's DS ({}) matches a key the new zone serves",
                        parent.ds.join(" | ")
                    ),
                );
            } else {
                blockers.push(ds_steps(&d, st.registrar, &parent, &unmatched));
            }
        } else {
            say("preflight", "DNSSEC: no DS at the parent");
        }

        // The questions: the source's record sets and the target zone's own.
        let (mut questions, source_ttl) = self.questions(st, src, names, &old).await?;
        st.max_zone_ttl = source_ttl;
        let target_sets = self
            .aws
            .route53
            .list_record_sets(&self.call(), &st.zone_id)
            .await
            .map_err(|e| Fail::error(format!("listing the target zone {}: {e}", st.zone_id)))?;
        for s in &target_sets {
            questions.insert(Question {
                name: s.name.clone(),
                ty: s.ty.as_str().to_string(),
            });
        }
        questions.retain(|q| !(q.ty == "SOA" || (q.ty == "NS" && q.name == d)));
        let questions: Vec<Question> = questions.into_iter().collect();

        // TTL plan.
        let old_ttl = old
            .iter()
            .filter_map(|s| s.ns_ttl)
            .max()
            .unwrap_or(st.parent_ns_ttl);
        st.old_ns_ttl = st.old_ns_ttl.max(old_ttl);
        st.old_ns_ttl_seen.push((now(), old_ttl));
        let bound = self.a.max_ns_ttl;
        let old_r53 = match src {
            Some(crate::source::Source::Route53 { zone_id }) => Some(zone_id.clone()),
            _ => None,
        };
        if let (Some(z), true) = (&old_r53, old_ttl > bound && self.a.lower_ns_ttl) {
            let hz = self
                .aws
                .route53
                .find_hosted_zone_by_id(&self.call(), z)
                .await
                .map_err(|e| Fail::error(format!("the old zone {z}: {e}")))?;
            if delegation::normalise_set(&hz.name_servers) != current {
                blockers.push(format!(
                    "--lower-ns-ttl: Route 53 zone {z} is not the one the delegation points at (its servers are {})",
                    hz.name_servers.join(", ")
                ));
            } else {
                let before = self.set_apex_ns_ttl(z, &d, bound).await?;
                st.old_ns_ttl_seen.push((now(), bound));
                let msg = format!(
                    "lowered the NS TTL of the old Route 53 zone {z} from {before}s to {bound}s"
                );
                say("preflight", &msg);
                st.event(msg);
            }
        }
        say(
            "preflight",
            format!(
                "TTLs: NS at the parent {}s, NS at the old host {old_ttl}s, longest in the zone {}s",
                st.parent_ns_ttl, st.max_zone_ttl
            ),
        );
        match state::earliest_switch(&st.old_ns_ttl_seen, bound) {
            None => blockers.push(format!(
                "the old host serves {d}'s NS records with TTL {old_ttl}s: lower it to at most {bound}s there{} (AWS's procedure suggests 60–900 s), then run this again; resolvers drop the old servers within that TTL after the switch, and the switch waits {old_ttl}s after the lower TTL is first seen",
                if old_r53.is_some() { " (it is a Route 53 zone: --lower-ns-ttl does it)" } else { "" }
            )),
            Some(t) => {
                st.earliest_switch = t;
                if t > now() {
                    notes.push(format!(
                        "the old host's NS TTL was lowered recently: the switch is safe from {} (the earlier TTL of {} must run out of resolvers' caches)",
                        rfc3339(t),
                        span(u64::from(st.old_ns_ttl))
                    ));
                }
            }
        }

        // Equivalence: every question at every old and every new server.
        let port = self.dns.dns_port;
        let (old_t, new_t) = (targets(&old, port), targets(&new, port));
        let mut differences = Vec::new();
        let mut reference = Vec::new();
        let mut queries = 0;
        let mut labels: Vec<String> = Vec::new();
        if !old_t.is_empty() && !new_t.is_empty() {
            let all: Vec<Target> = old_t.iter().chain(&new_t).cloned().collect();
            labels = all.iter().map(|t| t.label.clone()).collect();
            let (replies, stats) = equivalence::ask_all(&questions, &all, &self.opts).await;
            queries = stats.queries;
            differences = equivalence::compare(&questions, &replies, &labels, old_t.len());
            say(
                "preflight",
                format!(
                    "equivalence: {} record sets asked at {} old and {} new server addresses ({} queries in {:.2}s): {}",
                    questions.len(),
                    old_t.len(),
                    new_t.len(),
                    stats.queries,
                    stats.elapsed.as_secs_f64(),
                    if differences.is_empty() {
                        "identical answers".to_string()
                    } else {
                        format!("{} difference(s)", differences.len())
                    }
                ),
            );
            for diff in &differences {
                show!("    {diff}");
            }
            let blocking = differences.iter().filter(|d| d.kind.blocks()).count();
            if blocking > 0 {
                blockers.push(format!(
                    "{blocking} record set(s) answer differently at the old and the new host (listed above)"
                ));
            }
            let split = differences.iter().filter(|d| !d.kind.blocks()).count();
            if split > 0 {
                notes.push(format!(
                    "{split} TXT/SPF record set(s) hold the same text split into other strings at the new host (listed above): SPF and DKIM readers join the strings, a reader of single strings does not; write the value as the old host splits it if that matters"
                ));
            }
            reference = questions
                .iter()
                .cloned()
                .zip(replies.into_iter().map(|mut r| r.swap_remove(0)))
                .collect();
        }
        self.finish_preflight(
            st,
            state::Preflight {
                blockers,
                notes,
                questions: questions.len(),
                queries,
                servers: labels,
                differences,
                reference,
                ..Default::default()
            },
        )
    }

    /// Prints the notes and blockers, records the preflight (passed when nothing blocks) and
    /// saves the state.
    pub(super) fn finish_preflight(
        &self,
        st: &mut State,
        mut pf: state::Preflight,
    ) -> Result<bool, Fail> {
        for n in &pf.notes {
            say("preflight", format!("note: {n}"));
        }
        for b in &pf.blockers {
            say("preflight", format!("BLOCKS: {b}"));
        }
        pf.at = now();
        pf.passed = pf.blockers.is_empty();
        let passed = pf.passed;
        st.step = if passed { Step::Ready } else { Step::Blocked };
        st.event(if passed {
            format!(
                "preflight passed: {} record sets identical at the old and new host",
                pf.questions
            )
        } else {
            format!("preflight blocked: {}", pf.blockers.join("; "))
        });
        st.preflight = Some(pf);
        save(st, self.path)?;
        failpoint("preflight-saved");
        if passed {
            say("preflight", "passed");
        }
        Ok(passed)
    }

    /// The record sets to compare: from the source, a names file, or a transfer from the old host.
    pub(super) async fn questions(
        &self,
        st: &State,
        src: Option<&crate::source::Source>,
        names: Option<&[Question]>,
        old: &[ServerAnswer],
    ) -> Result<(BTreeSet<Question>, u32), Fail> {
        if let Some(n) = names {
            say(
                "preflight",
                format!("source: {} names from {}", n.len(), st.source),
            );
            return Ok((n.iter().cloned().collect(), 0));
        }
        let conv = if let Some(src) = src {
            let aws = matches!(src, crate::source::Source::Route53 { .. }).then_some(self.aws);
            crate::source::load(src, &self.a.src, aws).await?
        } else {
            // No source given: most hosts refuse transfers, but try each old server.
            let mut last = String::new();
            let mut got = None;
            'outer: for s in old.iter().filter(|s| s.error.is_none()) {
                for ip in &s.addrs {
                    let src = crate::source::Source::Axfr {
                        server: SocketAddr::new(*ip, self.dns.dns_port),
                        key: None,
                    };
                    match crate::source::load(&src, &self.a.src, None).await {
                        Ok(c) => {
                            got = Some(c);
                            break 'outer;
                        }
                        Err(e) => last = e.message,
                    }
                }
            }
            got.ok_or_else(|| {
                Fail::error(format!(
                    "the old host does not allow a zone transfer ({last}); give the zone with --from (a zone file or axfr://) or the names to compare with --names"
                ))
            })?
        };
        for n in &conv.notes {
            if matches!(n, r53_zone::convert::Note::UnsupportedSkipped { .. }) {
                say(
                    "preflight",
                    format!("note: {n}; not compared (Route 53 cannot serve it)"),
                );
            }
        }
        let ttl = conv.sets.iter().filter_map(|s| s.ttl).max().unwrap_or(0);
        say(
            "preflight",
            format!("source: {} record sets from {}", conv.sets.len(), st.source),
        );
        Ok((
            conv.sets
                .iter()
                .map(|s| Question {
                    name: s.name.clone(),
                    ty: s.ty.as_str().to_string(),
                })
                .collect(),
            u32::try_from(ttl).unwrap_or(u32::MAX),
        ))
    }
}

pub(super) fn join_ips(a: &[IpAddr]) -> String {
    a.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The NS TTL Route 53 gives a zone's apex and most TLDs give a delegation: 2 days.
pub(super) const NS_TTL_DEFAULT: u32 = 172_800;

/// An NS set's TTL (the default when it has none).
pub(super) fn ttl_of(rs: &r53_zone::RecordSet) -> u32 {
    rs.ttl
        .and_then(|t| u32::try_from(t).ok())
        .unwrap_or(NS_TTL_DEFAULT)
}

/// The DS blocker, with the steps to remove it safely.
pub(super) fn ds_steps(
    d: &str,
    reg: RegistrarKind,
    parent: &ParentView,
    unmatched: &[String],
) -> String {
    let ttl = parent.ds_ttl.unwrap_or(86_400);
    let how = match reg {
        RegistrarKind::Route53 => format!(
            "aws route53domains disassociate-delegation-signer-from-domain --domain-name {d} --id <key id> (see get-domain-detail)"
        ),
        RegistrarKind::External => "remove the DS / DNSSEC key at the domain's registrar".into(),
    };
    format!(
        "the parent publishes DS {} for {d}, and no key the new zone serves matches it: validating resolvers would fail the whole domain after the switch. Either sign the new zone with a matching key, or: 1) {how}; 2) wait until the parent no longer publishes it and then its TTL ({}) more; 3) run this again",
        unmatched.join(" | "),
        span(u64::from(ttl))
    )
}
