//! Logs as hclog JSON lines on stderr: go-plugin parses them and re-emits each at its level in
//! Terraform's own log, so `TF_LOG=debug` (or `TF_LOG_PROVIDER`) shows provider logs there.

use std::io::Write;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{filter::LevelFilter, Layer};

/// The level Terraform asked for: TF_LOG_PROVIDER wins over TF_LOG; unset means warnings only.
pub fn level_from_env() -> LevelFilter {
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
    let _ = tracing_subscriber::registry()
        .with(HclogLayer { module }.with_filter(level_from_env()))
        .try_init();
}

#[cfg(test)]
mod tests {
    #[test]
    fn civil_dates() {
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(20_414), (2025, 11, 22));
    }
}
