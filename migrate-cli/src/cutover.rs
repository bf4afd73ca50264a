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
use r53_core::delegation::{self, DnsSettings, ParentView, ServerAnswer, Walker};
use r53_core::equivalence::{self, Question, Reply, Target};
use r53_core::rfc3339;
use r53_zone::name::{normalise, within};

use crate::state::{self, now, span, RegistrarKind, State, Step};
use crate::{AwsArgs, Fail, SourceArgs, EXIT_OK, EXIT_PENDING};

/// Where DNS questions go (shared by cutover, rollback and status).
#[derive(Args, Debug, Clone)]
pub struct DnsArgs {
    /// Root server addresses the walk to the parent starts from (default: the IANA roots).
    #[arg(long, env = "R53_DNS_ROOT_HINTS", value_delimiter = ',')]
    pub root_hints: Vec<IpAddr>,
    /// The port every authoritative server is asked on.
    #[arg(long, env = "R53_DNS_PORT", default_value_t = 53)]
    pub dns_port: u16,
    /// Recursive resolvers (IP or IP:PORT), only to find name-server addresses the parent gives
    /// no glue for (default: resolve them iteratively from the roots).
    #[arg(long = "resolver", env = "R53_DNS_RESOLVERS", value_delimiter = ',', value_parser = parse_resolver)]
    pub resolvers: Vec<SocketAddr>,
    /// How long to wait for each DNS answer (500ms, 3s …).
    #[arg(long, env = "R53_DNS_TIMEOUT", default_value = "3s", value_parser = parse_duration)]
    pub query_timeout: Duration,
    /// The most queries one walk (finding the parent and asking it, or checking the name
    /// servers) may send; a referral loop or a fan-out of servers without glue stops here.
    #[arg(long, env = "R53_DNS_MAX_QUERIES", default_value_t = delegation::DEFAULT_MAX_QUERIES, value_parser = crate::count_parser("--max-queries", 100_000))]
    pub max_queries: usize,
    /// The longest one walk may take in all (each query also within --query-timeout).
    #[arg(long, env = "R53_DNS_WALK_TIMEOUT", default_value = "5m", value_parser = parse_duration)]
    pub walk_timeout: Duration,
}

fn parse_resolver(s: &str) -> Result<SocketAddr, String> {
    s.parse::<SocketAddr>()
        .or_else(|_| s.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
        .map_err(|_| format!("{s:?} is not an IP or IP:PORT"))
}

use r53_core::parse_duration;

impl DnsArgs {
    /// A fresh walk: its own query budget and address cache, within --walk-timeout, ended by
    /// Ctrl-C.
    fn walker(&self) -> Walker {
        let mut s = DnsSettings::default();
        if !self.root_hints.is_empty() {
            s.root_hints = self.root_hints.clone();
        }
        s.port = self.dns_port;
        s.resolvers = self.resolvers.clone();
        s.timeout = self.query_timeout;
        s.max_queries = self.max_queries;
        s.max_queries_flag = Some("--max-queries");
        Walker::new(s).bounded_by(&crate::interrupt::call(self.walk_timeout))
    }
}

/// The most questions `--concurrency` may keep in flight: each worker holds one UDP socket per
/// name server asked, so 1024 workers × 6 servers is already 6,000 descriptors.
pub const MAX_CONCURRENCY: usize = 1024;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RegistrarArg {
    Route53,
    External,
}

#[derive(Args, Debug, Clone)]
pub struct CutoverArgs {
    #[command(flatten)]
    pub src: SourceArgs,
    /// The Route 53 hosted zone the domain moves to (its 4 name servers become the delegation).
    #[arg(long, value_name = "ZONE_ID")]
    pub to_zone: Option<String>,
    /// For hosts without zone transfers: a file of `NAME TYPE` lines to compare (with the target
    /// zone's own record sets, which are always compared).
    #[arg(long)]
    pub names: Option<PathBuf>,
    /// Who holds the registration (default: Route 53 Domains if it has the domain, else external).
    #[arg(long, value_enum)]
    pub registrar: Option<RegistrarArg>,
    /// Go on to switch the name servers once preflight passes. Without it the command stops after
    /// preflight (exit 2).
    #[arg(long)]
    pub switch: bool,
    /// Continue the cutover recorded in the state file.
    #[arg(long)]
    pub resume: bool,
    /// With --resume: run preflight again (when the last one is too old or found problems).
    #[arg(long)]
    pub recheck: bool,
    /// The state file (default: ./r53-migrate-DOMAIN.cutover.json).
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Refuse to switch on a preflight older than this.
    #[arg(long, default_value = "1h", value_parser = parse_duration)]
    pub max_preflight_age: Duration,
    /// The highest NS TTL at the old host a switch accepts (AWS's procedure lowers it to 60–900 s
    /// first, so resolvers drop the old servers quickly). The switch also lowers the new zone's NS
    /// TTL to it until the cutover ends, so a rollback would be as quick.
    #[arg(long, default_value_t = 900, value_parser = clap::value_parser!(u32).range(0..=2_147_483_647))]
    pub max_ns_ttl: u32,
    /// When the old host is a Route 53 zone (`--from route53:ZONE_ID`, serving the current
    /// delegation): lower its NS TTL to --max-ns-ttl there (the one write preflight makes).
    #[arg(long)]
    pub lower_ns_ttl: bool,
    /// How often to look at the parent while waiting.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub poll: Duration,
    /// While monitoring, how often every record set is asked again at the new servers (the
    /// parent is asked every --poll). Route 53 bills each query its name servers answer.
    #[arg(long, default_value = "15m", value_parser = parse_duration)]
    pub reverify_every: Duration,
    /// How long this run waits for the registrar, the parent or the TTL before exiting (exit 2;
    /// `--resume` continues).
    #[arg(long, default_value = "30m", value_parser = parse_duration)]
    pub wait: Duration,
    /// Questions in flight at once during the equivalence check (1 to 1024: each worker holds
    /// a socket per server).
    #[arg(long, default_value_t = 128, value_parser = crate::count_parser("--concurrency", MAX_CONCURRENCY))]
    pub concurrency: usize,
    /// Treat TTL differences as differences.
    #[arg(long)]
    pub compare_ttl: bool,
    /// Compare values case-insensitively (names inside values always are).
    #[arg(long)]
    pub ignore_case: bool,
    /// Progress on stderr; on stdout one JSON document at the end: domain, exit code, error, and
    /// the state file as `status --json` prints it.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub dns: DnsArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Args, Debug, Clone)]
pub struct RollbackArgs {
    /// The domain whose cutover to undo.
    pub domain: String,
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Roll back even when the old host no longer answers for the domain.
    #[arg(long)]
    pub force: bool,
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub poll: Duration,
    #[arg(long, default_value = "30m", value_parser = parse_duration)]
    pub wait: Duration,
    /// As `cutover --json`: progress on stderr, one JSON document on stdout at the end.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub dns: DnsArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Args, Debug, Clone)]
pub struct StatusArgs {
    pub domain: String,
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Print the state file as JSON.
    #[arg(long)]
    pub json: bool,
    /// Only the state file; do not ask the parent.
    #[arg(long)]
    pub offline: bool,
    #[command(flatten)]
    pub dns: DnsArgs,
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
    let path = a
        .state
        .clone()
        .unwrap_or_else(|| state::default_path(&domain));
    // Per domain (in the lock folder) and per state file: two runs for one domain never
    // interleave, whatever --state each was given.
    let _domain_lock = state::lock_domain("cutover", &domain).map_err(Fail::error)?;
    let _lock = state::lock(&path).map_err(Fail::error)?;
    let existing = path.exists();
    if a.resume && !existing {
        return Err(Fail::error(format!(
            "--resume: no cutover of {domain} recorded in {}",
            path.display()
        )));
    }
    let aws = crate::connect(&a.aws).await?;
    let mut st = if existing {
        let st = State::load(&path).map_err(Fail::error)?;
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
    // Preflight runs once per invocation at most: at the start, again on --recheck, and again
    // when resuming a blocked cutover (its blocker may have been fixed).
    let mut checked = false;
    loop {
        match st.step {
            Step::Blocked | Step::Ready
                if !checked
                    && (st.preflight.is_none() || a.recheck || st.step == Step::Blocked) =>
            {
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
            Step::Ready => {
                if !a.switch {
                    show!(
                        "Preflight passed at {}. Switch with: r53-migrate cutover {domain} --resume --switch",
                        rfc3339(st.preflight.as_ref().map(|p| p.at).unwrap_or(0))
                    );
                    return Ok(EXIT_PENDING);
                }
                if let Some(code) = cx.switch(&mut st).await? {
                    return Ok(code);
                }
            }
            Step::Blocked => {
                // Preflight ran in this invocation and blocked: it returned above.
                return Err(Fail::refused(format!(
                    "preflight blocked the cutover of {domain}"
                )));
            }
            Step::Switching => {
                if let Some(code) = cx.await_switch(&mut st).await? {
                    return Ok(code);
                }
            }
            Step::Monitoring => {
                if let Some(code) = cx.monitor(&mut st).await? {
                    return Ok(code);
                }
            }
            Step::Complete => {
                say(
                    "done",
                    format!(
                        "the cutover of {domain} to {} is complete",
                        st.new_ns.join(", ")
                    ),
                );
                return Ok(EXIT_OK);
            }
            Step::RollingBack | Step::RolledBack => {
                return Err(Fail::error(format!(
                    "the cutover of {domain} was rolled back ({}); start a new one without --resume once the rollback is done",
                    st.step.describe()
                )));
            }
        }
    }
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

/// A path as an absolute one (a resume may run from another directory).
fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// A `--from` spec with a file path made absolute; transfers and Route 53 zones as given.
fn absolute_source(spec: &str) -> String {
    if spec.starts_with("axfr://") || spec.starts_with("route53:") {
        return spec.to_string();
    }
    let p = spec.strip_prefix("file:").unwrap_or(spec);
    absolute(Path::new(p)).display().to_string()
}

/// The `--from` source and the `--names` questions `a` gives (each may be absent), checked.
fn questions_from(
    a: &CutoverArgs,
    domain: &str,
) -> Result<(Option<crate::source::Source>, Option<Vec<Question>>), Fail> {
    let src = a
        .src
        .from
        .as_ref()
        .map(|_| crate::source::parse(&a.src))
        .transpose()?;
    let names = a
        .names
        .as_ref()
        .map(|p| read_names(p, domain))
        .transpose()?;
    Ok((src, names))
}

/// `NAME TYPE` per line; `#` comments. Names relative to the domain unless they end in a dot.
fn read_names(p: &Path, domain: &str) -> Result<Vec<Question>, Fail> {
    let text = std::fs::read_to_string(p)
        .map_err(|e| Fail::error(format!("--names {}: {e}", p.display())))?;
    parse_names(&text, &p.display().to_string(), domain)
}

/// The text of a names file; `file` is what errors call it.
pub fn parse_names(text: &str, file: &str, domain: &str) -> Result<Vec<Question>, Fail> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let bad = |why: &str| Fail::error(format!("{file}:{}: {why}: {line:?}", i + 1));
        let mut parts = line.split_whitespace();
        let (Some(n), Some(t), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("expected NAME TYPE"));
        };
        let name = if n == "@" {
            domain.to_string()
        } else if n.ends_with('.') {
            normalise(n)
        } else {
            normalise(&format!("{n}.{domain}"))
        };
        if !within(&name, domain) {
            return Err(bad(&format!("{name} is not inside {domain}")));
        }
        let ty: r53_zone::RecordType = t
            .parse()
            .map_err(|_| bad("not a record type Route 53 hosts"))?;
        out.push(Question {
            name,
            ty: ty.as_str().to_string(),
        });
    }
    Ok(out)
}

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

impl Cx<'_> {
    /// Preflight: every check, printed with its evidence; saved. Returns whether it passed.
    async fn preflight(
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
    fn finish_preflight(&self, st: &mut State, mut pf: state::Preflight) -> Result<bool, Fail> {
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
    async fn questions(
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

    /// Whether `servers` still answer as at preflight: the first silent one, else every record
    /// set asked again (each difference printed).
    async fn reverify(&self, st: &State, servers: &[ServerAnswer]) -> Result<(), Drift> {
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
    async fn servers(
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
    async fn switch(&self, st: &mut State) -> Result<Option<u8>, Fail> {
        let d = st.domain.clone();
        let pf = st
            .preflight
            .clone()
            .ok_or_else(|| Fail::error("no preflight recorded"))?;
        let age = now().saturating_sub(pf.at);
        if age > self.a.max_preflight_age.as_secs() {
            return Err(Fail::refused(format!(
                "the preflight of {d} is {} old (the bound is {}); run it again: r53-migrate cutover {d} --resume --recheck --switch",
                span(age),
                span(self.a.max_preflight_age.as_secs())
            )));
        }
        if st.earliest_switch > now() {
            say(
                "switch",
                format!(
                    "not yet: the switch is safe from {} (in {}), when the old NS TTL has run out; run `r53-migrate cutover {d} --resume --switch` then",
                    rfc3339(st.earliest_switch),
                    span(st.earliest_switch.saturating_sub(now()))
                ),
            );
            return Ok(Some(EXIT_PENDING));
        }
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
                pf.reference.len(),
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
        st.step = Step::Switching;
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
    async fn await_switch(&self, st: &mut State) -> Result<Option<u8>, Fail> {
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
        let hold = st.parent_ns_ttl.max(st.old_ns_ttl);
        // Saturating: the TTLs come from DNS answers and the state file.
        let until = t.saturating_add(u64::from(hold));
        st.complete_after = Some(until);
        st.step = Step::Monitoring;
        st.event(format!("the parent publishes the new name servers; the old delegation may be cached until {} ({}s)", rfc3339(until), hold));
        save(st, self.path)?;
        failpoint("published-saved");
        Ok(None)
    }

    /// Monitoring → Complete: the parent keeps the new set, the new zone keeps its answers.
    async fn monitor(&self, st: &mut State) -> Result<Option<u8>, Fail> {
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
        st.step = Step::Complete;
        st.event("the old delegation's TTL has passed everywhere; cutover complete");
        save(st, self.path)?;
        say("monitor", format!(
            "complete: resolvers can no longer hold the old delegation. Raise the old host's NS TTL back if it stays in service, keep its zone until you are sure, then remove it; zone {} serves the domain now",
            st.zone_id
        ));
        Ok(None)
    }

    /// Every new server answers authoritatively and every record set as at preflight.
    async fn verify_new(&self, st: &State) -> Result<(), Fail> {
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

impl Io<'_> {
    /// A fresh walk (its own budget and cache) for one look at the parent or the servers.
    fn walker(&self) -> Walker {
        self.dns.walker()
    }

    fn call(&self) -> r53_core::route53::Call {
        crate::interrupt::call(Duration::from_secs(600))
    }

    /// The registrar part of a switch or rollback: Route 53 Domains is asked (once; a resume
    /// first looks whether the earlier request landed), another registrar is told by the operator.
    async fn registrar_set(
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
    async fn apex_ns(&self, zone_id: &str, domain: &str) -> Result<r53_zone::RecordSet, Fail> {
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

    async fn apex_ns_ttl(&self, zone_id: &str, domain: &str) -> Result<u32, Fail> {
        Ok(ttl_of(&self.apex_ns(zone_id, domain).await?))
    }

    /// Sets the TTL of a Route 53 zone's apex NS set and waits for it to be INSYNC; returns the
    /// TTL it had.
    async fn set_apex_ns_ttl(&self, zone_id: &str, domain: &str, ttl: u32) -> Result<u32, Fail> {
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
    async fn restore_new_ns_ttl(&self, st: &mut State) -> Result<(), Fail> {
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

    async fn registrar_holds(&self, d: &str, want: &[String]) -> Result<bool, Fail> {
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

    /// Polls the parent until every server publishes `want`, up to the run's wait. `Ok(false)`:
    /// the wait ran out.
    async fn wait_parent(
        &self,
        st: &State,
        want: &[String],
        tag: &str,
        wait: Duration,
        poll: Duration,
    ) -> Result<bool, Fail> {
        let deadline = r53_core::deadline_after(wait);
        let mut last = String::new();
        loop {
            match self.walker().parent_view(&st.domain).await {
                Ok(v) if v.publishes(want) => {
                    say(
                        tag,
                        format!(
                            "every server of {} publishes {}",
                            delegation::display_zone(&v.zone),
                            want.join(", ")
                        ),
                    );
                    return Ok(true);
                }
                Ok(v) => {
                    let line = v.each_answer();
                    if line != last {
                        say(tag, format!("waiting for the parent: {line}"));
                        last = line;
                    }
                }
                Err(e) => say(tag, format!("the parent did not answer: {e}")),
            }
            if poll > deadline.saturating_duration_since(Instant::now()) {
                return Ok(false);
            }
            tokio::time::sleep(poll).await;
        }
    }
}

/// How servers stopped answering as at preflight.
enum Drift {
    /// (server, why): it no longer answers authoritatively.
    Silent(String, String),
    /// This many record sets answer differently (each printed).
    Diverged(usize),
}

fn join_ips(a: &[IpAddr]) -> String {
    a.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The NS TTL Route 53 gives a zone's apex and most TLDs give a delegation: 2 days.
const NS_TTL_DEFAULT: u32 = 172_800;

/// An NS set's TTL (the default when it has none).
fn ttl_of(rs: &r53_zone::RecordSet) -> u32 {
    rs.ttl
        .and_then(|t| u32::try_from(t).ok())
        .unwrap_or(NS_TTL_DEFAULT)
}

/// The DS blocker, with the steps to remove it safely.
fn ds_steps(d: &str, reg: RegistrarKind, parent: &ParentView, unmatched: &[String]) -> String {
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
    let path = a
        .state
        .clone()
        .unwrap_or_else(|| state::default_path(&domain));
    let _domain_lock = state::lock_domain("cutover", &domain).map_err(Fail::error)?;
    let _lock = state::lock(&path).map_err(Fail::error)?;
    if !path.exists() {
        return Err(Fail::error(format!(
            "no cutover of {domain} recorded in {}",
            path.display()
        )));
    }
    let mut st = State::load(&path).map_err(Fail::error)?;
    match st.step {
        Step::Blocked | Step::Ready if st.new_ns_ttl_before.is_none() => {
            st.step = Step::RolledBack;
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
        Step::RolledBack => {
            say(
                "rollback",
                format!("already rolled back to {}", st.old_ns.join(", ")),
            );
            return Ok(EXIT_OK);
        }
        _ => {}
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
        st.step = Step::RollingBack;
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
    st.step = Step::RolledBack;
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
