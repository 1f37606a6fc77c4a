//! Screens as SVG pictures that are a grid whatever the font. Every cell's
//! glyph is placed at its own column, backgrounds are cell rectangles, a
//! wide character takes its two cells, and bold never changes the advance;
//! so a glyph that a browser takes from a fallback font of another width
//! cannot move its neighbours, and pane borders stay straight.
//!
//! A `<text>` lists one `x` per character, or, for a run of cells whose
//! glyphs all come from one font (printable ASCII, which every monospace
//! font has, or one character repeated), gives its start and stretches it to
//! exactly its cells with `textLength` and `lengthAdjust="spacingAndGlyphs"`:
//! glyphs of one advance, scaled alike, land at their columns.
//!
//! The grid: column `c` starts at `x = c × CELL_WIDTH`, row `r` at
//! `y = r × LINE_HEIGHT`, and a row's text stands on the baseline
//! `r × LINE_HEIGHT + BASELINE`. The picture is the grid with a margin of
//! `MARGIN` all round (the view box starts at `-MARGIN`). Colours are the
//! sixteen of a VGA text screen, light grey on black by default, as CSS
//! classes `c0` to `c15`.
//!
//! One screen makes a still picture ([`still`]); several make an animation
//! ([`animated`]) in which each element is written once and shown in the
//! frames that have it.

mod anim;

pub use anim::{MAX_FRAMES, animated};

use crate::ui::text::width;
use ratatui::buffer::{Buffer, Cell};
use ratatui::style::{Color, Modifier};
use std::fmt::Write;

/// Width of one cell, in pixels: the advance of the font at [`FONT_SIZE`].
pub const CELL_WIDTH: u32 = 9;
/// Height of one row, in pixels.
pub const LINE_HEIGHT: u32 = 17;
/// Where the baseline of a row's text is, below the row's top.
pub const BASELINE: u32 = 13;
/// The font size, in pixels.
pub const FONT_SIZE: u32 = 15;
/// The empty border round the grid, in pixels.
pub const MARGIN: u32 = 10;

/// The fonts asked for, in order. Whatever the browser picks, and whichever
/// fallback it takes a glyph from, positions come from the grid.
const FONTS: &str = "SFMono-Regular,Consolas,'Liberation Mono',Menlo,'DejaVu Sans Mono',monospace";

/// The sixteen colours: black, red, green, yellow (brown), blue, magenta,
/// cyan, white (light grey), then their bright forms.
pub const PALETTE: [&str; 16] = [
    "#000000", "#AA0000", "#00AA00", "#AA5500", "#0000AA", "#AA00AA", "#00AAAA", "#AAAAAA",
    "#555555", "#FF5555", "#55FF55", "#FFFF55", "#5555FF", "#FF55FF", "#55FFFF", "#FFFFFF",
];
/// The default foreground (light grey) and background (black).
const FG: Paint = Paint::Ansi(7);
const BG: Paint = Paint::Ansi(0);

/// A colour as drawn: one of the sixteen, or any other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Paint {
    Ansi(u8),
    Rgb(u8, u8, u8),
}

impl Paint {
    /// `None` for the terminal's default colour.
    fn of(c: Color) -> Option<Paint> {
        Some(match c {
            Color::Reset => return None,
            Color::Black => Paint::Ansi(0),
            Color::Red => Paint::Ansi(1),
            Color::Green => Paint::Ansi(2),
            Color::Yellow => Paint::Ansi(3),
            Color::Blue => Paint::Ansi(4),
            Color::Magenta => Paint::Ansi(5),
            Color::Cyan => Paint::Ansi(6),
            Color::Gray => Paint::Ansi(7),
            Color::DarkGray => Paint::Ansi(8),
            Color::LightRed => Paint::Ansi(9),
            Color::LightGreen => Paint::Ansi(10),
            Color::LightYellow => Paint::Ansi(11),
            Color::LightBlue => Paint::Ansi(12),
            Color::LightMagenta => Paint::Ansi(13),
            Color::LightCyan => Paint::Ansi(14),
            Color::White => Paint::Ansi(15),
            Color::Indexed(i) if i < 16 => Paint::Ansi(i),
            Color::Indexed(i) => xterm_256(i),
            Color::Rgb(r, g, b) => Paint::Rgb(r, g, b),
        })
    }

    /// The attribute that paints an element: a palette class or a fill.
    fn attr(self, classes: &mut Vec<String>, fill: &mut Option<String>) {
        match self {
            Paint::Ansi(i) => classes.push(format!("c{i}")),
            Paint::Rgb(r, g, b) => *fill = Some(format!("#{r:02X}{g:02X}{b:02X}")),
        }
    }
}

/// Colours 16 to 255 of the xterm palette: a 6×6×6 cube, then 24 greys.
fn xterm_256(i: u8) -> Paint {
    if i >= 232 {
        let v = 8 + (i - 232) * 10;
        return Paint::Rgb(v, v, v);
    }
    let i = i - 16;
    let level = |n: u8| if n == 0 { 0 } else { 55 + n * 40 };
    Paint::Rgb(level(i / 36), level(i / 6 % 6), level(i % 6))
}

/// How a cell's text is drawn; a run of text shares one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Ink {
    fg: Paint,
    modifier: Modifier,
}

/// Modifiers that change how text looks.
const INK: Modifier = Modifier::BOLD
    .union(Modifier::DIM)
    .union(Modifier::ITALIC)
    .union(Modifier::UNDERLINED)
    .union(Modifier::CROSSED_OUT);

/// A cell's colours once reversing is applied.
fn colours(cell: &Cell) -> (Paint, Paint) {
    let fg = Paint::of(cell.fg).unwrap_or(FG);
    let bg = Paint::of(cell.bg).unwrap_or(BG);
    if cell.modifier.contains(Modifier::REVERSED) {
        (bg, fg)
    } else {
        (fg, bg)
    }
}

/// One cell's glyph: where it starts, what it is, how wide.
struct Glyph<'a> {
    col: u16,
    symbol: &'a str,
    ink: Ink,
}

impl Glyph<'_> {
    /// The last column the glyph covers.
    fn end(&self) -> u16 {
        self.col + (width(self.symbol).max(1) as u16) - 1
    }
}

/// The elements of one screen: background rectangles and runs of text, each
/// as its markup, in drawing order.
#[derive(Debug, Default)]
pub(super) struct Elements {
    pub rects: Vec<String>,
    pub texts: Vec<String>,
}

/// Every element of `buf`.
pub(super) fn elements(buf: &Buffer) -> Elements {
    let area = buf.area;
    let mut out = Elements::default();
    for y in area.top()..area.bottom() {
        let row = y - area.top();
        let mut glyphs: Vec<Glyph> = Vec::new();
        // A run of cells with the same background: (first column, cells, paint).
        let mut fill: Option<(u16, u16, Paint)> = None;
        let mut x = area.left();
        while x < area.right() {
            let cell = &buf[(x, y)];
            let col = x - area.left();
            let symbol = cell.symbol();
            let cells = (width(symbol).max(1) as u16).min(area.right() - x);
            let (fg, bg) = colours(cell);
            match &mut fill {
                Some((_, n, p)) if *p == bg => *n += cells,
                _ => {
                    if let Some(f) = fill.take() {
                        push_rect(&mut out.rects, row, f);
                    }
                    fill = (bg != BG).then_some((col, cells, bg));
                }
            }
            let ink = Ink {
                fg,
                modifier: cell.modifier & INK,
            };
            let seen = !cell.modifier.contains(Modifier::HIDDEN)
                && (!symbol.trim().is_empty()
                    || ink
                        .modifier
                        .intersects(Modifier::UNDERLINED | Modifier::CROSSED_OUT));
            if seen {
                glyphs.push(Glyph { col, symbol, ink });
            }
            x += cells;
        }
        if let Some(f) = fill.take() {
            push_rect(&mut out.rects, row, f);
        }
        push_runs(&mut out.texts, row, &glyphs);
    }
    out
}

fn push_rect(rects: &mut Vec<String>, row: u16, (col, cells, paint): (u16, u16, Paint)) {
    let mut classes = Vec::new();
    let mut fill = None;
    paint.attr(&mut classes, &mut fill);
    let mut s = format!(
        r#"<rect x="{}" y="{}" width="{}" height="{LINE_HEIGHT}""#,
        u32::from(col) * CELL_WIDTH,
        u32::from(row) * LINE_HEIGHT,
        u32::from(cells) * CELL_WIDTH,
    );
    paint_attrs(&mut s, &classes, fill.as_deref());
    s.push_str("/>");
    rects.push(s);
}

fn paint_attrs(s: &mut String, classes: &[String], fill: Option<&str>) {
    if !classes.is_empty() {
        let _ = write!(s, r#" class="{}""#, classes.join(" "));
    }
    if let Some(f) = fill {
        let _ = write!(s, r#" fill="{f}""#);
    }
}

/// The row's glyphs as runs of text: one run per stretch of the same ink,
/// broken where two or more blank cells fall between glyphs. A cell whose
/// symbol is more than one character (a letter and its accent) is a run of
/// its own, placed by its first character.
fn push_runs(texts: &mut Vec<String>, row: u16, glyphs: &[Glyph]) {
    let mut i = 0;
    while i < glyphs.len() {
        let ink = glyphs[i].ink;
        let mut j = i + 1;
        if glyphs[i].symbol.chars().count() == 1 {
            while j < glyphs.len()
                && glyphs[j].ink == ink
                && glyphs[j].col <= glyphs[j - 1].end() + 2
                && glyphs[j].symbol.chars().count() == 1
            {
                j += 1;
            }
        }
        texts.push(run(row, &glyphs[i..j]));
        i = j;
    }
}

fn run(row: u16, glyphs: &[Glyph]) -> String {
    let mut xs = String::new();
    let mut text = String::new();
    // Each character of the run and its column.
    let mut chars: Vec<(u16, char)> = Vec::new();
    let mut last: Option<u16> = None;
    for g in glyphs {
        // A single blank cell between two glyphs of the run is kept, so the
        // words of a line read as words.
        if let Some(prev) = last
            && g.col == prev + 2
        {
            let _ = write!(xs, " {}", u32::from(prev + 1) * CELL_WIDTH);
            text.push(' ');
            chars.push((prev + 1, ' '));
        }
        if !xs.is_empty() {
            xs.push(' ');
        }
        let _ = write!(xs, "{}", u32::from(g.col) * CELL_WIDTH);
        escape_into(&mut text, g.symbol);
        chars.extend(g.symbol.chars().map(|c| (g.col, c)));
        last = Some(g.end());
    }
    let mut place = format!(r#"x="{xs}""#);
    // A run of cells in a row that all come from one font, because they are
    // printable ASCII (which every monospace font has) or all the same
    // character, has glyphs of one advance: stretched to its cells'
    // width, each glyph lands at its column. Written so when shorter.
    let (start, first) = chars[0];
    let contiguous = chars
        .iter()
        .enumerate()
        .all(|(i, (col, _))| usize::from(*col) == usize::from(start) + i);
    let ascii = chars.iter().all(|(_, c)| *c == ' ' || c.is_ascii_graphic());
    let same = chars.iter().all(|(_, c)| *c == first) && width(&first.to_string()) == 1;
    if chars.len() >= 2 && contiguous && (ascii || same) {
        let fixed = format!(
            r#"x="{}" textLength="{}" lengthAdjust="spacingAndGlyphs""#,
            u32::from(start) * CELL_WIDTH,
            chars.len() as u32 * CELL_WIDTH
        );
        if fixed.len() < place.len() {
            place = fixed;
        }
    }
    let ink = glyphs[0].ink;
    let mut classes = Vec::new();
    let mut fill = None;
    if ink.fg != FG {
        ink.fg.attr(&mut classes, &mut fill);
    }
    for (m, class) in [
        (Modifier::BOLD, "b"),
        (Modifier::DIM, "d"),
        (Modifier::ITALIC, "i"),
        (Modifier::UNDERLINED, "u"),
        (Modifier::CROSSED_OUT, "s"),
    ] {
        if ink.modifier.contains(m) {
            classes.push(class.to_string());
        }
    }
    let mut s = format!(
        r#"<text {place} y="{}""#,
        u32::from(row) * LINE_HEIGHT + BASELINE
    );
    paint_attrs(&mut s, &classes, fill.as_deref());
    let _ = write!(s, ">{text}</text>");
    s
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
}

/// The picture's outer size in pixels, margin included.
fn size(cols: u16, rows: u16) -> (u32, u32) {
    (
        u32::from(cols) * CELL_WIDTH + 2 * MARGIN,
        u32::from(rows) * LINE_HEIGHT + 2 * MARGIN,
    )
}

/// The opening of a picture of `cols`×`rows` cells up to its style sheet's
/// end, with `css` added to the shared rules, and the background.
fn head(cols: u16, rows: u16, css: &str) -> String {
    let (w, h) = size(cols, rows);
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="-{MARGIN} -{MARGIN} {w} {h}" xml:space="preserve">
<style>
text{{font-family:{FONTS};font-size:{FONT_SIZE}px;white-space:pre;font-kerning:none;font-variant-ligatures:none;fill:{fg}}}
.b{{font-weight:bold}}.d{{opacity:.6}}.i{{font-style:italic}}.u{{text-decoration:underline}}.s{{text-decoration:line-through}}.u.s{{text-decoration:underline line-through}}
"#,
        fg = PALETTE[7]
    );
    for (i, c) in PALETTE.iter().enumerate() {
        let _ = write!(s, ".c{i}{{fill:{c}}}");
    }
    s.push('\n');
    s.push_str(css);
    let _ = writeln!(
        s,
        r#"</style>
<rect x="-{MARGIN}" y="-{MARGIN}" width="{w}" height="{h}" rx="5" fill="{}"/>"#,
        PALETTE[0]
    );
    s
}

/// The buffer as a still picture.
pub fn still(buf: &Buffer) -> String {
    let e = elements(buf);
    let mut s = head(buf.area.width, buf.area.height, "");
    s.push_str("<g shape-rendering=\"crispEdges\">\n");
    for r in &e.rects {
        s.push_str(r);
        s.push('\n');
    }
    s.push_str("</g>\n");
    for t in &e.texts {
        s.push_str(t);
        s.push('\n');
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests;
