//! Zone-scale access for one process (one Terraform run): record reads served from one listing of
//! the zone, and record writes gathered by one writer per zone into change batches.
//!
//! Terraform applies and refreshes resources in parallel (`-parallelism`, 10 by default). Left alone,
//! N record resources make N List calls per refresh and N change batches per apply, which is what
//! gets the established provider throttled. Here:
//! - **reads**: the first lookup in a zone goes direct (one small List: a single record in a big zone
//!   does not cost a full listing); from then on the zone is listed once (single flight) and
//!   lookups are answered from that snapshot until one of our own writes to the zone invalidates it;
//! - **writes**: changes are queued per zone; a writer task gathers what arrives within a short window,
//!   sends it in as few batches as Route 53's limits allow, one batch at a time (no
//!   PriorRequestNotComplete storms), waits for INSYNC and answers each caller. When Route 53 rejects a
//!   batch, it is bisected until the offending changes are isolated: each of those gets Route 53's own
//!   error, and every other change is applied.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use r53_zone::{name::normalise, RecordKey, RecordSet, RecordType};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::batch;
use crate::change::{Change, ChangeId};
use crate::error::{Error, Result};
use crate::route53::{Call, Route53};

/// How long the writer waits for more changes after the last one arrived, and at most in all.
const GATHER_QUIET: Duration = Duration::from_millis(60);
const GATHER_MAX: Duration = Duration::from_millis(400);
/// Lookups in a zone served directly before the zone is listed once instead.
const DIRECT_READS: usize = 1;

type Index = HashMap<RecordKey, RecordSet>;

#[derive(Default)]
struct ZoneEntry {
    lookups: AtomicUsize,
    generation: AtomicU64,
    snapshot: Mutex<Option<Arc<Index>>>,
    fetch: tokio::sync::Mutex<()>,
    writer: Mutex<Option<mpsc::UnboundedSender<Pending>>>,
    /// A zone's name never changes and zone IDs are never reused: looked up once per process;
    /// concurrent callers wait for one lookup, and a failed lookup is not kept.
    name: tokio::sync::OnceCell<String>,
}

/// Record reads and writes per zone for one process, over a [`Route53`]. Clones share the cache
/// and the writers.
#[derive(Clone)]
pub struct Zones {
    r53: Route53,
    /// Share reads and batch writes per zone; off = one call per record.
    coalesce: bool,
    entries: Arc<Entries>,
}

#[derive(Default)]
struct Entries(Mutex<HashMap<String, Arc<ZoneEntry>>>);

impl std::fmt::Debug for Zones {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Zones")
            .field("coalesce", &self.coalesce)
            .finish_non_exhaustive()
    }
}

impl Entries {
    fn entry(&self, zone_id: &str) -> Arc<ZoneEntry> {
        self.0
            .lock()
            .expect("zones lock")
            .entry(zone_id.to_string())
            .or_default()
            .clone()
    }
}

struct Pending {
    change: Change,
    deadline: Instant,
    cancel: CancellationToken,
    reply: oneshot::Sender<Result<()>>,
}

fn name_of(c: &Change) -> &str {
    match c {
        Change::Create(r) | Change::Upsert(r) | Change::Delete(r) => &r.name,
    }
}

fn key_of(r: &RecordSet) -> RecordKey {
    RecordKey::new(&r.name, r.ty, r.set_identifier.as_deref())
}

impl Zones {
    pub fn new(r53: Route53, coalesce: bool) -> Zones {
        Zones {
            r53,
            coalesce,
            entries: Default::default(),
        }
    }

    /// The zone's (normalised) name, looked up once per process.
    pub async fn find_zone_name(&self, call: &Call, zone_id: &str) -> Result<String> {
        let e = self.entries.entry(zone_id);
        e.name
            .get_or_try_init(|| async {
                Ok(self.r53.find_hosted_zone_by_id(call, zone_id).await?.name)
            })
            .await
            .cloned()
    }

    /// Forgets the cached listing of a zone (after a write, or when it is known to be stale).
    pub fn invalidate(&self, zone_id: &str) {
        let e = self.entries.entry(zone_id);
        e.generation.fetch_add(1, Ordering::SeqCst);
        *e.snapshot.lock().expect("snapshot lock") = None;
    }

    /// Like [`Route53::find_record_set`], but after the zone's first lookup in this process served
    /// from one listing of the zone.
    pub async fn find_record_set_cached(
        &self,
        call: &Call,
        zone_id: &str,
        name: &str,
        ty: RecordType,
        set_id: Option<&str>,
    ) -> Result<RecordSet> {
        let e = self.entries.entry(zone_id);
        if !self.coalesce || e.lookups.fetch_add(1, Ordering::SeqCst) < DIRECT_READS {
            return self
                .r53
                .find_record_set(call, zone_id, name, ty, set_id)
                .await;
        }
        let snap = self.snapshot(call, zone_id, &e).await?;
        let key = RecordKey::new(name, ty, set_id);
        snap.get(&key).cloned().ok_or_else(|| Error::NotFound {
            what: format!("record set {key} in zone {zone_id}"),
        })
    }

    async fn snapshot(&self, call: &Call, zone_id: &str, e: &ZoneEntry) -> Result<Arc<Index>> {
        if let Some(s) = e.snapshot.lock().expect("snapshot lock").clone() {
            return Ok(s);
        }
        // Single flight: concurrent lookups wait for one listing.
        let _f = e.fetch.lock().await;
        if let Some(s) = e.snapshot.lock().expect("snapshot lock").clone() {
            return Ok(s);
        }
        let gen = e.generation.load(Ordering::SeqCst);
        let sets = self.r53.list_record_sets(call, zone_id).await?;
        let idx: Arc<Index> = Arc::new(sets.into_iter().map(|r| (key_of(&r), r)).collect());
        // A write that landed while we listed makes this listing stale: use it once, do not keep it.
        if e.generation.load(Ordering::SeqCst) == gen {
            *e.snapshot.lock().expect("snapshot lock") = Some(idx.clone());
        }
        Ok(idx)
    }

    /// Applies one change and waits until it is INSYNC. With coalescing on, the change shares a batch
    /// with whatever else is being written to the zone; its result is its own.
    pub async fn submit_change(&self, call: &Call, zone_id: &str, change: Change) -> Result<()> {
        if !self.coalesce {
            let id = self
                .r53
                .change_record_sets(call, zone_id, std::slice::from_ref(&change), "r53")
                .await;
            self.invalidate(zone_id);
            return self.wait_landed(call, id?.as_ref()).await;
        }
        let (tx, rx) = oneshot::channel();
        let p = Pending {
            change,
            deadline: call.deadline,
            cancel: call.cancel.clone(),
            reply: tx,
        };
        self.writer(zone_id)
            .send(p)
            .map_err(|_| Error::Invalid("the zone writer stopped".into()))?;
        tokio::select! {
            r = rx => r.unwrap_or_else(|_| Err(Error::Invalid("the zone writer dropped the change".into()))),
            _ = call.cancel.cancelled() => Err(Error::Cancelled),
        }
    }

    fn writer(&self, zone_id: &str) -> mpsc::UnboundedSender<Pending> {
        let e = self.entries.entry(zone_id);
        let mut w = e.writer.lock().expect("writer lock");
        if let Some(tx) = w.as_ref().filter(|tx| !tx.is_closed()) {
            return tx.clone();
        }
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(writer_loop(self.clone(), zone_id.to_string(), rx));
        *w = Some(tx.clone());
        tx
    }
}

async fn writer_loop(zones: Zones, zone_id: String, mut rx: mpsc::UnboundedReceiver<Pending>) {
    while let Some(first) = rx.recv().await {
        let mut group = vec![first];
        let started = Instant::now();
        loop {
            let quiet = GATHER_QUIET.min(GATHER_MAX.saturating_sub(started.elapsed()));
            if quiet.is_zero() {
                break;
            }
            match tokio::time::timeout(quiet, rx.recv()).await {
                Ok(Some(p)) => group.push(p),
                Ok(None) | Err(_) => break,
            }
        }
        // Callers that gave up (Stop, timeout) are not written.
        let (live, gone): (Vec<_>, Vec<_>) =
            group.into_iter().partition(|p| !p.cancel.is_cancelled());
        for p in gone {
            let _ = p.reply.send(Err(Error::Cancelled));
        }
        let sizes = batch::split(&live, |p| batch::cost(&p.change));
        let mut it = live.into_iter();
        for n in sizes {
            let chunk: Vec<Pending> = it.by_ref().take(n).collect();
            apply(&zones, &zone_id, chunk).await;
        }
    }
}

/// Sends one writer chunk under a call that is cancelled only when every caller in it is.
async fn apply(zones: &Zones, zone_id: &str, chunk: Vec<Pending>) {
    if chunk.is_empty() {
        return;
    }
    let deadline = chunk
        .iter()
        .map(|p| p.deadline)
        .max()
        .unwrap_or_else(Instant::now);
    let cancel = CancellationToken::new();
    let tokens: Vec<CancellationToken> = chunk.iter().map(|p| p.cancel.clone()).collect();
    let watcher = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            futures::future::join_all(tokens.iter().map(|t| t.cancelled())).await;
            cancel.cancel();
        })
    };
    let call = Call { deadline, cancel };
    let changes: Vec<Change> = chunk.iter().map(|p| p.change.clone()).collect();
    let results = zones.send_bisect(&call, zone_id, &changes).await;
    for (p, r) in chunk.into_iter().zip(results) {
        let _ = p.reply.send(r);
    }
    watcher.abort();
}

impl Zones {
    /// Applies many changes to one zone in as few batches as Route 53's limits allow, one batch at
    /// a time, each waited INSYNC. Changes at one name are sent together, DELETEs first, so a set
    /// replaced by one of another type (A → CNAME) or routing leaves no moment without an answer.
    /// Returns one result per change, in the order given: a rejected batch is bisected so only
    /// the offending changes fail.
    pub async fn apply_changes(
        &self,
        call: &Call,
        zone_id: &str,
        changes: &[Change],
    ) -> Vec<Result<()>> {
        let mut order: Vec<usize> = (0..changes.len()).collect();
        order.sort_by_cached_key(|&i| {
            let (rs, rank) = match &changes[i] {
                Change::Delete(r) => (r, 0),
                Change::Create(r) | Change::Upsert(r) => (r, 1),
            };
            (normalise(&rs.name), rank)
        });
        let sorted: Vec<Change> = order.iter().map(|&i| changes[i].clone()).collect();
        let mut results: Vec<Option<Result<()>>> = vec![None; changes.len()];
        let mut start = 0;
        for n in batch::split_groups(&sorted, batch::cost, |c| normalise(name_of(c))) {
            let sent = self
                .send_bisect(call, zone_id, &sorted[start..start + n])
                .await;
            for (&i, r) in order[start..start + n].iter().zip(sent) {
                results[i] = Some(r);
            }
            start += n;
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(Error::Invalid("change not sent".into()))))
            .collect()
    }

    /// Sends `changes` as one change batch (all or nothing) and waits until it is INSYNC: a record
    /// set moved to another type, set identifier or routing policy, without a gap in between.
    pub async fn apply_together(
        &self,
        call: &Call,
        zone_id: &str,
        changes: &[Change],
    ) -> Result<()> {
        let comment = format!("r53: {} change(s) together", changes.len());
        let sent = self
            .r53
            .change_record_sets(call, zone_id, changes, &comment)
            .await;
        self.invalidate(zone_id);
        self.wait_landed(call, sent?.as_ref()).await
    }

    /// Waits for an accepted change to be INSYNC; a failure says the change is in the zone anyway
    /// ([`Error::Unconfirmed`]), so callers keep what they wrote instead of forgetting it.
    async fn wait_landed(&self, call: &Call, id: Option<&ChangeId>) -> Result<()> {
        let Some(id) = id else {
            return Ok(());
        };
        self.r53
            .wait_change_insync(call, Some(id))
            .await
            .map_err(|cause| Error::Unconfirmed {
                change: id.0.clone(),
                cause: Box::new(cause),
            })
    }

    /// Sends one batch (already within limits) and waits for INSYNC; on InvalidChangeBatch, halves
    /// it until the offending changes are alone.
    fn send_bisect<'a>(
        &'a self,
        call: &'a Call,
        zone_id: &'a str,
        changes: &'a [Change],
    ) -> futures::future::BoxFuture<'a, Vec<Result<()>>> {
        Box::pin(async move {
            if changes.is_empty() {
                return Vec::new();
            }
            let comment = format!("r53: {} change(s)", changes.len());
            let sent = self
                .r53
                .change_record_sets(call, zone_id, changes, &comment)
                .await;
            self.invalidate(zone_id);
            match sent {
                Ok(id) => {
                    let r = self.wait_landed(call, id.as_ref()).await;
                    vec![r; changes.len()]
                }
                Err(e) if e.code() == Some("InvalidChangeBatch") && changes.len() > 1 => {
                    tracing::info!(
                        zone_id,
                        changes = changes.len(),
                        "batch rejected; bisecting to isolate the offending changes"
                    );
                    let mid = changes.len() / 2;
                    let mut out = self.send_bisect(call, zone_id, &changes[..mid]).await;
                    out.extend(self.send_bisect(call, zone_id, &changes[mid..]).await);
                    out
                }
                Err(e) => vec![Err(e); changes.len()],
            }
        })
    }
}
