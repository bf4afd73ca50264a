//! DNS over the wire: zone transfers (AXFR over TCP, optionally TSIG-signed) from the host a zone
//! is leaving.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use hickory_client::client::{Client, ClientHandle};
use hickory_proto::dnssec::rdata::tsig::TsigAlgorithm;
use hickory_proto::dnssec::tsig::TSigner;
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, RData, Record, RecordType};
use hickory_proto::runtime::TokioRuntimeProvider;
use hickory_proto::tcp::TcpClientStream;

/// What can go wrong reading a zone from a DNS server.
#[derive(Debug, thiserror::Error)]
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
    #[error("TSIG verification of the transfer from {server} failed: {message} (check the key name, algorithm and secret)")]
    Tsig { server: SocketAddr, message: String },
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
    #[error("{name:?} is not a valid DNS name: {message}")]
    BadName { name: String, message: String },
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

/// Transfers `zone` from `server` (AXFR over TCP). The result is complete or an error: the
/// stream must open and close with the zone's SOA, answers must be NOERROR, and with a key every
/// message's TSIG must verify.
pub async fn axfr(
    server: SocketAddr,
    zone: &str,
    key: Option<&TsigKey>,
    timeout: Duration,
) -> Result<Vec<Record>, DnsError> {
    let zname = zone_name(server, zone)?;
    let signer: Option<Arc<dyn hickory_proto::op::MessageFinalizer>> = match key {
        Some(k) => Some(Arc::new(k.signer()?)),
        None => None,
    };
    let (stream, sender) =
        TcpClientStream::new(server, None, Some(timeout), TokioRuntimeProvider::new());
    let connect = Client::with_timeout(stream, sender, timeout, signer);
    let (mut client, bg) = tokio::time::timeout(timeout, connect)
        .await
        .map_err(|_| DnsError::Timeout {
            server,
            secs: timeout.as_secs(),
        })?
        .map_err(|e| DnsError::Connect {
            server,
            message: e.to_string(),
        })?;
    let bg = tokio::spawn(bg);
    let mut records: Vec<Record> = Vec::new();
    let mut xfr = client.zone_transfer(zname.clone(), None);
    let res = async {
        loop {
            let next = tokio::time::timeout(timeout, xfr.next())
                .await
                .map_err(|_| DnsError::Timeout {
                    server,
                    secs: timeout.as_secs(),
                })?;
            let Some(msg) = next else { break };
            let msg = msg.map_err(|e| classify(server, zone, e.to_string()))?;
            accept(server, zone, key.is_some(), &msg)?;
            records.extend(msg.answers().iter().cloned());
        }
        Ok(())
    }
    .await;
    bg.abort();
    res?;
    complete(server, zone, &zname, records)
}

/// The records of a transfer's messages, checked as [`axfr`] checks the stream it receives (the
/// pure part of it, so tests and fuzzing can run it on bytes without a server).
pub fn transfer_records(
    server: SocketAddr,
    zone: &str,
    signed: bool,
    messages: impl IntoIterator<Item = hickory_proto::op::Message>,
) -> Result<Vec<Record>, DnsError> {
    let zname = zone_name(server, zone)?;
    let mut records = Vec::new();
    for msg in messages {
        accept(server, zone, signed, &msg)?;
        records.extend(msg.answers().iter().cloned());
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
        DnsError::Tsig { server, message }
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
