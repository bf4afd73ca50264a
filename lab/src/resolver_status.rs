//! Route 53 Resolver's asynchronous statuses, which moto skips: moto's endpoints are OPERATIONAL
//! and its rule associations COMPLETE the moment they are made, and a deleted object is gone at
//! once. AWS takes minutes, and a provider that does not wait breaks its dependants. The proxy
//! hands every `Route53Resolver.*` call (JSON protocol, `X-Amz-Target`) here: it forwards the
//! call to moto unchanged, then makes a new endpoint or association read as CREATING, an endpoint
//! whose name or addresses changed as UPDATING, and a deleted one as DELETING, for the next
//! [`HELD_READS`] reads of it — by count, not by time, so a test never depends on timing.

use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

/// The `X-Amz-Target` prefix of Route 53 Resolver's API.
pub(crate) const TARGET_PREFIX: &str = "Route53Resolver.";

/// How many reads of an object show it still changing.
pub const HELD_READS: u32 = 2;

type Resp = Response<Full<Bytes>>;

/// What a held object shows.
#[derive(Debug, Clone)]
enum Held {
    /// Its status is rewritten to this for the next reads.
    Status(&'static str, u32),
    /// Deleted in moto; these reads still find it, DELETING (the object as the delete answered).
    Deleting(Value, u32),
}

pub struct ResolverStatus {
    upstream: String,
    client: Client<HttpConnector, Full<Bytes>>,
    /// Object ID → what its next reads show.
    held: Mutex<HashMap<String, Held>>,
    /// Reads answered with a held status (tests check that waits really waited).
    held_reads: std::sync::atomic::AtomicU64,
}

/// The member of an answer that holds the object, per operation.
fn member(op: &str) -> Option<&'static str> {
    Some(match op {
        "CreateResolverEndpoint"
        | "GetResolverEndpoint"
        | "UpdateResolverEndpoint"
        | "DeleteResolverEndpoint"
        | "AssociateResolverEndpointIpAddress"
        | "DisassociateResolverEndpointIpAddress" => "ResolverEndpoint",
        "AssociateResolverRule" | "GetResolverRuleAssociation" | "DisassociateResolverRule" => {
            "ResolverRuleAssociation"
        }
        _ => return None,
    })
}

/// What a successful write makes the object show next.
fn after_write(op: &str) -> Option<Held> {
    match op {
        "CreateResolverEndpoint" | "AssociateResolverRule" => {
            Some(Held::Status("CREATING", HELD_READS))
        }
        "UpdateResolverEndpoint"
        | "AssociateResolverEndpointIpAddress"
        | "DisassociateResolverEndpointIpAddress" => Some(Held::Status("UPDATING", HELD_READS)),
        _ => None,
    }
}

impl ResolverStatus {
    pub(crate) fn new(upstream: &str) -> Self {
        ResolverStatus {
            upstream: upstream.trim_end_matches('/').to_string(),
            client: Client::builder(TokioExecutor::new()).build_http(),
            held: Mutex::new(HashMap::new()),
            held_reads: Default::default(),
        }
    }

    /// How many reads showed an object still changing.
    pub fn held_reads(&self) -> u64 {
        self.held_reads.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn note_held_read(&self) {
        self.held_reads
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// Answers one Route 53 Resolver call (`op` without the target prefix).
    pub(crate) async fn handle(&self, op: &str, req: Request<hyper::body::Incoming>) -> Resp {
        let (parts, body) = req.into_parts();
        let body = body
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let asked: Option<String> = serde_json::from_slice::<Value>(&body).ok().and_then(|v| {
            ["ResolverEndpointId", "ResolverRuleAssociationId"]
                .iter()
                .find_map(|k| v.get(*k).and_then(Value::as_str).map(str::to_string))
        });
        // A read of an object deleted in moto but still DELETING here.
        if op.starts_with("Get") {
            if let (Some(id), Some(m)) = (&asked, member(op)) {
                let mut held = self.held.lock().unwrap();
                if let Some(Held::Deleting(obj, n)) = held.get_mut(id) {
                    let answer = serde_json::json!({ m: obj.clone() });
                    self.note_held_read();
                    *n -= 1;
                    if *n == 0 {
                        held.remove(id);
                    }
                    return json(StatusCode::OK, answer.to_string());
                }
            }
        }
        let uri = format!("{}{}", self.upstream, parts.uri.path());
        let mut b = Request::builder().method(parts.method).uri(uri);
        for (k, v) in parts.headers.iter() {
            if k != "host" && k != "content-length" {
                b = b.header(k, v);
            }
        }
        let sent = match b.body(Full::new(body)) {
            Ok(r) => self.client.request(r).await,
            Err(e) => {
                return json(
                    StatusCode::BAD_REQUEST,
                    error("InvalidRequestException", &e.to_string()),
                )
            }
        };
        let resp = match sent {
            Ok(r) => r,
            Err(e) => {
                return json(
                    StatusCode::BAD_GATEWAY,
                    error(
                        "InternalServiceErrorException",
                        &format!("lab: moto unreachable: {e}"),
                    ),
                )
            }
        };
        let status = resp.status();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        if !status.is_success() {
            return json(status, String::from_utf8_lossy(&bytes).into_owned());
        }
        let Some(m) = member(op) else {
            return json(status, String::from_utf8_lossy(&bytes).into_owned());
        };
        let Ok(mut doc) = serde_json::from_slice::<Value>(&bytes) else {
            return json(status, String::from_utf8_lossy(&bytes).into_owned());
        };
        let id = doc
            .get(m)
            .and_then(|o| o.get("Id"))
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(id) = id {
            let mut held = self.held.lock().unwrap();
            if let Some(h) = after_write(op) {
                held.insert(id.clone(), h);
            }
            if op.starts_with("Delete") || op == "DisassociateResolverRule" {
                if let Some(o) = doc.get_mut(m) {
                    o["Status"] = Value::from("DELETING");
                    held.insert(id.clone(), Held::Deleting(o.clone(), HELD_READS));
                }
            }
            if let Some(Held::Status(s, n)) = held.get_mut(&id) {
                if let Some(o) = doc.get_mut(m) {
                    o["Status"] = Value::from(*s);
                }
                if op.starts_with("Get") {
                    self.note_held_read();
                    *n -= 1;
                    if *n == 0 {
                        held.remove(&id);
                    }
                }
            }
        }
        json(status, doc.to_string())
    }
}

fn error(code: &str, message: &str) -> String {
    serde_json::json!({ "__type": code, "message": message }).to_string()
}

fn json(status: StatusCode, body: String) -> Resp {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut().insert(
        "content-type",
        hyper::header::HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_hold_the_statuses_aws_passes_through() {
        assert!(matches!(
            after_write("CreateResolverEndpoint"),
            Some(Held::Status("CREATING", HELD_READS))
        ));
        assert!(matches!(
            after_write("AssociateResolverRule"),
            Some(Held::Status("CREATING", _))
        ));
        assert!(matches!(
            after_write("AssociateResolverEndpointIpAddress"),
            Some(Held::Status("UPDATING", _))
        ));
        assert!(after_write("GetResolverEndpoint").is_none());
        assert_eq!(
            member("DisassociateResolverRule"),
            Some("ResolverRuleAssociation")
        );
        assert_eq!(member("ListResolverRules"), None);
    }
}
