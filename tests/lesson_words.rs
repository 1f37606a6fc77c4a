//! Lesson text names things as the screen names them: a panel it points at
//! ("the Depth panel") is a panel of that lesson under that title, a value
//! it calls a gauge or a counter is a label on one of its panels, and no
//! hint, step or question shows a metric's internal name.

use splitbrain::lesson::{Catalog, Lesson};
use splitbrain::scenarios::Panel;

/// Every text of the lesson a learner reads in the playground, with where.
fn texts(lesson: &Lesson) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, h) in lesson.hints.iter().enumerate() {
        out.push((format!("hint {}", i + 1), h.clone()));
    }
    for s in &lesson.steps {
        out.push((format!("step {:?}", s.title), s.text.clone()));
    }
    for q in &lesson.questions {
        let mut all = vec![q.prompt.clone(), q.explanation.clone()];
        all.extend(q.choices.iter().cloned());
        out.push((format!("question {}", q.id), all.join("\n")));
    }
    out
}

fn titles_and_labels(panels: &[Panel]) -> (Vec<String>, Vec<String>) {
    let mut titles = Vec::new();
    let mut labels = Vec::new();
    for p in panels {
        use Panel as P;
        let (title, series): (&String, &[(String, String)]) = match p {
            P::Gauges { title, metrics, .. }
            | P::Rates { title, metrics }
            | P::Latencies { title, metrics }
            | P::Totals { title, metrics }
            | P::Spans { title, metrics } => (title, metrics),
            P::StateTimeline { title, .. }
            | P::NodeTable { title, .. }
            | P::LockTable { title }
            | P::WaitFor { title }
            | P::Contention { title, .. }
            | P::Queues { title }
            | P::Stream { title, .. } => (title, &[]),
        };
        titles.push(title.to_lowercase());
        labels.extend(series.iter().map(|(_, l)| l.clone()));
    }
    (titles, labels)
}

/// What a text calls "the X panel" (or table): X, without marks.
fn panel_names(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let w = w.trim_end_matches(|c: char| c.is_ascii_punctuation());
        if w != "panel" && w != "table" {
            continue;
        }
        // Back to the nearest "the".
        let Some(the) = (0..i)
            .rev()
            .take(4)
            .find(|&j| words[j].eq_ignore_ascii_case("the"))
        else {
            continue;
        };
        let between = &words[the + 1..i];
        // "the crash; a volatile table", "the projection writes its panel":
        // not a name.
        let name_like = between.iter().all(|w| {
            !matches!(*w, "a" | "an" | "its" | "their")
                && !w.contains([';', ',', ':', '.', '(', ')'])
        });
        if name_like && !between.is_empty() {
            let name = between.join(" ").replace(['`', '*'], "");
            out.push(format!("{name} {w}"));
        }
    }
    out
}

/// The spans of a text in backticks.
fn code_spans(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

#[test]
fn lesson_text_names_what_is_on_screen() {
    let catalog = Catalog::embedded().unwrap();
    let mut wrong = Vec::new();
    for lesson in &catalog.lessons {
        let panels = (lesson.scenario.panels)(&lesson.nodes);
        let (titles, labels) = titles_and_labels(&panels);
        let metrics: Vec<String> = (lesson.scenario.metrics)(&lesson.nodes)
            .into_iter()
            .map(|m| m.name)
            .collect();
        for (place, text) in texts(lesson) {
            for named in panel_names(&text) {
                let (name, _) = named.rsplit_once(' ').unwrap();
                let name = name.to_lowercase();
                // A title with a note after it: "Nodes (twice: ...)".
                let found = titles
                    .iter()
                    .any(|t| *t == name || t.starts_with(&format!("{name} (")));
                if !found {
                    wrong.push(format!(
                        "{} {place}: \"the {named}\" is none of {titles:?}",
                        lesson.id
                    ));
                }
            }
            for span in code_spans(&text) {
                if metrics.iter().any(|m| m == span) && !labels.iter().any(|l| l == span) {
                    wrong.push(format!(
                        "{} {place}: `{span}` is a metric's internal name",
                        lesson.id
                    ));
                }
            }
            for kind in ["gauge", "counter", "rate", "total"] {
                for span in code_spans(&text) {
                    let after = format!("`{span}` {kind}");
                    if text.contains(&after) && !labels.iter().any(|l| l == span) {
                        wrong.push(format!(
                            "{} {place}: the `{span}` {kind} is no label on screen",
                            lesson.id
                        ));
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
