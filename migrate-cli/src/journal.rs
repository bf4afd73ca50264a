//! The apply journal: what an interrupted run needs to finish the same job — the wanted record
//! sets (so the source is not read again), the zone's caller reference (so a zone is never
//! created twice) and the keys the reviewed plan was allowed to touch. Written atomically
//! (temp file, fsync, rename) so a kill at any point leaves the old or the new journal, never half.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use r53_zone::RecordKey;
use r53_zone::RecordSet;
use serde::{Deserialize, Serialize};

pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Journal {
    pub version: u32,
    pub zone: String,
    pub source: String,
    /// CallerReference for CreateHostedZone: reused on resume, so AWS never makes two zones.
    pub caller_reference: String,
    pub zone_id: Option<String>,
    pub plan_checksum: String,
    /// Record sets (name, type, set id) the reviewed plan creates, updates or deletes.
    pub approved: BTreeSet<RecordKey>,
    pub want: Vec<RecordSet>,
    /// The source Route 53 zone whose internal aliases must point at the target zone once it
    /// exists (the zone is created by the apply, so its ID was not known at planning).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retarget_aliases_from: Option<String>,
}

pub(crate) fn default_path(zone: &str) -> PathBuf {
    PathBuf::from(format!("r53-migrate-{zone}.journal.json"))
}

impl Journal {
    pub fn load(path: &Path) -> Result<Journal, String> {
        crate::persist::read_versioned(path, "journal", VERSION, |j: &Journal| j.version)
    }

    pub fn save(&self, path: &Path) -> Result<(), String> {
        let bytes = serde_json::to_vec(self).map_err(|e| e.to_string())?;
        crate::persist::write_atomically(path, &bytes)
            .map_err(|e| format!("writing journal {}: {e}", path.display()))
    }
}
