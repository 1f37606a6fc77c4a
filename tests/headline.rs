//! Every lesson's headline (the metrics that count its broken promises) is
//! in the metrics pane, each label with its value beside it, without
//! zooming, at every size the playground supports, at the instants the
//! lesson's script makes something happen.

use splitbrain::lesson::{Catalog, Lesson};
use splitbrain::sim::Time;
use splitbrain::ui::panes::metrics::headlines;
use splitbrain::ui::shot::{self, ShotSpec};

const SIZES: [(u16, u16); 3] = [(120, 40), (80, 24), (60, 18)];

/// A second after each scripted fault, in order, once each.
fn key_instants(lesson: &Lesson) -> Vec<Time> {
    let mut at: Vec<Time> = lesson
        .script
        .iter()
        .map(|e| Time(e.at.0 + e.within.0) + Time::secs(1))
        .filter(|&t| t < lesson.length)
        .collect();
    at.sort();
    at.dedup();
    at
}

/// The rows inside the metrics pane's border, as text.
fn metrics_pane(screen: &str) -> Option<Vec<String>> {
    let rows: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let (top, left) = rows.iter().enumerate().find_map(|(y, r)| {
        let s: String = r.iter().collect();
        let at = s.find(" Metrics ")?;
        let col = s[..at].chars().count();
        Some((y, col - 1))
    })?;
    let right = (left + 1..rows[top].len()).find(|&x| matches!(rows[top][x], '╮' | '┓'))?;
    let mut out = Vec::new();
    for r in &rows[top + 1..] {
        if matches!(r.get(left), Some('╰' | '┗')) {
            break;
        }
        out.push(r[left + 1..right.min(r.len())].iter().collect());
    }
    Some(out)
}

/// Whether some row has `label` and, after it, `value` as a word of its own.
fn shows(pane: &[String], label: &str, value: &str) -> bool {
    pane.iter().any(|row| {
        let Some(at) = row.find(label) else {
            return false;
        };
        let after = &row[at + label.len()..];
        after.match_indices(value).any(|(i, _)| {
            let before = after[..i].chars().last();
            let next = after[i + value.len()..].chars().next();
            before.is_none_or(|c| c == ' ') && next.is_none_or(|c| c == ' ' || c == '·')
        })
    })
}

#[test]
fn the_headline_numbers_are_on_screen_at_every_size() {
    let catalog = Catalog::embedded().unwrap();
    let mut failures = Vec::new();
    let mut checked = 0;
    for lesson in &catalog.lessons {
        assert!(
            !lesson.scenario.headline.is_empty(),
            "{}: its scenario names no headline metrics",
            lesson.id
        );
        for at in key_instants(lesson) {
            let spec = ShotSpec::lesson(&lesson.id, at, 120, 40);
            let mut app = shot::app_at(Catalog::embedded().unwrap(), &spec).unwrap();
            let wanted = headlines(app.session().unwrap());
            assert!(!wanted.is_empty(), "{}: no headline on a panel", lesson.id);
            for (w, h) in SIZES {
                app.size = ratatui::layout::Rect::new(0, 0, w, h);
                let screen = shot::text(&shot::draw(&app));
                let Some(pane) = metrics_pane(&screen) else {
                    failures.push(format!("{} at {at}, {w}x{h}: no metrics pane", lesson.id));
                    continue;
                };
                for hl in &wanted {
                    checked += 1;
                    if !shows(&pane, &hl.label, &hl.value) {
                        failures.push(format!(
                            "{} at {at}, {w}x{h}: `{} {}` ({}) not shown:\n{}",
                            lesson.id,
                            hl.label,
                            hl.value,
                            hl.metric,
                            pane.join("\n")
                        ));
                    }
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} checks");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
