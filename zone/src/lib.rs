//! r53-zone: the zone model shared by the provider and `r53-migrate`.
//!
//! DNS names, record types and values as Route 53 understands them, the rules Route 53 enforces
//! (checked here before any API call, because the emulator is more lenient than AWS), and the
//! normalisation that keeps plans empty (case, trailing dots, TXT quoting and 255-byte splitting).
//! Also: zone files (parsed with hickory, `$INCLUDE` confined to the zone's folder), conversion
//! of another host's records into Route 53 record sets, and the plan (diff + safety checks).
//! No network I/O and no AWS SDK types.

pub mod cidr;
pub mod convert;
pub mod dnskey;
pub mod health_check;
pub mod key;
pub mod ksk;
pub mod name;
mod par;
pub mod plan;
pub mod rdata;
pub mod record;
pub mod reverse;
pub mod wire;
pub mod zonefile;

pub use key::RecordKey;
pub use name::{fqdn, relative_to_zone, Name, NameError};
pub use rdata::{
    canonical_value, decode_wire_value, encode_user_value, values_equivalent, RecordType,
};
pub use record::{Alias, Failover, GeoLocation, GeoProximity, RecordSet, Routing, RuleError};
