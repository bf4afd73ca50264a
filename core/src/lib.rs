//! r53-core: every AWS call r53 makes, behind types of our own (no SDK type leaves this crate).
//!
//! Finders are `find_<thing>_by_<key>` and return the typed [`Error::NotFound`] when the object is
//! gone; waiters are `wait_<thing>_<state>`; every call runs under a [`route53::Call`] (deadline +
//! cancellation) and the retry loop in [`retry`].

pub mod batch;
pub mod call;
pub mod change;
pub mod client;
pub mod dns;
pub mod domains;
mod duration;
pub mod error;
pub mod kms;
pub mod resolver;
pub mod retry;
pub mod route53;
pub mod zones;

pub use client::{AssumeRole, Aws, AwsSettings};
pub use domains::{Contact, ContactRole, Domains, NameServer, RegisteredDomain, Registration};
pub use duration::{deadline_after, parse_duration, rfc3339};
pub use error::{Error, Result};
pub use resolver::Resolver;
pub use route53::{Call, Change, ChangeId, HostedZone, NewZone, Route53, Vpc, ZoneAssociation};
