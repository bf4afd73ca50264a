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
/// ACL (AXFR refused). `signed = true` has Knot sign it (ECDSA P-256 KSK + ZSK, NSEC, CDS and
/// CDNSKEY at the apex as Knot publishes by default): a DNSSEC-signed old host.
pub struct LabZone {
    pub name: String,
    pub text: String,
    pub transfer: bool,
    pub signed: bool,
}

impl Knot {
    /// One zone, transfers allowed, no key: the usual "other DNS host".
    pub fn serving(zone: &str, text: String) -> anyhow::Result<Knot> {
        Knot::start(
            &[LabZone {
                name: zone.into(),
                text,
                transfer: true,
                signed: false,
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
        if zones.iter().any(|z| z.signed) {
            // No automatic rollovers (lifetime 0), short TTLs so lab waits stay short.
            conf.push_str(
                "policy:\n  - id: lab\n    algorithm: ecdsap256sha256\n    ksk-lifetime: 0\n    zsk-lifetime: 0\n    dnskey-ttl: 300\n    zone-max-ttl: 300\n    propagation-delay: 0\n",
            );
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
            if z.signed {
                conf.push_str("    dnssec-signing: on\n    dnssec-policy: lab\n");
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
                // Zones load just after the socket opens; give it a moment, then check by SOA
                // (and, for a signed zone, that its DNSKEY set is out).
                if zones
                    .iter()
                    .all(|z| k.serves(&z.name, "SOA") && (!z.signed || k.serves(&z.name, "DNSKEY")))
                {
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

    fn serves(&self, zone: &str, qtype: &str) -> bool {
        Command::new("dig")
            .args([
                "+short",
                "+tries=1",
                "+time=1",
                &format!("@{}", self.addr.ip()),
                "-p",
                &self.addr.port().to_string(),
                zone,
                qtype,
            ])
            .output()
            .map(|o| !o.stdout.is_empty())
            .unwrap_or(false)
    }

    /// The SHA-256 DS records (`TAG ALG 2 HEX`, upper-case hex) of a signed zone's KSK, as the
    /// parent should publish them (`keymgr … ds`).
    pub fn ds(&self, zone: &str) -> anyhow::Result<Vec<String>> {
        Ok(self
            .keymgr(zone, "ds")?
            .into_iter()
            .filter(|f| f.get(2).map(String::as_str) == Some("2"))
            .map(|f| {
                let (head, digest) = f.split_at(3);
                format!(
                    "{} {}",
                    head.join(" "),
                    digest.concat().to_ascii_uppercase()
                )
            })
            .collect())
    }

    /// The KSK's DNSKEY (`FLAGS 3 ALG BASE64`) of a signed zone (`keymgr … dnskey`).
    pub fn dnskey(&self, zone: &str) -> anyhow::Result<Vec<String>> {
        Ok(self
            .keymgr(zone, "dnskey")?
            .into_iter()
            .filter(|f| f.len() >= 4)
            .map(|f| format!("{} {} {} {}", f[0], f[1], f[2], f[3..].concat()))
            .collect())
    }

    /// Runs `keymgr -c <conf> <zone> <command>` and returns each output line's RDATA fields (after
    /// the owner and type).
    fn keymgr(&self, zone: &str, command: &str) -> anyhow::Result<Vec<Vec<String>>> {
        let out = Command::new(crate::tools::keymgr()?)
            .arg("-c")
            .arg(self.dir.path().join("knot.conf"))
            .arg(zone)
            .arg(command)
            .output()?;
        if !out.status.success() {
            anyhow::bail!(
                "keymgr {zone} {command} failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let lines: Vec<Vec<String>> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.split_whitespace().skip(2).map(str::to_string).collect())
            .filter(|f: &Vec<String>| !f.is_empty())
            .collect();
        if lines.is_empty() {
            anyhow::bail!("keymgr {zone} {command} printed nothing: is the zone signed?");
        }
        Ok(lines)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A signed zone: Knot serves its KSK and ZSK, and `ds`/`dnskey` give the KSK's DS as the
    /// zone crate computes it from the DNSKEY.
    #[test]
    fn a_signed_zone_gives_its_ksk_and_ds() {
        let zone = "signed.test";
        let k = Knot::start(
            &[LabZone {
                name: zone.into(),
                text: "$TTL 300\n@ IN SOA ns1.signed.test. h.signed.test. 1 7200 900 1209600 300\n@ IN NS ns1.signed.test.\nns1 IN A 192.0.2.1\n".into(),
                transfer: true,
                signed: true,
            }],
            None,
        )
        .expect("knotd signs the zone");
        let keys = k.dnskey(zone).unwrap();
        assert_eq!(keys.len(), 1, "{keys:?}");
        assert!(keys[0].starts_with("257 3 13 "), "{keys:?}");
        let want = r53_zone::dnskey::ds_record(
            &r53_zone::Name::parse(zone).unwrap(),
            &keys[0],
            r53_zone::dnskey::DsDigest::Sha256,
        )
        .unwrap();
        assert_eq!(k.ds(zone).unwrap(), [want]);
        // Served over DNS too: the KSK and the ZSK.
        let out = Command::new("dig")
            .args([
                "+short",
                &format!("@{}", k.addr.ip()),
                "-p",
                &k.addr.port().to_string(),
                zone,
                "DNSKEY",
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.lines().any(|l| l.starts_with("257 3 13")), "{text}");
        assert!(text.lines().any(|l| l.starts_with("256 3 13")), "{text}");
    }
}
