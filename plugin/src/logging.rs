//! Logs as hclog JSON lines on stderr: go-plugin parses them and re-emits each at its level in
//! Terraform's own log, so `TF_LOG=debug` (or `TF_LOG_PROVIDER`) shows provider logs there.
//!
//! Only r53's own crates log at the level asked for. Every other target (the AWS SDK, smithy,
//! aws-sigv4, hyper, h2, tonic, rustls, hickory, …) is capped at [`DEPENDENCY_CAP`] whatever the
//! level: at debug and trace they log whole requests and responses (contact details, the session
//! token header, sigv4's canonical request and signature), and Terraform writes whatever we log
//! into `TF_LOG_PATH` files that end up in CI artefacts and bug reports. See docs/security.md.

use std::io::Write;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{filter::LevelFilter, Layer};

/// The level Terraform asked for: TF_LOG_PROVIDER wins over TF_LOG; unset means warnings only.
fn level_from_env() -> LevelFilter {
    let raw = std::env::var("TF_LOG_PROVIDER")
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("TF_LOG").ok());
    match raw.unwrap_or_default().to_ascii_lowercase().as_str() {
        "trace" | "json" => LevelFilter::TRACE,
        "debug" => LevelFilter::DEBUG,
        "info" => LevelFilter::INFO,
        "error" => LevelFilter::ERROR,
        "off" => LevelFilter::OFF,
        _ => LevelFilter::WARN,
    }
}

/// The most verbose level any crate other than r53's own may log at, whatever `TF_LOG` says.
const DEPENDENCY_CAP: LevelFilter = LevelFilter::WARN;

/// Whether `target` (a tracing target, `crate::module`) belongs to one of r53's own crates
/// (`r53_*`, `terraform_provider_r53`), whose logs are written not to contain secrets or contact
/// values.
fn own_target(target: &str) -> bool {
    let krate = target.split("::").next().unwrap_or_default();
    krate.starts_with("r53_") || krate == "terraform_provider_r53"
}

/// The level an event of `target` may be logged at when `requested` was asked for: `requested`
/// for r53's own targets, at most [`DEPENDENCY_CAP`] for every other one.
fn level_for(target: &str, requested: LevelFilter) -> LevelFilter {
    if own_target(target) {
        requested
    } else {
        requested.min(DEPENDENCY_CAP)
    }
}

struct HclogLayer {
    module: &'static str,
}

#[derive(Default)]
struct Fields {
    message: String,
    rest: serde_json::Map<String, serde_json::Value>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_string();
        } else {
            self.rest.insert(field.name().to_string(), value.into());
        }
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.rest.insert(field.name().to_string(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.rest.insert(field.name().to_string(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.rest.insert(field.name().to_string(), value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let s = format!("{value:?}");
        if field.name() == "message" {
            self.message = s;
        } else {
            self.rest.insert(field.name().to_string(), s.into());
        }
    }
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut f = Fields::default();
        event.record(&mut f);
        let level = match *event.metadata().level() {
            Level::TRACE => "trace",
            Level::DEBUG => "debug",
            Level::INFO => "info",
            Level::WARN => "warn",
            Level::ERROR => "error",
        };
        let mut m = f.rest;
        m.insert("@level".into(), level.into());
        m.insert("@message".into(), f.message.into());
        m.insert(
            "@module".into(),
            format!("{}.{}", self.module, event.metadata().target()).into(),
        );
        m.insert("@timestamp".into(), humantime_now().into());
        let line = serde_json::Value::Object(m).to_string();
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}

fn humantime_now() -> String {
    // RFC 3339 in UTC without pulling in a time crate.
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, mo, da) = civil_from_days(days);
    format!(
        "{y:04}-{mo:02}-{da:02}T{:02}:{:02}:{:02}.{:06}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60,
        d.subsec_micros()
    )
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Installs the hclog layer for the whole process. `module` names the provider (e.g. "provider.r53").
pub fn init(module: &'static str) {
    let requested = level_from_env();
    let filter = tracing_subscriber::filter::filter_fn(move |m| {
        *m.level() <= level_for(m.target(), requested)
    });
    let _ = tracing_subscriber::registry()
        .with(HclogLayer { module }.with_filter(filter))
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_are_capped_at_every_level() {
        for requested in [
            LevelFilter::TRACE,
            LevelFilter::DEBUG,
            LevelFilter::INFO,
            LevelFilter::WARN,
        ] {
            for t in [
                "aws_smithy_runtime::client::orchestrator",
                "aws_sigv4::http_request::sign",
                "aws_smithy_http",
                "aws_config::meta::credentials::chain",
                "hyper_util::client::legacy::pool",
                "h2::codec",
                "tonic::transport",
                "rustls::server::hs",
                "hickory_proto::udp",
                "log",
                "r53",
                "r53core",
            ] {
                assert!(
                    level_for(t, requested) <= LevelFilter::WARN,
                    "{t} at {requested}"
                );
            }
            for t in [
                "r53_core::retry",
                "r53_plugin::serve",
                "terraform_provider_r53::registered_domain",
                "r53_migrate",
            ] {
                assert_eq!(level_for(t, requested), requested, "{t}");
            }
        }
        // Asking for less than the cap is honoured for dependencies too.
        assert_eq!(
            level_for("aws_config", LevelFilter::ERROR),
            LevelFilter::ERROR
        );
        assert_eq!(level_for("h2", LevelFilter::OFF), LevelFilter::OFF);
    }

    #[test]
    fn civil_dates() {
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(20_414), (2025, 11, 22));
    }
}
