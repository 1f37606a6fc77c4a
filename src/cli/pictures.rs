//! The pictures of the book and the README, each made by one line of
//! `book/screenshots.txt`: `splitbrain shot … --svg FILE` (a screen, or an
//! animation with `--from`), `splitbrain sweep … --svg FILE` (a sweep's
//! chart) or `splitbrain run … --svg FILE` (a run's metrics over time).
//! [`picture`] draws the one a command names without writing it, which is
//! how the tests tell a stale picture.

use super::{
    RunArgs, ShotArgs, SweepArgs, catalog, find_lesson, settings, shot_output, sweep_spec,
};
use crate::lesson::Run;
use crate::ui::plot;
use std::path::{Path, PathBuf};

#[derive(clap::Parser, Debug)]
#[command(name = "splitbrain")]
enum Command {
    Shot(ShotArgs),
    Sweep(SweepArgs),
    Run(RunArgs),
}

/// The file a picture command writes and what it writes there. `words` is
/// the command line, the program's name first.
pub fn picture(dir: Option<&Path>, words: &[String]) -> Result<(PathBuf, String), String> {
    use clap::Parser;
    let command = Command::try_parse_from(words).map_err(|e| e.to_string())?;
    let no_file = || "give --svg FILE".to_string();
    match command {
        Command::Shot(args) => {
            let path = args.svg.clone().ok_or_else(no_file)?;
            Ok((path, shot_output(dir, &args)?))
        }
        Command::Sweep(args) => {
            let path = args.svg.clone().ok_or_else(no_file)?;
            let c = catalog(dir)?;
            let lesson = find_lesson(&c, &args.lesson)?;
            let spec = sweep_spec(&lesson, &args)?;
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            let table = spec.run(&lesson, threads)?;
            Ok((path, plot::sweep_chart(&lesson, &spec, &table)?))
        }
        Command::Run(args) => {
            let path = args.svg.clone().ok_or_else(no_file)?;
            if args.replay.is_some() {
                return Err("a picture's run is the lesson's script, not a recording".into());
            }
            let c = catalog(dir)?;
            let lesson = find_lesson(&c, &args.lesson)?;
            let settings = settings(&lesson, &args.settings)?;
            let seed = args.seed.unwrap_or(lesson.seed);
            let mut run = Run::new(lesson.clone(), seed, &settings, false)?;
            run.set_checkpointing(false);
            run.advance_to(args.duration.unwrap_or(lesson.length));
            Ok((path, plot::run_chart(&run)?))
        }
    }
}

/// Writes a picture.
pub(super) fn write(path: &Path, svg: &str) -> Result<(), String> {
    std::fs::write(path, svg).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
