//! The space-time diagram: a lane per node, time flowing left to right up to
//! now at the right edge, an arrow per message from its sender's lane at the
//! instant it left to its receiver's lane at the instant it arrived, and
//! marks for drops, crashes, restarts, pauses, resumes, timers and inputs.
//! The window shrinks or grows so that about as many arrows are drawn as the
//! pane can show legibly.

use super::flight_progress;
use crate::sim::{DropReason, Health, Time, TraceEvent, TraceKind};
use crate::ui::canvas::{Dots, put, put_glyph};
use crate::ui::session::Session;
use crate::ui::text;
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use std::collections::VecDeque;

/// The windows the diagram may show, shortest first.
const WINDOWS: [Time; 12] = [
    Time::millis(5),
    Time::millis(10),
    Time::millis(20),
    Time::millis(50),
    Time::millis(100),
    Time::millis(200),
    Time::millis(500),
    Time::secs(1),
    Time::secs(2),
    Time::secs(5),
    Time::secs(10),
    Time::secs(20),
];
/// Most messages a window may hold, however wide the pane.
const MAX_ARROWS: usize = 150;
/// Fewest, however narrow.
const MIN_ARROWS: usize = 12;
/// At most this many trace events are read, newest first, to pick the window
/// and to draw it.
const SCAN: usize = 20_000;
/// Steps of the time axis.
const TICKS: [Time; 16] = [
    Time::millis(1),
    Time::millis(2),
    Time::millis(5),
    Time::millis(10),
    Time::millis(20),
    Time::millis(50),
    Time::millis(100),
    Time::millis(200),
    Time::millis(500),
    Time::secs(1),
    Time::secs(2),
    Time::secs(5),
    Time::secs(10),
    Time::secs(20),
    Time::secs(30),
    Time::secs(60),
];

const CLASS_MSG: u8 = 1;
const CLASS_HELD: u8 = 2;
const CLASS_DROP: u8 = 3;

/// Draws the diagram inside `area`.
pub fn render(s: &Session, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    let cluster = s.run.cluster();
    let views = cluster.node_views();
    let trace = cluster.trace().events();
    if trace.is_empty() {
        let lines = [
            "The trace is empty: nothing has happened yet,",
            "or this run is not traced.",
        ];
        for (i, l) in lines.iter().enumerate() {
            let y = area.y + i as u16;
            put(
                buf,
                area,
                area.x,
                y,
                &text::truncate(l, area.width as usize),
                theme.dim(),
            );
        }
        return;
    }
    if views.is_empty() {
        put(buf, area, area.x, area.y, "no nodes", theme.dim());
        return;
    }
    let now = cluster.now();
    let n = views.len();

    // Rows: a header with the window's length and the inputs, the lanes,
    // and the time axis, as room allows.
    let header = area.height >= 4;
    let axis = area.height >= 3;
    let lanes_top = area.y + header as u16;
    let lanes_bottom = area.bottom() - axis as u16;
    let rows = lanes_bottom.saturating_sub(lanes_top);
    let shown = n.min(rows as usize);
    let lane_row = |i: usize| -> u16 {
        if shown <= 1 {
            lanes_top + rows.saturating_sub(1) / 2
        } else {
            let step = (rows - 1) as f64 / (shown - 1) as f64;
            lanes_top + (i as f64 * step).round() as u16
        }
    };

    // Columns: the names, then the plot.
    let name_w = views
        .iter()
        .map(|v| text::width(&v.name))
        .max()
        .unwrap_or(1)
        + 3;
    let name_w = (name_w as u16).min(area.width / 3);
    let plot = Rect::new(area.x + name_w, lanes_top, area.width - name_w, rows);
    let plot_w = plot.width;

    // The window: as long as possible with few enough messages in it.
    let most = (plot_w as usize * 2 / 3).clamp(MIN_ARROWS, MAX_ARROWS);
    let window = pick_window(trace, now, most);
    let start_us = now.0 as i64 - window.0 as i64;
    let dots_w = plot_w as f64 * 2.0;
    let x_of = |t: Time| -> f64 {
        (t.0 as i64 - start_us) as f64 / window.0.max(1) as f64 * (dots_w - 1.0).max(0.0)
    };
    let cell_x = |t: Time| -> Option<u16> {
        let x = x_of(t);
        if x < 0.0 || x >= dots_w {
            None
        } else {
            Some(plot.x + (x / 2.0).floor() as u16)
        }
    };
    // The dot row where an arrow leaves or meets lane `i`, on the side of the other end.
    let lane_dot = |i: usize, toward_below: bool| -> f64 {
        let row = (lane_row(i) - plot.y) as f64 * 4.0;
        if toward_below { row + 2.0 } else { row + 1.0 }
    };
    let since = Time(start_us.max(0) as u64);
    let first = trace
        .partition_point(|e| e.time < since)
        .max(trace.len().saturating_sub(SCAN));
    let events = trace.range(first..);

    // Lanes, drawn by what each node was doing over the window.
    let mut state: Vec<Health> = views.iter().map(|v| v.health).collect();
    for e in events.clone().rev() {
        if let Some(i) = e.node.filter(|&i| i < n) {
            match e.kind {
                TraceKind::Crash | TraceKind::Pause => state[i] = Health::Up,
                TraceKind::Restart | TraceKind::Start => state[i] = Health::Down,
                TraceKind::Resume => state[i] = Health::Paused,
                _ => {}
            }
        }
    }
    let mut from_col = vec![plot.x; n];
    let lane = |buf: &mut Buffer, i: usize, from: u16, to: u16, h: Health| {
        let (glyph, style) = match h {
            Health::Up => ("─", theme.dim()),
            Health::Paused => ("┄", theme.warn()),
            Health::Down => ("·", theme.dim()),
        };
        let y = lane_row(i);
        for x in from..to.min(plot.right()) {
            put_glyph(buf, plot, x, y, glyph, style);
        }
    };
    for e in events.clone() {
        let Some(i) = e.node.filter(|&i| i < shown) else {
            continue;
        };
        let next = match e.kind {
            TraceKind::Crash => Health::Down,
            TraceKind::Pause => Health::Paused,
            TraceKind::Restart | TraceKind::Start | TraceKind::Resume => Health::Up,
            _ => continue,
        };
        let x = cell_x(e.time).unwrap_or(plot.x);
        lane(buf, i, from_col[i], x, state[i]);
        state[i] = next;
        from_col[i] = x;
    }
    for i in 0..shown {
        lane(buf, i, from_col[i], plot.right(), state[i]);
    }

    // Arrows, then marks on top.
    let mut dots = Dots::new(plot.width, plot.height);
    let mut heads: Vec<(u16, u16, &str, Style)> = Vec::new();
    let mut marks: Vec<(u16, u16, &str, Style)> = Vec::new();
    let mut inputs: Vec<(u16, String)> = Vec::new();
    // The sequence number of the last input kept, and its place in `inputs`.
    let mut last_input: Option<(u64, usize)> = None;
    let mut sends: Vec<(u64, Time)> = Vec::new();
    // Timers are marked on a lane only when they are few enough to tell apart.
    let mut timers = vec![0usize; n];
    for e in events.clone() {
        if let (TraceKind::Timer { .. }, Some(i)) = (&e.kind, e.node.filter(|&i| i < n)) {
            timers[i] += 1;
        }
    }
    let timer_room = (plot_w / 4) as usize;
    let arrow = |dots: &mut Dots, t0: Time, a: usize, t1: Time, y1: f64, class: u8| {
        let below = y1 > lane_dot(a, true);
        let p = (x_of(t0), lane_dot(a, below));
        let q = (x_of(t1), y1);
        if let Some((p, q)) = clip_x(p, q, dots_w - 1.0) {
            dots.line(p, q, class, false);
        }
    };
    for e in events.clone() {
        match &e.kind {
            TraceKind::Send { msg, .. } => sends.push((*msg, e.time)),
            TraceKind::Deliver { from, sent_at, .. } => {
                let (Some(to), from) = (e.node, *from) else {
                    continue;
                };
                if to >= shown || from >= shown || to == from {
                    continue;
                }
                let down = lane_row(to) > lane_row(from);
                arrow(
                    &mut dots,
                    *sent_at,
                    from,
                    e.time,
                    lane_dot(to, !down),
                    CLASS_MSG,
                );
                if let Some(x) = cell_x(e.time) {
                    let head = if down { "▾" } else { "▴" };
                    heads.push((x, lane_row(to), head, theme.message()));
                }
            }
            TraceKind::Drop {
                msg,
                from,
                to,
                reason,
                ..
            } => {
                let (from, to) = (*from, *to);
                // A message dropped by hand: the input's words say whose it was.
                if *reason == DropReason::Input
                    && let Some((seq, k)) = last_input
                    && seq + 1 == e.seq
                    && let (Some(a), Some(b)) = (views.get(from), views.get(to))
                {
                    inputs[k].1 = format!("dropped {}→{}", a.name, b.name);
                }
                if from >= shown || to >= shown {
                    continue;
                }
                let sent = sends
                    .binary_search_by_key(msg, |s| s.0)
                    .map_or(e.time, |k| sends[k].1);
                let reach = if *reason == DropReason::Down {
                    0.85
                } else {
                    0.45
                };
                let (ya, yb) = (lane_row(from) as f64, lane_row(to) as f64);
                let y = ya + (yb - ya) * reach;
                let y_dot = (y - plot.y as f64) * 4.0 + 1.5;
                if from != to {
                    arrow(&mut dots, sent, from, e.time, y_dot, CLASS_DROP);
                }
                if let Some(x) = cell_x(e.time) {
                    marks.push((x, y.round() as u16, "✗", theme.bad()));
                }
            }
            TraceKind::Crash
            | TraceKind::Restart
            | TraceKind::Start
            | TraceKind::Pause
            | TraceKind::Resume
            | TraceKind::Timer { .. } => {
                let Some(i) = e.node.filter(|&i| i < shown) else {
                    continue;
                };
                let Some(x) = cell_x(e.time) else { continue };
                if matches!(e.kind, TraceKind::Timer { .. }) && timers[i] > timer_room {
                    continue;
                }
                let (glyph, style) = match e.kind {
                    TraceKind::Crash => ("✖", theme.bad()),
                    TraceKind::Restart | TraceKind::Start => ("▲", theme.good()),
                    TraceKind::Pause => ("‖", theme.warn()),
                    TraceKind::Resume => ("▷", theme.warn()),
                    _ => ("◦", theme.dim()),
                };
                marks.push((x, lane_row(i), glyph, style));
            }
            // An input that changed nothing (a restart of a node that is up)
            // is left out: the header names only what the controls did.
            TraceKind::Input { text, idle: false } => {
                if let Some(x) = cell_x(e.time) {
                    last_input = Some((e.seq, inputs.len()));
                    inputs.push((x, text.clone()));
                }
            }
            TraceKind::Input { idle: true, .. } => {}
            TraceKind::Log(_) => {}
        }
    }
    // Messages still on their way reach now, part of the way to their target.
    let flights = cluster.in_flight();
    for f in &flights {
        if f.from >= shown || f.to >= shown || f.from == f.to {
            continue;
        }
        let (t, class) = match f.arrives_at {
            Some(arrives) => (flight_progress(f.sent_at, arrives, now), CLASS_MSG),
            None => (0.5, CLASS_HELD),
        };
        let (ya, yb) = (
            lane_dot(f.from, f.to > f.from),
            lane_dot(f.to, f.from > f.to),
        );
        let y = ya + (yb - ya) * t;
        arrow(&mut dots, f.sent_at, f.from, now, y, class);
    }
    dots.render(buf, plot, |class| match class {
        CLASS_DROP => theme.bad(),
        CLASS_HELD => theme.warn(),
        _ => theme.message(),
    });
    // Timers first so that anything else at the same place wins.
    marks.sort_by_key(|m| m.2 != "◦");
    for (x, y, glyph, style) in heads.into_iter().chain(marks) {
        put_glyph(buf, plot, x, y, glyph, style);
    }

    // Names, with each node's health now.
    for (i, v) in views.iter().enumerate().take(shown) {
        let y = lane_row(i);
        let base = if i == s.selected {
            theme.selected()
        } else {
            theme.text()
        };
        let label = text::truncate(&v.name, (name_w as usize).saturating_sub(3));
        let names = Rect::new(area.x, area.y, name_w.saturating_sub(1), area.height);
        put(
            buf,
            names,
            area.x,
            y,
            Theme::health_glyph(v.health),
            base.patch(theme.health(v.health)),
        );
        put(buf, names, area.x + 1, y, " ", base);
        put(
            buf,
            names,
            area.x + 2,
            y,
            &label,
            base.patch(theme.strong()),
        );
    }

    // Header: inputs where they happened, and the window's length.
    if header {
        // Cells of the header taken so far, from its left edge.
        let mut taken = vec![false; area.width as usize];
        let take = |taken: &mut [bool], from: u16, len: usize| -> bool {
            let a = from.saturating_sub(area.x) as usize;
            let b = a + len;
            if b > taken.len() || taken[a..b].iter().any(|t| *t) {
                return false;
            }
            taken[a..b].iter_mut().for_each(|t| *t = true);
            true
        };
        // Every input's glyph, at its instant.
        for (x, _) in &inputs {
            put(buf, area, *x, area.y, "↯", theme.warn());
            let k = x.saturating_sub(area.x) as usize;
            if let Some(t) = taken.get_mut(k) {
                *t = true;
            }
        }
        // The window's length at the right unless a glyph is there (with a
        // blank before it); then each input's words where they fit, a blank
        // between them and their glyph; then, if the tag was not placed, as
        // far right as it fits whole (or not at all: never broken), followed
        // by a blank, or by ` · ` when an input's words come next.
        let tag = format!("window {window}");
        let tag_w = text::width(&tag);
        let right = area.right().saturating_sub(tag_w as u16);
        let mut tag_at =
            (right > plot.x && take(&mut taken, right - 1, tag_w + 1)).then_some(right);
        for (x, text) in &inputs {
            let w = text::width(text);
            if take(&mut taken, x + 1, w + 2) {
                put(buf, area, x + 2, area.y, text, theme.warn());
            } else if (*x as usize) > area.x as usize + w
                && take(&mut taken, *x - w as u16 - 1, w + 1)
            {
                put(buf, area, *x - w as u16 - 1, area.y, text, theme.warn());
            }
        }
        let mut dot = false;
        if tag_at.is_none() {
            // Free cells from `x` on, up to the next taken one.
            let gap = |taken: &[bool], x: u16| {
                let a = x.saturating_sub(area.x) as usize;
                taken
                    .get(a..)
                    .map_or(0, |t| t.iter().take_while(|t| !**t).count())
            };
            let end = area.right();
            tag_at = (plot.x..right).rev().find(|&x| {
                let after = x + tag_w as u16;
                match gap(&taken, x) {
                    g if g < tag_w => false,
                    g if g == tag_w + 3 && after + 3 < end => {
                        dot = take(&mut taken, x, tag_w + 3);
                        dot
                    }
                    g => {
                        (g >= tag_w + 4 || after + (g - tag_w) as u16 >= end)
                            && take(&mut taken, x, g.min(tag_w + 1))
                    }
                }
            });
        }
        if let Some(x) = tag_at {
            put(buf, area, x, area.y, &tag, theme.dim());
            // The dot parts the tag from an input's words, not from a bare glyph.
            let next = x + tag_w as u16 + 3;
            let words_next = buf
                .cell((next, area.y))
                .is_some_and(|c| c.symbol() != "↯" && c.symbol() != " ");
            if dot && words_next {
                put(buf, area, x + tag_w as u16 + 1, area.y, "·", theme.dim());
            }
        }
    }

    // The time axis.
    if axis {
        let y = area.bottom() - 1;
        let step = tick_step(window, plot_w);
        let mut t = Time((start_us.max(0) as u64).div_ceil(step.0) * step.0);
        let mut free_from = plot.x;
        while t <= now {
            if let Some(x) = cell_x(t) {
                let label = format!("╵{t}");
                let w = text::width(&label) as u16;
                if x >= free_from && x + w <= area.right() {
                    put(buf, area, x, y, &label, theme.dim());
                    free_from = x + w + 1;
                }
            }
            t += step;
        }
    }
}

/// The longest window, from 5 ms to 20 s, that holds at most `most` messages
/// sent, reading the trace backwards from its end. A young run's window is
/// the shortest that shows all of it.
fn pick_window(trace: &VecDeque<TraceEvent>, now: Time, most: usize) -> Time {
    let longest = WINDOWS[WINDOWS.len() - 1];
    let oldest = now.saturating_sub(longest);
    let mut sends = 0usize;
    // The earliest instant the window may reach back to, if the traffic or
    // the reading limit sets one.
    let mut floor = None;
    for (k, e) in trace.iter().rev().enumerate() {
        if e.time < oldest {
            break;
        }
        if k >= SCAN {
            floor = Some(e.time);
            break;
        }
        if matches!(e.kind, TraceKind::Send { .. }) {
            sends += 1;
            if sends > most {
                // The window must start after this send.
                floor = Some(Time(e.time.0 + 1));
                break;
            }
        }
    }
    let room = floor.map_or(longest, |f| now - f);
    let fits = WINDOWS.iter().copied().rfind(|w| *w <= room);
    let whole_run = WINDOWS.iter().copied().find(|w| *w >= now);
    match (fits, whole_run) {
        (Some(w), Some(all)) => w.min(all),
        (Some(w), None) => w,
        (None, _) => WINDOWS[0],
    }
}

/// A step for the time axis that leaves room for its labels.
fn tick_step(window: Time, width: u16) -> Time {
    let labels = (width / 10).max(1) as u64;
    TICKS
        .iter()
        .copied()
        .find(|s| s.0.saturating_mul(labels) >= window.0)
        .unwrap_or(Time::secs(60))
}

/// The part of the segment from `p` to `q` with 0 ≤ x ≤ `right`.
fn clip_x(p: (f64, f64), q: (f64, f64), right: f64) -> Option<((f64, f64), (f64, f64))> {
    let (mut p, mut q) = (p, q);
    if !(p.0.is_finite() && q.0.is_finite()) || right < 0.0 {
        return None;
    }
    if p.0 > q.0 {
        std::mem::swap(&mut p, &mut q);
    }
    if q.0 < 0.0 || p.0 > right {
        return None;
    }
    let at = |x: f64| {
        if (q.0 - p.0).abs() < 1e-9 {
            p.1
        } else {
            p.1 + (q.1 - p.1) * (x - p.0) / (q.0 - p.0)
        }
    };
    let a = if p.0 < 0.0 { (0.0, at(0.0)) } else { p };
    let b = if q.0 > right { (right, at(right)) } else { q };
    Some((a, b))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod timing {
    use super::*;
    use crate::lesson::Catalog;

    /// The cost of a frame of each pane at 120×40; run with
    /// `cargo test --release -- --ignored --nocapture time_panes`.
    #[test]
    #[ignore]
    fn time_panes() {
        let cat = Catalog::embedded().unwrap();
        type Pane = fn(&Session, &Theme, Rect, &mut Buffer);
        for (id, at) in [("failover", 22), ("flaky-dependency", 40)] {
            let mut s = Session::new(cat.get(id).unwrap(), 1, &[]).unwrap();
            s.run.advance_to(Time::secs(at));
            let area = Rect::new(0, 0, 120, 40);
            let mut buf = Buffer::empty(area);
            let panes: [(&str, Pane); 2] =
                [("map", super::super::map::render), ("space-time", render)];
            for (name, pane) in panes {
                let t = std::time::Instant::now();
                for _ in 0..200 {
                    pane(&s, &Theme::default(), area, &mut buf);
                }
                println!("{id} {name}: {:?} per frame", t.elapsed() / 200);
            }
        }
    }
}
