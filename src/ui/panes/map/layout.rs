//! Where the map's parts go: the nodes on a ring stretched to the pane,
//! each label at the richest level of detail at which none overlap, the
//! visible part of each link between two labels, and the legend's row.

use crate::sim::{NodeView, Time};
use crate::ui::text;
use crate::ui::theme::Theme;
use ratatui::layout::Rect;

/// Widest a node's label may be.
const MAX_LABEL: u16 = 26;

/// A node's label: its lines (each with its width), and where they go.
pub(super) struct Label {
    pub lines: Vec<(String, u16)>,
    pub rect: Rect,
}

pub(super) struct Layout {
    /// Where nodes and links go: the pane without its legend row.
    pub graph: Rect,
    pub legend: Option<u16>,
    pub labels: Vec<Label>,
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
    pub fn segment(&self, a: usize, b: usize) -> Option<((f64, f64), (f64, f64))> {
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
    pub fn directed(&self, from: usize, to: usize) -> Option<((f64, f64), (f64, f64))> {
        self.segment(from, to)
    }
}

/// The pane split into the graph and, if there is room, a legend row.
pub(super) fn split(area: Rect) -> (Rect, Option<u16>) {
    if area.height >= 7 {
        let graph = Rect::new(area.x, area.y, area.width, area.height - 1);
        (graph, Some(area.bottom() - 1))
    } else {
        (area, None)
    }
}

/// Centres of `n` labels on an ellipse filling `graph`, leaving room for the
/// labels themselves at its edges.
pub(super) fn ring(n: usize, graph: Rect) -> Vec<(u16, u16)> {
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
pub(super) fn lay_out(views: &[NodeView], area: Rect) -> Layout {
    let (graph, legend) = split(area);
    let centres = ring(views.len(), graph);
    let max_w = MAX_LABEL.min(graph.width).max(1);
    let mut labels = Vec::new();
    for level in (0..=3).rev() {
        labels = views
            .iter()
            .zip(&centres)
            .map(|(v, &(x, y))| {
                let lines: Vec<(String, u16)> = label_lines(v, level)
                    .into_iter()
                    .take(graph.height.max(1) as usize)
                    .map(|l| {
                        let l = text::truncate(&l, max_w as usize);
                        let w = text::width(&l) as u16;
                        (l, w)
                    })
                    .collect();
                let w = lines.iter().map(|l| l.1).max().unwrap_or(1);
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
