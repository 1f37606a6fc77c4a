//! The commands, one module each: the playground (`lesson`, and no command
//! at all), `list`, `show`, `run`, `sweep`, `shot` and `check`, and what
//! they share: the catalog, finding a lesson, knob settings, and reading
//! durations from the command line.

mod bar;
mod check;
mod list;
pub mod out;
mod pictures;
mod playground;
mod run;
mod shot;
mod show;
mod sweep;

pub use check::check;
pub use list::list;
pub use pictures::picture;
pub use playground::{LessonArgs, playground, print_config};
pub use run::{RunArgs, report_json, report_text, run};
pub use shot::{ShotArgs, shot, shot_output};
pub use show::{describe, show};
pub use sweep::{SweepArgs, sweep, sweep_json, sweep_spec, sweep_text};

use crate::lesson::{Catalog, Lesson, SourceError};
use crate::sim::{KnobValue, Time};
use std::path::Path;
use std::sync::Arc;

/// The built-in lessons plus any in `dir`.
pub fn catalog(dir: Option<&Path>) -> Result<Catalog, String> {
    let mut c = Catalog::embedded().map_err(|e| errors_text(&e))?;
    if let Some(dir) = dir {
        c.add_dir(dir).map_err(|e| errors_text(&e))?;
    }
    Ok(c)
}

/// Finds a lesson by id, or says which ids exist.
pub fn find_lesson(c: &Catalog, id: &str) -> Result<Arc<Lesson>, String> {
    c.find(id)
}

/// Knob settings written `NAME=VALUE`, checked against `lesson`.
fn settings(lesson: &Lesson, texts: &[String]) -> Result<Vec<(String, KnobValue)>, String> {
    texts.iter().map(|s| lesson.parse_setting(s)).collect()
}

/// Says on standard error which of the knobs set on the command line the
/// lesson's script changes later: `--set` gives a knob's value at the start,
/// and a scripted change still happens. (`sweep --vary` holds a knob for the
/// whole run.) Knobs in `held` are pinned already and not mentioned.
fn note_scripted(lesson: &Lesson, settings: &[(String, KnobValue)], held: &[&str]) {
    for (name, _) in settings {
        if held.contains(&name.as_str()) {
            continue;
        }
        let at: Vec<String> = lesson
            .script
            .iter()
            .filter(|e| matches!(&e.input, crate::sim::Input::Knob { name: n, .. } if n == name))
            .map(|e| e.at.to_string())
            .collect();
        if !at.is_empty() {
            out::error_line(&format!(
                "note: the script of `{}` sets {name} at {}, which overrides --set {name} from then on; \
                 `splitbrain sweep {} --vary {name}=VALUE` holds it for the whole run",
                lesson.id,
                at.join(", "),
                lesson.id
            ));
        }
    }
}

fn errors_text(errors: &[SourceError]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_duration(s: &str) -> Result<Time, String> {
    Time::parse(s)
}
