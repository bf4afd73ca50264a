//! The release layer's error: every variant names the file or input it is about.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("version {0:?} is not a semantic version (MAJOR.MINOR.PATCH, optionally -PRERELEASE)")]
    BadVersion(String),
    #[error("platform {0:?} is not OS_ARCH in Terraform's spelling (e.g. linux_amd64)")]
    BadPlatform(String),
    #[error("provider source {0:?} is not HOSTNAME/NAMESPACE/r53 (the binary is terraform-provider-r53)")]
    BadSource(String),
    #[error("SOURCE_DATE_EPOCH {0:?}: {1}")]
    BadEpoch(String, &'static str),
    #[error("{path}: zip: {message}")]
    Zip { path: PathBuf, message: String },
    #[error("{path}: file name {name:?} cannot be hashed (a newline in a name)")]
    BadEntryName { path: PathBuf, name: String },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("gpg {step}: {message}")]
    Gpg { step: &'static str, message: String },
    #[error("{file}: {what} is {found}, expected {expected}")]
    Mismatch {
        file: String,
        what: &'static str,
        found: String,
        expected: String,
    },
    #[error("{path}: {what} over the limit of {limit}")]
    Limit {
        path: PathBuf,
        what: String,
        limit: u64,
    },
    #[error("{0}")]
    Missing(String),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Attaches the path to an I/O error.
pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}
