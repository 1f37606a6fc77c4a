//! The cluster map: every node on a ring with its health, role and a fact or
//! two; the links that carry traffic, and those that are cut or held; the
//! messages on their way, each placed along its link by how much of its trip
//! is done; and the messages lost in the last moments.

mod layout;

use super::flight_progress;
use crate::sim::{DropReason, Health, Time, TraceEvent, TraceKind};
use std::collections::VecDeque;
use std::collections::vec_deque::Iter;

type Events = VecDeque<TraceEvent>;
use crate::ui::canvas::{Dots, put, put_at_dot};
use crate::ui::session::Session;
use crate::ui::text;
use crate::ui::theme::Theme;
use layout::{lay_out, ring, split};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// Links that carried traffic this recently are drawn: every event of the
/// last `RECENT_WINDOW` (at most `RECENT_SCAN` of them) is read, and a
/// sample of at most about `SAMPLE_SCAN` events of the last `SAMPLE_WINDOW`,
/// so a link that went quiet (calls stuck on a hung server) stays on the map.
const RECENT_WINDOW: Time = Time::secs(2);
const RECENT_SCAN: usize = 2_000;
const SAMPLE_WINDOW: Time = Time::secs(60);
const SAMPLE_SCAN: usize = 1_000;
/// Drops this recent are shown where the message fell.
const DROP_WINDOW: Time = Time::millis(300);
/// At most this many trace events are read for drops, newest first.
const DROP_SCAN: usize = 2_000;

/// Draws the map inside `area`.
pub fn render(s: &Session, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    let cluster = s.run.cluster();
    let views = cluster.node_views();
    if views.is_empty() {
        put(buf, area, area.x, area.y, "no nodes", theme.dim());
        return;
    }
    let now = cluster.now();
    let n = views.len();
    let layout = lay_out(&views, area);
    let graph = layout.graph;
    let net = cluster.network();
    let trace = cluster.trace();
    let seq0 = trace.start();
    let trace = trace.events();

    // Which pairs to join, and how each is doing.
    let mut linked = vec![false; n * n];
    let pair = |a: usize, b: usize| a.min(b) * n + a.max(b);
    for e in traffic_sample(trace, seq0, now) {
        match e.kind {
            TraceKind::Send { to, .. } => {
                if let Some(from) = e.node.filter(|&f| f < n && to < n && f != to) {
                    linked[pair(from, to)] = true;
                }
            }
            TraceKind::Drop { from, to, .. } if from < n && to < n && from != to => {
                linked[pair(from, to)] = true;
            }
            _ => {}
        }
    }
    let flights = cluster.in_flight();
    let mut held_count = vec![0usize; n * n];
    for f in &flights {
        if f.from < n && f.to < n && f.from != f.to {
            linked[pair(f.from, f.to)] = true;
            if f.arrives_at.is_none() {
                held_count[pair(f.from, f.to)] += 1;
            }
        }
    }
    for a in 0..n {
        for b in a + 1..n {
            if net.is_cut(a, b) || net.is_cut(b, a) || net.is_held(a, b) || net.is_held(b, a) {
                linked[pair(a, b)] = true;
            }
        }
    }

    // The links, as dots between the labels' edges.
    let mut dots = Dots::new(graph.width, graph.height);
    // Cut and held marks: the link's two ends (in dots), the text, its style.
    type Mark = ((f64, f64), (f64, f64), String, Style);
    let mut marks: Vec<Mark> = Vec::new();
    for a in 0..n {
        for b in a + 1..n {
            if !linked[pair(a, b)] {
                continue;
            }
            let Some((p, q)) = layout.segment(a, b) else {
                continue;
            };
            let cut_ab = net.is_cut(a, b);
            let cut_ba = net.is_cut(b, a);
            let held = net.is_held(a, b) || net.is_held(b, a);
            let class = if cut_ab || cut_ba {
                CLASS_CUT
            } else if held {
                CLASS_HELD
            } else {
                CLASS_LINK
            };
            dots.line(p, q, class, class == CLASS_CUT);
            let mut text = String::new();
            if cut_ab && cut_ba {
                text.push('╳');
            } else if cut_ab {
                text.push('╳');
                text.push(arrow(q.0 - p.0, q.1 - p.1));
            } else if cut_ba {
                text.push('╳');
                text.push(arrow(p.0 - q.0, p.1 - q.1));
            }
            let style = if text.is_empty() {
                theme.warn()
            } else {
                theme.cut()
            };
            if held {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str("held");
                let c = held_count[pair(a, b)];
                if c > 0 {
                    text.push_str(&format!(" {c}"));
                }
            }
            if !text.is_empty() {
                marks.push((p, q, text, style));
            }
        }
    }
    dots.render(buf, graph, |class| match class {
        CLASS_CUT => theme.cut(),
        CLASS_HELD => theme.warn(),
        _ => theme.dim(),
    });

    // Messages on their way.
    for f in &flights {
        let Some((p, q)) = layout.directed(f.from, f.to) else {
            continue;
        };
        let t = match f.arrives_at {
            None => 0.5,
            Some(arrives) => flight_progress(f.sent_at, arrives, now),
        };
        let (x, y) = lerp(p, q, t);
        put_at_dot(buf, graph, x, y, "•", theme.message());
    }

    // Messages that fell in the last moments.
    for e in recent(trace, now, DROP_WINDOW, DROP_SCAN) {
        if let TraceKind::Drop {
            from, to, reason, ..
        } = e.kind
        {
            let Some((p, q)) = layout.directed(from, to) else {
                continue;
            };
            let t = match reason {
                DropReason::Down => 0.85,
                _ => 0.4,
            };
            let (x, y) = lerp(p, q, t);
            put_at_dot(buf, graph, x, y, "✗", theme.bad());
        }
    }

    // Cut and held marks on their link: at its middle, or as near to it as
    // keeps them clear of the node labels and of each other.
    let mut taken: Vec<Rect> = layout.labels.iter().map(|l| l.rect).collect();
    for (p, q, text, style) in &marks {
        let w = text::width(text) as u16;
        let at = |t: f64| {
            let (x, y) = lerp(*p, *q, t);
            let cx = graph.x as f64 + x / 2.0 - (w as f64 - 1.0) / 2.0;
            let cy = graph.y as f64 + y / 4.0;
            Rect::new(cx.round().max(0.0) as u16, cy.floor().max(0.0) as u16, w, 1)
        };
        let clear = [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]
            .into_iter()
            .map(at)
            .find(|r| taken.iter().all(|t| !t.intersects(*r)));
        let rect = match clear {
            Some(r) => r,
            // No room on a short link: a cut is still marked; a held link
            // shows by its colour alone rather than by covering a name.
            None if text.starts_with('╳') => at(0.5),
            None => continue,
        };
        taken.push(rect);
        put(buf, graph, rect.x, rect.y, text, *style);
    }

    // The nodes.
    for (i, label) in layout.labels.iter().enumerate() {
        let v = &views[i];
        let selected = i == s.selected;
        let base = if selected {
            theme.selected()
        } else {
            theme.text()
        };
        let r = label.rect;
        if selected {
            for y in r.top()..r.bottom() {
                put(buf, graph, r.x, y, &" ".repeat(r.width as usize), base);
            }
        }
        for (row, (line, w)) in label.lines.iter().enumerate() {
            let y = r.y + row as u16;
            let mut x = r.x + (r.width.saturating_sub(*w)) / 2;
            if row == 0 {
                // Health glyph in its colour, the rest plain.
                let glyph = Theme::health_glyph(v.health);
                put(buf, graph, x, y, glyph, base.patch(theme.health(v.health)));
                x += text::width(glyph) as u16;
                let rest: String = line.chars().skip(1).collect();
                let style = if v.health == Health::Down {
                    base.patch(theme.dim())
                } else {
                    base.patch(theme.strong())
                };
                put(buf, graph, x, y, &rest, style);
            } else {
                put(buf, graph, x, y, line, base.patch(theme.dim()));
            }
        }
    }

    // The legend, and how many messages are on their way.
    if let Some(row) = layout.legend {
        legend(buf, area, row, theme, flights.len());
    }
}

/// Where each of `n` nodes' labels is centred in a map drawn in `area`
/// (before a label is moved to fit inside the pane): a ring around the
/// middle, flat at the top, stretched to the pane's shape.
pub fn node_positions(n: usize, area: Rect) -> Vec<(u16, u16)> {
    let (graph, _) = split(area);
    ring(n, graph)
}

/// The node whose label is at (`col`, `row`) in a map drawn in `area`.
pub fn node_at(s: &Session, area: Rect, col: u16, row: u16) -> Option<usize> {
    let views = s.run.cluster().node_views();
    if views.is_empty() || area.is_empty() {
        return None;
    }
    let layout = lay_out(&views, area);
    let hit = |r: Rect| col >= r.left() && col < r.right() && row >= r.top() && row < r.bottom();
    layout.labels.iter().position(|l| hit(l.rect))
}

const CLASS_LINK: u8 = 1;
const CLASS_HELD: u8 = 2;
const CLASS_CUT: u8 = 3;

fn lerp(p: (f64, f64), q: (f64, f64), t: f64) -> (f64, f64) {
    (p.0 + (q.0 - p.0) * t, p.1 + (q.1 - p.1) * t)
}

/// An arrow pointing along (`dx`, `dy`), given in dots.
fn arrow(dx: f64, dy: f64) -> char {
    // Dots are twice as tall as wide on screen.
    let angle = (dy * 2.0).atan2(dx);
    let octant = ((angle / std::f64::consts::FRAC_PI_4).round() as i32).rem_euclid(8);
    ['→', '↘', '↓', '↙', '←', '↖', '↑', '↗'][octant as usize]
}

/// The trace events since `now - window`, newest at most `cap` of them.
fn recent(trace: &Events, now: Time, window: Time, cap: usize) -> Iter<'_, TraceEvent> {
    trace.range(recent_start(trace, now, window, cap)..)
}

fn recent_start(trace: &Events, now: Time, window: Time, cap: usize) -> usize {
    let since = now.saturating_sub(window);
    let start = trace.partition_point(|e| e.time < since);
    start.max(trace.len().saturating_sub(cap))
}

/// The trace events read for traffic: all the most recent ones, then every
/// `stride`-th of the last minute. The stride is a power of two and samples
/// sit at multiples of it (in event numbers: `seq0` is the first kept's),
/// so the sample moves little from frame to frame.
fn traffic_sample(trace: &Events, seq0: u64, now: Time) -> impl Iterator<Item = &TraceEvent> {
    let dense_start = recent_start(trace, now, RECENT_WINDOW, RECENT_SCAN);
    let since = now.saturating_sub(SAMPLE_WINDOW);
    let start = trace.partition_point(|e| e.time < since).min(dense_start);
    let span = dense_start - start;
    let stride = (span / SAMPLE_SCAN).max(1).next_power_of_two() as u64;
    let first = ((seq0 + start as u64).div_ceil(stride) * stride - seq0) as usize;
    let sparse = (first..dense_start)
        .step_by(stride as usize)
        .map(move |i| &trace[i]);
    trace.range(dense_start..).chain(sparse)
}

fn legend(buf: &mut Buffer, area: Rect, row: u16, theme: &Theme, in_flight: usize) {
    let items: [(&str, Style, &str); 7] = [
        ("●", theme.good(), "up"),
        ("✖", theme.bad(), "down"),
        ("‖", theme.warn(), "paused"),
        ("•", theme.message(), "message"),
        ("✗", theme.bad(), "dropped"),
        ("╳", theme.cut(), "cut"),
        ("held", theme.warn(), ""),
    ];
    let count = format!("{in_flight} in flight");
    let width = area.width as usize;
    let mut x = area.x;
    let mut used = 0usize;
    for (glyph, style, word) in items {
        let w = text::width(glyph)
            + if word.is_empty() {
                0
            } else {
                1 + text::width(word)
            };
        let gap = if used == 0 { 0 } else { 2 };
        if used + gap + w > width {
            break;
        }
        x += gap as u16;
        put(buf, area, x, row, glyph, style);
        x += text::width(glyph) as u16;
        if !word.is_empty() {
            put(buf, area, x + 1, row, word, theme.dim());
            x += 1 + text::width(word) as u16;
        }
        used += gap + w;
    }
    let count_w = text::width(&count);
    if used + 3 + count_w <= width {
        let cx = area.right() - count_w as u16;
        put(buf, area, cx, row, &count, theme.dim());
    }
}

#[cfg(test)]
mod tests;
