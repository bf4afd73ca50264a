//! Data source `r53_delegation_set`: a reusable delegation set's name servers, by ID.

use async_trait::async_trait;

use r53_core::route53::strip_delegation_set_id;
use r53_plugin::schema::Schema;
use r53_plugin::{Ctx, DataSource, Diagnostic, Diagnostics, Field, Value};

use crate::common::*;
use crate::meta::Meta;

pub(crate) const TYPE_NAME: &str = "r53_delegation_set";

pub(crate) struct DelegationSetData;

r53_plugin::model! {
    /// The configuration and result of the `r53_delegation_set` data source.
    pub struct DelegationSetLookup / DelegationSetLookupAttrs {
        description: "Looks up a reusable delegation set by `id`: its four name servers (e.g. to publish them at a registrar \
             before any zone exists on the set).";
        attributes {
            id: String [required] "The delegation set's ID (with or without `/delegationset/`).",
            arn: String [computed] "The set's ARN.",
            name_servers: Vec<String> [computed] "The set's four name servers, in Route 53's order.",
        }
    }
}

pub fn schema() -> Schema {
    Schema::new(0, DelegationSetLookup::block())
}

#[async_trait]
impl DataSource<Meta> for DelegationSetData {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(&self, meta: &Meta, ctx: &Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let m = DelegationSetLookup::from_value(config)?;
        let id = strip_delegation_set_id(m.id.as_str().unwrap_or_default());
        let id_at = || at(DelegationSetLookup::ATTR.id);
        let set = match meta
            .aws
            .route53
            .find_delegation_set(&call(ctx, READ_TIMEOUT), &id)
            .await
        {
            Ok(s) => s,
            Err(e) if e.is_not_found() => {
                return Err(Diagnostic::error(
                    "Reusable delegation set not found",
                    format!("no reusable delegation set with ID {id}"),
                )
                .at(id_at())
                .into())
            }
            Err(e) => return Err(api_diag("Looking up reusable delegation set", &e).into()),
        };
        Ok(DelegationSetLookup {
            id: Field::Known(set.id.clone()),
            arn: Field::Known(format!("arn:aws:route53:::delegationset/{}", set.id)),
            name_servers: Field::Known(set.name_servers),
        }
        .to_value())
    }
}
