//! pest pairs -> AST. Operator precedence is climbed with pest's Pratt parser.

use std::sync::LazyLock;

use pest::Parser;
use pest::error::InputLocation;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::ast::*;
use super::recover::{self, Segment};
use crate::diagnostic::{Code, Diagnostic};

mod derived {
    #[derive(pest_derive::Parser)]
    #[grammar = "grammar/rubric.pest"]
    pub struct RubricParser;
}
use derived::{RubricParser, Rule};

/// Deepest expression nesting accepted; deeper input is an error, not a stack overflow.
const MAX_DEPTH: usize = 200;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new() // lowest precedence first
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left)
            | Op::infix(Rule::op_in, Assoc::Left)
            | Op::infix(Rule::op_not_in, Assoc::Left))
        .op(Op::infix(Rule::op_coalesce, Assoc::Left))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
        .op(Op::prefix(Rule::op_neg))
        .op(Op::postfix(Rule::member) | Op::postfix(Rule::index) | Op::postfix(Rule::is_test))
});

/// Parses one rubric. On failure returns the syntax errors: after the first one, parsing resumes
/// at the next item (see [`recover`]), so each broken item reports its own error.
pub fn parse(source: &str) -> Result<Rubric, Vec<Diagnostic>> {
    if let Some(d) = too_deep(source) {
        return Err(vec![d]);
    }
    // Records the literal tokens (`}`, `=>`, ...) each failed attempt expected, for the messages.
    pest::set_error_detail(true);
    let mut pairs = RubricParser::parse(Rule::file, source).map_err(|e| recover(source, e))?;
    if let Some(d) = too_many_operators(pairs.clone()) {
        return Err(vec![d]);
    }
    let file = pairs.next().expect("file rule");
    let rubric = file.into_inner().next().expect("rubric rule");
    Ok(build_rubric(rubric))
}

/// Operators a file may hold. Operator chains nest the AST (and every later pass recurses over it),
/// so a bound here keeps deep-but-flat input such as `1 + 1 + ...` or `not not ...` from
/// overflowing the stack.
const MAX_OPERATORS: usize = 10_000;

fn too_many_operators(pairs: Pairs<Rule>) -> Option<Diagnostic> {
    let operators = pairs
        .flatten()
        .filter(|p| is_infix_or_postfix(p.as_rule()) || matches!(p.as_rule(), Rule::op_not | Rule::op_neg));
    let p = operators.into_iter().nth(MAX_OPERATORS)?;
    let span = p.as_span();
    Some(
        Diagnostic::error(
            Code::TooDeep,
            format!("more than {MAX_OPERATORS} operators in one rubric"),
            Span::new(span.start(), span.end()),
            "one operator too many",
        )
        .with_help("split long expressions with `let` bindings or comprehensions over data"),
    )
}

/// Bracket nesting beyond [`MAX_DEPTH`] is refused before pest recurses into it.
fn too_deep(source: &str) -> Option<Diagnostic> {
    let mut depth = 0usize;
    for (i, c) in source.char_indices() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(
                        Diagnostic::error(
                            Code::TooDeep,
                            format!("nesting deeper than {MAX_DEPTH} levels"),
                            Span::new(i, i + 1),
                            "too deep here",
                        )
                        .with_help("split the expression with `let` bindings"),
                    );
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Error recovery: the header is parsed alone, the body is cut into items at item keywords (at
/// the item's own bracket depth; a keyword that cannot be nested where it stands ends an unclosed
/// item), and each item is parsed with the `item_entry` rule. Every broken item gives one error.
fn recover(source: &str, first: pest::error::Error<Rule>) -> Vec<Diagnostic> {
    let whole = Segment {
        start: 0,
        end: source.len(),
        last_token_end: source.trim_end().len(),
        unclosed: None,
        closed_by: None,
    };
    let fallback = |first: &pest::error::Error<Rule>| vec![syntax_error(first, source, &whole)];
    let Ok(head) = RubricParser::parse(Rule::rubric_head, source) else {
        return fallback(&first);
    };
    let head_end = head.into_iter().next().map(|p| p.as_span().end()).unwrap_or(0);
    let scan = recover::scan(source, head_end);
    let mut out = Vec::new();
    if let Some(q) = scan.unterminated_string {
        out.push(
            Diagnostic::error(
                Code::UnterminatedString,
                "unterminated string",
                Span::new(q, q + 1),
                "this string is never closed",
            )
            .with_help("add the closing `\"`; a quote inside a string is written `\\\"`"),
        );
    }
    for seg in &scan.segments {
        // Past an unterminated string, quotes pair up wrongly: nothing there can be trusted.
        if scan.unterminated_string.is_some_and(|q| q < seg.end) {
            break;
        }
        if let Err(e) = RubricParser::parse(Rule::item_entry, &source[seg.start..seg.end]) {
            out.push(syntax_error(&e, source, seg));
        }
    }
    match scan.close {
        None if scan.unterminated_string.is_none() => {
            let end = source.trim_end().len();
            out.push(
                Diagnostic::error(
                    Code::UnclosedDelimiter,
                    "unclosed `{`",
                    Span::new(head_end - 1, head_end),
                    "this `{` is never closed",
                )
                .with_label(Span::new(end, end), "expected `}` here")
                .with_help("add the missing `}`: at the end of the rubric, or at the end of an item above"),
            );
        }
        Some(close) => {
            let rest = skip_blank(source, close + 1);
            if rest < source.len() {
                out.push(
                    Diagnostic::error(
                        Code::Syntax,
                        format!("expected end of file, found {}", found(source, rest)),
                        Span::new(rest, token_end(source, rest)),
                        "after the rubric's closing `}`",
                    )
                    .with_label(Span::new(close, close + 1), "the rubric ends here")
                    .with_help("a file holds one rubric; is there a `}` too many above?"),
                );
            }
        }
        None => {}
    }
    if out.is_empty() { fallback(&first) } else { out }
}

/// The first offset at or after `i` that is not blank or inside a comment.
fn skip_blank(s: &str, mut i: usize) -> usize {
    let b = s.as_bytes();
    while i < b.len() {
        if b[i].is_ascii_whitespace() || s[i..].starts_with('\u{FEFF}') {
            i += if b[i].is_ascii() { 1 } else { 3 };
        } else if s[i..].starts_with("//") {
            i = s[i..].find('\n').map_or(s.len(), |n| i + n);
        } else {
            break;
        }
    }
    i
}

/// Operators from other languages, with the rubric spelling.
const FOREIGN_OPERATORS: [(&str, &str); 9] = [
    ("===", "=="),
    ("!==", "!="),
    ("&&", "and"),
    ("||", "or"),
    ("<>", "!="),
    ("=<", "<="),
    ("=>", "=>"),
    ("=", "=="),
    ("!", "not"),
];

/// The token at `i`: a word, a number, a string, an operator or one character.
fn token_end(s: &str, i: usize) -> usize {
    let b = s.as_bytes();
    if i >= b.len() {
        return i;
    }
    let c = b[i];
    if c.is_ascii_alphanumeric() || c == b'_' {
        let mut j = i;
        while j < b.len()
            && (b[j].is_ascii_alphanumeric()
                || b[j] == b'_'
                || (b[j] == b'.' && b.get(j + 1).is_some_and(u8::is_ascii_digit)))
        {
            j += 1;
        }
        return j;
    }
    if c == b'"' {
        let line_end = s[i..].find('\n').map_or(s.len(), |n| i + n);
        let mut j = i + 1;
        while j < line_end {
            match b[j] {
                b'\\' => j += 2,
                b'"' => return j + 1,
                _ => j += 1,
            }
        }
        return line_end.max(i + 1);
    }
    for (op, _) in FOREIGN_OPERATORS.iter().chain(&[("==", ""), ("!=", ""), ("<=", ""), (">=", ""), ("??", "")]) {
        if s[i..].starts_with(op) {
            return i + op.len();
        }
    }
    i + s[i..].chars().next().map_or(1, char::len_utf8)
}

/// "`word`", "a string", "end of file" for the token at `i`.
fn found(s: &str, i: usize) -> String {
    if i >= s.len() {
        return "end of file".into();
    }
    let end = token_end(s, i);
    let t = &s[i..end];
    if t.starts_with('"') {
        return "a string".into();
    }
    format!("`{t}`")
}

fn join_alternatives(items: &[String]) -> String {
    match items {
        [] => "something else".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// Where an error is (relative to the parsed text) and what the parser expected there, in words:
/// rules by their friendly names (operators collapsed into "an operator", expression starts into
/// "an expression") and the literal punctuation it tried.
fn expected(e: &pest::error::Error<Rule>) -> (usize, Vec<Rule>, Vec<String>) {
    let (mut pos, mut rules) = match (&e.variant, e.location.clone()) {
        (pest::error::ErrorVariant::ParsingError { positives, .. }, InputLocation::Pos(p)) => (p, positives.clone()),
        (_, InputLocation::Pos(p)) => (p, Vec::new()),
        (_, InputLocation::Span((p, _))) => (p, Vec::new()),
    };
    let mut tokens = Vec::new();
    // The detailed attempts may reach further than the rule positives (a literal such as `:` or
    // `=>` that failed after the last rule): the furthest position is the better one, unless only
    // a lookahead got there (`let score`: `score` matched as a keyword, then failed).
    if let Some(attempts) = e.parse_attempts().filter(|a| a.max_position >= pos) {
        let found: Vec<String> = attempts.expected_tokens().iter().map(ToString::to_string).collect();
        let telling = found.iter().any(|t| is_punctuation(t) || is_operator_token(t));
        if attempts.max_position == pos || telling {
            if attempts.max_position > pos {
                rules.clear();
                pos = attempts.max_position;
            }
            // (pest does not export its token type; a case-sensitive token displays as itself)
            tokens = found;
        }
    }
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    // (`ident` alone is a name, as after `let`)
    let expression = rules.iter().any(|r| starts_expression(*r) && *r != Rule::ident);
    if expression {
        push("an expression".into());
    }
    let mut operator = false;
    for r in &rules {
        if is_operator(*r) {
            operator = true;
        } else if !(expression && starts_expression(*r))
            && let Some(name) = friendly(r)
        {
            push(name.to_string());
        }
    }
    for token in &tokens {
        match token.as_str() {
            "(" | "[" | "{" | "-" if expression => {}
            "[" => operator = true,
            t if is_punctuation(t) => push(format!("`{token}`")),
            t if is_operator_token(t) => operator = true,
            _ => {}
        }
    }
    if operator {
        push("an operator".into());
    }
    rules.sort_by_key(|r| *r as usize);
    rules.dedup();
    (pos, rules, out)
}

fn is_punctuation(t: &str) -> bool {
    matches!(t, "{" | "}" | "(" | ")" | "[" | "]" | "," | ":" | "=" | "=>")
}

fn is_operator_token(t: &str) -> bool {
    matches!(t, "+" | "-" | "*" | "/" | "<" | ">" | "==" | "!=" | "<=" | ">=" | "??" | "." | "and" | "or" | "in" | "is")
}

/// Rules an expression can start with.
fn starts_expression(r: Rule) -> bool {
    matches!(
        r,
        Rule::expr
            | Rule::op_not
            | Rule::op_neg
            | Rule::comprehension
            | Rule::conditional
            | Rule::call
            | Rule::json_path
            | Rule::path_root
            | Rule::money
            | Rule::percent
            | Rule::number
            | Rule::string
            | Rule::regex
            | Rule::kw_true
            | Rule::kw_false
            | Rule::kw_null
            | Rule::list
            | Rule::object
            | Rule::ident
            | Rule::kw_for
            | Rule::kw_if
    )
}

fn is_operator(r: Rule) -> bool {
    is_infix_or_postfix(r) || r == Rule::kw_is
}

/// The binary operators and the postfix ones (`.field`, `[index]`, `is TYPE`).
fn is_infix_or_postfix(r: Rule) -> bool {
    matches!(
        r,
        Rule::op_or
            | Rule::op_and
            | Rule::op_coalesce
            | Rule::op_eq
            | Rule::op_ne
            | Rule::op_le
            | Rule::op_ge
            | Rule::op_lt
            | Rule::op_gt
            | Rule::op_not_in
            | Rule::op_in
            | Rule::op_add
            | Rule::op_sub
            | Rule::op_mul
            | Rule::op_div
            | Rule::member
            | Rule::index
            | Rule::is_test
    )
}

/// The shape of the item a segment starts with, for the help of its syntax errors.
fn item_shape(keyword: &str) -> &'static str {
    match keyword {
        "let" => "a binding is `let NAME = EXPR`",
        "fn" => "a function is `fn NAME(PARAM, PARAM: TYPE) = EXPR`",
        "criterion" => "a criterion is `criterion ID +WEIGHT \"label\" { EXPR }`",
        "group" => {
            "a group is `group ID +WEIGHT \"label\" MODE { criterion ... }` (weight, label and mode `all`, `any`, `at_least N` are optional)"
        }
        "ladder" => "a ladder is `ladder ID \"label\" { step ID +WEIGHT \"label\": EXPR ... }`",
        "step" => "a ladder step is `step ID +WEIGHT \"label\": EXPR`",
        "when" => "a gate is `when CONDITION => VALUE`",
        "score" => "the score is `score EXPR`, the last item",
        "on_error" | "max" => "a setting is `on_error NUMBER` or `max NUMBER`",
        _ => "a rubric is `rubric NAME \"description\" { items }`; see the language tour in README.md",
    }
}

/// One syntax error of the item `seg` (or of the whole file), with a code for the common shapes.
fn syntax_error(e: &pest::error::Error<Rule>, source: &str, seg: &Segment) -> Diagnostic {
    let (rel, positives, alternatives) = expected(e);
    // (pest may place an error before the blanks that precede the offending token)
    let pos = skip_blank(source, (seg.start + rel).min(source.len()));
    let rel = pos - seg.start;
    let at_end = pos >= seg.last_token_end && seg.end < source.len() || pos >= source.trim_end().len();
    let first_word = &source[seg.start..token_end(source, seg.start)];
    let shape = item_shape(first_word);
    // (an item ends where the next item starts, not at the end of the file)
    let alternatives: Vec<String> = alternatives
        .into_iter()
        .map(|a| if seg.start > 0 && a == "end of file" { "a new item".to_string() } else { a })
        .collect();
    let expectation = join_alternatives(&alternatives);

    if seg.start > 0 && rel == 0 && !recover::ITEM_KEYWORDS.contains(&first_word) {
        let suggestion = crate::diagnostic::did_you_mean(first_word, recover::ITEM_KEYWORDS);
        return not_an_item(source, pos, suggestion);
    }
    let token = &source[pos..token_end(source, pos)];
    // A misspelt keyword where an item could start (after a complete item, or among a group's
    // criteria or a ladder's steps) is not part of the item before it.
    if seg.start > 0 && is_word(token) && !is_keyword(token) {
        let mut keywords: Vec<&str> = Vec::new();
        if positives.contains(&Rule::EOI) {
            keywords.extend(recover::ITEM_KEYWORDS);
        }
        if positives.iter().any(|r| matches!(r, Rule::criterion | Rule::kw_criterion)) {
            keywords.push("criterion");
        }
        if positives.contains(&Rule::step) || positives.contains(&Rule::kw_step) {
            keywords.push("step");
        }
        if let Some(k) = crate::diagnostic::did_you_mean(token, keywords.iter().copied()) {
            return not_an_item(source, pos, Some(k));
        }
    }
    if at_end && let Some((open, at)) = seg.unclosed {
        let close = match open {
            '{' => '}',
            '(' => ')',
            _ => ']',
        };
        let end = seg.last_token_end;
        let d = Diagnostic::error(
            Code::UnclosedDelimiter,
            format!("unclosed `{open}`"),
            Span::new(at, at + 1),
            format!("this `{open}` is never closed"),
        );
        return match seg.closed_by {
            Some(c) => d
                .with_label(Span::new(c, c + 1), format!("expected `{close}` before this `{}`", &source[c..c + 1]))
                .with_help(format!("add the missing `{close}`; {shape}")),
            None => d
                .with_label(Span::new(end, end), format!("expected `{close}` here"))
                .with_help(format!("add `{close}` before the next item; {shape}")),
        };
    }
    if let Some((bad, good)) = FOREIGN_OPERATORS.iter().find(|(op, _)| *op == token && *op != "=>") {
        let help = if *bad == "=" {
            "compare with `==`; bindings are made with `let NAME = EXPR`".to_string()
        } else {
            format!("write `{good}`")
        };
        return Diagnostic::error(
            Code::BadOperator,
            format!("`{bad}` is not a rubric operator"),
            Span::new(pos, pos + bad.len()),
            "not an operator",
        )
        .with_help(help);
    }
    if positives == [Rule::weight] {
        // The weight belongs to the nearest `criterion` or `step` before it (inside a group, the
        // segment's own keyword is `group`).
        let owner = ["criterion", "step"]
            .iter()
            .filter_map(|k| source[seg.start..pos].rfind(k).map(|i| (i, *k)))
            .max()
            .map_or(shape, |(_, k)| item_shape(k));
        // A sign followed by something else: name what follows it.
        if matches!(token, "+" | "-") {
            let next = skip_blank(source, pos + 1);
            let what = &source[next..token_end(source, next)];
            let help = match what.strip_prefix('"').and_then(|w| w.strip_suffix('"')) {
                _ if what.parse::<f64>().is_ok() => format!("write the sign next to the number: `{token}{what}`"),
                Some(n) if n.trim().parse::<f64>().is_ok() => {
                    format!("write the number without quotes: `{token}{}`", n.trim())
                }
                _ if is_word(what) => "a weight is fixed when the rubric is written: write a number such as `+0.5` \
                    (a computed share of the weight is the criterion's value: a number in 0..=1)"
                    .to_string(),
                _ => format!("{owner}; a negative weight (`-0.5`) is a penalty"),
            };
            return Diagnostic::error(
                Code::MissingWeight,
                format!("a weight is a number literal, found {}", found(source, next)),
                Span::new(next, token_end(source, next).max(next + 1).min(source.len())),
                "not a number",
            )
            .with_label(Span::new(pos, pos + 1), "the weight's sign")
            .with_help(help);
        }
        return Diagnostic::error(
            Code::MissingWeight,
            format!("expected a weight such as `+0.5`, found {}", found(source, pos)),
            Span::new(pos, token_end(source, pos)),
            "a weight goes here",
        )
        .with_help(format!("{owner}; a negative weight (`-0.5`) is a penalty"));
    }
    let names_expected = positives.contains(&Rule::ident) || alternatives.iter().any(|a| a == "an expression");
    let starts_expression = ["true", "false", "null", "not", "if", "for", "sample", "item", "case"];
    if names_expected && is_keyword(token) && !starts_expression.contains(&token) {
        return Diagnostic::error(
            Code::ReservedName,
            format!("`{token}` is a keyword, not a name"),
            Span::new(pos, pos + token.len()),
            "keyword",
        )
        .with_help(format!("choose another name, e.g. `{token}_value`"));
    }
    let (span, label) = if at_end && pos > seg.last_token_end {
        let end = seg.last_token_end;
        (Span::new(end, end), format!("expected {expectation} after this"))
    } else {
        (Span::new(pos, token_end(source, pos)), format!("unexpected {}", found(source, pos)))
    };
    Diagnostic::error(Code::Syntax, format!("expected {expectation}, found {}", found(source, pos)), span, label)
        .with_help(shape)
}

/// `expected an item, found WORD`, with a did-you-mean or the list of item keywords.
fn not_an_item(source: &str, pos: usize, suggestion: Option<&str>) -> Diagnostic {
    let help = match suggestion {
        Some(k) => format!("did you mean `{k}`?"),
        None => "items start with `let`, `criterion`, `group`, `ladder`, `when`, `score`, `on_error` or `max`".into(),
    };
    Diagnostic::error(
        Code::UnknownItem,
        format!("expected an item, found {}", found(source, pos)),
        Span::new(pos, token_end(source, pos)),
        "not an item keyword",
    )
    .with_help(help)
}

/// A name-like token (`critrion`, `high`), not a number.
fn is_word(token: &str) -> bool {
    token.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
}

fn is_keyword(word: &str) -> bool {
    RubricParser::parse(Rule::keyword, word).is_ok_and(|p| p.as_str() == word)
}

fn friendly(r: &Rule) -> Option<&'static str> {
    Some(match r {
        Rule::EOI => "end of file",
        Rule::rubric | Rule::kw_rubric => "`rubric NAME \"description\" { ... }`",
        Rule::ident | Rule::ident_any => "a name",
        Rule::string | Rule::string_inner => "a string",
        Rule::number | Rule::integer => "a number",
        Rule::weight => "a weight such as `+0.1`",
        Rule::expr => "an expression",
        Rule::setting | Rule::setting_name => "a setting (`on_error`, `max`)",
        Rule::let_item | Rule::kw_let => "`let`",
        Rule::criterion | Rule::kw_criterion => "`criterion`",
        Rule::group | Rule::kw_group => "`group`",
        Rule::ladder | Rule::kw_ladder => "`ladder`",
        Rule::step | Rule::kw_step => "`step`",
        Rule::gate | Rule::kw_when => "`when`",
        Rule::score_item | Rule::kw_score => "`score`",
        Rule::body => "a criterion body `{ ... }`",
        Rule::group_mode | Rule::mode_all | Rule::mode_any | Rule::mode_at_least => {
            "a group mode (`all`, `any`, `at_least N`)"
        }
        Rule::op_or | Rule::op_and => "`and` / `or`",
        Rule::op_coalesce => "`??`",
        Rule::op_eq | Rule::op_ne | Rule::op_lt | Rule::op_le | Rule::op_gt | Rule::op_ge => "a comparison",
        Rule::op_in | Rule::op_not_in => "`in`",
        Rule::op_add | Rule::op_sub | Rule::op_mul | Rule::op_div => "an operator",
        Rule::op_not | Rule::op_neg => "`not` / `-`",
        Rule::member => "`.field`",
        Rule::index => "`[index]`",
        Rule::is_test | Rule::kw_is => "`is`",
        Rule::type_name => "a type name (missing, null, bool, number, string, list, object, error)",
        Rule::call => "a call",
        Rule::arg | Rule::arg_name => "an argument",
        Rule::comprehension | Rule::kw_for => "`for x in xs: ...`",
        Rule::conditional | Rule::kw_if => "`if ... then ... else ...`",
        Rule::kw_then => "`then`",
        Rule::kw_else => "`else`",
        Rule::kw_in => "`in`",
        Rule::kw_where => "`where`",
        Rule::list => "a list",
        Rule::object | Rule::object_entry => "an object `{name: value}`",
        Rule::fn_item | Rule::kw_fn => "`fn NAME(PARAMS) = EXPR`",
        Rule::fn_param => "a parameter",
        Rule::json_path | Rule::path_root => "a path (`sample...`, `item...`, `case...`)",
        Rule::money => "a money figure like `$1,000`",
        Rule::percent => "a percentage like `12.5%`",
        Rule::regex | Rule::regex_body | Rule::regex_flags => "a regex `/.../`",
        Rule::kw_true | Rule::kw_false => "a boolean",
        Rule::kw_null => "`null`",
        _ => return None,
    })
}

fn span(p: &Pair<Rule>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

fn ident(p: Pair<Rule>) -> Ident {
    Ident { span: span(&p), name: p.as_str().to_string() }
}

fn text(p: Pair<Rule>) -> Text {
    let sp = span(&p);
    let inner = p.into_inner().next().map(|i| i.as_str()).unwrap_or("");
    Text { value: unescape(inner), span: sp }
}

/// String escapes: `\"`, `\\`, `\n`, `\t`, `\r`, `\0`, `\u{XXXX}`; anything else is kept as written.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('u') if chars.peek() == Some(&'{') => {
                chars.next();
                let hex: String = chars.by_ref().take_while(|c| *c != '}').collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push_str("\\u{");
                        out.push_str(&hex);
                        out.push('}');
                    }
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn weight(p: Pair<Rule>) -> Weight {
    let t = p.as_str();
    Weight { value: t.parse().unwrap_or(0.0), text: t.to_string(), span: span(&p) }
}

fn build_rubric(p: Pair<Rule>) -> Rubric {
    let sp = span(&p);
    let mut inner = p.into_inner();
    inner.next(); // kw_rubric
    let name = ident(inner.next().expect("rubric name"));
    let mut description = None;
    let mut items = Vec::new();
    for q in inner {
        match q.as_rule() {
            Rule::string => description = Some(text(q)),
            _ => items.push(build_item(q)),
        }
    }
    Rubric { name, description, items, span: sp }
}

fn build_let(p: Pair<Rule>) -> Let {
    let sp = span(&p);
    let mut inner = p.into_inner();
    inner.next(); // kw_let
    let name = ident(inner.next().expect("let name"));
    let value = build_expr(inner.next().expect("let value"));
    Let { name, value, span: sp }
}

fn build_criterion(p: Pair<Rule>) -> Criterion {
    let sp = span(&p);
    let mut inner = p.into_inner();
    inner.next(); // kw_criterion
    let id = ident(inner.next().expect("criterion id"));
    let weight = weight(inner.next().expect("criterion weight"));
    let mut label = None;
    let mut lets = Vec::new();
    let mut body = None;
    for q in inner {
        match q.as_rule() {
            Rule::string => label = Some(text(q)),
            Rule::body => {
                for b in q.into_inner() {
                    match b.as_rule() {
                        Rule::let_item => lets.push(build_let(b)),
                        _ => body = Some(build_expr(b)),
                    }
                }
            }
            _ => {}
        }
    }
    Criterion { id, weight, label, lets, body: body.expect("criterion body"), span: sp }
}

fn build_item(p: Pair<Rule>) -> Item {
    let sp = span(&p);
    match p.as_rule() {
        Rule::setting => {
            let mut inner = p.into_inner();
            let name = ident(inner.next().expect("setting name"));
            let value = build_expr(inner.next().expect("setting value"));
            Item::Setting(Setting { name, value, span: sp })
        }
        Rule::let_item => Item::Let(build_let(p)),
        Rule::fn_item => {
            let mut inner = p.into_inner();
            inner.next(); // kw_fn
            let name = ident(inner.next().expect("function name"));
            let mut params = Vec::new();
            let mut body = None;
            for q in inner {
                match q.as_rule() {
                    Rule::fn_param => {
                        let mut pi = q.into_inner();
                        let name = ident(pi.next().expect("parameter name"));
                        let ty = pi.next().and_then(|t| TypeName::parse(t.as_str()));
                        params.push(FunctionParam { name, ty });
                    }
                    _ => body = Some(build_expr(q)),
                }
            }
            Item::Function(Function { name, params, body: body.expect("function body"), span: sp })
        }
        Rule::criterion => Item::Criterion(build_criterion(p)),
        Rule::group => {
            let mut inner = p.into_inner();
            inner.next(); // kw_group
            let id = ident(inner.next().expect("group id"));
            let (mut w, mut label, mut mode, mut members) = (None, None, GroupMode::Sum, Vec::new());
            for q in inner {
                match q.as_rule() {
                    Rule::weight => w = Some(weight(q)),
                    Rule::string => label = Some(text(q)),
                    Rule::group_mode => {
                        let m = q.into_inner().next().expect("mode");
                        mode = match m.as_rule() {
                            Rule::mode_all => GroupMode::All,
                            Rule::mode_any => GroupMode::Any,
                            _ => {
                                let n = m.into_inner().nth(1).map(|n| n.as_str().parse().unwrap_or(usize::MAX));
                                GroupMode::AtLeast(n.unwrap_or(1))
                            }
                        }
                    }
                    Rule::let_item => members.push(GroupMember::Let(build_let(q))),
                    Rule::criterion => members.push(GroupMember::Criterion(build_criterion(q))),
                    _ => {}
                }
            }
            Item::Group(Group { id, weight: w, label, mode, members, span: sp })
        }
        Rule::ladder => {
            let mut inner = p.into_inner();
            inner.next(); // kw_ladder
            let id = ident(inner.next().expect("ladder id"));
            let (mut label, mut steps) = (None, Vec::new());
            for q in inner {
                match q.as_rule() {
                    Rule::string => label = Some(text(q)),
                    Rule::step => {
                        let ssp = span(&q);
                        let mut si = q.into_inner();
                        si.next(); // kw_step
                        let id = ident(si.next().expect("step id"));
                        let w = weight(si.next().expect("step weight"));
                        let mut label = None;
                        let mut body = None;
                        for r in si {
                            match r.as_rule() {
                                Rule::string => label = Some(text(r)),
                                _ => body = Some(build_expr(r)),
                            }
                        }
                        steps.push(Step { id, weight: w, label, body: body.expect("step body"), span: ssp });
                    }
                    _ => {}
                }
            }
            Item::Ladder(Ladder { id, label, steps, span: sp })
        }
        Rule::gate => {
            let mut inner = p.into_inner();
            inner.next(); // kw_when
            let condition = build_expr(inner.next().expect("gate condition"));
            let value = build_expr(inner.next().expect("gate value"));
            Item::Gate(Gate { condition, value, span: sp })
        }
        Rule::score_item => {
            let mut inner = p.into_inner();
            inner.next(); // kw_score
            Item::Score(build_expr(inner.next().expect("score expression")))
        }
        r => unreachable!("unexpected item {r:?}"),
    }
}

fn build_expr(p: Pair<Rule>) -> Expr {
    debug_assert_eq!(p.as_rule(), Rule::expr);
    climb(p.into_inner())
}

fn climb(pairs: Pairs<Rule>) -> Expr {
    PRATT
        .map_primary(build_primary)
        .map_prefix(|op, rhs| {
            let sp = span(&op).to(rhs.span);
            let op = if op.as_rule() == Rule::op_not { UnOp::Not } else { UnOp::Neg };
            Expr { kind: ExprKind::Unary(op, Box::new(rhs)), span: sp }
        })
        .map_postfix(|lhs, op| {
            let sp = lhs.span.to(span(&op));
            let kind = match op.as_rule() {
                Rule::member => ExprKind::Member(Box::new(lhs), ident(op.into_inner().next().expect("member name"))),
                Rule::index => {
                    ExprKind::Index(Box::new(lhs), Box::new(build_expr(op.into_inner().next().expect("index"))))
                }
                _ => {
                    let mut negated = false;
                    let mut ty = TypeName::Null;
                    for q in op.into_inner() {
                        match q.as_rule() {
                            Rule::is_not => negated = true,
                            Rule::type_name => ty = TypeName::parse(q.as_str()).unwrap_or(TypeName::Null),
                            _ => {}
                        }
                    }
                    ExprKind::Is { value: Box::new(lhs), negated, ty }
                }
            };
            Expr { kind, span: sp }
        })
        .map_infix(|lhs, op, rhs| {
            let sp = lhs.span.to(rhs.span);
            let op = match op.as_rule() {
                Rule::op_or => BinOp::Or,
                Rule::op_and => BinOp::And,
                Rule::op_coalesce => BinOp::Coalesce,
                Rule::op_eq => BinOp::Eq,
                Rule::op_ne => BinOp::Ne,
                Rule::op_lt => BinOp::Lt,
                Rule::op_le => BinOp::Le,
                Rule::op_gt => BinOp::Gt,
                Rule::op_ge => BinOp::Ge,
                Rule::op_in => BinOp::In,
                Rule::op_not_in => BinOp::NotIn,
                Rule::op_add => BinOp::Add,
                Rule::op_sub => BinOp::Sub,
                Rule::op_mul => BinOp::Mul,
                _ => BinOp::Div,
            };
            Expr { kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)), span: sp }
        })
        .parse(pairs)
}

fn build_primary(p: Pair<Rule>) -> Expr {
    let sp = span(&p);
    let kind = match p.as_rule() {
        Rule::expr => {
            let input = p.as_span().get_input();
            let inner = build_expr(p);
            // (a literal, name or path keeps the span of its token: its text is read from it)
            let token = matches!(
                inner.kind,
                ExprKind::Null
                    | ExprKind::Bool(_)
                    | ExprKind::Number(_)
                    | ExprKind::Str(_)
                    | ExprKind::Regex { .. }
                    | ExprKind::Figure(_)
                    | ExprKind::Name(_)
                    | ExprKind::Path(_)
            );
            return if token { inner } else { Expr { span: with_parentheses(input, inner.span), ..inner } };
        }
        Rule::number => ExprKind::Number(p.as_str().parse().unwrap_or(f64::INFINITY)),
        Rule::string => ExprKind::Str(text(p).value),
        Rule::money | Rule::percent => ExprKind::Figure(p.as_str().to_string()),
        Rule::regex => {
            let mut inner = p.into_inner();
            let source = inner.next().map(|b| b.as_str().replace("\\/", "/")).unwrap_or_default();
            let flags = inner.next().map(|f| f.as_str().to_string()).unwrap_or_default();
            ExprKind::Regex { source, flags }
        }
        Rule::kw_true => ExprKind::Bool(true),
        Rule::kw_false => ExprKind::Bool(false),
        Rule::kw_null => ExprKind::Null,
        Rule::list => ExprKind::List(p.into_inner().map(build_expr).collect()),
        Rule::object => ExprKind::Object(
            p.into_inner()
                .map(|entry| {
                    let mut ei = entry.into_inner();
                    let key = ei.next().expect("object key");
                    let key = match key.as_rule() {
                        Rule::string => text(key),
                        _ => Text { value: key.as_str().to_string(), span: span(&key) },
                    };
                    (key, build_expr(ei.next().expect("object value")))
                })
                .collect(),
        ),
        Rule::ident => ExprKind::Name(p.as_str().to_string()),
        Rule::json_path => ExprKind::Path(p.as_str().to_string()),
        Rule::call => {
            let mut inner = p.into_inner();
            let name = ident(inner.next().expect("callee"));
            let args = inner
                .map(|a| {
                    let mut ai = a.into_inner();
                    let first = ai.next().expect("argument");
                    if first.as_rule() == Rule::arg_name {
                        let name = ident(first.into_inner().next().expect("argument name"));
                        Arg { name: Some(name), value: build_expr(ai.next().expect("argument value")) }
                    } else {
                        Arg { name: None, value: build_expr(first) }
                    }
                })
                .collect();
            ExprKind::Call { name, args }
        }
        Rule::comprehension => {
            let mut inner = p.into_inner();
            inner.next(); // for
            let var = ident(inner.next().expect("variable"));
            inner.next(); // in
            let source = Box::new(build_expr(inner.next().expect("source")));
            let mut filter = None;
            let mut body = None;
            for q in inner {
                match q.as_rule() {
                    Rule::kw_where => {}
                    Rule::expr if body.is_none() && filter.is_none() && q.as_rule() == Rule::expr => {
                        body = Some(build_expr(q))
                    }
                    Rule::expr => {
                        // `where` was present: the first expression was the filter.
                        filter = body.take().map(Box::new);
                        body = Some(build_expr(q));
                    }
                    _ => {}
                }
            }
            let body = Box::new(body.expect("comprehension body"));
            // (the pair's span runs on over the blanks and comments after the body)
            return Expr {
                span: Span::new(sp.start, body.span.end),
                kind: ExprKind::Comprehension { var, source, filter, body },
            };
        }
        Rule::conditional => {
            let mut inner = p.into_inner().filter(|q| q.as_rule() == Rule::expr);
            let condition = Box::new(build_expr(inner.next().expect("condition")));
            let then = Box::new(build_expr(inner.next().expect("then")));
            let otherwise = Box::new(build_expr(inner.next().expect("else")));
            // (the pair's span runs on over the blanks and comments after the `else` branch)
            return Expr {
                span: Span::new(sp.start, otherwise.span.end),
                kind: ExprKind::If { condition, then, otherwise },
            };
        }
        r => unreachable!("unexpected primary {r:?}"),
    };
    Expr { kind, span: sp }
}

/// The span of a parenthesised operation, parentheses included, so that the source text of what
/// contains it (quoted in traces) stays balanced, and the formatter sees the author's parentheses. (A comment between `(` and the expression is
/// rare; the span is then left without the parentheses.)
fn with_parentheses(input: &str, inner: Span) -> Span {
    let open = input[..inner.start].trim_end_matches([' ', '\t', '\r', '\n', '\u{FEFF}']);
    let close = skip_blank(input, inner.end);
    if open.ends_with('(') && input[close..].starts_with(')') { Span::new(open.len() - 1, close + 1) } else { inner }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(src: &str) -> String {
        let r = parse(&format!("rubric t {{ score {src} }}")).unwrap_or_else(|e| panic!("{e:?}"));
        match &r.items[0] {
            Item::Score(e) => sexpr(e),
            _ => unreachable!(),
        }
    }

    /// Compact s-expression rendering for precedence tests.
    fn sexpr(e: &Expr) -> String {
        match &e.kind {
            ExprKind::Null => "null".into(),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Number(n) => n.to_string(),
            ExprKind::Str(s) => format!("{s:?}"),
            ExprKind::Regex { source, flags } => format!("/{source}/{flags}"),
            ExprKind::Figure(f) => f.clone(),
            ExprKind::List(xs) => {
                format!("[{}]", xs.iter().map(sexpr).collect::<Vec<_>>().join(" "))
            }
            ExprKind::Object(entries) => format!(
                "{{{}}}",
                entries.iter().map(|(k, v)| format!("{:?}:{}", k.value, sexpr(v))).collect::<Vec<_>>().join(" ")
            ),
            ExprKind::Name(n) => n.clone(),
            ExprKind::Path(p) => format!("${p}"),
            ExprKind::Member(b, m) => format!("(. {} {})", sexpr(b), m.name),
            ExprKind::Index(b, i) => format!("([] {} {})", sexpr(b), sexpr(i)),
            ExprKind::Call { name, args } => format!(
                "({}{})",
                name.name,
                args.iter()
                    .map(|a| match &a.name {
                        Some(n) => format!(" {}:{}", n.name, sexpr(&a.value)),
                        None => format!(" {}", sexpr(&a.value)),
                    })
                    .collect::<String>()
            ),
            ExprKind::Unary(op, x) => format!("({op:?} {})", sexpr(x)),
            ExprKind::Binary(op, a, b) => format!("({} {} {})", op.symbol(), sexpr(a), sexpr(b)),
            ExprKind::Is { value, negated, ty } => {
                format!("(is{} {} {})", if *negated { "-not" } else { "" }, sexpr(value), ty.name())
            }
            ExprKind::If { condition, then, otherwise } => {
                format!("(if {} {} {})", sexpr(condition), sexpr(then), sexpr(otherwise))
            }
            ExprKind::Comprehension { var, source, filter, body } => format!(
                "(for {} {}{} {})",
                var.name,
                sexpr(source),
                filter.as_ref().map(|f| format!(" where {}", sexpr(f))).unwrap_or_default(),
                sexpr(body)
            ),
        }
    }

    #[test]
    fn arithmetic_binds_tighter_than_comparison() {
        assert_eq!(expr("1 + 2 * 3 >= 4"), "(>= (+ 1 (* 2 3)) 4)");
    }
    #[test]
    fn and_binds_tighter_than_or() {
        assert_eq!(expr("a or b and c"), "(or a (and b c))");
    }
    #[test]
    fn not_binds_looser_than_comparison() {
        assert_eq!(expr("not a == b"), "(Not (== a b))");
    }
    #[test]
    fn coalesce_binds_tighter_than_comparison() {
        assert_eq!(expr("sample.x ?? 0 > 5"), "(> (?? $sample.x 0) 5)");
    }
    #[test]
    fn paths_are_single_tokens() {
        assert_eq!(expr("item.reference_answer[?@.score > 0.5].name"), "$item.reference_answer[?@.score > 0.5].name");
        assert_eq!(expr("sample..name"), "$sample..name");
    }
    #[test]
    fn postfix_member_index_and_is() {
        assert_eq!(expr("b.path[0] is not missing"), "(is-not ([] (. b path) 0) missing)");
    }
    #[test]
    fn figures_and_regexes() {
        assert_eq!(expr("[$1,215,000, 26.67%, /<\\/?plan>/i]"), "[$1,215,000 26.67% /</?plan>/i]");
        assert_eq!(expr("a / b / c"), "(/ (/ a b) c)");
    }
    #[test]
    fn comprehensions_with_and_without_filter() {
        assert_eq!(expr("all(for t in xs: f(t))"), "(all (for t xs (f t)))");
        assert_eq!(expr("any(for b in bs where b.x in [1]: g(b))"), "(any (for b bs where (in (. b x) [1]) (g b)))");
    }
    #[test]
    fn named_arguments() {
        assert_eq!(expr("best_match_f1(a, b, similarity: ratio)"), "(best_match_f1 a b similarity:ratio)");
    }
    #[test]
    fn conditional_expression() {
        assert_eq!(expr("if a then 1 else 2 + 3"), "(if a 1 (+ 2 3))");
    }
    #[test]
    fn not_in_operator() {
        assert_eq!(expr("x not in [1, 2]"), "(not in x [1 2])");
    }
    #[test]
    fn deep_nesting_is_an_error() {
        let src = format!("rubric t {{ score {}1{} }}", "(".repeat(10_000), ")".repeat(10_000));
        let e = parse(&src).unwrap_err();
        assert_eq!(e[0].code, Code::TooDeep);
    }
    #[test]
    fn object_literals() {
        assert_eq!(expr("{a: 1, \"b c\": [x], score: {}}"), "{\"a\":1 \"b c\":[x] \"score\":{}}");
    }
    #[test]
    fn function_items() {
        let r = parse("rubric t { fn f(a, b: string,) = a + b score f(1, \"x\") }").unwrap_or_else(|e| panic!("{e:?}"));
        let Item::Function(f) = &r.items[0] else { panic!("{:?}", r.items[0]) };
        let params: Vec<(&str, Option<TypeName>)> = f.params.iter().map(|p| (p.name.name.as_str(), p.ty)).collect();
        assert_eq!((f.name.name.as_str(), params), ("f", vec![("a", None), ("b", Some(TypeName::String))]));
        assert_eq!(sexpr(&f.body), "(+ a b)");
    }
    #[test]
    fn keywords_are_not_names() {
        assert!(parse("rubric t { let score = 1 }").is_err());
        assert!(parse("rubric t { let scores = 1 let items = 2 let index = 3 }").is_ok());
    }
}
