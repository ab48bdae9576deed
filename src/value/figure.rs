//! Money and percent figures as values: `$248,333` and `26.67%`, by kind and exact canonical decimal.
//! (Finding them in text is the `mentions` builtins' job.)

/// What kind of figure a literal is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
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

impl Figure {
    /// Parses a figure literal: `$248,333`, `$1,215,000.00`, `248333` (money) or `26.67%` (percent).
    /// The number is plain (`[0-9]+(\.[0-9]+)?`) or comma-grouped (`[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?`);
    /// nothing else is accepted (no spaces, signs, `USD`, `$` on a percent).
    pub fn parse(text: &str) -> Option<Figure> {
        let (kind, number) = match text.strip_suffix('%') {
            Some(number) => (FigureKind::Percent, number),
            None => (FigureKind::Money, text.strip_prefix('$').unwrap_or(text)),
        };
        is_figure_number(number).then(|| Figure::new(kind, number, text))
    }

    /// A figure of `kind` from a number already known to be plain or grouped.
    pub(crate) fn new(kind: FigureKind, number: &str, written: &str) -> Figure {
        let canonical = canonical_number(number);
        let value = canonical.parse().unwrap_or(f64::NAN);
        Figure { kind, canonical, text: written.to_string(), value }
    }

    /// The key this figure has in a `TokenSet` (the set of figures found in a text).
    pub(crate) fn key(&self) -> (FigureKind, &str) {
        (self.kind, &self.canonical)
    }
}

/// Whether `s` is a plain number `[0-9]+(\.[0-9]+)?` or grouped `[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?`.
pub fn is_figure_number(s: &str) -> bool {
    let bytes = s.as_bytes();
    let all_digits = |p: &[u8]| !p.is_empty() && p.iter().all(u8::is_ascii_digit);
    let (int_part, frac) = match bytes.iter().position(|&b| b == b'.') {
        Some(dot) => (&bytes[..dot], Some(&bytes[dot + 1..])),
        None => (bytes, None),
    };
    if frac.is_some_and(|f| !all_digits(f)) {
        return false;
    }
    let mut groups = int_part.split(|&b| b == b',');
    let first = groups.next().unwrap_or_default();
    if first.len() == int_part.len() {
        return all_digits(first);
    }
    all_digits(first) && first.len() <= 3 && groups.all(|g| g.len() == 3 && all_digits(g))
}

/// Canonical decimal of a plain or grouped number: commas removed, leading zeros of the integer
/// part and trailing zeros of the fraction removed, the `.` dropped when no fraction is left
/// (`1,215,000.00` -> `1215000`, `026.670` -> `26.67`, `0.50` -> `0.5`, `000` -> `0`).
pub fn canonical_number(number: &str) -> String {
    canonical_bytes(number).map(char::from).collect()
}

/// The characters of [`canonical_number`] as bytes, read straight from the number as written (a
/// figure number is ASCII), so a packed key needs no string.
pub(crate) fn canonical_bytes(number: &str) -> impl Iterator<Item = u8> + '_ {
    let bytes = number.as_bytes();
    let (int_part, frac) = match bytes.iter().position(|&b| b == b'.') {
        Some(dot) => (&bytes[..dot], &bytes[dot + 1..]),
        None => (bytes, &[][..]),
    };
    let leading = int_part.iter().take_while(|&&b| b == b'0' || b == b',').count();
    let zero = (leading == int_part.len()).then_some(b'0');
    let significant = frac.iter().rposition(|&b| b != b'0' && b != b',').map_or(0, |last| last + 1);
    let dot = (significant > 0).then_some(b'.');
    let not_comma = |b: &u8| *b != b',';
    zero.into_iter()
        .chain(int_part[leading..].iter().copied().filter(not_comma))
        .chain(dot)
        .chain(frac[..significant].iter().copied().filter(not_comma))
}
