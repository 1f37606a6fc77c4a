//! The space-time diagram drawn from real lessons, at many sizes.

use super::*;
use crate::lesson::Catalog;
use crate::sim::{Input, NodeSel};
use crate::ui::panes::render_text;
use crate::ui::session::{Control, PaneId};

fn session(id: &str, at: Time) -> Session {
    let cat = Catalog::embedded().unwrap();
    let l = cat.get(id).unwrap();
    let mut s = Session::new(l, 1, &[]).unwrap();
    s.run.advance_to(at);
    s
}

fn diagram(s: &Session, w: u16, h: u16) -> String {
    render_text(PaneId::SpaceTime, s, &Theme::default(), w, h)
}

#[test]
fn every_node_has_a_lane() {
    for id in ["failover", "flaky-dependency"] {
        let s = session(id, Time::secs(5));
        let names = s.run.cluster().names().to_vec();
        for (w, h) in [(40, 12), (60, 16), (100, 24)] {
            let text = diagram(&s, w, h);
            for name in &names {
                let lane = text
                    .lines()
                    .any(|l| l.contains(&format!(" {name} ")) && l.contains('─'));
                assert!(lane, "{name} has no lane at {w}x{h}:\n{text}");
            }
            assert!(text.contains("window "), "{text}");
        }
    }
}

#[test]
fn a_crash_is_marked_on_its_lane() {
    let mut s = session("failover", Time::secs(5));
    let before = diagram(&s, 60, 16);
    assert!(!before.contains('✖'), "{before}");
    s.apply(Control::Input(Input::Crash(NodeSel::Id(0))));
    s.run.advance_to(Time::secs(5) + Time::millis(20));
    let text = diagram(&s, 60, 16);
    let n1 = text.lines().find(|l| l.contains("✖ n1")).unwrap_or("");
    assert!(n1.matches('✖').count() >= 2, "no crash mark:\n{text}");
    assert!(
        text.contains("↯ crash n1") || text.contains("crash n1 ↯"),
        "{text}"
    );
}

#[test]
fn the_header_names_the_node_an_input_acted_on() {
    // At 116 s the script restarts c1, which is up, then c2, which is down.
    let s = session("distributed-lock", Time::secs(117));
    let text = diagram(&s, 86, 14);
    let header = text.lines().next().unwrap_or("");
    assert!(header.contains("restart c2 ↯"), "{text}");
    assert!(!header.contains("restart c1"), "{text}");
    assert!(header.contains("window 20s · restart c2"), "{text}");
}

#[test]
fn a_dropped_message_is_worded_in_the_header() {
    let mut s = session("failover", Time::secs(10) + Time::micros(700));
    let id = s.run.cluster().in_flight()[0].id;
    s.apply(Control::Input(Input::DropMessage(id)));
    let text = diagram(&s, 86, 14);
    let header = text.lines().next().unwrap_or("");
    assert!(header.contains(" · dropped "), "{text}");
    assert!(
        !header.contains("s↯") && !header.contains("drop m"),
        "{text}"
    );
}

#[test]
fn messages_are_arrows() {
    let s = session("failover", Time::secs(5));
    let text = diagram(&s, 60, 16);
    let braille = text
        .chars()
        .filter(|c| ('\u{2801}'..='\u{28ff}').contains(c))
        .count();
    assert!(braille > 20, "{text}");
    assert!(text.contains('▾') || text.contains('▴'), "{text}");
}

#[test]
fn the_window_adapts_to_the_traffic() {
    // failover sends about a thousand messages a second: a short window.
    let f = session("failover", Time::secs(10));
    let trace = f.run.cluster().trace().events();
    let w = pick_window(trace, f.now(), MAX_ARROWS);
    let since = f.now() - w;
    let start = trace.partition_point(|e| e.time < since);
    let sends = trace
        .range(start..)
        .filter(|e| matches!(e.kind, TraceKind::Send { .. }))
        .count();
    assert!(sends <= MAX_ARROWS, "{sends} sends in {w}");
    assert!(w < Time::secs(2), "{w}");
    // A young run shows about as much as there is.
    let young = session("failover", Time::millis(300));
    let w = pick_window(young.run.cluster().trace().events(), young.now(), 100_000);
    assert_eq!(w, Time::millis(500));
}

#[test]
fn drops_are_marked() {
    let mut s = session("failover", Time::secs(5));
    s.apply(Control::Input(Input::Isolate(NodeSel::Id(0))));
    s.run.advance_to(Time::secs(5) + Time::millis(30));
    let text = diagram(&s, 100, 24);
    assert!(text.contains('✗'), "{text}");
}

#[test]
fn an_empty_trace_says_so() {
    // Before the first event nothing is traced yet.
    let s = session("failover", Time::ZERO);
    assert!(s.run.cluster().trace().is_empty());
    let text = diagram(&s, 60, 16);
    assert!(text.contains("trace is empty"), "{text}");
}

#[test]
fn never_panics_at_any_size() {
    let mut s = session("failover", Time::secs(22));
    s.apply(Control::Input(Input::Hold {
        from: NodeSel::Id(3),
        to: NodeSel::Id(1),
    }));
    s.run.advance_to(Time::secs(22) + Time::millis(50));
    for w in 0..=200u16 {
        for h in (0..=60u16).step_by(if w % 17 == 0 { 1 } else { 7 }) {
            let _ = diagram(&s, w, h);
        }
    }
    let mut buf = Buffer::empty(Rect::new(0, 0, 10, 5));
    render(&s, &Theme::default(), Rect::new(5, 2, 40, 20), &mut buf);
}

#[test]
fn look() {
    let mut f = session("failover", Time::secs(20));
    f.run.advance_to(Time::millis(20_050));
    let mut g = session("failover", Time::secs(20));
    g.run.advance_to(Time::secs(22));
    let d = session("flaky-dependency", Time::secs(40));
    for (name, s) in [
        ("failover 20.05s", &f),
        ("failover 22s", &g),
        ("flaky-dependency 40s", &d),
    ] {
        for (w, h) in [(40, 12), (60, 16), (100, 24)] {
            println!("{name} {w}x{h}\n{}", diagram(s, w, h));
        }
    }
    f.apply(Control::Input(Input::Isolate(NodeSel::Id(1))));
    f.run.advance_to(Time::millis(20_080));
    println!("failover, n2 isolated\n{}", diagram(&f, 100, 24));
}
