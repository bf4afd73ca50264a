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
/// name as stored, directories included.
pub fn h1(zip: &Path) -> Result<String> {
    let zerr = |e: zip::result::ZipError| Error::Zip {
        path: zip.to_path_buf(),
        message: e.to_string(),
    };
    let file = std::fs::File::open(zip).map_err(io(zip))?;
    let mut z = zip::ZipArchive::new(file).map_err(zerr)?;
    if z.len() > MAX_ENTRIES {
        return Err(Error::Invalid {
            path: zip.to_path_buf(),
            message: format!("{} entries, more than the limit of {MAX_ENTRIES}", z.len()),
        });
    }
    let mut lines: Vec<(String, String)> = Vec::with_capacity(z.len());
    for i in 0..z.len() {
        let entry = z.by_index(i).map_err(zerr)?;
        let name = entry.name().map_err(zerr)?.into_owned();
        if name.contains('\n') {
            return Err(Error::BadEntryName {
                path: zip.to_path_buf(),
                name,
            });
        }
        let mut h = Sha256::new();
        let copied =
            std::io::copy(&mut entry.take(MAX_ENTRY_BYTES + 1), &mut h).map_err(io(zip))?;
        if copied > MAX_ENTRY_BYTES {
            return Err(Error::Invalid {
                path: zip.to_path_buf(),
                message: format!("entry {name:?} is over the limit of {MAX_ENTRY_BYTES} bytes"),
            });
        }
        lines.push((name, hex::encode(h.finalize())));
    }
    Ok(h1_of(lines))
}

/// `h1:` of a directory of files (an unpacked package, as `make install` lays it out).
pub fn h1_dir(dir: &Path) -> Result<String> {
    let mut lines = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).map_err(io(&d))? {
            let e = e.map_err(io(&d))?;
            let p = e.path();
            if e.file_type().map_err(io(&p))?.is_dir() {
                stack.push(p);
                continue;
            }
            if lines.len() >= MAX_ENTRIES {
                return Err(Error::Invalid {
                    path: dir.to_path_buf(),
                    message: format!("more than the limit of {MAX_ENTRIES} files"),
                });
            }
            let rel = p.strip_prefix(dir).unwrap_or(&p);
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let mut h = Sha256::new();
            let mut f = std::fs::File::open(&p).map_err(io(&p))?;
            let mut limited = (&mut f).take(MAX_ENTRY_BYTES + 1);
            if std::io::copy(&mut limited, &mut h).map_err(io(&p))? > MAX_ENTRY_BYTES {
                return Err(Error::Invalid {
                    path: p,
                    message: format!("over the limit of {MAX_ENTRY_BYTES} bytes"),
                });
            }
            lines.push((name, hex::encode(h.finalize())));
        }
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
        assert_eq!(h1_dir(&unpacked).unwrap(), want);

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
    fn not_a_zip_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.zip");
        std::fs::write(&p, b"PK\x03\x04 not really").unwrap();
        let e = h1(&p).unwrap_err().to_string();
        assert!(e.contains("bad.zip"), "{e}");
    }
}
