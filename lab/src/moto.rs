//! moto server as the AWS emulator, on a free loopback port, killed when dropped. It runs through
//! `lab/moto_indexed.py`, which indexes moto's Route 53 record sets (moto scans the whole zone per
//! change) and then starts moto's own server.

use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

pub struct Moto {
    port: u16,
    child: Child,
}

impl Moto {
    pub(crate) async fn start() -> anyhow::Result<Moto> {
        let (python, script) = crate::tools::moto_server()?;
        let port = free_port()?;
        let child = Command::new(python)
            .arg(script)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let m = Moto { port, child };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Ok(m);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!("moto (lab/moto_indexed.py) did not listen on port {port} within 30 s")
    }

    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Creates a CloudWatch Logs log group in us-east-1 (for query logging) in moto's default
    /// account; returns its ARN as CloudWatch Logs gives it (without `:*`).
    pub async fn create_log_group(&self, name: &str) -> anyhow::Result<String> {
        use http_body_util::{BodyExt, Full};
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http::<Full<bytes::Bytes>>();
        let body = serde_json::json!({ "logGroupName": name }).to_string();
        let req = hyper::Request::post(self.url())
            .header("x-amz-target", "Logs_20140328.CreateLogGroup")
            .header("content-type", "application/x-amz-json-1.1")
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=0",
            )
            .body(Full::new(bytes::Bytes::from(body)))?;
        let resp = client.request(req).await?;
        let status = resp.status();
        let text = resp.into_body().collect().await?.to_bytes();
        if !status.is_success() {
            anyhow::bail!(
                "moto CreateLogGroup {name}: {status} {}",
                String::from_utf8_lossy(&text)
            );
        }
        Ok(format!(
            "arn:aws:logs:us-east-1:123456789012:log-group:{name}"
        ))
    }
}

/// A VPC with subnets and a security group in moto's EC2 (us-east-1, default account): what Route 53
/// Resolver endpoints need (moto checks subnets and security groups against its EC2).
#[derive(Debug, Clone)]
pub struct Network {
    pub vpc_id: String,
    /// One per /24 asked for, in that order (10.N.1.0/24, 10.N.2.0/24, …).
    pub subnet_ids: Vec<String>,
    pub security_group_id: String,
}

impl Moto {
    /// One EC2 Query API call to moto; the answer's text at `path` (below the response element).
    async fn ec2(&self, params: &[(&str, &str)], path: &[&str]) -> anyhow::Result<String> {
        use http_body_util::{BodyExt, Full};
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http::<Full<bytes::Bytes>>();
        let mut body = String::from("Version=2016-11-15");
        for (k, v) in params {
            body.push_str(&format!("&{k}={}", form_escape(v)));
        }
        let req = hyper::Request::post(format!("{}/", self.url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0",
            )
            .body(Full::new(bytes::Bytes::from(body)))?;
        let resp = client.request(req).await?;
        let status = resp.status();
        let text = resp.into_body().collect().await?.to_bytes();
        if !status.is_success() {
            anyhow::bail!(
                "moto EC2 {params:?}: {status} {}",
                String::from_utf8_lossy(&text)
            );
        }
        let doc = crate::xml::parse(&text)?;
        doc.text_at(path).map(str::to_string).ok_or_else(|| {
            anyhow::anyhow!(
                "moto EC2 {params:?}: no {path:?} in {}",
                String::from_utf8_lossy(&text)
            )
        })
    }

    /// Creates VPC 10.`n`.0.0/16 with `subnets` /24 subnets (alternating us-east-1a and 1b) and a
    /// security group allowing DNS.
    pub async fn create_network(&self, n: u8, subnets: u8) -> anyhow::Result<Network> {
        let cidr = format!("10.{n}.0.0/16");
        let vpc_id = self
            .ec2(
                &[("Action", "CreateVpc"), ("CidrBlock", &cidr)],
                &["vpc", "vpcId"],
            )
            .await?;
        let mut subnet_ids = Vec::new();
        for i in 1..=subnets {
            let cidr = format!("10.{n}.{i}.0/24");
            let az = if i % 2 == 1 {
                "us-east-1a"
            } else {
                "us-east-1b"
            };
            subnet_ids.push(
                self.ec2(
                    &[
                        ("Action", "CreateSubnet"),
                        ("VpcId", &vpc_id),
                        ("CidrBlock", &cidr),
                        ("AvailabilityZone", az),
                    ],
                    &["subnet", "subnetId"],
                )
                .await?,
            );
        }
        let security_group_id = self
            .ec2(
                &[
                    ("Action", "CreateSecurityGroup"),
                    ("GroupName", &format!("dns-{vpc_id}")),
                    ("GroupDescription", "DNS to and from the Resolver endpoints"),
                    ("VpcId", &vpc_id),
                ],
                &["groupId"],
            )
            .await?;
        Ok(Network {
            vpc_id,
            subnet_ids,
            security_group_id,
        })
    }
}

/// `application/x-www-form-urlencoded` escaping of one value.
fn form_escape(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) fn free_port() -> anyhow::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    /// `lab/moto_indexed.py` answers as moto does: the same seeded random batches and paged
    /// listings (`lab/moto_indexed_check.py`) give the same transcript with and without it.
    #[test]
    fn indexed_moto_answers_exactly_as_moto() {
        let python = crate::tools::python().expect("the lab's venv (R53_VENV)");
        let check = crate::tools::repo_root().join("lab/moto_indexed_check.py");
        let run = |mode: &str, seed: u32| {
            let out = std::process::Command::new(&python)
                .arg(&check)
                .arg(mode)
                .arg(seed.to_string())
                .output()
                .expect("python runs");
            assert!(
                out.status.success(),
                "{mode} {seed}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).expect("utf-8")
        };
        for seed in 1..=3 {
            let plain = run("plain", seed);
            // The transcript exercises both outcomes: changes moto takes and ones it refuses.
            assert!(plain.contains("[\"ok\"]") && plain.contains("[\"error\""));
            assert_eq!(plain, run("indexed", seed), "seed {seed}");
        }
    }
}
