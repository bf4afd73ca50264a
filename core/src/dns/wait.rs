//! The one wait for a parent zone to publish a delegation (`r53_delegation`, the cutover's
//! switch and rollback).

use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::view::ParentView;

/// How a wait for the parent ended, with the last view it had.
#[derive(Debug)]
pub enum Published {
    /// Every server of the parent publishes the wanted set.
    Yes(ParentView),
    /// The deadline passed first.
    TimedOut(Option<ParentView>),
    /// Cancelled (Stop, Ctrl-C) first.
    Cancelled(Option<ParentView>),
}

/// Waits until every server of the parent publishes `want`: the one wait of `r53_delegation`
/// and of the cutover's switch and rollback. `last` is a view already taken (None: look at once);
/// then looks with `look` after each pause — `pause` doubling up to `max_pause` (equal: a fixed
/// poll), the last one cut to the deadline — and tells `seen` of each look. A fresh `look` per
/// round is the caller's: a walk's query budget is per walk, not per wait.
pub async fn wait_published<E, Fut>(
    want: &[String],
    last: Option<ParentView>,
    deadline: Instant,
    cancel: &CancellationToken,
    (mut pause, max_pause): (Duration, Duration),
    mut look: impl FnMut() -> Fut,
    mut seen: impl FnMut(&Result<ParentView, E>),
) -> Published
where
    Fut: std::future::Future<Output = Result<ParentView, E>>,
{
    let mut last = last;
    let mut looked = last.is_some();
    loop {
        if let Some(v) = &last {
            if v.publishes(want) {
                return Published::Yes(last.take().expect("a view"));
            }
        }
        if looked {
            // tokio's clock (the one the pauses run on), so a test can pause it.
            let left = tokio::time::Instant::from_std(deadline)
                .saturating_duration_since(tokio::time::Instant::now());
            if cancel.is_cancelled() {
                return Published::Cancelled(last);
            }
            if left.is_zero() {
                return Published::TimedOut(last);
            }
            tokio::select! {
                _ = tokio::time::sleep(pause.min(left)) => {}
                _ = cancel.cancelled() => return Published::Cancelled(last),
            }
            pause = pause.saturating_mul(2).min(max_pause.max(pause));
        }
        looked = true;
        let r = look().await;
        seen(&r);
        if let Ok(v) = r {
            last = Some(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::view::{normalise_set, ParentAnswer};

    fn view(answers: Vec<ParentAnswer>) -> ParentView {
        ParentView::of_answers(answers)
    }

    fn set(v: &[&str]) -> Vec<String> {
        normalise_set(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    /// wait_published: looks until published, pausing 1 s, 2 s, 4 s (capped), and stops at the
    /// deadline or on cancel with the last view; an answer already published needs no look.
    #[tokio::test(start_paused = true)]
    async fn wait_published_backs_off_and_stops_at_deadline_or_cancel() {
        let want = vec!["ns1.new.example".to_string(), "ns2.new.example".to_string()];
        let old = || view(vec![ParentAnswer::Delegated(set(&["ns1.old.example"]))]);
        let new = || {
            view(vec![ParentAnswer::Delegated(set(&[
                "ns1.new.example",
                "ns2.new.example",
            ]))])
        };
        let start = tokio::time::Instant::now();
        let looks = std::cell::Cell::new(0u32);
        let seen = std::cell::Cell::new(0u32);
        let cancel = CancellationToken::new();
        // Published on the fourth look: after pauses of 1, 2 and 4 s.
        let r = wait_published(
            &want,
            Some(old()),
            (start + Duration::from_secs(60)).into_std(),
            &cancel,
            (Duration::from_secs(1), Duration::from_secs(4)),
            || {
                looks.set(looks.get() + 1);
                let n = looks.get();
                async move {
                    if n >= 3 {
                        Ok::<_, String>(new())
                    } else if n == 2 {
                        Err("no answer".to_string())
                    } else {
                        Ok(old())
                    }
                }
            },
            |_| seen.set(seen.get() + 1),
        )
        .await;
        assert!(
            matches!(r, Published::Yes(ref v) if v.publishes(&want)),
            "{r:?}"
        );
        assert_eq!((looks.get(), seen.get()), (3, 3));
        assert_eq!(start.elapsed(), Duration::from_secs(1 + 2 + 4));
        // Never published: stops at the deadline (the last pause cut to it), with the last view.
        let start = tokio::time::Instant::now();
        let r = wait_published(
            &want,
            None,
            (start + Duration::from_secs(10)).into_std(),
            &cancel,
            (Duration::from_secs(4), Duration::from_secs(4)),
            || async { Ok::<_, String>(old()) },
            |_| {},
        )
        .await;
        assert!(matches!(r, Published::TimedOut(Some(_))), "{r:?}");
        assert_eq!(start.elapsed(), Duration::from_secs(10));
        // Already published: no look at all.
        let r = wait_published(
            &want,
            Some(new()),
            start.into_std(),
            &cancel,
            (Duration::from_secs(1), Duration::from_secs(1)),
            || async { Err::<ParentView, _>("looked".to_string()) },
            |_| {},
        )
        .await;
        assert!(matches!(r, Published::Yes(_)));
        // Cancelled during a pause.
        let c2 = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(3)).await;
            c2.cancel();
        });
        let r = wait_published(
            &want,
            None,
            (tokio::time::Instant::now() + Duration::from_secs(600)).into_std(),
            &cancel,
            (Duration::from_secs(10), Duration::from_secs(10)),
            || async { Ok::<_, String>(old()) },
            |_| {},
        )
        .await;
        assert!(matches!(r, Published::Cancelled(Some(_))), "{r:?}");
    }
}
