//! The `splitbrain` command.

use clap::{Parser, Subcommand};
use splitbrain::cli;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "splitbrain",
    version,
    about = "Learn distributed-systems patterns by breaking live, simulated clusters",
    after_help = "With no command, opens the playground's lesson picker. The book: book/ (mdbook serve book)."
)]
struct Args {
    /// Also load the lessons in this directory (a lesson with a built-in id replaces it).
    #[arg(long, global = true, value_name = "DIR")]
    lessons: Option<PathBuf>,
    /// Leaves the mouse to the terminal, so text can be selected and copied
    /// (`M` switches it in the playground).
    #[arg(long)]
    no_mouse: bool,
    /// Prints the playground's config file (speed, mouse, colours, keys) with
    /// every setting at its default, for $XDG_CONFIG_HOME/splitbrain/config.toml.
    #[arg(long)]
    print_config: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Lists every lesson: id, chapter, title.
    List,
    /// Shows a lesson: its story, knobs, phases, script, objectives and metrics.
    Show {
        /// The lesson's id (see `splitbrain list`).
        lesson: String,
    },
    /// Runs a lesson headless with its script, then prints metrics and objectives.
    Run(cli::RunArgs),
    /// Runs a lesson headless over a range of one knob's values (and each value
    /// of a second) and tabulates one metric: where does one setting overtake another?
    Sweep(cli::SweepArgs),
    /// Opens a lesson in the playground (the lesson picker when left out).
    Lesson(cli::LessonArgs),
    /// Draws a screen headless, as text or as an SVG picture.
    Shot(cli::ShotArgs),
    /// Checks lesson files (the built-in ones when no path is given).
    Check {
        /// Lesson files or directories of them.
        paths: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.command {
        _ if args.print_config => cli::print_config(),
        Some(Command::List) => cli::list(args.lessons.as_deref()),
        Some(Command::Show { lesson }) => cli::show(args.lessons.as_deref(), &lesson),
        Some(Command::Run(run)) => cli::run(args.lessons.as_deref(), &run),
        Some(Command::Sweep(s)) => cli::sweep(args.lessons.as_deref(), &s),
        Some(Command::Check { paths }) => cli::check(&paths),
        Some(Command::Lesson(l)) => cli::playground(args.lessons.as_deref(), &l),
        Some(Command::Shot(s)) => cli::shot(args.lessons.as_deref(), &s),
        None => cli::playground(
            args.lessons.as_deref(),
            &cli::LessonArgs {
                no_mouse: args.no_mouse,
                ..Default::default()
            },
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            cli::out::error_line(&message);
            ExitCode::FAILURE
        }
    }
}
