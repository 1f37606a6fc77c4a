//! Several screens as one animated picture that loops.
//!
//! Consecutive screens share most of what they show, so each element (a
//! background rectangle or a run of text, at its place) is written once.
//! Elements shown in the same frames are gathered into a group, and a CSS
//! animation per group makes it visible in those frames only; an element in
//! every frame needs none. Without CSS animations the first frame shows.

use super::{Elements, elements, head};
use ratatui::buffer::Buffer;
use std::collections::HashMap;
use std::fmt::Write;

/// Which frames an element is in, one bit per frame.
type Frames = Vec<u64>;

struct Element {
    markup: String,
    rect: bool,
    frames: Frames,
}

/// `frames` shown one after the other, each for `seconds`, over and over.
/// They must all have the size of the first.
pub fn animated(frames: &[Buffer], seconds: f64) -> String {
    let Some(first) = frames.first() else {
        return super::still(&Buffer::empty(Default::default()));
    };
    let n = frames.len();
    let words = n.div_ceil(64);
    let mut all: Vec<Element> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (k, buf) in frames.iter().enumerate() {
        debug_assert_eq!(buf.area, first.area, "every frame has the size of the first");
        let Elements { rects, texts } = elements(buf);
        let tagged = rects
            .into_iter()
            .map(|m| (m, true))
            .chain(texts.into_iter().map(|m| (m, false)));
        for (markup, rect) in tagged {
            let i = *index.entry(markup.clone()).or_insert_with(|| {
                all.push(Element {
                    markup,
                    rect,
                    frames: vec![0; words],
                });
                all.len() - 1
            });
            all[i].frames[k / 64] |= 1 << (k % 64);
        }
    }
    let every: Frames = (0..words)
        .map(|w| {
            let bits = (n - w * 64).min(64);
            if bits == 64 { u64::MAX } else { (1 << bits) - 1 }
        })
        .collect();
    // Groups in the order their first element appeared.
    let mut groups: Vec<&Frames> = Vec::new();
    let mut group_of: HashMap<&Frames, usize> = HashMap::new();
    let mut member: Vec<Option<usize>> = Vec::with_capacity(all.len());
    for e in &all {
        if e.frames == every {
            member.push(None);
            continue;
        }
        let g = *group_of.entry(&e.frames).or_insert_with(|| {
            groups.push(&e.frames);
            groups.len() - 1
        });
        member.push(Some(g));
    }
    let total = seconds * n as f64;
    let mut css = format!(
        ".a{{visibility:hidden;animation-duration:{}s;animation-timing-function:step-end;animation-iteration-count:infinite}}.v{{visibility:visible}}\n",
        number(total)
    );
    for (g, frames) in groups.iter().enumerate() {
        let on = |k: usize| frames[k / 64] & (1 << (k % 64)) != 0;
        let state = |v: bool| if v { "visible" } else { "hidden" };
        let _ = write!(css, ".a{g}{{animation-name:k{g}}}@keyframes k{g}{{");
        let _ = write!(css, "0%{{visibility:{}}}", state(on(0)));
        for k in 1..n {
            if on(k) != on(k - 1) {
                let pct = k as f64 * 100.0 / n as f64;
                let _ = write!(css, "{}%{{visibility:{}}}", number(pct), state(on(k)));
            }
        }
        let _ = writeln!(css, "100%{{visibility:{}}}}}", state(on(n - 1)));
    }
    // Per layer (rectangles, then text): the elements in every frame, then
    // each group's.
    let mut layers = [vec![Vec::new(); groups.len() + 1], vec![Vec::new(); groups.len() + 1]];
    for (e, m) in all.iter().zip(&member) {
        let layer = &mut layers[usize::from(!e.rect)];
        layer[m.map_or(0, |g| g + 1)].push(e.markup.as_str());
    }
    let mut s = head(first.area.width, first.area.height, &css);
    for (l, layer) in layers.iter().enumerate() {
        if l == 0 {
            s.push_str("<g shape-rendering=\"crispEdges\">\n");
        }
        for (slot, markups) in layer.iter().enumerate() {
            if markups.is_empty() {
                continue;
            }
            if let Some(g) = slot.checked_sub(1) {
                let shown_first = groups[g][0] & 1 != 0;
                let _ = writeln!(
                    s,
                    r#"<g class="a a{g}{}">"#,
                    if shown_first { " v" } else { "" }
                );
            }
            for m in markups {
                s.push_str(m);
                s.push('\n');
            }
            if slot > 0 {
                s.push_str("</g>\n");
            }
        }
        if l == 0 {
            s.push_str("</g>\n");
        }
    }
    s.push_str("</svg>\n");
    s
}

/// A number with at most three decimals and no trailing zeros.
fn number(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}
