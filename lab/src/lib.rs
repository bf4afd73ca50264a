//! r53's test lab: moto as the AWS emulator behind a strict, fault-injecting, call-counting proxy,
//! and a harness that runs the real Terraform core against the built provider. Used by the e2e
//! tests, `make demo` and `make bench`; never a dependency of the product crates.

pub mod bench;
pub mod domains;
pub mod knot;
pub mod migrate_bench;
pub mod moto;
pub mod proxy;
pub mod registry;
pub mod terraform;
pub mod tools;
pub mod xml;

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
        let (moto, proxy, registry) = rt.block_on(async {
            let moto = moto::Moto::start().await?;
            let proxy = Proxy::start(&moto.url(), cfg).await?;
            let registry =
                registry::Registry::start(proxy.registrar_arc(), registry::LAB_TLDS).await?;
            Ok::<_, anyhow::Error>((moto, proxy, registry))
        })?;
        Ok(Lab {
            rt,
            moto,
            proxy,
            registry,
        })
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

    /// A Terraform working directory against this lab.
    pub fn terraform(&self, bin: TfBin) -> anyhow::Result<Terraform> {
        Terraform::new(bin, &self.endpoint())
    }
}
