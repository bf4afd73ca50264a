//! r53-zone: the zone model shared by the provider and `r53-migrate`.
//!
//! DNS names, record types and values as Route 53 understands them, the rules Route 53 enforces
//! (checked here before any API call, because the emulator is more lenient than AWS), and the
//! normalisation that keeps plans empty (case, trailing dots, TXT quoting and 255-byte splitting).
//! Pure: no I/O, no SDK types.

pub mod name;
pub mod rdata;
pub mod record;

pub use name::{fqdn, is_apex, relative_to_zone, Name, NameError};
pub use rdata::{
    canonical_value, decode_wire_value, encode_user_value, values_equivalent, RecordType,
};
pub use record::{Alias, Failover, GeoLocation, RecordSet, Routing, RuleError};
