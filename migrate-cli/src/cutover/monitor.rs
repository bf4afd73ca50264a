//! Monitor: after the parent publishes the new set, the parent and the new zone are watched
//! until resolvers can no longer hold the old delegation.

use super::switch::Drift;
use super::*;

impl Cx<'_> {
    /// Monitoring → Complete: the parent keeps the new set, the new zone keeps its answers.
    pub(super) async fn monitor(&self, st: &mut State) -> Result<Option<u8>, Fail> {
        let d = st.domain.clone();
        let until = st.complete_after.unwrap_or(0);
        let deadline = r53_core::deadline_after(self.a.wait);
        let mut rounds = 0;
        // The parent is asked every poll (free); the whole zone at most every --reverify-every
        // (Route 53 bills every query its name servers answer), and once more at the end.
        let mut verified: Option<Instant> = None;
        loop {
            rounds += 1;
            let last_round = now() >= until;
            let v = self
                .walker()
                .parent_view(&d)
                .await
                .map_err(|e| Fail::error(format!("the parent of {d}: {e}")))?;
            if !v.publishes(&st.new_ns) {
                return Err(Fail::error(format!(
                    "the parent no longer publishes the new name servers for {d} (it says: {}); someone changed the delegation — look, then `r53-migrate rollback {d}` or `--resume`",
                    v.published().map(|n| n.join(", ")).unwrap_or("no delegation".into())
                )));
            }
            let due = verified.is_none_or(|t| t.elapsed() >= self.a.reverify_every);
            if due || last_round {
                verified = Some(Instant::now());
                self.verify_new(st).await?;
            }
            if rounds == 1 {
                say("monitor", format!("the parent publishes the new set everywhere; the new zone answers as at preflight; the old delegation may be cached until {}", rfc3339(until)));
            }
            if last_round {
                break;
            }
            let left = Duration::from_secs(until.saturating_sub(now()));
            if self.a.poll.min(left) > deadline.saturating_duration_since(Instant::now()) {
                say("monitor", format!("complete after {}; the state is saved: run `r53-migrate cutover {d} --resume` then", rfc3339(until)));
                return Ok(Some(EXIT_PENDING));
            }
            tokio::time::sleep(self.a.poll.min(left)).await;
        }
        self.restore_new_ns_ttl(st).await?;
        advance(st, Event::Held)?;
        st.event("the old delegation's TTL has passed everywhere; cutover complete");
        save(st, self.path)?;
        say("monitor", format!(
            "complete: resolvers can no longer hold the old delegation. Raise the old host's NS TTL back if it stays in service, keep its zone until you are sure, then remove it; zone {} serves the domain now",
            st.zone_id
        ));
        Ok(None)
    }

    /// Every new server answers authoritatively and every record set as at preflight.
    pub(super) async fn verify_new(&self, st: &State) -> Result<(), Fail> {
        let d = &st.domain;
        let new = self.servers(st, &st.new_ns, None, false).await?;
        self.reverify(st, &new).await.map_err(|drift| match drift {
            Drift::Silent(name, e) => Fail::error(format!(
                "new name server {name} stopped answering: {e}; consider `r53-migrate rollback {d}`"
            )),
            Drift::Diverged(n) => Fail::error(format!(
                "the new zone no longer answers like the old host did for {n} record set(s) (listed above); fix it or roll back: r53-migrate rollback {d}"
            )),
        })
    }
}
