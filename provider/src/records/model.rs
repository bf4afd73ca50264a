//! `r53_records`' own arguments as a kit model. The `record` blocks are not a field of it: a map of
//! 10,000 blocks decoded into a model would be a second copy of the largest value the provider
//! holds. They stay in the resource's `Value` (borrowed, or moved out where state is built), and
//! each block is read through `r53_record`'s model.

use r53_plugin::Value;
use r53_zone::plan::Limits;

r53_plugin::model! {
    /// The arguments and computed attributes of `r53_records` beside its `record` blocks.
    pub(crate) struct Records / RecordsAttrs {
        description: "Many record sets of one hosted zone, managed together and written in as few change batches as Route 53 allows \
             (1,000 records / 32,000 characters per batch). The plan shows one entry per record set.\n\n\
             Each `record` block has a label of your choosing (`record \"www A\" { … }`); Terraform plans the blocks by label, \
             so adding, changing or removing one record set shows as that one entry, wherever it is written.";
        attributes {
            id: String [computed] "The hosted zone ID.",
            zone_id: String [required, force_new] "ID of the hosted zone.",
            mode: String [optional] "`additive` (default): manage only the declared record sets and leave others alone; an existing record set that already \
                 matches its declaration is adopted without a write, one that differs is refused (never silently taken over). \
                 `exclusive`: the declared record sets are the whole zone (except the apex SOA and NS); anything else is deleted. \
                 `terraform import` with the zone ID imports every record set in exclusive mode.",
            max_change_percent: i64 [optional] "Refuse to plan deleting or updating more than this share of the existing record sets of a zone with at least 10 record sets. Default 30.",
            max_record_sets: i64 [optional] "The hosted zone's record-set quota (Route 53 counts the apex SOA and NS): a plan that would take the zone over it is \
                 refused before any write, whatever `allow_mass_change` says, instead of failing at Route 53 mid-apply. Default 10,000, \
                 Route 53's default quota; raise it with AWS first. In additive mode the zone's other record sets are counted at apply.",
            allow_mass_change: bool [optional] "Allow a change over `max_change_percent`, and changes to the apex NS records. Default `false`.",
            zone_name: String [computed] "The zone's domain name.",
        }
    }
}

/// The name of the `record` blocks.
pub(super) const RECORD: &str = "record";

impl Records {
    /// `mode = "exclusive"`: the declared record sets are the whole zone.
    pub(super) fn exclusive(&self) -> bool {
        self.mode.as_str() == Some("exclusive")
    }

    pub(super) fn allow_mass_change(&self) -> bool {
        self.allow_mass_change.get() == Some(true)
    }

    /// The limits these arguments set (the engine's defaults otherwise).
    pub(super) fn limits(&self) -> Limits {
        let d = Limits::default();
        Limits {
            max_change_percent: self
                .max_change_percent
                .get()
                .and_then(|p| u32::try_from(p).ok())
                .unwrap_or(d.max_change_percent),
            max_record_sets: self
                .max_record_sets
                .get()
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(d.max_record_sets),
            ..d
        }
    }

    /// The resource's whole value: these attributes and `record` (moved in, not copied).
    pub(super) fn with_records(&self, record: Value) -> Value {
        let mut v = self.to_value();
        v.set(RECORD, record);
        v
    }
}
