//! Route 53's DNSSEC API, answered by the lab: moto 5.2.5 routes none of it but a canned
//! GetDNSSEC (always NOT_SIGNING, without the required `KeySigningKeys`). Key-signing keys (KSKs)
//! are backed by moto's KMS (`kms`), which holds the private keys and signs; the lab keeps each
//! zone's KSKs, signing status and the zone-signing key (ZSK) Route 53 keeps to itself, and
//! exposes what the lab's name servers need to sign ([`Dnssec::signing`], [`Dnssec::kms_sign`]).
//!
//! Route 53's rules (API reference, Developer Guide; the key rules are `r53_zone::ksk`'s):
//! - the KMS key: us-east-1, ECC_NIST_P256, SIGN_VERIFY, Enabled, its key policy allowing
//!   DescribeKey/GetPublicKey/Sign to `dnssec-route53.amazonaws.com` → `InvalidKMSArn`, whose
//!   message names the broken rule (moto signs with disabled keys and enforces no policy, so the
//!   lab checks both itself);
//! - at most two KSKs per zone (`TooManyKeySigningKeys`), names unique per zone and KMS ARNs
//!   unique per zone (`KeySigningKeyAlreadyExists`, 409), names 3–128 of `[A-Za-z0-9_]`
//!   (`InvalidKeySigningKeyName`); private zones refused (`InvalidArgument`, believed);
//! - DeleteKeySigningKey needs an INACTIVE KSK (`InvalidKeySigningKeyStatus`);
//! - DeactivateKeySigningKey of the only ACTIVE KSK of a signing zone → `KeySigningKeyInUse`;
//! - EnableHostedZoneDNSSEC needs an ACTIVE KSK (`KeySigningKeyWithActiveStatusNotFound`) and a
//!   parent that delegates to exactly the zone's name servers or not at all
//!   (`HostedZonePartiallyDelegated` when the sets overlap but differ);
//! - DisableHostedZoneDNSSEC / DeactivateKeySigningKey while the parent publishes a DS matching an
//!   ACTIVE KSK → `KeySigningKeyInParentDSRecord`; disabling deactivates no KSK;
//! - DisableHostedZoneDNSSEC of a zone with no DNSSEC resources → `DNSSECNotFound`;
//! - DeleteHostedZone while the zone has KSKs or signs → refused (see [`Dnssec::refuse_zone_delete`]).
//!
//! Every mutating call answers a ChangeInfo the proxy turns into one of its own changes (PENDING
//! for `pending_ms`, then INSYNC through GetChange). A KMS key that stops being usable (disabled,
//! pending deletion, deleted, policy changed) makes its KSK ACTION_NEEDED and the zone
//! ACTION_NEEDED: checked at GetDNSSEC and at [`Dnssec::kms_sign`]; it clears when the key is usable
//! again.

pub mod control;
pub mod der;
pub(crate) mod kms;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;

use r53_zone::ksk::{self, KskRecords};
use r53_zone::Name;

use crate::nameservers::DelegationSets;
use crate::reusable_sets::api::{error, invalid, segments};
use crate::reusable_sets::Answer;
use crate::xml;

pub use kms::KmsError;

const NS: &str = "https://route53.amazonaws.com/doc/2013-04-01/";
/// The access key the lab uses when a request names none (moto's default account).
const DEFAULT_KEY: &str = "testing";

/// What the parent of a zone publishes, looked up over DNS from the lab's root (the lead's
/// implementation); the lab's DNSSEC rules that depend on the parent ask it.
#[async_trait::async_trait]
pub trait ParentView: Send + Sync {
    /// DS RDATA texts ("12345 13 2 ABCD…") the parent publishes for `zone` (no trailing dot), empty if none.
    async fn ds(&self, zone: &str) -> Vec<String>;
    /// The NS names (normalised, no trailing dot) the parent delegates `zone` to; None when not delegated.
    async fn ns(&self, zone: &str) -> Option<Vec<String>>;
}

/// What the lab's name servers need to sign a zone.
#[derive(Clone)]
pub struct ZoneSigning {
    /// Moves on every change of this zone's keys or signing status (cache key for signatures).
    pub version: u64,
    /// The zone-signing key Route 53 keeps to itself: the lab makes one per zone (ECDSA P-256,
    /// PKCS#8 DER) the first time signing is enabled and keeps it.
    pub zsk_pkcs8: Arc<Vec<u8>>,
    /// ACTIVE KSKs (whose KMS key is usable at the last check): DNSKEY RDATA and KMS key ARN.
    pub ksks: Vec<(hickory_proto::dnssec::rdata::DNSKEY, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DnssecError {
    #[error("no KSK uses the KMS key {0}")]
    UnknownKey(String),
    #[error("the message to sign is empty (KMS signs 1 to {MAX} bytes)", MAX = kms::MAX_RAW_MESSAGE)]
    EmptyMessage,
    #[error("the message to sign is {0} bytes, over KMS's RAW limit of {MAX}", MAX = kms::MAX_RAW_MESSAGE)]
    MessageTooLong(usize),
    #[error("the KMS key {arn} cannot sign for Route 53: {reason}")]
    Unusable { arn: String, reason: String },
    #[error(transparent)]
    Kms(#[from] KmsError),
    #[error("KMS's signature by {arn} is not a DER ECDSA signature: {reason}")]
    Signature { arn: String, reason: der::DerError },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wanted {
    Active,
    Inactive,
}

#[derive(Debug, Clone)]
struct Ksk {
    name: String,
    kms_arn: String,
    /// The access key of the account that made it: KMS is called as that account.
    access_key: String,
    wanted: Wanted,
    /// Why its KMS key cannot sign, at the last check (ACTION_NEEDED while set).
    problem: Option<String>,
    public_key: [u8; 64],
    records: KskRecords,
    created: SystemTime,
    modified: SystemTime,
}

impl Ksk {
    fn status(&self) -> &'static str {
        match (self.wanted, &self.problem) {
            (Wanted::Inactive, _) => "INACTIVE",
            (Wanted::Active, None) => "ACTIVE",
            (Wanted::Active, Some(_)) => "ACTION_NEEDED",
        }
    }
}

#[derive(Debug, Default)]
struct ZoneState {
    /// In creation order.
    ksks: Vec<Ksk>,
    signing: bool,
    zsk: Option<Arc<Vec<u8>>>,
    version: u64,
}

impl ZoneState {
    fn ksk(&self, name: &str) -> Option<&Ksk> {
        self.ksks.iter().find(|k| k.name == name)
    }
    fn ksk_mut(&mut self, name: &str) -> Option<&mut Ksk> {
        self.ksks.iter_mut().find(|k| k.name == name)
    }
    fn active(&self) -> impl Iterator<Item = &Ksk> {
        self.ksks.iter().filter(|k| k.wanted == Wanted::Active)
    }
    fn serve_signature(&self) -> &'static str {
        match (self.signing, self.active().any(|k| k.problem.is_some())) {
            (false, _) => "NOT_SIGNING",
            (true, false) => "SIGNING",
            (true, true) => "ACTION_NEEDED",
        }
    }
}

/// A hosted zone as moto has it (with the lab's name servers).
struct HostedZone {
    name: Name,
    private: bool,
    name_servers: Vec<String>,
}

/// The lab's Route 53 DNSSEC.
pub struct Dnssec {
    upstream: String,
    client: Client<HttpConnector, Full<Bytes>>,
    kms: kms::Kms,
    sets: Arc<DelegationSets>,
    zones: Mutex<HashMap<String, ZoneState>>,
    parent: Mutex<Option<Arc<dyn ParentView>>>,
    versions: AtomicU64,
}

/// `2026-12-07T14:48:44.000Z`.
fn iso(t: SystemTime) -> String {
    crate::health_checks::iso8601(t)
}

fn invalid_kms(e: impl std::fmt::Display) -> Answer {
    error(400, "InvalidKMSArn", e.to_string())
}

fn no_ksk(zone: &str, name: &str) -> Answer {
    error(
        404,
        "NoSuchKeySigningKey",
        format!("No key-signing key named {name:?} exists in hosted zone {zone}."),
    )
}

fn bare_zone(id: &str) -> &str {
    id.trim_start_matches("/hostedzone/")
}

fn change_info() -> String {
    // The proxy gives it an ID of its own and its PENDING → INSYNC life (`pend`).
    format!(
        "<ChangeInfo><Id>/change/CLABDNSSEC</Id><Status>INSYNC</Status><SubmittedAt>{}</SubmittedAt></ChangeInfo>",
        iso(SystemTime::now())
    )
}

fn change_answer(root: &str) -> Answer {
    crate::reusable_sets::api::ok(
        200,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root} xmlns=\"{NS}\">{}</{root}>",
            change_info()
        ),
    )
}

fn ksk_xml(k: &Ksk) -> String {
    let r = &k.records;
    let message = k
        .problem
        .as_ref()
        .filter(|_| k.wanted == Wanted::Active)
        .map(|m| {
            // StatusMessage is at most 512 characters.
            let m: String = m.chars().take(512).collect();
            format!("<StatusMessage>{}</StatusMessage>", xml::escape(&m))
        })
        .unwrap_or_default();
    format!(
        "<Name>{}</Name><KmsArn>{}</KmsArn><Flag>{}</Flag><SigningAlgorithmMnemonic>{}</SigningAlgorithmMnemonic><SigningAlgorithmType>{}</SigningAlgorithmType><DigestAlgorithmMnemonic>{}</DigestAlgorithmMnemonic><DigestAlgorithmType>{}</DigestAlgorithmType><KeyTag>{}</KeyTag><DigestValue>{}</DigestValue><PublicKey>{}</PublicKey><DSRecord>{}</DSRecord><DNSKEYRecord>{}</DNSKEYRecord><Status>{}</Status>{message}<CreatedDate>{}</CreatedDate><LastModifiedDate>{}</LastModifiedDate>",
        xml::escape(&k.name),
        xml::escape(&k.kms_arn),
        ksk::FLAGS,
        ksk::ALGORITHM_MNEMONIC,
        ksk::ALGORITHM,
        ksk::DIGEST_MNEMONIC,
        ksk::DIGEST_TYPE,
        r.key_tag,
        r.digest_value,
        r.public_key,
        r.ds_record,
        r.dnskey_record,
        k.status(),
        iso(k.created),
        iso(k.modified),
    )
}

impl Dnssec {
    pub(crate) fn new(upstream: &str, sets: Arc<DelegationSets>) -> Dnssec {
        Dnssec {
            upstream: upstream.trim_end_matches('/').to_string(),
            client: Client::builder(hyper_util::rt::TokioExecutor::new()).build_http(),
            kms: kms::Kms::new(upstream),
            sets,
            zones: Mutex::new(HashMap::new()),
            parent: Mutex::new(None),
            versions: AtomicU64::new(1),
        }
    }

    /// Where the lab reads what a zone's parent publishes (without one: no DS, not delegated).
    pub fn set_parent(&self, parent: Arc<dyn ParentView>) {
        *self.parent.lock().unwrap() = Some(parent);
    }

    fn parent(&self) -> Option<Arc<dyn ParentView>> {
        self.parent.lock().unwrap().clone()
    }

    /// Some while the zone (id without /hostedzone/) is SIGNING (or ACTION_NEEDED: Route 53
    /// goes on signing with its ZSK; only the KSKs whose KMS key was usable at the last check are
    /// listed).
    pub fn signing(&self, zone_id: &str) -> Option<ZoneSigning> {
        let zones = self.zones.lock().unwrap();
        let z = zones.get(bare_zone(zone_id))?;
        if !z.signing {
            return None;
        }
        Some(ZoneSigning {
            version: z.version,
            zsk_pkcs8: z.zsk.clone()?,
            ksks: z
                .active()
                .filter(|k| k.problem.is_none())
                .map(|k| (ksk::dnskey(&k.public_key), k.kms_arn.clone()))
                .collect(),
        })
    }

    /// RAW ECDSA_SHA_256 signature of `message` by the KMS key, converted from DER to DNSSEC's
    /// 64-byte r||s. The key is checked first (moto signs with disabled keys): an unusable key
    /// makes its KSKs ACTION_NEEDED and is an error.
    pub async fn kms_sign(&self, kms_arn: &str, message: &[u8]) -> Result<Vec<u8>, DnssecError> {
        if message.is_empty() {
            return Err(DnssecError::EmptyMessage);
        }
        if message.len() > kms::MAX_RAW_MESSAGE {
            return Err(DnssecError::MessageTooLong(message.len()));
        }
        let access_key = {
            let zones = self.zones.lock().unwrap();
            zones
                .values()
                .flat_map(|z| z.ksks.iter())
                .find(|k| k.kms_arn == kms_arn)
                .map(|k| k.access_key.clone())
        }
        .ok_or_else(|| DnssecError::UnknownKey(kms_arn.to_string()))?;
        let problem = self.key_problem(&access_key, kms_arn).await;
        self.note_problem(kms_arn, problem.clone());
        if let Some(reason) = problem {
            return Err(DnssecError::Unusable {
                arn: kms_arn.to_string(),
                reason,
            });
        }
        let der = self
            .kms
            .sign(&access_key, ksk::KMS_REGION, kms_arn, message)
            .await?;
        der::der_to_raw(&der)
            .map(|raw| raw.to_vec())
            .map_err(|reason| DnssecError::Signature {
                arn: kms_arn.to_string(),
                reason,
            })
    }

    /// A new version for a zone's signing data.
    fn bump(&self, z: &mut ZoneState) {
        z.version = self.versions.fetch_add(1, Ordering::SeqCst);
        self.sets.changed();
    }

    /// Records the outcome of a check of `arn` on every KSK that uses it.
    fn note_problem(&self, arn: &str, problem: Option<String>) {
        let mut zones = self.zones.lock().unwrap();
        let mut moved = Vec::new();
        for (id, z) in zones.iter_mut() {
            let mut changed = false;
            for k in z.ksks.iter_mut().filter(|k| k.kms_arn == arn) {
                if k.problem != problem {
                    k.problem = problem.clone();
                    changed = true;
                }
            }
            if changed {
                moved.push(id.clone());
            }
        }
        for id in moved {
            if let Some(z) = zones.get_mut(&id) {
                self.bump(z);
            }
        }
    }

    /// Why key `arn` cannot be a KSK's key (Route 53's rules, in order), None when it can.
    async fn key_problem(&self, access_key: &str, arn: &str) -> Option<String> {
        self.check_key(access_key, arn).await.err()
    }

    /// Route 53's key rules: region, existence, spec, usage, state, policy. Err: the sentence.
    async fn check_key(&self, access_key: &str, arn: &str) -> Result<(), String> {
        let parsed = ksk::check_region(arn).map_err(|e| e.to_string())?;
        let facts = match self.kms.describe_key(access_key, &parsed.region, arn).await {
            Ok(f) => f,
            Err(e) if e.is_not_found() => {
                return Err(format!(
                    "the KMS key {arn} does not exist in {} (or was deleted)",
                    parsed.region
                ))
            }
            Err(e) => return Err(e.to_string()),
        };
        ksk::check_key(arn, &facts).map_err(|e| e.to_string())?;
        let policy = self
            .kms
            .key_policy(access_key, &parsed.region, arn)
            .await
            .map_err(|e| e.to_string())?;
        ksk::check_policy(arn, &parsed.account, &policy).map_err(|e| e.to_string())?;
        Ok(())
    }

    /// The zone as moto has it, read as the caller's account.
    async fn hosted_zone(&self, access_key: &str, id: &str) -> Result<HostedZone, Answer> {
        let uri = format!("{}/2013-04-01/hostedzone/{id}", self.upstream);
        let internal = |e: String| {
            error(
                500,
                "InternalFailure",
                format!("lab: reading zone {id}: {e}"),
            )
        };
        let req = hyper::Request::get(uri)
            .header(
                "authorization",
                format!("AWS4-HMAC-SHA256 Credential={access_key}/20260101/us-east-1/route53/aws4_request, SignedHeaders=host, Signature=0"),
            )
            .body(Full::new(Bytes::new()))
            .map_err(|e| internal(e.to_string()))?;
        let resp = self
            .client
            .request(req)
            .await
            .map_err(|e| internal(e.to_string()))?;
        let status = resp.status();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| internal(e.to_string()))?
            .to_bytes();
        if status.as_u16() == 404 {
            return Err(error(
                404,
                "NoSuchHostedZone",
                format!("No hosted zone found with ID: {id}"),
            ));
        }
        if !status.is_success() {
            return Err(internal(format!("moto answered {status}")));
        }
        let text = self.sets.rewrite(id, &String::from_utf8_lossy(&body));
        let doc = xml::parse(text.as_bytes()).map_err(|e| internal(e.to_string()))?;
        let hz = doc
            .child("HostedZone")
            .ok_or_else(|| internal("no HostedZone".into()))?;
        let name = Name::parse(hz.text_at(&["Name"]).unwrap_or_default())
            .map_err(|e| internal(e.to_string()))?;
        let name_servers = doc
            .child("DelegationSet")
            .and_then(|d| d.child("NameServers"))
            .map(|n| {
                n.children_named("NameServer")
                    .map(|s| crate::moto_api::norm(s.text_at(&[]).unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(HostedZone {
            name,
            private: hz.text_at(&["Config", "PrivateZone"]) == Some("true"),
            name_servers,
        })
    }

    /// Answers the DNSSEC actions (`act` as the proxy names them); None for any other.
    /// `authorization` is the request's, for the caller's account.
    pub(crate) async fn handle(
        &self,
        act: &str,
        path: &str,
        authorization: Option<&str>,
        body: &[u8],
    ) -> Option<Answer> {
        let key = crate::authorizations::access_key(authorization)
            .unwrap_or(DEFAULT_KEY)
            .to_string();
        let segs = segments(path);
        let seg = |i: usize| segs.get(i).copied().unwrap_or_default().to_string();
        Some(match act {
            "CreateKeySigningKey" => self.create(&key, body).await,
            "ActivateKeySigningKey" => self.activate(&seg(2), &seg(3)).await,
            "DeactivateKeySigningKey" => self.deactivate(&key, &seg(2), &seg(3)).await,
            "DeleteKeySigningKey" => self.delete(&seg(2), &seg(3)),
            "EnableHostedZoneDNSSEC" => self.enable(&key, &seg(2)).await,
            "DisableHostedZoneDNSSEC" => self.disable(&key, &seg(2)).await,
            "GetDNSSEC" => self.get(&key, &seg(2)).await,
            _ => return None,
        })
    }

    async fn create(&self, key: &str, body: &[u8]) -> Answer {
        let Ok(doc) = xml::parse(body) else {
            return invalid("The request body is not XML.");
        };
        let field = |f: &str| doc.text_at(&[f]).map(str::trim).filter(|s| !s.is_empty());
        let (Some(caller), Some(zone_id), Some(arn), Some(name), Some(status)) = (
            field("CallerReference"),
            field("HostedZoneId"),
            field("KeyManagementServiceArn"),
            field("Name"),
            field("Status"),
        ) else {
            return invalid("CallerReference, HostedZoneId, KeyManagementServiceArn, Name and Status are required.");
        };
        if caller.chars().count() > ksk::MAX_CALLER_REFERENCE_CHARS {
            return invalid(format!(
                "CallerReference is longer than {} characters.",
                ksk::MAX_CALLER_REFERENCE_CHARS
            ));
        }
        if let Err(e) = ksk::valid_name(name) {
            return error(400, "InvalidKeySigningKeyName", e.to_string());
        }
        let wanted = match status {
            "ACTIVE" => Wanted::Active,
            "INACTIVE" => Wanted::Inactive,
            other => {
                return error(
                    400,
                    "InvalidKeySigningKeyStatus",
                    format!("A new key-signing key's status is ACTIVE or INACTIVE, not {other:?}."),
                )
            }
        };
        let zone_id = bare_zone(zone_id).to_string();
        let zone = match self.hosted_zone(key, &zone_id).await {
            Ok(z) => z,
            Err(a) => return a,
        };
        if zone.private {
            return error(
                400,
                "InvalidArgument",
                "DNSSEC signing is not supported for private hosted zones.",
            );
        }
        if let Some(a) = self.room_for(&zone_id, name, arn) {
            return a;
        }
        if let Err(e) = self.check_key(key, arn).await {
            return invalid_kms(e);
        }
        let public_key = match self.kms.public_key(key, ksk::KMS_REGION, arn).await {
            Ok(der) => match ksk::public_key_from_spki(&der) {
                Ok(p) => p,
                Err(e) => return invalid_kms(e),
            },
            Err(e) => return invalid_kms(e),
        };
        let records = match ksk::records(&zone.name, &public_key) {
            Ok(r) => r,
            Err(e) => return error(500, "InternalFailure", e.to_string()),
        };
        let now = SystemTime::now();
        let k = Ksk {
            name: name.to_string(),
            kms_arn: arn.to_string(),
            access_key: key.to_string(),
            wanted,
            problem: None,
            public_key,
            records,
            created: now,
            modified: now,
        };
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CreateKeySigningKeyResponse xmlns=\"{NS}\">{}<KeySigningKey>{}</KeySigningKey></CreateKeySigningKeyResponse>",
            change_info(),
            ksk_xml(&k)
        );
        // The KMS calls ran unlocked: the zone's rules are checked again with the insert.
        if let Some(a) = self.room_for(&zone_id, name, arn) {
            return a;
        }
        let mut zones = self.zones.lock().unwrap();
        let z = zones.entry(zone_id.clone()).or_default();
        z.ksks.push(k);
        self.bump(z);
        Answer::Ok {
            status: 201,
            body,
            location: Some(format!(
                "https://route53.amazonaws.com/2013-04-01/keysigningkey/{zone_id}/{name}"
            )),
        }
    }

    /// Whether zone `zone_id` can take a KSK named `name` on key `arn`.
    fn room_for(&self, zone_id: &str, name: &str, arn: &str) -> Option<Answer> {
        let zones = self.zones.lock().unwrap();
        let z = zones.get(zone_id)?;
        if z.ksk(name).is_some() {
            return Some(error(
                409,
                "KeySigningKeyAlreadyExists",
                format!("Hosted zone {zone_id} already has a key-signing key named {name:?}."),
            ));
        }
        if let Some(k) = z.ksks.iter().find(|k| k.kms_arn == arn) {
            return Some(error(409, "KeySigningKeyAlreadyExists", format!("Key-signing key {:?} of hosted zone {zone_id} already uses the KMS key {arn}; each KSK of a zone needs its own key.", k.name)));
        }
        if z.ksks.len() >= ksk::MAX_KSKS_PER_ZONE {
            return Some(error(400, "TooManyKeySigningKeys", format!("Hosted zone {zone_id} already has {} key-signing keys, the most a zone can have.", ksk::MAX_KSKS_PER_ZONE)));
        }
        None
    }

    /// The KSK's key and access key, or NoSuchKeySigningKey.
    fn find(&self, zone_id: &str, name: &str) -> Result<(String, String, Wanted), Answer> {
        let zones = self.zones.lock().unwrap();
        zones
            .get(zone_id)
            .and_then(|z| z.ksk(name))
            .map(|k| (k.kms_arn.clone(), k.access_key.clone(), k.wanted))
            .ok_or_else(|| no_ksk(zone_id, name))
    }

    /// Sets a KSK's wanted status (and its check outcome), stamping it.
    fn set_status(
        &self,
        zone_id: &str,
        name: &str,
        wanted: Wanted,
        problem: Option<String>,
    ) -> Answer {
        let mut zones = self.zones.lock().unwrap();
        let Some(z) = zones.get_mut(zone_id) else {
            return no_ksk(zone_id, name);
        };
        let Some(k) = z.ksk_mut(name) else {
            return no_ksk(zone_id, name);
        };
        if k.wanted != wanted || k.problem != problem {
            k.wanted = wanted;
            k.problem = problem;
            k.modified = SystemTime::now();
            self.bump(z);
        }
        change_answer(match wanted {
            Wanted::Active => "ActivateKeySigningKeyResponse",
            Wanted::Inactive => "DeactivateKeySigningKeyResponse",
        })
    }

    async fn activate(&self, zone_id: &str, name: &str) -> Answer {
        let zone_id = bare_zone(zone_id);
        let (arn, access_key, _) = match self.find(zone_id, name) {
            Ok(f) => f,
            Err(a) => return a,
        };
        if let Err(e) = self.check_key(&access_key, &arn).await {
            return invalid_kms(e);
        }
        self.set_status(zone_id, name, Wanted::Active, None)
    }

    async fn deactivate(&self, key: &str, zone_id: &str, name: &str) -> Answer {
        let zone_id = bare_zone(zone_id);
        let (_, _, wanted) = match self.find(zone_id, name) {
            Ok(f) => f,
            Err(a) => return a,
        };
        if wanted == Wanted::Inactive {
            return change_answer("DeactivateKeySigningKeyResponse");
        }
        {
            let zones = self.zones.lock().unwrap();
            if let Some(z) = zones.get(zone_id) {
                if z.signing && z.active().count() == 1 {
                    return error(400, "KeySigningKeyInUse", format!("The key-signing key {name:?} can't be deactivated because it's the only KSK for a currently-enabled DNSSEC (hosted zone {zone_id}). Disable DNSSEC signing, or add or enable another KSK."));
                }
            }
        }
        let zone = match self.hosted_zone(key, zone_id).await {
            Ok(z) => z,
            Err(a) => return a,
        };
        if let Some(ds) = self.parent_ds_of(&zone, zone_id, Some(name)).await {
            return in_parent_ds(&zone, &ds);
        }
        self.set_status(zone_id, name, Wanted::Inactive, None)
    }

    /// A DS the parent publishes for `zone` that matches an ACTIVE KSK (only `only` if given).
    async fn parent_ds_of(
        &self,
        zone: &HostedZone,
        zone_id: &str,
        only: Option<&str>,
    ) -> Option<String> {
        let parent = self.parent()?;
        let ds = parent.ds(zone.name.as_str()).await;
        if ds.is_empty() {
            return None;
        }
        let keys: Vec<String> = {
            let zones = self.zones.lock().unwrap();
            zones
                .get(zone_id)
                .map(|z| {
                    z.active()
                        .filter(|k| only.is_none_or(|n| n == k.name))
                        .map(|k| k.records.dnskey_record.clone())
                        .collect()
                })
                .unwrap_or_default()
        };
        ds.into_iter()
            .find(|d| keys.iter().any(|k| ksk::ds_matches(&zone.name, k, d)))
    }

    fn delete(&self, zone_id: &str, name: &str) -> Answer {
        let zone_id = bare_zone(zone_id);
        let mut zones = self.zones.lock().unwrap();
        let Some(z) = zones.get_mut(zone_id) else {
            return no_ksk(zone_id, name);
        };
        let Some(k) = z.ksk(name) else {
            return no_ksk(zone_id, name);
        };
        if k.wanted != Wanted::Inactive {
            return error(
                400,
                "InvalidKeySigningKeyStatus",
                format!(
                    "The key-signing key {name:?} is {}; deactivate it before deleting it.",
                    k.status()
                ),
            );
        }
        z.ksks.retain(|k| k.name != name);
        self.bump(z);
        change_answer("DeleteKeySigningKeyResponse")
    }

    async fn enable(&self, key: &str, zone_id: &str) -> Answer {
        let zone_id = bare_zone(zone_id);
        let zone = match self.hosted_zone(key, zone_id).await {
            Ok(z) => z,
            Err(a) => return a,
        };
        if zone.private {
            return error(
                400,
                "InvalidArgument",
                "DNSSEC signing is not supported for private hosted zones.",
            );
        }
        let problems = self.recheck_active(zone_id).await;
        if problems.is_empty() {
            return error(400, "KeySigningKeyWithActiveStatusNotFound", format!("A KSK with ACTIVE status wasn't found in hosted zone {zone_id}; create or activate one first."));
        }
        if problems.iter().all(Option::is_some) {
            let last = problems.into_iter().flatten().last().unwrap_or_default();
            return invalid_kms(last);
        }
        if let Some(parent) = self.parent() {
            if let Some(ns) = parent.ns(zone.name.as_str()).await {
                let mine: std::collections::BTreeSet<&str> =
                    zone.name_servers.iter().map(String::as_str).collect();
                let theirs: std::collections::BTreeSet<&str> =
                    ns.iter().map(String::as_str).collect();
                if mine != theirs && !mine.is_disjoint(&theirs) {
                    return error(400, "HostedZonePartiallyDelegated", format!("The hosted zone nameservers don't match the parent nameservers. The hosted zone and parent must have the same nameservers: the parent of {} delegates to {} and the zone's are {}.", zone.name.as_str(), ns.join(", "), zone.name_servers.join(", ")));
                }
            }
        }
        let mut zones = self.zones.lock().unwrap();
        let z = zones.entry(zone_id.to_string()).or_default();
        if !z.signing {
            if z.zsk.is_none() {
                match new_zsk() {
                    Ok(k) => z.zsk = Some(Arc::new(k)),
                    Err(e) => {
                        return error(500, "InternalFailure", format!("lab: making the ZSK: {e}"))
                    }
                }
            }
            z.signing = true;
            self.bump(z);
        }
        change_answer("EnableHostedZoneDNSSECResponse")
    }

    async fn disable(&self, key: &str, zone_id: &str) -> Answer {
        let zone_id = bare_zone(zone_id);
        let zone = match self.hosted_zone(key, zone_id).await {
            Ok(z) => z,
            Err(a) => return a,
        };
        let (signing, has_ksks) = {
            let zones = self.zones.lock().unwrap();
            zones
                .get(zone_id)
                .map(|z| (z.signing, !z.ksks.is_empty()))
                .unwrap_or_default()
        };
        if !signing && !has_ksks {
            return error(
                400,
                "DNSSECNotFound",
                format!("The hosted zone {zone_id} doesn't have any DNSSEC resources."),
            );
        }
        if signing {
            if let Some(ds) = self.parent_ds_of(&zone, zone_id, None).await {
                return in_parent_ds(&zone, &ds);
            }
            let mut zones = self.zones.lock().unwrap();
            if let Some(z) = zones.get_mut(zone_id) {
                z.signing = false;
                self.bump(z);
            }
        }
        change_answer("DisableHostedZoneDNSSECResponse")
    }

    /// Checks the KMS key of each of the zone's ACTIVE KSKs now and records what is wrong with
    /// it (ACTION_NEEDED until it is usable again); the problems, one per key.
    async fn recheck_active(&self, zone_id: &str) -> Vec<Option<String>> {
        let active: Vec<(String, String)> = {
            let zones = self.zones.lock().unwrap();
            zones
                .get(zone_id)
                .map(|z| {
                    z.active()
                        .map(|k| (k.kms_arn.clone(), k.access_key.clone()))
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut problems = Vec::with_capacity(active.len());
        for (arn, access_key) in &active {
            let problem = self.key_problem(access_key, arn).await;
            self.note_problem(arn, problem.clone());
            problems.push(problem);
        }
        problems
    }

    async fn get(&self, key: &str, zone_id: &str) -> Answer {
        let zone_id = bare_zone(zone_id);
        if let Err(a) = self.hosted_zone(key, zone_id).await {
            return a;
        }
        self.recheck_active(zone_id).await;
        let zones = self.zones.lock().unwrap();
        let (serve, message, ksks) = match zones.get(zone_id) {
            Some(z) => {
                let message = (z.serve_signature() == "ACTION_NEEDED").then(|| {
                    "A key-signing key's KMS key cannot be used for signing: see the KSKs' StatusMessage, fix the key, then activate or deactivate the KSK.".to_string()
                });
                let ksks: String = z
                    .ksks
                    .iter()
                    .map(|k| format!("<member>{}</member>", ksk_xml(k)))
                    .collect();
                (z.serve_signature(), message, ksks)
            }
            None => ("NOT_SIGNING", None, String::new()),
        };
        let message = message
            .map(|m| format!("<StatusMessage>{}</StatusMessage>", xml::escape(&m)))
            .unwrap_or_default();
        crate::reusable_sets::api::ok(
            200,
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GetDNSSECResponse xmlns=\"{NS}\"><Status><ServeSignature>{serve}</ServeSignature>{message}</Status><KeySigningKeys>{ksks}</KeySigningKeys></GetDNSSECResponse>"
            ),
        )
    }

    /// Route 53 refuses to delete a zone that still has DNSSEC resources. The exact error is
    /// believed, not checked: HostedZoneNotEmpty, as for a zone with record sets.
    pub(crate) fn refuse_zone_delete(&self, zone_id: &str) -> Option<Answer> {
        let zone_id = bare_zone(zone_id);
        let zones = self.zones.lock().unwrap();
        let z = zones.get(zone_id)?;
        if z.ksks.is_empty() && !z.signing {
            return None;
        }
        Some(error(400, "HostedZoneNotEmpty", format!("The specified hosted zone {zone_id} contains DNSSEC key-signing keys or signs, so it cannot be deleted: disable DNSSEC signing, then deactivate and delete its key-signing keys.")))
    }

    /// A zone was deleted: its DNSSEC state goes.
    pub(crate) fn forget_zone(&self, zone_id: &str) {
        self.zones.lock().unwrap().remove(bare_zone(zone_id));
    }
}

fn in_parent_ds(zone: &HostedZone, ds: &str) -> Answer {
    error(400, "KeySigningKeyInParentDSRecord", format!("The key-signing key (KSK) is specified in a parent DS record: the parent of {} publishes DS {ds}. Remove the DS at the parent (and wait for its TTL) first.", zone.name.as_str()))
}

/// A new ZSK: ECDSA P-256, PKCS#8 DER.
fn new_zsk() -> Result<Vec<u8>, String> {
    hickory_proto::dnssec::crypto::EcdsaSigningKey::generate_pkcs8(
        hickory_proto::dnssec::Algorithm::ECDSAP256SHA256,
    )
    .map(|k| k.secret_pkcs8_der().to_vec())
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests;
