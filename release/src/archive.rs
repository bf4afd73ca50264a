//! Archives whose bytes depend only on their entries: names in sorted order, one fixed
//! timestamp, fixed modes and owners, no host-dependent extra fields — so the same sources give
//! the same zip and tar.gz bytes on every run.

use std::io::Write;
use std::path::Path;

use crate::error::{io, Error, Result};
use crate::names::Epoch;

/// One file to put in an archive.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Path inside the archive, `/`-separated, relative.
    pub name: String,
    pub data: Vec<u8>,
    /// Unix permission bits (0o755 for executables, 0o644 otherwise).
    pub mode: u32,
}

impl Entry {
    pub fn file(name: impl Into<String>, data: Vec<u8>) -> Entry {
        Entry {
            name: name.into(),
            data,
            mode: 0o644,
        }
    }
    pub fn executable(name: impl Into<String>, data: Vec<u8>) -> Entry {
        Entry {
            name: name.into(),
            data,
            mode: 0o755,
        }
    }
}

fn sorted(entries: &[Entry]) -> Vec<&Entry> {
    let mut v: Vec<&Entry> = entries.iter().collect();
    v.sort_by(|a, b| a.name.cmp(&b.name));
    v
}

fn zip_err(path: &Path) -> impl FnOnce(zip::result::ZipError) -> Error + '_ {
    move |e| Error::Zip {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Writes a zip of `entries` (deflated, level 6) at `out`, replacing it.
pub fn write_zip(out: &Path, entries: &[Entry], epoch: Epoch) -> Result<()> {
    let (y, mo, d, h, mi, s) = epoch.civil();
    let time = zip::DateTime::from_date_and_time(y, mo, d, h, mi, s).map_err(|_| {
        Error::BadEpoch(epoch.0.to_string(), "not representable as a zip timestamp")
    })?;
    let tmp = out.with_extension("zip.partial");
    let file = std::fs::File::create(&tmp).map_err(io(&tmp))?;
    let mut w = zip::ZipWriter::new(file);
    for e in sorted(entries) {
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(6))
            .last_modified_time(time)
            .unix_permissions(e.mode);
        w.start_file(e.name.as_str(), opts).map_err(zip_err(out))?;
        w.write_all(&e.data).map_err(io(out))?;
    }
    w.finish().map_err(zip_err(out))?;
    // Renamed into place only when whole: an interrupted run never leaves a zip that looks done.
    std::fs::rename(&tmp, out).map_err(io(out))
}

/// Writes a gzip'd tar of `entries` under one top directory `dir` at `out`, replacing it. Owner
/// root:root (uid/gid 0), and a gzip header with no name and time 0.
pub fn write_tar_gz(out: &Path, dir: &str, entries: &[Entry], epoch: Epoch) -> Result<()> {
    let tmp = out.with_extension("gz.partial");
    let file = std::fs::File::create(&tmp).map_err(io(&tmp))?;
    let gz = flate2::GzBuilder::new()
        .mtime(0)
        .write(file, flate2::Compression::new(6));
    let mut tar = tar::Builder::new(gz);
    let header = |name: &str, size: u64, mode: u32, kind: tar::EntryType| {
        let mut h = tar::Header::new_ustar();
        h.set_entry_type(kind);
        h.set_size(size);
        h.set_mode(mode);
        h.set_mtime(epoch.0);
        h.set_uid(0);
        h.set_gid(0);
        h.set_username("root")?;
        h.set_groupname("root")?;
        h.set_path(name).map(|()| h)
    };
    let mut dirs: Vec<String> = vec![format!("{dir}/")];
    for e in sorted(entries) {
        // Every parent directory gets its own entry, once, before its files.
        let mut parent = String::new();
        for part in e
            .name
            .split('/')
            .collect::<Vec<_>>()
            .split_last()
            .map_or(&[][..], |(_, p)| p)
        {
            parent.push_str(part);
            parent.push('/');
            let d = format!("{dir}/{parent}");
            if !dirs.contains(&d) {
                dirs.push(d);
            }
        }
    }
    dirs.sort();
    for d in &dirs {
        let mut h = header(d, 0, 0o755, tar::EntryType::Directory).map_err(io(out))?;
        h.set_cksum();
        tar.append(&h, std::io::empty()).map_err(io(out))?;
    }
    for e in sorted(entries) {
        let name = format!("{dir}/{}", e.name);
        let mut h =
            header(&name, e.data.len() as u64, e.mode, tar::EntryType::Regular).map_err(io(out))?;
        h.set_cksum();
        tar.append(&h, e.data.as_slice()).map_err(io(out))?;
    }
    let gz = tar.into_inner().map_err(io(out))?;
    let file = gz.finish().map_err(io(out))?;
    file.sync_all().map_err(io(out))?;
    std::fs::rename(&tmp, out).map_err(io(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Vec<Entry> {
        vec![
            Entry::file("b.txt", b"second".to_vec()),
            Entry::executable("a-tool", vec![7u8; 100_000]),
            Entry::file("sub/c.1", b".TH C 1".to_vec()),
        ]
    }

    #[test]
    fn zip_bytes_depend_only_on_entries() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.zip"), dir.path().join("b.zip"));
        write_zip(&a, &entries(), Epoch::ZIP_MIN).unwrap();
        let mut reversed = entries();
        reversed.reverse();
        write_zip(&b, &reversed, Epoch::ZIP_MIN).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        write_zip(&b, &entries(), Epoch(1_796_649_550)).unwrap();
        assert_ne!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());

        // What is inside: names in order, the executable bit, the timestamp.
        let mut z = zip::ZipArchive::new(std::fs::File::open(&b).unwrap()).unwrap();
        let names: Vec<String> = z.file_names().map(|n| n.unwrap().into_owned()).collect();
        assert_eq!(names, ["a-tool", "b.txt", "sub/c.1"]);
        let f = z.by_name("a-tool").unwrap();
        assert_eq!(f.unix_mode().map(|m| m & 0o777), Some(0o755));
        let t = f.last_modified().unwrap();
        assert_eq!((t.year(), t.month(), t.day(), t.hour()), (2026, 12, 7, 13));
        assert!(!dir.path().join("a.zip.partial").exists());
    }

    #[test]
    fn tar_gz_bytes_depend_only_on_entries() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.tar.gz"), dir.path().join("b.tar.gz"));
        write_tar_gz(&a, "top", &entries(), Epoch::ZIP_MIN).unwrap();
        let mut reversed = entries();
        reversed.reverse();
        write_tar_gz(&b, "top", &reversed, Epoch::ZIP_MIN).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());

        let gz = flate2::read::GzDecoder::new(std::fs::File::open(&a).unwrap());
        let mut t = tar::Archive::new(gz);
        let mut seen = Vec::new();
        for e in t.entries().unwrap() {
            let e = e.unwrap();
            let h = e.header();
            seen.push((
                e.path().unwrap().display().to_string(),
                h.mode().unwrap(),
                h.mtime().unwrap(),
                h.uid().unwrap(),
            ));
        }
        let m = Epoch::ZIP_MIN.0;
        assert_eq!(
            seen,
            [
                ("top/".into(), 0o755, m, 0),
                ("top/sub/".into(), 0o755, m, 0),
                ("top/a-tool".into(), 0o755, m, 0),
                ("top/b.txt".into(), 0o644, m, 0),
                ("top/sub/c.1".into(), 0o644, m, 0),
            ]
        );
    }
}
