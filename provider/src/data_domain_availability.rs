//! Data source `r53_domain_availability`: can a name be registered, and what it costs.

use async_trait::async_trait;
use r53_plugin::schema::{Attribute, Block, Schema};
use r53_plugin::{Ctx, DataSource, Diagnostics, Type, Value};

use crate::common::*;
use crate::domain::{check_domain_name, configured_domain};
use crate::meta::Meta;

/// The data source's name in configurations (and in its docs page).
pub const TYPE_NAME: &str = "r53_domain_availability";

pub struct DomainAvailabilityData;

pub fn schema() -> Schema {
    let n = |name: &str, d: &str| Attribute::new(name, Type::Number, d).computed();
    Schema::new(
        0,
        Block::new(
            "Checks whether Route 53 Domains can register a name, and the yearly prices of its TLD for registration, \
             renewal and transfer. Useful as a precondition before `r53_registered_domain` with `register = true`.",
        )
        .attr(Attribute::new("id", Type::String, "The domain name in ASCII form.").computed())
        .attr(Attribute::new("domain_name", Type::String, "The name to check, e.g. `example.com`.").required())
        .attr(Attribute::new(
            "availability",
            Type::String,
            "What Route 53 Domains says: `AVAILABLE`, `UNAVAILABLE`, `RESERVED`, `DONT_KNOW`, `PENDING`, … (see the \
             CheckDomainAvailability API).",
        ).computed())
        .attr(Attribute::new("available", Type::Bool, "True when `availability` is `AVAILABLE` (or `AVAILABLE_PREORDER`).").computed())
        .attr(Attribute::new("currency", Type::String, "Currency of the prices, e.g. `USD`.").computed())
        .attr(n("registration_price", "Price of registering the name for one year."))
        .attr(n("renewal_price", "Price of renewing it for one year."))
        .attr(n("transfer_price", "Price of transferring it to Route 53 (includes a year).")),
    )
}

#[async_trait]
impl DataSource<Meta> for DomainAvailabilityData {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        check_domain_name(config, &mut d);
        d
    }

    async fn read(&self, meta: &Meta, ctx: &Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let (raw, name) = configured_domain(config)?;
        let c = call(ctx, READ_TIMEOUT);
        let what = format!("Checking availability of {name}");
        let dm = &meta.aws.domains;
        let avail = dm
            .availability(&c, &name)
            .await
            .map_err(|e| api_diag(&what, &e))?;
        let tld = name.rsplit('.').next().unwrap_or_default();
        let prices = dm.prices(&c, tld).await.map_err(|e| api_diag(&what, &e))?;
        let num = |p: Option<f64>| {
            p.map(|x| Value::Number(r53_plugin::value::Number::Float(x)))
                .unwrap_or(Value::Null)
        };
        let mut s = Value::Object(Default::default());
        s.set("id", Value::string(&name));
        s.set("domain_name", Value::string(raw));
        s.set("available", Value::Bool(avail.starts_with("AVAILABLE")));
        s.set("availability", Value::string(avail));
        s.set(
            "currency",
            Value::opt_string((!prices.currency.is_empty()).then_some(prices.currency.clone())),
        );
        s.set("registration_price", num(prices.registration));
        s.set("renewal_price", num(prices.renewal));
        s.set("transfer_price", num(prices.transfer));
        Ok(s)
    }
}
