//! Data source `r53_domain_availability`: can a name be registered, and what it costs.

use async_trait::async_trait;
use r53_plugin::schema::Schema;
use r53_plugin::{Ctx, DataSource, Diagnostics, Field, Value};

use crate::common::*;
use crate::domain::{check_domain_name, configured_domain};
use crate::meta::Meta;

/// The data source's name in configurations (and in its docs page).
pub(crate) const TYPE_NAME: &str = "r53_domain_availability";

pub(crate) struct DomainAvailabilityData;

r53_plugin::model! {
    /// The configuration and result of `r53_domain_availability`.
    pub struct Availability / AvailabilityAttrs {
        description: "Checks whether Route 53 Domains can register a name, and the yearly prices of its TLD for registration, \
             renewal and transfer. Useful as a precondition before `r53_registered_domain` with `register = true`.";
        attributes {
            id: String [computed] "The domain name in ASCII form.",
            domain_name: String [required] "The name to check, e.g. `example.com`.",
            availability: String [computed]
                "What Route 53 Domains says: `AVAILABLE`, `UNAVAILABLE`, `RESERVED`, `DONT_KNOW`, `PENDING`, … (see the \
                 CheckDomainAvailability API).",
            available: bool [computed] "True when `availability` is `AVAILABLE` (or `AVAILABLE_PREORDER`).",
            currency: String [computed] "Currency of the prices, e.g. `USD`.",
            registration_price: f64 [computed] "Price of registering the name for one year.",
            renewal_price: f64 [computed] "Price of renewing it for one year.",
            transfer_price: f64 [computed] "Price of transferring it to Route 53 (includes a year).",
        }
    }
}

pub fn schema() -> Schema {
    Schema::new(0, Availability::block())
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
        match Availability::from_value(config) {
            Ok(m) => check_domain_name(
                m.domain_name.as_str(),
                Availability::ATTR.domain_name,
                &mut d,
            ),
            Err(e) => return e,
        }
        d
    }

    async fn read(&self, meta: &Meta, ctx: &Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let m = Availability::from_value(config)?;
        let (raw, name) = configured_domain(m.domain_name.as_str())?;
        let c = call(ctx, READ_TIMEOUT);
        let what = format!("Checking availability of {name}");
        let dm = &meta.aws.domains;
        let avail = dm
            .availability(&c, &name)
            .await
            .map_err(|e| api_diag(&what, &e))?;
        let tld = name.rsplit('.').next().unwrap_or_default();
        let prices = dm.prices(&c, tld).await.map_err(|e| api_diag(&what, &e))?;
        Ok(Availability {
            id: Field::Known(name.clone()),
            domain_name: Field::Known(raw),
            available: Field::Known(avail.starts_with("AVAILABLE")),
            availability: Field::Known(avail),
            currency: (!prices.currency.is_empty())
                .then_some(prices.currency)
                .into(),
            registration_price: prices.registration.into(),
            renewal_price: prices.renewal.into(),
            transfer_price: prices.transfer.into(),
        }
        .to_value())
    }
}
