//! Preflight (read-only): the parent, the old host, the new host, DNSSEC, the TTL plan and the
//! equivalence of every record set, saved as the state's findings.

use super::checks::{self, Findings};
use super::*;

impl Cx<'_> {
    /// Preflight: every check (each decided in `checks`), its evidence shown as it is found;
    /// saved. Returns whether it passed.
    pub(super) async fn preflight(
        &self,
        st: &mut State,
        src: Option<&crate::source::Source>,
        names: Option<&[Question]>,
    ) -> Result<bool, Fail> {
        let d = st.domain.clone();
        let mut found = Findings::default();
        let show = |f: Findings, found: &mut Findings| {
            for line in &f.shown {
                say("preflight", line);
            }
            found.add(f);
        };
        let parent = self
            .walker()
            .parent_view(&d)
            .await
            .map_err(|e| Fail::error(format!("finding the parent of {d}: {e}")))?;
        st.parent_zone = parent.zone.clone();
        let (f, current) = checks::parent(&parent, &st.new_ns);
        show(f, &mut found);
        let Some(current) = current else {
            return self.finish_preflight(
                st,
                state::Preflight {
                    blockers: found.blockers,
                    notes: found.notes,
                    ..Default::default()
                },
            );
        };
        st.parent_ns_ttl = parent.ns_ttl.unwrap_or(NS_TTL_DEFAULT);
        st.old_ns = current.clone();
        st.old_glue = parent
            .glue
            .iter()
            .filter(|(n, _)| current.contains(n))
            .map(|(n, ips)| (n.clone(), ips.iter().map(|i| i.to_string()).collect()))
            .collect();

        let old = self.servers(st, &current, Some(&parent), false).await?;
        show(checks::old_host(&old), &mut found);
        let new = self
            .servers(st, &st.new_ns, None, !parent.ds.is_empty())
            .await?;
        show(checks::new_host(&d, &new, &st.new_ns), &mut found);
        let unmatched = if parent.ds.is_empty() {
            Vec::new()
        } else {
            delegation::unmatched_ds(&parent, &new)
        };
        show(
            checks::dnssec(&parent, &unmatched, st.registrar),
            &mut found,
        );

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

        // TTL plan: lowered first at an old Route 53 zone when asked to, then decided.
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
                found.blockers.push(format!(
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
        let (f, earliest) = checks::ttl_plan(&checks::Ttls {
            domain: &d,
            parent_ns: st.parent_ns_ttl,
            old_ns: old_ttl,
            old_ns_longest: st.old_ns_ttl,
            longest_in_zone: st.max_zone_ttl,
            seen: &st.old_ns_ttl_seen,
            bound,
            old_is_route53: old_r53.is_some(),
            now: now(),
        });
        show(f, &mut found);
        if let Some(t) = earliest {
            st.earliest_switch = t;
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
            let asked = checks::Asked {
                questions: questions.len(),
                old_addrs: old_t.len(),
                new_addrs: new_t.len(),
                queries,
                seconds: stats.elapsed.as_secs_f64(),
            };
            let f = checks::equivalence(&asked, &differences);
            // The summary is a preflight line; each difference is shown indented under it.
            if let Some((summary, each)) = f.shown.split_first() {
                say("preflight", summary);
                for line in each {
                    show!("{line}");
                }
            }
            found.notes.extend(f.notes);
            found.blockers.extend(f.blockers);
            reference = questions
                .iter()
                .cloned()
                .zip(replies.into_iter().map(|mut r| r.swap_remove(0)))
                .collect();
        }
        self.finish_preflight(
            st,
            state::Preflight {
                blockers: found.blockers,
                notes: found.notes,
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
        advance(st, Event::Checked { passed })?;
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
