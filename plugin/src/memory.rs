//! Keeping the provider's resident memory close to what it holds live.
//!
//! A zone-scale resource moves megabytes of msgpack per RPC (10,000 record sets: ~2.5 MB per value,
//! three values in a plan request). glibc's malloc raises its mmap threshold after the first such
//! buffer is freed, so later ones come from the main heap, and whatever the previous RPC freed stays
//! resident under the next one. Two measures, both Linux/glibc only and no-ops elsewhere:
//! a fixed mmap threshold (big buffers are mapped and unmapped, never left in the heap) and a heap
//! trim at the end of an RPC when the ones since the last trim moved a lot of data.

#![allow(unsafe_code)] // mallopt / malloc_trim; see SAFETY notes

use std::sync::atomic::{AtomicUsize, Ordering};

/// Bytes of state moved since the last trim.
static MOVED: AtomicUsize = AtomicUsize::new(0);

/// Trim once this much has been moved: small RPCs (one `r53_record`) never pay for a trim.
const TRIM_AFTER: usize = 1 << 20;

/// Allocations at or above this size are served by mmap and returned to the system when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 128 * 1024;

/// Sets the allocator up; call once at start, before any large allocation.
pub(crate) fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; called before threads allocate concurrently.
    unsafe {
        // Setting it explicitly also turns off glibc's dynamic raising of the threshold.
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 2 * MMAP_THRESHOLD);
    }
}

/// Hands freed heap pages back to the system when dropped, if the RPCs since the last trim moved
/// enough data. Create it at the start of a state-carrying RPC, before the values it decodes:
/// locals drop in reverse order, so it runs once they are all freed (the response stays).
pub(crate) struct Release(usize);

impl Release {
    pub fn after(bytes: usize) -> Release {
        Release(bytes)
    }
}

impl Drop for Release {
    fn drop(&mut self) {
        let moved = MOVED.fetch_add(self.0, Ordering::Relaxed) + self.0;
        if moved < TRIM_AFTER {
            return;
        }
        MOVED.store(0, Ordering::Relaxed);
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: malloc_trim only releases free memory; it is thread-safe in glibc.
        unsafe {
            libc::malloc_trim(0);
        }
    }
}

/// Logs the process's resident and peak resident memory at debug level (Terraform shows it with
/// `TF_LOG_PROVIDER=debug`): where the peak of a big RPC happens.
pub(crate) fn mark(what: &str, bytes: usize) {
    if bytes < TRIM_AFTER / 4 || !tracing::enabled!(tracing::Level::DEBUG) {
        return;
    }
    let Ok(st) = std::fs::read_to_string("/proc/self/status") else {
        return;
    };
    let kib = |key: &str| {
        st.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    tracing::debug!(
        what,
        bytes,
        rss_kib = kib("VmRSS:"),
        peak_kib = kib("VmHWM:"),
        "memory"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_counts_until_a_trim() {
        MOVED.store(0, Ordering::Relaxed);
        drop(Release::after(TRIM_AFTER / 2));
        assert_eq!(MOVED.load(Ordering::Relaxed), TRIM_AFTER / 2);
        drop(Release::after(TRIM_AFTER));
        assert_eq!(MOVED.load(Ordering::Relaxed), 0);
    }
}
