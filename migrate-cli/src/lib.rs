//! `r53-migrate`: imports zones from other DNS hosts into Route 53 (dry run by default), writes
//! Terraform for the result, and cuts the delegation over to Route 53 safely.
//!
//! Exit codes: 0 nothing to change / applied / cutover complete, 1 error, 2 changes pending (dry
//! run) or a cutover waiting (resume later), 3 refused as unsafe (or the plan is not the one
//! reviewed, or preflight blocked the cutover).

pub mod check;
pub mod cutover;
pub mod export;
pub mod generate;
pub mod import;
pub mod interrupt;
pub mod journal;
pub mod output;
pub mod persist;
pub mod source;
pub mod state;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::LazyLock;

use clap::{Args, CommandFactory, Parser, Subcommand};

pub(crate) const EXIT_OK: u8 = 0;
pub(crate) const EXIT_ERROR: u8 = 1;
pub(crate) const EXIT_PENDING: u8 = 2;
const EXIT_REFUSED: u8 = 3;

/// The program's name in completion scripts and man pages.
pub(crate) const BIN_NAME: &str = "r53-migrate";

/// The commit this binary was built from, or `None` (see build.rs).
pub fn commit() -> Option<&'static str> {
    Some(env!("R53_COMMIT")).filter(|c| !c.is_empty())
}

/// That commit's date (YYYY-MM-DD), or `None`.
pub fn commit_date() -> Option<&'static str> {
    Some(env!("R53_COMMIT_DATE")).filter(|d| !d.is_empty())
}

/// `0.2.0 (commit 5144506abcde, 2026-12-07)`: what `--version` prints after the name, so a bug
/// report or a packager can tell which source a binary came from.
fn version_text(version: &str, commit: Option<&str>, date: Option<&str>) -> String {
    match (commit, date) {
        (Some(c), Some(d)) => format!("{version} (commit {c}, {d})"),
        (Some(c), None) => format!("{version} (commit {c})"),
        (None, _) => format!("{version} (commit unknown)"),
    }
}

static VERSION: LazyLock<String> =
    LazyLock::new(|| version_text(env!("CARGO_PKG_VERSION"), commit(), commit_date()));

/// Import zones from other DNS hosts into Route 53, safely, and hand them to Terraform.
#[derive(Parser, Debug)]
#[command(
    name = "r53-migrate",
    version = VERSION.as_str(),
    about,
    after_help = "Exit codes: 0 no changes, applied, or cutover complete; 1 error; 2 changes pending (dry run) or cutover waiting (resume later); 3 refused as unsafe.\n\
                  AWS credentials come from the standard chain (environment, profile, SSO, instance role).\n\
                  A TSIG secret is read from --tsig-key-file or R53_MIGRATE_TSIG_KEY, never from the command line."
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Copy a zone into Route 53. Shows the plan and changes nothing unless --apply is given.
    Import(ImportArgs),
    /// Write Terraform (r53_hosted_zone + r53_records, with import blocks) for a Route 53 zone.
    ExportTf(ExportArgs),
    /// Read and convert a zone without touching any Route 53 zone: reports what an import would
    /// change about it (and why) or why it cannot be imported. Exit 0 if it can be, 1 if not.
    Check(CheckArgs),
    /// Switch a domain's name servers to a Route 53 zone, verified and resumable: preflight
    /// (every record set compared at every old and new name server), switch, monitor.
    Cutover(cutover::CutoverArgs),
    /// Restore the name servers a cutover replaced, from any step.
    Rollback(cutover::RollbackArgs),
    /// Show where a cutover stands (and what the parent publishes now).
    Status(cutover::StatusArgs),
    /// Print the shell completion script for bash, zsh, fish, elvish or powershell on stdout.
    Completions(generate::CompletionsArgs),
    /// Print the man page (roff) on stdout, or write one page per command with --dir.
    Man(generate::ManArgs),
}

#[derive(Args, Debug, Clone)]
pub struct AwsArgs {
    /// AWS profile (else the standard credential chain, which also reads AWS_PROFILE).
    #[arg(long)]
    pub profile: Option<String>,
    /// Route 53 endpoint (for testing against an emulator); AWS_ENDPOINT_URL also works.
    #[arg(long)]
    pub endpoint_url: Option<String>,
    /// Give up on an AWS call after this many retries of throttling and transient errors
    /// (at most 100; each call's deadline bounds them too).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub max_retries: u32,
}

/// Where a zone is read from, and how it is converted (shared by `import` and `check`).
#[derive(Args, Debug, Clone)]
pub struct SourceArgs {
    /// The zone's domain name, e.g. example.com.
    pub zone: String,
    /// Where the zone is now: a zone file path (or file:PATH), axfr://HOST[:PORT], or
    /// route53:ZONE_ID.
    #[arg(long, value_name = "SOURCE")]
    pub from: Option<String>,
    /// Leave out record types Route 53 does not host (listed in the report) instead of refusing.
    #[arg(long)]
    pub skip_unsupported: bool,
    /// The target account's record-set quota per zone (at most 10,000,000).
    #[arg(long, default_value_t = r53_zone::convert::DEFAULT_MAX_RECORD_SETS, value_parser = count_parser("--max-record-sets", 10_000_000))]
    pub max_record_sets: usize,
    /// File with a TSIG key for AXFR: `algorithm:name:base64secret` or a BIND `key { }` clause.
    #[arg(long)]
    pub tsig_key_file: Option<PathBuf>,
    /// Seconds to wait for each message of a transfer (1 to 3600; the whole transfer is bounded
    /// by --transfer-timeout).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub dns_timeout: u64,
    /// The longest a whole zone transfer may take (a server that trickles stops here).
    #[arg(long, default_value = "10m", value_parser = r53_core::parse_duration)]
    pub transfer_timeout: std::time::Duration,
    /// The most records a zone transfer may bring (a server that never ends stops here).
    #[arg(long, default_value_t = r53_core::dns::AxfrLimits::DEFAULT.max_records, value_parser = count_parser("--max-records", 100_000_000))]
    pub max_records: usize,
    /// The most bytes of DNS messages a zone transfer may bring (512MiB, 64k ... are accepted).
    #[arg(long, default_value = "256MiB", value_parser = parse_bytes)]
    pub max_transfer_bytes: u64,
}

#[derive(Args, Debug, Clone)]
pub struct CheckArgs {
    #[command(flatten)]
    pub src: SourceArgs,
    /// Machine-readable output on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Args, Debug, Clone)]
pub struct ImportArgs {
    #[command(flatten)]
    pub src: SourceArgs,
    /// The target hosted zone (needed only when several public zones have this name). Without
    /// it and with no zone of that name, --apply creates one.
    #[arg(long)]
    pub zone_id: Option<String>,
    /// Make the changes. Without it, nothing is written (dry run).
    #[arg(long)]
    pub apply: bool,
    /// Apply only if the plan's checksum is this one (the plan you reviewed).
    #[arg(long)]
    pub checksum: Option<String>,
    /// Allow a plan that updates/deletes more than --max-change-percent of an existing zone.
    #[arg(long)]
    pub force: bool,
    /// The share of an existing zone's record sets a plan may update or delete without --force.
    #[arg(long, default_value_t = r53_zone::plan::DEFAULT_MAX_CHANGE_PERCENT, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub max_change_percent: u32,
    /// The journal that lets an interrupted apply resume (default: ./r53-migrate-ZONE.journal.json).
    #[arg(long)]
    pub journal: Option<PathBuf>,
    /// Continue an interrupted apply from its journal (the source is not read again).
    #[arg(long)]
    pub resume: bool,
    /// Largest number of changes per Route 53 batch (Route 53's own limits always apply).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub max_batch_changes: u64,
    /// Skip the final read-back (listing the whole zone again and comparing it with the source).
    /// It costs one ListResourceRecordSets call per 300 record sets; Route 53 has confirmed each
    /// batch either way.
    #[arg(long)]
    pub no_read_back: bool,
    /// Machine-readable output on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Args, Debug, Clone)]
pub struct ExportArgs {
    /// The zone's domain name.
    pub zone: String,
    #[arg(long)]
    pub zone_id: Option<String>,
    /// Directory to write main.tf into (created if missing; an existing main.tf is not overwritten).
    #[arg(long, default_value = ".")]
    pub out: PathBuf,
    /// One r53_record per record set instead of a single r53_records.
    #[arg(long)]
    pub per_record: bool,
    /// Print a JSON summary on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// A clap parser for a count flag: a whole number from 1 to `max`, refused with the flag's name
/// and its maximum (clap adds the value given).
pub(crate) fn count_parser(
    flag: &'static str,
    max: usize,
) -> impl Fn(&str) -> Result<usize, String> + Clone + Send + Sync + 'static {
    move |s: &str| match s.trim().parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        Ok(_) => Err(format!("{flag} must be from 1 to {max}")),
        Err(_) => Err(format!("{flag} must be a whole number from 1 to {max}")),
    }
}

/// A byte size: `1048576`, `64k`/`64KiB`, `512M`/`512MiB`, `2G`/`2GiB` (powers of 1024), at
/// most 16 GiB.
fn parse_bytes(s: &str) -> Result<u64, String> {
    const MAX: u64 = 16 << 30;
    let t = s.trim();
    let digits = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let (num, unit) = t.split_at(digits);
    let mul: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        _ => {
            return Err(format!(
                "{s:?} is not a size like 1048576, 64KiB, 256MiB or 1GiB"
            ))
        }
    };
    let n: u64 = match num.parse() {
        Ok(n) => n,
        // All digits, so only a number past u64 fails to parse.
        Err(_) if !num.is_empty() => return Err(format!("{s:?} is too large: at most 16GiB")),
        Err(_) => {
            return Err(format!(
                "{s:?} is not a size like 1048576, 64KiB, 256MiB or 1GiB"
            ))
        }
    };
    match n.checked_mul(mul) {
        Some(0) => Err(format!("{s:?}: the size must be more than 0")),
        Some(b) if b <= MAX => Ok(b),
        _ => Err(format!("{s:?} is too large: at most 16GiB")),
    }
}

/// An error with the exit code it maps to.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Fail {
    pub code: u8,
    pub message: String,
}

impl Fail {
    pub fn error(message: impl Into<String>) -> Fail {
        Fail {
            code: EXIT_ERROR,
            message: message.into(),
        }
    }
    pub fn refused(message: impl Into<String>) -> Fail {
        Fail {
            code: EXIT_REFUSED,
            message: message.into(),
        }
    }
}

/// The hosted zone `id`, which must be the zone `name`; `what` says where the ID came from.
pub(crate) async fn zone_by_id(
    aws: &r53_core::Aws,
    c: &r53_core::route53::Call,
    id: &str,
    name: &str,
    what: &str,
) -> Result<r53_core::route53::HostedZone, Fail> {
    let hz = aws
        .route53
        .find_hosted_zone_by_id(c, id)
        .await
        .map_err(|e| Fail::error(format!("{what}: {e}")))?;
    if hz.name != name {
        return Err(Fail::error(format!(
            "{what} is the zone {}, not {name}",
            hz.name
        )));
    }
    Ok(hz)
}

/// The hosted zone to work on: the one `zone_id` names (which must be `zone`), else the one
/// public zone named `zone` (several need `--zone-id`). `None`: there is no public zone of that name.
pub(crate) async fn find_zone(
    aws: &r53_core::Aws,
    c: &r53_core::route53::Call,
    zone: &str,
    zone_id: Option<&str>,
) -> Result<Option<r53_core::route53::HostedZone>, Fail> {
    if let Some(id) = zone_id {
        return zone_by_id(aws, c, id, zone, &format!("--zone-id {id}"))
            .await
            .map(Some);
    }
    let mut zones: Vec<_> = aws
        .route53
        .find_hosted_zones_by_name(c, zone)
        .await
        .map_err(|e| Fail::error(format!("finding zone {zone}: {e}")))?
        .into_iter()
        .filter(|z| !z.private)
        .collect();
    match zones.len() {
        0 => Ok(None),
        1 => Ok(zones.pop()),
        n => Err(Fail::error(format!(
            "{n} public hosted zones are named {zone} ({}): choose one with --zone-id",
            zones
                .iter()
                .map(|z| z.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

impl From<anyhow::Error> for Fail {
    fn from(e: anyhow::Error) -> Fail {
        Fail::error(format!("{e:#}"))
    }
}

/// The most verbose level a crate other than r53's own (`r53_*`) may log at, whatever `R53_LOG`
/// asks: at debug and trace the AWS SDK, aws-sigv4, hyper and hickory log whole requests,
/// credentials' session tokens and signatures. The same rule as the provider's
/// (`r53_plugin::logging`); see docs/security.md.
const DEPENDENCY_LOG_CAP: tracing::Level = tracing::Level::WARN;

/// Whether an event of `target` at `level` may be logged at all: r53's own crates at any level,
/// every other crate up to [`DEPENDENCY_LOG_CAP`].
fn within_log_cap(target: &str, level: tracing::Level) -> bool {
    let own = target
        .split("::")
        .next()
        .unwrap_or_default()
        .starts_with("r53_");
    own || level <= DEPENDENCY_LOG_CAP
}

/// `R53_LOG` (an `EnvFilter`, default `warn`) to stderr, with every non-r53 target capped at
/// [`DEPENDENCY_LOG_CAP`] even when `R53_LOG` names it (`R53_LOG=aws_sigv4=trace`).
fn init_logging() {
    use tracing_subscriber::filter::FilterExt;
    use tracing_subscriber::layer::{Layer, SubscriberExt};
    use tracing_subscriber::util::SubscriberInitExt;
    let requested = tracing_subscriber::EnvFilter::try_from_env("R53_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let cap = tracing_subscriber::filter::filter_fn(|m| within_log_cap(m.target(), *m.level()));
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_filter(requested.and(cap)),
        )
        .try_init();
}

/// The whole command: parse the arguments, run, and map the outcome to the exit code.
pub fn run_cli() -> ExitCode {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    init_logging();
    // A usage error (a flag out of range included) exits 1, not clap's 2: 2 means "changes
    // pending / resume later" here.
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_ERROR } else { EXIT_OK });
        }
    };
    // One thread: the work is sequential API calls and one transfer; the CPU-heavy parsing and
    // conversion use their own threads. Fewer cross-thread wake-ups, less CPU.
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("r53-migrate: error: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let res = rt.block_on(async {
        match cli.cmd {
            Cmd::Import(a) => import::run(a).await,
            Cmd::ExportTf(a) => export::run(a).await,
            Cmd::Check(a) => check::run(a).await,
            Cmd::Cutover(a) => cutover::run(a).await,
            Cmd::Rollback(a) => cutover::rollback(a).await,
            Cmd::Status(a) => cutover::status(a).await,
            // Offline: no AWS client is made, nothing is read but the command's definition.
            Cmd::Completions(a) => generate::completions(&a, Cli::command()),
            Cmd::Man(a) => generate::man(&a, Cli::command()),
        }
    });
    match res {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!(
                "r53-migrate: {}: {}",
                if f.code == EXIT_REFUSED {
                    "refused"
                } else {
                    "error"
                },
                f.message
            );
            ExitCode::from(f.code)
        }
    }
}

/// AWS settings from the common flags.
pub async fn connect(a: &AwsArgs) -> Result<r53_core::Aws, Fail> {
    let s = r53_core::AwsSettings {
        profile: a.profile.clone(),
        endpoint_route53: a.endpoint_url.clone(),
        endpoint_sts: a.endpoint_url.clone(),
        endpoint_route53domains: a.endpoint_url.clone(),
        max_retries: Some(a.max_retries),
        ..Default::default()
    };
    r53_core::Aws::connect(&s)
        .await
        .map_err(|e| Fail::error(format!("AWS: {e}")))
}

#[cfg(test)]
mod log_cap_tests {
    use super::within_log_cap;
    use tracing::Level;

    #[test]
    fn dependencies_are_capped_whatever_r53_log_says() {
        for t in [
            "aws_smithy_runtime::client::orchestrator",
            "aws_sigv4::http_request::sign",
            "aws_config",
            "hyper_util::client",
            "hickory_proto::xfer",
            "log",
        ] {
            assert!(within_log_cap(t, Level::WARN), "{t}");
            for l in [Level::INFO, Level::DEBUG, Level::TRACE] {
                assert!(!within_log_cap(t, l), "{t} at {l}");
            }
        }
        for t in ["r53_migrate::import", "r53_core::retry", "r53_zone"] {
            assert!(within_log_cap(t, Level::TRACE), "{t}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(args: &[&str]) -> String {
        let mut all = vec!["r53-migrate"];
        all.extend_from_slice(args);
        match Cli::try_parse_from(all) {
            Ok(c) => panic!("{args:?} accepted: {c:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn count_and_duration_flags_have_upper_bounds() {
        let e = refused(&["cutover", "shop.test", "--concurrency", "5000"]);
        assert!(e.contains("--concurrency must be from 1 to 1024"), "{e}");
        let e = refused(&["cutover", "shop.test", "--wait", "99999999999999999999d"]);
        assert!(
            e.contains("is too long: durations are limited to 365d"),
            "{e}"
        );
        let e = refused(&["rollback", "shop.test", "--poll", "366d"]);
        assert!(e.contains("is too long"), "{e}");
        let e = refused(&[
            "import",
            "z.test",
            "--transfer-timeout",
            "99999999999999999999d",
        ]);
        assert!(e.contains("is too long"), "{e}");
        let e = refused(&["check", "z.test", "--max-records", "0"]);
        assert!(
            e.contains("--max-records must be from 1 to 100000000"),
            "{e}"
        );
        let e = refused(&[
            "check",
            "z.test",
            "--max-record-sets",
            "99999999999999999999",
        ]);
        assert!(
            e.contains("--max-record-sets must be a whole number"),
            "{e}"
        );
        let e = refused(&["check", "z.test", "--dns-timeout", "99999999999"]);
        assert!(e.contains("99999999999"), "{e}");
        let e = refused(&["import", "z.test", "--max-retries", "1000"]);
        assert!(e.contains("1000"), "{e}");
        let e = refused(&["status", "shop.test", "--max-queries", "100001"]);
        assert!(e.contains("--max-queries must be from 1 to 100000"), "{e}");
        // The defaults and the largest values pass.
        let ok = Cli::try_parse_from([
            "r53-migrate",
            "cutover",
            "shop.test",
            "--concurrency",
            "1024",
            "--wait",
            "365d",
        ]);
        assert!(ok.is_ok(), "{ok:?}");
    }

    #[test]
    fn the_version_names_the_commit() {
        let v = Cli::command().render_version();
        assert!(v.starts_with("r53-migrate "), "{v}");
        assert!(v.contains(env!("CARGO_PKG_VERSION")), "{v}");
        match commit() {
            Some(c) => assert!(v.contains(&format!("(commit {c}")), "{v}"),
            None => assert!(v.contains("(commit unknown)"), "{v}"),
        }
        if let Some(d) = commit_date() {
            assert!(v.contains(&format!(", {d})")), "{v}");
        }
        assert_eq!(
            version_text("0.2.0", Some("5144506abcde"), Some("2026-12-07")),
            "0.2.0 (commit 5144506abcde, 2026-12-07)"
        );
        assert_eq!(
            version_text("0.2.0", Some("5144506"), None),
            "0.2.0 (commit 5144506)"
        );
        assert_eq!(
            version_text("0.2.0", None, Some("2026-12-07")),
            "0.2.0 (commit unknown)"
        );
    }

    #[test]
    fn version_completions_and_man_parse_without_aws_flags() {
        for args in [
            &["r53-migrate", "completions", "zsh"][..],
            &["r53-migrate", "man"],
            &["r53-migrate", "man", "--dir", "out"],
        ] {
            let ok = Cli::try_parse_from(args);
            assert!(ok.is_ok(), "{args:?}: {ok:?}");
        }
        let e = refused(&["completions", "tcsh"]);
        assert!(e.contains("possible values"), "{e}");
        let e = Cli::try_parse_from(["r53-migrate", "--version"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::DisplayVersion);
        assert!(!e.use_stderr(), "--version goes to stdout and exits 0");
    }

    #[test]
    fn sizes_parse_in_powers_of_1024_with_a_ceiling() {
        assert_eq!(parse_bytes("1048576"), Ok(1 << 20));
        assert_eq!(parse_bytes("64KiB"), Ok(64 << 10));
        assert_eq!(parse_bytes("256MiB"), Ok(256 << 20));
        assert_eq!(parse_bytes("2g"), Ok(2 << 30));
        assert_eq!(parse_bytes("16GiB"), Ok(16 << 30));
        for bad in ["", "MiB", "12 parsecs", "-1", "0"] {
            assert!(parse_bytes(bad).is_err(), "{bad}");
        }
        for huge in ["17GiB", "99999999999999999999", "18446744073709551615G"] {
            let e = parse_bytes(huge).unwrap_err();
            assert!(e.contains("is too large: at most 16GiB"), "{huge}: {e}");
        }
    }
}
