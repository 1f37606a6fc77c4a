//! The metrics pane as a whole, drawn from real lessons at several sizes.

use super::*;
use crate::lesson::Catalog;
use crate::sim::{Input, KnobValue, NodeSel};
use crate::ui::panes::render_text;
use crate::ui::session::{Control, PaneId};

fn session(lesson: &str, knobs: &[(&str, KnobValue)], until: u64) -> Session {
    let cat = Catalog::embedded().unwrap();
    let l = cat.get(lesson).unwrap();
    let knobs: Vec<(String, KnobValue)> = knobs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    let mut s = Session::new(l, 1, &knobs).unwrap();
    s.run.advance_to(Time::secs(until));
    s
}

fn text(s: &Session, w: u16, h: u16) -> String {
    render_text(PaneId::Metrics, s, &Theme::default(), w, h)
}

fn show(name: &str, s: &Session) {
    for (w, h) in [(50, 20), (80, 30), (120, 40)] {
        println!("--- {name} {w}x{h} ---\n{}", text(s, w, h));
    }
}

/// The breaker B panel's current state: at the end of its band row,
/// which is its title line when compact and the next line when rich.
fn breaker_b(out: &str) -> &str {
    let lines: Vec<&str> = out.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with("Breaker B"))
        .unwrap_or_else(|| panic!("no breaker B panel in\n{out}"));
    let row = match lines.get(i + 1) {
        Some(next) if next.trim_start().starts_with("since") => next,
        _ => lines[i],
    };
    ["HALF_OPEN", "OPEN", "CLOSED", "off"]
        .into_iter()
        .find(|s| row.ends_with(s))
        .unwrap_or_else(|| panic!("no breaker B state in {row:?}"))
}

#[test]
fn a_hanging_dependency_opens_the_breaker() {
    // b hangs at 30 s; its first calls come back slow 10 s later and trip the breaker.
    let on = session(
        "flaky-dependency",
        &[("breaker", KnobValue::Bool(true))],
        43,
    );
    show("flaky breaker on, 43s", &on);
    for (w, h) in [(50, 20), (80, 30), (120, 40), (60, 8)] {
        let out = text(&on, w, h);
        assert!(out.contains("OPEN"), "{w}x{h}:\n{out}");
        assert_eq!(breaker_b(&out), "OPEN", "{w}x{h}:\n{out}");
    }
    let off = session("flaky-dependency", &[], 43);
    show("flaky breaker off, 43s", &off);
    for (w, h) in [(50, 20), (80, 30), (120, 40), (60, 8)] {
        let out = text(&off, w, h);
        assert!(!out.contains("OPEN"), "{w}x{h}:\n{out}");
        assert_eq!(breaker_b(&out), "off", "{w}x{h}:\n{out}");
    }
}

#[test]
fn a_hang_command_by_hand_opens_the_breaker() {
    let mut s = session(
        "flaky-dependency",
        &[("breaker", KnobValue::Bool(true))],
        10,
    );
    let b = s
        .run
        .cluster()
        .names()
        .iter()
        .position(|n| n == "b")
        .unwrap();
    s.apply(Control::Input(Input::Command {
        node: NodeSel::Id(b),
        command: "hang".into(),
    }));
    assert!(!text(&s, 80, 30).contains("OPEN"));
    s.run.advance_to(Time::secs(22));
    assert_eq!(breaker_b(&text(&s, 80, 30)), "OPEN");
}

#[test]
fn failover_shows_lag_epochs_and_primaries() {
    let s = session("failover", &[], 25);
    show("failover 25s", &s);
    let out = text(&s, 120, 40);
    for label in [
        "Replicas",
        "epoch",
        "Primaries",
        "Replication lag",
        "acked writes lost",
    ] {
        assert!(out.contains(label), "{label} missing:\n{out}");
    }
    // n1 crashed at 20 s: its row says so with the down glyph.
    let n1 = out.lines().find(|l| l.contains("n1 ")).unwrap();
    assert!(
        n1.contains(Theme::health_glyph(crate::sim::Health::Down)),
        "{n1}"
    );
}

#[test]
fn prints_later_moments() {
    let on = [
        ("breaker", KnobValue::Bool(true)),
        ("timeout", KnobValue::Duration(Time::millis(250))),
    ];
    show(
        "flaky breaker+timeout 100s",
        &session("flaky-dependency", &on, 100),
    );
    show("failover 85s", &session("failover", &[], 85));
    let late = session("failover", &[], 200);
    println!("--- failover 200s 80x30 ---\n{}", text(&late, 80, 30));
}

#[test]
fn what_does_not_fit_gives_way_to_the_headline() {
    let s = session("flaky-dependency", &[], 43);
    // Six rows: the headline's two panels (the failed rates of both
    // endpoints) and as much of the others as fits, with no row left empty.
    let out = text(&s, 60, 6);
    let rows: Vec<&str> = out.lines().collect();
    for endpoint in ["Endpoint A", "Endpoint B"] {
        let row = rows.iter().find(|r| r.starts_with(endpoint));
        assert!(
            row.is_some_and(|r| r.contains("failed")),
            "{endpoint} without its failures:\n{out}"
        );
    }
    assert!(
        rows.first().is_some_and(|r| r.starts_with("Breaker A")),
        "{out}"
    );
    assert!(rows.iter().all(|r| !r.trim().is_empty()), "{out}");
    assert!(!out.contains("more (zoom"), "{out}");
    // Three rows: only the headline, wrapped rather than cut.
    let out = text(&s, 40, 3);
    assert!(out.starts_with("Endpoint A"), "{out}");
    assert!(!out.contains('…'), "{out}");
}

#[test]
fn a_node_table_that_does_not_fit_is_shown_in_part() {
    // failover at 77 s, 36 wide and 6 tall (the 60×18 screen): the table
    // of replicas shows its first rows above the broken promises.
    let s = session("failover", &[], 77);
    let out = text(&s, 36, 7);
    let rows: Vec<&str> = out.lines().collect();
    assert!(rows[0].contains("role"), "{out}");
    assert!(rows[1].contains("n1"), "{out}");
    assert!(out.contains("acked writes lost"), "{out}");
    assert!(out.contains("split-brain writes"), "{out}");
}

#[test]
fn no_size_panics() {
    let cat = Catalog::embedded().unwrap();
    for lesson in ["flaky-dependency", "failover"] {
        let l = cat.get(lesson).unwrap();
        let fresh = Session::new(l.clone(), 1, &[]).unwrap();
        let mut later = Session::new(l, 1, &[]).unwrap();
        later.run.advance_to(Time::secs(30));
        for s in [&fresh, &later] {
            for w in (0..=200).step_by(7).chain([1, 2, 3, 250]) {
                for h in (0..=60).step_by(5).chain([1, 2, 3, 80]) {
                    let _ = text(s, w, h);
                }
            }
        }
    }
}
