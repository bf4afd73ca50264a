//! terraform-provider-r53: Route 53 hosting, registrar and delegation resources for
//! Terraform/OpenTofu.
//!
//! One file per resource or data source (a directory for the larger ones: `records/`,
//! `delegation/`, `registered_domain/`), with its schema, CRUD and unit tests together; what more
//! than one of them uses lives in neutral modules (`common`, `meta`, `domain`, `record_set`,
//! `vpc_ref`, `zone_lookup`, `aws_move`, `dnssec_diag`), so no resource or data-source file imports another.

mod aws_move;
pub mod cidr_collection;
mod common;
pub(crate) mod data_delegation_set;
pub(crate) mod data_delegation_status;
pub(crate) mod data_domain_availability;
pub(crate) mod data_health_check_status;
pub(crate) mod data_hosted_zone;
pub(crate) mod data_hosted_zones;
pub(crate) mod data_records;
pub(crate) mod data_registered_domain;
pub mod delegation;
pub mod delegation_set;
mod dnssec_diag;
pub mod docs;
pub mod domain;
pub mod functions;
pub mod health_check;
pub mod hosted_zone;
pub mod hosted_zone_dnssec;
pub mod key_signing_key;
mod meta;
pub mod provider;
pub mod query_log;
pub mod record;
pub mod record_set;
pub mod records;
pub mod registered_domain;
pub mod resolver_endpoint;
pub mod resolver_rule;
pub mod resolver_rule_association;
pub mod vpc_association_authorization;
mod vpc_ref;
pub mod zone_association;
mod zone_lookup;

pub use meta::Meta;
pub use provider::R53Provider;
