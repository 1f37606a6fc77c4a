//! Charts as SVG, drawn with plotters: a sweep's table as lines over the
//! varied knob ([`sweep_chart`]), and a run's headline metrics over virtual
//! time ([`run_chart`]), the series the metrics pane shows. Both are white
//! pictures (readable on a light page and a dark one) and byte-identical
//! from run to run.

mod run;
mod sweep;

pub use run::run_chart;
pub use sweep::sweep_chart;

use plotters::style::RGBColor;

/// One colour per line, told apart also by their markers' order in the legend.
const SERIES: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(23, 190, 207),
    RGBColor(127, 127, 127),
];

fn colour(i: usize) -> RGBColor {
    SERIES[i % SERIES.len()]
}

/// The font of every label.
const FONT: &str = "sans-serif";

/// A plotters error as our text.
fn failed<E: std::fmt::Debug>(e: E) -> String {
    format!("cannot draw the chart: {e:?}")
}

/// A number for an axis: no more digits than it needs.
fn tick(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 100.0 || (a - a.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests;
