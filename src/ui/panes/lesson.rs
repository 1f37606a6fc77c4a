//! The lesson pane: one scrolling column with the objectives and their live
//! verdicts first, then the current guided step, the hints revealed and the
//! questions answered so far, and the lesson's introduction last.
//!
//! Everything is laid out afresh on each frame from the session (wrapping a
//! few kilobytes of text costs a few tens of microseconds), except the
//! introduction, which is laid out once per lesson, width and theme.

use crate::lesson::{Lesson, Status};
use crate::sim::Time;
use crate::ui::markdown;
use crate::ui::session::{QuestionState, REVEAL_AFTER, Session};
use crate::ui::text::{self, escape_markdown, truncate};
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

/// Width of the verdict column (`○ pending `) when there is room for it.
const MARK_W: usize = 10;
/// Below this width the verdict goes inline before the description.
const NARROW: u16 = 36;
/// From this width on, the measurements behind each verdict are shown.
const DETAILS_FROM: u16 = 44;

/// Draws the pane, `s.text_scroll` lines down.
pub fn render(s: &Session, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let area = area.intersection(buf.area);
    if area.width == 0 || area.height == 0 {
        return;
    }
    let h = usize::from(area.height);
    let scroll = usize::from(s.text_scroll);
    // Sections below the last visible line are not laid out at all.
    let mut lines = build(s, theme, area.width, scroll.saturating_add(h));
    if lines.len() < scroll.saturating_add(h) {
        // Scrolled past the end: show the last page.
        lines = build(s, theme, area.width, usize::MAX);
    }
    let scroll = scroll.min(lines.len().saturating_sub(h));
    for (k, line) in lines.iter().skip(scroll).take(h).enumerate() {
        buf.set_line(area.x, area.y + k as u16, line, area.width);
    }
}

/// How many lines the pane's contents take at `width` (to clamp scrolling).
/// This lays out everything, the introduction too; drawing lays out only
/// what is visible.
pub fn content_height(s: &Session, theme: &Theme, width: u16) -> usize {
    lines(s, theme, width).len()
}

/// The pane's contents, wrapped to `width`.
pub fn lines(s: &Session, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    build(s, theme, width, usize::MAX)
}

/// Appends one section of the pane to the lines so far.
type Section = fn(&Session, &Theme, u16, &mut Vec<Line<'static>>);

/// The pane's contents, leaving out whole sections once `enough` lines are made.
fn build(s: &Session, theme: &Theme, width: u16, enough: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let mut out = Vec::with_capacity(64);
    let sections: [Section; 5] = [objectives, step, hints, questions, intro];
    for section in sections {
        if out.len() >= enough {
            break;
        }
        section(s, theme, width, &mut out);
    }
    out
}

fn intro(s: &Session, theme: &Theme, width: u16, out: &mut Vec<Line<'static>>) {
    let intro = &s.lesson().intro;
    if !intro.trim().is_empty() {
        out.push(Line::default());
        out.push(Line::styled("─".repeat(usize::from(width)), theme.border()));
        let lines = intro_lines(s.lesson(), theme, width);
        out.extend(lines.iter().cloned());
    }
}

/// A lesson's introduction laid out, and the width and theme it was laid
/// out for.
struct IntroAt {
    lesson: Arc<Lesson>,
    width: u16,
    theme: Theme,
    lines: Rc<Vec<Line<'static>>>,
}

thread_local! {
    /// The introduction last laid out. It changes only with the lesson, the
    /// width and the theme, and whoever draws the pane (the screen, a test,
    /// a benchmark) draws it from a session alone, so the pane keeps it.
    static INTRO: RefCell<Option<IntroAt>> = const { RefCell::new(None) };
}

/// `lesson`'s introduction as lines `width` wide: laid out the first time,
/// then kept until the lesson, the width or the theme changes.
fn intro_lines(lesson: &Arc<Lesson>, theme: &Theme, width: u16) -> Rc<Vec<Line<'static>>> {
    INTRO.with_borrow_mut(|cache| match cache {
        Some(c) if Arc::ptr_eq(&c.lesson, lesson) && c.width == width && c.theme == *theme => {
            Rc::clone(&c.lines)
        }
        _ => {
            let lines = Rc::new(markdown::render(&lesson.intro, theme, width));
            *cache = Some(IntroAt {
                lesson: Arc::clone(lesson),
                width,
                theme: *theme,
                lines: Rc::clone(&lines),
            });
            lines
        }
    })
}

fn section(title: &str, theme: &Theme, out: &mut Vec<Line<'static>>) {
    if !out.is_empty() {
        out.push(Line::default());
    }
    out.push(Line::styled(title.to_string(), theme.title()));
}

fn objectives(s: &Session, theme: &Theme, width: u16, out: &mut Vec<Line<'static>>) {
    let lesson = s.lesson();
    if lesson.objectives.is_empty() {
        return;
    }
    section("Objectives", theme, out);
    let verdicts = s.verdicts();
    let wide = width >= NARROW;
    for (o, v) in lesson.objectives.iter().zip(verdicts.iter()) {
        let (glyph, style) = match v.status {
            Status::Pending => ("○", theme.dim()),
            Status::Met => ("✓", theme.good()),
            Status::Failed => ("✗", theme.bad()),
        };
        let mark = format!("{glyph} {}", v.status.name());
        let (first, rest) = if wide {
            (format!("{mark:<MARK_W$}"), " ".repeat(MARK_W))
        } else {
            (format!("{mark} "), "  ".to_string())
        };
        out.extend(markdown::render_prefixed(
            &o.description,
            theme,
            width,
            Span::styled(first, style),
            Span::raw(rest.clone()),
        ));
        if width >= DETAILS_FROM {
            let room = usize::from(width) - MARK_W;
            for d in &v.details {
                out.push(Line::from(vec![
                    Span::raw(rest.clone()),
                    Span::styled(truncate(d, room), theme.dim()),
                ]));
            }
        }
    }
}

fn step(s: &Session, theme: &Theme, width: u16, out: &mut Vec<Line<'static>>) {
    let lesson = s.lesson();
    let Some(k) = s.current_step() else {
        return;
    };
    let Some(step) = lesson.steps.get(k) else {
        return;
    };
    if !out.is_empty() {
        out.push(Line::default());
    }
    let counter = format!("step {}/{}", k + 1, lesson.steps.len());
    let w = usize::from(width);
    let cw = text::width(&counter);
    let title = format!("▸ {}", step.title);
    if text::width(&title) + 2 + cw <= w {
        // Title on the left, the counter on the right of the same line.
        let pad = w - text::width(&title) - cw;
        out.push(Line::from(vec![
            Span::styled(title, theme.heading()),
            Span::raw(" ".repeat(pad)),
            Span::styled(counter, theme.dim()),
        ]));
    } else {
        out.extend(markdown::render_styled(
            &escape_markdown(&title),
            theme,
            width,
            theme.heading(),
            Span::raw(""),
            Span::raw(""),
        ));
        out.push(Line::styled(counter, theme.dim()));
    }
    out.extend(markdown::render(&step.text, theme, width));
}

fn hints(s: &Session, theme: &Theme, width: u16, out: &mut Vec<Line<'static>>) {
    let hints = &s.lesson().hints;
    let n = s.hints_shown.min(hints.len());
    if n == 0 {
        return;
    }
    section(&format!("Hints ({n} of {})", hints.len()), theme, out);
    let num_w = (n.to_string().len()) + 2;
    for (i, h) in hints.iter().take(n).enumerate() {
        let first = format!("{:<num_w$}", format!("{}.", i + 1));
        out.extend(markdown::render_prefixed(
            h,
            theme,
            width,
            Span::styled(first, theme.key()),
            Span::raw(" ".repeat(num_w)),
        ));
    }
}

fn questions(s: &Session, theme: &Theme, width: u16, out: &mut Vec<Line<'static>>) {
    let lesson = s.lesson();
    let now = s.now();
    let mut any = false;
    for (q, state) in lesson.questions.iter().zip(&s.questions) {
        let answered = match *state {
            QuestionState::NotYet | QuestionState::Passed => continue,
            QuestionState::Asking => None,
            QuestionState::Answered { choice, at } => Some((choice, at)),
        };
        if !any {
            section("Questions", theme, out);
            any = true;
        } else {
            out.push(Line::default());
        }
        out.extend(markdown::render_styled(
            &q.prompt,
            theme,
            width,
            theme.strong(),
            Span::styled("? ", theme.key()),
            Span::raw("  "),
        ));
        let Some((choice, at)) = answered else {
            out.push(Line::from(vec![
                Span::raw("  "),
                Span::styled("waiting for your answer", theme.dim()),
            ]));
            continue;
        };
        let chosen = q.choices.get(choice).map(String::as_str).unwrap_or("?");
        let right = q.choices.get(q.answer).map(String::as_str).unwrap_or("?");
        let choice_line = |glyph: &str, label: &str, text: &str, style: Style| {
            markdown::render_prefixed(
                text,
                theme,
                width,
                Span::styled(format!("  {glyph} {label}: "), style),
                Span::raw("    "),
            )
        };
        if choice == q.answer {
            out.extend(choice_line(
                "✓",
                "you answered, right",
                chosen,
                theme.good(),
            ));
        } else {
            out.extend(choice_line("✗", "you answered", chosen, theme.bad()));
            out.extend(choice_line("✓", "right answer", right, theme.good()));
        }
        let reveal = at + REVEAL_AFTER;
        // Rewound to before the answer: the explanation has been seen already.
        if now >= reveal || now < at {
            out.extend(markdown::render_prefixed(
                &q.explanation,
                theme,
                width,
                Span::raw("  "),
                Span::raw("  "),
            ));
        } else {
            let left = (reveal - now)
                .as_micros()
                .div_ceil(Time::secs(1).as_micros());
            out.extend(markdown::render_styled(
                &format!("watch what happens… explanation in {left}s"),
                theme,
                width,
                theme.dim(),
                Span::raw("  "),
                Span::raw("  "),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::Catalog;
    use crate::sim::{Input, NodeSel};
    use crate::ui::panes::buffer_text;
    use crate::ui::session::Control;

    fn session(id: &str) -> Session {
        let cat = Catalog::embedded().unwrap();
        Session::new(cat.get(id).unwrap(), 1, &[]).unwrap()
    }

    fn text(s: &Session, w: u16, h: u16) -> String {
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        render(s, &Theme::monochrome(), area, &mut buf);
        buffer_text(&buf)
    }

    #[test]
    fn objectives_come_first_with_their_verdicts() {
        let mut s = session("failover");
        let t = text(&s, 60, 30);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "Objectives");
        assert!(lines[1].starts_with("○ pending While n1 is down"), "{t}");
        // The crash at 20 s with async replication loses acknowledged writes.
        s.run.advance_to(Time::secs(60));
        let t = text(&s, 60, 30);
        assert!(t.contains("✗ failed  No acknowledged write"), "{t}");
        // The measurement behind it, when there is room.
        assert!(t.contains("writes.acked_lost"), "{t}");
        assert!(!text(&s, 40, 30).contains("writes.acked_lost"));
    }

    #[test]
    fn objectives_met_show_a_check() {
        let cat = Catalog::embedded().unwrap();
        let l = cat.get("failover").unwrap();
        let settings = vec![
            l.parse_setting("replication=quorum").unwrap(),
            l.parse_setting("fencing=on").unwrap(),
        ];
        let mut s = Session::new(l, 1, &settings).unwrap();
        s.run.advance_to(Time::secs(121));
        let t = text(&s, 60, 40);
        assert!(t.contains("✓ met     While n1 is down"), "{t}");
        assert!(!t.contains("✗ failed"), "{t}");
    }

    #[test]
    fn the_current_step_follows_time() {
        let mut s = session("failover");
        let t = text(&s, 60, 40);
        assert!(t.contains("▸ Steady state"), "{t}");
        assert!(t.contains("step 1/5"), "{t}");
        s.run.advance_to(Time::secs(25));
        s.apply(Control::Input(Input::Crash(NodeSel::Id(1))));
        let t = text(&s, 60, 40);
        assert!(t.contains("▸ The primary crashes"), "{t}");
        assert!(t.contains("step 2/5"), "{t}");
        assert!(t.contains("Heartbeats stop."), "{t}");
    }

    #[test]
    fn hints_are_numbered_and_questions_reveal_later() {
        let mut s = session("failover");
        let q = s.lesson().questions[0].clone();
        s.apply(Control::Hint(1));
        s.run.advance_to(q.at);
        let wrong = (q.answer + 1) % q.choices.len();
        s.apply(Control::Answer {
            question: 0,
            choice: wrong,
        });
        s.run.advance_to(q.at + Time::secs(3));
        let t = text(&s, 70, 60);
        assert!(t.contains("Hints (2 of 5)"), "{t}");
        assert!(t.contains("1. Look at acked writes lost"), "{t}");
        assert!(t.contains("2. "), "{t}");
        assert!(!t.contains("3. "), "{t}");
        assert!(t.contains("? The primary is acknowledging"), "{t}");
        assert!(t.contains("✗ you answered:"), "{t}");
        assert!(t.contains("✓ right answer: Some are lost"), "{t}");
        assert!(t.contains("explanation in 7s"), "{t}");
        assert!(!t.contains("Asynchronous replication acknowledges"), "{t}");
        s.run.advance_to(q.at + REVEAL_AFTER);
        let t = text(&s, 70, 60);
        assert!(!t.contains("explanation in"), "{t}");
        assert!(t.contains("Asynchronous replication acknowledges"), "{t}");
    }

    #[test]
    fn scrolling_and_the_intro() {
        let mut s = session("failover");
        let all = content_height(&s, &Theme::monochrome(), 50);
        let full = text(&s, 50, all as u16);
        assert!(full.contains("Failover"));
        assert!(
            full.contains("• `replication`") || full.contains("• replication"),
            "{full}"
        );
        assert!(!full.lines().last().unwrap().trim().is_empty());
        s.text_scroll = 3;
        let t = text(&s, 50, 10);
        let want: Vec<&str> = full.lines().skip(3).take(10).collect();
        assert_eq!(t.lines().collect::<Vec<_>>(), want);
        // Scrolled past the end: the last page.
        s.text_scroll = u16::MAX;
        let t = text(&s, 50, 10);
        let want: Vec<&str> = full.lines().skip(all - 10).collect();
        assert_eq!(t.lines().collect::<Vec<_>>(), want);
    }

    #[test]
    fn any_size_draws_without_panic() {
        let s = session("flaky-dependency");
        for w in [0u16, 1, 2, 5, 12, 35, 36, 44, 200] {
            for h in [0u16, 1, 3, 50] {
                text(&s, w, h);
            }
            assert!(content_height(&s, &Theme::default(), w) > 0);
        }
    }

    /// The fastest of several batches of `f`, per call (the machine may be busy).
    fn time_it(mut f: impl FnMut()) -> std::time::Duration {
        (0..15)
            .map(|_| {
                let t = std::time::Instant::now();
                for _ in 0..20 {
                    f();
                }
                t.elapsed() / 20
            })
            .min()
            .unwrap()
    }

    #[test]
    fn cheap_enough_per_frame() {
        let mut s = session("failover");
        s.run.advance_to(Time::secs(120));
        s.apply(Control::Hint(0));
        let theme = Theme::default();
        let area = Rect::new(0, 0, 50, 30);
        let mut buf = Buffer::empty(area);
        let frame = time_it(|| render(&s, &theme, area, &mut buf));
        let all = time_it(|| {
            std::hint::black_box(lines(&s, &theme, 50));
        });
        let intro = time_it(|| {
            std::hint::black_box(markdown::render(&s.lesson().intro, &theme, 50));
        });
        let verdicts = time_it(|| {
            std::hint::black_box(s.run.verdicts());
        });
        let pre = build(&s, &theme, 50, 30);
        let draw = time_it(|| {
            for (k, l) in pre.iter().take(30).enumerate() {
                buf.set_line(0, k as u16, l, 50);
            }
        });
        println!(
            "lesson pane 50×30: {frame:?} per frame, of which {draw:?} drawing lines into \
             the buffer; everything laid out {all:?} (intro {intro:?}, verdicts {verdicts:?})"
        );
        // Generous: an unoptimised build on a busy machine.
        assert!(frame < std::time::Duration::from_millis(2), "{frame:?}");
    }

    #[test]
    fn print_the_lesson_pane() {
        let mut s = session("failover");
        s.run.advance_to(Time::secs(19));
        s.apply(Control::Hint(0));
        s.apply(Control::Hint(1));
        s.run.advance_to(Time::millis(19_500));
        s.apply(Control::Answer {
            question: 0,
            choice: 1,
        });
        s.run.advance_to(Time::secs(25));
        for (w, h) in [(120u16, 40u16), (80, 24), (46, 30)] {
            println!("--- {w}×{h}");
            println!("{}", text(&s, w, h));
        }
    }
}
