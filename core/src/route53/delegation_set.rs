//! Reusable delegation sets: four name servers kept by the account, that zones are created on. A
//! zone destroyed and created again on the same set keeps its name servers, so the delegation at
//! the parent (and a registrar binding) never has to change.

use super::{Call, Route53};
use crate::error::{Error, Result};

/// Longest CallerReference Route 53 accepts.
const MAX_CALLER_REFERENCE: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegationSet {
    /// Without the "/delegationset/" prefix.
    pub id: String,
    pub caller_reference: String,
    pub name_servers: Vec<String>,
}

/// Start of the CallerReference of every set the provider creates:
/// `r53-tf1:ds:<reference name>:<nonce>`, so the reference name can be read back (import).
pub const SET_CALLER_PREFIX: &str = "r53-tf1:ds:";

/// A new, unique caller reference for a set named `reference_name` (no `:` in it).
pub fn new_set_caller_reference(reference_name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!(
        "{SET_CALLER_PREFIX}{reference_name}:{nanos:x}-{:08x}",
        rand::random::<u32>()
    )
}

impl DelegationSet {
    /// The reference name a set made by [`new_set_caller_reference`] was given.
    pub fn reference_name(&self) -> Option<&str> {
        self.caller_reference
            .strip_prefix(SET_CALLER_PREFIX)
            .and_then(|rest| rest.rsplit_once(':'))
            .map(|(name, _nonce)| name)
            .filter(|n| !n.is_empty())
    }
}

/// An ID without its "/delegationset/" prefix.
pub fn strip_delegation_set_id(id: &str) -> String {
    id.trim().trim_start_matches("/delegationset/").to_string()
}

fn from_sdk(d: &aws_sdk_route53::types::DelegationSet) -> DelegationSet {
    DelegationSet {
        id: strip_delegation_set_id(d.id().unwrap_or_default()),
        caller_reference: d.caller_reference().unwrap_or_default().to_string(),
        // As Route 53 gives them, like a hosted zone's (so the two compare).
        name_servers: d.name_servers().to_vec(),
    }
}

fn not_found(id: &str) -> Error {
    Error::NotFound {
        what: format!("reusable delegation set {id}"),
    }
}

impl Route53 {
    /// Creates a reusable delegation set. `caller_reference` must be unique per set; a retry of a
    /// request that did go through finds the set it made by that reference.
    pub async fn create_delegation_set(
        &self,
        call: &Call,
        caller_reference: &str,
    ) -> Result<DelegationSet> {
        if caller_reference.is_empty() || caller_reference.len() > MAX_CALLER_REFERENCE {
            return Err(Error::Invalid(format!(
                "a delegation set's caller reference must be 1 to {MAX_CALLER_REFERENCE} characters, not {}",
                caller_reference.len()
            )));
        }
        let out = call
            .send("CreateReusableDelegationSet", &self.policy, || {
                self.client
                    .create_reusable_delegation_set()
                    .caller_reference(caller_reference)
                    .send()
            })
            .await;
        match out.result {
            Ok(o) => o
                .delegation_set()
                .map(from_sdk)
                .ok_or_else(|| Error::Invalid("CreateReusableDelegationSet returned no set".into())),
            Err(Error::Api { code, .. })
                if code == "DelegationSetAlreadyCreated" && out.ambiguous =>
            {
                self.list_delegation_sets(call)
                    .await?
                    .into_iter()
                    .find(|d| d.caller_reference == caller_reference)
                    .ok_or_else(|| {
                        Error::Invalid(format!(
                            "a delegation set with caller reference {caller_reference} exists but is not listed"
                        ))
                    })
            }
            Err(e) => Err(e),
        }
    }

    /// The set, or [`Error::NotFound`].
    pub async fn find_delegation_set(&self, call: &Call, id: &str) -> Result<DelegationSet> {
        let id = strip_delegation_set_id(id);
        let out = call
            .send("GetReusableDelegationSet", &self.policy, || {
                self.client.get_reusable_delegation_set().id(&id).send()
            })
            .await;
        match out.result {
            Ok(o) => o
                .delegation_set()
                .map(from_sdk)
                .ok_or_else(|| not_found(&id)),
            Err(Error::Api { code, .. })
                if code == "NoSuchDelegationSet" || code == "DelegationSetNotReusable" =>
            {
                Err(not_found(&id))
            }
            Err(e) => Err(e),
        }
    }

    /// Every reusable delegation set of the account, all pages.
    pub async fn list_delegation_sets(&self, call: &Call) -> Result<Vec<DelegationSet>> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        // Route 53 allows 100 sets per account by default; the bound keeps a server that never
        // stops paging from looping forever.
        for _ in 0..1_000 {
            let page = call
                .send("ListReusableDelegationSets", &self.policy, || {
                    self.client
                        .list_reusable_delegation_sets()
                        .set_marker(marker.clone())
                        .send()
                })
                .await
                .result?;
            out.extend(page.delegation_sets().iter().map(from_sdk));
            match page.next_marker() {
                Some(m) if page.is_truncated() && !m.is_empty() => marker = Some(m.to_string()),
                _ => return Ok(out),
            }
        }
        Err(Error::Invalid(
            "ListReusableDelegationSets still had pages after 1,000 (over 100,000 sets)".into(),
        ))
    }

    /// Deletes the set. A set that is gone already is not an error (a retry, or deleted out of
    /// band); one that zones still use is ([`Error::Api`] `DelegationSetInUse`).
    pub async fn delete_delegation_set(&self, call: &Call, id: &str) -> Result<()> {
        let id = strip_delegation_set_id(id);
        let out = call
            .send("DeleteReusableDelegationSet", &self.policy, || {
                self.client.delete_reusable_delegation_set().id(&id).send()
            })
            .await;
        match out.result {
            Ok(_) => Ok(()),
            Err(Error::Api { code, .. }) if code == "NoSuchDelegationSet" => Ok(()),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_name_survives_its_caller_reference() {
        let made = new_set_caller_reference("prod-ns");
        assert!(made.starts_with("r53-tf1:ds:prod-ns:"), "{made}");
        let set = |c: &str| DelegationSet {
            id: "N1".into(),
            caller_reference: c.into(),
            name_servers: vec![],
        };
        assert_eq!(set(&made).reference_name(), Some("prod-ns"));
        assert_eq!(set("console 2024-01-01").reference_name(), None);
        assert_eq!(set("r53-tf1:ds::abc").reference_name(), None);
    }

    #[test]
    fn ids_lose_their_prefix() {
        assert_eq!(strip_delegation_set_id("/delegationset/N1ABC"), "N1ABC");
        assert_eq!(strip_delegation_set_id(" N1ABC "), "N1ABC");
        let d = aws_sdk_route53::types::DelegationSet::builder()
            .id("/delegationset/N1")
            .caller_reference("ref")
            .name_servers("ns-1.awsdns-01.com")
            .build()
            .unwrap();
        assert_eq!(
            from_sdk(&d),
            DelegationSet {
                id: "N1".into(),
                caller_reference: "ref".into(),
                name_servers: vec!["ns-1.awsdns-01.com".into()]
            }
        );
    }
}
