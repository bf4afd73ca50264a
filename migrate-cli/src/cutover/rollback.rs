//! `r53-migrate rollback DOMAIN`: the saved old set restored by the same path, from any step.

use super::machine::{self, Rollback};
use super::*;

/// `r53-migrate rollback DOMAIN`.
pub async fn rollback(a: RollbackArgs) -> Result<u8, Fail> {
    JSON.store(a.json, Ordering::Relaxed);
    let report = a.json.then(|| (a.domain.clone(), a.state.clone()));
    let r = rollback_steps(a).await;
    if let Some((domain, state)) = report {
        report_json(&domain, state, &r);
    }
    r
}

async fn rollback_steps(a: RollbackArgs) -> Result<u8, Fail> {
    let domain = domain_of(&a.domain)?;
    let (path, _locks) = locked(&domain, a.state.as_deref())?;
    if !path.exists() {
        return Err(Fail::error(format!(
            "no cutover of {domain} recorded in {}",
            path.display()
        )));
    }
    let mut st = State::load(&path).map_err(Fail::error)?;
    let plan =
        machine::rollback(&st).map_err(|e| Fail::error(format!("{}: {e}", path.display())))?;
    match plan {
        Rollback::Cancel => {
            advance(&mut st, Event::Cancelled)?;
            st.event("cancelled before the switch; nothing to restore");
            save(&st, &path)?;
            say(
                "rollback",
                format!(
                    "nothing was switched; the delegation of {domain} stays {}",
                    st.old_ns.join(", ")
                ),
            );
            return Ok(EXIT_OK);
        }
        Rollback::AlreadyDone => {
            say(
                "rollback",
                format!("already rolled back to {}", st.old_ns.join(", ")),
            );
            return Ok(EXIT_OK);
        }
        Rollback::Restore => {}
    }
    let aws = crate::connect(&a.aws).await?;
    let walker = a.dns.walker();
    // The old host must still answer, or restoring it breaks the domain.
    let mut dead = Vec::new();
    for ns in &st.old_ns {
        let glue: Option<Vec<IpAddr>> = st
            .old_glue
            .get(ns)
            .map(|g| g.iter().filter_map(|i| i.parse().ok()).collect());
        let s = walker.check_server(ns, glue.as_ref(), &domain, false).await;
        if let Some(e) = s.error {
            dead.push(e);
        }
    }
    walker
        .stopped()
        .map_err(|e| Fail::error(format!("checking the old name servers of {domain}: {e}")))?;
    if !dead.is_empty() && !a.force {
        return Err(Fail::refused(format!(
            "the old host no longer answers for {domain} ({}); rolling back would break the domain. Use --force to roll back anyway",
            dead.join("; ")
        )));
    }
    if st.step != Step::RollingBack {
        advance(&mut st, Event::RollbackStarted)?;
        st.event(format!("rolling back to {}", st.old_ns.join(", ")));
        save(&st, &path)?;
        failpoint("rollback-saved");
    }
    let io = Io {
        aws: &aws,
        dns: &a.dns,
        path: &path,
    };
    let (old, glue) = (st.old_ns.clone(), st.old_glue.clone());
    io.registrar_set(&mut st, &old, &glue, true).await?;
    if !io
        .wait_parent(&st, &old, "rollback", a.wait, a.poll)
        .await?
    {
        say(
            "rollback",
            format!("still waiting; run `r53-migrate rollback {domain}` again to go on waiting"),
        );
        return Ok(EXIT_PENDING);
    }
    io.restore_new_ns_ttl(&mut st).await?;
    advance(&mut st, Event::Restored)?;
    st.event(format!(
        "rolled back: the parent publishes {}",
        old.join(", ")
    ));
    save(&st, &path)?;
    say(
        "rollback",
        format!("done: {domain} is delegated to {} again", old.join(", ")),
    );
    Ok(EXIT_OK)
}
