//! Snapshots of whole screens, drawn headless exactly as `splitbrain shot`
//! draws them: the picker, every overlay, and every built-in lesson halfway
//! through each of its steps at 120×40 and 80×24. Lessons are found by
//! listing them, so a new lesson is snapshotted here without an edit; its
//! own test file snapshots the instants and settings its story turns on.
//! Review every change as if it were code.

mod common;

use common::screen;
use ratatui::layout::Rect;
use splitbrain::lesson::{Catalog, Lesson};
use splitbrain::sim::Time;
use splitbrain::ui::shot::{self, ShotSpec};

fn picker(width: u16, height: u16) -> ShotSpec {
    ShotSpec {
        lesson: None,
        ..ShotSpec::lesson("", Time::ZERO, width, height)
    }
}

#[test]
fn picker_screens() {
    insta::assert_snapshot!("picker_120x40", screen(&picker(120, 40)));
    insta::assert_snapshot!("picker_80x24", screen(&picker(80, 24)));
    insta::assert_snapshot!("picker_tiny", screen(&picker(30, 8)));
    insta::assert_snapshot!("picker_search", {
        let mut spec = picker(80, 24);
        spec.keys = shot::parse_keys("/fail").unwrap();
        screen(&spec)
    });
}

#[test]
fn overlays() {
    let with_keys = |keys: &str, at: u64| {
        let mut spec = ShotSpec::lesson("failover", Time::secs(at), 120, 40);
        spec.keys = shot::parse_keys(keys).unwrap();
        screen(&spec)
    };
    insta::assert_snapshot!("overlay_help", with_keys("?", 5));
    insta::assert_snapshot!("overlay_knobs", with_keys("k<Down><Right>", 5));
    insta::assert_snapshot!("overlay_partition", with_keys("2p3", 5));
    insta::assert_snapshot!("overlay_link", with_keys("l<Down><Right><Right>", 5));
    insta::assert_snapshot!("overlay_messages", with_keys("m", 5));
    insta::assert_snapshot!("command_line_completing", with_keys(":set re<Tab>", 5));
    insta::assert_snapshot!(
        "command_line_error",
        with_keys(":set replication=maybe<Enter>", 5)
    );
    insta::assert_snapshot!("overlay_knobs_typing", with_keys("k<Down><Down>=75ms", 5));
    let mut q = ShotSpec::lesson("failover", Time::millis(19_500), 120, 40);
    q.keys = vec![];
    // A due question appears once time reaches it in the app loop; here we open it as the loop would.
    let app = {
        let mut app = shot::app_at(Catalog::embedded().unwrap(), &q).unwrap();
        let s = app.session_mut().unwrap();
        s.paused = false;
        app.tick(std::time::Duration::from_millis(1));
        app
    };
    insta::assert_snapshot!("overlay_question", shot::text(&shot::draw(&app)));
}

/// The instants a lesson is pictured at: halfway through each step (from
/// when it becomes current to when the next does, or the lesson ends).
fn step_instants(lesson: &Lesson) -> Vec<(usize, Time)> {
    let due = |i: usize| {
        lesson.steps[i]
            .at
            .unwrap_or(if i == 0 { Time::ZERO } else { lesson.length })
    };
    let mut starts: Vec<(Time, usize)> = (0..lesson.steps.len()).map(|i| (due(i), i)).collect();
    starts.sort();
    let mut out = Vec::new();
    for (k, &(from, i)) in starts.iter().enumerate() {
        let to = starts.get(k + 1).map_or(lesson.length, |s| s.0).max(from);
        let at = Time(from.0 + (to.0 - from.0) / 2);
        if out.last().is_none_or(|&(_, t)| t != at) {
            out.push((i, at));
        }
    }
    out
}

#[test]
fn every_lesson_through_its_steps() {
    let catalog = Catalog::embedded().unwrap();
    for lesson in &catalog.lessons {
        let id = lesson.id.replace('-', "_");
        for (step, at) in step_instants(lesson) {
            let spec = ShotSpec::lesson(&lesson.id, at, 120, 40);
            let mut app = shot::app_at(Catalog::embedded().unwrap(), &spec).unwrap();
            for (w, h) in [(120, 40), (80, 24)] {
                app.size = Rect::new(0, 0, w, h);
                insta::assert_snapshot!(
                    format!("{id}_step{}_{w}x{h}", step + 1),
                    shot::text(&shot::draw(&app)),
                    &format!(
                        "{}, step {} ({}), at {at}",
                        lesson.id,
                        step + 1,
                        lesson.steps[step].title
                    )
                );
            }
        }
    }
}
