//! DNSSEC words shared by resources: Route 53's DNSSEC refusals as sentences that say what to do
//! (`r53_key_signing_key`, `r53_hosted_zone_dnssec`), and the in-process verdict on a domain
//! (`r53_delegation`, `r53_delegation_status`).

use r53_core::dns::delegation::Walker;
use r53_core::Error;
use r53_plugin::Diagnostic;

use crate::common::api_diag;

/// What to do about a DNSSEC error code, when Route 53's own words are not enough.
fn advice(code: &str) -> Option<&'static str> {
    Some(match code {
        "KeySigningKeyInUse" => {
            "It is the only ACTIVE key-signing key of a zone that signs, and a signing zone needs one. Turn signing off first \
             (r53_hosted_zone_dnssec signing_status = \"NOT_SIGNING\", or destroy it), or activate another key-signing key \
             of the zone before deactivating or deleting this one."
        }
        "KeySigningKeyInParentDSRecord" => {
            "The parent zone still publishes a DS record for this key, so turning it off now would make the zone bogus \
             (validating resolvers would refuse its answers). Remove the DS at the parent first (the registrar's DS key, or \
             the DS record set in the parent zone), wait for the DS TTL to pass, then apply again."
        }
        "InvalidKeySigningKeyStatus" => {
            "Route 53 deletes only an INACTIVE key-signing key: deactivate it first (the provider does so on destroy unless \
             Route 53 refuses that too), or correct a key in INTERNAL_FAILURE by activating or deactivating it."
        }
        "KeySigningKeyWithActiveStatusNotFound" => {
            "Signing needs an ACTIVE key-signing key in the zone: create an r53_key_signing_key with status ACTIVE first \
             (refer to it from r53_hosted_zone_dnssec, e.g. with depends_on, so Terraform creates it before signing starts)."
        }
        "HostedZonePartiallyDelegated" => {
            "The parent delegates the zone to some of its name servers but not exactly to its four. Make the parent's NS \
             records (or the registrar's name servers) match the hosted zone's name servers, wait for them to be published, \
             then apply again."
        }
        "InvalidKMSArn" => {
            "The KMS key must be a customer managed key in us-east-1, ECC_NIST_P256, SIGN_VERIFY, Enabled, with a key policy \
             that allows kms:DescribeKey, kms:GetPublicKey and kms:Sign to the service principal dnssec-route53.amazonaws.com."
        }
        "TooManyKeySigningKeys" => {
            "A hosted zone has at most two key-signing keys: delete one (deactivate it first) before adding another."
        }
        "KeySigningKeyAlreadyExists" => {
            "The zone already has a key-signing key with this name or on this KMS key: each key-signing key of a zone needs \
             its own name and its own KMS key. Import the existing one, or choose another name or key."
        }
        "InvalidKeySigningKeyName" => {
            "A key-signing key's name is 3 to 128 letters, digits and underscores."
        }
        "InvalidSigningStatus" => {
            "The zone's signing status does not allow this now (for example, it is being deleted or needs action): look at \
             the zone's DNSSEC status (GetDNSSEC), fix what it says, then apply again."
        }
        "DNSSECNotFound" => "The hosted zone has no DNSSEC resources.",
        "InvalidArgument" => {
            "Route 53 signs only public hosted zones: a private zone cannot have DNSSEC."
        }
        _ => return None,
    })
}

/// A DNSSEC call's failure: Route 53's refusal with what to do, anything else as usual.
pub(crate) fn dnssec_diag(what: &str, e: &Error) -> Diagnostic {
    match e.code().and_then(advice) {
        Some(a) => Diagnostic::error(format!("{what} failed"), format!("{a} (Route 53: {e})")),
        None => api_diag(what, e),
    }
}

/// The DNSSEC verdict on the domain's SOA and why; a walk that fails is `indeterminate` with the
/// error, not a failed read (the delegation facts still stand).
pub(crate) async fn verdict(w: &Walker, domain: &str) -> (&'static str, Option<String>) {
    use r53_core::dns::dnssec::Security;
    match w.zone_security(domain).await {
        Ok(s) => (
            match s {
                Security::Secure => "secure",
                Security::Insecure { .. } => "insecure",
                Security::Bogus { .. } => "bogus",
                _ => "indeterminate",
            },
            s.reason(),
        ),
        Err(e) => ("indeterminate", Some(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_say_what_to_do_and_keep_route53s_words() {
        let e = Error::Api {
            op: "DeactivateKeySigningKey",
            code: "KeySigningKeyInParentDSRecord".into(),
            message: "The key-signing key (KSK) is specified in a parent DS record.".into(),
        };
        let d = dnssec_diag("Deactivating key-signing key ksk_1", &e);
        assert_eq!(d.summary, "Deactivating key-signing key ksk_1 failed");
        assert!(
            d.detail.contains("Remove the DS at the parent first"),
            "{}",
            d.detail
        );
        assert!(
            d.detail.contains("specified in a parent DS record"),
            "{}",
            d.detail
        );
        let other = Error::Api {
            op: "GetDNSSEC",
            code: "Throttling".into(),
            message: "Rate exceeded".into(),
        };
        assert_eq!(
            dnssec_diag("Reading", &other).detail,
            api_diag("Reading", &other).detail
        );
        for code in [
            "KeySigningKeyInUse",
            "InvalidKeySigningKeyStatus",
            "KeySigningKeyWithActiveStatusNotFound",
            "HostedZonePartiallyDelegated",
            "InvalidKMSArn",
            "TooManyKeySigningKeys",
            "KeySigningKeyAlreadyExists",
        ] {
            assert!(advice(code).is_some(), "{code}");
        }
    }
}
