use super::*;
use ratatui::layout::Rect;
use ratatui::style::Style;

fn buffer(w: u16, h: u16) -> Buffer {
    Buffer::empty(Rect::new(0, 0, w, h))
}

/// The `x` list and the text of every `<text>` in `svg`.
fn texts(svg: &str) -> Vec<(Vec<u32>, u32, String)> {
    svg.split("<text ")
        .skip(1)
        .map(|t| {
            let attr = |name: &str| {
                let from = t.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                let to = from + t[from..].find('"').unwrap();
                t[from..to].to_string()
            };
            let xs = attr("x").split(' ').map(|v| v.parse().unwrap()).collect();
            let y = attr("y").parse().unwrap();
            let body = &t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()];
            (xs, y, body.to_string())
        })
        .collect()
}

#[test]
fn every_glyph_sits_at_its_column() {
    let mut b = buffer(20, 2);
    b.set_string(0, 0, "ab ●⣿│x", Style::new());
    b.set_string(3, 1, "n1", Style::new().bold());
    b.set_string(5, 1, " replica", Style::new());
    let svg = still(&b);
    let t = texts(&svg);
    assert_eq!(t[0], (vec![0, 9, 18, 27, 36, 45, 54], 13, "ab ●⣿│x".into()));
    assert_eq!(t[1], (vec![27, 36], 30, "n1".into()), "bold keeps the grid");
    assert_eq!(
        t[2].0[0], 54,
        "after the bold run, the next starts at its column"
    );
}

#[test]
fn long_runs_of_one_font_are_stretched_to_their_cells() {
    let mut b = buffer(44, 1);
    b.set_string(0, 0, "all nodes following", Style::new());
    b.set_string(21, 0, "────────────────", Style::new());
    b.set_string(38, 0, "a→b ●", Style::new().bold());
    let svg = still(&b);
    assert!(svg.contains(
        r#"<text x="0" textLength="171" lengthAdjust="spacingAndGlyphs" y="13">all nodes following</text>"#
    ), "ASCII: {svg}");
    assert!(svg.contains(
        r#"<text x="189" textLength="144" lengthAdjust="spacingAndGlyphs" y="13">────────────────</text>"#
    ), "one character repeated: {svg}");
    assert!(
        svg.contains(r#"<text x="342 351 360 369 378" y="13" class="b">a→b ●</text>"#),
        "mixed fonts: {svg}"
    );
}

#[test]
fn wide_characters_take_two_cells() {
    let mut b = buffer(10, 1);
    b.set_string(0, 0, "日本x", Style::new());
    let t = texts(&still(&b));
    assert_eq!(t[0], (vec![0, 18, 36], 13, "日本x".into()));
}

#[test]
fn two_blank_cells_split_a_run_and_one_does_not() {
    let mut b = buffer(20, 1);
    b.set_string(0, 0, "a b  c", Style::new());
    let t = texts(&still(&b));
    assert_eq!(t.len(), 2);
    assert_eq!(t[0], (vec![0, 9, 18], 13, "a b".into()));
    assert_eq!(t[1], (vec![45], 13, "c".into()));
}

#[test]
fn colours_become_classes_and_backgrounds_cell_rectangles() {
    let mut b = buffer(10, 2);
    b.set_string(1, 0, "ok", Style::new().green());
    b.set_string(0, 1, "   ", Style::new().on_blue());
    b.set_string(3, 1, "x", Style::new().on_blue().red());
    b.set_string(5, 1, "sel", Style::new().reversed());
    let svg = still(&b);
    assert!(
        svg.contains(r#"<text x="9 18" y="13" class="c2">ok</text>"#),
        "{svg}"
    );
    assert!(
        svg.contains(r#"<rect x="0" y="17" width="36" height="17" class="c4"/>"#),
        "one rectangle for the run of blue cells: {svg}"
    );
    // Reversed: light grey cells with black letters.
    assert!(svg.contains(r#"<rect x="45" y="17" width="27" height="17" class="c7"/>"#));
    assert!(svg.contains(r#"<text x="45 54 63" y="30" class="c0">sel</text>"#));
    assert!(svg.contains(".c4{fill:#0000AA}"));
}

#[test]
fn other_colours_are_written_as_fills() {
    let mut b = buffer(4, 1);
    b.set_string(0, 0, "a", Style::new().fg(Color::Rgb(1, 2, 255)));
    b.set_string(1, 0, "b", Style::new().fg(Color::Indexed(196)));
    let svg = still(&b);
    assert!(svg.contains(r##"fill="#0102FF">a<"##), "{svg}");
    assert!(svg.contains(r##"fill="#FF0000">b<"##), "{svg}");
}

#[test]
fn markup_in_text_is_escaped() {
    let mut b = buffer(10, 1);
    b.set_string(0, 0, "a<b&c>", Style::new());
    assert!(still(&b).contains(">a&lt;b&amp;c&gt;</text>"));
}

#[test]
fn the_picture_is_the_grid_and_its_margin() {
    let svg = still(&buffer(120, 40));
    assert!(svg.starts_with(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="1100" height="700" viewBox="-10 -10 1100 700""#
    ));
    assert!(svg.ends_with("</svg>\n"));
}

#[test]
fn an_animation_writes_what_frames_share_once() {
    let mut a = buffer(20, 2);
    a.set_string(0, 0, "header", Style::new().bold());
    let mut b = a.clone();
    a.set_string(0, 1, "one", Style::new());
    b.set_string(0, 1, "two", Style::new().on_red());
    let svg = animated(&[a.clone(), b.clone(), a.clone()], 0.5);
    assert_eq!(svg.matches(">header<").count(), 1);
    assert_eq!(svg.matches(">one<").count(), 1);
    assert_eq!(svg.matches(">two<").count(), 1);
    // `one` shows in frames 0 and 2, `two` (and its red background) in
    // frame 1. Keyframes are written to a tenth of a frame.
    assert!(svg.contains("animation-duration:1.5s"), "{svg}");
    assert!(
        svg.contains("@keyframes k0{0%,67%,100%{opacity:1}33%{opacity:0}}"),
        "{svg}"
    );
    assert!(
        svg.contains(r#"<text class="a v" style="animation-name:k0" x="0 9 18" y="30">one</text>"#),
        "a group of one is the element itself: {svg}"
    );
    assert!(
        svg.contains(".g1{animation-name:k1}@keyframes k1{33%{opacity:1}0%,67%,100%{opacity:0}}"),
        "{svg}"
    );
    assert_eq!(
        svg.matches(r#"<g class="a g1">"#).count(),
        2,
        "the rectangle and the text"
    );
    // Header outside any group: it is in every frame.
    let header = svg.find(">header<").unwrap();
    assert!(
        svg[..header]
            .rfind("<g class=")
            .is_none_or(|g| svg[g..header].contains("</g>"))
    );
}

#[test]
fn frames_are_many_and_the_picture_stays_small() {
    // 200 frames of a clock that ticks: only the digits change.
    let frames: Vec<Buffer> = (0..200)
        .map(|i| {
            let mut b = buffer(120, 40);
            for row in 0..39 {
                b.set_string(
                    0,
                    row,
                    "│ the same text on every row of every frame │",
                    Style::new(),
                );
            }
            b.set_string(0, 39, format!("t {i}"), Style::new());
            b
        })
        .collect();
    let one = still(&frames[0]).len();
    let all = animated(&frames, 0.25).len();
    assert!(
        all < one + 200 * 200,
        "{all} bytes against {one} for one frame"
    );
}
