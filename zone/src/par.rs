//! Data parallelism on scoped threads, for the few places where a large zone is worth it
//! (parsing and converting tens of thousands of records).

/// Maps `f` over contiguous chunks of `items` (at least `min_chunk` each) on up to one thread
/// per core; the results come back in the items' order. A panic in `f` is re-raised.
pub(crate) fn map_chunks<T: Sync, R: Send>(
    items: &[T],
    min_chunk: usize,
    f: impl Fn(&[T]) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let per = items.len().div_ceil(threads).max(min_chunk).max(1);
    if items.len() <= per {
        return vec![f(items)];
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = items.chunks(per).map(|c| s.spawn(|| f(c))).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_the_items_order() {
        let items: Vec<u32> = (0..10_000).collect();
        let sums = super::map_chunks(&items, 100, |c| c.to_vec());
        assert_eq!(sums.concat(), items);
        assert_eq!(super::map_chunks(&items[..3], 100, |c| c.len()), vec![3]);
        assert_eq!(
            super::map_chunks::<u32, usize>(&[], 1, |c| c.len()),
            vec![0]
        );
    }
}
