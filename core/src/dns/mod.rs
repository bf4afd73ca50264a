//! DNS over the wire, and nothing else: zone transfers from the host a zone is leaving, the
//! delegation walk (parent, name servers, DS), the equivalence check of two hosts' answers, and
//! the settings they share.

pub mod delegation;
pub mod dnssec;
pub mod equivalence;
pub mod settings;
pub mod transfer;
pub mod view;
mod wait;

pub use transfer::{axfr, transfer_records, AxfrLimits, DnsError, TsigKey};
