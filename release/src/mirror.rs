//! The two provider-mirror layouts Terraform installs from without a registry:
//! - filesystem mirror, packed layout: `HOSTNAME/NAMESPACE/TYPE/terraform-provider-TYPE_V_OS_ARCH.zip`
//!   (`provider_installation { filesystem_mirror { path = "…" } }`);
//! - network mirror (the provider network mirror protocol): `HOSTNAME/NAMESPACE/TYPE/index.json`
//!   listing versions and `VERSION.json` listing each platform's archive URL (relative) and hashes,
//!   served over HTTPS (`network_mirror { url = "https://…/" }`).
//!
//! Both trees are written beside the release; a mirror that already holds other versions keeps
//! them (index.json lists every `VERSION.json` present).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{io, Result};
use crate::files::{self, write_json};
use crate::names::{self, Platform, Source, Version};

/// One platform's zip with its hashes.
#[derive(Debug, Clone)]
pub struct Archive {
    pub platform: Platform,
    pub file: String,
    pub h1: String,
    pub zh: String,
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct VersionDoc {
    pub archives: BTreeMap<String, ArchiveDoc>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ArchiveDoc {
    pub url: String,
    pub hashes: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct IndexDoc {
    versions: BTreeMap<String, serde_json::Map<String, serde_json::Value>>,
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    std::fs::copy(from, to).map_err(io(to))?;
    Ok(())
}

/// Copies each zip from `dist` into the filesystem mirror tree under `root`.
pub fn filesystem(root: &Path, dist: &Path, source: &Source, archives: &[Archive]) -> Result<()> {
    let dir = root.join(source.dir());
    for a in archives {
        copy(&dist.join(&a.file), &dir.join(&a.file))?;
    }
    Ok(())
}

/// The `VERSION.json` document: every archive with its `h1:` and `zh:` hashes.
pub fn version_doc(archives: &[Archive]) -> VersionDoc {
    VersionDoc {
        archives: archives
            .iter()
            .map(|a| {
                (
                    a.platform.as_str().to_string(),
                    ArchiveDoc {
                        url: a.file.clone(),
                        hashes: vec![a.h1.clone(), a.zh.clone()],
                    },
                )
            })
            .collect(),
    }
}

/// Writes the network mirror tree under `root`: the zips, `VERSION.json`, and `index.json`.
pub fn network(
    root: &Path,
    dist: &Path,
    source: &Source,
    version: &Version,
    archives: &[Archive],
) -> Result<()> {
    let dir = root.join(source.dir());
    for a in archives {
        copy(&dist.join(&a.file), &dir.join(&a.file))?;
    }
    write_json(
        &dir.join(format!("{}.json", version.as_str())),
        &version_doc(archives),
    )?;
    // Every VERSION.json in the directory is a version the mirror serves.
    let mut versions = BTreeMap::new();
    for e in std::fs::read_dir(&dir).map_err(io(&dir))? {
        let name = e
            .map_err(io(&dir))?
            .file_name()
            .to_string_lossy()
            .into_owned();
        if let Some(v) = name.strip_suffix(".json") {
            if Version::parse(v).is_ok() {
                versions.insert(v.to_string(), serde_json::Map::new());
            }
        }
    }
    write_json(&dir.join("index.json"), &IndexDoc { versions })
}

/// Reads a `VERSION.json` back (for `verify`).
pub fn read_version_doc(path: &Path) -> Result<VersionDoc> {
    files::read_json(path)
}

/// The versions a network mirror's `index.json` lists.
pub fn read_index(path: &Path) -> Result<Vec<String>> {
    let doc: IndexDoc = files::read_json(path)?;
    Ok(doc.versions.into_keys().collect())
}

/// The path of the network mirror's `VERSION.json` for this release.
pub fn version_doc_path(root: &Path, source: &Source, version: &Version) -> std::path::PathBuf {
    root.join(source.dir())
        .join(format!("{}.json", version.as_str()))
}

/// The filesystem mirror's copy of a zip.
pub fn filesystem_zip(
    root: &Path,
    source: &Source,
    version: &Version,
    p: &Platform,
) -> std::path::PathBuf {
    root.join(source.dir())
        .join(names::provider_zip(version, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_mirror_lists_every_version_present() {
        let dist = tempfile::tempdir().unwrap();
        let root = dist.path().join("net");
        let src = Source::default();
        let p = Platform::parse("linux_amd64").unwrap();
        for v in ["0.1.0", "0.2.0"] {
            let v = Version::parse(v).unwrap();
            let file = names::provider_zip(&v, &p);
            std::fs::write(dist.path().join(&file), v.as_str()).unwrap();
            let a = Archive {
                platform: p.clone(),
                file,
                h1: format!("h1:{}", v.as_str()),
                zh: format!("zh:{}", v.as_str()),
            };
            network(&root, dist.path(), &src, &v, &[a]).unwrap();
        }
        let dir = root.join("registry.terraform.io/r53/r53");
        let index: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("index.json")).unwrap())
                .unwrap();
        assert_eq!(
            index,
            serde_json::json!({"versions": {"0.1.0": {}, "0.2.0": {}}})
        );
        let doc = read_version_doc(&dir.join("0.2.0.json")).unwrap();
        assert_eq!(
            serde_json::to_value(&doc).unwrap(),
            serde_json::json!({"archives": {"linux_amd64": {
                "url": "terraform-provider-r53_0.2.0_linux_amd64.zip",
                "hashes": ["h1:0.2.0", "zh:0.2.0"]
            }}})
        );
        assert!(dir
            .join("terraform-provider-r53_0.1.0_linux_amd64.zip")
            .exists());
    }
}
