//! Small file helpers every step shares: bounded reads of the documents a release holds, and JSON
//! written the same way everywhere (pretty, trailing newline, parent directories made).

use std::io::Read;
use std::path::Path;

use serde::Serialize;

use crate::error::{io, Error, Result};

/// The JSON documents and checksum lists a release holds are a few kilobytes; more is not ours.
pub const MAX_DOCUMENT_BYTES: u64 = 1 << 20;

/// A document read as text, refused over [`MAX_DOCUMENT_BYTES`].
pub fn read_document(path: &Path) -> Result<String> {
    let f = std::fs::File::open(path).map_err(io(path))?;
    let mut text = String::new();
    f.take(MAX_DOCUMENT_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(io(path))?;
    if text.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(Error::Limit {
            path: path.to_path_buf(),
            what: "the document".into(),
            limit: MAX_DOCUMENT_BYTES,
        });
    }
    Ok(text)
}

/// A JSON document read with [`read_document`].
pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    serde_json::from_str(&read_document(path)?).map_err(|e| Error::Invalid {
        path: path.to_path_buf(),
        message: format!("not the expected JSON document: {e}"),
    })
}

/// Writes `value` as pretty JSON with a final newline, making parent directories.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let mut text = serde_json::to_string_pretty(value).map_err(|e| Error::Invalid {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    text.push('\n');
    std::fs::write(path, text).map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_over_the_limit_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.json");
        std::fs::write(&p, vec![b' '; (MAX_DOCUMENT_BYTES + 1) as usize]).unwrap();
        let e = read_document(&p).unwrap_err().to_string();
        assert!(
            e.contains("big.json") && e.contains("over the limit of 1048576"),
            "{e}"
        );
        std::fs::write(&p, "[1,").unwrap();
        let e = read_json::<serde_json::Value>(&p).unwrap_err().to_string();
        assert!(e.contains("not the expected JSON document"), "{e}");
    }
}
