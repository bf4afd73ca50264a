//! The cutover's state file: the step it stands at, the evidence of every check, and what a
//! rollback restores. Written atomically after every step (temp file, fsync, rename) and guarded
//! by an exclusive lock, so a kill at any point leaves a state a resume can continue from and two
//! runs on one domain cannot interleave.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use r53_core::dns::equivalence::{Difference, Question, Reply};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

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
pub fn span(s: u64) -> String {
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

pub fn default_path(domain: &str) -> PathBuf {
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
        read_versioned(path, "cutover state file", VERSION, |s: &State| s.version)
    }

    pub fn save(&self, path: &Path) -> Result<(), String> {
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| e.to_string())?;
        write_atomically(path, &bytes).map_err(|e| format!("writing {}: {e}", path.display()))
    }
}

/// A JSON file r53-migrate wrote (`what` names it in errors), refused when it was written in
/// another format version than `want`.
pub fn read_versioned<T: DeserializeOwned>(
    path: &Path,
    what: &str,
    want: u32,
    version: impl Fn(&T) -> u32,
) -> Result<T, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_versioned(&text, &path.display().to_string(), what, want, version)
}

/// [`read_versioned`] on the text of the file; `file` is what errors call it.
pub fn parse_versioned<T: DeserializeOwned>(
    text: &str,
    file: &str,
    what: &str,
    want: u32,
    version: impl Fn(&T) -> u32,
) -> Result<T, String> {
    let v: T = serde_json::from_str(text)
        .map_err(|e| format!("{file}: not a r53-migrate {what} ({e})"))?;
    let got = version(&v);
    if got != want {
        return Err(format!(
            "{file}: {what} version {got} (this r53-migrate writes {want})"
        ));
    }
    Ok(v)
}

/// Temp file beside the target, fsync, rename, fsync the folder: a kill at any point leaves the
/// old file or the new one, never half.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp",
        path.file_name().and_then(|f| f.to_str()).unwrap_or("state")
    ));
    let mut f = File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// An exclusive lock, held while the process lives (the kernel drops it when the process dies,
/// so a killed run never leaves a stale lock behind).
pub struct Lock {
    _file: File,
}

/// Locks the cutover state file (a `.lock` beside it).
pub fn lock(state: &Path) -> Result<Lock, String> {
    lock_beside(state, "this cutover")
}

/// Locks the import journal (a `.lock` beside it), as the cutover state is locked.
pub fn lock_journal(journal: &Path) -> Result<Lock, String> {
    lock_beside(journal, "this import's journal")
}

fn lock_beside(file: &Path, what: &str) -> Result<Lock, String> {
    let mut p = file.as_os_str().to_owned();
    p.push(".lock");
    lock_file(&PathBuf::from(p), what)
}

fn lock_file(path: &Path, what: &str) -> Result<Lock, String> {
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    match f.try_lock() {
        Ok(()) => Ok(Lock { _file: f }),
        Err(std::fs::TryLockError::WouldBlock) => Err(format!(
            "another r53-migrate is working on {what} (it holds {}); wait for it or stop it",
            path.display()
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(format!("locking {}: {e}", path.display())),
    }
}

/// Where the per-domain locks live: `$R53_MIGRATE_LOCK_DIR`, else `$XDG_RUNTIME_DIR/r53-migrate`,
/// else `r53-migrate-$USER` in the temporary directory. A fixed place, so two runs for one domain
/// meet there whatever `--state` or `--journal` they were given.
pub const LOCK_DIR_ENV: &str = "R53_MIGRATE_LOCK_DIR";

pub fn lock_dir() -> PathBuf {
    let set = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(d) = set(LOCK_DIR_ENV) {
        return PathBuf::from(d);
    }
    if let Some(d) = set("XDG_RUNTIME_DIR") {
        return PathBuf::from(d).join("r53-migrate");
    }
    let user = set("USER")
        .or_else(|| set("LOGNAME"))
        .and_then(|u| u.into_string().ok())
        .unwrap_or_else(|| "user".into());
    std::env::temp_dir().join(format!("r53-migrate-{}", safe_file_part(&user)))
}

/// A name made safe for a file name (anything but letters, digits, `.`, `-` becomes `_`: two
/// names that differ only there share a lock, which errs on the safe side).
fn safe_file_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Locks `kind` (`cutover`, `import`) of `domain` in [`lock_dir`].
pub fn lock_domain(kind: &str, domain: &str) -> Result<Lock, String> {
    lock_domain_in(&lock_dir(), kind, domain)
}

pub fn lock_domain_in(dir: &Path, kind: &str, domain: &str) -> Result<Lock, String> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
        .map_err(|e| format!("creating the lock folder {}: {e}", dir.display()))?;
    let file = dir.join(format!(
        "{kind}-{}.lock",
        safe_file_part(r53_zone::name::normalise(domain).as_str())
    ));
    lock_file(
        &file,
        &format!("the {kind} of {domain}, whatever file it records it in"),
    )
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

    #[test]
    fn a_file_of_another_version_or_not_json_is_refused_with_its_path() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("j.json");
        let read = |p: &Path| {
            read_versioned(p, "journal", 1, |v: &serde_json::Value| {
                v["version"].as_u64().unwrap_or(0) as u32
            })
        };
        std::fs::write(&p, r#"{"version": 1}"#).unwrap();
        assert!(read(&p).is_ok());
        std::fs::write(&p, r#"{"version": 2}"#).unwrap();
        let e = read(&p).unwrap_err();
        assert!(
            e.contains("j.json: journal version 2 (this r53-migrate writes 1)"),
            "{e}"
        );
        std::fs::write(&p, "{half").unwrap();
        let e = read(&p).unwrap_err();
        assert!(e.contains("j.json: not a r53-migrate journal"), "{e}");
    }

    /// Holds an flock on `path` in another process (util-linux `flock`, the same lock
    /// `File::try_lock` takes) until the child is killed; returns once it holds it. `-o`: only
    /// `flock` itself holds the lock (not its shell, which ends when its stdin closes).
    fn held_elsewhere(path: &Path) -> std::process::Child {
        use std::io::BufRead as _;
        let mut child = std::process::Command::new("flock")
            .args(["-n", "-o"])
            .arg(path)
            .args(["-c", "echo held; read x"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("flock (util-linux) runs");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "held", "flock did not take {}", path.display());
        child
    }

    #[test]
    fn a_cutover_of_one_domain_is_locked_whatever_the_state_path() {
        let d = tempfile::tempdir().unwrap();
        let locks = d.path().join("locks");
        let l = lock_domain_in(&locks, "cutover", "Shop.Test.").unwrap();
        // Another spelling of the same domain meets the same lock; another domain does not.
        let e = lock_domain_in(&locks, "cutover", "shop.test")
            .err()
            .unwrap();
        assert!(
            e.contains("another r53-migrate is working on the cutover of shop.test")
                && e.contains("cutover-shop.test.lock"),
            "{e}"
        );
        assert!(lock_domain_in(&locks, "cutover", "other.test").is_ok());
        assert!(lock_domain_in(&locks, "import", "shop.test").is_ok());
        drop(l);
        // Held by another process: refused until that process is gone.
        let mut child = held_elsewhere(&locks.join("cutover-shop.test.lock"));
        let e = lock_domain_in(&locks, "cutover", "shop.test")
            .err()
            .unwrap();
        assert!(e.contains("another r53-migrate"), "{e}");
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(lock_domain_in(&locks, "cutover", "shop.test").is_ok());
    }

    #[test]
    fn the_journal_is_locked_against_another_process() {
        let d = tempfile::tempdir().unwrap();
        let j = d.path().join("z.journal.json");
        let mut child = held_elsewhere(&d.path().join("z.journal.json.lock"));
        let e = lock_journal(&j).err().unwrap();
        assert!(
            e.contains("another r53-migrate is working on this import's journal"),
            "{e}"
        );
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(lock_journal(&j).is_ok());
    }

    #[test]
    fn the_lock_is_exclusive_and_released_on_drop() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("s.json");
        let l = lock(&p).unwrap();
        let e = lock(&p).err().unwrap();
        assert!(e.contains("another r53-migrate"), "{e}");
        drop(l);
        assert!(lock(&p).is_ok());
    }
}
