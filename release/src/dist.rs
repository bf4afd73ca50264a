//! The release steps over a `dist/` directory:
//! - `package`: this platform's provider zip and r53-migrate archive (run once per platform, on
//!   a machine that runs that platform's binaries);
//! - `finish`: over every zip of the version in `dist/`, the manifest, SHA256SUMS, its signature,
//!   the public key, both mirror trees and the static registry tree;
//! - `verify`: everything `finish` promised, recomputed from the bytes.

use std::path::{Path, PathBuf};

use crate::archive::{self, Entry};
use crate::error::{io, Error, Result};
use crate::hash;
use crate::mirror::{self, Archive};
use crate::names::{self, Epoch, Platform, Source, Version};
use crate::registry;
use crate::sign::{self, Signer};

/// SHA256SUMS larger than this is not ours.
const MAX_SUMS_BYTES: u64 = 1 << 20;

/// What `package` puts in the archives.
#[derive(Debug, Clone)]
pub struct Package {
    pub version: Version,
    pub platform: Platform,
    pub dist: PathBuf,
    pub epoch: Epoch,
    /// The provider executable.
    pub provider: PathBuf,
    /// The r53-migrate executable, with the extra files for its archive (name inside, bytes).
    pub migrate: Option<(PathBuf, Vec<Entry>)>,
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(io(path))
}

/// Writes this platform's archives into `dist/`; their paths.
pub fn package(p: &Package) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(&p.dist).map_err(io(&p.dist))?;
    let zip = p.dist.join(names::provider_zip(&p.version, &p.platform));
    archive::write_zip(
        &zip,
        &[Entry::executable(
            names::provider_exe(&p.version),
            read(&p.provider)?,
        )],
        p.epoch,
    )?;
    let mut out = vec![zip];
    if let Some((bin, extras)) = &p.migrate {
        let mut entries = vec![Entry::executable("r53-migrate", read(bin)?)];
        entries.extend(extras.iter().cloned());
        let tgz = p.dist.join(names::migrate_archive(&p.version, &p.platform));
        archive::write_tar_gz(
            &tgz,
            &names::migrate_dir(&p.version, &p.platform),
            &entries,
            p.epoch,
        )?;
        out.push(tgz);
    }
    Ok(out)
}

/// What `finish` produced.
#[derive(Debug)]
pub struct Finished {
    pub archives: Vec<Archive>,
    pub migrate_archives: Vec<String>,
    pub sums: PathBuf,
    pub fingerprint: String,
    pub throwaway_key: bool,
}

fn list_dist(dist: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for e in std::fs::read_dir(dist).map_err(io(dist))? {
        let e = e.map_err(io(dist))?;
        if e.file_type().map_err(io(dist))?.is_file() {
            names.push(e.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// Manifest, SHA256SUMS, signature, public key and mirror trees for every archive of `version`
/// in `dist`. `signer` signs; `Signer::from_env` picks the release key or a throwaway one.
pub fn finish(
    dist: &Path,
    version: &Version,
    source: &Source,
    signer: &Signer,
) -> Result<Finished> {
    let files = list_dist(dist)?;
    let mut archives = Vec::new();
    let mut migrate_archives = Vec::new();
    for name in &files {
        if let Some(platform) = names::zip_platform(version, name) {
            let path = dist.join(name);
            archives.push(Archive {
                platform,
                file: name.clone(),
                h1: hash::h1(&path)?,
                zh: hash::zh(&path)?,
            });
        } else if names::migrate_platform(version, name).is_some() {
            migrate_archives.push(name.clone());
        }
    }
    if archives.is_empty() {
        return Err(Error::Missing(format!(
            "{}: no provider zip of version {} (run `package` first)",
            dist.display(),
            version.as_str()
        )));
    }

    let manifest = names::manifest(version);
    let doc = serde_json::json!({
        "version": 1,
        "metadata": { "protocol_versions": names::PROTOCOL_VERSIONS },
    });
    std::fs::write(dist.join(&manifest), format!("{doc:#}\n")).map_err(io(dist))?;

    let mut listed: Vec<String> = archives.iter().map(|a| a.file.clone()).collect();
    listed.push(manifest);
    listed.extend(migrate_archives.iter().cloned());
    listed.sort();
    let mut sums = String::new();
    for name in &listed {
        sums.push_str(&format!(
            "{}  {name}\n",
            hash::sha256_file(&dist.join(name))?
        ));
    }
    let sums_path = dist.join(names::sums(version));
    std::fs::write(&sums_path, sums).map_err(io(&sums_path))?;
    signer.sign(&sums_path, &dist.join(names::sums_sig(version)))?;
    let key = dist.join(names::SIGNING_KEY_FILE);
    let public_key = signer.public_key()?;
    std::fs::write(&key, &public_key).map_err(io(&key))?;

    mirror::filesystem(
        &dist.join(names::FILESYSTEM_MIRROR_DIR),
        dist,
        source,
        &archives,
    )?;
    mirror::network(
        &dist.join(names::NETWORK_MIRROR_DIR),
        dist,
        source,
        version,
        &archives,
    )?;
    // The long key ID is the fingerprint's last 16 hex digits.
    let fpr = signer.fingerprint();
    let key_id = fpr.get(fpr.len().saturating_sub(16)..).unwrap_or(fpr);
    registry::write_tree(
        &dist.join(names::REGISTRY_DIR),
        dist,
        source,
        version,
        &archives,
        key_id,
        &public_key,
    )?;
    Ok(Finished {
        archives,
        migrate_archives,
        sums: sums_path,
        fingerprint: signer.fingerprint().to_string(),
        throwaway_key: signer.is_throwaway(),
    })
}

/// What `verify` checked.
#[derive(Debug)]
pub struct Verified {
    pub files: usize,
    pub fingerprint: String,
    pub platforms: Vec<String>,
}

fn mismatch(file: &str, what: &'static str, found: &str, expected: &str) -> Error {
    Error::Mismatch {
        file: file.to_string(),
        what,
        found: found.to_string(),
        expected: expected.to_string(),
    }
}

/// Checks a finished `dist/`: every SHA256SUMS line against its file, no release file left out,
/// the signature with the shipped key alone, the manifest's protocol, and the copies and hashes
/// in both mirrors and the registry tree recomputed.
pub fn verify(dist: &Path, version: &Version, source: &Source) -> Result<Verified> {
    let sums_path = dist.join(names::sums(version));
    let len = std::fs::metadata(&sums_path).map_err(io(&sums_path))?.len();
    if len > MAX_SUMS_BYTES {
        return Err(Error::Invalid {
            path: sums_path,
            message: format!("{len} bytes, over the limit of {MAX_SUMS_BYTES}"),
        });
    }
    let text = std::fs::read_to_string(&sums_path).map_err(io(&sums_path))?;
    let mut listed = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let bad = |m: &str| Error::Invalid {
            path: sums_path.clone(),
            message: format!("line {}: {m}", n + 1),
        };
        let (digest, name) = line
            .split_once("  ")
            .ok_or_else(|| bad("not `<sha256>  <file>`"))?;
        if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("not a SHA-256 in hex"));
        }
        if name.is_empty() || name.contains('/') || name.starts_with('.') {
            return Err(bad("not a file name in this directory"));
        }
        let found = hash::sha256_file(&dist.join(name))?;
        if !found.eq_ignore_ascii_case(digest) {
            return Err(mismatch(name, "SHA-256", &found, digest));
        }
        listed.push(name.to_string());
    }
    let manifest = names::manifest(version);
    for name in list_dist(dist)? {
        let ours = names::zip_platform(version, &name).is_some()
            || names::migrate_platform(version, &name).is_some()
            || name == manifest;
        if ours && !listed.contains(&name) {
            return Err(Error::Missing(format!(
                "{name} is in {} but not in {}",
                dist.display(),
                names::sums(version)
            )));
        }
    }
    let fingerprint = sign::verify(
        &dist.join(names::SIGNING_KEY_FILE),
        &dist.join(names::sums_sig(version)),
        &sums_path,
    )?;

    let mpath = dist.join(&manifest);
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&mpath).map_err(io(&mpath))?,
    )
    .map_err(|e| Error::Invalid {
        path: mpath.clone(),
        message: e.to_string(),
    })?;
    let protocols = &doc["metadata"]["protocol_versions"];
    if protocols != &serde_json::json!(names::PROTOCOL_VERSIONS) {
        return Err(mismatch(
            &manifest,
            "protocol_versions",
            &protocols.to_string(),
            &serde_json::json!(names::PROTOCOL_VERSIONS).to_string(),
        ));
    }

    let net = dist.join(names::NETWORK_MIRROR_DIR);
    let fs = dist.join(names::FILESYSTEM_MIRROR_DIR);
    let vdoc_path = mirror::version_doc_path(&net, source, version);
    let vdoc = mirror::read_version_doc(&vdoc_path)?;
    let mut platforms = Vec::new();
    for name in &listed {
        let Some(platform) = names::zip_platform(version, name) else {
            continue;
        };
        let expect_h1 = hash::h1(&dist.join(name))?;
        let expect_zh = hash::zh(&dist.join(name))?;
        let entry = vdoc.archives.get(platform.as_str()).ok_or_else(|| {
            Error::Missing(format!(
                "{}: no archive for {}",
                vdoc_path.display(),
                platform.as_str()
            ))
        })?;
        let want = vec![expect_h1.clone(), expect_zh.clone()];
        if entry.hashes != want {
            return Err(mismatch(
                &vdoc_path.display().to_string(),
                "hashes",
                &entry.hashes.join(" "),
                &want.join(" "),
            ));
        }
        let served = vdoc_path.with_file_name(&entry.url);
        if hash::zh(&served)? != expect_zh {
            return Err(mismatch(
                &served.display().to_string(),
                "zh",
                &hash::zh(&served)?,
                &expect_zh,
            ));
        }
        let fs_zip = mirror::filesystem_zip(&fs, source, version, &platform);
        let found = hash::zh(&fs_zip)?;
        if found != expect_zh {
            return Err(mismatch(
                &fs_zip.display().to_string(),
                "zh",
                &found,
                &expect_zh,
            ));
        }
        // The registry tree: the download document's SHA-256 and the copies it points at.
        let (os, arch) = platform
            .as_str()
            .split_once('_')
            .ok_or_else(|| Error::BadPlatform(platform.as_str().to_string()))?;
        let vdir = dist
            .join(names::REGISTRY_DIR)
            .join(format!(
                "v1/providers/{}/{}",
                source.namespace,
                names::PROVIDER_TYPE
            ))
            .join(version.as_str());
        let dpath = vdir.join(format!("download/{os}/{arch}"));
        let ddoc: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&dpath).map_err(io(&dpath))?,
        )
        .map_err(|e| Error::Invalid {
            path: dpath.clone(),
            message: e.to_string(),
        })?;
        let want_sha = expect_zh.trim_start_matches("zh:");
        let shasum = ddoc["shasum"].as_str().unwrap_or_default();
        if shasum != want_sha {
            return Err(mismatch(
                &dpath.display().to_string(),
                "shasum",
                shasum,
                want_sha,
            ));
        }
        for f in [name.clone(), names::sums(version), names::sums_sig(version)] {
            let (copy, orig) = (
                hash::sha256_file(&vdir.join(&f))?,
                hash::sha256_file(&dist.join(&f))?,
            );
            if copy != orig {
                return Err(mismatch(
                    &vdir.join(&f).display().to_string(),
                    "SHA-256",
                    &copy,
                    &orig,
                ));
            }
        }
        platforms.push(platform.as_str().to_string());
    }
    Ok(Verified {
        files: listed.len(),
        fingerprint,
        platforms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(dist: &Path) -> (Version, Source, Signer) {
        let v = Version::parse("0.2.0").unwrap();
        let bin = dist.parent().unwrap().join("bin");
        std::fs::write(&bin, b"#!/bin/sh\necho provider\n").unwrap();
        for p in ["linux_amd64", "linux_arm64"] {
            package(&Package {
                version: v.clone(),
                platform: Platform::parse(p).unwrap(),
                dist: dist.to_path_buf(),
                epoch: Epoch::ZIP_MIN,
                provider: bin.clone(),
                migrate: Some((bin.clone(), vec![Entry::file("README.md", b"hi".to_vec())])),
            })
            .unwrap();
        }
        let s = Signer::throwaway().unwrap();
        let src = Source::default();
        finish(dist, &v, &src, &s).unwrap();
        (v, src, s)
    }

    #[test]
    fn finished_release_verifies_and_each_tampering_is_named() {
        let top = tempfile::tempdir().unwrap();
        let dist = top.path().join("dist");
        let (v, src, s) = release(&dist);
        let ok = verify(&dist, &v, &src).unwrap();
        assert_eq!(ok.fingerprint, s.fingerprint());
        assert_eq!(ok.platforms, ["linux_amd64", "linux_arm64"]);
        assert_eq!(ok.files, 5); // two zips, two tar.gz, the manifest

        let sums = std::fs::read_to_string(dist.join(names::sums(&v))).unwrap();
        assert!(
            sums.contains("  terraform-provider-r53_0.2.0_manifest.json\n"),
            "{sums}"
        );

        // A zip changed after finishing: SHA256SUMS names it.
        let zip = dist.join("terraform-provider-r53_0.2.0_linux_arm64.zip");
        let mut bytes = std::fs::read(&zip).unwrap();
        bytes.push(0);
        std::fs::write(&zip, &bytes).unwrap();
        let e = verify(&dist, &v, &src).unwrap_err().to_string();
        assert!(
            e.starts_with("terraform-provider-r53_0.2.0_linux_arm64.zip: SHA-256"),
            "{e}"
        );

        // SHA256SUMS rewritten to match: the signature no longer verifies.
        let fixed = sums
            .lines()
            .map(|l| {
                if l.ends_with("linux_arm64.zip") {
                    format!(
                        "{}  {}",
                        hash::sha256_file(&zip).unwrap(),
                        l.split_once("  ").unwrap().1
                    )
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n";
        std::fs::write(dist.join(names::sums(&v)), fixed).unwrap();
        let e = verify(&dist, &v, &src).unwrap_err().to_string();
        assert!(e.contains("verify the signature"), "{e}");
    }

    #[test]
    fn a_mirror_copy_that_differs_is_named() {
        let top = tempfile::tempdir().unwrap();
        let dist = top.path().join("dist");
        let (v, src, _s) = release(&dist);
        let p = Platform::parse("linux_amd64").unwrap();
        let copy = mirror::filesystem_zip(&dist.join(names::FILESYSTEM_MIRROR_DIR), &src, &v, &p);
        std::fs::write(&copy, b"PK").unwrap();
        let e = verify(&dist, &v, &src).unwrap_err().to_string();
        assert!(
            e.contains("filesystem-mirror") && e.contains("zh is"),
            "{e}"
        );
    }

    #[test]
    fn registry_tree_speaks_the_protocol_with_relative_urls() {
        let top = tempfile::tempdir().unwrap();
        let dist = top.path().join("dist");
        let (v, _src, s) = release(&dist);
        let root = dist.join(names::REGISTRY_DIR);
        let json = |p: &str| -> serde_json::Value {
            serde_json::from_str(&std::fs::read_to_string(root.join(p)).unwrap()).unwrap()
        };
        assert_eq!(
            json(".well-known/terraform.json"),
            serde_json::json!({"providers.v1": "/v1/providers/"})
        );
        assert_eq!(
            json("v1/providers/r53/r53/versions"),
            serde_json::json!({"versions": [{"version": "0.2.0", "protocols": ["5.0"], "platforms": [
                {"os": "linux", "arch": "amd64"}, {"os": "linux", "arch": "arm64"}]}]})
        );
        let d = json("v1/providers/r53/r53/0.2.0/download/linux/arm64");
        let base = root.join("v1/providers/r53/r53/0.2.0/download/linux");
        let zip = base.join(d["download_url"].as_str().unwrap());
        assert_eq!(
            d["shasum"].as_str().unwrap(),
            hash::sha256_file(&zip).unwrap(),
            "{}",
            zip.display()
        );
        for k in ["shasums_url", "shasums_signature_url"] {
            assert!(base.join(d[k].as_str().unwrap()).is_file(), "{k}");
        }
        let key = &d["signing_keys"]["gpg_public_keys"][0];
        assert!(s.fingerprint().ends_with(key["key_id"].as_str().unwrap()));
        assert_eq!(key["key_id"].as_str().unwrap().len(), 16);
        assert!(key["ascii_armor"]
            .as_str()
            .unwrap()
            .contains("BEGIN PGP PUBLIC KEY BLOCK"));
        assert_eq!(
            d["filename"],
            names::provider_zip(&v, &Platform::parse("linux_arm64").unwrap())
        );
    }

    #[test]
    fn a_registry_copy_that_differs_is_named() {
        let top = tempfile::tempdir().unwrap();
        let dist = top.path().join("dist");
        let (v, src, _s) = release(&dist);
        let copy = dist.join(format!(
            "registry/v1/providers/r53/r53/0.2.0/{}",
            names::sums(&v)
        ));
        std::fs::write(&copy, "changed\n").unwrap();
        let e = verify(&dist, &v, &src).unwrap_err().to_string();
        assert!(
            e.contains("registry/v1/providers/r53/r53/0.2.0/") && e.contains("SHA-256 is"),
            "{e}"
        );
    }

    #[test]
    fn finish_without_a_zip_says_so() {
        let dist = tempfile::tempdir().unwrap();
        let s = Signer::throwaway().unwrap();
        let e = finish(
            dist.path(),
            &Version::parse("1.0.0").unwrap(),
            &Source::default(),
            &s,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("no provider zip of version 1.0.0"), "{e}");
    }
}
