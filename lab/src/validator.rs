//! The tests' independent DNSSEC validator: `unbound-host` (libunbound, from Debian's packages),
//! pointed at the lab's servers, says whether an answer is secure, insecure or bogus.
//!
//! Every lab DNS server listens on the one lab port, but a resolver following referrals would
//! ask port 53; so the validator first walks the delegation from the lab's root over real DNS and
//! gives unbound one stub zone per cut on the way (`stub-addr: IP@PORT`). unbound asks DS at a
//! cut from the parent's stub, as a resolver asks the parent, so each cut is validated the normal
//! way. One unbound-host process per check: no cache is carried from one step to the next.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_proto::rr::{RData, RecordType};

use crate::registry::ask;

/// How deep a delegation may be (cuts from the root) before the walk gives up.
const MAX_CUTS: usize = 12;

/// How long one unbound-host run may take.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// What a validating resolver concludes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Secure,
    Insecure,
    /// With unbound's reason.
    Bogus(String),
}

/// One check: the verdict and unbound-host's whole output (for failure messages).
#[derive(Debug, Clone)]
pub struct Validation {
    pub verdict: Verdict,
    pub output: String,
}

/// A zone cut on the way down: the zone and the addresses of its servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    pub zone: String,
    pub servers: Vec<SocketAddr>,
    /// The name servers the parent's referral named (empty for the root, and for a zone met
    /// on its parent's own server).
    pub ns: Vec<String>,
}

/// Walks from the root at `root` to `qname`, following referrals over DNS; the root is the first
/// cut. Servers without glue are found by walking to their names too (a depth limit stops loops).
pub async fn cuts(root: SocketAddr, qname: &str) -> anyhow::Result<Vec<Cut>> {
    walk(root, qname, 0).await.map(|(cuts, _)| cuts)
}

/// The walk, also returning the A records met for `qname` (an answer or glue).
async fn walk(
    root: SocketAddr,
    qname: &str,
    depth: usize,
) -> anyhow::Result<(Vec<Cut>, Vec<IpAddr>)> {
    anyhow::ensure!(
        depth <= 2,
        "validator: resolving name-server addresses went more than 2 levels deep at {qname}"
    );
    let port = root.port();
    let mut cuts = vec![Cut {
        zone: ".".into(),
        servers: vec![root],
        ns: Vec::new(),
    }];
    let want = format!("{}.", qname.trim_end_matches('.')).to_ascii_lowercase();
    for _ in 0..MAX_CUTS {
        let servers = cuts.last().map(|c| c.servers.clone()).unwrap_or_default();
        let server = *servers
            .first()
            .ok_or_else(|| anyhow::anyhow!("validator: a cut above {qname} has no servers"))?;
        let m = ask(server, qname, RecordType::A).await?;
        let addrs = |records: &[hickory_proto::rr::Record]| -> Vec<IpAddr> {
            records
                .iter()
                .filter(|r| r.name().to_ascii().to_ascii_lowercase() == want)
                .filter_map(|r| match r.data() {
                    RData::A(a) => Some(IpAddr::V4(a.0)),
                    _ => None,
                })
                .collect()
        };
        if m.authoritative()
            || m.name_servers()
                .iter()
                .all(|r| r.record_type() != RecordType::NS)
        {
            return Ok((cuts, addrs(m.answers())));
        }
        let glue_for_qname = addrs(m.additionals());
        if !glue_for_qname.is_empty() && depth > 0 {
            // Looking up a server's own address: its glue answers it.
            return Ok((cuts, glue_for_qname));
        }
        let mut zone = String::new();
        let mut hosts = Vec::new();
        for r in m.name_servers() {
            if let RData::NS(ns) = r.data() {
                zone = r.name().to_ascii().to_ascii_lowercase();
                hosts.push(ns.0.to_ascii().to_ascii_lowercase());
            }
        }
        let mut next = Vec::new();
        for host in &hosts {
            let glue: Vec<IpAddr> = m
                .additionals()
                .iter()
                .filter(|r| r.name().to_ascii().to_ascii_lowercase() == *host)
                .filter_map(|r| match r.data() {
                    RData::A(a) => Some(IpAddr::V4(a.0)),
                    _ => None,
                })
                .collect();
            let ips = if glue.is_empty() {
                Box::pin(walk(root, host, depth + 1))
                    .await
                    .map(|(_, a)| a)
                    .unwrap_or_default()
            } else {
                glue
            };
            next.extend(ips.into_iter().map(|ip| SocketAddr::new(ip, port)));
        }
        next.sort();
        next.dedup();
        anyhow::ensure!(
            !next.is_empty(),
            "validator: no address for any server of {zone} ({hosts:?})"
        );
        // A server can run a zone and its parent (the lab's root and TLDs): then no referral
        // shows the cut between them, so ask for each zone in between outright.
        let parent = cuts.last().map(|c| c.zone.clone()).unwrap_or_default();
        for apex in between(&parent, &zone) {
            let m = ask(server, &apex, RecordType::SOA).await?;
            let is_apex = m.answers().iter().any(|r| {
                r.record_type() == RecordType::SOA
                    && r.name().to_ascii().eq_ignore_ascii_case(&apex)
            });
            if is_apex {
                cuts.push(Cut {
                    zone: apex,
                    servers: servers.clone(),
                    ns: Vec::new(),
                });
            }
        }
        cuts.push(Cut {
            zone,
            servers: next,
            ns: hosts,
        });
    }
    anyhow::bail!("validator: more than {MAX_CUTS} cuts above {qname}")
}

/// The names strictly between zone `parent` and its descendant `child` (both with trailing
/// dots), nearest the parent first: `between(".", "shop.test.")` is `["test."]`.
fn between(parent: &str, child: &str) -> Vec<String> {
    let labels: Vec<&str> = child.trim_end_matches('.').split('.').collect();
    let depth = |n: &str| {
        n.trim_end_matches('.')
            .split('.')
            .filter(|l| !l.is_empty())
            .count()
    };
    let (p, c) = (depth(parent), labels.len());
    (p + 1..c)
        .map(|k| format!("{}.", labels[c - k..].join(".")))
        .collect()
}

/// What the parent of `zone` publishes for it, read over DNS from the lab's root: the NS names
/// (no trailing dot) and the DS RDATA texts ("12345 13 2 ABCD…"); None when it is not delegated.
pub async fn parent_of(
    root: SocketAddr,
    zone: &str,
) -> anyhow::Result<Option<(Vec<String>, Vec<String>)>> {
    let want = format!("{}.", zone.trim_end_matches('.')).to_ascii_lowercase();
    let cuts = cuts(root, &want).await?;
    let Some(at) = cuts.iter().position(|c| c.zone == want && !c.ns.is_empty()) else {
        return Ok(None);
    };
    let Some(parent) = at.checked_sub(1).and_then(|p| cuts.get(p)) else {
        return Ok(None);
    };
    let server = *parent
        .servers
        .first()
        .ok_or_else(|| anyhow::anyhow!("validator: the parent of {zone} has no servers"))?;
    let m = ask(server, &want, RecordType::DS).await?;
    let ds = m
        .answers()
        .iter()
        .filter_map(|r| match r.data() {
            RData::DNSSEC(hickory_proto::dnssec::rdata::DNSSECRData::DS(d)) => Some(d.to_string()),
            _ => None,
        })
        .collect();
    let ns = cuts[at]
        .ns
        .iter()
        .map(|n| n.trim_end_matches('.').to_string())
        .collect();
    Ok(Some((ns, ds)))
}

/// unbound's configuration: the trust anchor and one stub zone per cut.
pub fn config(anchor: &str, cuts: &[Cut]) -> String {
    let mut c = String::from(
        "server:\n    do-not-query-localhost: no\n    do-ip6: no\n    qname-minimisation: no\n    \
         val-log-level: 2\n    module-config: \"validator iterator\"\n    use-syslog: no\n    \
         chroot: \"\"\n    username: \"\"\n    target-fetch-policy: \"0 0 0 0 0\"\n",
    );
    c.push_str(&format!("    trust-anchor: \"{anchor}\"\n"));
    // unbound answers the special-use `test.` (RFC 6761) itself unless told not to; the lab's
    // TLD is `test`.
    c.push_str("    local-zone: \"test.\" nodefault\n");
    for cut in cuts {
        c.push_str(&format!(
            "stub-zone:\n    name: \"{}\"\n    stub-prime: no\n",
            cut.zone
        ));
        for s in &cut.servers {
            c.push_str(&format!("    stub-addr: {}@{}\n", s.ip(), s.port()));
        }
    }
    c
}

/// Reads unbound-host's verdict: each answer line ends `(secure)`, `(insecure)` or
/// `(BOGUS (security failure))`, and a bogus one is followed by the reason. Any bogus line makes
/// the whole bogus; no verdict at all is an error.
pub fn parse(output: &str) -> anyhow::Result<Verdict> {
    if output.contains("(BOGUS") {
        let reason = output
            .lines()
            .find(|l| l.contains("validation failure"))
            .unwrap_or("(no reason given)")
            .trim()
            .to_string();
        return Ok(Verdict::Bogus(reason));
    }
    let lines: Vec<&str> = output.lines().filter(|l| l.ends_with(')')).collect();
    if !lines.is_empty() && lines.iter().all(|l| l.ends_with("(secure)")) {
        return Ok(Verdict::Secure);
    }
    if lines.iter().any(|l| l.ends_with("(insecure)")) {
        return Ok(Verdict::Insecure);
    }
    anyhow::bail!("validator: no verdict in unbound-host's output:\n{output}")
}

/// Asks unbound-host for `qname`/`qtype` from the lab's root at `root` with `anchor`.
pub async fn validate(
    root: SocketAddr,
    anchor: &str,
    qname: &str,
    qtype: RecordType,
) -> anyhow::Result<Validation> {
    let cuts = cuts(root, qname).await?;
    let dir = tempfile::tempdir()?;
    let conf = dir.path().join("unbound.conf");
    std::fs::write(&conf, config(anchor, &cuts))?;
    let out = tokio::time::timeout(
        RUN_TIMEOUT,
        tokio::process::Command::new("unbound-host")
            .arg("-v")
            .arg("-C")
            .arg(&conf)
            .arg("-t")
            .arg(qtype.to_string())
            .arg(qname.trim_end_matches('.'))
            .kill_on_drop(true)
            .output(),
    )
    .await
    .map_err(|_| anyhow::anyhow!("validator: unbound-host took over {RUN_TIMEOUT:?}"))?
    .map_err(|e| {
        anyhow::anyhow!(
            "validator: running unbound-host (scripts/install-tools.sh installs it): {e}"
        )
    })?;
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let verdict = parse(&output).map_err(|e| anyhow::anyhow!("{e}\ncuts: {cuts:?}"))?;
    Ok(Validation { verdict, output })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_are_read_from_every_line() {
        assert_eq!(
            parse("www.shop.test has address 192.0.2.1 (secure)\n").unwrap(),
            Verdict::Secure
        );
        assert_eq!(
            parse("www.shop.test has address 192.0.2.1 (insecure)\n").unwrap(),
            Verdict::Insecure
        );
        assert_eq!(
            parse("shop.test has no address (secure)\nx (insecure)\n").unwrap(),
            Verdict::Insecure
        );
        let b = parse(
            "www.shop.test has address 192.0.2.1 (BOGUS (security failure))\n\
             validation failure <www.shop.test. A IN>: no keys have a DS\n",
        )
        .unwrap();
        assert!(matches!(b, Verdict::Bogus(r) if r.contains("no keys have a DS")));
        assert!(parse("error: something\n").is_err());
    }

    #[test]
    fn names_between_cuts() {
        assert_eq!(between(".", "shop.test."), ["test."]);
        assert_eq!(
            between(".", "a.b.shop.test."),
            ["test.", "shop.test.", "b.shop.test."]
        );
        assert_eq!(between("test.", "shop.test."), Vec::<String>::new());
        assert_eq!(between(".", "test."), Vec::<String>::new());
    }

    #[test]
    fn the_config_has_a_stub_per_cut() {
        let c = config(
            ". DNSKEY 257 3 13 abc=",
            &[
                Cut {
                    zone: ".".into(),
                    servers: vec!["127.0.0.1:5300".parse().unwrap()],
                    ns: Vec::new(),
                },
                Cut {
                    zone: "shop.test.".into(),
                    servers: vec!["127.0.1.1:5300".parse().unwrap()],
                    ns: vec!["ns-0.awsdns-00.com.".into()],
                },
            ],
        );
        assert!(c.contains("trust-anchor: \". DNSKEY 257 3 13 abc=\""));
        assert!(
            c.contains("name: \"shop.test.\"\n    stub-prime: no\n    stub-addr: 127.0.1.1@5300\n")
        );
    }
}
