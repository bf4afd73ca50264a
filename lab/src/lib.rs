//! r53's test lab: moto as the AWS emulator behind a strict, fault-injecting, call-counting proxy,
//! and a harness that runs the real Terraform core against the built provider. Used by the e2e
//! tests, `make demo` and `make bench`; never a dependency of the product crates.

pub mod authorizations;
pub mod bench;
pub mod cidr_collections;
pub mod cidr_routing;
pub mod client_locations;
pub mod compare_bench;
pub mod cutover_bench;
pub mod dnssec;
pub mod domains;
pub mod endpoint;
pub mod geoproximity;
pub mod health_checks;
pub mod knot;
pub mod migrate_bench;
pub mod moto;
pub mod moto_api;
pub mod nameservers;
pub mod proxy;
pub mod registry;
pub mod resolver_status;
mod reusable_sets;
mod routing;
mod signing;
pub mod terraform;
pub mod tools;
pub mod validator;
pub mod xml;
mod zone_index;
mod zone_signing;

pub use proxy::{Proxy, ProxyConfig, Stats};
pub use terraform::{Terraform, TfBin, TfOutput};

/// A running lab: moto plus the proxy in front of it, on its own small runtime so synchronous
/// tests can use it.
pub struct Lab {
    pub rt: tokio::runtime::Runtime,
    pub moto: moto::Moto,
    pub proxy: Proxy,
    /// The TLD registry (and root) DNS server for the lab's TLDs, following the lab registrar.
    pub registry: registry::Registry,
    /// The Route 53 name servers (one per delegation set), on the registry's port.
    pub nameservers: nameservers::NameServers,
    /// The Route 53 health checkers probing the lab's health checks.
    pub health_checker: health_checks::checker::Checker,
}

impl Lab {
    pub fn start() -> anyhow::Result<Lab> {
        Self::start_with(ProxyConfig::default())
    }

    pub fn start_with(cfg: ProxyConfig) -> anyhow::Result<Lab> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let (moto, proxy, (registry, nameservers), health_checker) = rt.block_on(async {
            let moto = moto::Moto::start().await?;
            let proxy = Proxy::start(&moto.url(), cfg).await?;
            let dns = start_dns(&proxy, &moto.url()).await?;
            let checker = health_checks::checker::Checker::start(
                proxy.health(),
                health_checks::checker::Env {
                    moto_url: moto.url(),
                    dns_root: dns.0.addr,
                },
            );
            Ok::<_, anyhow::Error>((moto, proxy, dns, checker))
        })?;
        Ok(Lab {
            rt,
            moto,
            proxy,
            registry,
            nameservers,
            health_checker,
        })
    }

    /// How the lab registrar's GetDomainDetail writes DnssecKeys (Route 53 Domains changed it in
    /// 2026; default [`domains::DnssecKeyShape::Shape2026`]).
    pub fn set_dnssec_key_shape(&self, shape: domains::DnssecKeyShape) {
        self.proxy.registrar().set_dnssec_key_shape(shape);
    }

    /// How many times faster than Route 53's request intervals the lab's checkers probe (default
    /// 10: a 30 s check runs every 3 s); 1 to 1000.
    pub fn set_health_time_scale(&self, scale: f64) -> anyhow::Result<()> {
        Ok(self.proxy.health().set_time_scale(scale)?)
    }

    /// Turns an Application Recovery Controller routing control On or Off (RECOVERY_CONTROL
    /// checks follow it; one never set is Off, as ARC creates them).
    pub fn set_routing_control(&self, arn: &str, on: bool) -> anyhow::Result<()> {
        Ok(self.proxy.health().set_routing_control(arn, on)?)
    }

    /// Sets CloudWatch alarm `alarm` in `region` to `state` (OK, ALARM, INSUFFICIENT_DATA) in moto
    /// through SetAlarmState, creating the alarm first if moto has none by that name.
    /// CLOUDWATCH_METRIC checks read it on their next round. Callable from inside `self.rt` too
    /// (the call runs on a thread of its own).
    pub fn set_alarm_state(&self, region: &str, alarm: &str, state: &str) -> anyhow::Result<()> {
        let state = health_checks::health::AlarmState::parse(state)?;
        let url = self.moto.url();
        let call = health_checks::checker::set_alarm_state(&url, region, alarm, state);
        std::thread::scope(|s| {
            s.spawn(|| self.rt.block_on(call))
                .join()
                .unwrap_or_else(|_| {
                    Err(anyhow::anyhow!("setting alarm {alarm}: the call panicked"))
                })
        })
    }

    /// Locates the DNS clients of `subnet` ("198.51.100.0/24"; `None`: every other client) at
    /// `location`, for latency and geolocation routing (a query's EDNS client subnet, else its
    /// source address, is what is located).
    pub fn set_client_location(
        &self,
        subnet: Option<&str>,
        location: client_locations::Location,
    ) -> anyhow::Result<()> {
        Ok(self
            .proxy
            .delegation_sets()
            .locations
            .set(subnet, location)?)
    }

    /// Route 53's routing verdict for health check `id` now (an unknown ID is healthy).
    pub fn health_verdict(&self, id: &str) -> bool {
        self.proxy.health().healthy(id)
    }

    /// The lab's DNS port: every lab DNS server (root and TLDs on 127.0.0.1, Route 53 name
    /// servers on 127.0.1.x) listens on it, as real ones all listen on 53.
    pub fn dns_port(&self) -> u16 {
        self.registry.addr.port()
    }

    /// The provider's `dns` block for this lab.
    pub fn dns_block(&self) -> String {
        format!(
            "dns {{\n    root_hints = [\"{}\"]\n    port       = {}\n  }}",
            self.registry.addr.ip(),
            self.dns_port()
        )
    }

    /// The endpoint the provider (and test SDK clients) should use.
    pub fn endpoint(&self) -> String {
        self.proxy.url()
    }

    /// Environment for an AWS client (r53-migrate, octodns) pointed at this lab, with dummy
    /// credentials and no shared config files.
    pub fn aws_env(&self) -> Vec<(String, String)> {
        [
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_DEFAULT_REGION", "us-east-1".into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
            ("AWS_CONFIG_FILE", "/dev/null".into()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".into()),
            ("NO_COLOR", "1".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// An access key of account `account` (12 digits): moto's STS assumes a role there for it, as
    /// a provider's `assume_role` block does. moto checks no secret, so any secret goes with it.
    pub fn account_key(&self, account: &str) -> anyhow::Result<String> {
        use http_body_util::{BodyExt, Full};
        let url = self.endpoint();
        let body = format!("Action=AssumeRole&RoleArn=arn:aws:iam::{account}:role/lab&RoleSessionName=lab&Version=2011-06-15");
        self.rt.block_on(async move {
            let client: hyper_util::client::legacy::Client<_, Full<bytes::Bytes>> =
                hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                    .build_http();
            let req = hyper::Request::builder()
                .method(hyper::Method::POST)
                .uri(format!("{url}/"))
                .header("authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Full::new(bytes::Bytes::from(body)))?;
            let resp = client.request(req).await?;
            let text = String::from_utf8_lossy(&resp.into_body().collect().await?.to_bytes()).into_owned();
            let doc = xml::parse(text.as_bytes())?;
            doc.text_at(&["AssumeRoleResult", "Credentials", "AccessKeyId"])
                .map(str::to_string)
                .ok_or_else(|| anyhow::anyhow!("AssumeRole gave no access key: {text}"))
        })
    }

    /// A Terraform working directory against this lab.
    pub fn terraform(&self, bin: TfBin) -> anyhow::Result<Terraform> {
        let mut tf = Terraform::new(bin, &self.endpoint())?;
        for (k, v) in self.dns_env() {
            tf.set_env(&k, &v);
        }
        Ok(tf)
    }

    /// Asks the independent validator (unbound-host from the lab's root, with the root's key as
    /// the trust anchor) whether the answer for `qname`/`qtype` is secure, insecure or bogus.
    pub fn validate(
        &self,
        qname: &str,
        qtype: hickory_proto::rr::RecordType,
    ) -> anyhow::Result<validator::Validation> {
        let anchor = self.registry.trust_anchor();
        self.rt.block_on(validator::validate(
            self.registry.addr,
            &anchor,
            qname,
            qtype,
        ))
    }

    /// The provider's DNS settings for this lab as environment variables (what an unset `dns`
    /// block falls back to).
    pub fn dns_env(&self) -> Vec<(String, String)> {
        vec![
            (
                "R53_DNS_ROOT_HINTS".into(),
                self.registry.addr.ip().to_string(),
            ),
            ("R53_DNS_PORT".into(), self.dns_port().to_string()),
            ("R53_DNS_TIMEOUT".into(), "2s".into()),
            ("R53_DNS_TRUST_ANCHORS".into(), self.registry.trust_anchor()),
        ]
    }
}

/// The old DNS host of a hosting-only migration in the lab: two name servers, delegated (with
/// glue) from the lab's `test` TLD, on 127.0.2.1 and 127.0.2.2 at the lab's DNS port.
pub const OLD_HOST_NS: [&str; 2] = ["ns1.old-dns.test", "ns2.old-dns.test"];

pub fn old_host_ip(i: usize) -> std::net::IpAddr {
    std::net::IpAddr::from([127, 0, 2, i as u8 + 1])
}

impl Lab {
    /// Knot as the old host: both name servers serve `zones`; with `second`, ns2 is a Knot of
    /// its own serving those instead (a secondary out of sync with its primary).
    pub fn start_old_host(
        &self,
        zones: &[knot::LabZone],
        second: Option<&[knot::LabZone]>,
    ) -> anyhow::Result<Vec<knot::Knot>> {
        let at = |i| std::net::SocketAddr::new(old_host_ip(i), self.dns_port());
        Ok(match second {
            None => vec![knot::Knot::start_on(zones, None, &[at(0), at(1)])?],
            Some(z2) => vec![
                knot::Knot::start_on(zones, None, &[at(0)])?,
                knot::Knot::start_on(z2, None, &[at(1)])?,
            ],
        })
    }
}

/// The TLD registry (root + the lab's TLDs + the TLDs of Route 53's name-server host names) on
/// 127.0.0.1 and the Route 53 name servers on the same port.
async fn start_dns(
    proxy: &Proxy,
    moto_url: &str,
) -> anyhow::Result<(registry::Registry, nameservers::NameServers)> {
    let mut tlds: Vec<&str> = registry::LAB_TLDS.to_vec();
    tlds.extend(["com", "net", "org", "uk"]);
    let mut last = None;
    for _ in 0..20 {
        let reg = registry::Registry::start(proxy.registrar_arc(), &tlds).await?;
        match nameservers::NameServers::start(
            proxy.delegation_sets(),
            proxy.health(),
            proxy.cidr_collections(),
            std::sync::Arc::new(zone_signing::ApiSigning::new(proxy.dnssec())),
            moto_url,
            reg.addr.port(),
        )
        .await
        {
            Ok(ns) => {
                proxy
                    .dnssec()
                    .set_parent(std::sync::Arc::new(zone_signing::DnsParent {
                        root: reg.addr,
                    }));
                for i in 0..nameservers::ALL_SETS {
                    let ip = nameservers::set_ip(i).to_string();
                    for (d, n) in nameservers::set_domains(i)
                        .iter()
                        .zip(nameservers::set_names(i).iter())
                    {
                        reg.delegate_published(d, &[(n.as_str(), &[ip.as_str()])]);
                    }
                }
                let (ip0, ip1) = (old_host_ip(0).to_string(), old_host_ip(1).to_string());
                reg.delegate_published(
                    "old-dns.test",
                    &[
                        (OLD_HOST_NS[0], &[ip0.as_str()]),
                        (OLD_HOST_NS[1], &[ip1.as_str()]),
                    ],
                );
                return Ok((reg, ns));
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| anyhow::anyhow!("no DNS port free")))
}
