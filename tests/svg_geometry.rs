//! Every screen picture in `book/src/img/` is a grid whatever the font it is
//! shown in: each glyph's `x` is its column times the cell width (listed, or
//! a run of one font's glyphs stretched to exactly its cells), each row's
//! baseline its row times the line height (plus the baseline's offset),
//! backgrounds are whole cells, and nothing lies outside the picture. A
//! still picture also never puts two glyphs in one cell. (Charts, in
//! `book/src/img/charts/`, are not grids.)

use splitbrain::ui::svg::{BASELINE, CELL_WIDTH, LINE_HEIGHT, MARGIN};
use splitbrain::ui::text::width;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn pictures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("book/src/img")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .collect();
    files.sort();
    files
}

fn number(node: roxmltree::Node, name: &str) -> Result<i64, String> {
    let v = node
        .attribute(name)
        .ok_or_else(|| format!("<{}> without `{name}`", node.tag_name().name()))?;
    v.parse()
        .map_err(|_| format!("`{name}=\"{v}\"` is not a whole number of pixels"))
}

/// What a picture breaks of the grid, or its size in cells and whether it moves.
fn check(path: &Path) -> Result<(i64, i64, bool), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let doc = roxmltree::Document::parse(&text).map_err(|e| e.to_string())?;
    let root = doc.root_element();
    if root.tag_name().name() != "svg" {
        return Err("not an <svg>".into());
    }
    let (cw, lh, m) = (
        i64::from(CELL_WIDTH),
        i64::from(LINE_HEIGHT),
        i64::from(MARGIN),
    );
    let (w, h) = (number(root, "width")?, number(root, "height")?);
    if (w - 2 * m) % cw != 0 || (h - 2 * m) % lh != 0 {
        return Err(format!(
            "{w}×{h} is not a whole grid of cells and its margin"
        ));
    }
    let (cols, rows) = ((w - 2 * m) / cw, (h - 2 * m) / lh);
    let view = root.attribute("viewBox").unwrap_or_default();
    if view != format!("-{m} -{m} {w} {h}") {
        return Err(format!("viewBox `{view}` is not the grid and its margin"));
    }
    let animated = text.contains("@keyframes");
    let mut taken: HashSet<(i64, i64)> = HashSet::new();
    let mut background = false;
    for node in root.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name().name();
        if node.attribute("transform").is_some() {
            return Err(format!("<{name}> is moved by a transform"));
        }
        match name {
            "svg" | "style" | "g" => {}
            "rect" if !background => {
                // The first rectangle is the picture's background.
                background = true;
                if (number(node, "x")?, number(node, "y")?) != (-m, -m)
                    || (number(node, "width")?, number(node, "height")?) != (w, h)
                {
                    return Err("the first rectangle is not the whole picture".into());
                }
            }
            "rect" => {
                let (x, y) = (number(node, "x")?, number(node, "y")?);
                let (rw, rh) = (number(node, "width")?, number(node, "height")?);
                if x % cw != 0 || rw % cw != 0 || rw <= 0 || y % lh != 0 || rh != lh {
                    return Err(format!("rectangle {x},{y} {rw}×{rh} is not a run of cells"));
                }
                if x < 0 || x + rw > cols * cw || y < 0 || y + rh > rows * lh {
                    return Err(format!(
                        "rectangle {x},{y} {rw}×{rh} is outside the picture"
                    ));
                }
            }
            "text" => {
                let y = number(node, "y")?;
                let content: String = node.text().unwrap_or_default().to_string();
                if node.children().any(|c| c.is_element()) {
                    return Err(format!("text `{content}` has child elements"));
                }
                if (y - i64::from(BASELINE)) % lh != 0 {
                    return Err(format!(
                        "text `{content}` at y={y} is not on a row's baseline"
                    ));
                }
                let row = (y - i64::from(BASELINE)) / lh;
                if !(0..rows).contains(&row) {
                    return Err(format!("text `{content}` at y={y} is outside the picture"));
                }
                let xs: Vec<i64> = node
                    .attribute("x")
                    .unwrap_or_default()
                    .split(' ')
                    .map(|v| v.parse().map_err(|_| format!("x `{v}` in `{content}`")))
                    .collect::<Result<_, _>>()?;
                let chars: Vec<char> = content.chars().collect();
                // One x per character; a run stretched to its cells, of
                // glyphs from one font; or a cluster (a letter and its
                // accent) alone with one x.
                let stretched = node.attribute("textLength").is_some();
                let glyphs: Vec<(i64, String)> = if stretched {
                    let length = number(node, "textLength")?;
                    if node.attribute("lengthAdjust") != Some("spacingAndGlyphs") {
                        return Err(format!(
                            "`{content}` is stretched without scaling its glyphs"
                        ));
                    }
                    let one_font = chars.iter().all(|c| *c == ' ' || c.is_ascii_graphic())
                        || chars
                            .iter()
                            .all(|c| *c == chars[0] && width(&c.to_string()) == 1);
                    if xs.len() != 1 || !one_font {
                        return Err(format!("`{content}` is stretched but not of one font"));
                    }
                    if length != chars.len() as i64 * cw {
                        return Err(format!(
                            "`{content}` is stretched to {length} px, not its {} cells",
                            chars.len()
                        ));
                    }
                    (0..)
                        .zip(&chars)
                        .map(|(i, c)| (xs[0] + i * cw, c.to_string()))
                        .collect()
                } else if xs.len() == chars.len() {
                    xs.iter()
                        .zip(&chars)
                        .map(|(x, c)| (*x, c.to_string()))
                        .collect()
                } else if xs.len() == 1 && !content.contains(' ') {
                    vec![(xs[0], content.clone())]
                } else {
                    return Err(format!(
                        "text `{content}` has {} characters and {} x positions",
                        chars.len(),
                        xs.len()
                    ));
                };
                let mut next = 0;
                for (x, g) in glyphs {
                    if x % cw != 0 {
                        return Err(format!("`{g}` of `{content}` at x={x} is not at a column"));
                    }
                    let col = x / cw;
                    let cells = width(&g).max(1) as i64;
                    if col < next {
                        return Err(format!("`{g}` of `{content}` overlaps the glyph before it"));
                    }
                    if col < 0 || col + cells > cols {
                        return Err(format!("`{g}` of `{content}` is outside the picture"));
                    }
                    next = col + cells;
                    if !animated && g != " " {
                        for c in col..col + cells {
                            if !taken.insert((c, row)) {
                                return Err(format!("two glyphs in cell {c},{row}"));
                            }
                        }
                    }
                }
            }
            other => return Err(format!("unexpected <{other}>")),
        }
    }
    if !background {
        return Err("no background".into());
    }
    Ok((cols, rows, animated))
}

#[test]
fn every_picture_is_a_grid() {
    let files = pictures();
    assert!(files.len() >= 18, "the book's pictures are missing");
    let mut broken = Vec::new();
    for f in &files {
        if let Err(e) = check(f) {
            broken.push(format!("{}: {e}", f.display()));
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn the_check_finds_a_broken_grid() {
    let dir = std::env::temp_dir().join(format!("splitbrain-grid-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = std::fs::read_to_string("book/src/img/picker.svg").unwrap();
    assert!(check(Path::new("book/src/img/picker.svg")).is_ok());
    let first_x = good.find("<text x=\"").unwrap() + 9;
    let end = first_x + good[first_x..].find(['"', ' ']).unwrap();
    let shifted = format!("{}{}{}", &good[..first_x], "4", &good[end..]);
    let one_y = good.find(" y=\"13\"").unwrap();
    let off_row = format!("{} y=\"20\"{}", &good[..one_y], &good[one_y + 7..]);
    let outside = format!("{}{}{}", &good[..first_x], "2700", &good[end..]);
    let stretch_at = good.find(" textLength=\"").unwrap() + 13;
    let stretch_end = stretch_at + good[stretch_at..].find('"').unwrap();
    let stretched = format!("{}{}{}", &good[..stretch_at], "100", &good[stretch_end..]);
    for (name, bad, expected) in [
        ("stretched", stretched, "not its"),
        ("shifted", shifted, "is not at a column"),
        ("off-row", off_row, "is not on a row's baseline"),
        ("outside", outside, "is outside the picture"),
    ] {
        let p = dir.join(format!("{name}.svg"));
        std::fs::write(&p, bad).unwrap();
        let err = check(&p).expect_err(name);
        assert!(err.contains(expected), "{name}: {err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
