//! `r53-migrate status DOMAIN`: the saved state, and (unless --offline) the parent now.

use super::*;

/// `r53-migrate status DOMAIN`.
pub async fn status(a: StatusArgs) -> Result<u8, Fail> {
    let domain = domain_of(&a.domain)?;
    let path = a
        .state
        .clone()
        .unwrap_or_else(|| state::default_path(&domain));
    if !path.exists() {
        return Err(Fail::error(format!(
            "no cutover of {domain} recorded in {}",
            path.display()
        )));
    }
    let st = State::load(&path).map_err(Fail::error)?;
    if a.json {
        println_json(&st);
        return Ok(EXIT_OK);
    }
    show!(
        "Cutover of {domain} to zone {} ({} registrar)",
        st.zone_id,
        match st.registrar {
            RegistrarKind::Route53 => "Route 53 Domains",
            RegistrarKind::External => "external",
        }
    );
    show!("  step:       {}", st.step.describe());
    show!("  old set:    {}", st.old_ns.join(", "));
    show!("  new set:    {}", st.new_ns.join(", "));
    if let Some(p) = &st.preflight {
        show!(
            "  preflight:  {} at {} ({} record sets, {} queries, {} difference(s))",
            if p.passed { "passed" } else { "blocked" },
            rfc3339(p.at),
            p.questions,
            p.queries,
            p.differences.len()
        );
        for b in &p.blockers {
            show!("    blocks: {b}");
        }
    }
    if st.earliest_switch > now() {
        show!("  switch safe from {}", rfc3339(st.earliest_switch));
    }
    if let Some(t) = st.complete_after {
        show!("  old delegation cached at most until {}", rfc3339(t));
    }
    show!("  history:");
    for e in &st.events {
        show!("    {} [{:?}] {}", rfc3339(e.at), e.step, e.message);
    }
    if !a.offline {
        match a.dns.walker().parent_view(&domain).await {
            Ok(v) => show!(
                "  the parent ({}) publishes now: {}",
                delegation::display_zone(&v.zone),
                match v.agreed() {
                    Some(ns) if ns == st.new_ns => format!("{} (the new set)", ns.join(", ")),
                    Some(ns) if ns == st.old_ns => format!("{} (the old set)", ns.join(", ")),
                    Some(ns) => ns.join(", "),
                    None => "no consistent delegation".into(),
                }
            ),
            Err(e) => show!("  the parent could not be asked: {e}"),
        }
    }
    Ok(EXIT_OK)
}
