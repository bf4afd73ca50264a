//! A change to one record set, and the ID Route 53 gives an accepted batch of them.

use r53_zone::RecordSet;

/// One change to a record set.
#[derive(Debug, Clone)]
pub enum Change {
    Create(RecordSet),
    Upsert(RecordSet),
    Delete(RecordSet),
}

/// A Route 53 change ID, to wait on. Calls that may have nothing to wait for (a batch an earlier
/// attempt already applied, a zone taken over) return `Option<ChangeId>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeId(pub String);

impl ChangeId {
    /// From the API's form (`/change/C123` or `C123`).
    pub fn of(id: &str) -> ChangeId {
        ChangeId(id.trim_start_matches("/change/").to_string())
    }
}
