//! Markdown to styled terminal lines, wrapped to a width here (not by the
//! widget) so that callers know exactly how many lines the text takes and can
//! scroll it. Headings, paragraphs, emphasis, strong text, inline code, code
//! blocks (indented and clipped, never wrapped), bullet and numbered lists
//! with a hanging indent, links (the text, then the address in parentheses
//! when it differs) and block quotes (a `│ ` bar) are understood.

use super::text::{self, char_width, clip_line};
use super::theme::Theme;
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// `md` as lines no wider than `width` columns.
/// One line of text with its inline markdown drawn: `code` spans as code
/// and `**strong**` as strong, the marks left out, the rest in `base`. An
/// unpaired mark stays as it is.
pub fn inline(text: &str, base: Style, theme: &Theme) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    let code: Vec<&str> = text.split('`').collect();
    let code_paired = code.len() % 2 == 1;
    for (i, part) in code.iter().enumerate() {
        if code_paired && i % 2 == 1 {
            out.push(Span::styled(part.to_string(), theme.code()));
            continue;
        }
        let part = if !code_paired && i > 0 {
            format!("`{part}")
        } else {
            part.to_string()
        };
        let bold: Vec<&str> = part.split("**").collect();
        let bold_paired = bold.len() % 2 == 1;
        for (j, b) in bold.iter().enumerate() {
            let text = if !bold_paired && j > 0 {
                format!("**{b}")
            } else {
                b.to_string()
            };
            let style = if bold_paired && j % 2 == 1 {
                base.patch(theme.strong())
            } else {
                base
            };
            out.push(Span::styled(text, style));
        }
    }
    out.retain(|s| !s.content.is_empty());
    out
}

pub fn render(md: &str, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    render_prefixed(md, theme, width, Span::raw(""), Span::raw(""))
}

/// Like [`render`], with `first` put before the first line and `rest` before
/// every other line (a list marker and its hanging indent, say).
pub fn render_prefixed(
    md: &str,
    theme: &Theme,
    width: u16,
    first: Span<'static>,
    rest: Span<'static>,
) -> Vec<Line<'static>> {
    render_styled(md, theme, width, Style::new(), first, rest)
}

/// Like [`render_prefixed`], with every piece of text drawn over `base`.
pub fn render_styled(
    md: &str,
    theme: &Theme,
    width: u16,
    base: Style,
    first: Span<'static>,
    rest: Span<'static>,
) -> Vec<Line<'static>> {
    let mut r = Renderer::new(theme, width, base);
    r.w.containers.push(Container {
        first,
        rest,
        used: false,
    });
    r.run(md);
    r.w.finish()
}

/// Something that puts a prefix before each of its lines: a list item (its
/// marker, then a hanging indent), a block quote (its bar) or the caller's.
struct Container {
    first: Span<'static>,
    rest: Span<'static>,
    used: bool,
}

/// Places styled words on lines of a given width.
struct Wrapper {
    width: usize,
    lines: Vec<Line<'static>>,
    containers: Vec<Container>,
    /// The line being filled, if one is started.
    cur: Option<Vec<Span<'static>>>,
    cur_w: usize,
    /// Width of the current line's prefix.
    prefix_w: usize,
    /// The word being collected, and where each differently styled piece
    /// of it ends (buffers reused from word to word).
    word: String,
    parts: Vec<(usize, Style)>,
    word_w: usize,
    /// A space (in this style) is owed before the next word.
    space: Option<Style>,
}

impl Wrapper {
    fn new(width: u16) -> Wrapper {
        Wrapper {
            width: usize::from(width.max(1)),
            lines: Vec::new(),
            containers: Vec::new(),
            cur: None,
            cur_w: 0,
            prefix_w: 0,
            word: String::new(),
            parts: Vec::new(),
            word_w: 0,
            space: None,
        }
    }

    /// Starts a line with every container's prefix.
    fn start_line(&mut self) {
        let mut spans = Vec::with_capacity(self.containers.len() + 2);
        let mut w = 0;
        for c in &mut self.containers {
            let p = if c.used { &c.rest } else { &c.first };
            c.used = true;
            if !p.content.is_empty() {
                w += p.width();
                spans.push(p.clone());
            }
        }
        self.cur = Some(spans);
        self.cur_w = w;
        self.prefix_w = w;
    }

    /// Appends text to the current line (which must be started), merging it
    /// into the last span when the style is the same.
    fn put(&mut self, text: &str, style: Style, w: usize) {
        let spans = self.cur.get_or_insert_with(Vec::new);
        match spans.last_mut() {
            Some(last) if last.style == style => {
                last.content.to_mut().push_str(text);
            }
            _ => spans.push(Span::styled(text.to_string(), style)),
        }
        self.cur_w += w;
    }

    /// Ends the current line, clipping it to the width.
    fn end_line(&mut self) {
        if let Some(spans) = self.cur.take() {
            let mut line = Line::from(spans);
            if self.cur_w > self.width {
                line = clip_line(line, self.width);
            }
            self.lines.push(line);
        }
        self.cur_w = 0;
        self.space = None;
    }

    /// Adds text that wraps at its spaces.
    fn text(&mut self, text: &str, style: Style) {
        let mut start = None::<usize>;
        for (i, c) in text.char_indices() {
            if c.is_whitespace() {
                if let Some(s) = start.take() {
                    self.word_piece(&text[s..i], style);
                }
                self.end_word();
                self.space = Some(style);
            } else if start.is_none() {
                start = Some(i);
            }
        }
        if let Some(s) = start {
            self.word_piece(&text[s..], style);
        }
    }

    fn word_piece(&mut self, text: &str, style: Style) {
        self.word_w += text::width(text);
        self.word.push_str(text);
        match self.parts.last_mut() {
            Some((end, s)) if *s == style => *end = self.word.len(),
            _ => self.parts.push((self.word.len(), style)),
        }
    }

    /// Places the collected word: after a space on this line if it fits,
    /// else on a new line, split across lines if it is wider than one.
    fn end_word(&mut self) {
        if self.word.is_empty() {
            return;
        }
        let mut word = std::mem::take(&mut self.word);
        let mut parts = std::mem::take(&mut self.parts);
        let w = std::mem::replace(&mut self.word_w, 0);
        if self.cur.is_none() {
            self.start_line();
            self.space = None;
        }
        let at_start = self.cur_w == self.prefix_w;
        let gap = usize::from(self.space.is_some() && !at_start);
        if !at_start && self.cur_w + gap + w > self.width {
            self.end_line();
            self.start_line();
        } else if gap == 1 {
            let st = self.space.unwrap_or_default();
            self.put(" ", st, 1);
        }
        self.space = None;
        let fits = self.cur_w + w <= self.width;
        let mut start = 0;
        for &(end, st) in &parts {
            let piece = &word[start..end];
            start = end;
            if fits {
                self.put(piece, st, 0);
                continue;
            }
            // Wider than a whole line: split it, character by character.
            for c in piece.chars() {
                let cw = char_width(c);
                if cw > 0 && self.cur_w + cw > self.width && self.cur_w > self.prefix_w {
                    self.end_line();
                    self.start_line();
                }
                let mut b = [0u8; 4];
                self.put(c.encode_utf8(&mut b), st, cw);
            }
        }
        if fits {
            self.cur_w += w;
        }
        word.clear();
        parts.clear();
        self.word = word;
        self.parts = parts;
    }

    /// Ends the paragraph's last line.
    fn flush(&mut self) {
        self.end_word();
        self.end_line();
    }

    /// A line drawn as is (code), clipped to the width.
    fn verbatim(&mut self, text: &str, style: Style) {
        self.end_word();
        self.end_line();
        self.start_line();
        let w = text::width(text);
        self.put(text, style, w);
        self.end_line();
    }

    /// An empty line, keeping the bars of the block quotes around it.
    fn blank(&mut self) {
        let mut spans: Vec<Span<'static>> = self
            .containers
            .iter()
            .filter(|c| !c.rest.content.trim().is_empty())
            .map(|c| c.rest.clone())
            .collect();
        if let Some(last) = spans.last_mut() {
            let t = last.content.trim_end().to_string();
            last.content = t.into();
        }
        let mut line = Line::from(spans);
        if line.width() > self.width {
            line = clip_line(line, self.width);
        }
        self.lines.push(line);
    }

    /// A horizontal rule across the rest of the line.
    fn rule(&mut self, style: Style) {
        self.flush();
        self.start_line();
        let n = self.width.saturating_sub(self.prefix_w).max(1);
        self.put(&"─".repeat(n), style, n);
        self.end_line();
    }

    fn finish(mut self) -> Vec<Line<'static>> {
        self.flush();
        self.lines
    }
}

struct ListState {
    /// The next item's number, for a numbered list.
    next: Option<u64>,
}

struct Renderer<'t> {
    theme: &'t Theme,
    w: Wrapper,
    /// Styles of the open inline elements, innermost last.
    styles: Vec<Style>,
    lists: Vec<ListState>,
    /// A blank line is owed before the next block.
    need_blank: bool,
    /// Inside a code block.
    code: bool,
    /// The address of the open link.
    link: Option<String>,
    /// The text of the open link, to tell whether the address adds anything.
    link_text: String,
}

impl<'t> Renderer<'t> {
    fn new(theme: &'t Theme, width: u16, base: Style) -> Renderer<'t> {
        Renderer {
            theme,
            w: Wrapper::new(width),
            styles: vec![base],
            lists: Vec::new(),
            need_blank: false,
            code: false,
            link: None,
            link_text: String::new(),
        }
    }

    fn style(&self) -> Style {
        self.styles.last().copied().unwrap_or_default()
    }

    fn push_style(&mut self, s: Style) {
        let st = self.style().patch(s);
        self.styles.push(st);
    }

    fn pop_style(&mut self) {
        if self.styles.len() > 1 {
            self.styles.pop();
        }
    }

    /// Ends what is on the current line and owes a blank line if a block came before.
    fn start_block(&mut self) {
        self.w.flush();
        if self.need_blank && !self.w.lines.is_empty() {
            self.w.blank();
        }
        self.need_blank = false;
    }

    fn end_block(&mut self) {
        self.w.flush();
        self.need_blank = true;
    }

    fn run(&mut self, md: &str) {
        for ev in Parser::new(md) {
            self.event(ev);
        }
    }

    fn event(&mut self, ev: Event<'_>) {
        let theme = self.theme;
        match ev {
            Event::Start(tag) => match tag {
                Tag::Paragraph => self.start_block(),
                Tag::Heading { .. } => {
                    self.start_block();
                    self.push_style(theme.heading());
                }
                Tag::BlockQuote(_) => {
                    self.start_block();
                    self.w.containers.push(Container {
                        first: Span::styled("│ ", theme.dim()),
                        rest: Span::styled("│ ", theme.dim()),
                        used: false,
                    });
                }
                Tag::CodeBlock(_) => {
                    self.start_block();
                    self.code = true;
                }
                Tag::List(start) => {
                    if self.lists.is_empty() {
                        self.start_block();
                    } else {
                        self.w.flush();
                    }
                    self.lists.push(ListState { next: start });
                }
                Tag::Item => {
                    self.start_block();
                    let depth = self.lists.len().saturating_sub(1);
                    let marker = match self.lists.last_mut().and_then(|l| l.next.as_mut()) {
                        Some(n) => {
                            let m = format!("{n}. ");
                            *n += 1;
                            m
                        }
                        None => match depth {
                            0 => "• ".to_string(),
                            1 => "◦ ".to_string(),
                            _ => "▪ ".to_string(),
                        },
                    };
                    let indent = " ".repeat(text::width(&marker));
                    self.w.containers.push(Container {
                        first: Span::raw(marker),
                        rest: Span::raw(indent),
                        used: false,
                    });
                }
                Tag::Emphasis => self.push_style(theme.emphasis()),
                Tag::Strong => self.push_style(theme.strong()),
                Tag::Strikethrough => self
                    .push_style(Style::new().add_modifier(ratatui::style::Modifier::CROSSED_OUT)),
                Tag::Link { dest_url, .. } => {
                    self.push_style(theme.link());
                    self.link = Some(dest_url.to_string());
                    self.link_text.clear();
                }
                Tag::Image { .. } => {
                    self.push_style(theme.link());
                    let st = self.style();
                    self.w.text("[image: ", st);
                }
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Paragraph => self.end_block(),
                TagEnd::Heading(_) => {
                    self.pop_style();
                    self.end_block();
                }
                TagEnd::BlockQuote(_) => {
                    self.w.flush();
                    self.w.containers.pop();
                    self.need_blank = true;
                }
                TagEnd::CodeBlock => {
                    self.code = false;
                    self.need_blank = true;
                }
                TagEnd::List(_) => {
                    self.w.flush();
                    self.lists.pop();
                    if self.lists.is_empty() {
                        self.need_blank = true;
                    }
                }
                TagEnd::Item => {
                    self.w.flush();
                    self.w.containers.pop();
                }
                TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => self.pop_style(),
                TagEnd::Link => {
                    self.pop_style();
                    if let Some(url) = self.link.take() {
                        let same = url == self.link_text
                            || url.strip_prefix("mailto:") == Some(self.link_text.as_str());
                        if !same && !url.is_empty() {
                            let st = self.style().patch(theme.dim());
                            self.w.text(&format!(" ({url})"), st);
                        }
                    }
                }
                TagEnd::Image => {
                    let st = self.style();
                    self.w.word_piece("]", st);
                    self.pop_style();
                }
                _ => {}
            },
            Event::Text(t) => {
                if self.code {
                    let st = self.style().patch(theme.code());
                    for line in t.lines() {
                        let text = format!("    {}", line.replace('\t', "    "));
                        self.w.verbatim(&text, st);
                    }
                } else {
                    if self.link.is_some() {
                        self.link_text.push_str(&t);
                    }
                    let st = self.style();
                    self.w.text(&t, st);
                }
            }
            Event::Code(t) => {
                if self.link.is_some() {
                    self.link_text.push_str(&t);
                }
                let st = self.style().patch(theme.code());
                self.w.text(&t, st);
            }
            Event::Html(t) | Event::InlineHtml(t) => {
                let st = self.style().patch(theme.dim());
                self.w.text(&t, st);
            }
            Event::InlineMath(t) | Event::DisplayMath(t) => {
                let st = self.style().patch(theme.code());
                self.w.text(&t, st);
            }
            Event::SoftBreak => {
                self.w.end_word();
                self.w.space = Some(self.style());
            }
            Event::HardBreak => self.w.flush(),
            Event::Rule => {
                self.start_block();
                self.w.rule(theme.dim());
                self.need_blank = true;
            }
            Event::FootnoteReference(t) => {
                let st = self.style();
                self.w.text(&format!("[{t}]"), st);
            }
            Event::TaskListMarker(done) => {
                let st = self.style();
                self.w.text(if done { "[x] " } else { "[ ] " }, st);
            }
        }
    }
}

#[cfg(test)]
mod tests;
