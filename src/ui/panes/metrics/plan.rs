//! How the panels share the pane's height: each rich (taller charts when
//! there is room to spare) or compact, and how many of its rows are shown.
//! The headline panels (those that first show a metric of the scenario's
//! headline) get room first: the others turn compact before them, and when
//! even compact not everything fits, the headline panels are shown whole
//! and the others share what is left, the last one partly.

use super::panel::{DrawCx, PanelDraw};

/// How much room a panel takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Form {
    /// One line, or more when its items wrap (a node table: one line per node).
    Compact,
    /// A title line and one row of `rows` lines per series.
    Rich { rows: u16 },
}

pub(super) struct Plan {
    pub forms: Vec<Form>,
    /// How many of each panel's rows are drawn, from its top: its height,
    /// fewer (a partial panel), or none.
    pub rows: Vec<u16>,
    /// Whether the time axis is drawn under them.
    pub axis: bool,
}

/// Picks each panel's form so that as much as possible fits in `height`
/// rows, headline panels (`headline[i]`) first.
pub(super) fn plan(
    cx: &DrawCx,
    panels: &[Box<dyn PanelDraw + '_>],
    headline: &[bool],
    height: u16,
) -> Plan {
    let avail = height as usize;
    // A compact panel's height is measured by drawing it, so once each.
    let compact: Vec<u16> = panels
        .iter()
        .zip(headline)
        .map(|(p, &wraps)| {
            cx.wrap.set(wraps);
            p.height(cx, Form::Compact)
        })
        .collect();
    let height_of = |i: usize, form: Form| -> u16 {
        match form {
            Form::Compact => compact[i],
            rich => panels[i].height(cx, rich),
        }
    };
    let total = |forms: &[Form]| -> usize {
        forms
            .iter()
            .enumerate()
            .map(|(i, f)| height_of(i, *f) as usize)
            .sum()
    };
    let charts = cx.cols.cw > 0;
    let rich_ok = cx.cols.cw >= 4;
    let mut forms: Vec<Form> = panels
        .iter()
        .map(|p| {
            if rich_ok || !p.can_compact() {
                Form::Rich { rows: 1 }
            } else {
                Form::Compact
            }
        })
        .collect();
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
        // Compact from the last up: the other panels, then the headline's.
        for first in [false, true] {
            for i in (0..panels.len()).rev() {
                if total(&forms) <= avail {
                    break;
                }
                if headline[i] == first && panels[i].can_compact() {
                    forms[i] = Form::Compact;
                }
            }
        }
        // Room left over (a tall panel went compact to make room for short
        // ones): give it back to the compact panels that fit, headline
        // first, then first first, keeping a line for the time axis.
        if rich_ok {
            for first in [true, false] {
                for i in 0..panels.len() {
                    if headline[i] == first && forms[i] == Form::Compact {
                        forms[i] = Form::Rich { rows: 1 };
                        if total(&forms) >= avail {
                            forms[i] = Form::Compact;
                        }
                    }
                }
            }
        }
    }
    let heights: Vec<u16> = (0..panels.len()).map(|i| height_of(i, forms[i])).collect();
    let used = total(&forms);
    if used <= avail {
        // (Each panel is asked about the first panel's form.)
        let axis = charts && used < avail && panels.iter().any(|p| p.charts(forms[0]));
        return Plan {
            forms,
            rows: heights,
            axis,
        };
    }
    // Even compact, not everything fits: the headline panels first, then
    // the others in order, each as much of it as fits.
    let mut rows = vec![0; panels.len()];
    let mut left = height;
    for first in [true, false] {
        for i in 0..panels.len() {
            if headline[i] == first {
                rows[i] = heights[i].min(left);
                left -= rows[i];
            }
        }
    }
    Plan {
        forms,
        rows,
        axis: false,
    }
}
