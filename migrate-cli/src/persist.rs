//! Everything r53-migrate keeps on disk goes through here: versioned JSON files (the cutover
//! state, the import journal) read with their path and version in errors, written atomically
//! (temp file, fsync, rename, fsync the folder), and the exclusive locks that keep two runs off
//! one file and one domain.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

/// A JSON file r53-migrate wrote (`what` names it in errors), refused when it was written in
/// another format version than `want`.
pub(crate) fn read_versioned<T: DeserializeOwned>(
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
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
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
pub(crate) fn lock_journal(journal: &Path) -> Result<Lock, String> {
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
const LOCK_DIR_ENV: &str = "R53_MIGRATE_LOCK_DIR";

fn lock_dir() -> PathBuf {
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
pub(crate) fn lock_domain(kind: &str, domain: &str) -> Result<Lock, String> {
    lock_domain_in(&lock_dir(), kind, domain)
}

fn lock_domain_in(dir: &Path, kind: &str, domain: &str) -> Result<Lock, String> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
