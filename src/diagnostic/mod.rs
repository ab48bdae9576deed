//! Diagnostics shared by the parser and the checker: a stable code, a lowercase message, labelled
//! spans and a help, rendered with miette.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};

use serde::{Deserialize, Serialize};

mod code;
mod suggest;
pub use code::Code;
pub use suggest::did_you_mean;

/// A byte range in the rubric source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }
    pub fn len(self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.start, s.len()).into()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

/// One problem in a rubric source.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// What the mistake is; its stable name (`rubric::unknown_name`) is catalogued in
    /// `docs/diagnostics.md`.
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// The first label is the primary one.
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>, span: Span, label: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            labels: vec![Label { span, text: label.into() }],
            help: None,
        }
    }
    pub fn warning(code: Code, message: impl Into<String>, span: Span, label: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, message, span, label) }
    }
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn with_label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label { span, text: text.into() });
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
    pub fn primary_span(&self) -> Span {
        self.labels.first().map(|l| l.span).unwrap_or_default()
    }
}

/// A source file: its name (as given on the command line) and text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: Arc<str>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> SourceFile {
        SourceFile { name: name.into(), text: text.into() }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(&self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        (line, col)
    }

    /// `file:line:col` of a byte offset.
    pub fn location(&self, offset: usize) -> String {
        let (l, c) = self.line_col(offset);
        format!("{}:{}:{}", self.name, l, c)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A diagnostic bound to its source, ready for miette.
pub struct Report<'a> {
    pub diagnostic: &'a Diagnostic,
    source: NamedSource<Arc<str>>,
}

impl<'a> Report<'a> {
    pub fn new(diagnostic: &'a Diagnostic, file: &SourceFile) -> Report<'a> {
        Report { diagnostic, source: NamedSource::new(file.name.clone(), file.text.clone()) }
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diagnostic.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let len = self.source.inner().len();
        Some(Box::new(self.diagnostic.labels.iter().enumerate().map(move |(i, l)| {
            let start = l.span.start.min(len);
            let end = l.span.end.clamp(start, len);
            let text = if l.text.is_empty() { None } else { Some(l.text.clone()) };
            if i == 0 {
                LabeledSpan::new_primary_with_span(text, (start, end - start))
            } else {
                LabeledSpan::new_with_span(text, (start, end - start))
            }
        })))
    }
}

/// Renders a diagnostic deterministically: unicode without colour, width 80, no links.
pub fn render(diagnostic: &Diagnostic, file: &SourceFile) -> String {
    render_with(diagnostic, file, GraphicalTheme::unicode_nocolor())
}

/// Renders with a given theme (the CLI uses colour on a terminal).
pub fn render_with(diagnostic: &Diagnostic, file: &SourceFile, theme: GraphicalTheme) -> String {
    let mut out = String::new();
    let report = Report::new(diagnostic, file);
    let handler = GraphicalReportHandler::new_themed(theme).with_width(80).with_links(false);
    if handler.render_report(&mut out, &report).is_err() {
        out = format!("{}: {}\n", file.location(diagnostic.primary_span().start), diagnostic.message);
    }
    out
}

/// One line per diagnostic for CI: `::error file=F,line=L,col=C,title=CODE::message`.
pub fn render_github(diagnostic: &Diagnostic, file: &SourceFile) -> String {
    let (line, col) = file.line_col(diagnostic.primary_span().start);
    let kind = if diagnostic.is_error() { "error" } else { "warning" };
    let escape = |s: &str| s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    let mut message = diagnostic.message.clone();
    if let Some(h) = &diagnostic.help {
        message.push_str(" (help: ");
        message.push_str(h);
        message.push(')');
    }
    format!(
        "::{kind} file={},line={line},col={col},title={}::{}",
        escape(&file.name).replace(',', "%2C").replace(':', "%3A"),
        diagnostic.code,
        escape(&message)
    )
}
