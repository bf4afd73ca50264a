//! What a cutover and a rollback both do to the world: the registrar, the new zone's apex NS TTL,
//! and the wait for the parent to publish.

use super::*;

impl Io<'_> {
    /// A fresh walk (its own budget and cache) for one look at the parent or the servers.
    pub(super) fn walker(&self) -> Walker {
        self.dns.walker()
    }

    pub(super) fn call(&self) -> r53_core::route53::Call {
        crate::interrupt::call(Duration::from_secs(600))
    }

    /// The registrar part of a switch or rollback: Route 53 Domains is asked (once; a resume
    /// first looks whether the earlier request landed), another registrar is told by the operator.
    pub(super) async fn registrar_set(
        &self,
        st: &mut State,
        want: &[String],
        glue: &BTreeMap<String, Vec<String>>,
        rollback: bool,
    ) -> Result<(), Fail> {
        let d = st.domain.clone();
        let tag = if rollback { "rollback" } else { "switch" };
        match st.registrar {
            RegistrarKind::External => {
                say(tag, format!("{d} is registered elsewhere. At its registrar, set the name servers to exactly:"));
                for n in want {
                    match glue.get(n) {
                        Some(ips) if !ips.is_empty() => {
                            show!("      {n}  (glue: {})", ips.join(", "))
                        }
                        _ => show!("      {n}"),
                    }
                }
                say(
                    tag,
                    format!(
                        "(nothing else: no DS record; {} will publish the change)",
                        delegation::display_zone(&st.parent_zone)
                    ),
                );
            }
            RegistrarKind::Route53 => {
                let op_slot = if rollback {
                    &st.rollback_operation_id
                } else {
                    &st.operation_id
                };
                let call = self.call();
                let op = match op_slot.clone() {
                    Some(op) => op,
                    None => {
                        // A resume after a kill between the request and its record: an earlier
                        // request may have landed or still be running (AWS refuses a second one
                        // while it runs). Let it finish, then look.
                        if let Some(op) = self
                            .aws
                            .domains
                            .find_operation(&call, &d, "UPDATE_NAMESERVER")
                            .await
                            .map_err(|e| Fail::error(format!("Route 53 Domains: {e}")))?
                        {
                            let _ = self.aws.domains.wait_operation_successful(&call, &op).await;
                        }
                        if self.registrar_holds(&d, want).await? {
                            say(
                                tag,
                                "Route 53 Domains already holds the wanted name servers",
                            );
                            return Ok(());
                        }
                        let ns: Vec<r53_core::domains::NameServer> = want
                            .iter()
                            .map(|n| r53_core::domains::NameServer {
                                name: n.clone(),
                                glue_ips: glue.get(n).cloned().unwrap_or_default(),
                            })
                            .collect();
                        let op = self
                            .aws
                            .domains
                            .update_name_servers(&call, &d, &ns)
                            .await
                            .map_err(|e| {
                                Fail::error(format!(
                                    "Route 53 Domains UpdateDomainNameservers: {e}"
                                ))
                            })?;
                        failpoint(if rollback {
                            "rollback-requested"
                        } else {
                            "switch-requested"
                        });
                        if rollback {
                            st.rollback_operation_id = Some(op.0.clone());
                        } else {
                            st.operation_id = Some(op.0.clone());
                        }
                        st.event(format!(
                            "Route 53 Domains operation {} sets the name servers to {}",
                            op.0,
                            want.join(", ")
                        ));
                        save(st, self.path)?;
                        op.0
                    }
                };
                say(tag, format!("waiting for Route 53 Domains operation {op}"));
                self.aws
                    .domains
                    .wait_operation_successful(&call, &r53_core::domains::OperationId(op.clone()))
                    .await
                    .map_err(|e| Fail::error(format!("operation {op}: {e}")))?;
                say(tag, format!("operation {op} succeeded"));
            }
        }
        Ok(())
    }

    /// A Route 53 zone's apex NS set.
    pub(super) async fn apex_ns(
        &self,
        zone_id: &str,
        domain: &str,
    ) -> Result<r53_zone::RecordSet, Fail> {
        self.aws
            .route53
            .find_record_set(
                &self.call(),
                zone_id,
                domain,
                r53_zone::RecordType::Ns,
                None,
            )
            .await
            .map_err(|e| Fail::error(format!("the NS records of zone {zone_id}: {e}")))
    }

    pub(super) async fn apex_ns_ttl(&self, zone_id: &str, domain: &str) -> Result<u32, Fail> {
        Ok(ttl_of(&self.apex_ns(zone_id, domain).await?))
    }

    /// Sets the TTL of a Route 53 zone's apex NS set and waits for it to be INSYNC; returns the
    /// TTL it had.
    pub(super) async fn set_apex_ns_ttl(
        &self,
        zone_id: &str,
        domain: &str,
        ttl: u32,
    ) -> Result<u32, Fail> {
        let call = self.call();
        let r = &self.aws.route53;
        let mut rs = self.apex_ns(zone_id, domain).await?;
        let before = ttl_of(&rs);
        if before == ttl {
            return Ok(before);
        }
        rs.ttl = Some(i64::from(ttl));
        let change = r
            .change_record_sets(
                &call,
                zone_id,
                &[r53_core::route53::Change::Upsert(rs)],
                "r53-migrate cutover: NS TTL",
            )
            .await
            .map_err(|e| Fail::error(format!("setting the NS TTL of zone {zone_id}: {e}")))?;
        r.wait_change_insync(&call, change.as_ref())
            .await
            .map_err(|e| Fail::error(format!("zone {zone_id}: {e}")))?;
        Ok(before)
    }

    /// Puts the new zone's NS TTL back to what it was before the switch lowered it.
    pub(super) async fn restore_new_ns_ttl(&self, st: &mut State) -> Result<(), Fail> {
        if let Some(t) = st.new_ns_ttl_before {
            let z = st.zone_id.clone();
            self.set_apex_ns_ttl(&z, &st.domain, t).await?;
            st.new_ns_ttl_before = None;
            st.event(format!("restored the NS TTL of zone {z} to {t}s"));
            save(st, self.path)?;
            say("ttl", format!("restored the NS TTL of zone {z} to {t}s"));
        }
        Ok(())
    }

    pub(super) async fn registrar_holds(&self, d: &str, want: &[String]) -> Result<bool, Fail> {
        let now_set = self
            .aws
            .domains
            .find_domain_by_name(&self.call(), d)
            .await
            .map_err(|e| Fail::error(format!("Route 53 Domains: {e}")))?;
        let names: Vec<String> = now_set
            .name_servers
            .iter()
            .map(|n| n.name.clone())
            .collect();
        Ok(delegation::normalise_set(&names) == want)
    }

    /// Polls the parent every `poll` until every server publishes `want`, up to `wait`, saying
    /// what changes as it goes. `Ok(false)`: the wait ran out (or Ctrl-C stopped it).
    pub(super) async fn wait_parent(
        &self,
        st: &State,
        want: &[String],
        tag: &str,
        wait: Duration,
        poll: Duration,
    ) -> Result<bool, Fail> {
        let mut last = String::new();
        let waited = delegation::wait_published(
            want,
            None,
            r53_core::deadline_after(wait),
            crate::interrupt::token(),
            (poll, poll),
            || async { self.walker().parent_view(&st.domain).await },
            |r| match r {
                Ok(v) if v.publishes(want) => {}
                Ok(v) => {
                    let line = v.each_answer();
                    if line != last {
                        say(tag, format!("waiting for the parent: {line}"));
                        last = line;
                    }
                }
                Err(e) => say(tag, format!("the parent did not answer: {e}")),
            },
        )
        .await;
        match waited {
            delegation::Published::Yes(v) => {
                say(
                    tag,
                    format!(
                        "every server of {} publishes {}",
                        delegation::display_zone(&v.zone),
                        want.join(", ")
                    ),
                );
                Ok(true)
            }
            delegation::Published::TimedOut(_) | delegation::Published::Cancelled(_) => Ok(false),
        }
    }
}
