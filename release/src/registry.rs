//! A static tree that speaks Terraform's provider registry protocol, for a private registry served
//! from any HTTPS static host at the root of its hostname (source `HOSTNAME/NAMESPACE/r53`):
//! - `.well-known/terraform.json` — service discovery, `{"providers.v1": "/v1/providers/"}`;
//! - `v1/providers/NAMESPACE/r53/versions` — every version present with its platforms;
//! - `v1/providers/NAMESPACE/r53/VERSION/download/OS/ARCH` — the zip, its SHA-256, the
//!   SHA256SUMS and signature URLs (relative) and the public key.
//!
//! Unlike a mirror, Terraform checks the signature here, and records every platform's `zh:` hash
//! from the signed SHA256SUMS in the lock file. The extensionless documents are JSON: a static host
//! must serve them as `application/json`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{io, Error, Result};
use crate::files::{self, write_json};
use crate::mirror::Archive;
use crate::names::{self, Source, Version};

#[derive(Serialize, Deserialize)]
struct Versions {
    versions: Vec<VersionEntry>,
}

#[derive(Serialize, Deserialize)]
struct VersionEntry {
    version: String,
    protocols: Vec<String>,
    platforms: Vec<PlatformEntry>,
}

#[derive(Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
struct PlatformEntry {
    os: String,
    arch: String,
}

/// `v1/providers/NAMESPACE/r53` under the tree's root.
pub fn provider_dir(root: &Path, source: &Source) -> PathBuf {
    root.join(format!(
        "v1/providers/{}/{}",
        source.namespace,
        names::PROVIDER_TYPE
    ))
}

/// `…/VERSION`: the zips, SHA256SUMS and signature, and `download/OS/ARCH`.
pub fn version_dir(root: &Path, source: &Source, version: &Version) -> PathBuf {
    provider_dir(root, source).join(version.as_str())
}

/// The download document of one platform (`os_arch` as `linux_amd64`).
pub fn download_doc_path(dir: &Path, os_arch: &str) -> Result<PathBuf> {
    let (os, arch) = os_arch
        .split_once('_')
        .ok_or_else(|| Error::BadPlatform(os_arch.to_string()))?;
    Ok(dir.join(format!("download/{os}/{arch}")))
}

/// The (version, platforms as OS_ARCH) a `versions` document lists.
pub fn read_versions(root: &Path, source: &Source) -> Result<Vec<(String, Vec<String>)>> {
    let doc: Versions = files::read_json(&provider_dir(root, source).join("versions"))?;
    Ok(doc
        .versions
        .into_iter()
        .map(|v| {
            let platforms = v
                .platforms
                .into_iter()
                .map(|p| format!("{}_{}", p.os, p.arch))
                .collect();
            (v.version, platforms)
        })
        .collect())
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to).map_err(io(to))?;
    Ok(())
}

/// Writes the registry tree for `version` under `root`, keeping other versions already there.
/// `key_id` is the signing key's long ID, `public_key` its armored form.
pub fn write_tree(
    root: &Path,
    dist: &Path,
    source: &Source,
    version: &Version,
    archives: &[Archive],
    key_id: &str,
    public_key: &str,
) -> Result<()> {
    write_json(
        &root.join(".well-known/terraform.json"),
        &serde_json::json!({ "providers.v1": "/v1/providers/" }),
    )?;
    let provider = provider_dir(root, source);
    let vdir = version_dir(root, source, version);
    std::fs::create_dir_all(&vdir).map_err(io(&vdir))?;
    for f in [names::sums(version), names::sums_sig(version)] {
        copy(&dist.join(&f), &vdir.join(&f))?;
    }
    for a in archives {
        copy(&dist.join(&a.file), &vdir.join(&a.file))?;
        let (os, arch) = a
            .platform
            .as_str()
            .split_once('_')
            .ok_or_else(|| Error::BadPlatform(a.platform.as_str().to_string()))?;
        let shasum = a.zh.strip_prefix("zh:").unwrap_or(&a.zh);
        // Relative to …/VERSION/download/OS/ARCH, "../../" is …/VERSION/.
        write_json(
            &download_doc_path(&vdir, a.platform.as_str())?,
            &serde_json::json!({
                "protocols": names::PROTOCOL_VERSIONS,
                "os": os,
                "arch": arch,
                "filename": a.file,
                "download_url": format!("../../{}", a.file),
                "shasums_url": format!("../../{}", names::sums(version)),
                "shasums_signature_url": format!("../../{}", names::sums_sig(version)),
                "shasum": shasum,
                "signing_keys": { "gpg_public_keys": [
                    { "key_id": key_id, "ascii_armor": public_key }
                ]},
            }),
        )?;
    }

    // `versions` lists every VERSION/download/OS/ARCH present.
    let mut versions = Vec::new();
    for e in std::fs::read_dir(&provider).map_err(io(&provider))? {
        let e = e.map_err(io(&provider))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if Version::parse(&name).is_err() || !e.path().join("download").is_dir() {
            continue;
        }
        let mut platforms = Vec::new();
        let downloads = e.path().join("download");
        for os in std::fs::read_dir(&downloads).map_err(io(&downloads))? {
            let os = os.map_err(io(&downloads))?;
            for arch in std::fs::read_dir(os.path()).map_err(io(&os.path()))? {
                let arch = arch.map_err(io(&os.path()))?;
                platforms.push(PlatformEntry {
                    os: os.file_name().to_string_lossy().into_owned(),
                    arch: arch.file_name().to_string_lossy().into_owned(),
                });
            }
        }
        platforms.sort();
        versions.push(VersionEntry {
            version: name,
            protocols: names::PROTOCOL_VERSIONS
                .iter()
                .map(|p| p.to_string())
                .collect(),
            platforms,
        });
    }
    versions.sort_by(|a, b| a.version.cmp(&b.version));
    let doc = serde_json::to_value(Versions { versions }).map_err(|e| Error::Invalid {
        path: provider.clone(),
        message: e.to_string(),
    })?;
    write_json(&provider.join("versions"), &doc)
}
