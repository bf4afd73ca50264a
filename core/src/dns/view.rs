//! What a look at a delegation found: the parent's answers (NS, glue, DS, TTLs), each name
//! server's answer, and the checks on them (pure).

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use hickory_proto::dnssec::rdata::{DNSKEY, DS};
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::Name;
use r53_zone::name::{normalise, within};

use crate::dns::DnsError;

/// A name as hickory wants it (fully qualified), or the error naming it.
pub(super) fn fq(n: &str) -> Result<Name, DnsError> {
    Name::from_ascii(format!("{}.", normalise(n))).map_err(|e| DnsError::BadName {
        name: n.to_string(),
        message: e.to_string(),
    })
}

/// A name server and the addresses it was found at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Server {
    pub name: String,
    pub addrs: Vec<IpAddr>,
}

/// What one of the parent's servers says about the domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParentAnswer {
    /// A referral (or, from a server that also hosts the child, its apex NS) with this set.
    Delegated(Vec<String>),
    /// NXDOMAIN or no NS: the parent does not delegate the domain.
    NotDelegated,
    /// No usable answer.
    Failed(String),
}

/// The parent zone's view of a domain.
#[derive(Clone, Debug)]
pub struct ParentView {
    pub domain: String,
    /// The parent zone ("" for the root).
    pub zone: String,
    pub servers: Vec<Server>,
    /// Per parent server (by name), in `servers` order.
    pub answers: Vec<(String, ParentAnswer)>,
    /// Glue addresses the parent gave, per in-domain name server.
    pub glue: BTreeMap<String, Vec<IpAddr>>,
    /// DS records at the parent, in presentation form.
    pub ds: Vec<String>,
    /// TTL of the delegation's NS records at the parent (the longest any server gave).
    pub ns_ttl: Option<u32>,
    /// TTL of the DS records.
    pub ds_ttl: Option<u32>,
    pub(super) ds_data: Vec<DS>,
    /// Per parent server (by name): the DS set it answered, each as [`ds_key`]; None when it gave
    /// no usable answer. Publication is complete only when every server has it.
    pub ds_each: Vec<(String, Option<Vec<String>>)>,
}

impl ParentView {
    /// A view built from answers already had (callers' fixtures, a recorded view): no glue, DS
    /// or TTLs until the caller sets them.
    pub fn of(domain: &str, zone: &str, answers: Vec<(String, ParentAnswer)>) -> ParentView {
        ParentView {
            domain: domain.into(),
            zone: zone.into(),
            servers: Vec::new(),
            answers,
            glue: BTreeMap::new(),
            ds: Vec::new(),
            ns_ttl: None,
            ds_ttl: None,
            ds_data: Vec::new(),
            ds_each: Vec::new(),
        }
    }

    /// A view of `shop.test` at the parent `test` with one answer per parent server.
    #[cfg(test)]
    pub(crate) fn of_answers(answers: Vec<ParentAnswer>) -> ParentView {
        let answers = answers
            .into_iter()
            .enumerate()
            .map(|(i, a)| (format!("ns{i}.nic.test"), a))
            .collect();
        ParentView::of("shop.test", "test", answers)
    }
}

impl ParentView {
    /// The NS set the parent publishes, when every server that answered agrees; `None` when it
    /// publishes no delegation. Servers that failed to answer are ignored unless all did.
    pub fn published(&self) -> Option<Vec<String>> {
        let mut sets = self.answers.iter().filter_map(|(_, a)| match a {
            ParentAnswer::Delegated(ns) => Some(Some(ns.clone())),
            ParentAnswer::NotDelegated => Some(None),
            ParentAnswer::Failed(_) => None,
        });
        let first = sets.next()??;
        Some(first)
    }

    /// Every server's answer, `server: answer; …`, for messages.
    pub fn each_answer(&self) -> String {
        self.answers
            .iter()
            .map(|(s, a)| format!("{s}: {}", describe(a)))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// True when every parent server answered the same delegation.
    pub fn consistent(&self) -> bool {
        self.answers.windows(2).all(|w| w[0].1 == w[1].1)
    }

    /// The published set when every server answered it; `None` when there is no delegation or the
    /// servers disagree.
    pub fn agreed(&self) -> Option<Vec<String>> {
        self.published().filter(|_| self.consistent())
    }

    /// True when every parent server answered a DS set holding each of `want` ([`ds_key`] form).
    pub fn ds_on_every_server(&self, want: &[String]) -> bool {
        !self.ds_each.is_empty()
            && self.ds_each.iter().all(|(_, d)| {
                d.as_ref()
                    .is_some_and(|d| want.iter().all(|w| d.iter().any(|x| same_ds(w, x))))
            })
    }

    /// True when every parent server answered a DS set holding none of `gone`.
    pub fn ds_on_no_server(&self, gone: &[String]) -> bool {
        !self.ds_each.is_empty()
            && self.ds_each.iter().all(|(_, d)| {
                d.as_ref()
                    .is_some_and(|d| !gone.iter().any(|g| d.iter().any(|x| same_ds(g, x))))
            })
    }

    /// The DS set every answering server agrees on ([`ds_key`] form, sorted); None when they
    /// disagree or none answered.
    pub fn ds_agreed(&self) -> Option<Vec<String>> {
        let mut sets = self.ds_each.iter().filter_map(|(_, d)| d.as_ref());
        let first = sets.next()?;
        sets.all(|s| s == first).then(|| first.clone())
    }

    /// Each server's DS answer, `server: a | b; …`, for messages.
    pub fn each_ds(&self) -> String {
        self.ds_each
            .iter()
            .map(|(s, d)| match d {
                None => format!("{s}: no answer"),
                Some(d) if d.is_empty() => format!("{s}: no DS"),
                Some(d) => format!("{s}: {}", d.join(" | ")),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// True when every parent server publishes exactly `want` (compared normalised).
    pub fn publishes(&self, want: &[String]) -> bool {
        let want = normalise_set(want);
        !self.answers.is_empty()
            && self
                .answers
                .iter()
                .all(|(_, a)| matches!(a, ParentAnswer::Delegated(ns) if *ns == want))
    }
}

/// What a name server says about the domain.
#[derive(Clone, Debug, Default)]
pub struct ServerAnswer {
    pub name: String,
    pub addrs: Vec<IpAddr>,
    /// Answered the domain's SOA with the authoritative-answer flag.
    pub authoritative: bool,
    pub serial: Option<u32>,
    /// The apex NS set it serves.
    pub ns: Vec<String>,
    /// The TTL of that NS set.
    pub ns_ttl: Option<u32>,
    /// Why it is not usable ("no address", "REFUSED", "timed out", "not authoritative" …).
    pub error: Option<String>,
    pub(super) dnskeys: Vec<DNSKEY>,
}

impl ServerAnswer {
    /// An answer with no keys, for callers to fill in (their fixtures, a recorded answer).
    pub fn named(name: &str) -> ServerAnswer {
        ServerAnswer {
            name: name.into(),
            ..ServerAnswer::default()
        }
    }

    /// The DNSKEY set it served (when asked for keys), each as (flags, algorithm, base64 public
    /// key): what a registrar is given for a DS.
    pub fn dnskey_fields(&self) -> Vec<(u16, u8, String)> {
        use base64::Engine as _;
        use hickory_proto::dnssec::PublicKey as _;
        self.dnskeys
            .iter()
            .map(|k| {
                let pk = k.public_key();
                (
                    k.flags(),
                    u8::from(pk.algorithm()),
                    base64::engine::general_purpose::STANDARD.encode(pk.public_bytes()),
                )
            })
            .collect()
    }
}

/// The whole picture for a domain: the parent's view and every published name server's answer.
#[derive(Clone, Debug)]
pub struct Status {
    pub parent: ParentView,
    pub servers: Vec<ServerAnswer>,
    pub problems: Vec<String>,
}

/// A DS record as compared everywhere in r53: `TAG ALG DT HEX` with numbers and upper-case hex
/// (the form `zone::dnskey::DsParts::text` writes).
pub fn ds_key(ds: &DS) -> String {
    let hex: String = ds.digest().iter().map(|b| format!("{b:02X}")).collect();
    format!(
        "{} {} {} {hex}",
        ds.key_tag(),
        u8::from(ds.algorithm()),
        u8::from(ds.digest_type())
    )
}

/// The same DS in [`ds_key`] form: key tag, digest type and digest (a registrar does not always
/// return the algorithm).
pub fn same_ds(a: &str, b: &str) -> bool {
    let part = |t: &str| {
        let t = ds_text_key(t);
        let f: Vec<String> = t.split(' ').map(str::to_string).collect();
        (
            f.first().cloned(),
            f.get(2).cloned(),
            f.get(3..).map(|r| r.concat()),
        )
    };
    part(a) == part(b)
}

/// A DS record's text in [`ds_key`] form (whitespace collapsed, hex upper-cased): registrars and
/// users write digests in either case.
pub fn ds_text_key(text: &str) -> String {
    text.split_whitespace()
        .map(str::to_ascii_uppercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Lower case, no trailing dot, sorted, deduplicated.
pub fn normalise_set(ns: &[String]) -> Vec<String> {
    let s: BTreeSet<String> = ns.iter().map(|n| normalise(n)).collect();
    s.into_iter().collect()
}

/// The result of checking target name servers before a switch.
#[derive(Clone, Debug, Default)]
pub struct Preflight {
    /// (name server, why) for each server that does not answer authoritatively.
    pub lame: Vec<(String, String)>,
    /// DS records at the parent that no DNSKEY served by the targets matches.
    pub unmatched_ds: Vec<String>,
}

/// DS records at the parent no server's DNSKEY matches (all of them when no server serves keys).
pub fn unmatched_ds(parent: &ParentView, servers: &[ServerAnswer]) -> Vec<String> {
    let Ok(name) = fq(&parent.domain) else {
        return parent.ds.clone();
    };
    parent
        .ds_data
        .iter()
        .zip(&parent.ds)
        .filter(|(ds, _)| {
            !servers
                .iter()
                .flat_map(|s| &s.dnskeys)
                .any(|k| ds.covers(&name, k).unwrap_or(false))
        })
        .map(|(_, text)| text.clone())
        .collect()
}

/// Problems a careful operator would want to hear about.
pub fn problems(parent: &ParentView, servers: &[ServerAnswer]) -> Vec<String> {
    let mut out = Vec::new();
    let d = &parent.domain;
    if !parent.consistent() {
        out.push(format!(
            "inconsistent parent: the servers of {} disagree about {d} ({})",
            display_zone(&parent.zone),
            parent.each_answer()
        ));
    }
    let Some(listed) = parent.published() else {
        out.push(format!(
            "not delegated: {} publishes no NS records for {d}",
            display_zone(&parent.zone)
        ));
        return out;
    };
    for ns in &listed {
        if within(ns, d) && !parent.glue.contains_key(ns) {
            out.push(format!(
                "missing glue: {ns} is inside {d} but the parent gives no address for it"
            ));
        }
    }
    for s in servers {
        if let Some(e) = &s.error {
            out.push(format!("lame: {e}"));
        }
    }
    let serials: BTreeSet<u32> = servers.iter().filter_map(|s| s.serial).collect();
    if serials.len() > 1 {
        let each: Vec<String> = servers
            .iter()
            .filter_map(|s| s.serial.map(|n| format!("{} {n}", s.name)))
            .collect();
        out.push(format!(
            "inconsistent serials: the name servers of {d} serve different versions of the zone ({})",
            each.join(", ")
        ));
    }
    for s in servers
        .iter()
        .filter(|s| s.authoritative && !s.ns.is_empty())
    {
        if s.ns != listed {
            out.push(format!(
                "NS mismatch: {} serves apex NS {} but the parent publishes {}",
                s.name,
                s.ns.join(", "),
                listed.join(", ")
            ));
        }
    }
    let unmatched = unmatched_ds(parent, servers);
    if !unmatched.is_empty() {
        out.push(format!(
            "DS without DNSKEY: the parent publishes DS {} for {d} but no name server serves a DNSKEY it matches; validating resolvers will fail the domain",
            unmatched.join(" | ")
        ));
    }
    out
}

/// The mnemonic operators know (hickory's Display spells them out: "Query Refused").
pub(crate) fn rcode_name(c: ResponseCode) -> String {
    match c {
        ResponseCode::Refused => "REFUSED".into(),
        ResponseCode::ServFail => "SERVFAIL".into(),
        ResponseCode::NXDomain => "NXDOMAIN".into(),
        ResponseCode::NotAuth => "NOTAUTH".into(),
        ResponseCode::FormErr => "FORMERR".into(),
        ResponseCode::NotImp => "NOTIMP".into(),
        other => format!("rcode {}", u16::from(other)),
    }
}

fn describe(a: &ParentAnswer) -> String {
    match a {
        ParentAnswer::Delegated(ns) => ns.join(", "),
        ParentAnswer::NotDelegated => "no delegation".into(),
        ParentAnswer::Failed(e) => format!("no answer ({e})"),
    }
}

/// "the root" or "the com zone" for messages.
pub fn display_zone(z: &str) -> String {
    if z.is_empty() {
        "the root zone".into()
    } else {
        format!("the {z} zone")
    }
}
