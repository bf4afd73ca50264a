//! `list "r53_registered_domain"` (`terraform query`): the account's registered domains, each
//! with the state an import gives — no contacts.

use async_trait::async_trait;

use r53_plugin::schema::Schema;
use r53_plugin::{Ctx, Diagnostics, Value};

use super::{RegisteredDomainResource, TYPE_NAME};
use crate::common::*;
use crate::meta::Meta;

r53_plugin::model! {
    /// The `config` of the `r53_registered_domain` list resource.
    pub struct DomainListConfig / DomainListConfigAttrs {
        description: "Which registered domains `terraform query` finds (all of the account's without a `config` block). \
             Like an import, each is found without its contacts: personal data reaches the generated configuration only where you add it.";
        attributes {
            name_pattern: String [optional]
                "Only domains whose name matches this wildcard: `*` is any run of characters, `?` one character; case and a trailing dot do not matter.",
        }
    }
}

/// `list "r53_registered_domain"`: the account's registered domains, each with the state an
/// import gives (no contacts).
pub(crate) struct RegisteredDomainList;

#[async_trait]
impl r53_plugin::ListResource<Meta> for RegisteredDomainList {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(0, DomainListConfig::block())
    }

    async fn list(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        config: &Value,
        limit: usize,
    ) -> Result<Vec<r53_plugin::Listed>, Diagnostics> {
        let m = DomainListConfig::from_nullable(config)?.unwrap_or_default();
        let c = call(ctx, READ_TIMEOUT);
        let names = meta
            .aws
            .domains
            .list_domain_names(&c)
            .await
            .map_err(|e| api_diag("Listing registered domains", &e))?;
        let mut out = Vec::new();
        for name in names.iter().filter(|n| {
            m.name_pattern
                .as_str()
                .is_none_or(|p| r53_zone::name::matches_pattern(p, n))
        }) {
            if out.len() >= limit {
                break;
            }
            if let Some(state) = RegisteredDomainResource
                .read_domain(meta, ctx, name, None)
                .await?
            {
                out.push(r53_plugin::Listed {
                    display_name: name.clone(),
                    state,
                });
            }
        }
        Ok(out)
    }
}
