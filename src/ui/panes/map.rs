//! The cluster map: every node on a ring with its health, role and a fact or
//! two; the links that carry traffic, and those that are cut or held; the
//! messages on their way, each placed along its link by how much of its trip
//! is done; and the messages lost in the last moments.

use super::flight_progress;
use crate::sim::{DropReason, Health, NodeView, Time, TraceKind};
use crate::ui::canvas::{Dots, put, put_at_dot};
use crate::ui::session::Session;
use crate::ui::text;
use crate::ui::theme::Theme;
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
/// Widest a node's label may be.
const MAX_LABEL: u16 = 26;

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
    let layout = layout(&views, area);
    let graph = layout.graph;
    let net = cluster.network();
    let trace = cluster.trace();

    // Which pairs to join, and how each is doing.
    let mut linked = vec![false; n * n];
    let pair = |a: usize, b: usize| a.min(b) * n + a.max(b);
    for e in traffic_sample(trace, now) {
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
        for (row, line) in label.lines.iter().enumerate() {
            let y = r.y + row as u16;
            let w = text::width(line) as u16;
            let mut x = r.x + (r.width.saturating_sub(w)) / 2;
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
    let layout = layout(&views, area);
    let hit = |r: Rect| col >= r.left() && col < r.right() && row >= r.top() && row < r.bottom();
    layout.labels.iter().position(|l| hit(l.rect))
}

const CLASS_LINK: u8 = 1;
const CLASS_HELD: u8 = 2;
const CLASS_CUT: u8 = 3;

/// A node's label: its lines, and where they go.
struct Label {
    lines: Vec<String>,
    rect: Rect,
}

struct Layout {
    /// Where nodes and links go: the pane without its legend row.
    graph: Rect,
    legend: Option<u16>,
    labels: Vec<Label>,
}

impl Layout {
    /// Centre of label `i`, in dots of `graph` (two across, four down per cell).
    fn centre(&self, i: usize) -> (f64, f64) {
        let r = self.labels[i].rect;
        (
            ((r.x - self.graph.x) as f64 + r.width as f64 / 2.0) * 2.0,
            ((r.y - self.graph.y) as f64 + r.height as f64 / 2.0) * 4.0,
        )
    }

    /// The visible part of the link between `a` and `b`, from the edge of one
    /// label to the edge of the other, in dots; `None` when the labels touch.
    fn segment(&self, a: usize, b: usize) -> Option<((f64, f64), (f64, f64))> {
        if a >= self.labels.len() || b >= self.labels.len() || a == b {
            return None;
        }
        let p = self.centre(a);
        let q = self.centre(b);
        let (dx, dy) = (q.0 - p.0, q.1 - p.1);
        // How far along the link each label reaches, with a dot to spare.
        let reach = |r: Rect| {
            let hw = r.width as f64 + 1.0;
            let hh = r.height as f64 * 2.0 + 1.0;
            let tx = if dx.abs() > 1e-9 {
                hw / dx.abs()
            } else {
                f64::INFINITY
            };
            let ty = if dy.abs() > 1e-9 {
                hh / dy.abs()
            } else {
                f64::INFINITY
            };
            tx.min(ty)
        };
        let ta = reach(self.labels[a].rect);
        let tb = reach(self.labels[b].rect);
        if ta + tb >= 1.0 {
            return None;
        }
        Some((
            (p.0 + dx * ta, p.1 + dy * ta),
            (q.0 - dx * tb, q.1 - dy * tb),
        ))
    }

    /// The link's visible part oriented from `from` to `to`.
    fn directed(&self, from: usize, to: usize) -> Option<((f64, f64), (f64, f64))> {
        self.segment(from, to)
    }
}

/// The pane split into the graph and, if there is room, a legend row.
fn split(area: Rect) -> (Rect, Option<u16>) {
    if area.height >= 7 {
        let graph = Rect::new(area.x, area.y, area.width, area.height - 1);
        (graph, Some(area.bottom() - 1))
    } else {
        (area, None)
    }
}

/// Centres of `n` labels on an ellipse filling `graph`, leaving room for the
/// labels themselves at its edges.
fn ring(n: usize, graph: Rect) -> Vec<(u16, u16)> {
    if n == 0 {
        return Vec::new();
    }
    let cx = graph.x as f64 + (graph.width.saturating_sub(1)) as f64 / 2.0;
    let cy = graph.y as f64 + (graph.height.saturating_sub(1)) as f64 / 2.0;
    if n == 1 {
        return vec![(cx.round() as u16, cy.round() as u16)];
    }
    // Half a typical label across, one row for a label of three lines.
    let mx = (graph.width as f64 / 4.0).min(8.0);
    let my = if graph.height >= 6 { 1.0 } else { 0.0 };
    let left = graph.x as f64 + mx;
    let right = (graph.x as f64 + graph.width as f64 - 1.0 - mx).max(left);
    let top = graph.y as f64 + my;
    let bottom = (graph.y as f64 + graph.height as f64 - 1.0 - my).max(top);
    // Flat at the top: the first node sits half a step left of straight up.
    let start = -std::f64::consts::FRAC_PI_2 - std::f64::consts::PI / n as f64;
    let angles: Vec<f64> = (0..n)
        .map(|i| start + 2.0 * std::f64::consts::PI * i as f64 / n as f64)
        .collect();
    let (cos, sin): (Vec<f64>, Vec<f64>) = angles.iter().map(|a| (a.cos(), a.sin())).unzip();
    let span = |v: &[f64]| {
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo, hi)
    };
    let place = |v: f64, (lo, hi): (f64, f64), a: f64, b: f64, mid: f64| {
        if hi - lo < 1e-9 {
            mid
        } else {
            a + (v - lo) / (hi - lo) * (b - a)
        }
    };
    let (sx, sy) = (span(&cos), span(&sin));
    (0..n)
        .map(|i| {
            let x = place(cos[i], sx, left, right, cx);
            let y = place(sin[i], sy, top, bottom, cy);
            (x.round().max(0.0) as u16, y.round().max(0.0) as u16)
        })
        .collect()
}

/// The labels at the richest level of detail at which none overlap.
fn layout(views: &[NodeView], area: Rect) -> Layout {
    let (graph, legend) = split(area);
    let centres = ring(views.len(), graph);
    let max_w = MAX_LABEL.min(graph.width).max(1);
    let mut labels = Vec::new();
    for level in (0..=3).rev() {
        labels = views
            .iter()
            .zip(&centres)
            .map(|(v, &(x, y))| {
                let lines: Vec<String> = label_lines(v, level)
                    .into_iter()
                    .take(graph.height.max(1) as usize)
                    .map(|l| text::truncate(&l, max_w as usize))
                    .collect();
                let w = lines.iter().map(|l| text::width(l)).max().unwrap_or(1) as u16;
                let h = lines.len() as u16;
                Label {
                    rect: place_rect(x, y, w, h, graph),
                    lines,
                }
            })
            .collect();
        if level == 0 || !overlapping(&labels) {
            break;
        }
    }
    Layout {
        graph,
        legend,
        labels,
    }
}

/// A `w`×`h` rectangle centred on (`x`, `y`), moved to lie inside `bounds`.
fn place_rect(x: u16, y: u16, w: u16, h: u16, bounds: Rect) -> Rect {
    let w = w.min(bounds.width);
    let h = h.min(bounds.height);
    let left =
        (x as i32 - (w as i32 - 1) / 2).clamp(bounds.x as i32, (bounds.right() - w) as i32) as u16;
    let top =
        (y as i32 - (h as i32 - 1) / 2).clamp(bounds.y as i32, (bounds.bottom() - h) as i32) as u16;
    Rect::new(left, top, w, h)
}

/// Whether any two labels overlap or touch side by side.
fn overlapping(labels: &[Label]) -> bool {
    for (i, a) in labels.iter().enumerate() {
        for b in &labels[i + 1..] {
            let (a, b) = (a.rect, b.rect);
            let apart_x = a.right() < b.left() || b.right() < a.left();
            let apart_y = a.bottom() <= b.top() || b.bottom() <= a.top();
            if !(apart_x || apart_y) {
                return true;
            }
        }
    }
    false
}

/// A node's label at a level of detail: 3 with two facts on lines of their
/// own, 2 with one, 1 without facts, 0 without the role.
fn label_lines(v: &NodeView, level: u8) -> Vec<String> {
    let mut head = format!("{} {}", Theme::health_glyph(v.health), v.name);
    if level >= 1 && !v.role.is_empty() {
        head.push(' ');
        head.push_str(&v.role);
    }
    if v.slow > 1.0 {
        head.push_str(&format!(" ×{}", text::factor(v.slow)));
    }
    if v.clock_offset != 0 {
        let sign = if v.clock_offset < 0 { '-' } else { '+' };
        head.push_str(&format!(
            " clk{sign}{}",
            Time(v.clock_offset.unsigned_abs())
        ));
    }
    let mut lines = vec![head];
    let facts = v
        .facts
        .iter()
        .filter(|(k, _)| *k != "role")
        .map(|(k, val)| format!("{k} {val}"));
    let wanted = match level {
        3 => 2,
        2 => 1,
        _ => 0,
    };
    lines.extend(facts.take(wanted));
    lines
}

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
fn recent(
    trace: &[crate::sim::TraceEvent],
    now: Time,
    window: Time,
    cap: usize,
) -> &[crate::sim::TraceEvent] {
    let since = now.saturating_sub(window);
    let start = trace.partition_point(|e| e.time < since);
    let start = start.max(trace.len().saturating_sub(cap));
    &trace[start..]
}

/// The trace events read for traffic: all the most recent ones, then every
/// `stride`-th of the last minute. The stride is a power of two and samples
/// sit at multiples of it, so the sample moves little from frame to frame.
fn traffic_sample(
    trace: &[crate::sim::TraceEvent],
    now: Time,
) -> impl Iterator<Item = &crate::sim::TraceEvent> {
    let dense = recent(trace, now, RECENT_WINDOW, RECENT_SCAN);
    let dense_start = trace.len() - dense.len();
    let since = now.saturating_sub(SAMPLE_WINDOW);
    let start = trace[..dense_start].partition_point(|e| e.time < since);
    let span = dense_start - start;
    let stride = (span / SAMPLE_SCAN).max(1).next_power_of_two();
    let first = start.div_ceil(stride) * stride;
    let sparse = (first..dense_start).step_by(stride).map(move |i| &trace[i]);
    dense.iter().chain(sparse)
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
mod tests {
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
        let layout = layout(&s.run.cluster().node_views(), area);
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
}
