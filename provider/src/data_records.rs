//! Data source `r53_records`: a zone's record sets, optionally narrowed by a name wildcard and a
//! type, each with `r53_record`'s attributes.

use async_trait::async_trait;

use r53_plugin::schema::Schema;
use r53_plugin::{Ctx, DataSource, Diagnostic, Diagnostics, Field, Value};
use r53_zone::name::matches_pattern;
use r53_zone::RecordType;

use crate::common::*;
use crate::meta::Meta;
use crate::record_set::{record_model, Record};

pub(crate) const TYPE_NAME: &str = "r53_records";

pub(crate) struct RecordsData;

r53_plugin::model! {
    /// The configuration and result of the `r53_records` data source.
    pub struct RecordsQuery / RecordsQueryAttrs {
        description: "Lists a hosted zone's record sets — all of them, or those matching `name_pattern` and `type` — each with the \
             attributes of `r53_record` (values, TTL, alias, routing policy, health check), in Route 53's order. The apex SOA \
             and NS are included.";
        attributes {
            id: String [computed] "The hosted zone ID.",
            zone_id: String [required] "ID of the hosted zone.",
            name_pattern: String [optional]
                "Only record sets whose name matches this wildcard: `*` is any run of characters (dots too), `?` one character; case and a trailing dot do not matter. E.g. `*.example.com` or `api.example.com`.",
            r#type: String [optional] "Only record sets of this type (e.g. `A`; any case).",
            zone_name: String [computed] "The zone's name.",
            record_sets: Vec<Record> [computed] "The matching record sets; each element has the attributes of `r53_record`.",
        }
    }
}

pub fn schema() -> Schema {
    Schema::new(0, RecordsQuery::block())
}

fn record_type(m: &RecordsQuery) -> Result<Option<RecordType>, Diagnostic> {
    match m.r#type.as_str() {
        None => Ok(None),
        Some(t) => t
            .to_ascii_uppercase()
            .parse::<RecordType>()
            .map(Some)
            .map_err(|_| {
                Diagnostic::error(
                    "Invalid type",
                    format!("{t:?} is not a record type Route 53 hosts"),
                )
                .at(at(RecordsQuery::ATTR.r#type))
            }),
    }
}

#[async_trait]
impl DataSource<Meta> for RecordsData {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        match RecordsQuery::from_value(config) {
            Ok(m) => match record_type(&m) {
                Ok(_) => Diagnostics::new(),
                Err(d) => d.into(),
            },
            Err(e) => e,
        }
    }

    async fn read(&self, meta: &Meta, ctx: &Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let m = RecordsQuery::from_value(config)?;
        let ty = record_type(&m)?;
        let zone_id = r53_core::route53::strip_zone_id(m.zone_id.as_str().unwrap_or_default());
        let c = call(ctx, READ_TIMEOUT);
        let Some(zone_name) = crate::zone_lookup::zone_name(meta, &c, &zone_id)
            .await
            .map_err(|e| api_diag(&format!("Reading hosted zone {zone_id}"), &e))?
        else {
            return Err(Diagnostic::error(
                "Hosted zone not found",
                format!("no hosted zone with ID {zone_id}"),
            )
            .at(at(RecordsQuery::ATTR.zone_id))
            .into());
        };
        let mut out = Vec::new();
        meta.aws
            .route53
            .each_record_set(&c, &zone_id, |r| {
                let name_ok = m
                    .name_pattern
                    .as_str()
                    .is_none_or(|p| matches_pattern(p, &r.name));
                if name_ok && ty.is_none_or(|t| t == r.ty) {
                    out.push(record_model(&zone_id, &r, &Record::default()));
                }
            })
            .await
            .map_err(|e| api_diag(&format!("Listing record sets of {zone_id}"), &e))?;
        Ok(RecordsQuery {
            id: Field::Known(zone_id.clone()),
            zone_name: Field::Known(zone_name),
            record_sets: Field::Known(out),
            ..m
        }
        .to_value())
    }
}
