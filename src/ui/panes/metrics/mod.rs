//! The metrics pane: every [`Panel`] the scenario declares, stacked, drawn
//! from the run's metrics and node facts without knowing the scenario.
//!
//! Every chart shares one time axis, so a breaker opening lines up with the
//! rates and gauges that explain it. The axis spans the lesson's length
//! (at least [`MIN_SPAN`]) from zero while the run is younger than that, with
//! the future left blank, and then scrolls so that its right edge is now.
//! Rows are laid out in three columns: a label, the chart, and the value now.
//!
//! Each panel has a rich form (a title line and one row per series) and a
//! compact one (a single line). When the pane is short, panels turn compact
//! from the last one up; when even that does not fit, the first ones are
//! drawn and a line says how many more there are. When the pane is tall,
//! the charts of gauges and rates grow to two or three rows.

mod locks;

use crate::scenarios::{Panel, Tone};
use crate::sim::{BUCKET, Metrics, NodeView, Stat, Time, quantile};
use crate::ui::session::Session;
use crate::ui::text::{self, put_within};
use crate::ui::theme::Theme;
use locks::{LockState, MAX_LOCK_ROWS};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// "Now" for rates, latencies and recent totals means this much recent time.
const RECENT: Time = Time::secs(5);
/// The shortest span the time axis covers.
const MIN_SPAN: Time = Time::secs(10);
/// Sparkline levels, from nothing to a full cell.
const SPARK: [&str; 9] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];
/// The glyph of a good state: a low line the others stand out of.
const BASE_GLYPH: &str = "▁";
/// Latency bar cells: up to p50, up to p99, up to the maximum.
const LAT_GLYPHS: [&str; 3] = ["█", "▓", "░"];

/// Draws every panel of `s.panels` inside `area`.
pub fn render(s: &Session, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    if s.panels.is_empty() {
        put_within(
            buf,
            area.x,
            area.y,
            area.width,
            "This lesson declares no metrics panels.",
            theme.dim(),
        );
        return;
    }
    let cols = Cols::new(&s.panels, area);
    let now = s.now();
    let span = s.lesson().length.max(MIN_SPAN);
    let win = Window::new(now, span, cols.cw as usize);
    let cx = Cx {
        theme,
        m: s.run.cluster().metrics(),
        views: if s
            .panels
            .iter()
            .any(|p| matches!(p, Panel::NodeTable { .. }))
        {
            s.run.cluster().node_views()
        } else {
            Vec::new()
        },
        locks: if s
            .panels
            .iter()
            .any(|p| matches!(p, Panel::LockTable { .. } | Panel::WaitFor { .. }))
        {
            LockState::new(s.run.cluster().locks())
        } else {
            LockState::default()
        },
        selected: s.selected,
        now,
        win,
        cols,
    };
    let plan = plan(&cx, &s.panels, area.height);
    let mut y = area.y;
    for (panel, form) in s.panels.iter().zip(&plan.forms).take(plan.shown) {
        let h = cx.height(panel, *form);
        cx.draw(panel, *form, y, buf);
        y += h;
    }
    if plan.shown < s.panels.len() {
        let more = s.panels.len() - plan.shown;
        let text = format!("+{more} more (zoom with z)");
        put_within(buf, area.x, y, area.width, &text, theme.dim());
    } else if plan.axis {
        cx.draw_axis(y, buf);
    }
}

/// How much room a panel takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// One line.
    Compact,
    /// A title line and one row of `rows` lines per series.
    Rich { rows: u16 },
}

struct Plan {
    forms: Vec<Form>,
    /// Panels drawn, from the first.
    shown: usize,
    /// Whether the time axis is drawn under them.
    axis: bool,
}

/// Picks each panel's form so that as much as possible fits in `height` rows.
fn plan(cx: &Cx, panels: &[Panel], height: u16) -> Plan {
    let avail = height as usize;
    let total = |forms: &[Form]| -> usize {
        panels
            .iter()
            .zip(forms)
            .map(|(p, f)| cx.height(p, *f) as usize)
            .sum()
    };
    let charts = cx.cols.cw > 0;
    let rich_ok = cx.cols.cw >= 4;
    let mut forms = vec![
        if rich_ok {
            Form::Rich { rows: 1 }
        } else {
            Form::Compact
        };
        panels.len()
    ];
    if rich_ok && total(&forms) <= avail {
        // Room to spare: taller charts, with a line kept for the axis.
        for rows in [3, 2] {
            let tall = vec![Form::Rich { rows }; panels.len()];
            if total(&tall) < avail {
                forms = tall;
                break;
            }
        }
    } else {
        for i in (0..panels.len()).rev() {
            if total(&forms) <= avail {
                break;
            }
            forms[i] = Form::Compact;
        }
        // Room left over (a tall panel went compact to make room for short
        // ones): give it back to the compact panels that fit, first first,
        // keeping a line for the time axis.
        if rich_ok {
            for i in 0..panels.len() {
                if forms[i] == Form::Compact {
                    forms[i] = Form::Rich { rows: 1 };
                    if total(&forms) >= avail {
                        forms[i] = Form::Compact;
                    }
                }
            }
        }
    }
    let used = total(&forms);
    if used <= avail {
        let axis = charts && used < avail && panels.iter().any(|p| cx.uses_chart(p, forms[0]));
        return Plan {
            forms,
            shown: panels.len(),
            axis,
        };
    }
    // Even compact, not everything fits: as many as fit above a "+N more" line.
    let mut shown = 0;
    let mut sum = 0;
    for (p, f) in panels.iter().zip(&forms) {
        let h = cx.height(p, *f) as usize;
        if sum + h + 1 > avail {
            break;
        }
        sum += h;
        shown += 1;
    }
    Plan {
        forms,
        shown,
        axis: false,
    }
}

/// The three columns of a row: label, chart, value.
#[derive(Clone, Copy, Debug)]
struct Cols {
    x: u16,
    right: u16,
    lw: u16,
    cw: u16,
    vw: u16,
}

impl Cols {
    fn new(panels: &[Panel], area: Rect) -> Cols {
        // Room for a timeline's "  since 2m05.3s".
        let mut label = 15usize;
        let mut value = 0usize;
        for p in panels {
            match p {
                Panel::StateTimeline { title, states, .. } => {
                    label = label.max(text::width(title));
                    let w = states.iter().map(|s| text::width(s.1)).max().unwrap_or(1);
                    value = value.max(w);
                }
                Panel::Gauges { metrics, .. } => {
                    label = label.max(labels_width(metrics) + 2);
                    value = value.max(GAUGE_VALUE + 1 + GAUGE_BAR);
                }
                Panel::Rates { metrics, .. } => {
                    label = label.max(labels_width(metrics) + 2);
                    value = value.max(8);
                }
                Panel::Contention { locks, .. } => {
                    let w = locks.iter().map(|l| text::width(l)).max().unwrap_or(0);
                    label = label.max(w + 2);
                    value = value.max(9);
                }
                Panel::Spans { metrics, .. } => {
                    label = label.max(labels_width(metrics) + 2);
                    value = value.max(4);
                }
                _ => {}
            }
        }
        let w = area.width as usize;
        let lw = label.min(w / 3);
        let vw = value.min(w / 4);
        let cw = w.saturating_sub(lw + vw + 2);
        Cols {
            x: area.x,
            right: area.right(),
            lw: lw as u16,
            cw: cw as u16,
            vw: vw as u16,
        }
    }

    fn chart_x(&self) -> u16 {
        self.x + self.lw + 1
    }

    fn value_x(&self) -> u16 {
        self.chart_x() + self.cw + 1
    }

    fn width(&self) -> u16 {
        self.right - self.x
    }
}

/// Width of a gauge's number and of its bar in the value column.
const GAUGE_VALUE: usize = 5;
const GAUGE_BAR: usize = 8;

fn labels_width(metrics: &[(String, String)]) -> usize {
    metrics.iter().map(|m| text::width(&m.1)).max().unwrap_or(0)
}

/// The time axis: `cells` cells of `cell` each from `from`.
#[derive(Clone, Copy, Debug)]
struct Window {
    from: Time,
    cell: Time,
    cells: usize,
    now: Time,
}

impl Window {
    fn new(now: Time, span: Time, cells: usize) -> Window {
        if cells == 0 {
            return Window {
                from: Time::ZERO,
                cell: BUCKET,
                cells: 0,
                now,
            };
        }
        // Whole counter buckets per cell, so rates need no interpolation.
        let per = span.0.div_ceil(cells as u64);
        let cell = per.div_ceil(BUCKET.0).max(1) * BUCKET.0;
        let total = cell * cells as u64;
        let from = if now.0 <= total {
            0
        } else {
            now.0.div_ceil(cell) * cell - total
        };
        Window {
            from: Time(from),
            cell: Time(cell),
            cells,
            now,
        }
    }

    fn start(&self, i: usize) -> Time {
        Time(self.from.0 + self.cell.0 * i as u64)
    }

    fn to(&self) -> Time {
        self.start(self.cells)
    }

    /// Cell `i` as far as it has happened: `None` when it is all in the future.
    fn past(&self, i: usize) -> Option<(Time, Time)> {
        let start = self.start(i);
        (start < self.now).then(|| (start, self.start(i + 1).min(self.now)))
    }
}

/// What every panel is drawn from.
struct Cx<'a> {
    theme: &'a Theme,
    m: &'a Metrics,
    views: Vec<NodeView>,
    locks: LockState,
    selected: usize,
    now: Time,
    win: Window,
    cols: Cols,
}

impl Cx<'_> {
    fn height(&self, panel: &Panel, form: Form) -> u16 {
        let rows = match form {
            Form::Compact => return self.compact_height(panel),
            Form::Rich { rows } => rows,
        };
        let n = |m: &[(String, String)]| m.len().min(200) as u16;
        match panel {
            Panel::StateTimeline { .. } => 2,
            Panel::Gauges { metrics, .. } | Panel::Rates { metrics, .. } => 1 + n(metrics) * rows,
            Panel::Latencies { metrics, .. } | Panel::Totals { metrics, .. } => 1 + n(metrics),
            Panel::NodeTable { columns, .. } => 2 + self.table_rows(columns).len().max(1) as u16,
            Panel::LockTable { .. } => 1 + self.locks.locks.len().clamp(1, MAX_LOCK_ROWS) as u16,
            Panel::WaitFor { .. } => 1 + self.locks.graph_rows() as u16,
            Panel::Contention { locks, .. } => 1 + locks.len().min(200) as u16,
            Panel::Spans { metrics, .. } => 1 + n(metrics),
        }
    }

    fn compact_height(&self, panel: &Panel) -> u16 {
        match panel {
            Panel::NodeTable { columns, .. } => 1 + self.table_rows(columns).len() as u16,
            _ => 1,
        }
    }

    fn uses_chart(&self, panel: &Panel, form: Form) -> bool {
        match panel {
            Panel::StateTimeline { .. } => true,
            Panel::Gauges { .. }
            | Panel::Rates { .. }
            | Panel::Contention { .. }
            | Panel::Spans { .. } => form != Form::Compact,
            _ => false,
        }
    }

    fn draw(&self, panel: &Panel, form: Form, y: u16, buf: &mut Buffer) {
        match panel {
            Panel::StateTimeline {
                title,
                metric,
                states,
            } => self.timeline(title, metric, states, form, y, buf),
            Panel::Gauges {
                title,
                metrics,
                max,
            } => self.gauges(title, metrics, *max, form, y, buf),
            Panel::Rates { title, metrics } => self.rates(title, metrics, form, y, buf),
            Panel::Latencies { title, metrics } => self.latencies(title, metrics, form, y, buf),
            Panel::Totals { title, metrics } => self.totals(title, metrics, form, y, buf),
            Panel::NodeTable { title, columns } => self.table(title, columns, form, y, buf),
            Panel::LockTable { title } => self.lock_table(title, form, y, buf),
            Panel::WaitFor { title } => self.wait_for(title, form, y, buf),
            Panel::Contention { title, locks } => self.contention(title, locks, form, y, buf),
            Panel::Spans { title, metrics } => self.spans(title, metrics, form, y, buf),
        }
    }

    /// A rich panel's title line, with `note` after it; returns where it ended.
    fn title(&self, title: &str, note: &str, y: u16, buf: &mut Buffer) -> u16 {
        let c = &self.cols;
        let x = put_within(buf, c.x, y, c.width(), title, self.theme.heading());
        if !note.is_empty() {
            put_within(
                buf,
                x + 2,
                y,
                c.right.saturating_sub(x + 2),
                note,
                self.theme.dim(),
            )
        } else {
            x
        }
    }

    /// A compact line: the title, then `items` as `label value` pairs.
    fn compact(&self, title: &str, items: &[(String, String, Style)], y: u16, buf: &mut Buffer) {
        let c = &self.cols;
        let mut x = put_within(buf, c.x, y, c.width(), title, self.theme.heading());
        x = (x + 2).max(c.chart_x());
        for (i, (label, value, style)) in items.iter().enumerate() {
            if x >= c.right {
                break;
            }
            if i > 0 {
                x = put_within(buf, x, y, c.right - x, " · ", self.theme.dim());
            }
            if !label.is_empty() {
                x = put_within(
                    buf,
                    x,
                    y,
                    c.right.saturating_sub(x),
                    label,
                    self.theme.text(),
                );
                x = put_within(buf, x, y, c.right.saturating_sub(x), " ", self.theme.text());
            }
            x = put_within(buf, x, y, c.right.saturating_sub(x), value, *style);
        }
    }

    // ----- state timelines -----

    fn timeline(
        &self,
        title: &str,
        metric: &str,
        states: &[(f64, &'static str, Tone)],
        form: Form,
        y: u16,
        buf: &mut Buffer,
    ) {
        let c = self.cols;
        let t = self.theme;
        let points = self.m.gauge_points(metric);
        let state_of = |v: f64| {
            states
                .iter()
                .position(|s| (s.0 - v).abs() < 1e-9)
                .unwrap_or(states.len())
        };
        let base = states.iter().position(|st| st.2 == Tone::Good).unwrap_or(0);
        let look = |i: usize| -> (&'static str, Style) {
            match states.get(i).map(|st| st.2) {
                None => ("?", t.dim()),
                Some(Tone::Good) => (BASE_GLYPH, t.good()),
                Some(Tone::Bad) => ("█", t.bad()),
                Some(Tone::Warn) => ("▒", t.warn()),
                Some(Tone::Neutral) => ("░", t.dim()),
            }
        };
        let cells = timeline_cells(points, states.len(), base, &state_of, &self.win);
        let current = self.m.current(metric).map(state_of);
        let (name, name_style) = match current {
            Some(i) if i < states.len() => (states[i].1, look(i).1.patch(t.strong())),
            Some(_) => ("?", t.dim()),
            None => ("no data", t.dim()),
        };
        let mut row = y;
        match form {
            Form::Compact => {
                put_within(buf, c.x, row, c.lw, title, t.heading());
            }
            Form::Rich { .. } => {
                // Title, then a legend of the states seen on screen.
                let mut seen = vec![false; states.len() + 1];
                for i in cells.iter().flatten() {
                    seen[*i] = true;
                }
                if let Some(i) = current {
                    seen[i.min(states.len())] = true;
                }
                let mut x = self.title(title, "", row, buf) + 2;
                for (i, s) in states.iter().enumerate() {
                    if !seen[i] || x >= c.right {
                        continue;
                    }
                    let (g, st) = look(i);
                    x = put_within(buf, x, row, c.right - x, g, st);
                    x = put_within(buf, x, row, c.right.saturating_sub(x), " ", st);
                    x = put_within(buf, x, row, c.right.saturating_sub(x), s.1, t.dim());
                    x = x.saturating_add(2);
                }
                row += 1;
                if let Some(since) = points.last().map(|p| p.0) {
                    let mut text = format!("  since {}", text::instant(since));
                    if text::width(&text) > usize::from(c.lw) {
                        // Whole seconds fit where tenths do not.
                        text = format!(
                            "  since {}",
                            text::instant(Time(since.0 / 1_000_000 * 1_000_000))
                        );
                    }
                    put_within(buf, c.x, row, c.lw, &text, t.dim());
                }
            }
        }
        for (i, cell) in cells.iter().enumerate() {
            if let Some(state) = cell {
                let (g, st) = look(*state);
                put_within(buf, c.chart_x() + i as u16, row, 1, g, st);
            }
        }
        put_within(buf, c.value_x(), row, c.vw, name, name_style);
    }

    // ----- gauges -----

    fn gauges(
        &self,
        title: &str,
        metrics: &[(String, String)],
        max: Option<f64>,
        form: Form,
        y: u16,
        buf: &mut Buffer,
    ) {
        let t = self.theme;
        let c = self.cols;
        let histories: Vec<Vec<Option<f64>>> = match form {
            Form::Compact => Vec::new(),
            Form::Rich { .. } => metrics
                .iter()
                .map(|(name, _)| gauge_cells(self.m.gauge_points(name), &self.win))
                .collect(),
        };
        let currents: Vec<Option<f64>> = metrics.iter().map(|(n, _)| self.m.current(n)).collect();
        let observed = histories
            .iter()
            .flatten()
            .flatten()
            .chain(currents.iter().flatten())
            .fold(0.0f64, |a, &b| a.max(b));
        let scale = max.unwrap_or(observed).max(1.0);
        let value_text = |v: Option<f64>| v.map_or("–".to_string(), text::number);
        let rows = match form {
            Form::Compact => {
                let items: Vec<_> = metrics
                    .iter()
                    .zip(&currents)
                    .map(|((_, label), v)| (label.clone(), value_text(*v), t.strong()))
                    .collect();
                self.compact(title, &items, y, buf);
                return;
            }
            Form::Rich { rows } => rows,
        };
        let note = match max {
            Some(m) => format!("scale 0–{}", text::number(m)),
            None => format!("scale 0–{} (highest seen)", text::number(scale)),
        };
        self.title(title, &note, y, buf);
        for (i, ((_, label), history)) in metrics.iter().zip(&histories).enumerate() {
            let top = y + 1 + i as u16 * rows;
            let style = series_style(t, i);
            put_within(buf, c.x + 2, top, c.lw.saturating_sub(2), label, t.text());
            spark(buf, c.chart_x(), top, rows, history, scale, style);
            let v = currents[i];
            let num = format!("{:>w$}", value_text(v), w = GAUGE_VALUE);
            let x = put_within(buf, c.value_x(), top, c.vw, &num, t.strong());
            let bw = (c.right.saturating_sub(x + 1)).min(GAUGE_BAR as u16);
            bar(
                buf,
                x + 1,
                top,
                bw,
                v.unwrap_or(0.0) / scale,
                style,
                t.dim(),
            );
        }
    }

    // ----- rates -----

    fn rates(
        &self,
        title: &str,
        metrics: &[(String, String)],
        form: Form,
        y: u16,
        buf: &mut Buffer,
    ) {
        let t = self.theme;
        let c = self.cols;
        let recent: Vec<Option<f64>> = metrics
            .iter()
            .map(|(n, _)| {
                let from = self.now.saturating_sub(RECENT);
                self.m.query(n, Stat::Rate, from, self.now)
            })
            .collect();
        let rows = match form {
            Form::Compact => {
                let items: Vec<_> = metrics
                    .iter()
                    .zip(&recent)
                    .map(|((_, label), r)| (label.clone(), text::rate(*r), t.strong()))
                    .collect();
                self.compact(title, &items, y, buf);
                return;
            }
            Form::Rich { rows } => rows,
        };
        let histories: Vec<Vec<Option<f64>>> = metrics
            .iter()
            .map(|(name, _)| rate_cells(self.m.counter_buckets(name), &self.win))
            .collect();
        let top = histories
            .iter()
            .flatten()
            .flatten()
            .fold(0.0f64, |a, &b| a.max(b));
        let note = format!(
            "per second, top {}, now = last {}",
            text::rate(Some(top)),
            text::instant(RECENT)
        );
        self.title(title, &note, y, buf);
        for (i, ((_, label), history)) in metrics.iter().zip(&histories).enumerate() {
            let row = y + 1 + i as u16 * rows;
            let style = series_style(t, i);
            put_within(buf, c.x + 2, row, c.lw.saturating_sub(2), label, t.text());
            spark(buf, c.chart_x(), row, rows, history, top, style);
            let text = format!("{:>w$}", text::rate(recent[i]), w = c.vw as usize);
            put_within(buf, c.value_x(), row, c.vw, &text, t.strong());
        }
    }

    // ----- latencies -----

    fn latencies(
        &self,
        title: &str,
        metrics: &[(String, String)],
        form: Form,
        y: u16,
        buf: &mut Buffer,
    ) {
        let t = self.theme;
        let c = self.cols;
        let from = self.now.saturating_sub(RECENT);
        let stats: Vec<Option<[u64; 3]>> = metrics
            .iter()
            .map(|(n, _)| recent_quantiles(self.m.samples(n), from, self.now))
            .collect();
        if form == Form::Compact {
            let items: Vec<_> = metrics
                .iter()
                .zip(&stats)
                .map(|((name, label), s)| {
                    let v = match s {
                        Some(s) => format!("p99 {}", text::latency(s[1])),
                        None => match self.m.samples(name).last() {
                            Some(&(_, v)) => format!("last {}", text::latency(v)),
                            None => "–".into(),
                        },
                    };
                    (label.clone(), v, t.strong())
                })
                .collect();
            self.compact(title, &items, y, buf);
            return;
        }
        let note = format!(
            "last {}: p50, p99, max   {} p50 {} p99 {} max",
            text::instant(RECENT),
            LAT_GLYPHS[0],
            LAT_GLYPHS[1],
            LAT_GLYPHS[2]
        );
        self.title(title, &note, y, buf);
        let scale = stats.iter().flatten().map(|s| s[2]).max().unwrap_or(0);
        let lw = (labels_width(metrics) + 2).min(c.width() as usize / 3) as u16;
        for (i, ((name, label), s)) in metrics.iter().zip(&stats).enumerate() {
            let row = y + 1 + i as u16;
            put_within(buf, c.x + 2, row, lw.saturating_sub(2), label, t.text());
            let x = c.x + lw + 1;
            let Some([p50, p99, max]) = *s else {
                // A rare event (a failover, say) still shows its latest value.
                let text = match self.m.samples(name).last() {
                    Some(&(at, v)) => format!(
                        "latest {} at {}, none in the last {}",
                        text::latency(v),
                        text::instant(at),
                        text::instant(RECENT)
                    ),
                    None => "no samples yet".to_string(),
                };
                put_within(buf, x, row, c.right.saturating_sub(x), &text, t.dim());
                continue;
            };
            let mut x = x;
            for (name, v) in [("p50", p50), ("p99", p99), ("max", max)] {
                x = put_within(buf, x, row, c.right.saturating_sub(x), name, t.dim());
                let text = format!(" {:>6}  ", text::latency(v));
                x = put_within(buf, x, row, c.right.saturating_sub(x), &text, t.strong());
            }
            let bw = c.right.saturating_sub(x);
            let style = series_style(t, i);
            for j in 0..bw {
                // The latency at the left edge of cell j.
                let lower = j as u64 * scale / bw.max(1) as u64;
                let g = if lower < p50 || j == 0 && p50 > 0 {
                    LAT_GLYPHS[0]
                } else if lower < p99 {
                    LAT_GLYPHS[1]
                } else if lower < max {
                    LAT_GLYPHS[2]
                } else {
                    break;
                };
                put_within(buf, x + j, row, 1, g, style);
            }
        }
    }

    // ----- totals -----

    fn totals(
        &self,
        title: &str,
        metrics: &[(String, String)],
        form: Form,
        y: u16,
        buf: &mut Buffer,
    ) {
        let t = self.theme;
        let c = self.cols;
        let totals: Vec<u64> = metrics.iter().map(|(n, _)| self.m.total(n)).collect();
        if form == Form::Compact {
            let items: Vec<_> = metrics
                .iter()
                .zip(&totals)
                .map(|((_, label), v)| (label.clone(), v.to_string(), t.strong()))
                .collect();
            self.compact(title, &items, y, buf);
            return;
        }
        self.title(title, "since the start", y, buf);
        let lw = (labels_width(metrics) + 2).min(c.width() as usize / 2) as u16;
        let nw = totals
            .iter()
            .map(|v| v.to_string().len())
            .max()
            .unwrap_or(1) as u16;
        let from = self.now.saturating_sub(RECENT);
        for (i, ((name, label), total)) in metrics.iter().zip(&totals).enumerate() {
            let row = y + 1 + i as u16;
            put_within(buf, c.x + 2, row, lw.saturating_sub(2), label, t.text());
            let x = c.x + lw + 1;
            let text = format!("{total:>w$}", w = nw as usize);
            let x = put_within(buf, x, row, c.right.saturating_sub(x), &text, t.strong());
            let lately = self
                .m
                .query(name, Stat::Count, from, self.now)
                .unwrap_or(0.0);
            if lately > 0.0 {
                let text = format!("  +{} in the last {}", lately as u64, text::instant(RECENT));
                put_within(buf, x, row, c.right.saturating_sub(x), &text, t.dim());
            }
        }
    }

    // ----- node tables -----

    /// The nodes that have at least one of `columns` among their facts.
    fn table_rows(&self, columns: &[&str]) -> Vec<&NodeView> {
        self.views
            .iter()
            .filter(|v| v.facts.iter().any(|(k, _)| columns.contains(k)))
            .collect()
    }

    fn table(&self, title: &str, columns: &[&'static str], form: Form, y: u16, buf: &mut Buffer) {
        let t = self.theme;
        let c = self.cols;
        let rows = self.table_rows(columns);
        let mut row = y;
        if form != Form::Compact {
            self.title(title, "", row, buf);
            row += 1;
        }
        if rows.is_empty() {
            if form != Form::Compact {
                put_within(
                    buf,
                    c.x + 2,
                    row,
                    c.width().saturating_sub(2),
                    "no node reports these",
                    t.dim(),
                );
            } else {
                self.compact(
                    title,
                    &[("".into(), "no node reports these".into(), t.dim())],
                    row,
                    buf,
                );
            }
            return;
        }
        // Cells: the node (health glyph and name), then each column's fact.
        let fact = |v: &NodeView, col: &str| -> Option<String> {
            v.facts
                .iter()
                .find(|(k, _)| *k == col)
                .map(|(_, s)| s.clone())
        };
        let name_w = rows.iter().map(|v| text::width(&v.name)).max().unwrap_or(1) + 2;
        let mut widths = Vec::with_capacity(columns.len());
        for col in columns {
            let w = rows
                .iter()
                .filter_map(|v| fact(v, col))
                .map(|s| text::width(&s))
                .chain([text::width(col)])
                .max()
                .unwrap_or(1);
            widths.push(w.min(30));
        }
        // Columns that fit, in order; the rest are counted in the header.
        let avail = c.width() as usize;
        let mut used = name_w.min(avail);
        let mut fit = 0;
        for w in &widths {
            if used + 2 + w > avail {
                break;
            }
            used += 2 + w;
            fit += 1;
        }
        let x0 = c.x;
        let mut x = x0 + name_w as u16 + 2;
        for (col, w) in columns.iter().zip(&widths).take(fit) {
            put_within(buf, x, row, *w as u16, col, t.title());
            x += *w as u16 + 2;
        }
        if fit < columns.len() {
            let text = format!("+{} col", columns.len() - fit);
            put_within(buf, x, row, c.right.saturating_sub(x), &text, t.dim());
        }
        row += 1;
        for v in rows {
            let selected = v.id == self.selected;
            let glyph = Theme::health_glyph(v.health);
            let mut x = put_within(buf, x0, row, 2, glyph, t.health(v.health));
            x = x.max(x0 + 2);
            let name_style = if selected { t.selected() } else { t.strong() };
            put_within(buf, x, row, name_w as u16, &v.name, name_style);
            let mut x = x0 + name_w as u16 + 2;
            for (col, w) in columns.iter().zip(&widths).take(fit) {
                match fact(v, col) {
                    Some(s) => put_within(buf, x, row, *w as u16, &s, t.text()),
                    None => put_within(buf, x, row, *w as u16, "·", t.dim()),
                };
                x += *w as u16 + 2;
            }
            row += 1;
        }
    }

    // ----- the time axis -----

    fn draw_axis(&self, y: u16, buf: &mut Buffer) {
        let t = self.theme;
        let c = self.cols;
        let w = self.win;
        if w.cells == 0 {
            return;
        }
        let x0 = c.chart_x();
        let end = x0 + c.cw;
        for x in x0..end {
            put_within(buf, x, y, 1, "─", t.dim());
        }
        // Now, then ticks at round times that keep clear of it and of each other.
        let col = |at: Time| x0 + (((at - w.from).0 / w.cell.0) as u16).min(c.cw - 1);
        let now_col = (w.now < w.to()).then(|| col(w.now));
        if let Some(x) = now_col {
            put_within(buf, x, y, 1, "▲", t.strong());
        }
        let span = (w.to() - w.from).0;
        let most = (c.cw as u64 / 9).max(1);
        let step = TICKS
            .iter()
            .map(|s| s * 1_000_000)
            .find(|s| span / s <= most)
            .unwrap_or(span.max(1));
        let mut at = w.from.0.div_ceil(step) * step;
        let mut free = x0;
        while at <= w.to().0 {
            let text = text::tick_label(Time(at));
            let tw = text::width(&text) as u16;
            let lx = col(Time(at))
                .saturating_sub(tw / 2)
                .clamp(x0, end.saturating_sub(tw).max(x0));
            let hides_now = now_col.is_some_and(|n| n + 1 >= lx && n <= lx + tw);
            if lx >= free && !hides_now {
                put_within(buf, lx, y, end.saturating_sub(lx), &text, t.dim());
                free = lx + tw + 1;
            }
            at += step;
        }
        put_within(buf, c.x, y, c.lw, "time", t.dim());
        put_within(buf, c.value_x(), y, c.vw, "now", t.dim());
    }
}

/// The style of the `i`-th series of a panel: colours that say nothing good
/// or bad, since the panel does not say which series is which.
fn series_style(theme: &Theme, i: usize) -> Style {
    theme.series(i + 3)
}

/// Per cell of `win`, the state to show: the one the cell spent most time
/// in, preferring any state other than `base`, so a short excursion stays
/// visible however long a cell is. `None` for cells with no data yet.
fn timeline_cells(
    points: &[(Time, f64)],
    n_states: usize,
    base: usize,
    state_of: &dyn Fn(f64) -> usize,
    win: &Window,
) -> Vec<Option<usize>> {
    let mut out = vec![None; win.cells];
    let mut idx = points.partition_point(|p| p.0 <= win.from);
    let mut cur = idx.checked_sub(1).map(|i| state_of(points[i].1));
    let mut spent = vec![0u64; n_states + 1];
    let mut seen = vec![false; n_states + 1];
    for (i, slot) in out.iter_mut().enumerate() {
        let Some((start, end)) = win.past(i) else {
            break;
        };
        spent.iter_mut().for_each(|d| *d = 0);
        seen.iter_mut().for_each(|s| *s = false);
        let mut at = start;
        if let Some(s) = cur {
            seen[s] = true;
        }
        while idx < points.len() && points[idx].0 < end {
            if let Some(s) = cur {
                spent[s] += (points[idx].0 - at).0;
            }
            let s = state_of(points[idx].1);
            seen[s] = true;
            cur = Some(s);
            at = points[idx].0.max(start);
            idx += 1;
        }
        if let Some(s) = cur {
            spent[s] += (end - at).0;
        }
        // A state held for no time at all (set and replaced in one instant) is no state.
        let others = (0..=n_states)
            .filter(|&s| s != base && seen[s] && spent[s] > 0)
            .max_by_key(|&s| (spent[s], s));
        *slot = others.or(seen[base].then_some(base));
    }
    out
}

/// Per cell of `win`, the highest value the gauge held in it.
fn gauge_cells(points: &[(Time, f64)], win: &Window) -> Vec<Option<f64>> {
    let mut out = vec![None; win.cells];
    let mut idx = points.partition_point(|p| p.0 <= win.from);
    let mut cur = idx.checked_sub(1).map(|i| points[i].1);
    for (i, slot) in out.iter_mut().enumerate() {
        let Some((_, end)) = win.past(i) else {
            break;
        };
        let mut high = cur;
        while idx < points.len() && points[idx].0 < end {
            let v = points[idx].1;
            high = Some(high.map_or(v, |h: f64| h.max(v)));
            cur = Some(v);
            idx += 1;
        }
        *slot = high;
    }
    out
}

/// Per cell of `win`, the counter's rate per second in it (so far, for the
/// cell that holds now).
fn rate_cells(buckets: &[u64], win: &Window) -> Vec<Option<f64>> {
    let mut out = vec![None; win.cells];
    for (i, slot) in out.iter_mut().enumerate() {
        let Some((start, end)) = win.past(i) else {
            break;
        };
        let lo = (start.0 / BUCKET.0) as usize;
        let hi = (end.0.div_ceil(BUCKET.0) as usize).max(lo + 1);
        let sum: u64 = buckets
            .get(lo.min(buckets.len())..hi.min(buckets.len()))
            .unwrap_or(&[])
            .iter()
            .sum();
        let secs = (hi - lo) as f64 * BUCKET.as_secs_f64();
        *slot = Some(sum as f64 / secs);
    }
    out
}

/// p50, p99 and maximum of the samples in `[from, to)`.
fn recent_quantiles(samples: &[(Time, u64)], from: Time, to: Time) -> Option<[u64; 3]> {
    let lo = samples.partition_point(|s| s.0 < from);
    let hi = samples.partition_point(|s| s.0 < to.max(from) + Time(1));
    let mut values: Vec<u64> = samples.get(lo..hi)?.iter().map(|s| s.1).collect();
    if values.is_empty() {
        return None;
    }
    let max = values.iter().copied().max().unwrap_or(0);
    let p99 = quantile(&mut values, 0.99);
    let p50 = quantile(&mut values, 0.50);
    Some([p50, p99, max])
}

/// A sparkline `rows` lines tall from (x, y) down, one cell per value.
fn spark(
    buf: &mut Buffer,
    x: u16,
    y: u16,
    rows: u16,
    values: &[Option<f64>],
    max: f64,
    style: Style,
) {
    let rows = rows.max(1);
    let levels = 8 * rows as usize;
    for (i, v) in values.iter().enumerate() {
        let Some(v) = *v else { continue };
        if v <= 0.0 || max <= 0.0 {
            continue;
        }
        let level = ((v / max).min(1.0) * levels as f64).round().max(1.0) as usize;
        for r in 0..rows {
            // Row r counts from the top; its share is the eighths above those below it.
            let below = (rows - 1 - r) as usize * 8;
            let here = level.saturating_sub(below).min(8);
            if here > 0 {
                put_within(buf, x + i as u16, y + r, 1, SPARK[here], style);
            }
        }
    }
}

/// A horizontal bar `w` cells wide filled to `frac`, in eighths.
fn bar(buf: &mut Buffer, x: u16, y: u16, w: u16, frac: f64, style: Style, track: Style) {
    const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    let eighths = (frac.clamp(0.0, 1.0) * w as f64 * 8.0).round() as u16;
    for i in 0..w {
        let filled = eighths.saturating_sub(i * 8).min(8);
        let (g, st) = match filled {
            8 => ("█", style),
            0 => ("·", track),
            n => (PARTS[n as usize], style),
        };
        put_within(buf, x + i, y, 1, g, st);
    }
}

/// Spacings of the time axis's labels, in seconds.
const TICKS: [u64; 12] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600];

#[cfg(test)]
mod tests {
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
    fn what_does_not_fit_is_counted() {
        let s = session("flaky-dependency", &[], 43);
        let out = text(&s, 60, 6);
        assert!(out.contains("more (zoom with z)"), "{out}");
        let tall = text(&s, 120, 60);
        assert!(!tall.contains("more (zoom"), "{tall}");
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

    #[test]
    fn windows_cover_the_lesson_then_scroll() {
        let w = Window::new(Time::secs(30), Time::secs(180), 60);
        assert_eq!(w.from, Time::ZERO);
        assert_eq!(w.cell, Time::secs(3));
        assert!(w.past(10).is_none());
        let w = Window::new(Time::secs(200), Time::secs(180), 60);
        assert_eq!(w.to(), Time::secs(201));
        assert_eq!(w.from, Time::secs(21));
    }

    #[test]
    fn short_excursions_show_in_long_cells() {
        let points = [
            (Time::ZERO, 0.0),
            (Time::millis(1500), 2.0),
            (Time::millis(1600), 0.0),
        ];
        let win = Window::new(Time::secs(4), Time::secs(4), 2);
        let state_of = |v: f64| v as usize;
        let cells = timeline_cells(&points, 3, 0, &state_of, &win);
        assert_eq!(cells, vec![Some(2), Some(0)]);
    }
}
