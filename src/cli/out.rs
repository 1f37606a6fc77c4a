//! Where the commands' output goes: standard output and standard error,
//! written through here so that every path behaves the same.
//!
//! - Control characters (terminal escapes, bells, carriage returns) are
//!   taken out of everything written, whatever it quotes: a lesson's title,
//!   a file name, an argument echoed in an error. Newlines and tabs stay.
//! - A closed pipe (`splitbrain run --trace | head -1`) ends the program
//!   quietly with status 141, as a program killed by SIGPIPE reports.
//! - Any other failure to write (a full disk) is one line of error.

use std::io::{self, Write};

/// The exit status of a program whose output pipe was closed (128 + SIGPIPE).
pub const CLOSED_PIPE_STATUS: i32 = 141;

/// Whether `c` may be written: not a control character, except newline and tab.
pub fn printable(c: char) -> bool {
    !c.is_control() || c == '\n' || c == '\t'
}

/// `text` without its control characters (newlines and tabs kept).
pub fn strip_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().all(printable) {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.chars().filter(|c| printable(*c)).collect())
    }
}

/// Writes `text` to standard output, without its control characters.
pub fn print(text: &str) -> Result<(), String> {
    let mut w = Stdout::new();
    w.write(text)?;
    w.finish()
}

/// Writes a line to standard error, without its control characters. An
/// error that cannot be shown is dropped: there is nowhere left to say it.
pub fn error_line(text: &str) {
    let mut e = io::stderr().lock();
    let _ = e.write_all(strip_controls(text).as_bytes());
    let _ = e.write_all(b"\n");
    let _ = e.flush();
}

/// Standard output, buffered, for a command that writes as it goes (a
/// trace line by line). Ends the program on a closed pipe; any other write
/// error is returned as one line.
pub struct Stdout {
    inner: io::BufWriter<io::StdoutLock<'static>>,
}

impl Stdout {
    pub fn new() -> Stdout {
        Stdout {
            inner: io::BufWriter::with_capacity(64 * 1024, io::stdout().lock()),
        }
    }

    pub fn write(&mut self, text: &str) -> Result<(), String> {
        let r = self.inner.write_all(strip_controls(text).as_bytes());
        r.map_err(failed)
    }

    pub fn finish(mut self) -> Result<(), String> {
        self.inner.flush().map_err(failed)
    }
}

impl Default for Stdout {
    fn default() -> Self {
        Stdout::new()
    }
}

/// What a failed write means: the end, for a closed pipe; else a message.
fn failed(e: io::Error) -> String {
    if e.kind() == io::ErrorKind::BrokenPipe {
        closed_pipe();
    }
    format!("cannot write to standard output: {e}")
}

/// The reader went away: stop now, saying nothing (there is no one to tell).
fn closed_pipe() -> ! {
    std::process::exit(CLOSED_PIPE_STATUS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_taken_out_but_newlines_and_tabs_stay() {
        assert_eq!(
            strip_controls("a\u{1b}]0;PWNED\u{7}b\u{1b}[2Jc\r\n\td\u{9b}e\u{7f}"),
            "a]0;PWNEDb[2Jc\n\tde"
        );
        assert!(matches!(
            strip_controls("plain — ünïcode ✓\n"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
