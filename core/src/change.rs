//! A change to one record set, and the ID Route 53 gives an accepted batch of them.

use r53_zone::RecordSet;

/// One change to a record set.
#[derive(Debug, Clone)]
pub enum Change {
    Create(RecordSet),
    Upsert(RecordSet),
    Delete(RecordSet),
}

/// A Route 53 change ID, to wait on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeId(pub String);
