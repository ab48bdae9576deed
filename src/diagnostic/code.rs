//! The diagnostic codes: one variant per kind of mistake, each with its stable name
//! (`rubric::unknown_name`) and a section in `docs/diagnostics.md` (a test keeps the two in step).

use std::fmt;

/// What a [`super::Diagnostic`] is about. The names are stable: tools match on them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Code {
    /// Too many positional arguments, or a required one left out.
    Arity,
    /// A literal argument a builtin rejects before anything runs: an ast-grep language it does not
    /// support, a malformed ast-grep pattern, a `replace` template that names a group its regex does
    /// not have (`\3` with two groups) or has a bad escape, and the like.
    BadArgument,
    /// A money or percentage literal with a wrong digit grouping.
    BadFigure,
    /// An operator from another language: `&&`, `||`, `!`, `=`, `===`, `!==`, `<>`, `=<`.
    BadOperator,
    /// A path rooted at `sample`, `item` or `case` that is not RFC 9535 JSONPath; the error points at
    /// the offending place inside the path.
    BadPath,
    /// A regex Rust's `regex` crate rejects (it runs in linear time, so it has no backreferences or
    /// look-around), written as a literal or as a string pattern (`matches(x, "(")`), or a flag after a
    /// literal that does not exist (the flags are `i m s x U R u`).
    BadRegex,
    /// `on_error` and `max` take a number literal.
    BadSetting,
    /// One parameter given twice (by position and by name, or by name twice).
    DuplicateArgument,
    /// Two criteria, groups, ladders or steps with one id: ids name results in the trace, so each needs
    /// its own.
    DuplicateId,
    /// An object literal that gives one key twice (the later value would silently win).
    DuplicateKey,
    /// A binding defined twice in one scope; bindings cannot be redefined.
    DuplicateName,
    /// A rubric has one `score`.
    DuplicateScore,
    /// A setting given twice.
    DuplicateSetting,
    /// A group without criteria earns nothing.
    EmptyGroup,
    /// A regex that ends in `$` searches the model's text (`sample.output_text`, a binding of it, or it
    /// lowercased) without the `m` flag.
    EndAnchor,
    /// Raised by `rubric fmt`, never by `check`: the formatted text did not parse back to the same
    /// rubric (or lost a comment), so the formatter wrote nothing.
    FmtInternal,
    /// The name of a function where a value is expected.
    FunctionAsValue,
    /// The positive weights add up to more than the declared `max` (checked when the score is `total`),
    /// so some answers would score above the maximum a trainer expects.
    MaxExceeded,
    /// The declared `max` is more than the positive weights can earn together (checked when the score
    /// is `total`).
    MaxUnreachable,
    /// A criterion or step without its weight, or a group in mode `all`, `any` or `at_least N` without
    /// one (those modes earn the group's weight, so it must be given).
    MissingWeight,
    /// A criterion or step whose check does not depend on the case and is always false (constant
    /// bindings are followed), a gate that never fires, or a group `at_least N` with fewer than `N`
    /// criteria.
    NeverMet,
    /// A value given to a builtin parameter that takes a function (`sort(xs, key: ...)`,
    /// `match_greedy(..., accept: ...)`).
    NotAFunction,
    /// A literal text given to `rational` that is not a number it reads (so the call always gives
    /// null): a decimal with a trailing point or an exponent, a zero denominator, more digits than
    /// `max_digits`.
    NotANumber,
    /// A function that calls itself.
    RecursiveFunction,
    /// A keyword (`score`, `when`, `in`, `at_least`, `sample`, ...) used as a name.
    ReservedName,
    /// `score` is the last item; anything after it would never count.
    ScoreNotLast,
    /// A token the grammar does not allow where it stands.
    Syntax,
    /// Brackets nested more than 200 levels deep (refused before parsing, so that no input can overflow
    /// the stack).
    TooDeep,
    /// A value of a kind that cannot be used where it stands: a builtin argument, an operand of `and`,
    /// `or`, `not` or arithmetic, a criterion body (a bool, or a number in 0..=1), a gate condition (a
    /// bool), a score (a number).
    TypeMismatch,
    /// A `{`, `(` or `[` that is never closed.
    UnclosedDelimiter,
    /// A named argument the builtin does not have.
    UnknownArgument,
    /// A call of a function that is not a builtin (`rubric builtins` lists them); the help suggests the
    /// closest name.
    UnknownFunction,
    /// The body of a rubric holds items, each starting with a keyword; a misspelt keyword gets a did-
    /// you-mean, wherever an item (or a group's criterion, a ladder's step) could start.
    UnknownItem,
    /// A name that is not a binding, a criterion id, `total` or (as an argument) a builtin.
    UnknownName,
    /// A gate whose condition is always true: the criteria after it never run.
    Unreachable,
    /// A string whose closing `"` is missing.
    UnterminatedString,
    /// A binding (or comprehension variable) that nothing reads.
    UnusedBinding,
    /// Items run in order: a binding or criterion can only be read below its definition.
    UsedBeforeDefined,
    /// A criterion of weight 0 can never change the score.
    ZeroWeight,
}

impl Code {
    /// Every code, in name order.
    pub const ALL: &[Code] = &[
        Code::Arity,
        Code::BadArgument,
        Code::BadFigure,
        Code::BadOperator,
        Code::BadPath,
        Code::BadRegex,
        Code::BadSetting,
        Code::DuplicateArgument,
        Code::DuplicateId,
        Code::DuplicateKey,
        Code::DuplicateName,
        Code::DuplicateScore,
        Code::DuplicateSetting,
        Code::EmptyGroup,
        Code::EndAnchor,
        Code::FmtInternal,
        Code::FunctionAsValue,
        Code::MaxExceeded,
        Code::MaxUnreachable,
        Code::MissingWeight,
        Code::NeverMet,
        Code::NotAFunction,
        Code::NotANumber,
        Code::RecursiveFunction,
        Code::ReservedName,
        Code::ScoreNotLast,
        Code::Syntax,
        Code::TooDeep,
        Code::TypeMismatch,
        Code::UnclosedDelimiter,
        Code::UnknownArgument,
        Code::UnknownFunction,
        Code::UnknownItem,
        Code::UnknownName,
        Code::Unreachable,
        Code::UnterminatedString,
        Code::UnusedBinding,
        Code::UsedBeforeDefined,
        Code::ZeroWeight,
    ];

    /// The stable name, e.g. `rubric::unknown_name`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Arity => "rubric::arity",
            Code::BadArgument => "rubric::bad_argument",
            Code::BadFigure => "rubric::bad_figure",
            Code::BadOperator => "rubric::bad_operator",
            Code::BadPath => "rubric::bad_path",
            Code::BadRegex => "rubric::bad_regex",
            Code::BadSetting => "rubric::bad_setting",
            Code::DuplicateArgument => "rubric::duplicate_argument",
            Code::DuplicateId => "rubric::duplicate_id",
            Code::DuplicateKey => "rubric::duplicate_key",
            Code::DuplicateName => "rubric::duplicate_name",
            Code::DuplicateScore => "rubric::duplicate_score",
            Code::DuplicateSetting => "rubric::duplicate_setting",
            Code::EmptyGroup => "rubric::empty_group",
            Code::EndAnchor => "rubric::end_anchor",
            Code::FmtInternal => "rubric::fmt_internal",
            Code::FunctionAsValue => "rubric::function_as_value",
            Code::MaxExceeded => "rubric::max_exceeded",
            Code::MaxUnreachable => "rubric::max_unreachable",
            Code::MissingWeight => "rubric::missing_weight",
            Code::NeverMet => "rubric::never_met",
            Code::NotAFunction => "rubric::not_a_function",
            Code::NotANumber => "rubric::not_a_number",
            Code::RecursiveFunction => "rubric::recursive_function",
            Code::ReservedName => "rubric::reserved_name",
            Code::ScoreNotLast => "rubric::score_not_last",
            Code::Syntax => "rubric::syntax",
            Code::TooDeep => "rubric::too_deep",
            Code::TypeMismatch => "rubric::type_mismatch",
            Code::UnclosedDelimiter => "rubric::unclosed_delimiter",
            Code::UnknownArgument => "rubric::unknown_argument",
            Code::UnknownFunction => "rubric::unknown_function",
            Code::UnknownItem => "rubric::unknown_item",
            Code::UnknownName => "rubric::unknown_name",
            Code::Unreachable => "rubric::unreachable",
            Code::UnterminatedString => "rubric::unterminated_string",
            Code::UnusedBinding => "rubric::unused_binding",
            Code::UsedBeforeDefined => "rubric::used_before_defined",
            Code::ZeroWeight => "rubric::zero_weight",
        }
    }

    /// The code of a stable name.
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == name)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::Code;

    #[test]
    fn names_are_unique_sorted_and_round_trip() {
        let names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        for &code in Code::ALL {
            assert_eq!(Code::from_name(code.as_str()), Some(code));
        }
        assert_eq!(Code::from_name("rubric::no_such_code"), None);
    }
}
