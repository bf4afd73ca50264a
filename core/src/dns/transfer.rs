//! DNS over the wire: zone transfers (AXFR over TCP, optionally TSIG-signed) from the host a zone
//! is leaving.

use std::net::SocketAddr;
use std::time::Duration;

use hickory_proto::dnssec::rdata::tsig::TsigAlgorithm;
use hickory_proto::dnssec::tsig::TSigner;
use hickory_proto::op::{Message, MessageType, MessageVerifier, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What can go wrong reading a zone from a DNS server.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum DnsError {
    #[error("TSIG key: {0}")]
    BadKey(String),
    #[error("cannot connect to {server}: {message}")]
    Connect { server: SocketAddr, message: String },
    #[error("{server} refused the zone transfer of {zone} ({rcode}){hint}")]
    Refused {
        server: SocketAddr,
        zone: String,
        rcode: String,
        hint: &'static str,
    },
    #[error("TSIG verification of the transfer of {zone} from {server} failed: {message}; nothing was imported")]
    Tsig {
        server: SocketAddr,
        zone: String,
        message: String,
    },
    #[error("the transfer of {zone} from {server} is incomplete: {message}; nothing was imported")]
    Truncated {
        server: SocketAddr,
        zone: String,
        message: String,
    },
    #[error("no answer from {server} within {secs} s")]
    Timeout { server: SocketAddr, secs: u64 },
    #[error("no server of {zone} answered for {name}: {detail}")]
    NoAnswer {
        name: String,
        zone: String,
        detail: String,
    },
    #[error("the walk to {name} followed more than 12 referrals (a referral loop?)")]
    TooDeep { name: String },
    #[error("the walk to {name} was referred from {from} back up to {to} (a referral loop)")]
    ReferralLoop {
        name: String,
        from: String,
        to: String,
    },
    #[error("{name:?} is not a valid DNS name: {message}")]
    BadName { name: String, message: String },
    #[error("the transfer of {zone} from {server} went over the limit of {limit} {what} ({flag}, default {default}; raise it for a zone this large); nothing was imported")]
    TooLarge {
        server: SocketAddr,
        zone: String,
        /// "records" or "bytes".
        what: &'static str,
        limit: u64,
        flag: &'static str,
        default: String,
    },
    #[error("the transfer of {zone} from {server} did not finish within {secs} s ({flag}, default {default}); nothing was imported")]
    TransferDeadline {
        server: SocketAddr,
        zone: String,
        secs: u64,
        flag: &'static str,
        default: &'static str,
    },
    #[error("the DNS walk was cancelled")]
    Cancelled,
    #[error("the DNS walk for {name} ran out of time ({secs} s: the operation's timeout)")]
    WalkDeadline { name: String, secs: u64 },
    #[error("the DNS walk for {name} sent {limit} queries without an answer: a referral loop or a huge fan-out of name servers without glue (the budget per walk, default {default}{})", raise.map(|f| format!("; raise it with {f}")).unwrap_or_default())]
    QueryBudget {
        name: String,
        limit: usize,
        default: usize,
        /// The setting that raises it, where there is one.
        raise: Option<&'static str>,
    },
    #[error("zone transfer of {zone} from {server}: {message}")]
    Protocol {
        server: SocketAddr,
        zone: String,
        message: String,
    },
}

/// A TSIG key. Its secret is never printed (Debug shows the name and algorithm only).
#[derive(Clone)]
pub struct TsigKey {
    pub name: String,
    pub algorithm: String,
    secret: Vec<u8>,
}

impl std::fmt::Debug for TsigKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TsigKey")
            .field("name", &self.name)
            .field("algorithm", &self.algorithm)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl TsigKey {
    /// `algorithm:name:base64secret` (as `dig -y`), or a BIND/Knot `key "name" { algorithm …;
    /// secret "…"; };` clause.
    pub fn parse(text: &str) -> Result<TsigKey, DnsError> {
        use base64::Engine as _;
        let t = text.trim();
        let (name, algorithm, secret) = if t.starts_with("key") {
            let name = t
                .split('"')
                .nth(1)
                .ok_or_else(|| DnsError::BadKey("key clause without a quoted name".into()))?;
            let body = t.split_once('{').map(|b| b.1).unwrap_or_default();
            let field = |k: &str| {
                body.split(';')
                    .map(str::trim)
                    .find_map(|s| s.strip_prefix(k))
                    .map(|v| v.trim().trim_matches('"').to_string())
            };
            (
                name.to_string(),
                field("algorithm").ok_or_else(|| DnsError::BadKey("no algorithm".into()))?,
                field("secret").ok_or_else(|| DnsError::BadKey("no secret".into()))?,
            )
        } else {
            let mut p = t.splitn(3, ':');
            match (p.next(), p.next(), p.next()) {
                (Some(a), Some(n), Some(s)) => (n.to_string(), a.to_string(), s.to_string()),
                _ => {
                    return Err(DnsError::BadKey(
                        "expected algorithm:name:secret or a key { } clause".into(),
                    ))
                }
            }
        };
        let secret = base64::engine::general_purpose::STANDARD
            .decode(secret.trim())
            .map_err(|e| DnsError::BadKey(format!("secret is not base64: {e}")))?;
        let key = TsigKey {
            name,
            algorithm: algorithm.to_ascii_lowercase(),
            secret,
        };
        key.signer()?;
        Ok(key)
    }

    fn signer(&self) -> Result<TSigner, DnsError> {
        let alg = match self.algorithm.as_str() {
            "hmac-sha256" => TsigAlgorithm::HmacSha256,
            "hmac-sha384" => TsigAlgorithm::HmacSha384,
            "hmac-sha512" => TsigAlgorithm::HmacSha512,
            other => {
                return Err(DnsError::BadKey(format!(
                    "algorithm {other:?} not supported (hmac-sha256, hmac-sha384, hmac-sha512)"
                )))
            }
        };
        let name = Name::from_ascii(&self.name)
            .map_err(|e| DnsError::BadKey(format!("key name {:?}: {e}", self.name)))?;
        TSigner::new(self.secret.clone(), alg, name, 300)
            .map_err(|e| DnsError::BadKey(e.to_string()))
    }
}

/// What one zone transfer may take: a hostile or broken server that trickles forever or never
/// sends the closing SOA ends with [`DnsError::TransferDeadline`] or [`DnsError::TooLarge`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AxfrLimits {
    /// Per message: the longest wait for the next one.
    pub message_timeout: Duration,
    /// The whole transfer.
    pub deadline: Duration,
    /// Records received (answers of every message, TSIG included).
    pub max_records: usize,
    /// Bytes of DNS messages received.
    pub max_bytes: u64,
}

impl AxfrLimits {
    /// 30 s per message, 10 min in all, 2,000,000 records, 256 MiB: five times the largest zone
    /// Route 53's raised quotas hold, and the memory of a few hundred MiB that takes.
    pub const DEFAULT: AxfrLimits = AxfrLimits {
        message_timeout: Duration::from_secs(30),
        deadline: Duration::from_secs(600),
        max_records: 2_000_000,
        max_bytes: 256 << 20,
    };
}

impl Default for AxfrLimits {
    fn default() -> Self {
        AxfrLimits::DEFAULT
    }
}

/// Transfers `zone` from `server` (AXFR over TCP). The result is complete or an error: the
/// stream must open and close with the zone's SOA, answers must be NOERROR, and with a key every
/// message's TSIG must verify; the transfer stays within `limits`.
pub async fn axfr(
    server: SocketAddr,
    zone: &str,
    key: Option<&TsigKey>,
    limits: AxfrLimits,
) -> Result<Vec<Record>, DnsError> {
    let timeout = limits.message_timeout;
    let deadline = tokio::time::Instant::from_std(crate::deadline_after(limits.deadline));
    let over_deadline = || DnsError::TransferDeadline {
        server,
        zone: zone.into(),
        secs: limits.deadline.as_secs(),
        flag: "--transfer-timeout",
        default: "10m",
    };
    let zname = zone_name(server, zone)?;
    let cut = |_| DnsError::Timeout {
        server,
        secs: timeout.as_secs(),
    };
    let mut tcp = tokio::time::timeout(timeout, TcpStream::connect(server))
        .await
        .map_err(cut)?
        .map_err(|e| DnsError::Connect {
            server,
            message: e.to_string(),
        })?;
    let mut query = Message::new();
    query
        .set_id(rand::random())
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Query)
        .add_query(Query::query(zname.clone(), RecordType::AXFR));
    // With a key, the query is signed and every message of the answer verified, each against the
    // one before it (RFC 8945 §5.3.1): a message lost or altered on the way fails the chain. With
    // a key there is a verifier or no transfer (hickory's TSigner always gives one; were it not
    // to, the answer would otherwise be read unverified).
    let mut verify: Option<MessageVerifier> = match key {
        Some(k) => {
            let tsig = |message: String| DnsError::Tsig {
                server,
                zone: zone.into(),
                message,
            };
            let v = query
                .finalize(&k.signer()?, unix_now())
                .map_err(|e| tsig(format!("signing the query: {e}{KEY_HINT}")))?;
            Some(v.ok_or_else(|| tsig("signing the query gave no verifier of the answer".into()))?)
        }
        None => None,
    };
    let wire = query
        .to_vec()
        .map_err(|e| classify(server, zone, e.to_string()))?;
    let mut framed = (wire.len() as u16).to_be_bytes().to_vec();
    framed.extend(wire);
    tokio::time::timeout(timeout, tcp.write_all(&framed))
        .await
        .map_err(cut)?
        .map_err(|e| classify(server, zone, e.to_string()))?;

    let mut records: Vec<Record> = Vec::new();
    let mut bytes: u64 = 0;
    let mut messages: u32 = 0;
    // Every message is read off the connection, in order, before the next: the server waits on
    // TCP's flow control while we work, and nothing is dropped on the way. (hickory's client hands
    // messages to the reader through a bounded channel with `try_send` and drops what does not
    // fit — hickory-proto 0.25.2, xfer/dns_multiplexer.rs — so on a busy machine a transfer lost
    // messages and still ended on its closing SOA.)
    let res = async {
        loop {
            let mut len = [0u8; 2];
            read_within(&mut tcp, &mut len, timeout, deadline)
                .await
                .map_err(|e| e.into_error(server, zone, &records, limits, over_deadline))?;
            let len = u16::from_be_bytes(len);
            bytes = bytes.saturating_add(2 + u64::from(len));
            if bytes > limits.max_bytes {
                return Err(DnsError::TooLarge {
                    server,
                    zone: zone.into(),
                    what: "bytes",
                    limit: limits.max_bytes,
                    flag: "--max-transfer-bytes",
                    default: format!("{}MiB", AxfrLimits::DEFAULT.max_bytes >> 20),
                });
            }
            let mut buf = vec![0u8; usize::from(len)];
            read_within(&mut tcp, &mut buf, timeout, deadline)
                .await
                .map_err(|e| e.into_error(server, zone, &records, limits, over_deadline))?;
            messages = messages.saturating_add(1);
            let msg = match verify.as_mut() {
                Some(v) => match v(&buf) {
                    Ok(r) => r.into_message(),
                    Err(e) => {
                        // A refusal comes unsigned: say what the server answered.
                        if let Ok(m) = Message::from_vec(&buf) {
                            accept(server, zone, true, &m)?;
                        }
                        // The first message fails on a wrong key; a later one, on a broken chain.
                        return Err(DnsError::Tsig {
                            server,
                            zone: zone.into(),
                            message: match messages {
                                1 => format!("{e}{KEY_HINT}"),
                                n => format!(
                                    "message {n}, after {} that verified: {e} (altered on the way, \
                                     or a server that does not sign every message)",
                                    n.saturating_sub(1)
                                ),
                            },
                        });
                    }
                },
                None => Message::from_vec(&buf).map_err(|e| DnsError::Protocol {
                    server,
                    zone: zone.into(),
                    message: format!("a message of the transfer does not decode: {e}"),
                })?,
            };
            if msg.id() != query.id() || msg.message_type() != MessageType::Response {
                return Err(DnsError::Protocol {
                    server,
                    zone: zone.into(),
                    message: format!(
                        "a message that is not an answer to the transfer query (id {}, expected {})",
                        msg.id(),
                        query.id()
                    ),
                });
            }
            if take(server, zone, &zname, key.is_some(), limits, &mut records, &msg)? {
                return Ok(());
            }
        }
    }
    .await;
    res?;
    complete(server, zone, &zname, records)
}

/// One message of a transfer, taken as [`axfr`] and [`transfer_records`] both take it: accepted,
/// counted against the record limit, its answers added. True when it closed the transfer (the
/// zone's SOA again after the opening one): what follows is not read.
fn take(
    server: SocketAddr,
    zone: &str,
    zname: &Name,
    signed: bool,
    limits: AxfrLimits,
    records: &mut Vec<Record>,
    msg: &hickory_proto::op::Message,
) -> Result<bool, DnsError> {
    accept(server, zone, signed, msg)?;
    if records.len().saturating_add(msg.answers().len()) > limits.max_records {
        return Err(DnsError::TooLarge {
            server,
            zone: zone.into(),
            what: "records",
            limit: limits.max_records as u64,
            flag: "--max-records",
            default: AxfrLimits::DEFAULT.max_records.to_string(),
        });
    }
    records.extend(msg.answers().iter().cloned());
    Ok(records.len() >= 2
        && records
            .last()
            .is_some_and(|r| r.record_type() == RecordType::SOA && r.name() == zname))
}

const KEY_HINT: &str = " (check the key name, algorithm and secret)";

fn unix_now() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX))
        .unwrap_or(0)
}

/// Why a read of the stream stopped.
enum ReadStop {
    Timeout,
    Deadline,
    Io(std::io::Error),
}

impl ReadStop {
    fn into_error(
        self,
        server: SocketAddr,
        zone: &str,
        records: &[Record],
        limits: AxfrLimits,
        over_deadline: impl Fn() -> DnsError,
    ) -> DnsError {
        match self {
            ReadStop::Deadline => over_deadline(),
            ReadStop::Timeout => DnsError::Timeout {
                server,
                secs: limits.message_timeout.as_secs(),
            },
            ReadStop::Io(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                DnsError::Truncated {
                    server,
                    zone: zone.into(),
                    message: format!(
                        "the server closed the connection after {} record(s), without the closing SOA",
                        records.len()
                    ),
                }
            }
            ReadStop::Io(e) => classify(server, zone, e.to_string()),
        }
    }
}

/// Fills `buf` from the stream within the per-message timeout and the transfer's deadline.
async fn read_within(
    tcp: &mut TcpStream,
    buf: &mut [u8],
    timeout: Duration,
    deadline: tokio::time::Instant,
) -> Result<(), ReadStop> {
    tokio::time::timeout_at(deadline, tokio::time::timeout(timeout, tcp.read_exact(buf)))
        .await
        .map_err(|_| ReadStop::Deadline)?
        .map_err(|_| ReadStop::Timeout)?
        .map(drop)
        .map_err(ReadStop::Io)
}

/// The records of a transfer's messages, taken as [`axfr`] takes the stream it receives (with the
/// default record limit; the pure part of it, so tests and fuzzing can run it without a server).
pub fn transfer_records(
    server: SocketAddr,
    zone: &str,
    signed: bool,
    messages: impl IntoIterator<Item = hickory_proto::op::Message>,
) -> Result<Vec<Record>, DnsError> {
    let zname = zone_name(server, zone)?;
    let mut records = Vec::new();
    for msg in messages {
        if take(
            server,
            zone,
            &zname,
            signed,
            AxfrLimits::DEFAULT,
            &mut records,
            &msg,
        )? {
            break;
        }
    }
    complete(server, zone, &zname, records)
}

fn zone_name(server: SocketAddr, zone: &str) -> Result<Name, DnsError> {
    Name::from_ascii(format!("{}.", zone.trim_end_matches('.'))).map_err(|e| DnsError::Protocol {
        server,
        zone: zone.into(),
        message: format!("zone name: {e}"),
    })
}

/// One message of the stream: only NOERROR answers belong to a transfer.
fn accept(
    server: SocketAddr,
    zone: &str,
    signed: bool,
    msg: &hickory_proto::op::Message,
) -> Result<(), DnsError> {
    match msg.response_code() {
        ResponseCode::NoError => Ok(()),
        rc => Err(DnsError::Refused {
            server,
            zone: zone.into(),
            rcode: rc.to_string(),
            hint: if signed && rc == ResponseCode::NotAuth {
                ": the server did not accept the TSIG key"
            } else if rc == ResponseCode::NotAuth || rc == ResponseCode::Refused {
                ": allow transfers to this address on the server, or pass a TSIG key"
            } else {
                ""
            },
        }),
    }
}

/// The whole stream: it opens and closes with the zone's SOA (same serial).
fn complete(
    server: SocketAddr,
    zone: &str,
    zname: &Name,
    mut records: Vec<Record>,
) -> Result<Vec<Record>, DnsError> {
    let soa_serial = |r: &Record| match r.data() {
        RData::SOA(s) if r.name() == zname => Some(s.serial()),
        _ => None,
    };
    let (first, last) = (records.first(), records.last());
    match (first.and_then(soa_serial), last.and_then(soa_serial)) {
        (Some(a), Some(b)) if records.len() >= 2 && a == b => {}
        _ => {
            return Err(DnsError::Truncated {
                server,
                zone: zone.into(),
                message: format!(
                    "{} record(s) received without the closing SOA",
                    records.len()
                ),
            })
        }
    }
    // The closing SOA repeats the opening one.
    records.pop();
    records.retain(|r| r.record_type() != RecordType::TSIG);
    Ok(records)
}

fn classify(server: SocketAddr, zone: &str, message: String) -> DnsError {
    let m = message.to_ascii_lowercase();
    if m.contains("tsig") || m.contains("signature") || m.contains("mac") {
        DnsError::Tsig {
            server,
            zone: zone.into(),
            message,
        }
    } else if m.contains("timed out") || m.contains("timeout") {
        DnsError::Timeout { server, secs: 0 }
    } else if m.contains("closed") || m.contains("eof") || m.contains("reset") {
        DnsError::Truncated {
            server,
            zone: zone.into(),
            message,
        }
    } else {
        DnsError::Protocol {
            server,
            zone: zone.into(),
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::op::{Message, MessageType};
    use hickory_proto::rr::rdata::{A, SOA};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A loopback AXFR server that never finishes: it opens with the SOA, then sends messages of
    /// `per_message` A records every `pause`, until the client hangs up.
    async fn endless_server(per_message: usize, pause: Duration) -> SocketAddr {
        server(per_message, pause, None).await
    }

    /// How a finite transfer ends.
    #[derive(Clone, Copy)]
    enum End {
        /// The closing SOA, then the connection closed.
        Soa,
        /// The connection closed without it.
        Hangup,
        /// The last message answers another query ID.
        OtherId,
    }

    /// A loopback AXFR server: the SOA, then messages of `per_message` A records every `pause` —
    /// `messages` of them and then `end`, or without end.
    async fn server(
        per_message: usize,
        pause: Duration,
        messages: Option<(u32, End)>,
    ) -> SocketAddr {
        serve(per_message, pause, messages, None).await
    }

    /// The key the signed servers and their clients share, and another under the same name.
    const KEY: &str = "hmac-sha256:xfr-key:c2VjcmV0c2VjcmV0c2VjcmV0";
    const OTHER_KEY: &str = "hmac-sha256:xfr-key:b3RoZXJzZWNyZXRvdGhlcg==";

    /// How a signed server breaks the TSIG chain at one message.
    #[derive(Clone, Copy, Debug)]
    enum Fault {
        /// Sent without a TSIG.
        Unsigned,
        /// Signed with [`OTHER_KEY`].
        OtherKey,
        /// Signed, then a bit of its MAC flipped.
        TamperedMac,
        /// Signed, then a bit of its last record flipped.
        Altered,
        /// Signed (the next message is signed over its MAC) but never sent.
        Dropped,
    }

    /// A loopback AXFR server like [`server`] that signs every message of its answer with [`KEY`]
    /// (`messages` of `per_message` A records, then the closing SOA), but for `fault` at the
    /// message of that index (0 is the first).
    async fn signed_server(
        per_message: usize,
        messages: u32,
        fault: Option<(u32, Fault)>,
    ) -> SocketAddr {
        serve(
            per_message,
            Duration::ZERO,
            Some((messages, End::Soa)),
            Some(fault),
        )
        .await
    }

    /// The server's half of a signed transfer (RFC 8945 §5.3.1), written from the RFC rather than
    /// with the reader's verifier: the first message is signed over the query's MAC, itself and
    /// all the TSIG variables; every later one over the MAC before it, itself and the timers.
    struct Signing {
        signer: TSigner,
        /// What the next message is signed over: the query's MAC, then each message's own.
        prior: Vec<u8>,
        first: bool,
        fault: Option<(u32, Fault)>,
    }

    impl Signing {
        /// Checks the query's signature: the transfer is signed over its MAC.
        fn new(query: &[u8], fault: Option<(u32, Fault)>) -> Signing {
            let signer = TsigKey::parse(KEY).unwrap().signer().unwrap();
            let (prior, _, _) = signer.verify_message_byte(None, query, true).unwrap();
            Signing {
                signer,
                prior,
                first: true,
                fault,
            }
        }

        /// Message `i` as sent: `body` (the message without a TSIG) signed, or broken as the fault
        /// at `i` says; None when it is dropped.
        fn wire(&mut self, i: u32, mut body: Vec<u8>) -> Option<Vec<u8>> {
            use hickory_proto::dnssec::rdata::tsig::{make_tsig_record, TSIG};
            use hickory_proto::serialize::binary::{BinEncodable, BinEncoder};
            let fault = self.fault.filter(|f| f.0 == i).map(|f| f.1);
            if matches!(fault, Some(Fault::Unsigned)) {
                return Some(body);
            }
            let signer = match fault {
                Some(Fault::OtherKey) => TsigKey::parse(OTHER_KEY).unwrap().signer().unwrap(),
                _ => self.signer.clone(),
            };
            let id = u16::from_be_bytes([body[0], body[1]]);
            let tsig = TSIG::new(
                signer.algorithm().clone(),
                u64::from(unix_now()),
                signer.fudge(),
                Vec::new(),
                id,
                0,
                Vec::new(),
            );
            let mut tbs = (self.prior.len() as u16).to_be_bytes().to_vec();
            tbs.extend(&self.prior);
            tbs.extend(&body);
            if self.first {
                let mut vars = Vec::new();
                tsig.emit_tsig_for_mac(&mut BinEncoder::new(&mut vars), signer.signer_name())
                    .unwrap();
                tbs.extend(vars);
            } else {
                tbs.extend(&tsig.time().to_be_bytes()[2..]);
                tbs.extend(tsig.fudge().to_be_bytes());
            }
            let mac = signer.sign(&tbs).unwrap();
            self.prior = mac.clone();
            self.first = false;
            let mut sent = mac;
            match fault {
                Some(Fault::Dropped) => return None,
                Some(Fault::TamperedMac) => sent[0] ^= 1,
                Some(Fault::Altered) => *body.last_mut().unwrap() ^= 1,
                _ => {}
            }
            let record = make_tsig_record(signer.signer_name().clone(), tsig.set_mac(sent));
            // The TSIG is the last record of the additional section.
            let additional = u16::from_be_bytes([body[10], body[11]]) + 1;
            body[10..12].copy_from_slice(&additional.to_be_bytes());
            body.extend(record.to_bytes().unwrap());
            Some(body)
        }
    }

    /// [`server`], and [`signed_server`] when `signed` (with the fault it breaks the chain with).
    async fn serve(
        per_message: usize,
        pause: Duration,
        messages: Option<(u32, End)>,
        signed: Option<Option<(u32, Fault)>>,
    ) -> SocketAddr {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut c, _) = l.accept().await.unwrap();
            let len = c.read_u16().await.unwrap();
            let mut wire = vec![0; usize::from(len)];
            c.read_exact(&mut wire).await.unwrap();
            let q = Message::from_vec(&wire).unwrap();
            let mut signing = signed.map(|fault| Signing::new(&wire, fault));
            let zone = Name::from_ascii("endless.test.").unwrap();
            let soa = SOA::new(zone.clone(), zone.clone(), 1, 3600, 600, 86400, 300);
            let (count, end) = messages.unwrap_or((u32::MAX, End::Hangup));
            for i in 0u32..=count {
                let last = i == count;
                if last && matches!(end, End::Hangup) {
                    return;
                }
                let id = if last && matches!(end, End::OtherId) {
                    q.id().wrapping_add(1)
                } else {
                    q.id()
                };
                let mut m = Message::new();
                m.set_id(id)
                    .set_message_type(MessageType::Response)
                    .set_authoritative(true)
                    .add_queries(q.queries().to_vec());
                if i == 0 {
                    m.add_answer(Record::from_rdata(
                        zone.clone(),
                        300,
                        RData::SOA(soa.clone()),
                    ));
                }
                if last {
                    m.add_answer(Record::from_rdata(
                        zone.clone(),
                        300,
                        RData::SOA(soa.clone()),
                    ));
                } else {
                    for j in 0..per_message {
                        let n = Name::from_ascii(format!("h{i}-{j}.endless.test.")).unwrap();
                        m.add_answer(Record::from_rdata(n, 300, RData::A(A::new(192, 0, 2, 1))));
                    }
                }
                let b = m.to_vec().unwrap();
                let b = match signing.as_mut() {
                    None => b,
                    Some(s) => match s.wire(i, b) {
                        Some(b) => b,
                        None => continue,
                    },
                };
                let sent = async {
                    c.write_u16(b.len() as u16).await?;
                    c.write_all(&b).await
                };
                if sent.await.is_err() {
                    return;
                }
                tokio::time::sleep(pause).await;
            }
        });
        addr
    }

    #[tokio::test]
    async fn a_transfer_that_never_ends_stops_at_the_record_limit() {
        let server = endless_server(20, Duration::ZERO).await;
        let limits = AxfrLimits {
            max_records: 50,
            ..AxfrLimits::DEFAULT
        };
        let e = axfr(server, "endless.test", None, limits)
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                DnsError::TooLarge {
                    what: "records",
                    limit: 50,
                    ..
                }
            ),
            "{e}"
        );
        let m = e.to_string();
        assert!(
            m.contains("limit of 50 records (--max-records, default 2000000")
                && m.contains("nothing was imported"),
            "{m}"
        );
    }

    #[tokio::test]
    async fn a_transfer_that_never_ends_stops_at_the_byte_limit() {
        let server = endless_server(20, Duration::ZERO).await;
        let limits = AxfrLimits {
            max_bytes: 4096,
            ..AxfrLimits::DEFAULT
        };
        let e = axfr(server, "endless.test", None, limits)
            .await
            .unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("limit of 4096 bytes (--max-transfer-bytes, default 256MiB"),
            "{m}"
        );
    }

    #[tokio::test]
    async fn a_server_that_trickles_stops_at_the_transfer_deadline() {
        // A message every 50 ms, each well within the per-message timeout: only the deadline ends it.
        let server = endless_server(1, Duration::from_millis(50)).await;
        let limits = AxfrLimits {
            message_timeout: Duration::from_secs(120),
            deadline: Duration::from_secs(1),
            ..AxfrLimits::DEFAULT
        };
        let e = axfr(server, "endless.test", None, limits)
            .await
            .unwrap_err();
        let m = e.to_string();
        assert!(
            matches!(e, DnsError::TransferDeadline { secs: 1, .. })
                && m.contains("did not finish within 1 s (--transfer-timeout, default 10m)"),
            "{m}"
        );
    }

    #[test]
    fn a_transfer_must_open_and_close_with_the_soa_and_answer_noerror() {
        use hickory_proto::op::Message;
        use hickory_proto::rr::rdata::{A, SOA};
        let server = SocketAddr::from(([192, 0, 2, 53], 53));
        let zone = Name::from_ascii("example.com.").unwrap();
        let soa = Record::from_rdata(
            zone.clone(),
            300,
            RData::SOA(SOA::new(zone.clone(), zone.clone(), 7, 1, 1, 1, 1)),
        );
        let a = Record::from_rdata(zone.clone(), 300, RData::A(A::new(192, 0, 2, 1)));
        let msg = |records: &[&Record], rc: ResponseCode| {
            let mut m = Message::new();
            m.set_response_code(rc);
            m.add_answers(records.iter().map(|r| (*r).clone()));
            m
        };
        let ok = [
            msg(&[&soa, &a], ResponseCode::NoError),
            msg(&[&soa], ResponseCode::NoError),
        ];
        let got = transfer_records(server, "example.com", false, ok).unwrap();
        assert_eq!(got, vec![soa.clone(), a.clone()]);
        let open = [msg(&[&soa, &a], ResponseCode::NoError)];
        assert!(matches!(
            transfer_records(server, "example.com", false, open),
            Err(DnsError::Truncated { .. })
        ));
        let refused = [msg(&[&soa, &soa], ResponseCode::NotAuth)];
        let e = transfer_records(server, "example.com", true, refused).unwrap_err();
        assert!(e.to_string().contains("did not accept the TSIG key"), "{e}");
    }

    /// Thousands of messages sent as fast as the connection takes them all arrive, in order. (The
    /// loss this guards against needs a reader that lags behind hickory's background task, which
    /// an idle test runtime does not produce; the reader now has no channel to lose them in.)
    #[tokio::test]
    async fn a_burst_of_messages_arrives_whole() {
        let addr = server(25, Duration::ZERO, Some((2_000, End::Soa))).await;
        let got = axfr(addr, "endless.test", None, AxfrLimits::DEFAULT)
            .await
            .unwrap();
        // The opening SOA and 2,000 × 25 A records (the closing SOA is dropped).
        assert_eq!(got.len(), 1 + 2_000 * 25);
        let names: std::collections::BTreeSet<String> =
            got.iter().skip(1).map(|r| r.name().to_string()).collect();
        assert_eq!(names.len(), 50_000);
        assert!(names.contains("h1999-24.endless.test."));
    }

    #[tokio::test]
    async fn a_hangup_before_the_closing_soa_or_a_foreign_message_is_an_error() {
        let addr = server(10, Duration::ZERO, Some((3, End::Hangup))).await;
        let e = axfr(addr, "endless.test", None, AxfrLimits::DEFAULT)
            .await
            .unwrap_err();
        assert!(
            matches!(&e, DnsError::Truncated { message, .. }
                if message.contains("after 31 record(s), without the closing SOA")),
            "{e}"
        );
        let addr = server(10, Duration::ZERO, Some((3, End::OtherId))).await;
        let e = axfr(addr, "endless.test", None, AxfrLimits::DEFAULT)
            .await
            .unwrap_err();
        assert!(
            matches!(&e, DnsError::Protocol { message, .. }
                if message.contains("not an answer to the transfer query")),
            "{e}"
        );
    }

    /// Every message of a signed transfer verifies against the one before it, the first against
    /// the query; more than 99 of them, so none is taken as an allowed unsigned intermediate.
    #[tokio::test]
    async fn a_signed_transfer_of_many_messages_verifies_message_by_message() {
        let addr = signed_server(5, 120, None).await;
        let key = TsigKey::parse(KEY).unwrap();
        let got = axfr(addr, "endless.test", Some(&key), AxfrLimits::DEFAULT)
            .await
            .unwrap();
        // The opening SOA and 120 × 5 A records; neither the closing SOA nor a TSIG.
        assert_eq!(got.len(), 1 + 120 * 5);
        assert!(got.iter().all(|r| r.record_type() != RecordType::TSIG));
        assert_eq!(got[1].name().to_string(), "h0-0.endless.test.");
        assert_eq!(got[600].name().to_string(), "h119-4.endless.test.");
    }

    /// The transfer from a signed server of 5 messages (indexes 0 to 4, the closing SOA last) that
    /// breaks its chain with `fault` at message `at`: refused as a TSIG failure from that server,
    /// and no record of it returned. The error's text.
    async fn broken_chain(at: u32, fault: Fault) -> String {
        let addr = signed_server(5, 4, Some((at, fault))).await;
        let key = TsigKey::parse(KEY).unwrap();
        let e = match axfr(addr, "endless.test", Some(&key), AxfrLimits::DEFAULT).await {
            Ok(got) => panic!("{fault:?} at message {at} accepted: {} records", got.len()),
            Err(e) => e,
        };
        assert!(
            matches!(&e, DnsError::Tsig { server, .. } if *server == addr),
            "{fault:?} at {at}: {e}"
        );
        let m = e.to_string();
        assert!(
            m.contains(&format!(
                "TSIG verification of the transfer of endless.test from {addr} failed"
            )) && m.ends_with("; nothing was imported"),
            "{m}"
        );
        // Which message broke the chain (a dropped one: the next, the first the reader missed).
        let which = match at {
            0 => "(check the key name, algorithm and secret)".to_string(),
            n => format!("message {}, after {n} that verified", n + 1),
        };
        assert!(m.contains(&which), "{m}");
        m
    }

    #[tokio::test]
    async fn an_unsigned_message_in_a_signed_transfer_is_rejected_wherever_it_comes() {
        // The first (the server ignored the key), one in the middle, and the closing SOA's: RFC
        // 8945 §5.3.1 lets a server leave some intermediate messages unsigned, but hickory's
        // verifier (and so the reader) wants every one signed, and the last must be.
        for at in [0, 1, 2, 4] {
            let m = broken_chain(at, Fault::Unsigned).await;
            assert!(m.contains("missing tsig"), "{m}");
        }
    }

    #[tokio::test]
    async fn a_message_signed_with_another_key_mid_transfer_is_rejected() {
        for at in [1, 2, 4] {
            broken_chain(at, Fault::OtherKey).await;
        }
    }

    #[tokio::test]
    async fn a_message_whose_mac_was_tampered_with_is_rejected() {
        for at in [0, 2, 4] {
            broken_chain(at, Fault::TamperedMac).await;
        }
    }

    #[tokio::test]
    async fn a_message_altered_after_it_was_signed_is_rejected() {
        // Mid-transfer, an A record's address; at the end, the closing SOA.
        for at in [2, 4] {
            broken_chain(at, Fault::Altered).await;
        }
    }

    #[tokio::test]
    async fn a_message_dropped_from_a_signed_transfer_breaks_the_chain() {
        // The next message is signed over the dropped one's MAC, which the reader never saw.
        for at in [0, 1, 3] {
            broken_chain(at, Fault::Dropped).await;
        }
    }

    #[test]
    fn keys_parse_in_both_forms_and_never_print_the_secret() {
        let k = TsigKey::parse("hmac-sha256:xfr-key:c2VjcmV0c2VjcmV0c2VjcmV0").unwrap();
        assert_eq!(k.name, "xfr-key");
        assert!(!format!("{k:?}").contains("c2Vj"));
        let k = TsigKey::parse(
            "key \"xfr-key\" {\n algorithm hmac-sha256;\n secret \"c2VjcmV0c2VjcmV0c2VjcmV0\";\n};",
        )
        .unwrap();
        assert_eq!(k.algorithm, "hmac-sha256");
        assert!(TsigKey::parse("hmac-md5:k:c2VjcmV0").is_err());
        assert!(TsigKey::parse("hmac-sha256:k:not base64!").is_err());
    }
}
