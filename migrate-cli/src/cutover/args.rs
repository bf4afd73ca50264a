//! The command-line arguments of `cutover`, `rollback` and `status`, and where DNS questions go.

use r53_core::dns::settings;

use super::*;

/// Where DNS questions go (shared by cutover, rollback and status).
#[derive(Args, Debug, Clone)]
pub struct DnsArgs {
    /// Root server addresses the walk to the parent starts from (default: the IANA roots).
    #[arg(long, env = settings::ENV_ROOT_HINTS, value_delimiter = ',')]
    pub root_hints: Vec<IpAddr>,
    /// The port every authoritative server is asked on.
    #[arg(long, env = settings::ENV_PORT, default_value_t = 53)]
    pub dns_port: u16,
    /// Recursive resolvers (IP or IP:PORT), only to find name-server addresses the parent gives
    /// no glue for (default: resolve them iteratively from the roots).
    #[arg(long = "resolver", env = settings::ENV_RESOLVERS, value_delimiter = ',', value_parser = settings::parse_resolver)]
    pub resolvers: Vec<SocketAddr>,
    /// How long to wait for each DNS answer (500ms, 3s …).
    #[arg(long, env = settings::ENV_TIMEOUT, default_value = "3s", value_parser = parse_duration)]
    pub query_timeout: Duration,
    /// The most queries one walk (finding the parent and asking it, or checking the name
    /// servers) may send; a referral loop or a fan-out of servers without glue stops here.
    #[arg(long, env = "R53_DNS_MAX_QUERIES", default_value_t = delegation::DEFAULT_MAX_QUERIES, value_parser = crate::count_parser("--max-queries", 100_000))]
    pub max_queries: usize,
    /// The longest one walk may take in all (each query also within --query-timeout).
    #[arg(long, env = "R53_DNS_WALK_TIMEOUT", default_value = "5m", value_parser = parse_duration)]
    pub walk_timeout: Duration,
}

use r53_core::parse_duration;

impl DnsArgs {
    /// A fresh walk: its own query budget and address cache, within --walk-timeout, ended by
    /// Ctrl-C.
    pub(super) fn walker(&self) -> Walker {
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
