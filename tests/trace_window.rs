//! A run that keeps only a window of its trace shows the same history as
//! one that keeps all of it: older events are made again from checkpoints,
//! exactly, however far back the log is scrolled or the run is rewound.

use splitbrain::lesson::{Catalog, Run};
use splitbrain::sim::{Input, NodeSel, Time, TraceEvent, TraceLimit};

const WINDOW: usize = 3_000;

fn lost_update(window: Option<usize>) -> Run {
    let l = Catalog::embedded().unwrap().get("lost-update").unwrap();
    let mut run = Run::new(l, 5, &[], true).unwrap();
    run.set_trace_window(window.map(TraceLimit::events));
    run
}

/// Both runs go to `t`, the learner crashing a client at 77 s and
/// restarting it at 81 s on the way (those before `t`).
fn pair(t: Time) -> (Run, Run) {
    let mut runs = (lost_update(None), lost_update(Some(WINDOW)));
    let inputs = [
        (Time::secs(77), Input::Crash(NodeSel::Id(1))),
        (Time::secs(81), Input::Restart(NodeSel::Id(1))),
    ];
    for r in [&mut runs.0, &mut runs.1] {
        for (at, input) in inputs.iter().filter(|(at, _)| *at <= t) {
            r.advance_to(*at);
            r.input(input.clone());
        }
        r.advance_to(t);
    }
    runs
}

fn lines(events: &[TraceEvent], run: &Run) -> Vec<String> {
    events
        .iter()
        .map(|e| e.render(run.cluster().names()))
        .collect()
}

#[test]
fn the_window_keeps_the_newest_events_and_the_rest_is_made_again() {
    let (all, windowed) = pair(Time::secs(100));
    let (a, w) = (all.cluster().trace(), windowed.cluster().trace());
    assert!(
        a.len() > 10 * WINDOW,
        "the run outgrows the window: {}",
        a.len()
    );
    assert_eq!(w.len(), WINDOW);
    assert_eq!(w.end(), a.end());
    let full: Vec<TraceEvent> = a.iter().cloned().collect();
    let kept: Vec<TraceEvent> = w.iter().cloned().collect();
    assert_eq!(kept[..], full[full.len() - WINDOW..]);
    // Every event before the window, made again, is the one the run made.
    let again = windowed.trace_events(0..w.end()).unwrap();
    assert_eq!(lines(&again, &windowed), lines(&full, &all));
}

#[test]
fn the_log_scrolls_back_to_the_first_event_with_or_without_a_filter() {
    let (all, windowed) = pair(Time::secs(100));
    let nodes = all.cluster().names().len();
    let total = all.cluster().trace().end() as usize;
    for filter in [None, Some(0), Some(2), Some(nodes - 1)] {
        for scroll in [
            0,
            5,
            WINDOW - 3,
            WINDOW + 17,
            total / 2,
            total - 30,
            usize::MAX,
        ] {
            let a = all.log_page(filter, 30, scroll);
            let w = windowed.log_page(filter, 30, scroll);
            assert_eq!(w.error, None);
            assert_eq!(
                (w.scroll, lines(&w.lines, &windowed)),
                (a.scroll, lines(&a.lines, &all)),
                "filter {filter:?}, scroll {scroll}"
            );
        }
    }
    let top = windowed.log_page(None, 30, usize::MAX);
    assert_eq!(top.lines.last().map(|e| e.seq), Some(0), "the first event");
}

#[test]
fn rewinding_past_the_window_gives_the_window_of_a_straight_run() {
    let (_, mut windowed) = pair(Time::secs(120));
    let kept = |r: &Run| lines(&r.cluster().trace().iter().cloned().collect::<Vec<_>>(), r);
    // Back and back again: each rewind forgets what came after it.
    for back in [Time::secs(105), Time::millis(80_500), Time::secs(79)] {
        windowed.seek(back).unwrap();
        let (all, _) = pair(back);
        let full = kept(&all);
        assert_eq!(kept(&windowed), full[full.len().saturating_sub(WINDOW)..]);
        assert_eq!(
            lines(&windowed.log_page(Some(1), 20, 4_000).lines, &windowed),
            lines(&all.log_page(Some(1), 20, 4_000).lines, &all),
        );
    }
}
