//! The cutover's state file: the step it stands at, the evidence of every check, and what a
//! rollback restores. Written atomically after every step (temp file, fsync, rename) and guarded
//! by an exclusive lock, so a kill at any point leaves a state a resume can continue from and two
//! runs on one domain cannot interleave.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use r53_core::dns::equivalence::{Difference, Question, Reply};
use serde::{Deserialize, Serialize};

use crate::persist;

pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Preflight ran and found something that blocks the switch.
    Blocked,
    /// Preflight passed; the switch has not been asked for.
    Ready,
    /// The registrar was (or is being) asked to publish the new set; waiting for the parent.
    Switching,
    /// Every parent server publishes the new set; waiting out the old delegation's TTL.
    Monitoring,
    Complete,
    /// The old set is being restored.
    RollingBack,
    RolledBack,
}

impl Step {
    pub fn describe(self) -> &'static str {
        match self {
            Step::Blocked => "preflight blocked the switch",
            Step::Ready => "preflight passed; ready to switch",
            Step::Switching => "switching: waiting for the parent to publish the new name servers",
            Step::Monitoring => "monitoring: the parent publishes the new name servers; waiting out the old delegation's TTL",
            Step::Complete => "complete",
            Step::RollingBack => "rolling back: waiting for the parent to publish the old name servers",
            Step::RolledBack => "rolled back",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrarKind {
    /// Route 53 Domains holds the registration: the switch is an UpdateDomainNameservers call.
    Route53,
    /// Another registrar: the operator changes the name servers there; r53-migrate watches.
    External,
}

/// One thing that happened, with when.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    pub at: u64,
    pub step: Step,
    pub message: String,
}

/// What the last preflight checked and found.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Preflight {
    pub at: u64,
    pub passed: bool,
    /// Why it blocks (empty when it passed).
    pub blockers: Vec<String>,
    /// Worth knowing, not blocking.
    pub notes: Vec<String>,
    pub questions: usize,
    pub queries: usize,
    /// Old servers then new servers, as asked.
    pub servers: Vec<String>,
    pub differences: Vec<Difference>,
    /// The agreed answer to each question: what the new zone must keep answering.
    pub reference: Vec<(Question, Reply)>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    pub domain: String,
    pub zone_id: String,
    pub registrar: RegistrarKind,
    pub step: Step,
    /// The source the questions came from (for the record).
    pub source: String,
    pub parent_zone: String,
    /// The delegation before the switch: what a rollback restores (with any glue).
    pub old_ns: Vec<String>,
    #[serde(default)]
    pub old_glue: BTreeMap<String, Vec<String>>,
    /// The target zone's Route 53 name servers.
    pub new_ns: Vec<String>,
    pub parent_ns_ttl: u32,
    /// The longest apex NS TTL the old host served, and each TTL seen with when (for the
    /// earliest safe switch time).
    pub old_ns_ttl: u32,
    #[serde(default)]
    pub old_ns_ttl_seen: Vec<(u64, u32)>,
    pub max_zone_ttl: u32,
    pub earliest_switch: u64,
    pub preflight: Option<Preflight>,
    #[serde(default)]
    pub switch_requested_at: Option<u64>,
    #[serde(default)]
    pub operation_id: Option<String>,
    #[serde(default)]
    pub published_at: Option<u64>,
    /// When monitoring may end: the new set published everywhere plus the old delegation's TTL.
    #[serde(default)]
    pub complete_after: Option<u64>,
    #[serde(default)]
    pub rollback_operation_id: Option<String>,
    /// The new zone's NS TTL before the switch lowered it (restored at the end).
    #[serde(default)]
    pub new_ns_ttl_before: Option<u32>,
    /// The `--from` spec (never a TSIG secret: that comes from its file or the environment
    /// again) and `--names` file the questions came from, reused on resume.
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub names_file: Option<String>,
    #[serde(default)]
    pub skip_unsupported: bool,
    pub events: Vec<Event>,
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `2d 3h`, `45m`, `12s`.
pub(crate) fn span(s: u64) -> String {
    match s {
        0..=119 => format!("{s}s"),
        120..=7199 => format!("{}m", s / 60),
        7200..=172_799 => format!(
            "{}h{}",
            s / 3600,
            if s % 3600 >= 60 {
                format!(" {}m", s % 3600 / 60)
            } else {
                String::new()
            }
        ),
        _ => format!("{}d {}h", s / 86_400, s % 86_400 / 3600),
    }
}

pub(crate) fn default_path(domain: &str) -> PathBuf {
    PathBuf::from(format!("r53-migrate-{domain}.cutover.json"))
}

impl State {
    pub fn event(&mut self, message: impl Into<String>) {
        self.events.push(Event {
            at: now(),
            step: self.step,
            message: message.into(),
        });
    }

    pub fn load(path: &Path) -> Result<State, String> {
        persist::read_versioned(path, "cutover state file", VERSION, |s: &State| s.version)
    }

    pub fn save(&self, path: &Path) -> Result<(), String> {
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| e.to_string())?;
        persist::write_atomically(path, &bytes)
            .map_err(|e| format!("writing {}: {e}", path.display()))
    }
}

/// The earliest time the switch is safe: resolvers may hold the old host's apex NS for as long as
/// the longest TTL it was served with, so after the TTL was lowered the switch waits that long
/// from the moment the lower TTL was first seen. Never seen higher: now.
pub fn earliest_switch(seen: &[(u64, u32)], bound: u32) -> Option<u64> {
    let mut high = 0;
    let mut earliest = Some(seen.first()?.0);
    for &(t, ttl) in seen {
        if ttl > bound {
            high = high.max(ttl);
            earliest = None;
        } else if earliest.is_none() {
            // Saturating: `t` is read from the state file, which may be corrupt.
            earliest = Some(t.saturating_add(u64::from(high)));
        }
    }
    earliest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_spans() {
        assert_eq!(span(90), "90s");
        assert_eq!(span(172_800), "2d 0h");
        assert_eq!(span(3600 * 5 + 120), "5h 2m");
    }

    #[test]
    fn earliest_switch_waits_out_the_high_ttl() {
        // Always low: now (the first observation).
        assert_eq!(earliest_switch(&[(100, 300)], 900), Some(100));
        // Still high: not yet.
        assert_eq!(earliest_switch(&[(100, 172_800)], 900), None);
        // Lowered at 500 after being 172800: 500 + 172800.
        assert_eq!(
            earliest_switch(&[(100, 172_800), (500, 300), (900, 300)], 900),
            Some(172_900 + 400)
        );
        assert_eq!(earliest_switch(&[], 900), None);
        // A corrupt or hostile state file's instants saturate instead of overflowing.
        assert_eq!(
            earliest_switch(&[(0, u32::MAX), (u64::MAX, 300)], 900),
            Some(u64::MAX)
        );
        assert_eq!(span(u64::MAX), "213503982334601d 7h");
    }
}
