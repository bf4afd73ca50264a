//! moto's KMS over its JSON API (`x-amz-target: TrentService.<Op>`), as Route 53's DNSSEC signer
//! uses it: DescribeKey, GetKeyPolicy, GetPublicKey and Sign (RAW, ECDSA_SHA_256), plus the
//! calls the lab's own controls need (CreateKey, Enable/DisableKey, ScheduleKeyDeletion).
//!
//! moto routes a request by the service and region of its SigV4 credential scope and picks the
//! account by the access key (it checks no signature): keys are regional, as in AWS.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use serde_json::{json, Value};

use r53_zone::ksk::KeyFacts;

/// KMS Sign's limit for a RAW message.
pub const MAX_RAW_MESSAGE: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KmsError {
    #[error("KMS {op}: cannot reach moto: {reason}")]
    Transport { op: &'static str, reason: String },
    /// KMS's own error (`NotFoundException`, `KMSInvalidStateException`, …).
    #[error("KMS {op}: {code}: {message}")]
    Api {
        op: &'static str,
        code: String,
        message: String,
    },
    #[error("KMS {op}: unexpected answer: {reason}")]
    Shape { op: &'static str, reason: String },
}

impl KmsError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, KmsError::Api { code, .. } if code == "NotFoundException")
    }
}

pub(crate) struct Kms {
    url: String,
    client: Client<HttpConnector, Full<Bytes>>,
}

fn auth(access_key: &str, region: &str) -> String {
    format!("AWS4-HMAC-SHA256 Credential={access_key}/20260101/{region}/kms/aws4_request, SignedHeaders=host, Signature=0")
}

/// The key ID of a key ARN: moto 5.2.5's DisableKey, EnableKey and ScheduleKeyDeletion look keys
/// up by bare ID only (an ARN is a 500), unlike AWS.
fn key_id(arn: &str) -> &str {
    arn.split_once(":key/").map_or(arn, |(_, id)| id)
}

fn text<'a>(v: &'a Value, key: &str, op: &'static str) -> Result<&'a str, KmsError> {
    v.get(key).and_then(Value::as_str).ok_or(KmsError::Shape {
        op,
        reason: format!("no {key}"),
    })
}

fn base64(s: &str, op: &'static str) -> Result<Vec<u8>, KmsError> {
    data_encoding::BASE64
        .decode(s.as_bytes())
        .map_err(|e| KmsError::Shape {
            op,
            reason: format!("not base64: {e}"),
        })
}

impl Kms {
    pub(crate) fn new(url: &str) -> Kms {
        Kms {
            url: url.trim_end_matches('/').to_string(),
            client: Client::builder(hyper_util::rt::TokioExecutor::new()).build_http(),
        }
    }

    async fn call(
        &self,
        access_key: &str,
        region: &str,
        op: &'static str,
        input: Value,
    ) -> Result<Value, KmsError> {
        let transport = |reason: String| KmsError::Transport { op, reason };
        let req = hyper::Request::post(format!("{}/", self.url))
            .header("x-amz-target", format!("TrentService.{op}"))
            .header("content-type", "application/x-amz-json-1.1")
            .header("authorization", auth(access_key, region))
            .body(Full::new(Bytes::from(input.to_string())))
            .map_err(|e| transport(e.to_string()))?;
        let resp = self
            .client
            .request(req)
            .await
            .map_err(|e| transport(e.to_string()))?;
        let status = resp.status();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| transport(e.to_string()))?
            .to_bytes();
        let v: Value = serde_json::from_slice(&body).map_err(|e| KmsError::Shape {
            op,
            reason: format!("{status}, not JSON: {e}"),
        })?;
        if !status.is_success() {
            let code = v
                .get("__type")
                .and_then(Value::as_str)
                .unwrap_or("UnknownError");
            return Err(KmsError::Api {
                op,
                code: code.rsplit('#').next().unwrap_or(code).to_string(),
                message: v
                    .get("message")
                    .or_else(|| v.get("Message"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            });
        }
        Ok(v)
    }

    pub(crate) async fn describe_key(
        &self,
        access_key: &str,
        region: &str,
        arn: &str,
    ) -> Result<KeyFacts, KmsError> {
        const OP: &str = "DescribeKey";
        let v = self
            .call(access_key, region, OP, json!({ "KeyId": arn }))
            .await?;
        let m = v.get("KeyMetadata").ok_or(KmsError::Shape {
            op: OP,
            reason: "no KeyMetadata".into(),
        })?;
        Ok(KeyFacts {
            key_spec: m
                .get("KeySpec")
                .or_else(|| m.get("CustomerMasterKeySpec"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            key_usage: text(m, "KeyUsage", OP)?.to_string(),
            key_state: text(m, "KeyState", OP)?.to_string(),
        })
    }

    pub(crate) async fn key_policy(
        &self,
        access_key: &str,
        region: &str,
        arn: &str,
    ) -> Result<String, KmsError> {
        const OP: &str = "GetKeyPolicy";
        let v = self
            .call(
                access_key,
                region,
                OP,
                json!({ "KeyId": arn, "PolicyName": "default" }),
            )
            .await?;
        Ok(text(&v, "Policy", OP)?.to_string())
    }

    /// The key's DER SubjectPublicKeyInfo.
    pub(crate) async fn public_key(
        &self,
        access_key: &str,
        region: &str,
        arn: &str,
    ) -> Result<Vec<u8>, KmsError> {
        const OP: &str = "GetPublicKey";
        let v = self
            .call(access_key, region, OP, json!({ "KeyId": arn }))
            .await?;
        base64(text(&v, "PublicKey", OP)?, OP)
    }

    /// ECDSA_SHA_256 over the RAW message (moto's DIGEST mode hashes again: never used); DER.
    pub(crate) async fn sign(
        &self,
        access_key: &str,
        region: &str,
        arn: &str,
        message: &[u8],
    ) -> Result<Vec<u8>, KmsError> {
        const OP: &str = "Sign";
        let v = self
            .call(
                access_key,
                region,
                OP,
                json!({
                    "KeyId": arn,
                    "Message": data_encoding::BASE64.encode(message),
                    "MessageType": "RAW",
                    "SigningAlgorithm": "ECDSA_SHA_256",
                }),
            )
            .await?;
        base64(text(&v, "Signature", OP)?, OP)
    }

    /// A new key; its ARN.
    pub(crate) async fn create_key(
        &self,
        access_key: &str,
        region: &str,
        key_spec: &str,
        key_usage: &str,
        policy: Option<&str>,
    ) -> Result<String, KmsError> {
        const OP: &str = "CreateKey";
        let mut input =
            json!({ "KeySpec": key_spec, "KeyUsage": key_usage, "Description": "r53 lab DNSSEC" });
        if let Some(p) = policy {
            input["Policy"] = json!(p);
        }
        let v = self.call(access_key, region, OP, input).await?;
        let m = v.get("KeyMetadata").ok_or(KmsError::Shape {
            op: OP,
            reason: "no KeyMetadata".into(),
        })?;
        Ok(text(m, "Arn", OP)?.to_string())
    }

    pub(crate) async fn set_enabled(
        &self,
        access_key: &str,
        region: &str,
        arn: &str,
        enabled: bool,
    ) -> Result<(), KmsError> {
        let op = if enabled { "EnableKey" } else { "DisableKey" };
        self.call(access_key, region, op, json!({ "KeyId": key_id(arn) }))
            .await
            .map(|_| ())
    }

    pub(crate) async fn put_policy(
        &self,
        access_key: &str,
        region: &str,
        arn: &str,
        policy: &str,
    ) -> Result<(), KmsError> {
        self.call(
            access_key,
            region,
            "PutKeyPolicy",
            json!({ "KeyId": arn, "PolicyName": "default", "Policy": policy }),
        )
        .await
        .map(|_| ())
    }

    pub(crate) async fn schedule_deletion(
        &self,
        access_key: &str,
        region: &str,
        arn: &str,
    ) -> Result<(), KmsError> {
        self.call(
            access_key,
            region,
            "ScheduleKeyDeletion",
            json!({ "KeyId": key_id(arn), "PendingWindowInDays": 7 }),
        )
        .await
        .map(|_| ())
    }
}
