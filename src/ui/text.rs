//! Text for the screen, in one place: display width (in terminal cells, as
//! `unicode-width` counts them, which is how ratatui lays text out),
//! cutting text to a width, escaping it for the markdown renderer, and the
//! formatters of times and numbers, each named for what it is for.

use crate::sim::Time;
use ratatui::buffer::Buffer;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

// ----- width and cutting -----

/// Display width of `s` in terminal cells.
pub fn width(s: &str) -> usize {
    // Printable ASCII takes a cell a byte; that is most text, and quick to tell.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        s.len()
    } else {
        UnicodeWidthStr::width(s)
    }
}

/// Display width of one character (0 for control and combining characters).
pub fn char_width(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(0)
}

/// `s` cut to at most `max` cells, ending in `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    // No character takes more cells than it has bytes.
    if s.len() <= max || width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = char_width(c);
        if w + cw > max - 1 {
            break;
        }
        w += cw;
        out.push(c);
    }
    out.push('…');
    out
}

/// `line` cut to `max` cells, without a mark where it was cut.
pub fn clip_line(line: Line<'static>, max: usize) -> Line<'static> {
    let mut out = Vec::new();
    let mut left = max;
    for span in line.spans {
        let w = span.width();
        if w <= left {
            left -= w;
            out.push(span);
            continue;
        }
        let mut s = String::new();
        for c in span.content.chars() {
            let cw = char_width(c);
            if cw > left {
                break;
            }
            left -= cw;
            s.push(c);
        }
        if !s.is_empty() {
            out.push(Span::styled(s, span.style));
        }
        break;
    }
    Line::from(out)
}

/// Writes `text` at (x, y) within `w` cells (and the buffer), ending in `…`
/// when cut; returns the column after it.
pub fn put_within(buf: &mut Buffer, x: u16, y: u16, w: u16, text: &str, style: Style) -> u16 {
    let area = buf.area;
    if y < area.top() || y >= area.bottom() || x < area.left() || x >= area.right() || w == 0 {
        return x;
    }
    let w = w.min(area.right() - x);
    if width(text) <= w as usize {
        buf.set_stringn(x, y, text, w as usize, style).0
    } else {
        let (end, _) = buf.set_stringn(x, y, text, w as usize - 1, style);
        buf.set_stringn(end, y, "…", 1, style).0
    }
}

/// `text` with markdown's special characters escaped, so that the markdown
/// renderer shows it as written.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

// ----- times -----

/// The run's clock in the header, to the tenth of a second: `12.3s`.
pub fn clock_tenths(t: Time) -> String {
    let tenths = t.0 / 100_000;
    format!("{}.{}s", tenths / 10, tenths % 10)
}

/// An event's time in the log, to the millisecond: `20.013s`.
pub fn clock_millis(t: Time) -> String {
    format!("{}.{:03}s", t.0 / 1_000_000, t.0 / 1_000 % 1_000)
}

/// An instant or a span on the metrics pane, to the tenth of a second and
/// with minutes from a minute on: `0s`, `31.2s`, `2m05s`, `2m05.3s`.
pub fn instant(t: Time) -> String {
    let tenths = t.0 / 100_000;
    let (s, d) = (tenths / 10, tenths % 10);
    if s >= 60 {
        let (m, s) = (s / 60, s % 60);
        if d == 0 {
            format!("{m}m{s:02}s")
        } else {
            format!("{m}m{s:02}.{d}s")
        }
    } else if d == 0 {
        format!("{s}s")
    } else {
        format!("{s}.{d}s")
    }
}

/// A label of a time axis, in whole seconds: `0s`, `45s`, `2m`, `2m30s`.
pub fn tick_label(t: Time) -> String {
    let s = t.0 / 1_000_000;
    match (s / 60, s % 60) {
        (0, s) => format!("{s}s"),
        (m, 0) => format!("{m}m"),
        (m, s) => format!("{m}m{s:02}s"),
    }
}

/// A message's delay in the log: `850µs`, `1.2ms`, `35ms`, `10.0s`, and
/// tenths of a second however long.
pub fn delay(d: Time) -> String {
    let us = d.0;
    if us < 1_000 {
        format!("{us}µs")
    } else if us < 10_000 {
        format!("{:.1}ms", us as f64 / 1e3)
    } else if us < 1_000_000 {
        format!("{}ms", us / 1_000)
    } else {
        format!("{:.1}s", us as f64 / 1e6)
    }
}

/// A latency in microseconds on the metrics pane: like [`delay`], but whole
/// seconds from 100 s on, to stay short: `850µs`, `21ms`, `1.5s`, `95s`.
pub fn latency(us: u64) -> String {
    if us < 1_000 {
        format!("{us}µs")
    } else if us < 10_000 {
        format!("{:.1}ms", us as f64 / 1e3)
    } else if us < 1_000_000 {
        format!("{}ms", us / 1_000)
    } else if us < 100_000_000 {
        format!("{:.1}s", us as f64 / 1e6)
    } else {
        format!("{}s", us / 1_000_000)
    }
}

/// How long a lesson runs, in words, rounded up to the second: `3 min`,
/// `90 s`, `1 min 30 s`.
pub fn lesson_length(t: Time) -> String {
    let s = t.as_micros().div_ceil(1_000_000);
    match (s / 60, s % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

// ----- numbers -----

/// A gauge's value on the metrics pane, short: `12`, `3.5`, `1.2k`.
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 100_000.0 {
        format!("{v:.0}")
    } else if v.abs() < 10.0 {
        format!("{v:.1}")
    } else if v.abs() < 10_000.0 {
        format!("{v:.0}")
    } else {
        format!("{:.1}k", v / 1000.0)
    }
}

/// A rate per second: `48/s`, `0.4/s`, `1.2k/s`, `–` when unknown.
pub fn rate(r: Option<f64>) -> String {
    match r {
        None => "–".into(),
        Some(0.0) => "0/s".into(),
        Some(r) if r < 10.0 => format!("{r:.1}/s"),
        Some(r) if r < 10_000.0 => format!("{r:.0}/s"),
        Some(r) => format!("{:.1}k/s", r / 1000.0),
    }
}

/// A value in the headless report, exact where it is whole: `12`, `0.333`.
pub fn report_number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v}")
    } else {
        format!("{v:.3}")
    }
}

/// A factor on a node's label: `5` rather than `5.0`, `2.5` as it is.
pub fn factor(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e9 {
        format!("{}", x as i64)
    } else {
        format!("{x:.1}")
    }
}

/// A probability as a setting in the link editor, to the whole percent: `5%`.
pub fn percent(p: f64) -> String {
    format!("{}%", (p * 100.0).round())
}

/// A share of time, clamped to 0–100 %: `50%`.
pub fn share(share: f64) -> String {
    format!("{:.0}%", (share * 100.0).clamp(0.0, 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_marks_the_cut() {
        assert_eq!(truncate("hello world", 8), "hello w…");
        assert_eq!(truncate("hello", 8), "hello");
        assert_eq!(truncate("日本語", 4), "日…");
        assert_eq!(truncate("abc", 0), "");
    }

    #[test]
    fn widths_count_cells() {
        assert_eq!(width("n1 primary"), 10);
        assert_eq!(width("日本"), 4);
        assert_eq!(width("● ✖ ‖ ╳→ …"), 10);
        assert_eq!(char_width('語'), 2);
    }

    #[test]
    fn times_for_each_place() {
        let t = Time::millis(125_340);
        assert_eq!(clock_tenths(t), "125.3s");
        assert_eq!(clock_millis(t), "125.340s");
        assert_eq!(instant(t), "2m05.3s");
        assert_eq!(instant(Time::secs(31)), "31s");
        assert_eq!(tick_label(t), "2m05s");
        assert_eq!(tick_label(Time::secs(120)), "2m");
        assert_eq!(delay(Time::millis(1_200)), "1.2s");
        assert_eq!(delay(Time::secs(150)), "150.0s");
        assert_eq!(latency(150_000_000), "150s");
        assert_eq!(latency(850), "850µs");
        assert_eq!(lesson_length(Time::secs(90)), "1 min 30 s");
        assert_eq!(lesson_length(Time::millis(500)), "1 s");
    }

    #[test]
    fn numbers_for_each_place() {
        assert_eq!(number(12.0), "12");
        assert_eq!(number(3.5), "3.5");
        assert_eq!(number(123_456.0), "123.5k");
        assert_eq!(rate(Some(0.4)), "0.4/s");
        assert_eq!(rate(None), "–");
        assert_eq!(report_number(1.0 / 3.0), "0.333");
        assert_eq!(factor(10.0), "10");
        assert_eq!(percent(0.05), "5%");
        assert_eq!(share(1.5), "100%");
    }
}
