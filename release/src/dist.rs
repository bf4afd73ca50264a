//! The release steps over a `dist/` directory:
//! - `package`: this platform's provider zip and r53-migrate archive (run once per platform, on
//!   a machine that runs that platform's binaries);
//! - `finish`: over every zip of the version in `dist/`, the manifest, SHA256SUMS, its signature,
//!   the public key, both mirror trees and the static registry tree;
//! - `verify`: everything `finish` promised, recomputed from the bytes.

use std::path::{Path, PathBuf};

use crate::archive::{self, Entry};
use crate::error::{io, Error, Result};
use crate::files;
use crate::hash;
use crate::mirror::{self, Archive};
use crate::names::{self, Epoch, Platform, Source, Version};
use crate::registry;
use crate::sign::{self, Signer};

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
    let manifest_path = dist.join(&manifest);
    let doc = serde_json::json!({
        "version": 1,
        "metadata": { "protocol_versions": names::PROTOCOL_VERSIONS },
    });
    std::fs::write(&manifest_path, format!("{doc:#}\n")).map_err(io(&manifest_path))?;

    // Two signed lists: Terraform trusts every line of the provider's as a provider hash (and
    // writes them all into lock files), so r53-migrate's archives get their own.
    let mut provider_files: Vec<String> = archives.iter().map(|a| a.file.clone()).collect();
    provider_files.push(manifest);
    let sums_path = write_sums(dist, &names::sums(version), &provider_files)?;
    signer.sign(&sums_path, &dist.join(names::sums_sig(version)))?;
    if !migrate_archives.is_empty() {
        let m = write_sums(dist, &names::migrate_sums(version), &migrate_archives)?;
        signer.sign(
            &m,
            &dist.join(format!("{}.sig", names::migrate_sums(version))),
        )?;
    }
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

/// Writes `name` in `dist`: one `<sha256>  <file>` line per file, sorted by file name.
fn write_sums(dist: &Path, name: &str, files: &[String]) -> Result<PathBuf> {
    let mut sorted = files.to_vec();
    sorted.sort();
    let mut text = String::new();
    for f in &sorted {
        text.push_str(&format!("{}  {f}\n", hash::sha256_file(&dist.join(f))?));
    }
    let path = dist.join(name);
    std::fs::write(&path, text).map_err(io(&path))?;
    Ok(path)
}

/// Parses a SHA256SUMS list: `(sha256 hex, file name)` per line; each name a plain file name.
pub fn parse_sums(path: &Path, text: &str) -> Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let bad = |m: &str| Error::Invalid {
            path: path.to_path_buf(),
            message: format!("line {}: {m}", n + 1),
        };
        let (digest, name) = line
            .split_once("  ")
            .ok_or_else(|| bad("not `<sha256>  <file>`"))?;
        if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("not a SHA-256 in hex"));
        }
        // Control characters too: a name ending in `\r` would lose it when the list is read back.
        if name.is_empty()
            || name.contains(['/', '\\'])
            || name.starts_with('.')
            || name.chars().any(char::is_control)
        {
            return Err(bad("not a file name in this directory"));
        }
        if out.iter().any(|(_, n)| n == name) {
            return Err(bad("the file is listed twice"));
        }
        out.push((digest.to_ascii_lowercase(), name.to_string()));
    }
    Ok(out)
}

/// Checks every line of the list `name` against its file, and its signature; the files listed.
fn verify_sums(dist: &Path, name: &str) -> Result<(Vec<String>, String)> {
    let path = dist.join(name);
    let lines = parse_sums(&path, &files::read_document(&path)?)?;
    for (digest, file) in &lines {
        let found = hash::sha256_file(&dist.join(file))?;
        if &found != digest {
            return Err(mismatch(file, "SHA-256", &found, digest));
        }
    }
    let fingerprint = sign::verify(
        &dist.join(names::SIGNING_KEY_FILE),
        &dist.join(format!("{name}.sig")),
        &path,
    )?;
    Ok((lines.into_iter().map(|(_, f)| f).collect(), fingerprint))
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

/// Checks a finished `dist/`: every line of both SHA256SUMS against its file, no release file
/// left out, both signatures with the shipped key alone, the manifest's protocol, and in each
/// mirror and the registry tree the documents (versions listed, URLs, hashes) and the copies.
pub fn verify(dist: &Path, version: &Version, source: &Source) -> Result<Verified> {
    let (listed, fingerprint) = verify_sums(dist, &names::sums(version))?;
    let manifest = names::manifest(version);
    let migrate_sums = names::migrate_sums(version);
    let migrate_listed = if dist.join(&migrate_sums).exists() {
        let (files, by) = verify_sums(dist, &migrate_sums)?;
        if by != fingerprint {
            return Err(mismatch(&migrate_sums, "signing key", &by, &fingerprint));
        }
        files
    } else {
        Vec::new()
    };
    for name in list_dist(dist)? {
        let provider_file = names::zip_platform(version, &name).is_some() || name == manifest;
        let migrate_file = names::migrate_platform(version, &name).is_some();
        let (list, sums) = if provider_file {
            (&listed, names::sums(version))
        } else if migrate_file {
            (&migrate_listed, migrate_sums.clone())
        } else {
            continue;
        };
        if !list.contains(&name) {
            return Err(Error::Missing(format!(
                "{name} is in {} but not in {sums}",
                dist.display()
            )));
        }
    }
    if let Some(stray) = listed
        .iter()
        .find(|f| names::zip_platform(version, f).is_none() && **f != manifest)
    {
        return Err(Error::Missing(format!(
            "{stray} is in {} but is not a file of the provider",
            names::sums(version)
        )));
    }

    let mpath = dist.join(&manifest);
    let doc: serde_json::Value = files::read_json(&mpath)?;
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
    let reg = dist.join(names::REGISTRY_DIR);
    let vdoc_path = mirror::version_doc_path(&net, source, version);
    let vdoc = mirror::read_version_doc(&vdoc_path)?;
    let index = vdoc_path.with_file_name("index.json");
    if !mirror::read_index(&index)?.contains(&version.as_str().to_string()) {
        return Err(Error::Missing(format!(
            "{}: version {} not listed",
            index.display(),
            version.as_str()
        )));
    }
    let reg_versions = registry::read_versions(&reg, source)?;
    let reg_platforms = reg_versions
        .iter()
        .find(|(v, _)| v == version.as_str())
        .map(|(_, p)| p.clone())
        .unwrap_or_default();
    let vdir = registry::version_dir(&reg, source, version);
    let mut platforms = Vec::new();
    for name in &listed {
        let Some(platform) = names::zip_platform(version, name) else {
            continue;
        };
        let p = platform.as_str();
        let at = |path: &Path| path.display().to_string();
        let expect_h1 = hash::h1(&dist.join(name))?;
        let expect_zh = hash::zh(&dist.join(name))?;

        // Network mirror: the platform's entry names this zip with our hashes; the copy matches.
        let entry = vdoc.archives.get(p).ok_or_else(|| {
            Error::Missing(format!("{}: no archive for {p}", vdoc_path.display()))
        })?;
        if &entry.url != name {
            return Err(mismatch(&at(&vdoc_path), "url", &entry.url, name));
        }
        let want = vec![expect_h1.clone(), expect_zh.clone()];
        if entry.hashes != want {
            return Err(mismatch(
                &at(&vdoc_path),
                "hashes",
                &entry.hashes.join(" "),
                &want.join(" "),
            ));
        }
        // Filesystem mirror, network mirror and registry copies of the zip.
        for copy in [
            mirror::filesystem_zip(&fs, source, version, &platform),
            vdoc_path.with_file_name(name),
            vdir.join(name),
        ] {
            let found = hash::zh(&copy)?;
            if found != expect_zh {
                return Err(mismatch(&at(&copy), "zh", &found, &expect_zh));
            }
        }

        // Registry: listed in `versions`, and a download document pointing at this zip.
        if !reg_platforms.iter().any(|r| r == p) {
            return Err(Error::Missing(format!(
                "{}: {} for {p} not listed",
                at(&registry::provider_dir(&reg, source).join("versions")),
                version.as_str()
            )));
        }
        let dpath = registry::download_doc_path(&vdir, p)?;
        let ddoc: serde_json::Value = files::read_json(&dpath)?;
        let want_sha = expect_zh.trim_start_matches("zh:");
        let checks = [
            ("filename", name.clone()),
            ("download_url", format!("../../{name}")),
            ("shasums_url", format!("../../{}", names::sums(version))),
            (
                "shasums_signature_url",
                format!("../../{}", names::sums_sig(version)),
            ),
            ("shasum", want_sha.to_string()),
        ];
        for (field, want) in checks {
            let found = ddoc[field].as_str().unwrap_or_default();
            if found != want {
                return Err(mismatch(&at(&dpath), field, found, &want));
            }
        }
        let key = &ddoc["signing_keys"]["gpg_public_keys"][0]["ascii_armor"];
        let shipped = files::read_document(&dist.join(names::SIGNING_KEY_FILE))?;
        if key.as_str() != Some(shipped.as_str()) {
            return Err(mismatch(
                &at(&dpath),
                "signing key",
                "another key",
                names::SIGNING_KEY_FILE,
            ));
        }
        for f in [names::sums(version), names::sums_sig(version)] {
            let (copy, orig) = (
                hash::sha256_file(&vdir.join(&f))?,
                hash::sha256_file(&dist.join(&f))?,
            );
            if copy != orig {
                return Err(mismatch(&at(&vdir.join(&f)), "SHA-256", &copy, &orig));
            }
        }
        platforms.push(p.to_string());
    }
    Ok(Verified {
        files: listed.len() + migrate_listed.len(),
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
        let listed: Vec<&str> = sums
            .lines()
            .filter_map(|l| l.split_once("  "))
            .map(|(_, f)| f)
            .collect();
        // Only the provider's files: Terraform trusts every line as a provider hash.
        assert_eq!(
            listed,
            [
                "terraform-provider-r53_0.2.0_linux_amd64.zip",
                "terraform-provider-r53_0.2.0_linux_arm64.zip",
                "terraform-provider-r53_0.2.0_manifest.json"
            ]
        );
        let msums = std::fs::read_to_string(dist.join(names::migrate_sums(&v))).unwrap();
        assert_eq!(msums.lines().count(), 2, "{msums}");
        assert!(dist.join("r53-migrate_0.2.0_SHA256SUMS.sig").is_file());

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
    fn sums_lines_are_checked_before_use() {
        let p = Path::new("SUMS");
        let h = "a".repeat(64);
        assert_eq!(
            parse_sums(p, &format!("{h}  x.zip\n")).unwrap(),
            [(h.clone(), "x.zip".to_string())]
        );
        for (text, why) in [
            (format!("{h} x.zip"), "not `<sha256>  <file>`"),
            (format!("{}  x.zip", "g".repeat(64)), "not a SHA-256 in hex"),
            (format!("{h}  ../x.zip"), "not a file name"),
            (format!("{h}  .hidden"), "not a file name"),
            (format!("{h}  x.zip\r"), "not a file name"),
            (format!("{h}  x\0.zip"), "not a file name"),
            (format!("{h}  x.zip\n{h}  x.zip"), "listed twice"),
        ] {
            let e = parse_sums(p, &text).unwrap_err().to_string();
            assert!(
                e.contains(why) && e.starts_with("SUMS: line"),
                "{text}: {e}"
            );
        }
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
