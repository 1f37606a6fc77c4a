//! Several screens as one animated picture that loops.
//!
//! Consecutive screens share most of what they show, so each element (a
//! background rectangle or a run of text, at its place) is written once.
//! Elements shown in the same frames are gathered into a group, and a CSS
//! animation makes the group opaque in those frames only; an element in
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

/// Most frames an animation may have.
pub const MAX_FRAMES: usize = 2000;

/// `frames` shown one after the other, each for `seconds`, over and over.
/// They must all have the size of the first, and be at most [`MAX_FRAMES`].
pub fn animated(frames: &[Buffer], seconds: f64) -> String {
    let Some(first) = frames.first() else {
        return super::still(&Buffer::empty(Default::default()));
    };
    let frames = &frames[..frames.len().min(MAX_FRAMES)];
    let n = frames.len();
    let words = n.div_ceil(64);
    let mut all: Vec<Element> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (k, buf) in frames.iter().enumerate() {
        debug_assert_eq!(
            buf.area, first.area,
            "every frame has the size of the first"
        );
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
            if bits == 64 {
                u64::MAX
            } else {
                (1 << bits) - 1
            }
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
        ".a{{opacity:0;animation-duration:{}s;animation-timing-function:step-end;animation-iteration-count:infinite}}.v{{opacity:1}}\n",
        number(total, 2)
    );
    // Keyframes to a tenth of a frame: enough to keep every frame its time.
    let decimals = (0..4)
        .find(|d| 10f64.powi(-d) <= 10.0 / n as f64)
        .unwrap_or(4) as usize;
    let pct = |k: usize| number(k as f64 * 100.0 / n as f64, decimals);
    let mut size = vec![0usize; groups.len()];
    for g in member.iter().flatten() {
        size[*g] += 1;
    }
    // Each group has an animation of its own, every frame's start written
    // the same way in all of them, so that all groups change at exactly the
    // same instants and no two frames ever show at once. A group of one
    // element is no group: the element takes the animation itself.
    for (g, frames) in groups.iter().enumerate() {
        let on = |k: usize| frames[k / 64] & (1 << (k % 64)) != 0;
        // The frames where it appears, then those where it goes.
        let mut shown = Vec::new();
        let mut hidden = Vec::new();
        for k in (0..n).filter(|&k| k == 0 || on(k) != on(k - 1)) {
            if on(k) { &mut shown } else { &mut hidden }.push(format!("{}%", pct(k)));
        }
        if on(n - 1) { &mut shown } else { &mut hidden }.push("100%".into());
        let name = base36(g);
        if size[g] > 1 {
            let _ = write!(css, ".g{name}{{animation-name:k{name}}}");
        }
        let _ = write!(css, "@keyframes k{name}{{");
        if !shown.is_empty() {
            let _ = write!(css, "{}{{opacity:1}}", shown.join(","));
        }
        if !hidden.is_empty() {
            let _ = write!(css, "{}{{opacity:0}}", hidden.join(","));
        }
        let _ = writeln!(css, "}}");
    }
    // Per layer (rectangles, then text): the elements in every frame, then
    // each group's.
    let mut layers = [
        vec![Vec::new(); groups.len() + 1],
        vec![Vec::new(); groups.len() + 1],
    ];
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
            let Some(g) = slot.checked_sub(1) else {
                for m in markups {
                    s.push_str(m);
                    s.push('\n');
                }
                continue;
            };
            if markups.is_empty() {
                continue;
            }
            let first_frame = if groups[g][0] & 1 != 0 { " v" } else { "" };
            let name = base36(g);
            if size[g] == 1 {
                s.push_str(&animate(markups[0], &format!("a{first_frame}"), &name));
                s.push('\n');
                continue;
            }
            let _ = writeln!(s, r#"<g class="a g{name}{first_frame}">"#);
            for m in markups {
                s.push_str(m);
                s.push('\n');
            }
            s.push_str("</g>\n");
        }
        if l == 0 {
            s.push_str("</g>\n");
        }
    }
    s.push_str("</svg>\n");
    s
}

/// A number with at most `decimals` decimals and no trailing zeros.
fn number(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A short name for group `i`.
fn base36(mut i: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[i % 36]);
        i /= 36;
        if i == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII digits")
}

/// `markup` (one of our elements) with the classes `classes` added and
/// animation `k{name}` of its own.
fn animate(markup: &str, classes: &str, name: &str) -> String {
    let tag_end = markup.find('>').unwrap_or(markup.len());
    let style = format!(r#" style="animation-name:k{name}""#);
    match markup[..tag_end].find(r#" class=""#) {
        Some(at) => {
            let at = at + r#" class=""#.len();
            format!("{}{classes} {}", &markup[..at], &markup[at..]).replacen(
                " class=",
                &format!("{style} class="),
                1,
            )
        }
        None => {
            let space = markup.find(' ').unwrap_or(tag_end);
            format!(
                r#"{} class="{classes}"{style}{}"#,
                &markup[..space],
                &markup[space..]
            )
        }
    }
}
