//! The provider installed the way users install it — from a release's filesystem mirror and from
//! its network mirror over HTTPS (a test CA through `SSL_CERT_FILE`), no `dev_overrides` — through
//! every Terraform on the machine. The archives are made by `r53-release` from the binaries under
//! test; the lock file Terraform writes must hold exactly the `h1:` r53-release computed, and a
//! zip that was swapped after the release must make `init` fail on its checksum.

use std::path::{Path, PathBuf};
use std::process::Command;

use r53_release::sign::GpgHome;
use r53_tests::https_files::HttpsFiles;
use r53_tests::*;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn built(name: &str) -> PathBuf {
    r53_lab::tools::provider_dir()
        .expect("workspace built")
        .join(name)
}

fn platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

fn zip_name() -> String {
    format!("terraform-provider-r53_{VERSION}_{}.zip", platform())
}

/// Runs a command that must succeed; its stdout.
fn ok(mut c: Command) -> String {
    let out = c.output().expect("run");
    assert!(
        out.status.success(),
        "{c:?} failed ({:?}):\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Terraform wraps its messages to the terminal's width: compare with whitespace collapsed.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `r53-release package` of `provider` (and r53-migrate when `migrate`) into `dist`.
fn package(dist: &Path, provider: &Path, migrate: bool) {
    let mut c = Command::new(built("r53-release"));
    c.args(["package", "--version", VERSION, "--dist"])
        .arg(dist)
        .arg("--provider")
        .arg(provider)
        .env_remove("SOURCE_DATE_EPOCH");
    if migrate {
        let root = r53_lab::tools::repo_root();
        c.arg("--migrate")
            .arg(built("r53-migrate"))
            .arg("--doc")
            .arg(root.join("README.md"))
            .arg("--doc")
            .arg(root.join("CHANGELOG.md"));
    }
    ok(c);
}

/// `r53-release finish` with a throwaway key (the environment's key is never used by tests).
fn finish(dist: &Path) -> String {
    let mut c = Command::new(built("r53-release"));
    c.args(["finish", "--version", VERSION, "--dist"])
        .arg(dist)
        .env_remove("R53_SIGNING_KEY");
    ok(c)
}

/// A finished release of the binaries under test (r53-migrate's archive too, so its checksums
/// are there to leak into the provider's if they did).
fn release() -> tempfile::TempDir {
    let top = tempfile::Builder::new()
        .prefix("r53-dist-")
        .tempdir()
        .unwrap();
    package(top.path(), &built("terraform-provider-r53"), true);
    finish(top.path());
    top
}

/// The (h1, zh) r53-release put in the network mirror's VERSION.json for this platform.
fn our_hashes(dist: &Path) -> (String, String) {
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dist.join(format!(
            "network-mirror/registry.terraform.io/r53/r53/{VERSION}.json"
        )))
        .unwrap(),
    )
    .unwrap();
    let hashes = &doc["archives"][platform()]["hashes"];
    (
        hashes[0].as_str().unwrap().to_string(),
        hashes[1].as_str().unwrap().to_string(),
    )
}

/// The version and sorted hashes the lock file holds for the provider at `source` (full address).
fn locked(tf: &Terraform, source: &str) -> (String, Vec<String>) {
    let text = std::fs::read_to_string(tf.path().join(".terraform.lock.hcl")).expect("lock file");
    let block = text
        .split(&format!("provider \"{source}\" {{"))
        .nth(1)
        .unwrap_or_else(|| panic!("{source} not in the lock file:\n{text}"));
    let version = block
        .lines()
        .find_map(|l| l.trim().strip_prefix("version"))
        .and_then(|l| l.split('"').nth(1))
        .expect("version line")
        .to_string();
    let mut hashes: Vec<String> = block
        .split("hashes = [")
        .nth(1)
        .and_then(|h| h.split(']').next())
        .expect("hashes")
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    hashes.sort();
    (version, hashes)
}

/// A zone and a record, with r53 from `source` (`r53/r53`, or a registry's own address).
fn config(zone: &str, source: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    r53 = {{ source = "{source}", version = "{VERSION}" }}
  }}
}}
provider "r53" {{}}

resource "r53_hosted_zone" "z" {{
  name          = "{zone}"
  force_destroy = true
}}

resource "r53_record" "www" {{
  zone_id = r53_hosted_zone.z.zone_id
  name    = "www.{zone}"
  type    = "A"
  ttl     = 60
  records = ["192.0.2.80"]
}}
"#
    )
}

/// A working directory with `zone`'s configuration that installs r53 from `source` by `cli` (a
/// CLI configuration), trusting `ca` for HTTPS.
fn installing(
    lab: &Lab,
    bin: TfBin,
    cli: &str,
    ca: Option<&Path>,
    zone: &str,
    source: &str,
) -> Terraform {
    let mut tf = lab.terraform(bin).unwrap();
    tf.set_cli_config(cli).unwrap();
    if let Some(ca) = ca {
        tf.set_env("SSL_CERT_FILE", &ca.display().to_string());
    }
    tf.write(&config(zone, source)).unwrap();
    tf
}

fn init_fails(tf: &Terraform) -> TfOutput {
    tf.run_fails(&["init", "-no-color", "-input=false"])
        .unwrap()
}

/// init succeeds and installs, from `source` (full address), the binary under test bit for bit.
fn init_installs(tf: &Terraform, source: &str) -> TfOutput {
    let init = tf.run_ok(&["init", "-no-color", "-input=false"]).unwrap();
    let installed = tf.path().join(format!(
        ".terraform/providers/{source}/{VERSION}/{}/terraform-provider-r53_v{VERSION}",
        platform()
    ));
    assert!(
        std::fs::read(&installed).expect("installed provider")
            == std::fs::read(built("terraform-provider-r53")).unwrap(),
        "{} is not the provider under test",
        installed.display()
    );
    init
}

/// From a mirror: init → the lock holds exactly our h1: → apply, plan, destroy.
fn install_from_mirror(lab: &Lab, tf: &Terraform, dist: &Path, zone: &str) {
    let init = init_installs(tf, "registry.terraform.io/r53/r53");
    assert!(
        init.stdout
            .contains(&format!("Installed r53/r53 v{VERSION}")),
        "{}",
        init.text()
    );
    let (h1, zh) = our_hashes(dist);
    assert!(h1.starts_with("h1:") && zh.starts_with("zh:"));
    // Mirrors are unsigned, so Terraform records only the h1: it computed from the package.
    assert_eq!(
        locked(tf, "registry.terraform.io/r53/r53"),
        (VERSION.to_string(), vec![h1])
    );
    apply_and_destroy(lab, tf, zone);
}

/// apply → empty plan → the record in the lab → destroy → the zone gone.
fn apply_and_destroy(lab: &Lab, tf: &Terraform, zone: &str) {
    tf.apply().unwrap();
    tf.assert_plan_empty().unwrap();
    let c = sdk(lab);
    let id = attr(&tf.resource("r53_hosted_zone.z").unwrap(), "zone_id");
    assert!(list_sets(lab, &c, &id)
        .iter()
        .any(|s| s.0 == format!("www.{zone}.") && s.4 == ["192.0.2.80"]));
    tf.destroy().unwrap();
    assert!(zone_gone(lab, &c, &id));
}

/// Replaces the zip at `at` with a well-formed release zip of a different binary (a swapped
/// package, not a truncated file).
fn swap_zip(at: &Path) {
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("terraform-provider-r53");
    let mut bytes = std::fs::read(built("terraform-provider-r53")).unwrap();
    bytes.extend_from_slice(b"\0tampered");
    std::fs::write(&bin, bytes).unwrap();
    let out = tmp.path().join("dist");
    package(&out, &bin, false);
    std::fs::copy(out.join(zip_name()), at).unwrap();
}

fn filesystem_mirror(bin: TfBin, zone: &str) {
    let dist = release();
    let mirror = dist.path().join("filesystem-mirror");
    let lab = lab();
    let cli = format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"registry.terraform.io/r53/r53\"]\n  }}\n}}\n",
        mirror.display()
    );
    let tf = installing(&lab, bin, &cli, None, zone, "r53/r53");
    install_from_mirror(&lab, &tf, dist.path(), zone);

    // The zip swapped after the lock was written: a fresh install refuses it.
    swap_zip(
        &mirror
            .join("registry.terraform.io/r53/r53")
            .join(zip_name()),
    );
    std::fs::remove_dir_all(tf.path().join(".terraform")).unwrap();
    let o = init_fails(&tf);
    assert!(
        squash(&o.stderr).contains(
            "doesn't match any of the checksums previously recorded in the dependency lock file"
        ),
        "{}",
        o.text()
    );
    assert!(!tf.path().join(".terraform/providers").exists());
}

fn network_mirror(bin: TfBin, zone: &str) {
    let dist = release();
    let server = HttpsFiles::serve(&dist.path().join("network-mirror")).unwrap();
    let lab = lab();
    let cli = format!(
        "provider_installation {{\n  network_mirror {{\n    url     = \"{}\"\n    include = [\"registry.terraform.io/r53/r53\"]\n  }}\n}}\n",
        server.url
    );

    // Without the test CA the mirror's certificate is refused: TLS is really checked.
    let o = init_fails(&installing(&lab, bin.clone(), &cli, None, zone, "r53/r53"));
    assert!(o.stderr.contains("certificate"), "{}", o.text());

    let tf = installing(
        &lab,
        bin.clone(),
        &cli,
        Some(&server.ca_pem),
        zone,
        "r53/r53",
    );
    install_from_mirror(&lab, &tf, dist.path(), zone);
    let base = "/registry.terraform.io/r53/r53";
    for want in [
        format!("200 {base}/index.json"),
        format!("200 {base}/{VERSION}.json"),
        format!("200 {base}/{}", zip_name()),
    ] {
        assert!(
            server.requests().contains(&want),
            "{want} not in {:?}",
            server.requests()
        );
    }

    // A zip swapped on the mirror: a first install (no lock file) checks it against the
    // mirror's hashes and refuses it.
    swap_zip(
        &dist
            .path()
            .join("network-mirror/registry.terraform.io/r53/r53")
            .join(zip_name()),
    );
    let fresh = installing(&lab, bin, &cli, Some(&server.ca_pem), zone, "r53/r53");
    let o = init_fails(&fresh);
    assert!(
        squash(&o.stderr).contains("doesn't match") && o.stderr.contains("checksum"),
        "{}",
        o.text()
    );
    assert!(!fresh.path().join(".terraform.lock.hcl").exists());
}

/// The static registry tree served over HTTPS as `localhost:PORT`: Terraform finds the provider
/// through service discovery, checks the signature with the key the download document carries
/// (the throwaway key, so "self-signed"), and locks both our h1: and the signed zh: hashes.
fn private_registry(bin: TfBin, zone: &str) {
    let dist = release();
    let server = HttpsFiles::serve(&dist.path().join("registry")).unwrap();
    let port = server
        .url
        .trim_start_matches("https://127.0.0.1:")
        .trim_end_matches('/');
    let source = format!("localhost:{port}/r53/r53");
    let lab = lab();
    let direct = "provider_installation {\n  direct {}\n}\n";
    let tf = installing(
        &lab,
        bin.clone(),
        direct,
        Some(&server.ca_pem),
        zone,
        &source,
    );
    let init = init_installs(&tf, &source);
    assert!(
        init.stdout.contains(&format!(
            "Installed {source} v{VERSION} (self-signed, key ID {})",
            key_id(&dist.path().join("signing-key.asc"))
        )),
        "{}",
        init.text()
    );
    // Terraform trusts, and locks, every line of the signed SHA256SUMS (the zip and the
    // manifest; r53-migrate's archive has its own list), plus the h1: it computed.
    let (h1, zh) = our_hashes(dist.path());
    let sums = std::fs::read_to_string(
        dist.path()
            .join(format!("terraform-provider-r53_{VERSION}_SHA256SUMS")),
    )
    .unwrap();
    let mut want: Vec<String> = sums
        .lines()
        .filter_map(|l| l.split_once("  "))
        .map(|(h, _)| format!("zh:{h}"))
        .chain([h1])
        .collect();
    want.sort();
    assert!(want.contains(&zh) && want.len() == 3, "{want:?}");
    assert_eq!(locked(&tf, &source), (VERSION.to_string(), want));
    // The download document's SHA-256 is the one Terraform checks the archive against below.
    apply_and_destroy(&lab, &tf, zone);

    // A swapped zip on the registry: its SHA-256 no longer matches the signed SHA256SUMS.
    swap_zip(
        &dist
            .path()
            .join(format!("registry/v1/providers/r53/r53/{VERSION}"))
            .join(zip_name()),
    );
    let o = init_fails(&installing(
        &lab,
        bin,
        direct,
        Some(&server.ca_pem),
        zone,
        &source,
    ));
    assert!(
        squash(&o.stderr).contains("archive has incorrect checksum")
            && squash(&o.stderr).contains(&format!("(expected {zh})")),
        "{}",
        o.text()
    );
}

/// The long key ID (last 16 hex digits of the fingerprint) of the armored key in `key`, as gpg
/// itself reads it.
fn key_id(key: &Path) -> String {
    let home = GpgHome::new().unwrap();
    let mut c = Command::new("gpg");
    c.arg("--homedir")
        .arg(home.path())
        .args(["--batch", "--with-colons", "--show-keys"])
        .arg(key);
    let fpr = ok(c)
        .lines()
        .find_map(|l| l.strip_prefix("fpr:"))
        .and_then(|l| l.split(':').find(|f| f.len() == 40))
        .map(str::to_string)
        .expect("fingerprint");
    fpr.chars().skip(24).collect()
}

#[test]
fn private_registry_checks_the_signature() {
    private_registry(TfBin::Lib, "registry-e2e.test");
}

#[test]
fn private_registry_older_terraform() {
    if let Some(bin) = older_terraform() {
        private_registry(bin, "registry-old.test");
    }
}

#[test]
fn filesystem_mirror_installs_locks_and_refuses_a_swapped_zip() {
    filesystem_mirror(TfBin::Lib, "fs-mirror.test");
}

#[test]
fn filesystem_mirror_older_terraform() {
    if let Some(bin) = older_terraform() {
        filesystem_mirror(bin, "fs-mirror-old.test");
    }
}

#[test]
fn network_mirror_over_https_installs_locks_and_refuses_a_swapped_zip() {
    network_mirror(TfBin::Lib, "net-mirror.test");
}

#[test]
fn network_mirror_older_terraform() {
    if let Some(bin) = older_terraform() {
        network_mirror(bin, "net-mirror-old.test");
    }
}

/// The release files themselves: the same binaries give the same archive bytes (another dist,
/// another source mtime); SHA256SUMS checks with `sha256sum -c`; the signature verifies with
/// `gpg` and the shipped public key alone; r53-migrate's archive holds the binary, completions
/// and man pages; `r53-release verify` agrees.
#[test]
fn release_archives_are_reproducible_signed_and_complete() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    package(a.path(), &built("terraform-provider-r53"), true);
    // The same provider bytes under another name and mtime.
    let copy = b.path().join("provider-copy");
    std::fs::copy(built("terraform-provider-r53"), &copy).unwrap();
    ok({
        let mut c = Command::new("touch");
        c.args(["-d", "2001-02-03 04:05:06"]).arg(&copy);
        c
    });
    let dist_b = b.path().join("dist");
    package(&dist_b, &copy, true);
    let tgz = format!("r53-migrate_{VERSION}_{}.tar.gz", platform());
    for f in [zip_name(), tgz.clone()] {
        assert!(
            std::fs::read(a.path().join(&f)).unwrap() == std::fs::read(dist_b.join(&f)).unwrap(),
            "{f} differs between two packagings of the same binaries"
        );
    }

    let out = finish(a.path());
    assert!(out.contains(&zip_name()), "{out}");
    let sums = format!("terraform-provider-r53_{VERSION}_SHA256SUMS");
    let migrate_sums = format!("r53-migrate_{VERSION}_SHA256SUMS");
    let check = |list: &str| {
        let mut c = Command::new("sha256sum");
        c.arg("-c").arg(list).current_dir(a.path());
        ok(c)
    };
    // The provider's list holds only the provider's files (Terraform trusts every line of it).
    assert_eq!(
        check(&sums),
        format!(
            "{}: OK\nterraform-provider-r53_{VERSION}_manifest.json: OK\n",
            zip_name()
        )
    );
    assert_eq!(check(&migrate_sums), format!("{tgz}: OK\n"));
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            a.path()
                .join(format!("terraform-provider-r53_{VERSION}_manifest.json")),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        manifest,
        serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["5.0"]}})
    );

    // gpg itself, in a home holding only the shipped public key (its agent stopped on drop).
    let home = GpgHome::new().unwrap();
    let gpg = |args: &[&str]| {
        let mut c = Command::new("gpg");
        c.arg("--homedir")
            .arg(home.path())
            .arg("--batch")
            .args(args)
            .current_dir(a.path());
        c
    };
    ok(gpg(&["--import", "signing-key.asc"]));
    for list in [&sums, &migrate_sums] {
        let verified = gpg(&["--verify", &format!("{list}.sig"), list])
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&verified.stderr);
        assert!(
            verified.status.success() && said.contains("Good signature"),
            "{list}: {said}"
        );
    }
    // A changed SHA256SUMS no longer verifies.
    let mut text = std::fs::read_to_string(a.path().join(&sums)).unwrap();
    text.push_str("0000000000000000000000000000000000000000000000000000000000000000  extra.zip\n");
    std::fs::write(a.path().join("changed"), text).unwrap();
    let bad = gpg(&["--verify", &format!("{sums}.sig"), "changed"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    std::fs::remove_file(a.path().join("changed")).unwrap();

    let listing = ok({
        let mut c = Command::new("tar");
        c.arg("-tvzf").arg(a.path().join(&tgz));
        c
    });
    let dir = format!("r53-migrate_{VERSION}_{}", platform());
    for want in [
        "-rwxr-xr-x root/root".to_string(),
        format!("{dir}/r53-migrate"),
        format!("{dir}/complete/r53-migrate.bash"),
        format!("{dir}/complete/_r53-migrate"),
        format!("{dir}/complete/r53-migrate.fish"),
        format!("{dir}/man/r53-migrate.1"),
        format!("{dir}/README.md"),
        format!("{dir}/CHANGELOG.md"),
    ] {
        assert!(listing.contains(&want), "{want} not in\n{listing}");
    }

    let v = ok({
        let mut c = Command::new(built("r53-release"));
        c.args(["verify", "--version", VERSION, "--dist"])
            .arg(a.path());
        c
    });
    assert!(v.starts_with("ok: 3 files match SHA256SUMS"), "{v}");

    // A release file no list names (another platform's zip dropped in after `finish`) is named.
    let stray = format!("terraform-provider-r53_{VERSION}_linux_arm64.zip");
    std::fs::copy(a.path().join(zip_name()), a.path().join(&stray)).unwrap();
    let mut c = Command::new(built("r53-release"));
    c.args(["verify", "--version", VERSION, "--dist"])
        .arg(a.path());
    let out = c.output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code() == Some(1) && said.contains(&format!("{stray} is in")),
        "{said}"
    );
}
