//! terraform-provider-r53: Route 53 hosting (and, later, registrar) resources for Terraform/OpenTofu.
//!
//! One file per resource or data source, with its schema, CRUD and unit tests together.

mod common;
pub mod data_delegation_status;
pub mod data_domain_availability;
pub mod data_hosted_zone;
pub mod data_registered_domain;
pub mod delegation;
pub mod docs;
pub mod hosted_zone;
pub mod provider;
pub mod record;
pub mod records;
pub mod registered_domain;
mod zone_lookup;

pub use provider::{Meta, R53Provider};
