//! Validated release inputs (version, platform, provider source, timestamp) and every file name
//! they give, in the registry's spelling. All checks happen here, before any file is touched.

use crate::error::{Error, Result};

/// The provider's type: its binary is `terraform-provider-r53`.
pub const PROVIDER_TYPE: &str = "r53";
/// The armored public key beside the signature.
pub const SIGNING_KEY_FILE: &str = "signing-key.asc";
/// Where the two mirror trees go inside `dist/`.
pub const FILESYSTEM_MIRROR_DIR: &str = "filesystem-mirror";
pub const NETWORK_MIRROR_DIR: &str = "network-mirror";
/// The static provider-registry tree inside `dist/`.
pub const REGISTRY_DIR: &str = "registry";
/// The plugin protocol the provider speaks, for the manifest.
pub const PROTOCOL_VERSIONS: &[&str] = &["5.0"];

/// A semantic version without a leading `v` (Terraform's registry refuses anything else).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version(String);

impl Version {
    pub fn parse(s: &str) -> Result<Version> {
        let bad = || Error::BadVersion(s.to_string());
        if s.len() > 64 {
            return Err(bad());
        }
        let (core, pre) = match s.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (s, None),
        };
        let parts: Vec<&str> = core.split('.').collect();
        let numeric = |p: &&str| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
        };
        if parts.len() != 3 || !parts.iter().all(numeric) {
            return Err(bad());
        }
        if let Some(pre) = pre {
            let ident = |i: &str| {
                !i.is_empty() && i.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            };
            if !pre.split('.').all(ident) {
                return Err(bad());
            }
        }
        Ok(Version(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `OS_ARCH` as Terraform spells platforms (`linux_amd64`, `darwin_arm64`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Platform(String);

impl Platform {
    pub fn parse(s: &str) -> Result<Platform> {
        let ok = s.len() <= 32
            && s.split_once('_').is_some_and(|(os, arch)| {
                let word = |w: &str| {
                    !w.is_empty()
                        && w.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                };
                word(os) && word(arch)
            });
        if ok {
            Ok(Platform(s.to_string()))
        } else {
            Err(Error::BadPlatform(s.to_string()))
        }
    }

    /// The machine this runs on, in Terraform's spelling; None where Terraform has no name for it.
    pub fn host() -> Option<Platform> {
        let os = match std::env::consts::OS {
            "linux" | "freebsd" | "openbsd" | "windows" | "solaris" => std::env::consts::OS,
            "macos" => "darwin",
            _ => return None,
        };
        let arch = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "arm" => "arm",
            _ => return None,
        };
        Some(Platform(format!("{os}_{arch}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where Terraform finds the provider: `HOSTNAME/NAMESPACE/r53` (the mirror trees are laid out by it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub hostname: String,
    pub namespace: String,
}

impl Source {
    pub fn parse(s: &str) -> Result<Source> {
        let bad = || Error::BadSource(s.to_string());
        let parts: Vec<&str> = s.split('/').collect();
        let [hostname, namespace, ty] = parts.as_slice() else {
            return Err(bad());
        };
        // A DNS label: letters, digits, inner hyphens (Terraform's namespaces are the same).
        let label = |w: &str| {
            !w.is_empty()
                && w.len() <= 63
                && !w.starts_with('-')
                && !w.ends_with('-')
                && w.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        let (host, port) = match hostname.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (*hostname, None),
        };
        let host_ok = host.len() <= 253 && host.split('.').all(label);
        let port_ok = port
            .is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
        if *ty != PROVIDER_TYPE || !host_ok || !port_ok || !label(namespace) {
            return Err(bad());
        }
        Ok(Source {
            hostname: hostname.to_ascii_lowercase(),
            namespace: namespace.to_ascii_lowercase(),
        })
    }

    /// `HOSTNAME/NAMESPACE/r53`, the directory both mirror layouts use.
    pub fn dir(&self) -> String {
        format!("{}/{}/{PROVIDER_TYPE}", self.hostname, self.namespace)
    }
}

impl Default for Source {
    fn default() -> Source {
        Source {
            hostname: "registry.terraform.io".into(),
            namespace: "r53".into(),
        }
    }
}

/// The timestamp every archive entry carries: `SOURCE_DATE_EPOCH` when set (the Makefile sets the
/// commit's time), else 1980-01-01, the earliest a zip can hold. Never the files' own mtimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Epoch(pub u64);

impl Epoch {
    /// 1980-01-01T00:00:00Z.
    pub const ZIP_MIN: Epoch = Epoch(315_532_800);
    /// 2107-12-31T23:59:58Z, the latest a zip's DOS time can hold.
    const ZIP_MAX: u64 = 4_354_819_198;

    pub fn parse(s: &str) -> Result<Epoch> {
        let n: u64 = s
            .trim()
            .parse()
            .map_err(|_| Error::BadEpoch(s.to_string(), "not a whole number of seconds"))?;
        if !(Self::ZIP_MIN.0..=Self::ZIP_MAX).contains(&n) {
            return Err(Error::BadEpoch(
                s.to_string(),
                "outside 1980-01-01 .. 2107-12-31, what a zip timestamp can hold",
            ));
        }
        Ok(Epoch(n))
    }

    /// (year, month, day, hour, minute, second) in UTC.
    pub fn civil(self) -> (u16, u8, u8, u8, u8, u8) {
        let days = self.0 / 86_400;
        let secs = self.0 % 86_400;
        // Howard Hinnant's civil_from_days, for days since 1970-01-01 (never negative here).
        let z = days + 719_468;
        let era = z / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + u64::from(month <= 2);
        // The ranges are bounded by ZIP_MAX, so the narrowing cannot truncate.
        (
            year as u16,
            month as u8,
            day as u8,
            (secs / 3600) as u8,
            (secs % 3600 / 60) as u8,
            (secs % 60) as u8,
        )
    }
}

pub fn provider_zip(v: &Version, p: &Platform) -> String {
    format!(
        "terraform-provider-{PROVIDER_TYPE}_{}_{}.zip",
        v.as_str(),
        p.as_str()
    )
}

/// The executable inside the zip (Terraform's naming: `terraform-provider-TYPE_vVERSION`).
pub fn provider_exe(v: &Version) -> String {
    format!("terraform-provider-{PROVIDER_TYPE}_v{}", v.as_str())
}

pub fn sums(v: &Version) -> String {
    format!(
        "terraform-provider-{PROVIDER_TYPE}_{}_SHA256SUMS",
        v.as_str()
    )
}

pub fn sums_sig(v: &Version) -> String {
    format!("{}.sig", sums(v))
}

pub fn manifest(v: &Version) -> String {
    format!(
        "terraform-provider-{PROVIDER_TYPE}_{}_manifest.json",
        v.as_str()
    )
}

/// r53-migrate's own checksums: the provider's SHA256SUMS lists only the provider's files, because
/// Terraform trusts every line of it as a hash of the provider.
pub fn migrate_sums(v: &Version) -> String {
    format!("r53-migrate_{}_SHA256SUMS", v.as_str())
}

pub fn migrate_archive(v: &Version, p: &Platform) -> String {
    format!("{}.tar.gz", migrate_dir(v, p))
}

/// The one directory inside the r53-migrate archive.
pub fn migrate_dir(v: &Version, p: &Platform) -> String {
    format!("r53-migrate_{}_{}", v.as_str(), p.as_str())
}

/// The platform of a provider zip of version `v` named `name`, if it is one.
pub fn zip_platform(v: &Version, name: &str) -> Option<Platform> {
    let prefix = format!("terraform-provider-{PROVIDER_TYPE}_{}_", v.as_str());
    let rest = name.strip_prefix(&prefix)?.strip_suffix(".zip")?;
    Platform::parse(rest).ok()
}

/// The platform of an r53-migrate archive of version `v` named `name`, if it is one.
pub fn migrate_platform(v: &Version, name: &str) -> Option<Platform> {
    let prefix = format!("r53-migrate_{}_", v.as_str());
    let rest = name.strip_prefix(&prefix)?.strip_suffix(".tar.gz")?;
    Platform::parse(rest).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        for ok in ["0.2.0", "1.10.3", "2.0.0-rc.1", "0.0.1-alpha-2"] {
            assert_eq!(Version::parse(ok).unwrap().as_str(), ok);
        }
        for bad in [
            "v0.2.0",
            "0.2",
            "0.2.0.1",
            "01.2.3",
            "1.2.3-",
            "1.2.3-a..b",
            "1.2.x",
            "",
        ] {
            let e = Version::parse(bad).unwrap_err().to_string();
            assert!(e.contains("not a semantic version"), "{bad}: {e}");
        }
    }

    #[test]
    fn platforms_and_names() {
        let v = Version::parse("0.2.0").unwrap();
        let p = Platform::parse("linux_amd64").unwrap();
        assert_eq!(
            provider_zip(&v, &p),
            "terraform-provider-r53_0.2.0_linux_amd64.zip"
        );
        assert_eq!(provider_exe(&v), "terraform-provider-r53_v0.2.0");
        assert_eq!(sums_sig(&v), "terraform-provider-r53_0.2.0_SHA256SUMS.sig");
        assert_eq!(zip_platform(&v, &provider_zip(&v, &p)), Some(p.clone()));
        assert_eq!(
            zip_platform(&v, "terraform-provider-r53_0.2.1_linux_amd64.zip"),
            None
        );
        assert_eq!(
            migrate_platform(&v, &migrate_archive(&v, &p)),
            Some(p.clone())
        );
        for bad in ["linux", "Linux_amd64", "linux_amd64/..", "_amd64", "linux_"] {
            assert!(Platform::parse(bad).is_err(), "{bad}");
        }
        assert!(Platform::host().is_some());
    }

    #[test]
    fn sources() {
        let s = Source::parse("Registry.Example.com:8443/Acme/r53").unwrap();
        assert_eq!(s.dir(), "registry.example.com:8443/acme/r53");
        assert_eq!(Source::default().dir(), "registry.terraform.io/r53/r53");
        assert!(Source::parse("localhost:8443/ns-1/r53").is_ok());
        for bad in [
            "r53/r53",
            "a/b/aws",
            "a/../r53",
            "a/b/r53/x",
            "/b/r53",
            "../x/r53",
            "./x/r53",
            "a..b/x/r53",
            "x:/n/r53",
            "x:80:90/n/r53",
            "-x.com/n/r53",
            "x.com/n_s/r53",
        ] {
            assert!(Source::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn epochs() {
        assert_eq!(Epoch::ZIP_MIN.civil(), (1980, 1, 1, 0, 0, 0));
        // 2026-12-07T13:19:10Z
        assert_eq!(Epoch(1_796_649_550).civil(), (2026, 12, 7, 13, 19, 10));
        assert_eq!(Epoch(951_782_400).civil(), (2000, 2, 29, 0, 0, 0));
        assert_eq!(
            Epoch::parse("4354819198").unwrap().civil(),
            (2107, 12, 31, 23, 59, 58)
        );
        for bad in ["x", "-1", "0", "4354819199"] {
            assert!(Epoch::parse(bad).is_err(), "{bad}");
        }
    }
}
