//! Latencies: histograms as p50, p99 and maximum over the last few seconds,
//! with a bar on a common scale; a rare event still shows its latest value.

use super::RECENT;
use super::chart::series_style;
use super::panel::{DrawCx, PanelDraw, labels_width, series_rows};
use super::plan::Form;
use super::window::recent_quantiles;
use crate::ui::text::{instant, latency, put_within};
use ratatui::buffer::Buffer;

/// Latency bar cells: up to p50, up to p99, up to the maximum.
const LAT_GLYPHS: [&str; 3] = ["█", "▓", "░"];

pub(super) struct Latencies<'a> {
    pub title: &'a str,
    pub metrics: &'a [(String, String)],
}

impl PanelDraw for Latencies<'_> {
    fn rich_height(&self, _cx: &DrawCx, _rows: u16) -> u16 {
        1 + series_rows(self.metrics)
    }

    fn draw(&self, cx: &DrawCx, form: Form, y: u16, buf: &mut Buffer) {
        let Self { title, metrics } = *self;
        let t = cx.theme;
        let c = cx.cols;
        let from = cx.now.saturating_sub(RECENT);
        let stats: Vec<Option<[u64; 3]>> = metrics
            .iter()
            .map(|(n, _)| recent_quantiles(cx.m, n, from, cx.now))
            .collect();
        if form == Form::Compact {
            let items: Vec<_> = metrics
                .iter()
                .zip(&stats)
                .map(|((name, label), s)| {
                    let v = match s {
                        Some(s) => format!("p99 {}", latency(s[1])),
                        None => match cx.m.last_sample(name) {
                            Some((_, v)) => format!("last {}", latency(v)),
                            None => "–".into(),
                        },
                    };
                    (label.clone(), v, t.strong())
                })
                .collect();
            cx.compact(title, &items, y, buf);
            return;
        }
        let note = format!(
            "last {}: p50, p99, max   {} p50 {} p99 {} max",
            instant(RECENT),
            LAT_GLYPHS[0],
            LAT_GLYPHS[1],
            LAT_GLYPHS[2]
        );
        cx.title(title, &note, y, buf);
        let scale = stats.iter().flatten().map(|s| s[2]).max().unwrap_or(0);
        let lw = (labels_width(metrics) + 2).min(c.width() as usize / 3) as u16;
        for (i, ((name, label), s)) in metrics.iter().zip(&stats).enumerate() {
            let row = y + 1 + i as u16;
            put_within(buf, c.x + 2, row, lw.saturating_sub(2), label, t.text());
            let x = c.x + lw + 1;
            let Some([p50, p99, max]) = *s else {
                // A rare event (a failover, say) still shows its latest value.
                let text = match cx.m.last_sample(name) {
                    Some((at, v)) => format!(
                        "latest {} at {}, none in the last {}",
                        latency(v),
                        instant(at),
                        instant(RECENT)
                    ),
                    None => "no samples yet".to_string(),
                };
                put_within(buf, x, row, c.right.saturating_sub(x), &text, t.dim());
                continue;
            };
            let mut x = x;
            for (name, v) in [("p50", p50), ("p99", p99), ("max", max)] {
                x = put_within(buf, x, row, c.right.saturating_sub(x), name, t.dim());
                let text = format!(" {:>6}  ", latency(v));
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
}
