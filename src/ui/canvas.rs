//! Drawing on a grid of cells for the map and the space-time diagram: a
//! braille canvas ([`Dots`]) for lines finer than a cell, and text placed
//! at any column and clipped to a rectangle.

use super::text::char_width;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// Writes `text` from (`x`, `y`), each character taking its display width,
/// leaving out what falls outside `clip` (or the buffer): text may start
/// left of `clip` and show only its part inside.
pub fn put(buf: &mut Buffer, clip: Rect, x: u16, y: u16, text: &str, style: Style) {
    if y < clip.top() || y >= clip.bottom() {
        return;
    }
    let (left, right) = (u32::from(clip.left()), u32::from(clip.right()));
    let mut tmp = [0u8; 4];
    let mut col = u32::from(x);
    for ch in text.chars() {
        let w = char_width(ch) as u32;
        if w == 0 {
            continue;
        }
        if col + w > right {
            break;
        }
        if col >= left
            && let Some(cell) = buf.cell_mut((col as u16, y))
        {
            cell.set_symbol(ch.encode_utf8(&mut tmp)).set_style(style);
            // A wide character hides the cell after it.
            for hidden in 1..w {
                if let Some(cell) = buf.cell_mut(((col + hidden) as u16, y)) {
                    cell.reset();
                }
            }
        }
        col += w;
    }
}

/// Writes `glyph`, one of the diagrams' own glyphs of one cell (a lane's
/// line, a mark, an arrowhead), at (`x`, `y`) if that is inside `clip`.
pub fn put_glyph(buf: &mut Buffer, clip: Rect, x: u16, y: u16, glyph: &str, style: Style) {
    if clip.contains((x, y).into())
        && let Some(cell) = buf.cell_mut((x, y))
    {
        cell.set_symbol(glyph).set_style(style);
    }
}

/// A grid of braille dots, two across and four down per cell, each cell
/// with a class that picks its style (the highest class drawn there wins).
pub struct Dots {
    width: u16,
    height: u16,
    bits: Vec<u8>,
    class: Vec<u8>,
}

impl Dots {
    pub fn new(width: u16, height: u16) -> Dots {
        let cells = width as usize * height as usize;
        Dots {
            width,
            height,
            bits: vec![0; cells],
            class: vec![0; cells],
        }
    }

    /// Sets dot (`x`, `y`); dots outside the grid are ignored.
    pub fn set(&mut self, x: i64, y: i64, class: u8) {
        if x < 0 || y < 0 || x >= self.width as i64 * 2 || y >= self.height as i64 * 4 {
            return;
        }
        let (cx, cy) = ((x / 2) as usize, (y / 4) as usize);
        let i = cy * self.width as usize + cx;
        const BIT: [[u8; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];
        self.bits[i] |= BIT[(x % 2) as usize][(y % 4) as usize];
        self.class[i] = self.class[i].max(class);
    }

    /// A straight line of dots from `p` to `q`, dashed if asked.
    pub fn line(&mut self, p: (f64, f64), q: (f64, f64), class: u8, dashed: bool) {
        let (dx, dy) = (q.0 - p.0, q.1 - p.1);
        if !(dx.is_finite() && dy.is_finite() && p.0.is_finite() && p.1.is_finite()) {
            return;
        }
        let limit = (self.width as f64 * 2.0 + self.height as f64 * 4.0) * 2.0 + 4.0;
        let steps = dx.abs().max(dy.abs()).ceil().min(limit) as usize;
        for k in 0..=steps {
            if dashed && (k / 2) % 2 == 1 {
                continue;
            }
            let t = if steps == 0 {
                0.0
            } else {
                k as f64 / steps as f64
            };
            let x = (p.0 + dx * t).round() as i64;
            let y = (p.1 + dy * t).round() as i64;
            self.set(x, y, class);
        }
    }

    /// The dots as braille characters in `area`, styled by class.
    pub fn render(&self, buf: &mut Buffer, area: Rect, style: impl Fn(u8) -> Style) {
        for cy in 0..self.height.min(area.height) {
            for cx in 0..self.width.min(area.width) {
                let i = cy as usize * self.width as usize + cx as usize;
                let bits = self.bits[i];
                if bits == 0 {
                    continue;
                }
                let ch = char::from_u32(0x2800 + bits as u32).unwrap_or(' ');
                if let Some(cell) = buf.cell_mut((area.x + cx, area.y + cy)) {
                    cell.set_char(ch).set_style(style(self.class[i]));
                }
            }
        }
    }
}

/// Writes one glyph at the cell holding dot (`x`, `y`) of a canvas drawn in `area`.
pub fn put_at_dot(buf: &mut Buffer, area: Rect, x: f64, y: f64, glyph: &str, style: Style) {
    if !(x.is_finite() && y.is_finite()) || x < 0.0 || y < 0.0 {
        return;
    }
    let cx = area.x as f64 + (x / 2.0).floor();
    let cy = area.y as f64 + (y / 4.0).floor();
    if cx < area.right() as f64 && cy < area.bottom() as f64 {
        put_glyph(buf, area, cx as u16, cy as u16, glyph, style);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::panes::buffer_text;

    #[test]
    fn text_is_clipped_to_its_rectangle() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 10, 2));
        let clip = Rect::new(2, 0, 5, 2);
        put(&mut buf, clip, 0, 0, "abcdefghij", Style::new());
        put(&mut buf, clip, 3, 1, "日本語", Style::new());
        put(&mut buf, clip, 0, 5, "outside", Style::new());
        assert_eq!(buffer_text(&buf), "  cdefg\n   日本\n");
    }

    #[test]
    fn lines_of_dots_become_braille() {
        let mut dots = Dots::new(2, 1);
        dots.line((0.0, 0.0), (3.0, 0.0), 1, false);
        let area = Rect::new(0, 0, 2, 1);
        let mut buf = Buffer::empty(area);
        dots.render(&mut buf, area, |_| Style::new());
        assert_eq!(buffer_text(&buf), "⠉⠉\n");
    }
}
