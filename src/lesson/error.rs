//! Errors that point into a file: `file:line:col: message`.

use std::fmt;
use std::ops::Range;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceError {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A message may quote the file, control characters and all: they
        // are shown escaped, as `\u{1b}`, so the reader sees what is there.
        let file = visible(&self.file);
        let message = visible(&self.message);
        if self.line == 0 {
            // Not about a place in the file: it could not be read at all.
            write!(f, "{file}: {message}")
        } else {
            write!(f, "{file}:{}:{}: {message}", self.line, self.col)
        }
    }
}

/// `text` with its control characters written as escapes.
fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(char::is_control) {
        text.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

impl std::error::Error for SourceError {}

impl SourceError {
    /// An error at byte offset `span.start` of `text`.
    pub fn at(
        file: &str,
        text: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        let (line, col) = line_col(text, span.map_or(0, |s| s.start));
        SourceError {
            file: file.to_string(),
            line,
            col,
            message: message.into(),
        }
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_in_a_message_are_shown_escaped() {
        let e = super::SourceError {
            file: "a\u{1b}.toml".into(),
            line: 2,
            col: 3,
            message: "`\u{7}` is odd".into(),
        };
        assert_eq!(e.to_string(), "a\\u{1b}.toml:2:3: `\\u{7}` is odd");
    }

    #[test]
    fn counts_lines_and_columns_from_one() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(super::line_col(text, 0), (1, 1));
        assert_eq!(super::line_col(text, 6), (2, 1));
        assert_eq!(super::line_col(text, 9), (2, 3));
    }
}
