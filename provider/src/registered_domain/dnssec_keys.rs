//! `dnssec_key` blocks of `r53_registered_domain`: the DNSSEC keys (DS records) Route 53 Domains
//! passes to the TLD registry.
//!
//! Keys are recognised only by their DS — key tag, digest type and SHA-256 digest computed here
//! from (flags, algorithm, public key) — never by the registrar's Id, Flags or PublicKey: since
//! 2026 `GetDomainDetail` no longer returns Flags or PublicKey (some registries not even the
//! algorithm) and its Ids changed form. Read therefore fills a key's flags and public key from,
//! in order: the registrar when it still returns them; the prior state when the digest matches;
//! the zone's own DNSKEY set read over DNS from the domain's name servers; else it leaves them
//! null (and the plan shows the difference).

use r53_core::dns::delegation::Walker;
use r53_core::domains::{DnssecKeyInput, DsParts, RegistrarDsKey};
use r53_core::{NameServer, RegisteredDomain};
use r53_plugin::Field;

use super::Registered;
use crate::meta::Meta;

/// DNSSEC algorithms Route 53 Domains takes for a key (its console's list; believed, from AWS's
/// documentation).
pub(crate) const ACCEPTED_ALGORITHMS: &[i64] = &[5, 7, 8, 10, 13, 14, 15, 16];

/// Keys a domain may hold at Route 53 Domains (believed: AWS's guide says up to 8; the API model
/// gives no number).
pub(crate) const MAX_KEYS: usize = 8;

r53_plugin::model! {
    /// A `dnssec_key` block.
    pub struct DnssecKeyBlock / DnssecKeyBlockAttrs {
        description: "A DNSSEC key whose DS record the registrar passes to the TLD registry (up to 8): the zone's \
             key-signing key, as its DNS host gives it. Keys are added and removed one at a time, each registrar \
             operation waited for; a key is recognised by its DS (key tag, digest type and digest computed from \
             `flags`, `algorithm` and `public_key`), never by the registrar's Id. No blocks: the domain's keys are \
             not managed here.";
        attributes {
            algorithm: i64 [required]
                "The key's DNSSEC algorithm number: 13 (ECDSAP256SHA256, what Route 53 signs with), 14, 15, 16, 8, 10, 5 or 7.",
            flags: i64 [required] "257 for a key-signing key (recommended), 256 for a zone-signing key.",
            public_key: String [required]
                "The base64 public key, as in the zone's DNSKEY record (`257 3 13 <this>`).",
            key_tag: i64 [computed] "The DS record's key tag (RFC 4034 Appendix B), computed from the key.",
            digest_type: i64 [computed] "The DS record's digest type: 2 (SHA-256).",
            digest: String [computed] "The DS record's digest, upper-case hex.",
            ds_record: String [computed]
                "The DS record data the registry publishes, `KEY-TAG ALGORITHM DIGEST-TYPE DIGEST`.",
        }
    }
}

impl DnssecKeyBlock {
    /// The key as given, when its three fields are known and in range.
    fn input(&self) -> Option<DnssecKeyInput> {
        Some(DnssecKeyInput {
            flags: u16::try_from(self.flags.get()?).ok()?,
            algorithm: u8::try_from(self.algorithm.get()?).ok()?,
            public_key: self.public_key.string()?,
        })
    }

    /// The DS of the key as given (None while unknown or invalid).
    fn ds(&self, domain: &str) -> Option<DsParts> {
        self.input()?.ds(domain).ok()
    }

    /// This block with its computed DS attributes set from the key (unknown while the key is).
    pub(super) fn with_ds(mut self, domain: &str) -> DnssecKeyBlock {
        match self.ds(domain) {
            Some(ds) => {
                self.key_tag = Field::Known(i64::from(ds.key_tag));
                self.digest_type = Field::Known(i64::from(ds.digest_type));
                self.ds_record = Field::Known(ds.text());
                self.digest = Field::Known(ds.digest);
            }
            None => {
                self.key_tag = Field::Unknown;
                self.digest_type = Field::Unknown;
                self.digest = Field::Unknown;
                self.ds_record = Field::Unknown;
            }
        }
        self
    }
}

/// Problems with the configured keys, as (block index or None, summary, detail).
pub(super) fn problems(
    m: &Registered,
    domain: Option<&str>,
) -> Vec<(Option<usize>, &'static str, String)> {
    let mut out = Vec::new();
    let keys = m.dnssec_key.items();
    if keys.len() > MAX_KEYS {
        out.push((
            None,
            "Too many DNSSEC keys",
            format!(
                "Route 53 Domains holds at most {MAX_KEYS} keys per domain; {} given",
                keys.len()
            ),
        ));
    }
    let mut seen: Vec<(usize, DsParts)> = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        if let Some(a) = k.algorithm.get() {
            if !ACCEPTED_ALGORITHMS.contains(&a) {
                out.push((
                    Some(i),
                    "Unsupported DNSSEC algorithm",
                    format!("algorithm {a} is not one Route 53 Domains accepts ({ACCEPTED_ALGORITHMS:?})"),
                ));
                continue;
            }
        }
        if let Some(f) = k.flags.get() {
            if f != 256 && f != 257 {
                out.push((
                    Some(i),
                    "Invalid DNSSEC key flags",
                    format!(
                        "flags must be 257 (key-signing key) or 256 (zone-signing key), not {f}"
                    ),
                ));
                continue;
            }
        }
        if let (Some(a), Some(pk)) = (k.algorithm.get(), k.public_key.as_str()) {
            if let Err(e) = r53_zone::dnskey::check_public_key(a as u8, pk) {
                out.push((Some(i), "Invalid DNSSEC public key", e.to_string()));
                continue;
            }
        }
        if let Some(ds) = domain.and_then(|d| k.ds(d)) {
            if let Some((j, _)) = seen
                .iter()
                .find(|(_, s)| s.key_tag == ds.key_tag && s.digest == ds.digest)
            {
                out.push((
                    Some(i),
                    "Duplicate DNSSEC key",
                    format!("the same key as dnssec_key block {j} (DS {})", ds.text()),
                ));
            }
            seen.push((i, ds));
        }
    }
    out
}

/// Where Read finds a key's flags and public key when the registrar does not say.
pub(super) struct KeySources<'a> {
    pub(super) prior: &'a [DnssecKeyBlock],
    /// The zone's DNSKEY set as served by its name servers: (flags, algorithm, base64).
    pub(super) served: Vec<(u16, u8, String)>,
}

/// The state's blocks for the registrar's keys: what the registrar says, completed from `src`.
/// Returns the blocks and whether some key's public key was found nowhere (then reading the
/// zone's DNSKEY set may help).
pub(super) fn blocks_from(
    domain: &str,
    keys: &[RegistrarDsKey],
    src: &KeySources<'_>,
) -> (Vec<DnssecKeyBlock>, bool) {
    let mut missing = false;
    let mut out = Vec::new();
    for k in keys {
        let matching = |input: DnssecKeyInput| -> Option<DnssecKeyInput> {
            input
                .ds(domain)
                .ok()
                .filter(|ds| k.matches(ds))
                .map(|_| input)
        };
        // 1. The registrar's own (pre-2026) fields.
        let from_registrar = match (k.flags, k.algorithm, &k.public_key) {
            (Some(flags), Some(algorithm), Some(pk)) => matching(DnssecKeyInput {
                flags,
                algorithm,
                public_key: pk.clone(),
            }),
            _ => None,
        };
        // 2. The prior state, keeping its spelling of the key.
        let from_prior = || {
            src.prior.iter().find_map(|b| {
                let input = b.input()?;
                matching(input).map(|i| (i, b.public_key.string()))
            })
        };
        // 3. The zone's served DNSKEY set.
        let from_dns = || {
            src.served.iter().find_map(|(flags, algorithm, pk)| {
                matching(DnssecKeyInput {
                    flags: *flags,
                    algorithm: *algorithm,
                    public_key: pk.clone(),
                })
            })
        };
        let found = from_registrar
            .map(|i| (i, None))
            .or_else(from_prior)
            .or_else(|| from_dns().map(|i| (i, None)));
        let algorithm = k.algorithm.or(found.as_ref().map(|(i, _)| i.algorithm));
        let block = match found {
            Some((i, spelling)) => DnssecKeyBlock {
                algorithm: Field::Known(i64::from(i.algorithm)),
                flags: Field::Known(i64::from(i.flags)),
                public_key: Field::Known(spelling.unwrap_or(i.public_key)),
                ..Default::default()
            },
            None => {
                missing = true;
                DnssecKeyBlock {
                    algorithm: algorithm.map(i64::from).into(),
                    ..Default::default()
                }
            }
        };
        out.push(DnssecKeyBlock {
            key_tag: Field::Known(i64::from(k.key_tag)),
            digest_type: Field::Known(i64::from(k.digest_type)),
            digest: Field::Known(k.digest.to_ascii_uppercase()),
            ds_record: algorithm
                .map(|a| {
                    format!(
                        "{} {a} {} {}",
                        k.key_tag,
                        k.digest_type,
                        k.digest.to_ascii_uppercase()
                    )
                })
                .into(),
            ..block
        });
    }
    (out, missing)
}

/// The zone's DNSKEY set, from the first of the domain's name servers that serves one (best
/// effort: failures leave it empty, and Read then leaves unmatched keys' fields null).
pub(super) async fn served_dnskeys(
    meta: &Meta,
    c: &r53_core::Call,
    d: &RegisteredDomain,
) -> Vec<(u16, u8, String)> {
    let w = Walker::new(meta.dns.clone()).bounded_by(c);
    for NameServer { name, glue_ips } in &d.name_servers {
        let glue: Vec<std::net::IpAddr> =
            glue_ips.iter().filter_map(|ip| ip.parse().ok()).collect();
        let a = w.check_server(name, Some(&glue), &d.name, true).await;
        let keys = a.dnskey_fields();
        if !keys.is_empty() {
            return keys;
        }
        if let Some(e) = &a.error {
            tracing::debug!(domain = %d.name, server = %name, "no DNSKEY set: {e}");
        }
    }
    Vec::new()
}

/// Brings the registrar's keys to the planned blocks: adds the missing ones first (a new DS is
/// published before an old one goes, as a key rollover needs), then removes the others, one
/// operation at a time, each waited for. Returns whether anything changed.
pub(super) async fn reconcile(
    meta: &Meta,
    c: &r53_core::Call,
    name: &str,
    live: &[RegistrarDsKey],
    planned: &[DnssecKeyBlock],
) -> Result<bool, r53_core::Error> {
    let dm = &meta.aws.domains;
    let mut want = Vec::new();
    for b in planned {
        let input = b.input().ok_or_else(|| {
            r53_core::Error::Invalid("a dnssec_key block is not fully known at apply time".into())
        })?;
        let ds = input.ds(name)?;
        want.push((input, ds));
    }
    let mut changed = false;
    for (input, ds) in &want {
        if !live.iter().any(|k| k.matches(ds)) {
            let op = dm.associate_ds(c, name, input).await?;
            tracing::info!(domain = %name, ds = %ds.text(), operation = %op.0, "DNSSEC key association submitted");
            dm.wait_operation_successful(c, &op).await?;
            changed = true;
        }
    }
    for k in live {
        if !want.iter().any(|(_, ds)| k.matches(ds)) {
            let ds = DsParts {
                key_tag: k.key_tag,
                algorithm: k.algorithm.unwrap_or_default(),
                digest_type: k.digest_type,
                digest: k.digest.clone(),
            };
            let op = match dm.disassociate_ds(c, name, &ds).await {
                Ok(op) => op,
                // Gone meanwhile: nothing to remove.
                Err(e) if e.is_not_found() => continue,
                Err(e) => return Err(e),
            };
            tracing::info!(domain = %name, key_tag = k.key_tag, operation = %op.0, "DNSSEC key removal submitted");
            dm.wait_operation_successful(c, &op).await?;
            changed = true;
        }
    }
    Ok(changed)
}

/// Fills the computed DS attributes of every planned block from its key, so the plan shows the
/// DS records exactly.
pub(super) fn plan_ds(m: &mut Registered, domain: &str) {
    if let Some(blocks) = m.dnssec_key.known() {
        let blocks: Vec<DnssecKeyBlock> = blocks
            .0
            .iter()
            .cloned()
            .map(|b| b.with_ds(domain))
            .collect();
        m.dnssec_key = Field::Known(blocks.into_iter().collect());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PK: &str =
        "mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==";

    fn ds() -> DsParts {
        DnssecKeyInput {
            flags: 257,
            algorithm: 13,
            public_key: PK.into(),
        }
        .ds("shop.test")
        .unwrap()
    }

    fn registrar_key(legacy: bool, algorithm: bool) -> RegistrarDsKey {
        let ds = ds();
        RegistrarDsKey {
            id: format!("DS:{}-13-2-{}", ds.key_tag, ds.digest),
            key_tag: ds.key_tag,
            digest_type: 2,
            digest: ds.digest.to_ascii_lowercase(),
            algorithm: algorithm.then_some(13),
            flags: legacy.then_some(257),
            public_key: legacy.then(|| PK.to_string()),
        }
    }

    fn block(pk: &str) -> DnssecKeyBlock {
        DnssecKeyBlock {
            algorithm: Field::Known(13),
            flags: Field::Known(257),
            public_key: Field::Known(pk.into()),
            ..Default::default()
        }
        .with_ds("shop.test")
    }

    #[test]
    fn read_fills_keys_from_the_registrar_then_prior_then_dns_else_null() {
        let none = KeySources {
            prior: &[],
            served: vec![],
        };
        let want = block(PK);
        // Legacy shape: the registrar says it all.
        let (b, missing) = blocks_from("shop.test", &[registrar_key(true, true)], &none);
        assert!(!missing);
        assert_eq!(b, std::slice::from_ref(&want));
        // 2026 shape: from the prior state…
        let prior = [want.clone()];
        let (b, missing) = blocks_from(
            "shop.test",
            &[registrar_key(false, true)],
            &KeySources {
                prior: &prior,
                served: vec![],
            },
        );
        assert!(!missing);
        assert_eq!(b, std::slice::from_ref(&want));
        // …or the served DNSKEY set (no algorithm from the registrar either)…
        let (b, missing) = blocks_from(
            "shop.test",
            &[registrar_key(false, false)],
            &KeySources {
                prior: &[],
                served: vec![(256, 13, "AAAA".into()), (257, 13, PK.into())],
            },
        );
        assert!(!missing);
        assert_eq!(b, std::slice::from_ref(&want));
        // …else flags and key stay null, the DS attributes still tell which key it is.
        let (b, missing) = blocks_from("shop.test", &[registrar_key(false, false)], &none);
        assert!(missing);
        assert!(b[0].public_key.is_null() && b[0].flags.is_null() && b[0].algorithm.is_null());
        assert_eq!(b[0].digest, want.digest);
        assert!(b[0].ds_record.is_null());
        // A prior key with another digest is not taken for it.
        let other = [block(&format!("{}AQ==", "AQEB".repeat(21)))];
        let (_, missing) = blocks_from(
            "shop.test",
            &[registrar_key(false, true)],
            &KeySources {
                prior: &other,
                served: vec![],
            },
        );
        assert!(missing);
    }

    #[test]
    fn planned_blocks_carry_their_ds() {
        let b = block(PK);
        let ds = ds();
        assert_eq!(b.key_tag.get(), Some(i64::from(ds.key_tag)));
        assert_eq!(b.digest_type.get(), Some(2));
        assert_eq!(b.ds_record.string(), Some(ds.text()));
        let unknown = DnssecKeyBlock {
            public_key: Field::Unknown,
            ..block(PK)
        }
        .with_ds("shop.test");
        assert!(unknown.digest.is_unknown());
    }
}
