//! How the panels share the pane's height: each rich (taller charts when
//! there is room to spare) or compact, and how many fit at all.

use super::panel::{DrawCx, PanelDraw};

/// How much room a panel takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Form {
    /// One line (a node table: one line per node).
    Compact,
    /// A title line and one row of `rows` lines per series.
    Rich { rows: u16 },
}

pub(super) struct Plan {
    pub forms: Vec<Form>,
    /// Panels drawn, from the first.
    pub shown: usize,
    /// Whether the time axis is drawn under them.
    pub axis: bool,
}

/// Picks each panel's form so that as much as possible fits in `height` rows.
pub(super) fn plan(cx: &DrawCx, panels: &[Box<dyn PanelDraw + '_>], height: u16) -> Plan {
    let avail = height as usize;
    let total = |forms: &[Form]| -> usize {
        panels
            .iter()
            .zip(forms)
            .map(|(p, f)| p.height(cx, *f) as usize)
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
        for i in (0..panels.len()).rev() {
            if total(&forms) <= avail {
                break;
            }
            if panels[i].can_compact() {
                forms[i] = Form::Compact;
            }
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
        // (Each panel is asked about the first panel's form.)
        let axis = charts && used < avail && panels.iter().any(|p| p.charts(forms[0]));
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
        let h = p.height(cx, *f) as usize;
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
