//! The event log pane: the trace as one line per event, newest at the
//! bottom, under a header that names the filter and the scroll position.
//!
//! `s.log.scroll` counts lines up from the newest (0 follows the newest).
//! Rendering clamps it: scrolled past the oldest line, the pane shows the
//! oldest page; [`clamp_scroll`] gives the screen the same value so it can
//! store it back, and the next scroll key moves from where the view is.
//!
//! With `s.log.filter = Some(i)`, a line is shown when the event happened on
//! node `i`, is a message sent to it or dropped on its way to or from it, or
//! is an input (script or learner actions touch no single node in the trace,
//! and they are the context a learner needs next to a node's own events).
//!
//! Only the lines on screen are looked at. A run that keeps a trace window
//! makes older lines again when the view is scrolled back to them (see
//! [`crate::lesson::Run::log_page`]).

use crate::lesson::LogPage;
use crate::sim::{TraceEvent, TraceKind};
use crate::ui::session::Session;
use crate::ui::text::{self, put_within};
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use std::fmt::{self, Write};

/// Draws the log inside `area`.
pub fn render(s: &Session, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    let trace = s.run.cluster().trace();
    let names = s.run.cluster().names();
    let (header, rows) = split(area.height);
    let page = s.run.log_page(s.log.filter, rows as usize, s.log.scroll);
    let mut y = area.y;
    if header {
        draw_header(s, theme, &page, area, buf);
        y += 1;
    }
    if trace.end() == 0 {
        let text = "No events recorded: tracing is off, or nothing has happened yet.";
        put_within(buf, area.x, y, area.width, text, theme.dim());
        return;
    }
    if let Some(e) = &page.error {
        put_within(buf, area.x, y, area.width, e, theme.bad());
        return;
    }
    if page.lines.is_empty() {
        let who = s
            .log
            .filter
            .map_or("any node".to_string(), |i| name(names, i));
        let text = format!("No events for {who} yet.");
        put_within(buf, area.x, y, area.width, &text, theme.dim());
        return;
    }
    // Column widths from the lines on screen: the newest time is the widest.
    let time_w = page
        .lines
        .iter()
        .map(|e| text::clock_millis(e.time).len())
        .max()
        .unwrap_or(1);
    let node_w = names.iter().map(|n| text::width(n)).max().unwrap_or(1);
    // The oldest line at the top, the newest at the bottom; a short page
    // sits at the bottom, as a terminal does.
    let top = y + (rows as usize).saturating_sub(page.lines.len()) as u16;
    for (row, (k, e)) in page.lines.iter().enumerate().rev().enumerate() {
        let line_y = top + row as u16;
        // A send with no arrival is either lost at once (its drop is the
        // very next event) or waiting on a held link.
        let dropped = k
            .checked_sub(1)
            .and_then(|k| page.lines.get(k))
            .is_some_and(|next| dropped_at_once(e, next));
        draw_event(e, dropped, names, theme, time_w, node_w, area, line_y, buf);
    }
}

/// The scroll position the pane actually shows for `wanted` lines up, in an
/// area `height` rows tall: at most the number of lines above the first page.
pub fn clamp_scroll(s: &Session, height: u16, wanted: usize) -> usize {
    let (_, rows) = split(height);
    s.run.log_page(s.log.filter, rows as usize, wanted).scroll
}

/// Whether event `ev` belongs in the log of node `node`.
pub fn concerns(ev: &TraceEvent, node: usize) -> bool {
    ev.concerns(node)
}

/// Whether there is a header line, and how many rows of events.
fn split(height: u16) -> (bool, u16) {
    if height >= 2 {
        (true, height - 1)
    } else {
        (false, height)
    }
}

fn draw_header(s: &Session, theme: &Theme, page: &LogPage, area: Rect, buf: &mut Buffer) {
    let names = s.run.cluster().names();
    let trace = s.run.cluster().trace();
    let right = area.right();
    let (y, mut x) = (area.y, area.x);
    match s.log.filter {
        None => {
            x = put_within(buf, x, y, right - x, "all nodes", theme.strong());
        }
        Some(i) => {
            let text = format!("{} only", name(names, i));
            x = put_within(buf, x, y, right - x, &text, theme.strong());
            let note = " (its events, messages to it, inputs)";
            x = put_within(buf, x, y, right.saturating_sub(x), note, theme.dim());
        }
    }
    x = put_within(buf, x, y, right.saturating_sub(x), " · ", theme.dim());
    if page.scroll == 0 {
        x = put_within(
            buf,
            x,
            y,
            right.saturating_sub(x),
            "following",
            theme.good(),
        );
    } else {
        let n = page.scroll;
        let text = format!("↑ {n} line{}", if n == 1 { "" } else { "s" });
        x = put_within(buf, x, y, right.saturating_sub(x), &text, theme.warn());
    }
    if s.log.filter.is_none() && trace.end() > 0 {
        let text = format!(" · {} events", trace.end());
        put_within(buf, x, y, right.saturating_sub(x), &text, theme.dim());
    }
}

/// Whether `next` is the drop of the message `ev` sent, right after it.
fn dropped_at_once(ev: &TraceEvent, next: &TraceEvent) -> bool {
    match (&ev.kind, &next.kind) {
        (TraceKind::Send { msg, .. }, TraceKind::Drop { msg: m, .. }) => {
            msg == m && next.seq == ev.seq + 1
        }
        _ => false,
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_event(
    ev: &TraceEvent,
    dropped: bool,
    names: &[String],
    theme: &Theme,
    time_w: usize,
    node_w: usize,
    area: Rect,
    y: u16,
    buf: &mut Buffer,
) {
    let right = area.right();
    let mut x = area.x;
    let time = format!("{:>time_w$} ", text::clock_millis(ev.time));
    x = put_within(buf, x, y, right - x, &time, theme.dim());
    let node = ev.node.map_or("·".to_string(), |i| name(names, i));
    let node = format!("{node:<node_w$} ");
    x = put_within(buf, x, y, right.saturating_sub(x), &node, theme.text());
    let (glyph, style) = look(&ev.kind, theme);
    x = put_within(buf, x, y, right.saturating_sub(x), glyph, style);
    x = put_within(buf, x, y, right.saturating_sub(x), " ", style);
    let room = right.saturating_sub(x) as usize;
    let (text, tail) = describe(ev, dropped, names, room + 1);
    let text_style = match &ev.kind {
        TraceKind::Send { .. } | TraceKind::Deliver { .. } | TraceKind::Timer { .. } => {
            theme.text()
        }
        _ => style,
    };
    x = put_within(buf, x, y, right.saturating_sub(x), &text, text_style);
    if !tail.is_empty() {
        put_within(buf, x, y, right.saturating_sub(x), &tail, theme.dim());
    }
}

/// A kind's glyph and style: the glyph says it without colour.
fn look(kind: &TraceKind, theme: &Theme) -> (&'static str, Style) {
    match kind {
        TraceKind::Start => ("▶", theme.good()),
        TraceKind::Restart => ("↻", theme.good()),
        TraceKind::Resume => ("▷", theme.good()),
        TraceKind::Crash => ("✖", theme.bad()),
        TraceKind::Drop { .. } => ("✗", theme.bad()),
        TraceKind::Pause => ("‖", theme.warn()),
        TraceKind::Input { .. } => ("»", theme.warn()),
        TraceKind::Send { .. } => ("→", theme.message()),
        TraceKind::Deliver { .. } => ("←", theme.message()),
        TraceKind::Timer { .. } => ("◷", theme.dim()),
        TraceKind::Log(_) => ("·", theme.text()),
    }
}

/// What happened, and a dimmer tail of detail; at most about `max` characters.
fn describe(ev: &TraceEvent, dropped: bool, names: &[String], max: usize) -> (String, String) {
    let n = |i: usize| name(names, i);
    match &ev.kind {
        TraceKind::Start => ("start".into(), String::new()),
        TraceKind::Restart => ("restart".into(), String::new()),
        TraceKind::Crash => ("crash".into(), String::new()),
        TraceKind::Pause => ("pause".into(), String::new()),
        TraceKind::Resume => ("resume".into(), String::new()),
        TraceKind::Send {
            msg,
            to,
            detail,
            arrives,
            duplicate,
            ..
        } => {
            let mut text = Clip::new(max);
            let _ = write!(text, "{} ", n(*to));
            let _ = write!(text, "{detail}");
            let mut tail = format!("  m{msg}");
            match arrives {
                Some(t) => {
                    let _ = write!(tail, ", arrives in {}", text::delay(*t - ev.time));
                }
                None if dropped => tail.push_str(", dropped at once"),
                None => tail.push_str(", held: not delivered until you release it"),
            }
            if *duplicate {
                tail.push_str(", duplicate");
            }
            (text.0, tail)
        }
        TraceKind::Deliver {
            msg,
            from,
            kind,
            sent_at,
        } => (
            format!("{} {kind}", n(*from)),
            format!("  m{msg}, took {}", text::delay(ev.time - *sent_at)),
        ),
        TraceKind::Drop {
            msg,
            from,
            to,
            kind,
            reason,
        } => (
            format!("drop {kind} {}→{} ({})", n(*from), n(*to), reason.name()),
            format!("  m{msg}"),
        ),
        TraceKind::Timer { detail } => {
            let mut text = Clip::new(max);
            let _ = write!(text, "timer {detail}");
            (text.0, String::new())
        }
        TraceKind::Log(text) => (text.clone(), String::new()),
        TraceKind::Input { text, idle: false } => (text.clone(), String::new()),
        TraceKind::Input { text, idle: true } => {
            (format!("{text} (changed nothing)"), String::new())
        }
    }
}

/// A string that stops growing after `max` characters: formatting a large
/// message costs only what is shown.
struct Clip(String, usize);

impl Clip {
    fn new(max: usize) -> Clip {
        Clip(String::new(), max)
    }
}

impl Write for Clip {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            if self.1 == 0 {
                return Err(fmt::Error);
            }
            self.0.push(c);
            self.1 -= 1;
        }
        Ok(())
    }
}

fn name(names: &[String], i: usize) -> String {
    names.get(i).cloned().unwrap_or_else(|| format!("#{i}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::Catalog;
    use crate::sim::Time;
    use crate::ui::panes::render_text;
    use crate::ui::session::PaneId;

    fn failover(until: u64) -> Session {
        let cat = Catalog::embedded().unwrap();
        let l = cat.get("failover").unwrap();
        let mut s = Session::new(l, 1, &[]).unwrap();
        s.run.advance_to(Time::secs(until));
        s
    }

    fn text(s: &Session, w: u16, h: u16) -> String {
        render_text(PaneId::Log, s, &Theme::default(), w, h)
    }

    fn index(s: &Session, node: &str) -> usize {
        s.run
            .cluster()
            .names()
            .iter()
            .position(|n| n == node)
            .unwrap()
    }

    #[test]
    fn a_held_message_says_it_waits_for_a_release() {
        use crate::sim::{Input, NodeSel};
        use crate::ui::session::Control;
        let mut s = failover(5);
        let (c1, n1) = (index(&s, "c1"), index(&s, "n1"));
        s.apply(Control::Input(Input::Hold {
            from: NodeSel::Id(c1),
            to: NodeSel::Id(n1),
        }));
        s.run.advance_to(Time::secs(5) + Time::millis(20));
        let t = text(&s, 160, 60);
        assert!(
            t.contains("held: not delivered until you release it"),
            "{t}"
        );
        assert!(!t.contains("not on its way"), "{t}");
    }

    #[test]
    fn prints_at_three_sizes() {
        let mut s = failover(25);
        for (w, h) in [(50, 20), (80, 30), (120, 40)] {
            println!("--- failover 25s {w}x{h} ---\n{}", text(&s, w, h));
        }
        s.log.filter = Some(index(&s, "n1"));
        s.log.scroll = clamp_scroll(&s, 30, 10_000);
        println!(
            "--- n1 only, scrolled to the top ---\n{}",
            text(&s, 100, 30)
        );
        let cat = Catalog::embedded().unwrap();
        let mut f = Session::new(cat.get("flaky-dependency").unwrap(), 1, &[]).unwrap();
        f.run.advance_to(Time::secs(31));
        println!("--- flaky 31s 80x30 ---\n{}", text(&f, 80, 30));
    }

    #[test]
    fn the_scripted_crash_of_n1_is_in_the_log() {
        // Scrolled back to where the crash happened, with n1's events only.
        let mut s = failover(21);
        let n1 = index(&s, "n1");
        s.log.filter = Some(n1);
        let trace = s.run.cluster().trace().events();
        let crash = trace
            .iter()
            .position(|e| e.node == Some(n1) && e.kind == TraceKind::Crash)
            .expect("n1 crashed at 20 s");
        // Lines of n1's log after the crash: scroll so the crash is on screen.
        let after = trace.range(crash + 1..).filter(|e| concerns(e, n1)).count();
        s.log.scroll = after.saturating_sub(5);
        let out = text(&s, 100, 20);
        let line = out
            .lines()
            .find(|l| l.contains("✖ crash"))
            .unwrap_or_else(|| panic!("no crash line in\n{out}"));
        assert!(line.contains("20.000s") && line.contains("n1"), "{line}");
        assert!(out.contains("» crash n1"), "the input is shown too:\n{out}");
    }

    #[test]
    fn a_filter_shows_only_that_nodes_lines() {
        let mut s = failover(25);
        let n2 = index(&s, "n2");
        s.log.filter = Some(n2);
        let out = text(&s, 120, 40);
        assert!(out.lines().next().unwrap().starts_with("n2 only"), "{out}");
        let names = s.run.cluster().names().to_vec();
        for line in out.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let node = fields[1];
            let glyph = fields[2];
            // Its own events, messages sent to it, drops to or from it, inputs.
            let ok = node == "n2"
                || glyph == "»"
                || (glyph == "→" && fields[3] == "n2")
                || (glyph == "✗" && line.contains("n2"));
            assert!(ok, "not n2's: {line}");
            assert!(names.iter().any(|n| n == node) || node == "·", "{line}");
        }
        let unfiltered = {
            s.log.filter = None;
            text(&s, 120, 40)
        };
        assert!(
            unfiltered.starts_with("all nodes · following"),
            "{unfiltered}"
        );
        assert!(unfiltered.lines().skip(1).any(|l| !l.contains("n2")));
    }

    #[test]
    fn scrolling_moves_the_window_and_stops_at_the_top() {
        let mut s = failover(5);
        let newest = text(&s, 100, 11);
        assert!(newest.lines().next().unwrap().contains("following"));
        s.log.scroll = 3;
        let up = text(&s, 100, 11);
        assert!(up.lines().next().unwrap().contains("↑ 3 lines"), "{up}");
        // The view moved by three lines: its lines 4.. are the newest's lines 1..
        let a: Vec<&str> = newest.lines().skip(1).collect();
        let b: Vec<&str> = up.lines().skip(1).collect();
        assert_eq!(&a[..a.len() - 3], &b[3..]);
        assert_ne!(a, b);
        // Past the oldest line the view stops at the first page.
        let len = s.run.cluster().trace().len();
        assert_eq!(clamp_scroll(&s, 11, usize::MAX), len - 10);
        s.log.scroll = usize::MAX;
        let top = text(&s, 100, 11);
        assert!(top.contains(&format!("↑ {} lines", len - 10)), "{top}");
        assert!(top.lines().nth(1).unwrap().contains("0.000s"), "{top}");
        // Filtered views clamp the same way.
        s.log.filter = Some(index(&s, "n3"));
        let wanted = clamp_scroll(&s, 11, usize::MAX);
        s.log.scroll = wanted;
        let first = text(&s, 100, 11);
        s.log.scroll = wanted + 50;
        assert_eq!(text(&s, 100, 11), first);
        assert_eq!(clamp_scroll(&s, 11, 2), 2);
    }

    #[test]
    fn an_empty_trace_says_so() {
        let cat = Catalog::embedded().unwrap();
        let s = Session::new(cat.get("failover").unwrap(), 1, &[]).unwrap();
        if s.run.cluster().trace().is_empty() {
            assert!(text(&s, 80, 5).contains("No events recorded"));
        }
        let mut run = crate::lesson::Run::new(cat.get("failover").unwrap(), 1, &[], false).unwrap();
        run.advance_to(Time::secs(1));
        assert!(run.cluster().trace().is_empty());
        let p = run.log_page(Some(0), 10, 5);
        assert!(p.lines.is_empty() && p.scroll == 0);
    }

    #[test]
    fn the_playground_trace_window_draws_what_the_whole_trace_does() {
        let cat = Catalog::embedded().unwrap();
        let l = cat.get("lost-update").unwrap();
        let mut whole = Session::new(l.clone(), 2, &[]).unwrap();
        whole.run.set_trace_window(None);
        let mut windowed = Session::new(l, 2, &[]).unwrap();
        for s in [&mut whole, &mut windowed] {
            s.run.advance_to(Time::secs(200));
        }
        let trace = windowed.run.cluster().trace();
        assert!(trace.start() > 0, "outgrown: {} events", trace.end());
        let draw = |s: &Session, pane, w, h| render_text(pane, s, &Theme::default(), w, h);
        for pane in [PaneId::SpaceTime, PaneId::Map, PaneId::Log] {
            for (w, h) in [(120, 40), (80, 24)] {
                assert_eq!(draw(&windowed, pane, w, h), draw(&whole, pane, w, h));
            }
        }
        // The log scrolled back beyond the window, filtered or not.
        for (filter, scroll) in [(None, 400_000), (Some(1), 30_000), (Some(3), usize::MAX)] {
            for s in [&mut whole, &mut windowed] {
                s.log.filter = filter;
                s.log.scroll = scroll;
            }
            assert_eq!(
                draw(&windowed, PaneId::Log, 120, 40),
                draw(&whole, PaneId::Log, 120, 40)
            );
        }
    }

    #[test]
    fn no_size_panics() {
        let mut s = failover(3);
        for filter in [None, Some(0), Some(4), Some(99)] {
            s.log.filter = filter;
            for scroll in [0, 7, usize::MAX] {
                s.log.scroll = scroll;
                for w in (0..=200).step_by(9).chain([1, 2, 3, 250]) {
                    for h in (0..=60).step_by(6).chain([1, 2, 3, 80]) {
                        let _ = text(&s, w, h);
                        let _ = clamp_scroll(&s, h, scroll);
                    }
                }
            }
        }
    }
}
