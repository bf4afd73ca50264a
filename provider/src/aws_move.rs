//! Reading the AWS provider's state for `moved` blocks from `aws_route53_*` resources (what
//! `r53_hosted_zone`, `r53_record`, `r53_records` and `r53_registered_domain` accept): only what
//! names the object is taken — Terraform reads the object right after the move, so everything
//! else comes from the API in r53's own form, and personal data (contacts) in the old state is not
//! carried over.

use r53_plugin::{Diagnostic, Diagnostics, MoveSource};

/// Whether `provider` is the AWS provider (any registry host: Terraform's or OpenTofu's).
pub(crate) fn is_aws(provider: &str) -> bool {
    // OpenTofu before 1.11.12 / 1.12.4 sent the short name.
    provider == "aws" || provider == "hashicorp/aws" || provider.ends_with("/hashicorp/aws")
}

/// `source` when it is the AWS provider's `type_name` at one of `versions`; `None` for another
/// resource type, an error for a schema version this provider has not been taught.
pub(crate) fn accept<'a>(
    source: MoveSource<'a>,
    type_name: &str,
    versions: &[i64],
) -> Option<Result<&'a serde_json::Value, Diagnostics>> {
    if !is_aws(source.provider) || source.type_name != type_name {
        return None;
    }
    if !versions.contains(&source.schema_version) {
        return Some(Err(Diagnostic::error(
            "Unsupported AWS provider state version",
            format!(
                "{type_name} state of schema version {} cannot be moved (known: {versions:?}); upgrade the state with \
                 the AWS provider first, or import the object instead",
                source.schema_version
            ),
        )
        .into()));
    }
    Some(Ok(source.state))
}

/// A non-empty string attribute of the source state.
pub(crate) fn string<'a>(state: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    state.get(key)?.as_str().filter(|s| !s.is_empty())
}

/// A required string attribute, or an error naming it.
pub(crate) fn required<'a>(
    state: &'a serde_json::Value,
    type_name: &str,
    key: &str,
) -> Result<&'a str, Diagnostics> {
    string(state, key).ok_or_else(|| {
        Diagnostic::error(
            "Incomplete AWS provider state",
            format!("the {type_name} state has no {key}; it cannot be moved"),
        )
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src<'a>(v: i64, state: &'a serde_json::Value) -> MoveSource<'a> {
        MoveSource {
            provider: "registry.terraform.io/hashicorp/aws",
            type_name: "aws_route53_zone",
            schema_version: v,
            state,
        }
    }

    #[test]
    fn only_known_aws_types_and_versions() {
        let j = serde_json::json!({"zone_id": "Z1", "name": ""});
        assert!(accept(src(0, &j), "aws_route53_zone", &[0])
            .unwrap()
            .is_ok());
        assert!(accept(src(7, &j), "aws_route53_zone", &[0])
            .unwrap()
            .is_err());
        assert!(accept(src(0, &j), "aws_route53_record", &[2]).is_none());
        let mut other = src(0, &j);
        other.provider = "registry.terraform.io/example/aws";
        assert!(accept(other, "aws_route53_zone", &[0]).is_none());
        assert!(is_aws("registry.opentofu.org/hashicorp/aws"));
        assert_eq!(string(&j, "zone_id"), Some("Z1"));
        assert_eq!(string(&j, "name"), None);
        assert!(required(&j, "aws_route53_zone", "name").is_err());
    }
}
