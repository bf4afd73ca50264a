//! Online DNSSEC signing for the lab's DNS servers, the way Route 53 signs: every answer is signed
//! as it is sent (ECDSA P-256, algorithm 13), and a name or type that does not exist is denied with
//! one synthesised NSEC at the query name ("compact denial", RFC 9824's predecessor that Route 53
//! uses: NOERROR with `qname NSEC \000.qname` listing only what exists there) instead of a chain.
//!
//! Shared by the registry (its root and TLDs, one combined key each) and the Route 53 name servers
//! (a zone key in process, key-signing keys held in KMS — signing is async for that reason).

use std::sync::Arc;

use hickory_proto::dnssec::crypto::EcdsaSigningKey;
use hickory_proto::dnssec::rdata::{DNSSECRData, DNSKEY, NSEC, RRSIG, SIG};
use hickory_proto::dnssec::{Algorithm, DigestType, SigningKey, TBS};
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::rdata::SOA;
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};

/// How long a signature is good for, and how far back its inception is set (clock skew between
/// the signer and validators), as Knot does.
const VALIDITY: u32 = 14 * 86_400;
const INCEPTION_SKEW: u32 = 90 * 60;

/// TTL of DNSKEY sets (Route 53 publishes them for an hour).
pub(crate) const DNSKEY_TTL: u32 = 3_600;

/// A key that signs: in process, or one a KMS holds.
#[async_trait::async_trait]
pub(crate) trait Signer: Send + Sync {
    /// Its DNSKEY RDATA.
    fn dnskey(&self) -> &DNSKEY;
    /// Its RFC 4034 key tag.
    fn key_tag(&self) -> u16;
    /// DNSSEC's raw signature (64 bytes r||s for algorithm 13) over `message`.
    async fn sign(&self, message: &[u8]) -> anyhow::Result<Vec<u8>>;
}

/// An ECDSA P-256 key held in process.
pub(crate) struct LocalKey {
    key: EcdsaSigningKey,
    dnskey: DNSKEY,
    tag: u16,
}

impl LocalKey {
    /// A new key with the given DNSKEY flags (257: a key-signing key, 256: a zone key).
    pub(crate) fn generate(flags: u16) -> anyhow::Result<LocalKey> {
        let pkcs8 = EcdsaSigningKey::generate_pkcs8(Algorithm::ECDSAP256SHA256)
            .map_err(|e| anyhow::anyhow!("generating a P-256 key: {e}"))?;
        Self::from_pkcs8(pkcs8.secret_pkcs8_der(), flags)
    }

    /// The key in PKCS#8 DER.
    pub(crate) fn from_pkcs8(der: &[u8], flags: u16) -> anyhow::Result<LocalKey> {
        let der = rustls::pki_types::PrivatePkcs8KeyDer::from(der.to_vec());
        let key = EcdsaSigningKey::from_pkcs8(&der, Algorithm::ECDSAP256SHA256)
            .map_err(|e| anyhow::anyhow!("reading a P-256 key: {e}"))?;
        let public = key
            .to_public_key()
            .map_err(|e| anyhow::anyhow!("its public key: {e}"))?;
        let dnskey = DNSKEY::with_flags(flags, public);
        let tag = dnskey.calculate_key_tag()?;
        Ok(LocalKey { key, dnskey, tag })
    }
}

#[async_trait::async_trait]
impl Signer for LocalKey {
    fn dnskey(&self) -> &DNSKEY {
        &self.dnskey
    }
    fn key_tag(&self) -> u16 {
        self.tag
    }
    async fn sign(&self, message: &[u8]) -> anyhow::Result<Vec<u8>> {
        let tbs = TBS::from(message);
        self.key
            .sign(&tbs)
            .map_err(|e| anyhow::anyhow!("signing: {e}"))
    }
}

/// A signed zone's keys: the zone key signs every set but the DNSKEY set, which the key-signing
/// keys sign (the registry uses one key for both).
#[derive(Clone)]
pub(crate) struct ZoneKeys {
    pub apex: Name,
    pub zsk: Arc<dyn Signer>,
    pub ksks: Vec<Arc<dyn Signer>>,
}

impl ZoneKeys {
    /// The zone's DNSKEY set: the key-signing keys, then the zone key unless it is one of them.
    pub(crate) fn dnskey_set(&self) -> Vec<Record> {
        let mut keys: Vec<&DNSKEY> = self.ksks.iter().map(|k| k.dnskey()).collect();
        if !keys.contains(&self.zsk.dnskey()) {
            keys.push(self.zsk.dnskey());
        }
        keys.into_iter()
            .map(|k| {
                Record::from_rdata(
                    self.apex.clone(),
                    DNSKEY_TTL,
                    RData::DNSSEC(DNSSECRData::DNSKEY(k.clone())),
                )
            })
            .collect()
    }

    /// The DS records a parent publishes for this zone (SHA-256 of each key-signing key).
    pub(crate) fn ds_set(&self, ttl: u32) -> anyhow::Result<Vec<Record>> {
        let mut out = Vec::new();
        for k in &self.ksks {
            let digest = k.dnskey().to_digest(&self.apex, DigestType::SHA256)?;
            let ds = hickory_proto::dnssec::rdata::DS::new(
                k.key_tag(),
                Algorithm::ECDSAP256SHA256,
                DigestType::SHA256,
                digest.as_ref().to_vec(),
            );
            out.push(Record::from_rdata(
                self.apex.clone(),
                ttl,
                RData::DNSSEC(DNSSECRData::DS(ds)),
            ));
        }
        Ok(out)
    }

    /// RRSIGs over one RRset (records of one owner and type), with each key that signs that type.
    pub(crate) async fn sign_rrset(&self, rrset: &[Record]) -> anyhow::Result<Vec<Record>> {
        let Some(first) = rrset.first() else {
            return Ok(Vec::new());
        };
        let signers: Vec<&Arc<dyn Signer>> = if first.record_type() == RecordType::DNSKEY {
            self.ksks.iter().collect()
        } else {
            vec![&self.zsk]
        };
        let now = now();
        let mut out = Vec::new();
        for key in signers {
            // One original TTL for the set (a set's records share it; the smallest if not).
            let ttl = rrset.iter().map(|r| r.ttl()).min().unwrap_or(first.ttl());
            let labels = first.name().num_labels();
            let unsigned = SIG::new(
                first.record_type(),
                Algorithm::ECDSAP256SHA256,
                labels,
                ttl,
                now.saturating_add(VALIDITY),
                now.saturating_sub(INCEPTION_SKEW),
                key.key_tag(),
                self.apex.clone(),
                Vec::new(),
            );
            let tbs = TBS::from_sig(first.name(), DNSClass::IN, &unsigned, rrset.iter())?;
            let sig = key.sign(tbs.as_ref()).await?;
            let rrsig = RRSIG::new(
                first.record_type(),
                Algorithm::ECDSAP256SHA256,
                labels,
                ttl,
                now.saturating_add(VALIDITY),
                now.saturating_sub(INCEPTION_SKEW),
                key.key_tag(),
                self.apex.clone(),
                sig,
            );
            out.push(Record::from_rdata(
                first.name().clone(),
                ttl,
                RData::DNSSEC(DNSSECRData::RRSIG(rrsig)),
            ));
        }
        Ok(out)
    }

    /// A section with an RRSIG after each of its RRsets that `sign` says this zone signs (not a
    /// referral's NS set, not glue). RRSIGs already in the section (a cached DNSKEY set's) are
    /// kept with their set instead of signing it again.
    pub(crate) async fn sign_section(
        &self,
        records: Vec<Record>,
        sign: impl Fn(&Record) -> bool,
    ) -> anyhow::Result<Vec<Record>> {
        let mut out: Vec<Record> = Vec::with_capacity(records.len() * 2);
        let mut sets: Vec<Vec<Record>> = Vec::new();
        let mut given: Vec<Record> = Vec::new();
        for r in records {
            if r.record_type() == RecordType::RRSIG {
                given.push(r);
                continue;
            }
            match sets
                .iter_mut()
                .find(|s| s[0].name() == r.name() && s[0].record_type() == r.record_type())
            {
                Some(s) => s.push(r),
                None => sets.push(vec![r]),
            }
        }
        for set in sets {
            let covers = |r: &Record| match r.data() {
                RData::DNSSEC(DNSSECRData::RRSIG(s)) => {
                    r.name() == set[0].name() && s.type_covered() == set[0].record_type()
                }
                _ => false,
            };
            let sigs = if given.iter().any(covers) {
                given.iter().filter(|r| covers(r)).cloned().collect()
            } else if sign(&set[0]) {
                self.sign_rrset(&set).await?
            } else {
                Vec::new()
            };
            out.extend(set);
            out.extend(sigs);
        }
        Ok(out)
    }

    /// The compact-denial NSEC at `qname`: the next name is `\000.qname`, so the record covers
    /// nothing but `qname` itself, and the bitmap lists what exists there (plus RRSIG and NSEC).
    /// Its TTL is the SOA's negative TTL (RFC 9077).
    pub(crate) fn denial(
        &self,
        qname: &Name,
        types: &[RecordType],
        soa: &Record,
    ) -> Option<Record> {
        // A name too long to take the `\000` label gets no proof (a validator then fails that one
        // answer) rather than a wrong one.
        let next = Name::from_labels(std::iter::once(&b"\x00"[..]).chain(qname.iter())).ok()?;
        let mut bitmap: Vec<RecordType> = types.to_vec();
        bitmap.extend([RecordType::RRSIG, RecordType::NSEC]);
        let ttl = match soa.data() {
            RData::SOA(s) => negative_ttl(soa.ttl(), s),
            _ => soa.ttl(),
        };
        Some(Record::from_rdata(
            qname.clone(),
            ttl,
            RData::DNSSEC(DNSSECRData::NSEC(NSEC::new(next, bitmap))),
        ))
    }
}

/// Which hosted zones sign, and with what keys (the lab's Route 53 DNSSEC API); the name
/// servers ask it per answer.
pub(crate) trait SigningSource: Send + Sync {
    /// The zone's keys while it is signing, with a version that moves whenever they change
    /// (what cached signatures are keyed by).
    fn keys(&self, zone_id: &str, apex: &Name) -> Option<(u64, ZoneKeys)>;
}

/// What an unsigned answer was, for signing it.
pub(crate) enum Shape<'a> {
    /// A referral to `child`, whose DS set (empty: none) the parent holds.
    Referral { child: &'a Name, ds: Vec<Record> },
    /// An answer for `qname`, where the types `here` exist (a negative answer's denial lists them).
    Answer {
        qname: &'a Name,
        here: &'a [RecordType],
    },
}

/// Signs an answer of the zone `keys` sign: a referral gets the child's DS set or a proof that
/// there is none; a negative answer becomes NOERROR with the signed SOA and one NSEC at the query
/// name (compact denial); a positive one gets RRSIGs. `soa` is the zone's SOA record.
pub(crate) async fn sign_answer(
    keys: &ZoneKeys,
    shape: Shape<'_>,
    soa: &Record,
    code: &mut ResponseCode,
    answers: &mut Vec<Record>,
    authority: &mut Vec<Record>,
) -> anyhow::Result<()> {
    match shape {
        Shape::Referral { child, ds } => {
            let mut section = std::mem::take(authority);
            if ds.is_empty() {
                section.extend(keys.denial(child, &[RecordType::NS], soa));
            } else {
                section.extend(ds);
            }
            *authority = keys
                .sign_section(section, |r| r.record_type() != RecordType::NS)
                .await?;
        }
        Shape::Answer { qname, here } if answers.is_empty() => {
            *code = ResponseCode::NoError;
            let mut section = vec![soa.clone()];
            section.extend(keys.denial(qname, here, soa));
            *authority = keys.sign_section(section, |_| true).await?;
        }
        Shape::Answer { .. } => {
            *answers = keys.sign_section(std::mem::take(answers), |_| true).await?;
            if !authority.is_empty() {
                *authority = keys
                    .sign_section(std::mem::take(authority), |_| true)
                    .await?;
            }
        }
    }
    Ok(())
}

/// RFC 2308 / 9077: a negative answer lives min(SOA TTL, SOA minimum).
fn negative_ttl(ttl: u32, soa: &SOA) -> u32 {
    ttl.min(soa.minimum())
}

fn now() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::dnssec::Verifier;
    use std::str::FromStr;

    fn keys() -> ZoneKeys {
        let ksk: Arc<dyn Signer> = Arc::new(LocalKey::generate(257).unwrap());
        let zsk: Arc<dyn Signer> = Arc::new(LocalKey::generate(256).unwrap());
        ZoneKeys {
            apex: Name::from_str("shop.test.").unwrap(),
            zsk,
            ksks: vec![ksk],
        }
    }

    fn verify(keys: &ZoneKeys, set: &[Record], sig: &Record) -> anyhow::Result<()> {
        let RData::DNSSEC(DNSSECRData::RRSIG(rrsig)) = sig.data() else {
            anyhow::bail!("not an RRSIG: {sig}")
        };
        let key = if rrsig.key_tag() == keys.zsk.key_tag() {
            keys.zsk.dnskey()
        } else {
            keys.ksks[0].dnskey()
        };
        Ok(key.verify_rrsig(sig.name(), DNSClass::IN, rrsig, set.iter())?)
    }

    #[tokio::test]
    async fn sets_are_signed_by_the_right_key_and_verify() {
        let k = keys();
        let a = |ip: &str| {
            Record::from_rdata(
                Name::from_str("www.shop.test.").unwrap(),
                300,
                RData::A(ip.parse().unwrap()),
            )
        };
        let section = k
            .sign_section(vec![a("192.0.2.1"), a("192.0.2.2")], |_| true)
            .await
            .unwrap();
        assert_eq!(section.len(), 3, "{section:?}");
        verify(&k, &section[..2], &section[2]).unwrap();
        // Changed data no longer verifies (the test can fail).
        assert!(verify(&k, &[a("192.0.2.9"), a("192.0.2.2")], &section[2]).is_err());

        let dnskeys = k.dnskey_set();
        assert_eq!(dnskeys.len(), 2);
        let sigs = k.sign_rrset(&dnskeys).await.unwrap();
        assert_eq!(sigs.len(), 1, "the KSK signs the DNSKEY set");
        verify(&k, &dnskeys, &sigs[0]).unwrap();

        let ds = k.ds_set(3600).unwrap();
        let RData::DNSSEC(DNSSECRData::DS(ds)) = ds[0].data() else {
            panic!()
        };
        assert!(ds.covers(&k.apex, k.ksks[0].dnskey()).unwrap());
    }

    #[test]
    fn denial_covers_only_the_query_name() {
        let k = keys();
        let soa = Record::from_rdata(
            k.apex.clone(),
            900,
            RData::SOA(SOA::new(
                Name::root(),
                Name::root(),
                1,
                7200,
                900,
                1_209_600,
                300,
            )),
        );
        let q = Name::from_str("nope.shop.test.").unwrap();
        let nsec = k.denial(&q, &[], &soa).unwrap();
        assert_eq!(nsec.ttl(), 300);
        let RData::DNSSEC(DNSSECRData::NSEC(n)) = nsec.data() else {
            panic!()
        };
        assert_eq!(n.next_domain_name().to_string(), "\\000.nope.shop.test.");
        let types: Vec<RecordType> = n.type_bit_maps().collect();
        assert_eq!(types, [RecordType::RRSIG, RecordType::NSEC]);
    }
}
