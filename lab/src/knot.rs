//! Knot DNS as "the other host": `knotd` in the foreground with a config in a temp dir, serving
//! the given zones on a loopback port and allowing AXFR (optionally only with a TSIG key).
//! Also a TCP relay that cuts transfers short, for the truncated-AXFR case.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A TSIG key the lab's Knot requires for transfers: `(name, base64 secret)`, hmac-sha256.
#[derive(Clone, Debug)]
pub struct LabKey {
    pub name: String,
    pub secret_b64: String,
}

impl LabKey {
    /// The `algorithm:name:secret` form r53-migrate reads from a file or environment.
    pub fn spec(&self) -> String {
        format!("hmac-sha256:{}:{}", self.name, self.secret_b64)
    }
}

pub struct Knot {
    pub addr: SocketAddr,
    dir: tempfile::TempDir,
    child: Child,
}

impl Drop for Knot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One zone to serve: name and zone-file text. `transfer = false` leaves it without a transfer
/// ACL (AXFR refused).
pub struct LabZone {
    pub name: String,
    pub text: String,
    pub transfer: bool,
}

impl Knot {
    /// One zone, transfers allowed, no key: the usual "other DNS host".
    pub fn serving(zone: &str, text: String) -> anyhow::Result<Knot> {
        Knot::start(
            &[LabZone {
                name: zone.into(),
                text,
                transfer: true,
            }],
            None,
        )
    }

    /// One tcp worker and a 60 s per-message TCP timeout: Knot's 500 ms default cuts an AXFR off
    /// when a slow client (dnspython under octodns, on a busy 2-core machine) lags behind.
    pub fn start(zones: &[LabZone], key: Option<&LabKey>) -> anyhow::Result<Knot> {
        let port = crate::moto::free_port()?;
        Knot::start_on(zones, key, &[SocketAddr::from(([127, 0, 0, 1], port))])
    }

    /// Like [`Knot::start`], listening on the given addresses (the first is `addr`): an old host's
    /// name servers on the lab's DNS port.
    pub(crate) fn start_on(
        zones: &[LabZone],
        key: Option<&LabKey>,
        listen: &[SocketAddr],
    ) -> anyhow::Result<Knot> {
        let dir = tempfile::Builder::new().prefix("r53-knot-").tempdir()?;
        let d = dir.path();
        let first = *listen
            .first()
            .ok_or_else(|| anyhow::anyhow!("no listen address"))?;
        let listen_list = listen
            .iter()
            .map(|a| format!("{}@{}", a.ip(), a.port()))
            .collect::<Vec<_>>()
            .join(", ");
        std::fs::create_dir_all(d.join("zones"))?;
        std::fs::create_dir_all(d.join("db"))?;
        let mut conf = format!(
            "server:\n    rundir: \"{d}\"\n    listen: [ {listen_list} ]\n    background-workers: 1\n    tcp-workers: 1\n    udp-workers: 1\n    tcp-io-timeout: 60000\n\
             log:\n  - target: stderr\n    any: warning\n\
             database:\n    storage: \"{d}/db\"\n",
            d = d.display()
        );
        if let Some(k) = key {
            conf.push_str(&format!(
                "key:\n  - id: {}\n    algorithm: hmac-sha256\n    secret: {}\n",
                k.name, k.secret_b64
            ));
        }
        conf.push_str("acl:\n  - id: xfr\n    address: 127.0.0.0/8\n    action: transfer\n");
        if let Some(k) = key {
            conf.push_str(&format!("    key: {}\n", k.name));
        }
        conf.push_str(&format!(
            "template:\n  - id: default\n    storage: \"{}/zones\"\n    file: \"%s.zone\"\n    zonefile-sync: -1\n    zonefile-load: whole\n    journal-content: none\n    semantic-checks: off\n\
             zone:\n",
            d.display()
        ));
        for z in zones {
            std::fs::write(d.join(format!("zones/{}.zone", z.name)), &z.text)?;
            conf.push_str(&format!("  - domain: {}\n", z.name));
            if z.transfer {
                conf.push_str("    acl: xfr\n");
            }
        }
        std::fs::write(d.join("knot.conf"), conf)?;
        let child = Command::new(crate::tools::knotd()?)
            .arg("-c")
            .arg(d.join("knot.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::from(std::fs::File::create(d.join("knotd.log"))?))
            .spawn()?;
        let k = Knot {
            addr: first,
            dir,
            child,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(k.addr).is_ok() {
                // Zones load just after the socket opens; give it a moment, then check by SOA.
                if zones.iter().all(|z| k.serves(&z.name)) {
                    return Ok(k);
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        anyhow::bail!(
            "knotd did not serve the zones within 20 s:\n{}",
            std::fs::read_to_string(k.dir.path().join("knotd.log")).unwrap_or_default()
        )
    }

    fn serves(&self, zone: &str) -> bool {
        Command::new("dig")
            .args([
                "+short",
                "+tries=1",
                "+time=1",
                &format!("@{}", self.addr.ip()),
                "-p",
                &self.addr.port().to_string(),
                zone,
                "SOA",
            ])
            .output()
            .map(|o| !o.stdout.is_empty())
            .unwrap_or(false)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("knotd.log")).unwrap_or_default()
    }
}

/// A TCP relay in front of a DNS server that forwards the first `limit` bytes of each answer
/// stream and then closes the connection: a zone transfer cut off mid-way.
pub async fn cutting_relay(upstream: SocketAddr, limit: usize) -> anyhow::Result<SocketAddr> {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = l.local_addr()?;
    tokio::spawn(async move {
        while let Ok((mut down, _)) = l.accept().await {
            tokio::spawn(async move {
                let Ok(mut up) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut ur, mut uw) = up.split();
                let (mut dr, mut dw) = down.split();
                let to_up = async {
                    let mut b = [0u8; 4096];
                    while let Ok(n) = dr.read(&mut b).await {
                        if n == 0 || uw.write_all(&b[..n]).await.is_err() {
                            break;
                        }
                    }
                };
                let to_down = async {
                    let mut b = [0u8; 4096];
                    let mut sent = 0;
                    while let Ok(n) = ur.read(&mut b).await {
                        if n == 0 {
                            break;
                        }
                        let n = n.min(limit - sent);
                        if dw.write_all(&b[..n]).await.is_err() {
                            break;
                        }
                        sent += n;
                        if sent >= limit {
                            break;
                        }
                    }
                };
                tokio::select! { _ = to_up => {}, _ = to_down => {} }
            });
        }
    });
    Ok(addr)
}
