//! The cutover as a pure state machine: which step an event leads to from each step, what a run
//! does next, whether the switch may go now, when monitoring may end, and what a rollback
//! restores. No I/O and no clock (the time is an argument), so every transition is unit-tested;
//! the runner (`mod.rs`, `switch.rs`, `rollback.rs`) does the asking, printing and saving.

use crate::state::{State, Step};

/// What happened, moving the cutover on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Event {
    /// Preflight ran: it passed, or found something that blocks.
    Checked { passed: bool },
    /// The last checks before the switch passed; the registrar is asked next.
    SwitchStarted,
    /// Every parent server publishes the new set.
    Published,
    /// The old delegation's TTL has passed with the new set published and answering.
    Held,
    /// A rollback starts (or resumes) restoring the old set.
    RollbackStarted,
    /// A rollback before anything was switched or lowered: nothing to restore.
    Cancelled,
    /// The parent publishes the old set again.
    Restored,
}

/// An event that cannot happen at a step: a bug, or a state file changed by hand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the cutover cannot go on from \"{}\" by {event:?}", from.describe())]
pub(super) struct Invalid {
    pub from: Step,
    pub event: Event,
}

/// The step `event` leads to from `from`.
pub(super) fn next(from: Step, event: Event) -> Result<Step, Invalid> {
    use Step::*;
    Ok(match (from, event) {
        (Blocked | Ready, Event::Checked { passed }) => {
            if passed {
                Ready
            } else {
                Blocked
            }
        }
        (Ready, Event::SwitchStarted) => Switching,
        (Switching, Event::Published) => Monitoring,
        (Monitoring, Event::Held) => Complete,
        // A rollback may start from any step but its end, and resume while it runs.
        (
            Blocked | Ready | Switching | Monitoring | Complete | RollingBack,
            Event::RollbackStarted,
        ) => RollingBack,
        (Blocked | Ready, Event::Cancelled) => RolledBack,
        (RollingBack, Event::Restored) => RolledBack,
        _ => return Err(Invalid { from, event }),
    })
}

/// What this run was asked to do.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Asked {
    /// `--switch`: go past preflight.
    pub switch: bool,
    /// `--recheck`: run preflight again though one passed.
    pub recheck: bool,
}

/// What a run does next at its state's step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Next {
    /// Run preflight: none recorded, `--recheck`, or a blocked cutover (its blocker may be fixed).
    /// Once per run at most.
    Preflight,
    /// Preflight passed and no `--switch`: stop, saying how to switch.
    AskForSwitch,
    /// The last checks, then the switch.
    Switch,
    /// Preflight ran in this run and blocked.
    Blocked,
    /// Wait for the parent to publish the new set.
    AwaitParent,
    /// Watch the parent and the new zone until the old delegation's TTL has passed.
    Monitor,
    Done,
    /// The cutover was rolled back (or is being): a new one starts without --resume.
    RolledBack,
}

/// The next thing to do at `st`'s step; `checked` says whether preflight already ran in this run.
pub(super) fn next_action(st: &State, checked: bool, asked: Asked) -> Next {
    match st.step {
        Step::Blocked | Step::Ready
            if !checked
                && (st.preflight.is_none() || asked.recheck || st.step == Step::Blocked) =>
        {
            Next::Preflight
        }
        Step::Ready if asked.switch => Next::Switch,
        Step::Ready => Next::AskForSwitch,
        Step::Blocked => Next::Blocked,
        Step::Switching => Next::AwaitParent,
        Step::Monitoring => Next::Monitor,
        Step::Complete => Next::Done,
        Step::RollingBack | Step::RolledBack => Next::RolledBack,
    }
}

/// Whether the switch may go at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Gate {
    Go,
    /// The preflight is older than the bound: run it again.
    Stale {
        age: u64,
    },
    /// The old NS TTL has not yet run out of caches: safe from `from`.
    NotYet {
        from: u64,
    },
    /// No preflight is recorded (a damaged state file: `check` refuses it first).
    Unchecked,
}

pub(super) fn switch_gate(st: &State, now: u64, max_age: u64) -> Gate {
    let Some(pf) = &st.preflight else {
        return Gate::Unchecked;
    };
    let age = now.saturating_sub(pf.at);
    if age > max_age {
        Gate::Stale { age }
    } else if st.earliest_switch > now {
        Gate::NotYet {
            from: st.earliest_switch,
        }
    } else {
        Gate::Go
    }
}

/// When monitoring may end, the new set published at `published`: resolvers may hold the old
/// delegation for the parent's NS TTL or the old host's, whichever is longer. Saturating: the
/// TTLs come from DNS answers and the state file.
pub(super) fn complete_after(st: &State, published: u64) -> u64 {
    published.saturating_add(u64::from(st.parent_ns_ttl.max(st.old_ns_ttl)))
}

/// What a rollback does from the state's step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rollback {
    /// Nothing was switched or lowered: record the cancellation, touch nothing.
    Cancel,
    AlreadyDone,
    /// Ask for the old set (again), wait for the parent, put the new zone's NS TTL back.
    Restore,
}

/// Only what a rollback needs is required of the state (it is the way out: a damaged field it
/// does not use must not stand in its way), and a restore needs the old set.
pub(super) fn rollback(st: &State) -> Result<Rollback, String> {
    Ok(match st.step {
        // The switch lowers the new zone's NS TTL before it moves on: a kill in between leaves
        // Ready with a TTL to put back.
        Step::Blocked | Step::Ready if st.new_ns_ttl_before.is_none() => Rollback::Cancel,
        Step::RolledBack => Rollback::AlreadyDone,
        _ if st.old_ns.is_empty() => {
            return Err(format!(
                "the state is at \"{}\" but records no old name servers to restore: the file was changed by hand or is damaged; set the delegation at the registrar yourself",
                st.step.describe()
            ))
        }
        _ => Rollback::Restore,
    })
}

/// Whether a loaded state holds what its step needs (the state file is read from disk: edited
/// by hand or damaged, it must be refused by name, not acted on with zeros).
pub(super) fn check(st: &State) -> Result<(), String> {
    let missing = |what: &str| {
        Err(format!(
            "the state is at \"{}\" but records no {what}: the file was changed by hand or is damaged",
            st.step.describe()
        ))
    };
    let past_ready = matches!(
        st.step,
        Step::Switching | Step::Monitoring | Step::Complete | Step::RollingBack
    );
    if st.new_ns.is_empty() {
        return missing("new name servers");
    }
    if past_ready && st.old_ns.is_empty() {
        return missing("old name servers (what a rollback restores)");
    }
    match st.step {
        Step::Ready | Step::Switching if !st.preflight.as_ref().is_some_and(|p| p.passed) => {
            missing("passed preflight")
        }
        Step::Switching if st.switch_requested_at.is_none() => missing("switch request time"),
        Step::Monitoring if st.published_at.is_none() || st.complete_after.is_none() => {
            missing("time the parent published the new set")
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{self, Preflight, RegistrarKind};
    use std::collections::BTreeMap;

    const STEPS: [Step; 7] = [
        Step::Blocked,
        Step::Ready,
        Step::Switching,
        Step::Monitoring,
        Step::Complete,
        Step::RollingBack,
        Step::RolledBack,
    ];
    /// The steps from which a rollback must restore the old set.
    const SWITCH_STARTED: [Step; 4] = [
        Step::Switching,
        Step::Monitoring,
        Step::Complete,
        Step::RollingBack,
    ];
    const EVENTS: [Event; 8] = [
        Event::Checked { passed: true },
        Event::Checked { passed: false },
        Event::SwitchStarted,
        Event::Published,
        Event::Held,
        Event::RollbackStarted,
        Event::Cancelled,
        Event::Restored,
    ];

    fn state(step: Step) -> State {
        State {
            version: state::VERSION,
            domain: "shop.test".into(),
            zone_id: "Z1".into(),
            registrar: RegistrarKind::External,
            step,
            source: "zone file".into(),
            parent_zone: "test".into(),
            old_ns: vec!["ns1.old.test".into()],
            old_glue: BTreeMap::new(),
            new_ns: vec!["ns-1.awsdns-01.com".into()],
            parent_ns_ttl: 3600,
            old_ns_ttl: 300,
            old_ns_ttl_seen: vec![(1_000, 300)],
            max_zone_ttl: 300,
            earliest_switch: 1_000,
            preflight: Some(Preflight {
                at: 1_000,
                passed: true,
                ..Default::default()
            }),
            switch_requested_at: Some(2_000),
            operation_id: None,
            published_at: Some(2_100),
            complete_after: Some(5_700),
            rollback_operation_id: None,
            new_ns_ttl_before: None,
            from: None,
            names_file: None,
            skip_unsupported: false,
            events: Vec::new(),
        }
    }

    /// Every (step, event) pair: the allowed ones lead where the cutover's description says, every
    /// other one is refused naming the step.
    #[test]
    fn every_transition() {
        use Step::*;
        let expected = |from: Step, ev: Event| -> Option<Step> {
            match ev {
                Event::Checked { passed } if matches!(from, Blocked | Ready) => {
                    Some(if passed { Ready } else { Blocked })
                }
                Event::SwitchStarted if from == Ready => Some(Switching),
                Event::Published if from == Switching => Some(Monitoring),
                Event::Held if from == Monitoring => Some(Complete),
                Event::RollbackStarted if from != RolledBack => Some(RollingBack),
                Event::Cancelled if matches!(from, Blocked | Ready) => Some(RolledBack),
                Event::Restored if from == RollingBack => Some(RolledBack),
                _ => None,
            }
        };
        let mut allowed = 0;
        for from in STEPS {
            for ev in EVENTS {
                match (next(from, ev), expected(from, ev)) {
                    (Ok(to), Some(want)) => {
                        assert_eq!(to, want, "{from:?} by {ev:?}");
                        allowed += 1;
                    }
                    (Err(e), None) => {
                        assert_eq!(e, Invalid { from, event: ev });
                        assert!(e.to_string().contains(from.describe()), "{e}");
                    }
                    (got, want) => panic!("{from:?} by {ev:?}: got {got:?}, want {want:?}"),
                }
            }
        }
        // 4 preflight outcomes, 3 forward moves, 6 rollback starts, 2 cancels, 1 restore.
        assert_eq!(allowed, 16);
    }

    /// The happy path, step by step, ends complete; nothing goes on from the end.
    #[test]
    fn the_whole_cutover() {
        let mut s = Step::Blocked;
        for ev in [
            Event::Checked { passed: false },
            Event::Checked { passed: true },
            Event::SwitchStarted,
            Event::Published,
            Event::Held,
        ] {
            s = next(s, ev).unwrap();
        }
        assert_eq!(s, Step::Complete);
        for ev in EVENTS.into_iter().filter(|e| *e != Event::RollbackStarted) {
            assert!(next(s, ev).is_err(), "{ev:?} after completion");
        }
    }

    /// A rollback from every step: what it plans, and the steps it goes through to the end.
    #[test]
    fn rollback_from_every_step() {
        for from in STEPS {
            let st = state(from);
            let plan = rollback(&st).unwrap();
            let end = match plan {
                Rollback::Cancel => next(from, Event::Cancelled).unwrap(),
                Rollback::AlreadyDone => from,
                Rollback::Restore => {
                    let mid = next(from, Event::RollbackStarted).unwrap();
                    assert_eq!(mid, Step::RollingBack);
                    next(mid, Event::Restored).unwrap()
                }
            };
            assert_eq!(end, Step::RolledBack, "from {from:?} ({plan:?})");
            let want = match from {
                Step::Blocked | Step::Ready => Rollback::Cancel,
                Step::RolledBack => Rollback::AlreadyDone,
                _ => Rollback::Restore,
            };
            assert_eq!(plan, want, "from {from:?}");
        }
        // Killed after the switch lowered the new zone's NS TTL but before it moved on: that TTL
        // must be put back, so it is a restore, not a cancellation.
        let mut st = state(Step::Ready);
        st.new_ns_ttl_before = Some(172_800);
        assert_eq!(rollback(&st), Ok(Rollback::Restore));
        let mut st = state(Step::Blocked);
        st.new_ns_ttl_before = Some(172_800);
        assert_eq!(rollback(&st), Ok(Rollback::Restore));
        // A restore needs the old set; a cancellation does not.
        for step in SWITCH_STARTED {
            let mut st = state(step);
            st.old_ns.clear();
            assert!(rollback(&st).unwrap_err().contains("no old name servers"));
        }
        let mut st = state(Step::Ready);
        st.old_ns.clear();
        assert_eq!(rollback(&st), Ok(Rollback::Cancel));
    }

    #[test]
    fn what_a_run_does_next() {
        let go = Asked {
            switch: true,
            recheck: false,
        };
        let look = Asked::default();
        let recheck = Asked {
            switch: false,
            recheck: true,
        };
        let mut fresh = state(Step::Blocked);
        fresh.preflight = None;
        assert_eq!(next_action(&fresh, false, look), Next::Preflight);
        // A blocked cutover is checked again on resume (its blocker may be fixed), once per run.
        let blocked = state(Step::Blocked);
        assert_eq!(next_action(&blocked, false, go), Next::Preflight);
        assert_eq!(next_action(&blocked, true, go), Next::Blocked);
        // A passed preflight is reused unless --recheck.
        let ready = state(Step::Ready);
        assert_eq!(next_action(&ready, false, look), Next::AskForSwitch);
        assert_eq!(next_action(&ready, false, go), Next::Switch);
        assert_eq!(next_action(&ready, false, recheck), Next::Preflight);
        assert_eq!(next_action(&ready, true, recheck), Next::AskForSwitch);
        for (step, want) in [
            (Step::Switching, Next::AwaitParent),
            (Step::Monitoring, Next::Monitor),
            (Step::Complete, Next::Done),
            (Step::RollingBack, Next::RolledBack),
            (Step::RolledBack, Next::RolledBack),
        ] {
            for asked in [go, look, recheck] {
                for checked in [false, true] {
                    assert_eq!(next_action(&state(step), checked, asked), want, "{step:?}");
                }
            }
        }
    }

    #[test]
    fn the_switch_waits_for_a_fresh_preflight_and_the_old_ttl() {
        let mut st = state(Step::Ready);
        st.earliest_switch = 1_500;
        assert_eq!(switch_gate(&st, 1_400, 3_600), Gate::NotYet { from: 1_500 });
        assert_eq!(switch_gate(&st, 1_500, 3_600), Gate::Go);
        assert_eq!(switch_gate(&st, 4_601, 3_600), Gate::Stale { age: 3_601 });
        // A preflight time in the future (clock moved back, edited file) is not "old".
        assert_eq!(switch_gate(&st, 500, 3_600), Gate::NotYet { from: 1_500 });
        st.preflight = None;
        assert_eq!(switch_gate(&st, 1_500, 3_600), Gate::Unchecked);
    }

    #[test]
    fn monitoring_outwaits_the_longer_ns_ttl() {
        let mut st = state(Step::Switching);
        assert_eq!(complete_after(&st, 10_000), 13_600);
        st.old_ns_ttl = 86_400;
        assert_eq!(complete_after(&st, 10_000), 96_400);
        // TTLs and times from a damaged file saturate instead of wrapping.
        assert_eq!(complete_after(&st, u64::MAX - 1), u64::MAX);
    }

    #[test]
    fn a_state_missing_what_its_step_needs_is_refused() {
        for step in STEPS {
            assert_eq!(check(&state(step)), Ok(()), "{step:?}");
        }
        let mut st = state(Step::Monitoring);
        st.complete_after = None;
        let e = check(&st).unwrap_err();
        assert!(e.contains("monitoring") && e.contains("published"), "{e}");
        let mut st = state(Step::Switching);
        st.switch_requested_at = None;
        assert!(check(&st).unwrap_err().contains("switch request time"));
        let mut st = state(Step::Ready);
        st.preflight.as_mut().unwrap().passed = false;
        assert!(check(&st).unwrap_err().contains("passed preflight"));
        for step in SWITCH_STARTED {
            let mut st = state(step);
            st.old_ns.clear();
            assert!(check(&st).unwrap_err().contains("what a rollback restores"));
        }
        // Before the switch the old set is not yet known (preflight records it).
        let mut st = state(Step::Blocked);
        st.old_ns.clear();
        assert_eq!(check(&st), Ok(()));
        let mut st = state(Step::Blocked);
        st.new_ns.clear();
        assert!(check(&st).is_err());
    }
}
