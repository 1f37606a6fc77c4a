//! Chart primitives of the metrics pane: sparklines, bars, and the colours
//! of a panel's series.

use crate::ui::text::put_within;
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::style::Style;

/// Sparkline levels, from nothing to a full cell.
const SPARK: [&str; 9] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

/// The style of the `i`-th series of a panel: colours that say nothing good
/// or bad, since the panel does not say which series is which.
pub(super) fn series_style(theme: &Theme, i: usize) -> Style {
    theme.series(i + 3)
}

/// A sparkline `rows` lines tall from (x, y) down, one cell per value.
pub(super) fn spark(
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
pub(super) fn bar(buf: &mut Buffer, x: u16, y: u16, w: u16, frac: f64, style: Style, track: Style) {
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
