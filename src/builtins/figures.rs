//! Money and percent figures: literals like `$248,333` and `26.67%`, and their mentions in text.

use super::Builtin;

/// What kind of figure a literal is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FigureKind {
    /// `$248,333`: matches a plain number token (not followed by `%`).
    Money,
    /// `26.67%`: matches a number token followed by `%`.
    Percent,
}

/// A figure literal: kind, canonical decimal value (`1215000`, `26.67`) and the text as written.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Figure {
    pub kind: FigureKind,
    pub canonical: String,
    pub text: String,
    pub value: f64,
}

/// Per-case memo of the figure tokens of the last texts scanned.
#[derive(Default)]
pub struct FigureCache {}

impl FigureCache {
    pub fn clear(&mut self) {}
}

pub const BUILTINS: &[Builtin] = &[];

impl Figure {
    /// Placeholder until the figures family lands.
    pub fn parse(text: &str) -> Option<Figure> {
        let (kind, digits) = match text.strip_suffix('%') {
            Some(d) => (FigureKind::Percent, d),
            None => (FigureKind::Money, text.trim_start_matches('$')),
        };
        let canonical = digits.replace(',', "");
        let value = canonical.parse().ok()?;
        Some(Figure { kind, canonical, text: text.to_string(), value })
    }
}
