//! Markdown laid out at many widths: wrapping, styles, lists, code, links, quotes.

use super::*;
use ratatui::style::Modifier;

fn plain(lines: &[Line<'_>]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect()
}

fn mono() -> Theme {
    Theme::monochrome()
}

#[test]
fn paragraphs_wrap_at_the_width() {
    let md = "The quick brown fox jumps over the lazy dog and keeps running far away.";
    for width in [10u16, 17, 25, 40, 80] {
        let lines = render(md, &mono(), width);
        let text = plain(&lines);
        for l in &text {
            assert!(text::width(l) <= width as usize, "{l:?} wider than {width}");
        }
        // Nothing lost, nothing added.
        let joined = text.join(" ");
        assert_eq!(joined.split_whitespace().collect::<Vec<_>>().join(" "), md);
    }
    let text = plain(&render(md, &mono(), 20));
    assert_eq!(
        text,
        vec![
            "The quick brown fox",
            "jumps over the lazy",
            "dog and keeps",
            "running far away.",
        ]
    );
}

#[test]
fn a_word_longer_than_the_line_is_split() {
    let text = plain(&render("a abcdefghijklmnop b", &mono(), 6));
    assert_eq!(text, vec!["a", "abcdef", "ghijkl", "mnop b"]);
}

#[test]
fn styles_survive_wrapping_and_nest() {
    let theme = Theme::default();
    let lines = render(
        "plain *one two three **four five** six* `co de`",
        &theme,
        12,
    );
    let text = plain(&lines);
    assert_eq!(
        text,
        vec!["plain one", "two three", "four five", "six co de"]
    );
    let style_of = |word: &str| {
        lines
            .iter()
            .flat_map(|l| l.spans.iter())
            .find(|s| s.content.contains(word))
            .map(|s| s.style)
            .unwrap()
    };
    assert!(style_of("two").add_modifier.contains(Modifier::ITALIC));
    let four = style_of("four");
    assert!(four.add_modifier.contains(Modifier::ITALIC));
    assert!(four.add_modifier.contains(Modifier::BOLD));
    assert!(!style_of("plain").add_modifier.contains(Modifier::ITALIC));
    assert_eq!(style_of("co").fg, theme.code().fg);
    assert!(!style_of("six").add_modifier.contains(Modifier::BOLD));
}

#[test]
fn punctuation_stays_with_a_styled_word() {
    // `**bbbb**,` is one word: it never breaks between the two styles.
    let text = plain(&render("aaaa **bbbb**, cc", &mono(), 9));
    assert_eq!(text, vec!["aaaa", "bbbb, cc"]);
}

#[test]
fn headings_get_blank_lines_around() {
    let theme = Theme::default();
    let lines = render("Intro text.\n\n# Title\nBody here.", &theme, 40);
    assert_eq!(
        plain(&lines),
        vec!["Intro text.", "", "Title", "", "Body here."]
    );
    assert_eq!(lines[2].spans[0].style, theme.heading());
    // A heading at the top has no blank line above it.
    let lines = render("# Top\n\ntext", &theme, 40);
    assert_eq!(plain(&lines), vec!["Top", "", "text"]);
}

#[test]
fn bullet_lists_hang_their_indent() {
    let md =
        "Some:\n\n- first item that wraps around\n- second\n  - nested item wrapping too\n\nAfter.";
    let text = plain(&render(md, &mono(), 16));
    assert_eq!(
        text,
        vec![
            "Some:",
            "",
            "• first item",
            "  that wraps",
            "  around",
            "• second",
            "  ◦ nested item",
            "    wrapping too",
            "",
            "After.",
        ]
    );
}

#[test]
fn numbered_lists_count_from_their_start() {
    let md = "3. three is a long one\n4. four\n";
    let text = plain(&render(md, &mono(), 12));
    assert_eq!(text, vec!["3. three is", "   a long", "   one", "4. four"]);
}

#[test]
fn loose_lists_keep_a_gap_between_items() {
    let md = "- one\n\n- two\n";
    assert_eq!(plain(&render(md, &mono(), 20)), vec!["• one", "", "• two"]);
}

#[test]
fn code_blocks_are_indented_and_clipped_not_wrapped() {
    let theme = Theme::default();
    let md = "Run:\n\n```\nsplitbrain run failover --set replication=quorum\nshort\n```\n\nDone.";
    let lines = render(md, &theme, 20);
    let text = plain(&lines);
    assert_eq!(
        text,
        vec!["Run:", "", "    splitbrain run f", "    short", "", "Done."]
    );
    assert_eq!(lines[2].spans[0].style.fg, theme.code().fg);
    assert!(lines.iter().all(|l| l.width() <= 20));
}

#[test]
fn links_show_their_address_once() {
    let text = plain(&render(
        "See [the docs](https://example.org) or <https://x.io>.",
        &mono(),
        80,
    ));
    assert_eq!(
        text,
        vec!["See the docs (https://example.org) or https://x.io."]
    );
    let theme = Theme::default();
    let lines = render("[docs](u)", &theme, 80);
    assert_eq!(lines[0].spans[0].style, theme.link());
}

#[test]
fn block_quotes_have_a_bar_on_every_line() {
    let text = plain(&render("> quoted words that wrap\n>\n> again", &mono(), 12));
    assert_eq!(
        text,
        vec!["│ quoted", "│ words that", "│ wrap", "│", "│ again"]
    );
}

#[test]
fn wide_characters_count_two_columns() {
    let text = plain(&render("日本語の テキスト です", &mono(), 9));
    for l in &text {
        assert!(text::width(l) <= 9, "{l:?}");
    }
    assert_eq!(text, vec!["日本語の", "テキスト", "です"]);
    // Split inside a word never cuts a wide character in half.
    let text = plain(&render("日本語日本語", &mono(), 5));
    assert_eq!(text, vec!["日本", "語日", "本語"]);
}

#[test]
fn prefixes_and_tiny_widths() {
    let text = plain(&render_prefixed(
        "one two three",
        &mono(),
        8,
        Span::raw("1. "),
        Span::raw("   "),
    ));
    assert_eq!(text, vec!["1. one", "   two", "   three"]);
    for w in 0..4 {
        let lines = render(
            "# Head\n\n- a list `code` item\n\n> quote\n\n```\ncode\n```",
            &mono(),
            w,
        );
        assert!(lines.iter().all(|l| l.width() <= usize::from(w.max(1))));
    }
    assert!(render("", &mono(), 10).is_empty());
}
