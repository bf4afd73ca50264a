//! `r53-migrate cutover | rollback | status`: a verified, resumable name-server switch for a
//! domain whose zone moves to Route 53 (the registrar may be Route 53 Domains or any other).
//!
//! The steps, each saved to the state file before the next begins:
//! preflight (read-only: parent, old host, new host, DNSSEC, TTLs, every record set asked at every
//! server) → switch (registrar update or the operator's change, then the parent publishing the new
//! set) → monitor (the parent everywhere, the new zone re-verified, until the old delegation's TTL
//! has passed) → complete. `rollback` restores the saved old set by the same path from any step.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use r53_core::dns::delegation::{self, DnsSettings, ParentView, ServerAnswer, Walker};
use r53_core::dns::equivalence::{self, Question, Reply, Target};
use r53_core::rfc3339;
use r53_zone::name::{normalise, within};

use crate::persist;
use crate::state::{self, now, span, RegistrarKind, State, Step};
use crate::{AwsArgs, Fail, SourceArgs, EXIT_OK, EXIT_PENDING};

/// The state file of `domain`'s cutover (`--state`, else the default), locked per domain (in the
/// lock folder) and per file: two runs for one domain never interleave, whatever --state each got.
fn locked(domain: &str, state: Option<&Path>) -> Result<(PathBuf, [persist::Lock; 2]), Fail> {
    let path = state
        .map(Path::to_path_buf)
        .unwrap_or_else(|| state::default_path(domain));
    let by_domain = persist::lock_domain("cutover", domain).map_err(Fail::error)?;
    let by_file = persist::lock(&path).map_err(Fail::error)?;
    Ok((path, [by_domain, by_file]))
}

/// A test hook: `R53_MIGRATE_FAIL_AT=<point>` aborts the process there, as a kill would.
fn failpoint(point: &str) {
    if std::env::var("R53_MIGRATE_FAIL_AT").is_ok_and(|p| p == point) {
        eprintln!("r53-migrate: aborting at failpoint {point}");
        std::process::abort();
    }
}

/// `--json`: progress goes to stderr, and stdout carries only the JSON document at the end.
static JSON: AtomicBool = AtomicBool::new(false);

/// A progress line: stdout, or stderr under `--json`.
macro_rules! show {
    ($($t:tt)*) => {
        if JSON.load(Ordering::Relaxed) {
            eprintln!($($t)*)
        } else {
            println!($($t)*)
        }
    };
}

fn println_json(v: &impl serde::Serialize) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

/// The `--json` document of a cutover or rollback run: how it ended and the state it left.
fn report_json(domain_arg: &str, state_arg: Option<PathBuf>, r: &Result<u8, Fail>) {
    let domain = domain_of(domain_arg).ok();
    let st = domain.as_deref().and_then(|d| {
        let p = state_arg.unwrap_or_else(|| state::default_path(d));
        State::load(&p).ok()
    });
    let (exit, error) = match r {
        Ok(code) => (*code, None),
        Err(f) => (f.code, Some(f.message.as_str())),
    };
    println_json(&serde_json::json!({
        "domain": domain,
        "exit": exit,
        "error": error,
        "state": st,
    }));
}

fn say(step: &str, msg: impl AsRef<str>) {
    show!("[{step}] {}", msg.as_ref());
}

fn domain_of(s: &str) -> Result<String, Fail> {
    r53_zone::Name::delegable(s)
        .map(|n| n.to_string())
        .map_err(|e| Fail::error(format!("domain: {e}")))
}

fn save(st: &State, path: &Path) -> Result<(), Fail> {
    st.save(path).map_err(Fail::error)
}

pub async fn run(a: CutoverArgs) -> Result<u8, Fail> {
    JSON.store(a.json, Ordering::Relaxed);
    let report = a.json.then(|| (a.src.zone.clone(), a.state.clone()));
    let r = run_steps(a).await;
    if let Some((domain, state)) = report {
        report_json(&domain, state, &r);
    }
    r
}

async fn run_steps(a: CutoverArgs) -> Result<u8, Fail> {
    let domain = domain_of(&a.src.zone)?;
    // Validate everything that needs no I/O first.
    if a.src.from.is_some() && a.names.is_some() {
        return Err(Fail::error("give --from or --names, not both"));
    }
    // Validated before any other I/O (a resume without them reads the recorded ones later).
    let (mut src, mut names) = questions_from(&a, &domain)?;
    let (path, _locks) = locked(&domain, a.state.as_deref())?;
    let existing = path.exists();
    if a.resume && !existing {
        return Err(Fail::error(format!(
            "--resume: no cutover of {domain} recorded in {}",
            path.display()
        )));
    }
    let aws = crate::connect(&a.aws).await?;
    let mut st = if existing {
        let st = load(&path)?;
        if st.domain != domain {
            return Err(Fail::error(format!(
                "{} records a cutover of {}, not {domain}",
                path.display(),
                st.domain
            )));
        }
        let finished = matches!(st.step, Step::Complete | Step::RolledBack);
        if !a.resume && !finished {
            return Err(Fail::error(format!(
                "a cutover of {domain} is recorded in {} ({}); continue it with --resume, see `r53-migrate status {domain}`, or undo it with `r53-migrate rollback {domain}`",
                path.display(),
                st.step.describe()
            )));
        }
        if a.resume {
            if let Some(z) = &a.to_zone {
                if r53_core::route53::strip_zone_id(z) != st.zone_id {
                    return Err(Fail::error(format!(
                        "--to-zone {z} differs from the recorded cutover's zone {}",
                        st.zone_id
                    )));
                }
            }
            st
        } else {
            // A finished cutover's record is kept beside the new one, not overwritten.
            let fresh_state = fresh(&a, &aws, &domain).await?;
            let mut done = path.as_os_str().to_owned();
            done.push(format!(
                ".{}-{}",
                st.step.describe().replace(' ', "-"),
                now()
            ));
            std::fs::rename(&path, &done)
                .map_err(|e| Fail::error(format!("keeping {}: {e}", path.display())))?;
            say(
                "start",
                format!(
                    "the earlier cutover's record is kept as {}",
                    PathBuf::from(done).display()
                ),
            );
            fresh_state
        }
    } else {
        fresh(&a, &aws, &domain).await?
    };
    // Where the questions come from: this run's --from/--names, else what the cutover recorded.
    let mut a = a;
    if a.src.from.is_none() && a.names.is_none() {
        a.src.from = st.from.clone();
        a.names = st.names_file.clone().map(PathBuf::from);
        a.src.skip_unsupported |= st.skip_unsupported;
        (src, names) = questions_from(&a, &domain)?;
    }
    let opts = equivalence::Options {
        concurrency: a.concurrency.max(1),
        timeout: a.dns.query_timeout,
        compare_ttl: a.compare_ttl,
        ignore_case: a.ignore_case,
        ..Default::default()
    };
    let cx = Cx {
        io: Io {
            aws: &aws,
            dns: &a.dns,
            path: &path,
        },
        opts,
        a: &a,
    };
    let asked = machine::Asked {
        switch: a.switch,
        recheck: a.recheck,
    };
    let mut checked = false;
    loop {
        match machine::next_action(&st, checked, asked) {
            Next::Preflight => {
                checked = true;
                let pf = cx
                    .preflight(&mut st, src.as_ref(), names.as_deref())
                    .await?;
                if !pf {
                    return Err(Fail::refused(format!(
                        "preflight blocked the cutover of {domain} (recorded in {}); fix the above and run `r53-migrate cutover {domain} --resume`",
                        path.display()
                    )));
                }
                if !a.switch {
                    show!(
                        "\nPreflight passed. Switch with: r53-migrate cutover {domain} --resume --switch"
                    );
                    return Ok(EXIT_PENDING);
                }
            }
            Next::AskForSwitch => {
                show!(
                    "Preflight passed at {}. Switch with: r53-migrate cutover {domain} --resume --switch",
                    rfc3339(st.preflight.as_ref().map(|p| p.at).unwrap_or(0))
                );
                return Ok(EXIT_PENDING);
            }
            Next::Switch => {
                if let Some(code) = cx.switch(&mut st).await? {
                    return Ok(code);
                }
            }
            Next::Blocked => {
                // Preflight ran in this invocation and blocked: it returned above.
                return Err(Fail::refused(format!(
                    "preflight blocked the cutover of {domain}"
                )));
            }
            Next::AwaitParent => {
                if let Some(code) = cx.await_switch(&mut st).await? {
                    return Ok(code);
                }
            }
            Next::Monitor => {
                if let Some(code) = cx.monitor(&mut st).await? {
                    return Ok(code);
                }
            }
            Next::Done => {
                say(
                    "done",
                    format!(
                        "the cutover of {domain} to {} is complete",
                        st.new_ns.join(", ")
                    ),
                );
                return Ok(EXIT_OK);
            }
            Next::RolledBack => {
                return Err(Fail::error(format!(
                    "the cutover of {domain} was rolled back ({}); start a new one without --resume once the rollback is done",
                    st.step.describe()
                )));
            }
        }
    }
}

/// Moves `st` on by `event` (refused when it cannot happen at its step).
fn advance(st: &mut State, event: Event) -> Result<(), Fail> {
    st.step = machine::next(st.step, event).map_err(|e| Fail::error(e.to_string()))?;
    Ok(())
}

/// Loads a recorded cutover, refusing one whose step lacks what it needs.
fn load(path: &Path) -> Result<State, Fail> {
    let st = State::load(path).map_err(Fail::error)?;
    machine::check(&st).map_err(|e| Fail::error(format!("{}: {e}", path.display())))?;
    Ok(st)
}

async fn fresh(a: &CutoverArgs, aws: &r53_core::Aws, domain: &str) -> Result<State, Fail> {
    let Some(zone_id) = a.to_zone.as_deref() else {
        return Err(Fail::error(
            "--to-zone ZONE_ID is required to start a cutover",
        ));
    };
    let call = crate::interrupt::call(Duration::from_secs(300));
    let zone_id = r53_core::route53::strip_zone_id(zone_id);
    let hz = crate::zone_by_id(
        aws,
        &call,
        &zone_id,
        domain,
        &format!("--to-zone {zone_id}"),
    )
    .await?;
    if hz.private {
        return Err(Fail::error(format!(
            "--to-zone {zone_id} is a private zone; the internet cannot be delegated to it"
        )));
    }
    let registrar = match a.registrar {
        Some(RegistrarArg::Route53) => RegistrarKind::Route53,
        Some(RegistrarArg::External) => RegistrarKind::External,
        None => match aws.domains.find_domain_by_name(&call, domain).await {
            Ok(_) => RegistrarKind::Route53,
            Err(e) if e.is_not_found() => RegistrarKind::External,
            Err(e) => {
                return Err(Fail::error(format!(
                    "cannot tell whether Route 53 Domains holds {domain} ({e}); say with --registrar route53|external"
                )))
            }
        },
    };
    Ok(State {
        version: state::VERSION,
        domain: domain.to_string(),
        zone_id,
        registrar,
        step: Step::Blocked,
        source: a
            .src
            .from
            .clone()
            .or_else(|| {
                a.names
                    .as_ref()
                    .map(|p| format!("names file {}", p.display()))
            })
            .unwrap_or_else(|| "AXFR from the old name servers".into()),
        parent_zone: String::new(),
        old_ns: Vec::new(),
        old_glue: BTreeMap::new(),
        new_ns: delegation::normalise_set(&hz.name_servers),
        parent_ns_ttl: 0,
        old_ns_ttl: 0,
        old_ns_ttl_seen: Vec::new(),
        max_zone_ttl: 0,
        earliest_switch: 0,
        preflight: None,
        switch_requested_at: None,
        operation_id: None,
        published_at: None,
        complete_after: None,
        rollback_operation_id: None,
        new_ns_ttl_before: None,
        from: a.src.from.as_deref().map(absolute_source),
        names_file: a.names.as_ref().map(|p| absolute(p).display().to_string()),
        skip_unsupported: a.src.skip_unsupported,
        events: Vec::new(),
    })
}

mod args;
mod checks;
mod machine;
mod monitor;
mod names;
mod preflight;
mod registrar;
mod rollback;
mod status;
mod switch;

pub use args::{CutoverArgs, DnsArgs, RegistrarArg, RollbackArgs, StatusArgs, MAX_CONCURRENCY};
use machine::{Event, Next};
pub use names::parse_names;
#[cfg(test)]
use names::read_names;
use names::{absolute, absolute_source, questions_from};
use preflight::ttl_of;
pub use rollback::rollback;
pub use status::status;

/// What a cutover and a rollback both use: AWS, the DNS walk, the state file.
struct Io<'a> {
    aws: &'a r53_core::Aws,
    dns: &'a DnsArgs,
    path: &'a Path,
}

/// A cutover run: its options on top of what a rollback uses too.
struct Cx<'a> {
    io: Io<'a>,
    opts: equivalence::Options,
    a: &'a CutoverArgs,
}

impl<'a> std::ops::Deref for Cx<'a> {
    type Target = Io<'a>;
    fn deref(&self) -> &Io<'a> {
        &self.io
    }
}

/// Whether this machine has a route to `ip` (an IPv6 address from an IPv4-only host has none).
fn routable(ip: IpAddr, port: u16) -> bool {
    let local: SocketAddr = match ip {
        IpAddr::V4(_) => (std::net::Ipv4Addr::UNSPECIFIED, 0).into(),
        IpAddr::V6(_) => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    std::net::UdpSocket::bind(local)
        .and_then(|s| s.connect(SocketAddr::new(ip, port)))
        .is_ok()
}

/// Servers to ask, one target per address this machine can reach (all of a server's addresses
/// when it can reach none, so the failure is reported rather than hidden). Servers that did not
/// answer for the domain at all are left out: they are reported as such.
fn targets(servers: &[ServerAnswer], port: u16) -> Vec<Target> {
    let mut out = Vec::new();
    for s in servers.iter().filter(|s| s.error.is_none()) {
        let reachable: Vec<IpAddr> = s
            .addrs
            .iter()
            .copied()
            .filter(|ip| routable(*ip, port))
            .collect();
        let addrs = if reachable.is_empty() {
            &s.addrs
        } else {
            &reachable
        };
        for ip in addrs {
            out.push(Target {
                label: if addrs.len() > 1 {
                    format!("{} ({ip})", s.name)
                } else {
                    s.name.clone()
                },
                addr: SocketAddr::new(*ip, port),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_file_is_validated_with_line_numbers() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("names");
        std::fs::write(&p, "# mail\n@ MX\nwww A\nx.other.org. A\n").unwrap();
        let e = read_names(&p, "shop.example").err().unwrap().message;
        assert!(
            e.contains(":4: x.other.org is not inside shop.example"),
            "{e}"
        );
        std::fs::write(&p, "@ MX\nwww A\napi.shop.example. AAAA\n").unwrap();
        let q = read_names(&p, "shop.example").unwrap();
        assert_eq!(q[0].name, "shop.example");
        assert_eq!(q[1].name, "www.shop.example");
        assert_eq!(q[2].ty, "AAAA");
        std::fs::write(&p, "www LOC\n").unwrap();
        assert!(read_names(&p, "shop.example").is_err());
    }
}
