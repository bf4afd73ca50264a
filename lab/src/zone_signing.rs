//! Where the lab's DNSSEC API meets its DNS servers: the name servers learn which hosted zones
//! sign, with the zone key the API made and the KSKs KMS holds ([`ApiSigning`]), and the API's
//! parent checks read the parent over real DNS from the lab's root ([`DnsParent`]).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use hickory_proto::dnssec::rdata::DNSKEY;

use crate::dnssec::{Dnssec, ParentView};
use crate::signing::{LocalKey, Signer, SigningSource, ZoneKeys};

/// A KSK whose private key stays in KMS: signing is a KMS Sign call.
struct KmsKey {
    dnskey: DNSKEY,
    tag: u16,
    arn: String,
    dnssec: Arc<Dnssec>,
}

#[async_trait::async_trait]
impl Signer for KmsKey {
    fn dnskey(&self) -> &DNSKEY {
        &self.dnskey
    }
    fn key_tag(&self) -> u16 {
        self.tag
    }
    async fn sign(&self, message: &[u8]) -> anyhow::Result<Vec<u8>> {
        Ok(self.dnssec.kms_sign(&self.arn, message).await?)
    }
}

/// The DNSSEC API as the name servers' [`SigningSource`]; keys are rebuilt only when a zone's
/// key version moves.
pub(crate) struct ApiSigning {
    dnssec: Arc<Dnssec>,
    cache: Mutex<HashMap<String, (u64, ZoneKeys)>>,
}

impl ApiSigning {
    pub(crate) fn new(dnssec: Arc<Dnssec>) -> ApiSigning {
        ApiSigning {
            dnssec,
            cache: Mutex::new(HashMap::new()),
        }
    }

    fn build(&self, zone_id: &str, apex: hickory_proto::rr::Name) -> Option<(u64, ZoneKeys)> {
        let s = self.dnssec.signing(zone_id)?;
        let zsk = match LocalKey::from_pkcs8(&s.zsk_pkcs8, 256) {
            Ok(k) => Arc::new(k) as Arc<dyn Signer>,
            Err(e) => {
                tracing::warn!("lab name server: the zone key of {zone_id}: {e:#}");
                return None;
            }
        };
        let ksks = s
            .ksks
            .into_iter()
            .filter_map(|(dnskey, arn)| {
                let tag = dnskey.calculate_key_tag().ok()?;
                Some(Arc::new(KmsKey {
                    dnskey,
                    tag,
                    arn,
                    dnssec: self.dnssec.clone(),
                }) as Arc<dyn Signer>)
            })
            .collect();
        Some((s.version, ZoneKeys { apex, zsk, ksks }))
    }
}

impl SigningSource for ApiSigning {
    fn keys(&self, zone_id: &str, apex: &hickory_proto::rr::Name) -> Option<(u64, ZoneKeys)> {
        let version = self.dnssec.signing(zone_id)?.version;
        let mut cache = self.cache.lock().unwrap();
        if let Some((v, keys)) = cache.get(zone_id) {
            if *v == version && keys.apex == *apex {
                return Some((*v, keys.clone()));
            }
        }
        let built = self.build(zone_id, apex.clone())?;
        cache.insert(zone_id.to_string(), built.clone());
        Some(built)
    }
}

/// The parent of a zone as the lab's root and servers publish it, read over DNS.
pub(crate) struct DnsParent {
    pub root: SocketAddr,
}

#[async_trait::async_trait]
impl ParentView for DnsParent {
    async fn ds(&self, zone: &str) -> Vec<String> {
        match crate::validator::parent_of(self.root, zone).await {
            Ok(Some((_, ds))) => ds,
            _ => Vec::new(),
        }
    }
    async fn ns(&self, zone: &str) -> Option<Vec<String>> {
        crate::validator::parent_of(self.root, zone)
            .await
            .ok()
            .flatten()
            .map(|(ns, _)| ns)
    }
}
