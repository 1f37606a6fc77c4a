//! The selected lesson's details beside (or under) the list: title,
//! chapter and length, how far the learner has got, the summary, the
//! objectives, hints and questions.

use crate::lesson::{Lesson, Mark, Progress};
use crate::ui::markdown;
use crate::ui::text::{self, escape_markdown, lesson_length};
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The selected lesson: title, chapter, summary, objectives and what the
/// learner has done in it.
pub(super) fn render_details(
    lesson: &Lesson,
    progress: &Progress,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let w = area.width;
    let mark = progress.mark(&lesson.id, lesson);
    let p = progress.get(&lesson.id);
    let mut lines: Vec<Line<'static>> = Vec::new();
    lines.extend(markdown::render_styled(
        &escape_markdown(&lesson.title),
        theme,
        w,
        theme.title(),
        Span::raw(""),
        Span::raw(""),
    ));
    let mark_style = match mark {
        Mark::Done => theme.good(),
        Mark::Started => theme.warn(),
        Mark::NotStarted => theme.dim(),
    };
    let meta = format!("{} · {}", lesson.chapter, lesson_length(lesson.length));
    lines.extend(wrap_plain(&meta, theme.dim(), w));
    // The mark goes on the end of the line above when it fits.
    let tag = format!("{} {}", mark.glyph(), mark.word());
    match lines.last_mut() {
        Some(l) if l.width() + 3 + text::width(&tag) <= usize::from(w) => {
            l.spans.push(Span::styled(" · ", theme.dim()));
            l.spans.push(Span::styled(tag, mark_style));
        }
        _ => lines.push(Line::styled(tag, mark_style)),
    }
    lines.push(Line::default());
    lines.extend(markdown::render(&lesson.summary, theme, w));
    if !lesson.objectives.is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled("Objectives", theme.title()));
        for o in &lesson.objectives {
            let met = p.is_some_and(|p| p.objectives_met.contains(&o.id));
            let (first, style) = if met {
                ("✓ met      ", theme.good())
            } else {
                ("· not yet  ", theme.dim())
            };
            let (first, rest) = if w >= 36 {
                (first.to_string(), " ".repeat(11))
            } else {
                (first.trim_end().to_string() + " ", "  ".to_string())
            };
            lines.extend(markdown::render_prefixed(
                &o.description,
                theme,
                w,
                Span::styled(first, style),
                Span::raw(rest),
            ));
        }
    }
    let hints = p.map_or(0, |p| p.hints_used).min(lesson.hints.len());
    let answered = p.map_or(0, |p| {
        lesson
            .questions
            .iter()
            .filter(|q| p.questions.contains_key(&q.id))
            .count()
    });
    let right = p.map_or(0, |p| {
        lesson
            .questions
            .iter()
            .filter(|q| p.questions.get(&q.id) == Some(&true))
            .count()
    });
    lines.push(Line::default());
    if !lesson.hints.is_empty() {
        let text = format!("Hints used: {hints} of {}", lesson.hints.len());
        lines.extend(wrap_plain(&text, theme.text(), w));
    }
    if !lesson.questions.is_empty() {
        let text = format!(
            "Questions answered: {answered} of {} ({right} right)",
            lesson.questions.len()
        );
        lines.extend(wrap_plain(&text, theme.text(), w));
    }
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::styled("Enter", theme.key()),
        Span::styled(
            if p.is_some_and(|p| p.opened) {
                " opens it again"
            } else {
                " opens it"
            },
            theme.dim(),
        ),
    ]));
    for (k, line) in lines.iter().take(usize::from(area.height)).enumerate() {
        buf.set_line(area.x, area.y + k as u16, line, w);
    }
}

fn wrap_plain(text: &str, style: Style, width: u16) -> Vec<Line<'static>> {
    markdown::render_styled(
        &escape_markdown(text),
        &Theme::monochrome(),
        width,
        style,
        Span::raw(""),
        Span::raw(""),
    )
}
