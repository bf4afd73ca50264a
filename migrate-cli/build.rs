//! Names the commit r53-migrate is built from, for `--version`: sets `R53_COMMIT` (12 hex digits)
//! and `R53_COMMIT_DATE` (YYYY-MM-DD) for rustc, empty when unknown.
//!
//! `R53_COMMIT` / `R53_COMMIT_DATE` in the build's environment win (a build from a source tarball
//! has no .git); else git is asked. No git, no repository, or a repository that does not track
//! this crate (a registry copy under a home directory kept in git): the commit is unknown. Never
//! fails the build over it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=R53_COMMIT");
    println!("cargo:rerun-if-env-changed=R53_COMMIT_DATE");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());

    let (commit, date) = match given("R53_COMMIT") {
        // The date of some other commit would be wrong beside it: only a given one.
        Some(c) => (Some(c), given("R53_COMMIT_DATE")),
        None => match git_commit(&manifest_dir) {
            Some(c) => {
                let date = given("R53_COMMIT_DATE").or_else(|| {
                    git(&manifest_dir, &["log", "-1", "--format=%cs", "HEAD"]).filter(|d| plain(d))
                });
                (Some(c), date)
            }
            None => (None, given("R53_COMMIT_DATE")),
        },
    };
    println!("cargo:rustc-env=R53_COMMIT={}", commit.unwrap_or_default());
    println!(
        "cargo:rustc-env=R53_COMMIT_DATE={}",
        date.unwrap_or_default()
    );
}

/// An environment variable given to the build, if set to something that fits on a version line.
fn given(var: &str) -> Option<String> {
    let v = std::env::var(var).ok()?;
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    if !plain(v) {
        println!("cargo:warning={var} ignored: at most 64 visible ASCII characters, no spaces");
        return None;
    }
    Some(v.to_string())
}

/// Safe to print on a version line and in a man page's title: no spaces, quotes or control
/// characters, not absurdly long.
fn plain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
}

/// HEAD's short hash, when `dir` is in a git work tree that tracks this crate; registers the files
/// whose change means another commit.
fn git_commit(dir: &Path) -> Option<String> {
    // Walking up from a registry copy can find an unrelated repository: ours tracks Cargo.toml.
    git(dir, &["ls-files", "--error-unmatch", "Cargo.toml"])?;
    let commit = git(dir, &["rev-parse", "--short=12", "HEAD"]).filter(|c| plain(c))?;
    watch_head(dir);
    Some(commit)
}

/// `rerun-if-changed` on HEAD, the ref it points to and packed-refs, and on nothing else: the
/// crate then rebuilds when the commit changes, not on every build. Only paths that exist are
/// named (cargo reruns a script every time for a missing one); a ref not yet written as a loose
/// file is watched through its directory, where a commit creates it.
fn watch_head(dir: &Path) {
    // git prints these relative to `dir` (`../.git`) unless it is elsewhere.
    let abs = |p: String| {
        let p = dir.join(p);
        std::fs::canonicalize(&p).unwrap_or(p)
    };
    let Some(git_dir) = git(dir, &["rev-parse", "--git-dir"]).map(abs) else {
        return;
    };
    // Branches and packed-refs live in the common directory (not a linked worktree's own).
    let common = git(dir, &["rev-parse", "--git-common-dir"])
        .map(abs)
        .unwrap_or_else(|| git_dir.clone());
    let head = git_dir.join("HEAD");
    watch(&head);
    watch(&common.join("packed-refs"));
    let Ok(text) = std::fs::read_to_string(&head) else {
        return;
    };
    let Some(name) = text.trim().strip_prefix("ref: ") else {
        return; // detached: the hash is in HEAD itself
    };
    // A ref name with `..` or an absolute path is not git's; do not follow it out of the repository.
    if name.split('/').any(|c| c.is_empty() || c == "..") {
        return;
    }
    let mut path = common.join(name);
    while !path.exists() {
        match path.parent() {
            Some(p) if p.starts_with(&common) && p != common => path = p.to_path_buf(),
            _ => return,
        }
    }
    watch(&path);
}

fn watch(path: &Path) {
    if path.exists() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

/// One line of a git command's output; `None` when git is missing or fails.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?;
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}
