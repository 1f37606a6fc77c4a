//! The picker with a catalog larger than the built-in one: order, keys,
//! search, clicks, marks, sizes.

use super::*;
use crate::lesson::{EMBEDDED, Progress, parse};
use crate::ui::panes::buffer_text;
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use std::sync::Arc;

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn embedded(file: &str) -> &'static str {
    EMBEDDED.iter().find(|(f, _)| *f == file).unwrap().1
}

/// A catalog with more lessons and chapters than the built-in one: copies
/// of the built-in lessons under other ids, chapters and orders.
fn big_catalog() -> Catalog {
    let mut lessons = Vec::new();
    let specs = [
        ("failover.toml", "failover", "Replication", 16, "Failover"),
        (
            "flaky-dependency.toml",
            "flaky-dependency",
            "Resilience",
            3,
            "A flaky dependency",
        ),
        (
            "failover.toml",
            "fail-2",
            "Replication",
            18,
            "Leader leases",
        ),
        (
            "flaky-dependency.toml",
            "retry",
            "Resilience",
            5,
            "Retry storms",
        ),
        ("failover.toml", "clocks", "Time", 30, "Clocks lie"),
        ("failover.toml", "quorum", "Replication", 2, "Quorums"),
    ];
    for (file, id, chapter, order, title) in specs {
        let text = embedded(file);
        // Only the header's keys change, each the first time it appears.
        let mut out = String::new();
        let mut done = [false; 4];
        for line in text.lines() {
            let keys = ["id = ", "chapter = ", "order = ", "title = "];
            let vals = [
                format!("id = \"{id}\""),
                format!("chapter = \"{chapter}\""),
                format!("order = {order}"),
                format!("title = \"{title}\""),
            ];
            let k = keys.iter().position(|k| line.starts_with(k));
            match k {
                Some(k) if !done[k] => {
                    done[k] = true;
                    out.push_str(&vals[k]);
                }
                _ => out.push_str(line),
            }
            out.push('\n');
        }
        lessons.push(Arc::new(parse(file, &out).unwrap()));
    }
    Catalog {
        lessons,
        replaced: Vec::new(),
    }
}

fn shown_ids(p: &Picker) -> Vec<&str> {
    p.shown()
        .iter()
        .map(|&i| p.entries[i].id.as_str())
        .collect()
}

fn screen(p: &Picker, cat: &Catalog, prog: &Progress, w: u16, h: u16) -> String {
    let area = Rect::new(0, 0, w, h);
    let mut buf = Buffer::empty(area);
    p.render(cat, prog, &Theme::monochrome(), area, &mut buf);
    buffer_text(&buf)
}

#[test]
fn chapters_in_teaching_order_lessons_by_order() {
    let cat = big_catalog();
    let p = Picker::new(&cat);
    // Replication's lowest order is 2 (quorum), Resilience's 3, Time's 30.
    assert_eq!(
        shown_ids(&p),
        vec![
            "quorum",
            "failover",
            "fail-2",
            "flaky-dependency",
            "retry",
            "clocks"
        ]
    );
    assert_eq!(p.selected_id(), Some("quorum"));
}

#[test]
fn keys_move_open_and_quit() {
    let cat = big_catalog();
    let mut p = Picker::new(&cat);
    assert_eq!(p.handle_key(key(KeyCode::Down), &cat), PickerAction::Redraw);
    assert_eq!(p.selected_id(), Some("failover"));
    p.handle_key(key(KeyCode::Char('j')), &cat);
    assert_eq!(p.selected_id(), Some("fail-2"));
    p.handle_key(key(KeyCode::Char('k')), &cat);
    assert_eq!(p.selected_id(), Some("failover"));
    assert_eq!(p.handle_key(key(KeyCode::End), &cat), PickerAction::Redraw);
    assert_eq!(p.selected_id(), Some("clocks"));
    assert_eq!(p.handle_key(key(KeyCode::Down), &cat), PickerAction::None);
    p.handle_key(key(KeyCode::Home), &cat);
    assert_eq!(p.selected_id(), Some("quorum"));
    assert_eq!(p.handle_key(key(KeyCode::Up), &cat), PickerAction::None);
    p.handle_key(key(KeyCode::PageDown), &cat);
    assert_eq!(p.selected_id(), Some("clocks"));
    assert_eq!(
        p.handle_key(key(KeyCode::Enter), &cat),
        PickerAction::Open("clocks".into())
    );
    assert_eq!(
        p.handle_key(key(KeyCode::Char('?')), &cat),
        PickerAction::Help
    );
    assert_eq!(
        p.handle_key(key(KeyCode::Char('q')), &cat),
        PickerAction::Quit
    );
    let release = KeyEvent::new_with_kind(KeyCode::Down, KeyModifiers::NONE, KeyEventKind::Release);
    assert_eq!(p.handle_key(release, &cat), PickerAction::None);
}

#[test]
fn search_filters_and_escape_clears() {
    let cat = big_catalog();
    let mut p = Picker::new(&cat);
    p.handle_key(key(KeyCode::Char('/')), &cat);
    assert!(p.typing());
    // While typing, `q` and `j` are letters, not commands.
    for c in "RESIL".chars() {
        assert_eq!(
            p.handle_key(key(KeyCode::Char(c)), &cat),
            PickerAction::Redraw
        );
    }
    assert_eq!(shown_ids(&p), vec!["flaky-dependency", "retry"]);
    assert_eq!(p.selected_id(), Some("flaky-dependency"));
    p.handle_key(key(KeyCode::Enter), &cat);
    assert!(!p.typing());
    assert_eq!(p.query(), "RESIL");
    assert_eq!(shown_ids(&p), vec!["flaky-dependency", "retry"]);
    p.handle_key(key(KeyCode::Down), &cat);
    assert_eq!(p.selected_id(), Some("retry"));
    // Esc clears, and the selection stays where it was.
    p.handle_key(key(KeyCode::Esc), &cat);
    assert_eq!(p.query(), "");
    assert_eq!(shown_ids(&p).len(), 6);
    assert_eq!(p.selected_id(), Some("retry"));
    // Backspace edits; a search by id, by summary words.
    p.handle_key(key(KeyCode::Char('/')), &cat);
    for c in "clocksx".chars() {
        p.handle_key(key(KeyCode::Char(c)), &cat);
    }
    assert!(shown_ids(&p).is_empty());
    assert_eq!(p.selected_id(), None);
    assert_eq!(
        p.handle_key(key(KeyCode::Char('q')), &cat),
        PickerAction::Redraw
    );
    p.handle_key(key(KeyCode::Backspace), &cat);
    p.handle_key(key(KeyCode::Backspace), &cat);
    assert_eq!(shown_ids(&p), vec!["clocks"]);
    p.handle_key(key(KeyCode::Esc), &cat);
    assert!(!p.typing());
    p.handle_key(key(KeyCode::Char('/')), &cat);
    for c in "service DRAGS".chars() {
        p.handle_key(key(KeyCode::Char(c)), &cat);
    }
    assert_eq!(shown_ids(&p), vec!["flaky-dependency", "retry"]);
}

#[test]
fn clicks_select_then_open() {
    let cat = big_catalog();
    let mut p = Picker::new(&cat);
    let area = Rect::new(0, 0, 120, 40);
    let text = screen(&p, &cat, &Progress::default(), 120, 40);
    let row = text
        .lines()
        .position(|l| l.contains("Retry storms"))
        .unwrap() as u16;
    assert_eq!(p.click(area, 5, row), PickerAction::Redraw);
    assert_eq!(p.selected_id(), Some("retry"));
    assert_eq!(p.click(area, 5, row), PickerAction::Open("retry".into()));
    // A chapter heading, the title bar, the details: nothing.
    assert_eq!(p.click(area, 5, 1), PickerAction::None);
    assert_eq!(p.click(area, 5, 0), PickerAction::None);
    assert_eq!(p.click(area, 100, row), PickerAction::None);
    assert_eq!(p.scroll(-1), PickerAction::Redraw);
    assert_eq!(p.selected_id(), Some("flaky-dependency"));
}

#[test]
fn marks_show_progress_without_colour() {
    let cat = big_catalog();
    let p = Picker::new(&cat);
    let mut prog = Progress::default();
    prog.open("failover");
    for o in &cat.get("clocks").unwrap().objectives {
        prog.objective_met("clocks", &o.id);
    }
    let text = screen(&p, &cat, &prog, 120, 40);
    let line = |t: &str| text.lines().find(|l| l.contains(t)).unwrap().to_string();
    assert!(line("Failover").contains("◐ Failover"), "{text}");
    assert!(line("Clocks lie").contains("✓ Clocks lie"), "{text}");
    assert!(line("Retry storms").contains("· Retry storms"), "{text}");
    assert!(text.contains("1 of 6 done"), "{text}");
}

#[test]
fn the_selection_stays_in_view_in_a_short_list() {
    let cat = big_catalog();
    let mut p = Picker::new(&cat);
    p.handle_key(key(KeyCode::End), &cat);
    let text = screen(&p, &cat, &Progress::default(), 80, 8);
    assert!(text.contains("› · Clocks lie"), "{text}");
    assert!(text.contains("▲"), "{text}");
    // The click maps through the same offset.
    let row = text
        .lines()
        .position(|l| l.contains("› · Clocks lie"))
        .unwrap() as u16;
    assert_eq!(
        p.click(Rect::new(0, 0, 80, 8), 3, row),
        PickerAction::Open("clocks".into())
    );
}

#[test]
fn any_size_draws_without_panic() {
    let cat = big_catalog();
    let mut p = Picker::new(&cat);
    let prog = Progress::default();
    for w in [0u16, 1, 2, 5, 20, 40, 63, 64, 80, 120, 300] {
        for h in [0u16, 1, 2, 3, 4, 6, 24, 40, 200] {
            screen(&p, &cat, &prog, w, h);
            p.click(Rect::new(0, 0, w, h), w / 2, h / 2);
        }
    }
    p.handle_key(key(KeyCode::Char('/')), &cat);
    p.handle_key(key(KeyCode::Char('x')), &cat);
    for (w, h) in [(1u16, 1u16), (80, 24), (10, 3)] {
        screen(&p, &cat, &prog, w, h);
    }
    let empty = Catalog {
        lessons: vec![],
        replaced: Vec::new(),
    };
    let p = Picker::new(&empty);
    assert!(screen(&p, &empty, &prog, 80, 24).contains("no lessons found"));
}

#[test]
fn print_the_picker() {
    let cat = Catalog::embedded().unwrap();
    let mut p = Picker::new(&cat);
    let mut prog = Progress::default();
    prog.open("failover");
    prog.objective_met("failover", "no-split-brain");
    prog.hints("failover", 2);
    prog.answered("failover", "async-crash", true);
    p.select("failover");
    for (w, h) in [(120u16, 40u16), (80, 24)] {
        let text = screen(&p, &cat, &prog, w, h);
        println!("{text}");
        assert!(text.contains("splitbrain — pick a lesson"));
        assert!(text.contains("Enter open"));
        assert!(text.contains("✓ met"), "{text}");
        assert!(text.contains("Hints used: 2 of 5"), "{text}");
    }
    let big = big_catalog();
    let mut p = Picker::new(&big);
    p.handle_key(key(KeyCode::Char('/')), &big);
    p.handle_key(key(KeyCode::Char('r')), &big);
    let text = screen(&p, &big, &prog, 60, 20);
    println!("{text}");
    assert!(text.contains("/ r▏"), "{text}");
}
