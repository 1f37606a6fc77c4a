//! The map drawn from real lessons: names, faults, links, messages, clicks, sizes.

use super::*;
use crate::lesson::Catalog;
use crate::sim::{Input, NodeSel};
use crate::ui::panes::{buffer_text, render_text};
use crate::ui::session::{Control, PaneId};

fn session(id: &str, at: Time) -> Session {
    let cat = Catalog::embedded().unwrap();
    let l = cat.get(id).unwrap();
    let mut s = Session::new(l, 1, &[]).unwrap();
    s.run.advance_to(at);
    s
}

fn map(s: &Session, w: u16, h: u16) -> String {
    render_text(PaneId::Map, s, &Theme::default(), w, h)
}

/// The map without its legend row.
fn graph(s: &Session, w: u16, h: u16) -> String {
    let text = map(s, w, h);
    let lines: Vec<&str> = text.lines().collect();
    lines[..lines.len().saturating_sub(1)].join("\n")
}

#[test]
fn every_node_is_named() {
    for (id, at) in [("failover", 5), ("flaky-dependency", 5)] {
        let s = session(id, Time::secs(at));
        let names = s.run.cluster().names().to_vec();
        for (w, h) in [(40, 12), (60, 16), (100, 24)] {
            let text = map(&s, w, h);
            for name in &names {
                assert!(
                    text.contains(name.as_str()),
                    "{name} missing at {w}x{h}:\n{text}"
                );
            }
        }
    }
}

#[test]
fn a_crashed_node_carries_the_down_glyph() {
    let mut s = session("failover", Time::secs(5));
    s.apply(Control::Input(Input::Crash(NodeSel::Id(0))));
    s.run.advance_to(Time::secs(6));
    for (w, h) in [(40, 12), (60, 16), (100, 24)] {
        let text = map(&s, w, h);
        assert!(text.contains("✖ n1"), "{w}x{h}:\n{text}");
        assert!(!text.contains("● n1"), "{w}x{h}:\n{text}");
    }
}

#[test]
fn an_isolated_node_has_cut_links() {
    let mut s = session("failover", Time::secs(5));
    let before = graph(&s, 60, 16);
    assert!(!before.contains('╳'), "{before}");
    s.apply(Control::Input(Input::Isolate(NodeSel::Id(1))));
    s.run.advance_to(Time::secs(5) + Time::millis(200));
    for (w, h) in [(40, 12), (60, 16), (100, 24)] {
        let text = graph(&s, w, h);
        assert!(text.contains('╳'), "{w}x{h}:\n{text}");
    }
}

#[test]
fn a_one_way_cut_points_the_way_it_blocks() {
    let mut s = session("failover", Time::secs(5));
    s.apply(Control::Input(Input::Cut {
        from: NodeSel::Id(0),
        to: NodeSel::Id(1),
    }));
    s.run.advance_to(Time::secs(5) + Time::millis(100));
    let text = map(&s, 60, 16);
    // n1 is top left and n2 top right: the cut blocks travel to the right.
    assert!(text.contains("╳→"), "{text}");
}

#[test]
fn held_links_say_so() {
    let mut s = session("failover", Time::secs(5));
    s.apply(Control::Input(Input::Hold {
        from: NodeSel::Id(0),
        to: NodeSel::Id(1),
    }));
    s.run.advance_to(Time::secs(5) + Time::millis(300));
    let text = map(&s, 60, 16);
    assert!(text.contains("held"), "{text}");
}

#[test]
fn messages_in_flight_are_drawn() {
    let mut s = session("failover", Time::secs(5));
    // Step until something is on its way.
    let mut steps = 0;
    while s.run.cluster().in_flight().is_empty() && steps < 10_000 {
        s.run.step();
        steps += 1;
    }
    assert!(!s.run.cluster().in_flight().is_empty());
    let text = graph(&s, 100, 24);
    assert!(text.contains('•'), "{text}");
}

#[test]
fn drops_are_shown_where_they_fell() {
    let mut s = session("failover", Time::secs(5));
    s.apply(Control::Input(Input::Isolate(NodeSel::Id(0))));
    s.run.advance_to(Time::secs(5) + Time::millis(100));
    let text = graph(&s, 100, 24);
    assert!(text.contains('✗'), "{text}");
}

#[test]
fn clicking_a_label_selects_its_node() {
    let s = session("failover", Time::secs(5));
    let area = Rect::new(3, 2, 60, 16);
    let mut buf = Buffer::empty(Rect::new(0, 0, 70, 20));
    render(&s, &Theme::default(), area, &mut buf);
    let views = s.run.cluster().node_views();
    for (i, v) in views.iter().enumerate() {
        // Find the node's glyph and name on screen and click on the name.
        let head = format!("● {}", v.name);
        let len = head.chars().count() as u16;
        let (mut found, mut hit) = (false, None);
        for y in area.top()..area.bottom() {
            for x in area.left()..area.right().saturating_sub(len) {
                let word: String = (0..len)
                    .map(|k| buf[(x + k, y)].symbol().to_string())
                    .collect();
                if word == head {
                    found = true;
                    hit = node_at(&s, area, x + 2, y);
                }
            }
        }
        assert!(found, "{} not on screen:\n{}", v.name, buffer_text(&buf));
        assert_eq!(hit, Some(i), "{}", v.name);
    }
    // The middle of the ring is empty space.
    let (cx, cy) = (area.x + area.width / 2, area.y + area.height / 2);
    assert_eq!(node_at(&s, area, cx, cy), None);
    assert_eq!(node_at(&s, area, 0, 0), None);
}

#[test]
fn positions_are_inside_the_area_and_apart() {
    for n in 2..=9 {
        for (w, h) in [(40u16, 12u16), (60, 16), (120, 30)] {
            let area = Rect::new(5, 3, w, h);
            let ps = node_positions(n, area);
            assert_eq!(ps.len(), n);
            for (i, &(x, y)) in ps.iter().enumerate() {
                assert!(area.contains((x, y).into()), "{n} {w}x{h}: {x},{y}");
                for &(x2, y2) in &ps[i + 1..] {
                    assert!((x, y) != (x2, y2), "{n} nodes at {w}x{h} share a cell");
                }
            }
        }
    }
}

#[test]
fn the_selected_node_is_reversed() {
    let mut s = session("failover", Time::secs(5));
    s.select(2);
    let area = Rect::new(0, 0, 60, 16);
    let mut buf = Buffer::empty(area);
    render(&s, &Theme::monochrome(), area, &mut buf);
    let layout = lay_out(&s.run.cluster().node_views(), area);
    let r = layout.labels[2].rect;
    let m = ratatui::style::Modifier::REVERSED;
    assert!(buf[(r.x, r.y)].modifier.contains(m));
    let r0 = layout.labels[0].rect;
    assert!(!buf[(r0.x, r0.y)].modifier.contains(m));
}

#[test]
fn never_panics_at_any_size() {
    let mut s = session("failover", Time::secs(22));
    s.apply(Control::Input(Input::Isolate(NodeSel::Id(1))));
    s.run.advance_to(Time::secs(22) + Time::millis(50));
    for w in 0..=200u16 {
        for h in (0..=60u16).step_by(if w % 17 == 0 { 1 } else { 7 }) {
            let _ = map(&s, w, h);
            let _ = node_at(&s, Rect::new(0, 0, w, h), w / 2, h / 2);
        }
    }
    // An area partly outside the buffer is clipped.
    let mut buf = Buffer::empty(Rect::new(0, 0, 10, 5));
    render(&s, &Theme::default(), Rect::new(5, 2, 40, 20), &mut buf);
}

#[test]
fn look() {
    let mut f = session("failover", Time::secs(20));
    f.run.advance_to(Time::secs(22));
    let mut d = session("flaky-dependency", Time::secs(40));
    d.select(1);
    for (name, s) in [("failover 22s", &f), ("flaky-dependency 40s", &d)] {
        for (w, h) in [(40, 12), (60, 16), (100, 24)] {
            println!("{name} {w}x{h}\n{}", map(s, w, h));
        }
    }
    f.apply(Control::Input(Input::Isolate(NodeSel::Id(1))));
    f.apply(Control::Input(Input::Cut {
        from: NodeSel::Id(3),
        to: NodeSel::Id(2),
    }));
    f.apply(Control::Input(Input::Hold {
        from: NodeSel::Id(4),
        to: NodeSel::Id(2),
    }));
    f.run.advance_to(Time::secs(22) + Time::millis(150));
    println!(
        "failover, n2 isolated, c1→n3 cut, c2→n3 held\n{}",
        map(&f, 100, 24)
    );
    println!("{}", map(&f, 60, 16));
}
