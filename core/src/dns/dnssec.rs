//! DNSSEC validation in process, over the same iterative walk as the delegation checks: from a
//! trust anchor for the root, down each cut (the DS set from the parent's servers, the child's
//! DNSKEY set signed by a key a DS names) to the answer's RRSIGs or its NSEC denial. Authoritative
//! servers only, DO bit set: what every validating resolver will conclude once caches expire,
//! without a resolver's cache in the way.
//!
//! ECDSA, RSA and Ed25519 keys verify through hickory; NSEC3 proofs are not checked (Route 53 and
//! the lab sign with NSEC) and come out as [`Security::Indeterminate`].

use std::time::{SystemTime, UNIX_EPOCH};

use hickory_proto::dnssec::rdata::{DNSSECRData, DNSKEY, DS, RRSIG};
use hickory_proto::dnssec::Verifier;
use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use r53_zone::name::{normalise, within};

use super::delegation::{referral, Walker};
use super::view::{display_zone, fq};
use crate::dns::DnsError;

/// What a validating resolver concludes about an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Security {
    /// Signed all the way from the trust anchor.
    Secure,
    /// The chain ends at `cut`: its parent proves it has no DS (an unsigned delegation).
    Insecure { cut: String },
    /// The chain is broken at `zone`: every validating resolver fails the answer.
    Bogus { zone: String, reason: String },
    /// Could not be decided here (e.g. an NSEC3 proof).
    Indeterminate { reason: String },
}

impl Security {
    /// Why, in a sentence: where an insecure chain ends, where and how a bogus one breaks, what
    /// stopped a decision; None when secure.
    pub fn reason(&self) -> Option<String> {
        match self {
            Security::Secure => None,
            Security::Insecure { cut } => Some(format!(
                "the parent publishes no DS for {} (an unsigned delegation)",
                display_zone(cut)
            )),
            Security::Bogus { zone, reason } => {
                Some(format!("{reason} (at {})", display_zone(zone)))
            }
            Security::Indeterminate { reason } => Some(reason.clone()),
        }
    }
}

impl std::fmt::Display for Security {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Security::Secure => write!(f, "secure"),
            Security::Insecure { cut } => {
                write!(
                    f,
                    "insecure (no DS for {} at its parent)",
                    display_zone(cut)
                )
            }
            Security::Bogus { zone, reason } => {
                write!(f, "bogus at {}: {reason}", display_zone(zone))
            }
            Security::Indeterminate { reason } => write!(f, "indeterminate: {reason}"),
        }
    }
}

/// A root trust anchor as a zone-file line: `. DNSKEY 257 3 13 <base64>` or `. DS <tag> <alg>
/// <digest type> <hex>` (a TTL and the class IN may stand between the owner and the type).
pub fn parse_trust_anchor(text: &str) -> Result<Record, String> {
    let line = text.trim();
    let mut tokens = line.split_whitespace().peekable();
    let owner = tokens.next().unwrap_or_default();
    if owner != "." {
        return Err(format!(
            "trust anchor {line:?}: only the root's key is taken (the owner must be \".\")"
        ));
    }
    let mut ttl = 172_800;
    if let Some(t) = tokens.peek().and_then(|t| t.parse::<u32>().ok()) {
        ttl = t;
        tokens.next();
    }
    if tokens.peek().is_some_and(|t| t.eq_ignore_ascii_case("IN")) {
        tokens.next();
    }
    let ty = tokens.next().unwrap_or_default().to_ascii_uppercase();
    let rdata: Vec<&str> = tokens.collect();
    let rdata = rdata.join(" ");
    let data = match ty.as_str() {
        "DNSKEY" => r53_zone::dnskey::parse_dnskey(&rdata)
            .map(|k| RData::DNSSEC(DNSSECRData::DNSKEY(k)))
            .map_err(|e| format!("trust anchor {line:?}: {e}"))?,
        "DS" => RData::DNSSEC(DNSSECRData::DS(
            ds_from_text("", &rdata).map_err(|e| format!("trust anchor {line:?}: {e}"))?,
        )),
        _ => {
            return Err(format!(
                "trust anchor {line:?}: must be a DNSKEY or a DS record"
            ))
        }
    };
    Ok(Record::from_rdata(Name::root(), ttl, data))
}

fn now() -> u32 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX))
        .unwrap_or(0)
}

fn bogus(zone: &str, reason: impl Into<String>) -> Security {
    Security::Bogus {
        zone: zone.to_string(),
        reason: reason.into(),
    }
}

/// The RRsets of a section (RRSIGs apart), each with the RRSIGs that cover it.
fn rrsets(records: &[Record]) -> Vec<(Vec<&Record>, Vec<&RRSIG>)> {
    let mut sets: Vec<(Vec<&Record>, Vec<&RRSIG>)> = Vec::new();
    for r in records
        .iter()
        .filter(|r| r.record_type() != RecordType::RRSIG)
    {
        match sets
            .iter_mut()
            .find(|(s, _)| s[0].name() == r.name() && s[0].record_type() == r.record_type())
        {
            Some((s, _)) => s.push(r),
            None => sets.push((vec![r], Vec::new())),
        }
    }
    for r in records {
        if let RData::DNSSEC(DNSSECRData::RRSIG(sig)) = r.data() {
            if let Some((_, sigs)) = sets
                .iter_mut()
                .find(|(s, _)| s[0].name() == r.name() && s[0].record_type() == sig.type_covered())
            {
                sigs.push(sig);
            }
        }
    }
    sets
}

/// Whether one of `keys` made one of `sigs` over `set`, within its validity, as signer `zone`.
fn verify_set(
    zone: &Name,
    keys: &[DNSKEY],
    set: &[&Record],
    sigs: &[&RRSIG],
) -> Result<(), String> {
    let Some(first) = set.first() else {
        return Err("an empty set".into());
    };
    let what = format!("the {} set at {}", first.record_type(), first.name());
    if sigs.is_empty() {
        return Err(format!("{what} is not signed"));
    }
    let t = now();
    let mut why = Vec::new();
    for sig in sigs {
        if sig.signer_name() != zone {
            why.push(format!("signed by {} instead of {zone}", sig.signer_name()));
            continue;
        }
        if t < sig.sig_inception().get() || t > sig.sig_expiration().get() {
            why.push(format!(
                "the signature by key {} is outside its validity",
                sig.key_tag()
            ));
            continue;
        }
        for key in keys {
            if key.calculate_key_tag().ok() != Some(sig.key_tag())
                || key.algorithm() != sig.algorithm()
            {
                continue;
            }
            match key.verify_rrsig(first.name(), DNSClass::IN, sig, set.iter().copied()) {
                Ok(()) => return Ok(()),
                Err(e) => why.push(format!("key {}: {e}", sig.key_tag())),
            }
        }
        if why.is_empty() {
            why.push(format!("no DNSKEY with tag {}", sig.key_tag()));
        }
    }
    Err(format!("{what} does not verify ({})", why.join("; ")))
}

/// The zone's DNSKEY set from a DNSKEY answer, trusted when one of its keys matches `trust` (a
/// DS that covers it, or the anchor key itself) and signed the set.
pub fn trusted_keys(m: &Message, zone: &Name, trust: &[Record]) -> Result<Vec<DNSKEY>, String> {
    let sets = rrsets(m.answers());
    let Some((set, sigs)) = sets
        .iter()
        .find(|(s, _)| s[0].name() == zone && s[0].record_type() == RecordType::DNSKEY)
    else {
        return Err(format!("{zone} serves no DNSKEY set"));
    };
    let keys: Vec<DNSKEY> = set
        .iter()
        .filter_map(|r| match r.data() {
            RData::DNSSEC(DNSSECRData::DNSKEY(k)) => Some(k.clone()),
            _ => None,
        })
        .collect();
    let matches = |k: &DNSKEY| {
        trust.iter().any(|t| match t.data() {
            RData::DNSSEC(DNSSECRData::DS(ds)) => ds.covers(zone, k).unwrap_or(false),
            RData::DNSSEC(DNSSECRData::DNSKEY(a)) => a == k,
            _ => false,
        })
    };
    let entry: Vec<DNSKEY> = keys.iter().filter(|k| matches(k)).cloned().collect();
    if entry.is_empty() {
        return Err(format!(
            "no DNSKEY of {zone} matches its DS set (the parent names a key the zone does not serve)"
        ));
    }
    verify_set(zone, &entry, set, sigs)
        .map_err(|e| format!("{e}: the key the DS names did not sign the DNSKEY set"))?;
    Ok(keys)
}

/// How a parent answered `DS` for `child`: the verified DS set, or None when an NSEC it signed
/// proves the delegation has none.
pub fn ds_set(
    m: &Message,
    child: &Name,
    zone: &Name,
    keys: &[DNSKEY],
) -> Result<Option<Vec<Record>>, String> {
    let answers = rrsets(m.answers());
    if let Some((set, sigs)) = answers
        .iter()
        .find(|(s, _)| s[0].name() == child && s[0].record_type() == RecordType::DS)
    {
        verify_set(zone, keys, set, sigs)?;
        return Ok(Some(set.iter().map(|r| (*r).clone()).collect()));
    }
    match denial(m, child, RecordType::DS, zone, keys)? {
        Denial::NoData(types)
            if types.contains(&RecordType::NS) && !types.contains(&RecordType::SOA) =>
        {
            Ok(None)
        }
        Denial::NoData(_) => Err(format!(
            "the NSEC for {child} does not show a delegation (no NS bit, or an SOA bit)"
        )),
        Denial::NoName => Err(format!("{zone} denies that {child} exists at all")),
    }
}

enum Denial {
    /// The name exists without the type; these types exist there.
    NoData(Vec<RecordType>),
    /// The name does not exist (a covering NSEC, and none for the wildcard).
    NoName,
}

/// Reads a signed negative answer for `qname`/`qtype`: an NSEC at the name without the type (or
/// a CNAME), or NSECs covering the name and the wildcard at its closest encloser.
fn denial(
    m: &Message,
    qname: &Name,
    qtype: RecordType,
    zone: &Name,
    keys: &[DNSKEY],
) -> Result<Denial, String> {
    let sets = rrsets(m.name_servers());
    if sets
        .iter()
        .any(|(s, _)| s[0].record_type() == RecordType::NSEC3)
    {
        return Err("NSEC3".into());
    }
    let mut nsecs = Vec::new();
    for (set, sigs) in sets
        .iter()
        .filter(|(s, _)| s[0].record_type() == RecordType::NSEC)
    {
        verify_set(zone, keys, set, sigs)?;
        for r in set {
            if let RData::DNSSEC(DNSSECRData::NSEC(n)) = r.data() {
                nsecs.push((
                    r.name().clone(),
                    n.next_domain_name().clone(),
                    n.type_bit_maps().collect::<Vec<_>>(),
                ));
            }
        }
    }
    if let Some((_, _, types)) = nsecs.iter().find(|(owner, _, _)| owner == qname) {
        if types.contains(&qtype) || types.contains(&RecordType::CNAME) {
            return Err(format!(
                "the NSEC at {qname} lists {qtype}, yet the answer has none"
            ));
        }
        return Ok(Denial::NoData(types.clone()));
    }
    let covers = |n: &Name| {
        nsecs.iter().any(|(owner, next, _)| {
            if owner < next {
                owner < n && n < next
            } else {
                // The last NSEC wraps round to the apex.
                owner < n || n < next
            }
        })
    };
    if !covers(qname) {
        return Err(format!(
            "no NSEC proves that {qname} {qtype} does not exist"
        ));
    }
    // The closest encloser: the nearest ancestor not itself denied; its wildcard must be.
    let mut ce = qname.base_name();
    while ce.num_labels() > zone.num_labels() && covers(&ce) {
        ce = ce.base_name();
    }
    let wildcard = Name::from_labels(std::iter::once(&b"*"[..]).chain(ce.iter()))
        .map_err(|e| format!("the wildcard at {ce}: {e}"))?;
    if !covers(&wildcard) && !nsecs.iter().any(|(o, _, _)| *o == wildcard) {
        return Err(format!("no NSEC proves that {wildcard} does not exist"));
    }
    Ok(Denial::NoName)
}

/// Checks the final answer from `zone`'s servers against its keys. Like [`trusted_keys`] and
/// [`ds_set`], a pure step of [`Walker::validate`] (no network): public for the fuzz harness.
pub fn check_answer(
    m: &Message,
    qname: &Name,
    qtype: RecordType,
    zone: &Name,
    keys: &[DNSKEY],
) -> Security {
    let zname = normalise(&zone.to_string());
    let sets = rrsets(m.answers());
    let in_zone: Vec<_> = sets
        .iter()
        .filter(|(s, _)| zone.zone_of(s[0].name()))
        .collect();
    if !in_zone.is_empty() {
        for (set, sigs) in in_zone {
            if let Err(e) = verify_set(zone, keys, set, sigs) {
                return bogus(&zname, e);
            }
        }
        return Security::Secure;
    }
    if !matches!(
        m.response_code(),
        ResponseCode::NoError | ResponseCode::NXDomain
    ) {
        return Security::Indeterminate {
            reason: format!("{zone} answered {}", m.response_code()),
        };
    }
    match denial(m, qname, qtype, zone, keys) {
        Ok(_) => Security::Secure,
        Err(e) if e == "NSEC3" => Security::Indeterminate {
            reason: format!("{zone} denies with NSEC3, which is not checked here"),
        },
        Err(e) => bogus(&zname, e),
    }
}

/// The RRSIG signer names in a message's answer and authority sections.
fn signers(m: &Message) -> Vec<Name> {
    let mut out: Vec<Name> = m
        .answers()
        .iter()
        .chain(m.name_servers())
        .filter_map(|r| match r.data() {
            RData::DNSSEC(DNSSECRData::RRSIG(s)) => Some(s.signer_name().clone()),
            _ => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

impl Walker {
    /// Asks the servers in turn with the DO bit until one answers.
    async fn ask_servers(
        &self,
        servers: &[super::view::Server],
        name: &str,
        ty: RecordType,
    ) -> Result<Message, DnsError> {
        let asked = self.ask_any_with(servers, name, ty, true).await;
        self.stopped()?;
        asked.map(|(_, m)| m).map_err(|detail| DnsError::NoAnswer {
            name: display_zone(name),
            zone: servers.first().map(|s| s.name.clone()).unwrap_or_default(),
            detail,
        })
    }

    /// Whether the zone `domain` validates: its SOA, from the settings' trust anchors.
    pub async fn zone_security(&self, domain: &str) -> Result<Security, DnsError> {
        let anchors = self.settings().anchors();
        self.validate(&anchors, domain, RecordType::SOA).await
    }

    /// Validates the answer for `name`/`qtype` from the trust anchors (root DNSKEY or DS
    /// records, see [`parse_trust_anchor`]). Transport failures are errors; a broken chain is
    /// [`Security::Bogus`], with the zone and the reason.
    pub async fn validate(
        &self,
        anchors: &[Record],
        name: &str,
        qtype: RecordType,
    ) -> Result<Security, DnsError> {
        let name = normalise(name);
        let qname = fq(&name)?;
        let mut zone = Name::root();
        let mut servers = self.roots();
        let m = self.ask_servers(&servers, "", RecordType::DNSKEY).await?;
        let mut keys = match trusted_keys(&m, &zone, anchors) {
            Ok(k) => k,
            Err(e) => {
                return Ok(bogus(
                    "",
                    format!("the root's keys and the trust anchor: {e}"),
                ))
            }
        };
        for _ in 0..super::delegation::MAX_DEPTH {
            let m = self.ask_servers(&servers, &name, qtype).await?;
            // A server that also runs a zone below the current one answers from it (a registry
            // running the root and its TLDs): step into each such zone on the same servers.
            for signer in signers(&m) {
                if signer != zone && zone.zone_of(&signer) && signer.zone_of(&qname) {
                    match self
                        .enter(&servers, &zone, &keys, &signer, &servers)
                        .await?
                    {
                        Ok(k) => {
                            keys = k;
                            zone = signer;
                        }
                        Err(verdict) => return Ok(verdict),
                    }
                }
            }
            let Some((cut, next)) = referral(&m) else {
                return Ok(check_answer(&m, &qname, qtype, &zone, &keys));
            };
            let child = fq(&cut)?;
            if !(zone.zone_of(&child) && child != zone && within(&name, &cut)) {
                return Err(DnsError::ReferralLoop {
                    name,
                    from: display_zone(&normalise(&zone.to_string())),
                    to: display_zone(&cut),
                });
            }
            match self.enter(&servers, &zone, &keys, &child, &next).await? {
                Ok(k) => {
                    keys = k;
                    zone = child;
                    servers = next;
                }
                Err(verdict) => return Ok(verdict),
            }
        }
        Err(DnsError::TooDeep { name })
    }

    /// Steps from `zone` (asked at `parent`) into `child` (asked at `servers`): its DS set from
    /// the parent, then its DNSKEY set. `Err` is the verdict when the chain stops there.
    async fn enter(
        &self,
        parent: &[super::view::Server],
        zone: &Name,
        keys: &[DNSKEY],
        child: &Name,
        servers: &[super::view::Server],
    ) -> Result<Result<Vec<DNSKEY>, Security>, DnsError> {
        let cname = normalise(&child.to_string());
        let m = self.ask_servers(parent, &cname, RecordType::DS).await?;
        let ds = match ds_set(&m, child, zone, keys) {
            Ok(Some(ds)) => ds,
            Ok(None) => return Ok(Err(Security::Insecure { cut: cname })),
            Err(e) if e == "NSEC3" => {
                return Ok(Err(Security::Indeterminate {
                    reason: format!(
                        "{zone} proves DS absence for {child} with NSEC3, not checked here"
                    ),
                }))
            }
            Err(e) => {
                return Ok(Err(bogus(
                    &normalise(&zone.to_string()),
                    format!("the DS for {child}: {e}"),
                )))
            }
        };
        let m = self
            .ask_servers(servers, &cname, RecordType::DNSKEY)
            .await?;
        Ok(trusted_keys(&m, child, &ds).map_err(|e| bogus(&cname, e)))
    }
}

/// What a name server serves for a zone that is about to get a DS at its parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedZone {
    /// The longest TTL among its SOA and NS sets and its negative-answer TTL (SOA minimum): how
    /// long a resolver may hold an answer it got before the zone was signed (the "no DNSKEY"
    /// answer included).
    pub max_ttl: u32,
    /// The TTL of its apex NS set.
    pub ns_ttl: u32,
}

impl Walker {
    /// Whether `server` serves `zone` signed so that a parent publishing `ds` makes it secure:
    /// its DNSKEY set holds the key of every DS, is signed by one of them, and its SOA verifies
    /// with that set. `Ok(Err(why))` says what is missing, in words.
    pub async fn serves_signed(
        &self,
        server: &str,
        zone: &str,
        ds: &[DS],
    ) -> Result<Result<SignedZone, String>, DnsError> {
        let zone = normalise(zone);
        let zname = fq(&zone)?;
        let one = [super::view::Server {
            name: normalise(server),
            addrs: Vec::new(),
        }];
        let ask = |ty| self.ask_any_with(&one, &zone, ty, true);
        let keys_m = match ask(RecordType::DNSKEY).await {
            Ok((_, m)) => m,
            Err(e) => return Ok(Err(format!("{server}: {e}"))),
        };
        self.stopped()?;
        let trust: Vec<Record> = ds
            .iter()
            .map(|d| {
                Record::from_rdata(zname.clone(), 0, RData::DNSSEC(DNSSECRData::DS(d.clone())))
            })
            .collect();
        let keys = match trusted_keys(&keys_m, &zname, &trust) {
            Ok(k) => k,
            Err(e) => return Ok(Err(format!("{server}: {e}"))),
        };
        for d in ds {
            if !keys.iter().any(|k| d.covers(&zname, k).unwrap_or(false)) {
                return Ok(Err(format!(
                    "{server} serves no DNSKEY for the DS {} of {}",
                    super::view::ds_key(d),
                    display_zone(&zone)
                )));
            }
        }
        let soa_m = match ask(RecordType::SOA).await {
            Ok((_, m)) => m,
            Err(e) => return Ok(Err(format!("{server}: {e}"))),
        };
        self.stopped()?;
        let verdict = check_answer(&soa_m, &zname, RecordType::SOA, &zname, &keys);
        if verdict != Security::Secure {
            return Ok(Err(format!(
                "{server}: the SOA of {} does not verify with its DNSKEY set ({verdict})",
                display_zone(&zone)
            )));
        }
        let ns_m = ask(RecordType::NS).await.ok().map(|(_, m)| m);
        self.stopped()?;
        let (mut max_ttl, mut ns_ttl) = (0u32, 0u32);
        for r in soa_m
            .answers()
            .iter()
            .chain(ns_m.iter().flat_map(|m| m.answers()))
            .filter(|r| r.name() == &zname)
        {
            match r.data() {
                RData::SOA(soa) => max_ttl = max_ttl.max(r.ttl()).max(soa.minimum()),
                RData::NS(_) => {
                    ns_ttl = ns_ttl.max(r.ttl());
                    max_ttl = max_ttl.max(r.ttl());
                }
                _ => {}
            }
        }
        Ok(Ok(SignedZone { max_ttl, ns_ttl }))
    }
}

/// The DS records a DS RDATA text names ("12345 13 2 ABCD…") for `owner`, parsed.
pub fn ds_from_text(owner: &str, rdata: &str) -> Result<DS, String> {
    let owner = normalise(owner);
    let line = if owner.is_empty() {
        format!(". 3600 IN DS {rdata}")
    } else {
        format!("{owner}. 3600 IN DS {rdata}")
    };
    let rec = parse_record(&line)?;
    match rec.data() {
        RData::DNSSEC(DNSSECRData::DS(d)) => Ok(d.clone()),
        _ => Err(format!("{rdata:?} is not a DS record")),
    }
}

fn parse_record(line: &str) -> Result<Record, String> {
    use hickory_proto::serialize::txt::Parser;
    Parser::new(line, None, Some(Name::root()))
        .parse()
        .map_err(|e| format!("{line:?}: {e}"))?
        .1
        .into_values()
        .next()
        .and_then(|s| s.records_without_rrsigs().next().cloned())
        .ok_or_else(|| format!("{line:?}: no record"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_anchors_are_root_keys_or_ds() {
        assert!(parse_trust_anchor(
            ". DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D"
        )
        .is_ok());
        assert!(parse_trust_anchor(". 172800 IN DNSKEY 257 3 13 AEtXQbNM9RSp2gGL+m5/J75x/1jM0HZ/t2qaxSQgEaKeOwKqp2QPNPXg8m76G6pq6QiW2F0BfuyGvXPJTXORBA==").is_ok());
        let e = parse_trust_anchor("test. DS 1 13 2 AA").unwrap_err();
        assert!(e.contains("only the root"), "{e}");
        assert!(parse_trust_anchor(". A 192.0.2.1")
            .unwrap_err()
            .contains("DNSKEY or a DS"));
        assert!(parse_trust_anchor("garbage").is_err());
    }
}
