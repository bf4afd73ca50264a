//! Equivalence: ask every old and every new name server of a zone the same questions, directly
//! (RD=0), and compare the answers. The proof a name-server switch needs: a resolver sent to
//! either host must get the same data.
//!
//! The query engine is built for whole zones: a bounded set of workers, each with one connected
//! UDP socket per server, asks one question at a time (so a reply is matched by its ID without a
//! dispatcher), retries timeouts, and repeats a truncated question over TCP (hickory's client, as
//! the delegation walk; truncation is rare enough not to need the fast path).

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RecordType};
use serde::{Deserialize, Serialize};
use tokio::net::UdpSocket;

use r53_zone::name::normalise;

/// One question: a record set's name and type.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Question {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
}

/// How answers are asked for and compared.
#[derive(Clone, Debug)]
pub struct Options {
    /// Questions in flight at once.
    pub concurrency: usize,
    /// Per attempt.
    pub timeout: Duration,
    /// Attempts after the first on a timeout.
    pub retries: u32,
    /// Compare TTLs too (off: a TTL difference is not a difference).
    pub compare_ttl: bool,
    /// Compare every value case-insensitively (names inside values always are).
    pub ignore_case: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            concurrency: 128,
            timeout: Duration::from_secs(2),
            retries: 2,
            compare_ttl: false,
            ignore_case: false,
        }
    }
}

/// A server's answer to one question, normalised for comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reply {
    /// The records it answers (or, for a delegation inside the zone, the referral's NS records),
    /// in presentation form, sorted. Empty: the name or type does not exist (NXDOMAIN and NODATA
    /// are the same absence to a client asking for this type).
    Records(Vec<String>),
    /// No usable answer: an error code, a timeout, a malformed message.
    Failed(String),
}

impl Reply {
    /// Recorded by an r53-migrate from before TXT/SPF answers kept their strings (a cutover state
    /// written by an earlier version): TXT data unquoted, types hickory has no variant for written
    /// "Unknown".
    pub fn is_legacy(&self) -> bool {
        let Reply::Records(lines) = self else {
            return false;
        };
        lines.iter().any(|l| match type_and_data(l) {
            Some(("Unknown", _)) => true,
            Some(("TXT", data)) => !data.starts_with('"'),
            _ => false,
        })
    }

    /// This reply as an earlier r53-migrate recorded it (TXT/SPF strings joined and read as UTF-8
    /// lossily, SPF data as base64, other types hickory does not know as "Unknown"), to compare
    /// with a reference it recorded.
    pub fn to_legacy(&self, ignore_case: bool) -> Reply {
        let Reply::Records(lines) = self else {
            return self.clone();
        };
        let mut out: Vec<String> = lines.iter().map(|l| legacy_line(l, ignore_case)).collect();
        out.sort();
        Reply::Records(out)
    }

    fn present(&self) -> bool {
        matches!(self, Reply::Records(r) if !r.is_empty())
    }
    pub fn describe(&self) -> String {
        match self {
            Reply::Records(r) if r.is_empty() => "nothing (no such name or type)".into(),
            Reply::Records(r) => r.join(" | "),
            Reply::Failed(e) => format!("no answer: {e}"),
        }
    }
}

/// Why a question's answers differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffKind {
    /// The old host serves it; a new server does not.
    Missing,
    /// A new server serves it; the old host does not.
    Extra,
    /// Both serve it, differently.
    Changed,
    /// The old host's own servers disagree: there is no single truth to compare against.
    OldOutOfSync,
    /// A server gave no usable answer.
    Unanswered,
    /// TXT or SPF: the same text in other character-strings (`"v=spf1 a" " -all"` against
    /// `"v=spf1 a -all"`). SPF and DKIM readers join the strings; a reader of single strings does
    /// not: reported, not blocking.
    SplitDiffers,
}

impl DiffKind {
    /// A difference a switch must not go ahead with.
    pub fn blocks(&self) -> bool {
        !matches!(self, DiffKind::SplitDiffers)
    }
}

/// One difference, with every server's answer that makes it one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    pub question: Question,
    pub kind: DiffKind,
    /// (server label, its answer), the old host's first.
    pub answers: Vec<(String, Reply)>,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.kind {
            DiffKind::Missing => "missing at the new host",
            DiffKind::Extra => "only at the new host",
            DiffKind::Changed => "different at the new host",
            DiffKind::OldOutOfSync => "the old host's servers disagree",
            DiffKind::Unanswered => "not answered",
            DiffKind::SplitDiffers => "same text, split into other strings at the new host",
        };
        write!(f, "{} {}: {what}", self.question.name, self.question.ty)?;
        for (s, r) in &self.answers {
            write!(f, "\n      {s}: {}", r.describe())?;
        }
        Ok(())
    }
}

/// A server to ask, by label (its host name) and address.
#[derive(Clone, Debug)]
pub struct Target {
    pub label: String,
    pub addr: SocketAddr,
}

/// Counts of one run, for reports and the benchmark.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub queries: usize,
    pub retries: usize,
    pub tcp: usize,
    pub elapsed: Duration,
}

/// Asks every server every question. Returns `replies[question][server]`.
pub async fn ask_all(
    questions: &[Question],
    servers: &[Target],
    opts: &Options,
) -> (Vec<Vec<Reply>>, Stats) {
    let started = std::time::Instant::now();
    let parsed: Arc<Vec<Result<(Name, RecordType), String>>> = Arc::new(
        questions
            .iter()
            .map(|q| {
                let n = Name::from_ascii(format!("{}.", normalise(&q.name)))
                    .map_err(|e| format!("bad name: {e}"))?;
                let t = RecordType::from_str(&q.ty.to_ascii_uppercase())
                    .map_err(|e| format!("bad type: {e}"))?;
                Ok((n, t))
            })
            .collect(),
    );
    let addrs: Arc<Vec<SocketAddr>> = Arc::new(servers.iter().map(|s| s.addr).collect());
    let jobs = questions.len() * servers.len();
    let next = Arc::new(AtomicUsize::new(0));
    let mut set = tokio::task::JoinSet::new();
    for w in 0..opts.concurrency.max(1).min(jobs.max(1)) {
        let (parsed, addrs, next, opts) =
            (parsed.clone(), addrs.clone(), next.clone(), opts.clone());
        set.spawn(async move {
            let mut worker = Worker::new(w, opts);
            let mut out = Vec::new();
            loop {
                let j = next.fetch_add(1, Ordering::Relaxed);
                if j >= jobs {
                    break;
                }
                let (qi, si) = (j / addrs.len(), j % addrs.len());
                let reply = match &parsed[qi] {
                    Ok((n, t)) => worker.ask(si, addrs[si], n, *t).await,
                    Err(e) => Reply::Failed(e.clone()),
                };
                out.push((j, reply));
            }
            (out, worker.stats)
        });
    }
    let mut flat: Vec<Option<Reply>> = vec![None; jobs];
    let mut stats = Stats::default();
    while let Some(done) = set.join_next().await {
        let Ok((out, s)) = done else { continue };
        stats.queries += s.queries;
        stats.retries += s.retries;
        stats.tcp += s.tcp;
        for (j, r) in out {
            flat[j] = Some(r);
        }
    }
    let per = servers.len().max(1);
    let mut replies = Vec::with_capacity(questions.len());
    let mut it = flat.into_iter();
    for _ in 0..questions.len() {
        replies.push(
            (&mut it)
                .take(per)
                .map(|r| r.unwrap_or_else(|| Reply::Failed("not asked (worker failed)".into())))
                .collect(),
        );
    }
    stats.elapsed = started.elapsed();
    (replies, stats)
}

struct Worker {
    opts: Options,
    sockets: BTreeMap<usize, UdpSocket>,
    id: u16,
    buf: Vec<u8>,
    stats: Stats,
}

impl Worker {
    fn new(w: usize, opts: Options) -> Worker {
        Worker {
            opts,
            sockets: BTreeMap::new(),
            id: (w as u16).wrapping_mul(7919) ^ rand::random::<u16>(),
            buf: vec![0; 65_535],
            stats: Stats::default(),
        }
    }

    async fn socket(&mut self, si: usize, addr: SocketAddr) -> std::io::Result<&UdpSocket> {
        use std::collections::btree_map::Entry;
        match self.sockets.entry(si) {
            Entry::Occupied(e) => Ok(e.into_mut()),
            Entry::Vacant(v) => {
                let local: SocketAddr = if addr.is_ipv4() {
                    (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
                } else {
                    (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
                };
                let s = UdpSocket::bind(local).await?;
                s.connect(addr).await?;
                Ok(v.insert(s))
            }
        }
    }

    async fn ask(&mut self, si: usize, addr: SocketAddr, name: &Name, ty: RecordType) -> Reply {
        let mut last = String::new();
        for attempt in 0..=self.opts.retries {
            if attempt > 0 {
                self.stats.retries += 1;
            }
            self.id = self.id.wrapping_add(1);
            let query = query(self.id, name, ty);
            self.stats.queries += 1;
            match self.udp(si, addr, &query, self.id, name, ty).await {
                Ok(m) if m.truncated() => {
                    self.stats.tcp += 1;
                    let over_tcp = crate::dns::delegation::exchange(
                        addr,
                        name,
                        ty,
                        crate::dns::delegation::How {
                            tcp: true,
                            ..Default::default()
                        },
                        self.opts.timeout,
                    );
                    return match over_tcp.await {
                        Ok(m) => normalise_reply(&m, &self.opts),
                        Err(e) => Reply::Failed(format!("over TCP: {e}")),
                    };
                }
                Ok(m) => return normalise_reply(&m, &self.opts),
                Err(e) => last = e,
            }
        }
        Reply::Failed(last)
    }

    async fn udp(
        &mut self,
        si: usize,
        addr: SocketAddr,
        q: &[u8],
        id: u16,
        name: &Name,
        ty: RecordType,
    ) -> Result<Message, String> {
        let t = self.opts.timeout;
        let mut buf = std::mem::take(&mut self.buf);
        let res = async {
            let s = self.socket(si, addr).await.map_err(|e| e.to_string())?;
            s.send(q).await.map_err(|e| e.to_string())?;
            let deadline = tokio::time::Instant::from_std(crate::deadline_after(t));
            loop {
                let n = tokio::time::timeout_at(deadline, s.recv(&mut buf))
                    .await
                    .map_err(|_| format!("timed out after {} ms", t.as_millis()))?
                    .map_err(|e| e.to_string())?;
                // A late answer to an earlier, timed-out attempt: skip it.
                let Ok(m) = Message::from_vec(&buf[..n]) else {
                    continue;
                };
                let same = m.id() == id
                    && m.queries()
                        .first()
                        .is_some_and(|x| x.name() == name && x.query_type() == ty);
                if same {
                    return Ok(m);
                }
            }
        }
        .await;
        self.buf = buf;
        res
    }
}

fn query(id: u16, name: &Name, ty: RecordType) -> Vec<u8> {
    let mut m = Message::new();
    m.set_id(id)
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Query)
        .set_recursion_desired(false)
        .add_query(Query::query(name.clone(), ty));
    let mut e = Edns::new();
    e.set_max_payload(1232);
    m.set_edns(e);
    m.to_vec().unwrap_or_default()
}

/// Types whose values are (mostly) domain names: compared case-insensitively, as DNS does.
fn names_inside(ty: RecordType) -> bool {
    matches!(
        ty,
        RecordType::NS
            | RecordType::CNAME
            | RecordType::MX
            | RecordType::SRV
            | RecordType::PTR
            | RecordType::SOA
    )
}

fn normalise_reply(m: &Message, o: &Options) -> Reply {
    match m.response_code() {
        ResponseCode::NoError | ResponseCode::NXDomain => {}
        other => return Reply::Failed(crate::dns::delegation::rcode_name(other)),
    }
    // An answer, else a referral for a delegation inside the zone (its NS in the authority
    // section, not authoritative), else nothing.
    let referral = m.answers().is_empty()
        && !m.authoritative()
        && m.name_servers()
            .iter()
            .any(|r| r.record_type() == RecordType::NS);
    let records = if referral {
        m.name_servers()
    } else if !m.authoritative() {
        return Reply::Failed("not authoritative for the name (a referral elsewhere?)".into());
    } else {
        m.answers()
    };
    let mut out: BTreeSet<String> = BTreeSet::new();
    for r in records {
        let rty = r.record_type();
        if rty == RecordType::RRSIG || (referral && rty != RecordType::NS) {
            continue;
        }
        let mut data = match rty {
            // hickory's Display joins the strings and replaces bytes that are not UTF-8: a value
            // split differently, or with other bytes, would compare equal. Route 53's quoted form
            // keeps both.
            RecordType::TXT | RecordType::Unknown(99) => r53_zone::wire::to_route53(r.data())
                .map(|(_, v)| v)
                .unwrap_or_else(|_| r.data().to_string()),
            _ => r.data().to_string(),
        };
        if o.ignore_case || names_inside(rty) {
            data = data.to_ascii_lowercase();
        }
        let ttl = if o.compare_ttl {
            format!(" {}", r.ttl())
        } else {
            String::new()
        };
        // hickory writes every type it has no variant for as "Unknown".
        let ty = r53_zone::wire::type_name(u16::from(rty));
        out.insert(format!(
            "{}{ttl} {ty} {data}",
            normalise(&r.name().to_string())
        ));
    }
    Reply::Records(out.into_iter().collect())
}

/// A line's type token and its data (`name [ttl] TYPE data`).
fn type_and_data(line: &str) -> Option<(&str, &str)> {
    let mut rest = line;
    for _ in 0..3 {
        let (token, after) = rest.split_once(' ')?;
        if token.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
            return Some((token, after));
        }
        rest = after;
    }
    None
}

/// One line in the form an earlier r53-migrate recorded (see [`Reply::to_legacy`]).
fn legacy_line(line: &str, ignore_case: bool) -> String {
    use hickory_proto::rr::rdata::{NULL, TXT};
    use hickory_proto::rr::RData;
    let Some((ty, data)) = type_and_data(line) else {
        return line.to_string();
    };
    let head = line.strip_suffix(data).unwrap_or(line);
    let head = head.strip_suffix(&format!("{ty} ")).unwrap_or(head);
    let old_data = match (ty, r53_zone::rdata::parse_string_bytes(data)) {
        ("TXT", Some(strings)) => {
            RData::TXT(TXT::from_bytes(strings.iter().map(Vec::as_slice).collect())).to_string()
        }
        ("SPF", Some(strings)) => {
            let mut wire = Vec::new();
            for s in &strings {
                wire.push(u8::try_from(s.len()).unwrap_or(u8::MAX));
                wire.extend_from_slice(s);
            }
            if wire.is_empty() {
                String::new()
            } else {
                NULL::with(wire).to_string()
            }
        }
        _ => data.to_string(),
    };
    let old_data = if ignore_case && matches!(ty, "TXT" | "SPF") {
        old_data.to_ascii_lowercase()
    } else {
        old_data
    };
    let old_ty = match RecordType::from_str(ty) {
        Ok(RecordType::Unknown(_)) | Err(_) => "Unknown",
        Ok(_) => ty,
    };
    format!("{head}{old_ty} {old_data}")
}

/// The reply with each TXT/SPF record's character-strings joined into one, so replies that differ
/// only in how a text is split compare equal.
fn unsplit(r: &Reply) -> Reply {
    match r {
        Reply::Records(lines) => {
            let mut out: Vec<String> = lines.iter().map(|l| unsplit_line(l)).collect();
            out.sort();
            Reply::Records(out)
        }
        other => other.clone(),
    }
}

/// `name [ttl] TYPE data`: a TXT or SPF line's data as one quoted string; any other line as it is.
fn unsplit_line(line: &str) -> String {
    let Some((ty @ ("TXT" | "SPF"), data)) = type_and_data(line) else {
        return line.to_string();
    };
    match r53_zone::rdata::parse_string_bytes(data) {
        Some(strings) => format!(
            "{}{ty} {}",
            line.strip_suffix(data)
                .and_then(|h| h.strip_suffix(&format!("{ty} ")))
                .unwrap_or_default(),
            r53_zone::rdata::quote_route53(&strings.concat())
        ),
        None => line.to_string(),
    }
}

/// Compares each question's answers: the old servers' (`old` indexes into each row) must agree;
/// every new server must answer what they do. Returns the differences, in question order.
pub fn compare(
    questions: &[Question],
    replies: &[Vec<Reply>],
    labels: &[String],
    old: usize,
) -> Vec<Difference> {
    let mut out = Vec::new();
    for (q, row) in questions.iter().zip(replies) {
        let all = || {
            labels
                .iter()
                .cloned()
                .zip(row.iter().cloned())
                .collect::<Vec<_>>()
        };
        if row.iter().any(|r| matches!(r, Reply::Failed(_))) {
            out.push(Difference {
                question: q.clone(),
                kind: DiffKind::Unanswered,
                answers: all()
                    .into_iter()
                    .filter(|(_, r)| matches!(r, Reply::Failed(_)))
                    .collect(),
            });
            continue;
        }
        let (olds, news) = row.split_at(old.min(row.len()));
        let Some(reference) = olds.first() else {
            continue;
        };
        if olds.iter().any(|r| r != reference) {
            out.push(Difference {
                question: q.clone(),
                kind: DiffKind::OldOutOfSync,
                answers: all().into_iter().take(old).collect(),
            });
            continue;
        }
        let deviating: Vec<usize> = news
            .iter()
            .enumerate()
            .filter(|(_, r)| *r != reference)
            .map(|(i, _)| old + i)
            .collect();
        let Some(&first) = deviating.first() else {
            continue;
        };
        let newr = &row[first];
        let joined = unsplit(reference);
        let kind = match (reference.present(), newr.present()) {
            (true, false) => DiffKind::Missing,
            (false, true) => DiffKind::Extra,
            _ if deviating.iter().all(|&i| unsplit(&row[i]) == joined) => DiffKind::SplitDiffers,
            _ => DiffKind::Changed,
        };
        let mut answers = vec![(labels[0].clone(), reference.clone())];
        answers.extend(
            deviating
                .iter()
                .map(|&i| (labels[i].clone(), row[i].clone())),
        );
        out.push(Difference {
            question: q.clone(),
            kind,
            answers,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn q(n: &str, t: &str) -> Question {
        Question {
            name: n.into(),
            ty: t.into(),
        }
    }
    fn recs(v: &[&str]) -> Reply {
        Reply::Records(v.iter().map(|s| s.to_string()).collect())
    }

    /// A server that drops the first UDP query (a retry must follow), answers UDP with TC=1
    /// for TXT (a TCP retry must follow) and answers over TCP in full.
    async fn awkward_server() -> SocketAddr {
        use hickory_proto::rr::rdata::{A, TXT};
        use hickory_proto::rr::{RData, Record};
        let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = udp.local_addr().unwrap();
        let tcp = tokio::net::TcpListener::bind(addr).await.unwrap();
        fn reply(q: &Message, truncate: bool) -> Vec<u8> {
            let mut m = Message::new();
            m.set_id(q.id())
                .set_message_type(MessageType::Response)
                .set_authoritative(true)
                .add_queries(q.queries().to_vec());
            let qq = &q.queries()[0];
            if truncate {
                m.set_truncated(true);
            } else if qq.query_type() == RecordType::TXT {
                m.add_answer(Record::from_rdata(
                    qq.name().clone(),
                    60,
                    RData::TXT(TXT::new(vec!["x".repeat(200); 8])),
                ));
            } else {
                m.add_answer(Record::from_rdata(
                    qq.name().clone(),
                    60,
                    RData::A(A::new(192, 0, 2, 1)),
                ));
            }
            m.to_vec().unwrap()
        }
        tokio::spawn(async move {
            let mut buf = vec![0; 4096];
            let mut first = true;
            loop {
                let (n, from) = udp.recv_from(&mut buf).await.unwrap();
                if std::mem::take(&mut first) {
                    continue;
                }
                let q = Message::from_vec(&buf[..n]).unwrap();
                let tc = q.queries()[0].query_type() == RecordType::TXT;
                udp.send_to(&reply(&q, tc), from).await.unwrap();
            }
        });
        tokio::spawn(async move {
            loop {
                let (mut s, _) = tcp.accept().await.unwrap();
                let mut len = [0u8; 2];
                s.read_exact(&mut len).await.unwrap();
                let mut body = vec![0; u16::from_be_bytes(len) as usize];
                s.read_exact(&mut body).await.unwrap();
                let out = reply(&Message::from_vec(&body).unwrap(), false);
                s.write_all(&(out.len() as u16).to_be_bytes())
                    .await
                    .unwrap();
                s.write_all(&out).await.unwrap();
            }
        });
        addr
    }

    #[tokio::test]
    async fn retries_a_lost_query_and_repeats_a_truncated_one_over_tcp() {
        let addr = awkward_server().await;
        let t = [Target {
            label: "awkward".into(),
            addr,
        }];
        let o = Options {
            concurrency: 1,
            timeout: Duration::from_millis(300),
            ..Default::default()
        };
        let (r, stats) = ask_all(&[q("a.x", "A"), q("t.x", "TXT")], &t, &o).await;
        assert_eq!(r[0][0], recs(&["a.x A 192.0.2.1"]));
        match &r[1][0] {
            Reply::Records(v) => {
                assert!(v[0].starts_with("t.x TXT ") && v[0].len() > 1600, "{v:?}")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!((stats.retries, stats.tcp), (1, 1), "{stats:?}");
        // Nothing listening: a clear failure after the retries, not a hang.
        let gone = [Target {
            label: "gone".into(),
            addr: "127.0.0.1:9".parse().unwrap(),
        }];
        let (r, _) = ask_all(&[q("a.x", "A")], &gone, &o).await;
        assert!(matches!(&r[0][0], Reply::Failed(_)), "{:?}", r[0][0]);
    }

    /// TXT answers keep their character-strings and bytes (hickory's Display joins the strings
    /// and replaces bytes that are not UTF-8): a value split differently is reported, not
    /// blocking; other bytes are a change.
    #[test]
    fn txt_strings_and_bytes_are_compared_as_sent() {
        use hickory_proto::rr::rdata::TXT;
        use hickory_proto::rr::{RData, Record};
        let answer = |strings: &[&[u8]]| {
            let mut m = Message::new();
            m.set_message_type(MessageType::Response)
                .set_authoritative(true);
            m.add_answer(Record::from_rdata(
                Name::from_str("t.x.").unwrap(),
                300,
                RData::TXT(TXT::from_bytes(strings.to_vec())),
            ));
            normalise_reply(&m, &Options::default())
        };
        let whole = answer(&[b"v=spf1 a -all"]);
        let split = answer(&[b"v=spf1 a", b" -all"]);
        assert_eq!(whole, recs(&["t.x TXT \"v=spf1 a -all\""]));
        assert_eq!(split, recs(&["t.x TXT \"v=spf1 a\" \" -all\""]));
        let (latin1, other) = (answer(&[b"caf\xe9"]), answer(&[b"caf\xe8"]));
        assert_eq!(latin1, recs(&["t.x TXT \"caf\\351\""]));
        let qs = [q("t.x", "TXT"), q("t.x", "TXT"), q("t.x", "TXT")];
        let labels: Vec<String> = ["old", "new"].iter().map(|s| s.to_string()).collect();
        let rows = vec![
            vec![split.clone(), whole.clone()],
            vec![latin1, other],
            vec![split.clone(), answer(&[b"v=spf1", b" a -all"])],
        ];
        let d = compare(&qs, &rows, &labels, 1);
        let kinds: Vec<&DiffKind> = d.iter().map(|d| &d.kind).collect();
        assert_eq!(
            kinds,
            vec![
                &DiffKind::SplitDiffers,
                &DiffKind::Changed,
                &DiffKind::SplitDiffers
            ]
        );
        assert!(!DiffKind::SplitDiffers.blocks() && DiffKind::Changed.blocks());
        assert!(
            d[0].to_string()
                .contains("same text, split into other strings"),
            "{}",
            d[0]
        );
        // A split the same at both hosts is no difference at all.
        assert!(compare(&qs[..1], &[vec![split.clone(), split]], &labels, 1).is_empty());
    }

    /// A cutover recorded by an earlier r53-migrate keeps its reference answers in the old form;
    /// today's answers are compared in that form, so an upgrade mid-cutover reports no drift.
    #[test]
    fn legacy_references_compare_with_todays_answers() {
        let legacy = recs(&["t.x TXT caf\u{fffd}", "t.x TXT v=spf1 a -all"]);
        let today = recs(&["t.x TXT \"caf\\351\"", "t.x TXT \"v=spf1 a\" \" -all\""]);
        assert!(legacy.is_legacy() && !today.is_legacy());
        assert_eq!(today.to_legacy(false), legacy);
        assert_ne!(recs(&["t.x TXT \"v=spf1 -all\""]).to_legacy(false), legacy);
        let spf = recs(&["s.x 300 SPF \"v=spf1 -all\""]);
        assert_eq!(
            spf.to_legacy(false),
            recs(&["s.x 300 Unknown C3Y9c3BmMSAtYWxs"])
        );
        assert!(recs(&["s.x 300 Unknown C3Y9c3BmMSAtYWxs"]).is_legacy());
        let a = recs(&["a.x A 192.0.2.1"]);
        assert!(!a.is_legacy());
        assert_eq!(a.to_legacy(false), a);
    }

    #[test]
    fn classifies_each_kind_of_difference() {
        let qs = [
            q("a.x", "A"),
            q("b.x", "A"),
            q("c.x", "A"),
            q("d.x", "A"),
            q("e.x", "A"),
            q("f.x", "A"),
        ];
        let labels: Vec<String> = ["old1", "old2", "new1", "new2"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let one = recs(&["a.x A 192.0.2.1"]);
        let two = recs(&["a.x A 192.0.2.2"]);
        let none = recs(&[]);
        let rows = vec![
            vec![one.clone(), one.clone(), one.clone(), one.clone()],
            vec![one.clone(), one.clone(), none.clone(), none.clone()],
            vec![none.clone(), none.clone(), one.clone(), none.clone()],
            vec![one.clone(), one.clone(), one.clone(), two.clone()],
            vec![one.clone(), two.clone(), one.clone(), one.clone()],
            vec![
                one.clone(),
                one.clone(),
                Reply::Failed("REFUSED".into()),
                one,
            ],
        ];
        let d = compare(&qs, &rows, &labels, 2);
        let kinds: Vec<(&str, &DiffKind)> = d
            .iter()
            .map(|d| (d.question.name.as_str(), &d.kind))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("b.x", &DiffKind::Missing),
                ("c.x", &DiffKind::Extra),
                ("d.x", &DiffKind::Changed),
                ("e.x", &DiffKind::OldOutOfSync),
                ("f.x", &DiffKind::Unanswered),
            ]
        );
        // Only the deviating new server is listed, after the old host's answer.
        assert_eq!(d[2].answers.len(), 2);
        assert_eq!(d[2].answers[1].0, "new2");
        assert!(d[0].to_string().contains("b.x A: missing at the new host"));
    }
}
