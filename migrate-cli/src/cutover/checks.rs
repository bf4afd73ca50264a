//! Preflight's decisions as pure functions: each check takes what was observed (the parent's view,
//! the servers' answers, the TTLs, the comparison) and returns its findings — the evidence to
//! show, notes, and what blocks the switch. Preflight does the asking; these decide, so each
//! decision is unit-tested with fixtures instead of a lab.

use r53_core::dns::delegation::{self, ParentView, ServerAnswer};
use r53_core::dns::equivalence::Difference;
use r53_core::rfc3339;

use super::preflight::join_ips;
use crate::state::{self, span, RegistrarKind};

/// What one check found.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Findings {
    /// The evidence, in the order it was found.
    pub shown: Vec<String>,
    /// Worth knowing, not blocking.
    pub notes: Vec<String>,
    /// Why the switch must not happen.
    pub blockers: Vec<String>,
}

impl Findings {
    pub(super) fn add(&mut self, other: Findings) {
        self.shown.extend(other.shown);
        self.notes.extend(other.notes);
        self.blockers.extend(other.blockers);
    }
}

/// The parent: it must agree with itself, publish a delegation, and not already publish the
/// target's servers. Returns the delegation it publishes (none: nothing to cut over from).
pub(super) fn parent(parent: &ParentView, new_ns: &[String]) -> (Findings, Option<Vec<String>>) {
    let d = &parent.domain;
    let pz = delegation::display_zone(&parent.zone);
    let mut f = Findings::default();
    f.shown.push(format!(
        "parent: {pz}, {} server(s): {}",
        parent.servers.len(),
        parent
            .servers
            .iter()
            .map(|s| if s.name == "root hints" {
                join_ips(&s.addrs)
            } else {
                s.name.clone()
            })
            .collect::<Vec<_>>()
            .join(", ")
    ));
    if !parent.consistent() {
        f.blockers.push(format!(
            "the servers of {pz} disagree about {d}: {}",
            parent.each_answer()
        ));
    }
    let Some(current) = parent.published() else {
        // Nothing else is worth saying: there is no old host to compare with.
        f.blockers = vec![format!("{pz} publishes no delegation for {d}: there is nothing to cut over from (delegate it directly, e.g. with r53_delegation)")];
        return (f, None);
    };
    f.shown.push(format!(
        "delegation now: {} (NS TTL {} at the parent)",
        current.join(", "),
        parent.ns_ttl.unwrap_or(super::preflight::NS_TTL_DEFAULT)
    ));
    if current == new_ns {
        f.blockers.push(format!(
            "{pz} already delegates {d} to the target zone's name servers; there is nothing to switch"
        ));
    }
    let overlap = current.iter().filter(|n| new_ns.contains(n)).count();
    if overlap > 0 && current != new_ns {
        f.notes.push(format!(
            "the current delegation already includes {overlap} of the target's servers"
        ));
    }
    (f, Some(current))
}

/// The old host: every server answers; their serials are compared (a difference is a note: the
/// record-by-record comparison decides).
pub(super) fn old_host(old: &[ServerAnswer]) -> Findings {
    let mut f = Findings::default();
    for s in old {
        match &s.error {
            Some(e) => f.blockers.push(format!("old name server {}: {e}", s.name)),
            None => f.shown.push(format!(
                "old host: {} ({}) serial {} NS TTL {}",
                s.name,
                join_ips(&s.addrs),
                or_dash(s.serial),
                or_dash(s.ns_ttl)
            )),
        }
    }
    let serials: std::collections::BTreeSet<u32> = old.iter().filter_map(|s| s.serial).collect();
    if serials.len() > 1 {
        f.notes.push(format!(
            "the old host's servers serve different SOA serials ({}); the record-by-record comparison below decides",
            old.iter()
                .filter_map(|s| s.serial.map(|x| format!("{} {x}", s.name)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    f
}

/// The new host: every server answers for the domain and serves the zone's own servers as the
/// apex NS (any other set would send resolvers elsewhere once the parent points here).
pub(super) fn new_host(d: &str, new: &[ServerAnswer], new_ns: &[String]) -> Findings {
    let mut f = Findings::default();
    for s in new {
        let Some(e) = &s.error else {
            f.shown.push(format!(
                "new host: {} ({}) answers for {d}, serial {}",
                s.name,
                join_ips(&s.addrs),
                or_dash(s.serial)
            ));
            if s.ns != new_ns {
                f.blockers.push(format!(
                    "new name server {} serves apex NS {} for {d}, not the zone's own servers {}: resolvers would be sent elsewhere",
                    s.name,
                    s.ns.join(", "),
                    new_ns.join(", ")
                ));
            }
            continue;
        };
        f.blockers.push(format!("new name server {}: {e}", s.name));
    }
    f
}

/// DNSSEC: a DS at the parent must match a key the new zone serves (`unmatched`: the parent's DS
/// records no new server's key matches), or validating resolvers fail the whole domain.
pub(super) fn dnssec(parent: &ParentView, unmatched: &[String], reg: RegistrarKind) -> Findings {
    let mut f = Findings::default();
    if parent.ds.is_empty() {
        f.shown.push("DNSSEC: no DS at the parent".into());
    } else if unmatched.is_empty() {
        f.shown.push(format!(
            "DNSSEC: the parent's DS ({}) matches a key the new zone serves",
            parent.ds.join(" | ")
        ));
    } else {
        f.blockers
            .push(ds_steps(&parent.domain, reg, parent, unmatched));
    }
    f
}

/// The TTLs the plan depends on.
pub(super) struct Ttls<'a> {
    pub domain: &'a str,
    pub parent_ns: u32,
    /// The old host's NS TTL now.
    pub old_ns: u32,
    /// The longest the old host's NS TTL was seen at (the cache a switch must outwait).
    pub old_ns_longest: u32,
    pub longest_in_zone: u32,
    /// Every (time, NS TTL) the old host was seen serving.
    pub seen: &'a [(u64, u32)],
    /// `--max-ns-ttl`.
    pub bound: u32,
    /// The old zone is a Route 53 zone (`--lower-ns-ttl` can lower it).
    pub old_is_route53: bool,
    pub now: u64,
}

/// The TTL plan: the old host's NS TTL must be at most the bound (resolvers drop the old servers
/// within it), and the switch waits until the longer TTL it replaced has run out. Returns the
/// earliest safe switch time.
pub(super) fn ttl_plan(t: &Ttls<'_>) -> (Findings, Option<u64>) {
    let mut f = Findings::default();
    let (d, old_ttl, bound) = (t.domain, t.old_ns, t.bound);
    f.shown.push(format!(
        "TTLs: NS at the parent {}s, NS at the old host {old_ttl}s, longest in the zone {}s",
        t.parent_ns, t.longest_in_zone
    ));
    let earliest = state::earliest_switch(t.seen, bound);
    match earliest {
        None => f.blockers.push(format!(
            "the old host serves {d}'s NS records with TTL {old_ttl}s: lower it to at most {bound}s there{} (AWS's procedure suggests 60–900 s), then run this again; resolvers drop the old servers within that TTL after the switch, and the switch waits {old_ttl}s after the lower TTL is first seen",
            if t.old_is_route53 { " (it is a Route 53 zone: --lower-ns-ttl does it)" } else { "" }
        )),
        Some(at) if at > t.now => f.notes.push(format!(
            "the old host's NS TTL was lowered recently: the switch is safe from {} (the earlier TTL of {} must run out of resolvers' caches)",
            rfc3339(at),
            span(u64::from(t.old_ns_longest))
        )),
        Some(_) => {}
    }
    (f, earliest)
}

/// How the comparison ran, for its summary line.
pub(super) struct Asked {
    pub questions: usize,
    pub old_addrs: usize,
    pub new_addrs: usize,
    pub queries: usize,
    pub seconds: f64,
}

/// Equivalence: a record set answered differently blocks; the same TXT/SPF text split into other
/// strings is a note (SPF and DKIM readers join the strings, others may not).
pub(super) fn equivalence(asked: &Asked, differences: &[Difference]) -> Findings {
    let mut f = Findings::default();
    f.shown.push(format!(
        "equivalence: {} record sets asked at {} old and {} new server addresses ({} queries in {:.2}s): {}",
        asked.questions,
        asked.old_addrs,
        asked.new_addrs,
        asked.queries,
        asked.seconds,
        if differences.is_empty() {
            "identical answers".to_string()
        } else {
            format!("{} difference(s)", differences.len())
        }
    ));
    f.shown
        .extend(differences.iter().map(|d| format!("    {d}")));
    let blocking = differences.iter().filter(|d| d.kind.blocks()).count();
    if blocking > 0 {
        f.blockers.push(format!(
            "{blocking} record set(s) answer differently at the old and the new host (listed above)"
        ));
    }
    let split = differences.len() - blocking;
    if split > 0 {
        f.notes.push(format!(
            "{split} TXT/SPF record set(s) hold the same text split into other strings at the new host (listed above): SPF and DKIM readers join the strings, a reader of single strings does not; write the value as the old host splits it if that matters"
        ));
    }
    f
}

fn or_dash(v: Option<u32>) -> String {
    v.map(|x| x.to_string()).unwrap_or_else(|| "-".into())
}

/// The DS blocker, with the steps to remove it safely.
fn ds_steps(d: &str, reg: RegistrarKind, parent: &ParentView, unmatched: &[String]) -> String {
    let ttl = parent.ds_ttl.unwrap_or(86_400);
    let how = match reg {
        RegistrarKind::Route53 => format!(
            "aws route53domains disassociate-delegation-signer-from-domain --domain-name {d} --id <key id> (see get-domain-detail)"
        ),
        RegistrarKind::External => "remove the DS / DNSSEC key at the domain's registrar".into(),
    };
    format!(
        "the parent publishes DS {} for {d}, and no key the new zone serves matches it: validating resolvers would fail the whole domain after the switch. Keeping the domain signed across the move would need both hosts to serve each other's keys (multi-signer, RFC 8901), which Route 53 cannot: it publishes only its own DNSKEYs. So go insecure first: 1) {how}; 2) wait until the parent no longer publishes it and then its TTL ({}) more; 3) run this again; after the switch, sign the zone on Route 53 and publish its DS (r53_delegation's dnssec_keys does it in the safe order)",
        unmatched.join(" | "),
        span(u64::from(ttl))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use r53_core::dns::delegation::{ParentAnswer, Server};
    use r53_core::dns::equivalence::{DiffKind, Question};

    const D: &str = "shop.test";

    fn set(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn old_set() -> Vec<String> {
        set(&["ns1.old.test", "ns2.old.test"])
    }

    fn new_set() -> Vec<String> {
        set(&["ns-1.awsdns-01.com", "ns-2.awsdns-02.net"])
    }

    /// The parent `test` with one server per answer.
    fn parent_of(answers: Vec<ParentAnswer>) -> ParentView {
        let mut v = ParentView::of(
            D,
            "test",
            answers
                .into_iter()
                .enumerate()
                .map(|(i, a)| (format!("ns{i}.nic.test"), a))
                .collect(),
        );
        v.servers = (0..v.answers.len())
            .map(|i| Server {
                name: format!("ns{i}.nic.test"),
                addrs: vec![format!("127.0.0.{}", i + 1).parse().unwrap()],
            })
            .collect();
        v.ns_ttl = Some(3600);
        v
    }

    fn answering(name: &str, serial: u32, ns: Vec<String>) -> ServerAnswer {
        let mut s = ServerAnswer::named(name);
        s.addrs = vec!["127.0.0.9".parse().unwrap()];
        s.authoritative = true;
        s.serial = Some(serial);
        s.ns = ns;
        s.ns_ttl = Some(300);
        s
    }

    fn failing(name: &str, why: &str) -> ServerAnswer {
        let mut s = ServerAnswer::named(name);
        s.error = Some(why.into());
        s
    }

    #[test]
    fn parent_publishing_the_old_set_passes() {
        let p = parent_of(vec![ParentAnswer::Delegated(old_set()); 2]);
        let (f, current) = parent(&p, &new_set());
        assert_eq!(current, Some(old_set()));
        assert!(f.blockers.is_empty() && f.notes.is_empty(), "{f:?}");
        assert_eq!(
            f.shown,
            [
                "parent: the test zone, 2 server(s): ns0.nic.test, ns1.nic.test",
                "delegation now: ns1.old.test, ns2.old.test (NS TTL 3600 at the parent)"
            ]
        );
    }

    #[test]
    fn parent_blockers() {
        // Servers that disagree.
        let p = parent_of(vec![
            ParentAnswer::Delegated(old_set()),
            ParentAnswer::Delegated(set(&["ns1.old.test"])),
        ]);
        let (f, _) = parent(&p, &new_set());
        assert_eq!(f.blockers.len(), 1, "{f:?}");
        assert!(f.blockers[0]
            .starts_with("the servers of the test zone disagree about shop.test: ns0.nic.test: "));
        // No delegation: the one blocker, and no current set.
        let p = parent_of(vec![ParentAnswer::NotDelegated; 2]);
        let (f, current) = parent(&p, &new_set());
        assert_eq!(current, None);
        assert_eq!(f.blockers.len(), 1);
        assert!(f.blockers[0].contains("publishes no delegation for shop.test"));
        // Already delegated to the target.
        let p = parent_of(vec![ParentAnswer::Delegated(new_set())]);
        let (f, _) = parent(&p, &new_set());
        assert!(
            f.blockers[0].contains("already delegates shop.test to the target"),
            "{f:?}"
        );
        // An overlap is a note.
        let mixed = set(&["ns-1.awsdns-01.com", "ns1.old.test"]);
        let p = parent_of(vec![ParentAnswer::Delegated(mixed)]);
        let (f, _) = parent(&p, &new_set());
        assert!(f.blockers.is_empty());
        assert_eq!(
            f.notes,
            ["the current delegation already includes 1 of the target's servers"]
        );
    }

    #[test]
    fn old_host() {
        let ok = super::old_host(&[
            answering("ns1.old.test", 7, old_set()),
            answering("ns2.old.test", 7, old_set()),
        ]);
        assert!(ok.blockers.is_empty() && ok.notes.is_empty());
        assert_eq!(
            ok.shown[0],
            "old host: ns1.old.test (127.0.0.9) serial 7 NS TTL 300"
        );
        // A silent server blocks; differing serials are only a note.
        let f = super::old_host(&[
            answering("ns1.old.test", 7, old_set()),
            answering("ns2.old.test", 8, old_set()),
            failing("ns3.old.test", "REFUSED"),
        ]);
        assert_eq!(f.blockers, ["old name server ns3.old.test: REFUSED"]);
        assert_eq!(f.notes.len(), 1);
        assert!(
            f.notes[0].contains("(ns1.old.test 7, ns2.old.test 8)"),
            "{f:?}"
        );
    }

    #[test]
    fn new_host() {
        let ok = super::new_host(
            D,
            &[answering("ns-1.awsdns-01.com", 1, new_set())],
            &new_set(),
        );
        assert!(ok.blockers.is_empty(), "{ok:?}");
        // Apex NS other than the zone's own servers, or a silent server, block.
        let f = super::new_host(
            D,
            &[
                answering("ns-1.awsdns-01.com", 1, old_set()),
                failing("ns-2.awsdns-02.net", "timed out"),
            ],
            &new_set(),
        );
        assert_eq!(f.blockers.len(), 2, "{f:?}");
        assert!(f.blockers[0].contains(
            "serves apex NS ns1.old.test, ns2.old.test for shop.test, not the zone's own servers"
        ));
        assert_eq!(
            f.blockers[1],
            "new name server ns-2.awsdns-02.net: timed out"
        );
    }

    #[test]
    fn dnssec() {
        let mut p = parent_of(vec![ParentAnswer::Delegated(old_set())]);
        let none = super::dnssec(&p, &[], RegistrarKind::External);
        assert_eq!(none.shown, ["DNSSEC: no DS at the parent"]);
        p.ds = vec!["12345 13 2 ABCD".into()];
        let matched = super::dnssec(&p, &[], RegistrarKind::External);
        assert!(matched.blockers.is_empty());
        assert!(matched.shown[0].contains("matches a key the new zone serves"));
        // An unmatched DS blocks, with the registrar's way to remove it.
        let r53 = super::dnssec(&p, &p.ds.clone(), RegistrarKind::Route53);
        assert_eq!(r53.blockers.len(), 1);
        assert!(r53.blockers[0].contains("validating resolvers would fail the whole domain"));
        assert!(r53.blockers[0]
            .contains("disassociate-delegation-signer-from-domain --domain-name shop.test"));
        assert!(
            r53.blockers[0].contains("its TTL (24h)"),
            "{}",
            r53.blockers[0]
        );
        let ext = super::dnssec(&p, &p.ds.clone(), RegistrarKind::External);
        assert!(ext.blockers[0].contains("at the domain's registrar"));
        // Staying signed across hosts is refused with the reason.
        assert!(
            ext.blockers[0].contains("multi-signer, RFC 8901), which Route 53 cannot"),
            "{}",
            ext.blockers[0]
        );
    }

    fn ttls(seen: &[(u64, u32)], old_ns: u32, now: u64) -> Ttls<'_> {
        Ttls {
            domain: D,
            parent_ns: 3600,
            old_ns,
            old_ns_longest: seen.iter().map(|s| s.1).max().unwrap_or(0),
            longest_in_zone: 600,
            seen,
            bound: 900,
            old_is_route53: false,
            now,
        }
    }

    #[test]
    fn ttl_plan() {
        // Low from the start: safe at once.
        let seen = [(1_000, 300)];
        let (f, at) = super::ttl_plan(&ttls(&seen, 300, 1_000));
        assert_eq!((f.blockers.len(), f.notes.len(), at), (0, 0, Some(1_000)));
        assert_eq!(
            f.shown,
            ["TTLs: NS at the parent 3600s, NS at the old host 300s, longest in the zone 600s"]
        );
        // Above the bound: blocked, saying how to lower it.
        let seen = [(1_000, 86_400)];
        let (f, at) = super::ttl_plan(&ttls(&seen, 86_400, 1_000));
        assert_eq!(at, None);
        assert!(
            f.blockers[0].contains("lower it to at most 900s there (AWS"),
            "{f:?}"
        );
        let mut t = ttls(&seen, 86_400, 1_000);
        t.old_is_route53 = true;
        assert!(super::ttl_plan(&t).0.blockers[0].contains("--lower-ns-ttl does it"));
        // Lowered recently: not blocked, but the switch waits out the old TTL (a note).
        let seen = [(1_000, 86_400), (2_000, 300)];
        let (f, at) = super::ttl_plan(&ttls(&seen, 300, 2_000));
        assert_eq!(at, Some(2_000 + 86_400));
        assert!(f.blockers.is_empty());
        assert!(
            f.notes[0].contains("the earlier TTL of 24h must run out"),
            "{f:?}"
        );
        // ...and once that has passed, nothing to say.
        let (f, _) = super::ttl_plan(&ttls(&seen, 300, 90_000));
        assert!(f.notes.is_empty());
    }

    fn difference(name: &str, ty: &str, kind: DiffKind) -> Difference {
        Difference {
            question: Question {
                name: name.into(),
                ty: ty.into(),
            },
            kind,
            answers: Vec::new(),
        }
    }

    #[test]
    fn equivalence() {
        let asked = Asked {
            questions: 12,
            old_addrs: 2,
            new_addrs: 4,
            queries: 72,
            seconds: 0.25,
        };
        let same = super::equivalence(&asked, &[]);
        assert_eq!(
            same.shown,
            ["equivalence: 12 record sets asked at 2 old and 4 new server addresses (72 queries in 0.25s): identical answers"]
        );
        assert!(same.blockers.is_empty() && same.notes.is_empty());
        // Every blocking kind blocks; a TXT split differently is a note, listed all the same.
        let diffs = [
            difference("www.shop.test", "A", DiffKind::Missing),
            difference("x.shop.test", "A", DiffKind::Extra),
            difference("mail.shop.test", "MX", DiffKind::Changed),
            difference("y.shop.test", "A", DiffKind::OldOutOfSync),
            difference("z.shop.test", "A", DiffKind::Unanswered),
            difference("shop.test", "TXT", DiffKind::SplitDiffers),
        ];
        let f = super::equivalence(&asked, &diffs);
        assert!(f.shown[0].ends_with(": 6 difference(s)"));
        assert_eq!(f.shown.len(), 7);
        assert!(f.shown[6].starts_with("    shop.test TXT: same text, split into other strings"));
        assert_eq!(
            f.blockers,
            ["5 record set(s) answer differently at the old and the new host (listed above)"]
        );
        assert_eq!(f.notes.len(), 1);
        assert!(f.notes[0].starts_with("1 TXT/SPF record set(s) hold the same text split"));
        // A split alone does not block.
        let f = super::equivalence(&asked, &diffs[5..]);
        assert!(f.blockers.is_empty() && f.notes.len() == 1);
    }
}
