//! Detached GPG signatures over SHA256SUMS, made with `gpg` in a private, temporary home so the
//! user's keyring is never read or changed. The key comes from the environment for a real release
//! (`R53_SIGNING_KEY`: an ASCII-armored secret key, `R53_SIGNING_KEY_PASSPHRASE` if it has one);
//! without it a throwaway key is generated and named as such in its user ID — fine for tests and
//! local mirrors, never for publication. The passphrase goes to gpg on stdin; the key is written
//! only inside the private home (0600) for the import and removed straight after; neither is left
//! in gpg's (or its agent's) environment.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::error::{Error, Result};

pub const KEY_ENV: &str = "R53_SIGNING_KEY";
pub const PASSPHRASE_ENV: &str = "R53_SIGNING_KEY_PASSPHRASE";
/// The throwaway key's user ID says what it is wherever the public key is shown.
pub const THROWAWAY_UID: &str =
    "r53 throwaway release key (tests only, not for publication) <release@r53.invalid>";

/// A signing key loaded into a temporary gpg home; the home (and its agent) goes away on drop.
pub struct Signer {
    home: GpgHome,
    fingerprint: String,
    passphrase: Option<String>,
    throwaway: bool,
}

/// A private temporary gpg home whose agent is stopped when it goes, on every path (gpg starts
/// one agent per home, and its sockets can outlive the directory).
pub struct GpgHome(tempfile::TempDir);

impl GpgHome {
    pub fn new() -> Result<GpgHome> {
        // Under /tmp, short: gpg-agent's socket path must fit in 108 bytes.
        use std::os::unix::fs::PermissionsExt;
        tempfile::Builder::new()
            .prefix("r53-gpg-")
            // gpg warns about (and some versions refuse) a home others can read.
            .permissions(std::fs::Permissions::from_mode(0o700))
            .tempdir_in("/tmp")
            .map(GpgHome)
            .map_err(|e| Error::Gpg {
                step: "home",
                message: e.to_string(),
            })
    }
    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

impl Drop for GpgHome {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(self.path())
            .args(["--kill", "all"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn gpg(home: &Path) -> Command {
    let mut c = Command::new("gpg");
    c.arg("--homedir")
        .arg(home)
        .args(["--batch", "--no-tty", "--quiet"])
        // The agent gpg starts inherits this environment and outlives the command.
        .env_remove(KEY_ENV)
        .env_remove(PASSPHRASE_ENV)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Runs gpg with `input` on stdin; its stdout on success, its stderr in the error otherwise.
fn run(step: &'static str, mut cmd: Command, input: Option<&[u8]>) -> Result<Vec<u8>> {
    if input.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let mut child = cmd.spawn().map_err(|e| Error::Gpg {
        step,
        message: format!("cannot run gpg ({e}); install GnuPG (`apt-get install gnupg`)"),
    })?;
    if let (Some(data), Some(mut stdin)) = (input, child.stdin.take()) {
        // A write error surfaces as gpg's own failure below.
        let _ = stdin.write_all(data);
    }
    let out = child.wait_with_output().map_err(|e| Error::Gpg {
        step,
        message: e.to_string(),
    })?;
    if !out.status.success() {
        return Err(Error::Gpg {
            step,
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(out.stdout)
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, data: &[u8]) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(crate::error::io(path))?;
    f.write_all(data).map_err(crate::error::io(path))
}

/// The fingerprint of the one secret (or public) key in `home`.
fn only_fingerprint(home: &Path, secret: bool) -> Result<String> {
    let mut c = gpg(home);
    c.args(["--with-colons", "--fingerprint"]);
    c.arg(if secret {
        "--list-secret-keys"
    } else {
        "--list-keys"
    });
    let out = run("list keys", c, None)?;
    let text = String::from_utf8_lossy(&out);
    // The first `fpr` record after a primary key (`sec`/`pub`) is the primary key's fingerprint.
    let mut fprs = Vec::new();
    let mut want = false;
    for line in text.lines() {
        let fields: Vec<&str> = line.split(':').collect();
        match fields.first() {
            Some(&"sec") | Some(&"pub") => want = true,
            Some(&"fpr") if want => {
                if let Some(f) = fields.get(9) {
                    fprs.push(f.to_string());
                }
                want = false;
            }
            _ => {}
        }
    }
    match fprs.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Error::Gpg {
            step: "list keys",
            message: "no key was imported".into(),
        }),
        many => Err(Error::Gpg {
            step: "list keys",
            message: format!("{} primary keys given; exactly one is needed", many.len()),
        }),
    }
}

impl Signer {
    /// The key from `R53_SIGNING_KEY`, or a throwaway one when it is unset (`require` refuses that).
    pub fn from_env(require: bool) -> Result<Signer> {
        match std::env::var(KEY_ENV) {
            Ok(armored) if !armored.trim().is_empty() => {
                Signer::import(armored.as_bytes(), std::env::var(PASSPHRASE_ENV).ok())
            }
            _ if require => Err(Error::Missing(format!(
                "{KEY_ENV} is not set: a release for publication needs its signing key \
                 (an ASCII-armored secret key)"
            ))),
            _ => Signer::throwaway(),
        }
    }

    /// Imports an armored secret key.
    pub fn import(armored: &[u8], passphrase: Option<String>) -> Result<Signer> {
        let home = GpgHome::new()?;
        // The key goes in as a file inside the private home (stdin carries the passphrase: gpg
        // may need it to re-protect the key for its agent), removed straight after.
        let file = home.path().join("import.asc");
        write_private(&file, armored)?;
        let mut c = gpg(home.path());
        c.args([
            "--pinentry-mode",
            "loopback",
            "--passphrase-fd",
            "0",
            "--import",
        ])
        .arg(&file);
        let pass = format!("{}\n", passphrase.as_deref().unwrap_or(""));
        let imported = run("import the signing key", c, Some(pass.as_bytes()));
        let _ = std::fs::remove_file(&file);
        imported?;
        let fingerprint = only_fingerprint(home.path(), true)?;
        Ok(Signer {
            home,
            fingerprint,
            passphrase,
            throwaway: false,
        })
    }

    /// A new RSA-3072 key with no passphrase, existing only for this run. RSA because Terraform's
    /// registry client verifies signatures with Go's openpgp, which knows RSA and DSA keys.
    pub fn throwaway() -> Result<Signer> {
        let home = GpgHome::new()?;
        let mut c = gpg(home.path());
        c.args(["--pinentry-mode", "loopback", "--passphrase", ""])
            .args([
                "--quick-generate-key",
                THROWAWAY_UID,
                "rsa3072",
                "sign",
                "never",
            ]);
        run("generate a throwaway key", c, None)?;
        let fingerprint = only_fingerprint(home.path(), true)?;
        Ok(Signer {
            home,
            fingerprint,
            passphrase: None,
            throwaway: true,
        })
    }

    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    pub fn is_throwaway(&self) -> bool {
        self.throwaway
    }

    /// Writes a binary detached signature of `file` to `sig` (the registry's `.sig` format).
    pub fn sign(&self, file: &Path, sig: &Path) -> Result<()> {
        let mut c = gpg(self.home.path());
        c.args([
            "--yes",
            "--pinentry-mode",
            "loopback",
            "--passphrase-fd",
            "0",
        ])
        // SHA-256 whatever the key prefers: Terraform's OpenPGP library refuses SHA-1.
        .args(["--digest-algo", "SHA256"])
        .args([
            "--local-user",
            &self.fingerprint,
            "--detach-sign",
            "--output",
        ])
        .arg(sig)
        .arg(file);
        let pass = format!("{}\n", self.passphrase.as_deref().unwrap_or(""));
        run("sign", c, Some(pass.as_bytes()))?;
        Ok(())
    }

    /// The ASCII-armored public key.
    pub fn public_key(&self) -> Result<String> {
        let mut c = gpg(self.home.path());
        c.args(["--armor", "--export", &self.fingerprint]);
        let out = run("export the public key", c, None)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

/// Verifies `sig` over `data` with the armored public key in `key` alone (a fresh gpg home, no
/// other trust); the signing key's fingerprint on success.
pub fn verify(key: &Path, sig: &Path, data: &Path) -> Result<String> {
    let home = GpgHome::new()?;
    let mut c = gpg(home.path());
    c.arg("--import").arg(key);
    run("import the public key", c, None)?;
    let fingerprint = only_fingerprint(home.path(), false)?;
    let mut c = gpg(home.path());
    c.args(["--status-fd", "1", "--verify"]).arg(sig).arg(data);
    let out = run("verify the signature", c, None)?;
    let status = String::from_utf8_lossy(&out);
    let valid = status
        .lines()
        .any(|l| l.starts_with("[GNUPG:] VALIDSIG ") && l.contains(&fingerprint));
    if !valid {
        return Err(Error::Gpg {
            step: "verify the signature",
            message: format!("no valid signature by {fingerprint}"),
        });
    }
    Ok(fingerprint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throwaway_signature_verifies_and_a_changed_file_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let (data, sig, key) = (
            dir.path().join("SUMS"),
            dir.path().join("SUMS.sig"),
            dir.path().join("key.asc"),
        );
        std::fs::write(&data, "abc  file.zip\n").unwrap();
        let s = Signer::throwaway().unwrap();
        assert!(s.is_throwaway());
        s.sign(&data, &sig).unwrap();
        let public = s.public_key().unwrap();
        assert!(public.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
        assert!(!public.contains("PRIVATE"));
        std::fs::write(&key, public).unwrap();
        assert_eq!(verify(&key, &sig, &data).unwrap(), s.fingerprint());

        std::fs::write(&data, "abd  file.zip\n").unwrap();
        let e = verify(&key, &sig, &data).unwrap_err().to_string();
        assert!(e.contains("verify the signature"), "{e}");
    }

    #[test]
    fn imported_key_with_passphrase_signs() {
        // A protected key made in its own home, exported the way a CI secret holds it.
        let src = GpgHome::new().unwrap();
        let mut c = gpg(src.path());
        c.args(["--pinentry-mode", "loopback", "--passphrase", "s3cret"])
            .args([
                "--quick-generate-key",
                "r53 test <t@r53.invalid>",
                "rsa2048",
                "sign",
                "never",
            ]);
        run("generate", c, None).unwrap();
        let mut c = gpg(src.path());
        c.args(["--pinentry-mode", "loopback", "--passphrase", "s3cret"])
            .args(["--armor", "--export-secret-keys"]);
        let armored = run("export", c, None).unwrap();
        drop(src);

        let dir = tempfile::tempdir().unwrap();
        let (data, sig, key) = (
            dir.path().join("SUMS"),
            dir.path().join("SUMS.sig"),
            dir.path().join("key.asc"),
        );
        std::fs::write(&data, "x").unwrap();
        let wrong = Signer::import(&armored, Some("wrong".into())).unwrap();
        assert!(wrong.sign(&data, &sig).is_err());
        let s = Signer::import(&armored, Some("s3cret".into())).unwrap();
        assert!(!s.is_throwaway());
        s.sign(&data, &sig).unwrap();
        std::fs::write(&key, s.public_key().unwrap()).unwrap();
        assert_eq!(verify(&key, &sig, &data).unwrap(), s.fingerprint());
    }
}
