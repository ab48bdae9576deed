//! `rubric fmt`: one canonical layout for rubric sources.
//!
//! The formatter prints the AST again, with the comments (which the parser drops) found by a small
//! scanner ([`comments`]) and re-attached by byte position. It is idempotent and keeps the meaning:
//! every result is parsed again and must give the same AST (spans aside) and the same comments, or
//! formatting fails instead of writing anything.
//!
//! Layout rules:
//! - 2-space indentation; one item per line; `{` ends the header line and `}` is on its own line.
//!   Blank lines between items (and between comments) are kept, at most one; none after `{` or
//!   before `}`.
//! - `criterion ID +W "label" {`, its `let`s and its expression one per line, `}`. Weights, numbers,
//!   figures, regexes and paths are printed as written; strings are re-escaped canonically (`\"`,
//!   `\\`, `\n`, `\t`, `\r`, `\0`, other control characters as `\u{..}`).
//! - A ladder step is `step ID +W "label": EXPR` when every step of its ladder fits on one line of
//!   100 columns; otherwise every step of that ladder puts its expression on the next line,
//!   indented.
//! - Expressions are printed on one line when they fit in 100 columns (and hold no comment).
//!   Otherwise the outermost construct is broken and its parts laid out again by the same rule:
//!   - a chain of binary operators of one precedence (`a and b and c`, `x + y - z`) puts each
//!     operand after the first on its own line, led by its operator; those lines align with the
//!     first operand when the chain starts its line, else they are indented one level (and one
//!     more for a chain that is the first operand of another);
//!   - a call or list puts each argument or element on its own line, indented one level, with a
//!     trailing comma when there are several, and the closing bracket on its own line; a call whose
//!     only argument is a comprehension keeps it on the call's line (`all(for x in xs:`);
//!   - a comprehension puts its body on the next line, indented one level (and its `where` on its
//!     own line when the header does not fit);
//!   - `if C then A else B` becomes `if C then A` / `else B` (else-if chains stay flat), or one line
//!     for each of `if C`, `then A`, `else B` when the first does not fit.
//! - Operators are spaced. Parentheses are printed where precedence needs them (the Pratt table
//!   in `src/syntax/parser.rs`) and, for the reader, around `if` and `for` used as operands, around
//!   an `and` inside an `or`, around a binary operation under `not`, and around any other
//!   operation under `not` that the author put in parentheses (`not (x is list)`); the author's
//!   other parentheses are dropped.
//! - Comments: own-line comments stay on their own line before what follows them; a comment at the
//!   end of a line stays at the end of that line (a broken expression keeps it after the operand or
//!   argument it followed). A comment inside an expression at a place that has no line of its own
//!   (`not // x` ...) moves to its own line before the item.

mod comments;
#[cfg(test)]
mod fixture_tests;

use std::cell::RefCell;

use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::ast::*;
use comments::Comment;

/// The widest a line is made (comments and unbreakable tokens may go beyond).
pub const WIDTH: usize = 100;
const INDENT: usize = 2;

/// Formats a rubric source. Syntax errors are returned as diagnostics.
pub fn format_source(src: &str) -> Result<String, Vec<Diagnostic>> {
    let ast = crate::syntax::parse(src)?;
    let comments = comments::scan(src);
    let f = Fmt { src, comments, used: RefCell::new(Vec::new()), nested_chain: Default::default() };
    f.used.borrow_mut().resize(f.comments.len(), false);
    let out = f.file(&ast);
    verify(src, &ast, &out)?;
    Ok(out)
}

/// Refuses an output that does not parse to the same AST or lost a comment (a formatter bug).
fn verify(src: &str, ast: &Rubric, out: &str) -> Result<(), Vec<Diagnostic>> {
    let fail = |why: &str| {
        vec![
            Diagnostic::error(
                Code::FmtInternal,
                format!("the formatter could not keep this rubric's {why}; the file was left as it is"),
                ast.span,
                "this rubric",
            )
            .with_help("please report this rubric as a formatter bug"),
        ]
    };
    let again = crate::syntax::parse(out).map_err(|_| fail("syntax"))?;
    if strip_spans(&again) != strip_spans(ast) {
        return Err(fail("meaning"));
    }
    let texts = |s: &str| {
        let mut v: Vec<String> = comments::scan(s).iter().map(|c| s[c.start..c.end].to_string()).collect();
        v.sort();
        v
    };
    let (before, after) = (texts(src), texts(out));
    // A comment joined to another one on the same line is still there, inside the joined text.
    if before.len() != after.len() && !before.iter().all(|c| out.contains(c.as_str())) {
        return Err(fail("comments"));
    }
    Ok(())
}

fn strip_spans(r: &Rubric) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.remove("span");
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(r).expect("ASTs serialise");
    strip(&mut v);
    v
}

/// One output line: its text (with indentation) and a comment that ends it.
#[derive(Clone, Debug, Default)]
struct Line {
    text: String,
    comment: Option<String>,
}

impl Line {
    fn new(text: impl Into<String>) -> Line {
        Line { text: text.into(), comment: None }
    }
    fn indented(indent: usize, text: &str) -> Line {
        Line::new(format!("{}{text}", " ".repeat(indent)))
    }
    fn add_comment(&mut self, c: String) {
        self.comment = Some(match self.comment.take() {
            Some(old) => format!("{old} {c}"),
            None => c,
        });
    }
}

type Lines = Vec<Line>;

/// Appends `more` to `lines`: its first line continues the last line of `lines`.
fn join(lines: &mut Lines, more: Lines) {
    let mut more = more.into_iter();
    if let Some(first) = more.next() {
        match lines.last_mut() {
            Some(last) => {
                last.text.push_str(&first.text);
                if let Some(c) = first.comment {
                    last.add_comment(c);
                }
            }
            None => lines.push(first),
        }
    }
    lines.extend(more);
}

fn push_str(lines: &mut Lines, s: &str) {
    match lines.last_mut() {
        Some(l) => l.text.push_str(s),
        None => lines.push(Line::new(s)),
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// The column after `lines` when their first line starts at `col`.
fn end_col(lines: &Lines, col: usize) -> usize {
    match lines.len() {
        0 => col,
        1 => col + width(&lines[0].text),
        _ => width(&lines[lines.len() - 1].text),
    }
}

/// Canonical string literal.
/// An object key as written back: bare when it reads as a name, quoted otherwise.
fn object_key(key: &str) -> String {
    let mut chars = key.chars();
    let bare = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if bare { key.to_string() } else { quote(key) }
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Binding strength, loosest first (the Pratt table of the parser); `if` and `for` extend as far
/// right as they can, so they rank below everything.
fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::If { .. } | ExprKind::Comprehension { .. } => 0,
        ExprKind::Binary(op, ..) => binop_prec(*op),
        ExprKind::Unary(UnOp::Not, _) => 3,
        ExprKind::Unary(UnOp::Neg, _) => 8,
        ExprKind::Member(..) | ExprKind::Index(..) | ExprKind::Is { .. } => 9,
        _ => 10,
    }
}

fn binop_prec(op: BinOp) -> u8 {
    match op {
        BinOp::Or => 1,
        BinOp::And => 2,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::In | BinOp::NotIn => 4,
        BinOp::Coalesce => 5,
        BinOp::Add | BinOp::Sub => 6,
        BinOp::Mul | BinOp::Div => 7,
    }
}

/// Whether an operand of a binary operator of precedence `level` needs parentheses: where the
/// precedence table needs them, and around `and` inside `or` so the reader need not recall which
/// binds tighter.
fn needs_parens(x: &Expr, level: u8, right: bool) -> bool {
    let p = prec(x);
    p < level || (right && p == level) || (level == 1 && p == 2)
}

/// Whether the operand of a unary operator needs parentheses: where precedence needs them, and
/// under `not` around a binary operation (`not (a == b)`, which reads wrongly without them) and
/// around any other operation the author put in parentheses (`not (x is list)`).
fn unary_parens(op: UnOp, x: &Expr, src: &str) -> bool {
    prec(x) < unary(op).1
        || op == UnOp::Not && (matches!(x.kind, ExprKind::Binary(..)) || prec(x) < 10 && parenthesised(x, src))
}

/// Whether the author wrote `x` in parentheses. The parser gives a parenthesised operation a span
/// that takes in its parentheses; a `(` that opens only its left operand (`(a).b`) starts that
/// operand's span too.
fn parenthesised(x: &Expr, src: &str) -> bool {
    let left = match &x.kind {
        ExprKind::Is { value: l, .. } | ExprKind::Member(l, _) | ExprKind::Index(l, _) | ExprKind::Binary(_, l, _) => {
            Some(l)
        }
        _ => None,
    };
    src.get(x.span.start..).is_some_and(|s| s.starts_with('(')) && left.is_none_or(|l| l.span.start > x.span.start)
}

/// Whether the base of a postfix (`.x`, `[i]`, `is T`) needs parentheses.
fn postfix_base_parens(base: &Expr, is_test: bool) -> bool {
    // `(sample.a).b` is not the path `sample.a.b`.
    prec(base) < 9 || (!is_test && matches!(base.kind, ExprKind::Path(_)))
}

struct Fmt<'a> {
    src: &'a str,
    comments: Vec<Comment>,
    used: RefCell<Vec<bool>>,
    /// Set while laying out the first operand of a chain (see [`Fmt::chain`]).
    nested_chain: std::cell::Cell<bool>,
}

/// Something laid out on lines of its own inside a block.
#[derive(Clone, Copy)]
enum Child<'a> {
    Rubric(&'a Rubric),
    Item(&'a Item),
    Let(&'a Let),
    Criterion(&'a Criterion),
    Body(&'a Expr),
    Step(&'a Step, bool),
}

impl Fmt<'_> {
    // ---- comments ----

    fn comment_text(&self, c: &Comment) -> String {
        self.src[c.start..c.end].to_string()
    }

    /// Where `span` really ends: the parser's spans of expressions (and of the items that end with
    /// one) run on over the blanks and comments that follow.
    fn end(&self, span: Span) -> usize {
        let b = self.src.as_bytes();
        let mut end = span.end;
        loop {
            while end > span.start && b[end - 1].is_ascii_whitespace() {
                end -= 1;
            }
            match self.comments.iter().find(|c| c.end == end && c.start >= span.start) {
                Some(c) => end = c.start,
                None => return end,
            }
        }
    }

    fn tight(&self, span: Span) -> Span {
        Span::new(span.start, self.end(span))
    }

    fn has_comment(&self, span: Span) -> bool {
        let span = self.tight(span);
        self.comments.iter().any(|c| c.start >= span.start && c.start < span.end)
    }

    fn in_comment(&self, pos: usize) -> bool {
        self.comments.iter().any(|c| pos >= c.start && pos < c.end)
    }

    /// The comments in `start..end`, marked as placed: those on the line where `start` is (trailing)
    /// and the others (own-line).
    fn gap(&self, start: usize, end: usize) -> (Vec<String>, Vec<String>) {
        let (mut trailing, mut own) = (Vec::new(), Vec::new());
        let mut used = self.used.borrow_mut();
        for (i, c) in self.comments.iter().enumerate() {
            if c.start >= start && c.start < end {
                used[i] = true;
                if self.src[start..c.start].contains('\n') {
                    own.push(self.comment_text(c));
                } else {
                    trailing.push(self.comment_text(c));
                }
            }
        }
        (trailing, own)
    }

    /// Places the comments of a gap: trailing ones end the last line; own-line ones get lines of
    /// their own at `indent` when what follows starts a line, else they end the last line too.
    fn place_gap(&self, lines: &mut Lines, start: usize, end: usize, indent: usize, next_starts_line: bool) {
        let (trailing, own) = self.gap(start, end);
        for c in trailing {
            match lines.last_mut() {
                Some(l) => l.add_comment(c),
                None => lines.push(Line::indented(indent, &c)),
            }
        }
        for c in own {
            if next_starts_line || lines.is_empty() {
                lines.push(Line::indented(indent, &c));
            } else if let Some(l) = lines.last_mut() {
                l.add_comment(c);
            }
        }
    }

    /// The unplaced comments inside `span` (they go on their own lines before the item).
    fn leftovers(&self, span: Span) -> Vec<String> {
        let mut used = self.used.borrow_mut();
        let mut out = Vec::new();
        for (i, c) in self.comments.iter().enumerate() {
            if !used[i] && c.start >= span.start && c.start < span.end {
                used[i] = true;
                out.push(self.comment_text(c));
            }
        }
        out
    }

    fn blank_between(&self, a: usize, b: usize) -> bool {
        a < b && self.src[a..b].matches('\n').count() >= 2
    }

    /// The index after the first `{` at or after `pos` that is not in a comment.
    fn open_brace(&self, pos: usize) -> usize {
        let mut p = pos;
        while let Some(i) = self.src[p..].find('{') {
            if !self.in_comment(p + i) {
                return p + i + 1;
            }
            p += i + 1;
        }
        pos
    }

    // ---- items ----

    fn file(&self, r: &Rubric) -> String {
        let mut lines = Lines::new();
        self.block(&mut lines, 0, 0, self.src.len(), &[Child::Rubric(r)]);
        let mut out = String::new();
        for l in lines {
            let mut s = l.text.trim_end().to_string();
            if let Some(c) = l.comment {
                if !s.is_empty() {
                    s.push(' ');
                }
                s.push_str(&c);
            }
            out.push_str(&s);
            out.push('\n');
        }
        out
    }

    fn child_span(&self, c: Child) -> Span {
        let span = match c {
            Child::Rubric(r) => r.span,
            Child::Item(i) => match i {
                Item::Score(e) => Span::new(self.keyword_before(e.span.start, "score"), e.span.end),
                other => other.span(),
            },
            Child::Let(l) => l.span,
            Child::Criterion(c) => c.span,
            Child::Body(e) => e.span,
            Child::Step(s, _) => s.span,
        };
        self.tight(span)
    }

    /// Where the keyword that precedes `pos` (with only blanks and comments between) starts.
    fn keyword_before(&self, pos: usize, kw: &str) -> usize {
        self.src[..pos].rmatch_indices(kw).map(|(i, _)| i).find(|&i| !self.in_comment(i)).unwrap_or(pos)
    }

    /// Lays out `children` one after the other at `indent`, with the comments and blank lines
    /// between them. `lines` ends with the block's header line (if any); `open..close` is the inside
    /// of the block.
    fn block(&self, lines: &mut Lines, indent: usize, open: usize, close: usize, children: &[Child]) {
        let mut prev_end = open;
        let mut started = false;
        let has_header = !lines.is_empty();
        for &child in children {
            let span = self.child_span(child);
            self.between(lines, indent, &mut prev_end, span.start, &mut started, has_header);
            if started && self.blank_between(prev_end, span.start) {
                lines.push(Line::default());
            }
            let body = self.child(child, indent);
            for c in self.leftovers(span) {
                lines.push(Line::indented(indent, &c));
            }
            lines.extend(body);
            prev_end = span.end;
            started = true;
        }
        self.between(lines, indent, &mut prev_end, close, &mut started, has_header || !children.is_empty());
    }

    /// The comments between two children (or a header and a child, or a child and the block's end).
    fn between(
        &self,
        lines: &mut Lines,
        indent: usize,
        prev_end: &mut usize,
        end: usize,
        started: &mut bool,
        can_trail: bool,
    ) {
        let found: Vec<Comment> =
            self.comments.iter().filter(|c| c.start >= *prev_end && c.start < end).copied().collect();
        for c in found {
            let idx = self.comments.iter().position(|x| *x == c).expect("comment");
            self.used.borrow_mut()[idx] = true;
            let text = self.comment_text(&c);
            let same_line = !self.src[*prev_end..c.start].contains('\n');
            if same_line && can_trail && !lines.is_empty() {
                lines.last_mut().expect("line").add_comment(text);
            } else {
                if *started && self.blank_between(*prev_end, c.start) {
                    lines.push(Line::default());
                }
                lines.push(Line::indented(indent, &text));
                *started = true;
            }
            *prev_end = c.end;
        }
    }

    fn child(&self, c: Child, indent: usize) -> Lines {
        match c {
            Child::Rubric(r) => {
                let mut header = format!("rubric {}", r.name.name);
                if let Some(d) = &r.description {
                    header.push(' ');
                    header.push_str(&quote(&d.value));
                }
                let after = r.description.as_ref().map_or(r.name.span.end, |d| d.span.end);
                let children: Vec<Child> = r.items.iter().map(Child::Item).collect();
                self.braced(header, indent, after, r.span, &children)
            }
            Child::Item(item) => match item {
                Item::Setting(s) => self.keyword_expr(&format!("{} ", s.name.name), &s.value, indent),
                Item::Let(l) => self.child(Child::Let(l), indent),
                Item::Function(f) => {
                    let params: Vec<String> = f
                        .params
                        .iter()
                        .map(|p| match p.ty {
                            Some(t) => format!("{}: {}", p.name.name, t.name()),
                            None => p.name.name.clone(),
                        })
                        .collect();
                    self.keyword_expr(&format!("fn {}({}) = ", f.name.name, params.join(", ")), &f.body, indent)
                }
                Item::Criterion(c) => self.child(Child::Criterion(c), indent),
                Item::Group(g) => {
                    let mut header = format!("group {}", g.id.name);
                    if let Some(w) = &g.weight {
                        header.push(' ');
                        header.push_str(&w.text);
                    }
                    if let Some(l) = &g.label {
                        header.push(' ');
                        header.push_str(&quote(&l.value));
                    }
                    match g.mode {
                        GroupMode::Sum => {}
                        GroupMode::All => header.push_str(" all"),
                        GroupMode::Any => header.push_str(" any"),
                        GroupMode::AtLeast(n) => header.push_str(&format!(" at_least {n}")),
                    }
                    let after = g.label.as_ref().map(|l| l.span.end).or(g.weight.as_ref().map(|w| w.span.end));
                    let children: Vec<Child> = g
                        .members
                        .iter()
                        .map(|m| match m {
                            GroupMember::Let(l) => Child::Let(l),
                            GroupMember::Criterion(c) => Child::Criterion(c),
                        })
                        .collect();
                    self.braced(header, indent, after.unwrap_or(g.id.span.end), g.span, &children)
                }
                Item::Ladder(l) => {
                    let mut header = format!("ladder {}", l.id.name);
                    if let Some(t) = &l.label {
                        header.push(' ');
                        header.push_str(&quote(&t.value));
                    }
                    let step_indent = indent + INDENT;
                    let one_line = l.steps.iter().all(|s| {
                        !self.has_comment(s.span)
                            && step_indent + width(&self.step_header(s)) + 1 + width(&self.flat(&s.body)) <= WIDTH
                    });
                    let children: Vec<Child> = l.steps.iter().map(|s| Child::Step(s, one_line)).collect();
                    let after = l.label.as_ref().map_or(l.id.span.end, |t| t.span.end);
                    self.braced(header, indent, after, l.span, &children)
                }
                Item::Gate(g) => {
                    let mut lines = vec![Line::indented(indent, "when ")];
                    let tail = if self.has_comment(g.value.span) { 4 } else { 4 + width(&self.flat(&g.value)) };
                    join(&mut lines, self.expr(&g.condition, indent, indent + 5, tail));
                    self.place_gap(&mut lines, self.end(g.condition.span), g.value.span.start, indent, false);
                    push_str(&mut lines, " => ");
                    let col = end_col(&lines, 0);
                    join(&mut lines, self.expr(&g.value, indent, col, 0));
                    lines
                }
                Item::Score(e) => self.keyword_expr("score ", e, indent),
            },
            Child::Let(l) => self.keyword_expr(&format!("let {} = ", l.name.name), &l.value, indent),
            Child::Criterion(c) => {
                let mut header = format!("criterion {} {}", c.id.name, c.weight.text);
                if let Some(l) = &c.label {
                    header.push(' ');
                    header.push_str(&quote(&l.value));
                }
                let after = c.label.as_ref().map_or(c.weight.span.end, |l| l.span.end);
                let mut children: Vec<Child> = c.lets.iter().map(Child::Let).collect();
                children.push(Child::Body(&c.body));
                self.braced(header, indent, after, c.span, &children)
            }
            Child::Body(e) => {
                let mut lines = vec![Line::indented(indent, "")];
                join(&mut lines, self.expr(e, indent, indent, 0));
                lines
            }
            Child::Step(s, one_line) => {
                let mut lines = vec![Line::indented(indent, &self.step_header(s))];
                let header_end = s.label.as_ref().map_or(s.weight.span.end, |l| l.span.end);
                if one_line {
                    push_str(&mut lines, " ");
                    push_str(&mut lines, &self.flat(&s.body));
                } else {
                    let inner = indent + INDENT;
                    self.place_gap(&mut lines, header_end, s.body.span.start, inner, true);
                    lines.push(Line::indented(inner, ""));
                    join(&mut lines, self.expr(&s.body, inner, inner, 0));
                }
                lines
            }
        }
    }

    fn step_header(&self, s: &Step) -> String {
        let mut h = format!("step {} {}", s.id.name, s.weight.text);
        if let Some(l) = &s.label {
            h.push(' ');
            h.push_str(&quote(&l.value));
        }
        h.push(':');
        h
    }

    /// `header {`, the children one level in, `}`.
    fn braced(&self, header: String, indent: usize, header_end: usize, span: Span, children: &[Child]) -> Lines {
        let open = self.open_brace(header_end);
        let mut lines = vec![Line::indented(indent, &format!("{header} {{"))];
        self.block(&mut lines, indent + INDENT, open, span.end - 1, children);
        lines.push(Line::indented(indent, "}"));
        lines
    }

    fn keyword_expr(&self, head: &str, e: &Expr, indent: usize) -> Lines {
        let mut lines = vec![Line::indented(indent, head)];
        join(&mut lines, self.expr(e, indent, indent + width(head), 0));
        lines
    }

    // ---- expressions ----

    /// One-line form.
    fn flat(&self, e: &Expr) -> String {
        let wrap = |x: &Expr, parens: bool| {
            if parens { format!("({})", self.flat(x)) } else { self.flat(x) }
        };
        match &e.kind {
            ExprKind::Null => "null".into(),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Number(_) | ExprKind::Regex { .. } => self.src[e.span.start..e.span.end].to_string(),
            ExprKind::Str(s) => quote(s),
            ExprKind::Figure(t) | ExprKind::Name(t) | ExprKind::Path(t) => t.clone(),
            ExprKind::List(xs) => format!("[{}]", xs.iter().map(|x| self.flat(x)).collect::<Vec<_>>().join(", ")),
            ExprKind::Object(entries) => format!(
                "{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", object_key(&k.value), self.flat(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ExprKind::Member(b, m) => {
                format!("{}.{}", wrap(b, postfix_base_parens(b, false)), m.name)
            }
            ExprKind::Index(b, i) => format!("{}[{}]", wrap(b, postfix_base_parens(b, false)), self.flat(i)),
            ExprKind::Is { value, negated, ty } => {
                format!(
                    "{} is {}{}",
                    wrap(value, postfix_base_parens(value, true)),
                    if *negated { "not " } else { "" },
                    ty.name()
                )
            }
            ExprKind::Call { name, args } => {
                let args: Vec<String> = args
                    .iter()
                    .map(|a| match &a.name {
                        Some(n) => format!("{}: {}", n.name, self.flat(&a.value)),
                        None => self.flat(&a.value),
                    })
                    .collect();
                format!("{}({})", name.name, args.join(", "))
            }
            ExprKind::Unary(op, x) => {
                let (sym, _) = unary(*op);
                format!("{sym}{}", wrap(x, unary_parens(*op, x, self.src)))
            }
            ExprKind::Binary(op, l, r) => {
                let p = binop_prec(*op);
                format!("{} {} {}", wrap(l, needs_parens(l, p, false)), op.symbol(), wrap(r, needs_parens(r, p, true)))
            }
            ExprKind::If { condition, then, otherwise } => format!(
                "if {} then {} else {}",
                wrap(condition, prec(condition) == 0),
                wrap(then, prec(then) == 0),
                self.flat(otherwise)
            ),
            ExprKind::Comprehension { var, source, filter, body } => {
                let mut s = format!("for {} in {}", var.name, wrap(source, prec(source) == 0));
                if let Some(f) = filter {
                    s.push_str(" where ");
                    s.push_str(&wrap(f, prec(f) == 0));
                }
                s.push_str(": ");
                s.push_str(&self.flat(body));
                s
            }
        }
    }

    /// `e` with its first line starting at column `col` (continuation lines are based on `indent`)
    /// and `tail` columns of text to follow its last line.
    fn expr(&self, e: &Expr, indent: usize, col: usize, tail: usize) -> Lines {
        if !self.has_comment(e.span) {
            let flat = self.flat(e);
            if col + width(&flat) + tail <= WIDTH {
                return vec![Line::new(flat)];
            }
        }
        self.broken(e, indent, col, tail)
    }

    /// `e`, in parentheses when `parens`.
    fn operand(&self, e: &Expr, parens: bool, indent: usize, col: usize, tail: usize) -> Lines {
        if !parens {
            return self.expr(e, indent, col, tail);
        }
        let mut lines = vec![Line::new("(")];
        join(&mut lines, self.expr(e, indent, col + 1, tail + 1));
        push_str(&mut lines, ")");
        lines
    }

    fn broken(&self, e: &Expr, indent: usize, col: usize, tail: usize) -> Lines {
        match &e.kind {
            ExprKind::Binary(..) => self.chain(e, indent, col, tail),
            ExprKind::Call { name, args } => {
                if let [Arg { name: None, value }] = args.as_slice()
                    && matches!(value.kind, ExprKind::Comprehension { .. })
                    && !self.has_comment(Span::new(name.span.end, value.span.start))
                    && !self.has_comment(Span::new(self.end(value.span), e.span.end))
                {
                    let mut lines = vec![Line::new(format!("{}(", name.name))];
                    join(&mut lines, self.expr(value, indent, col + width(&name.name) + 1, tail + 1));
                    push_str(&mut lines, ")");
                    return lines;
                }
                let items: Vec<(Option<&str>, usize, &Expr)> = args
                    .iter()
                    .map(|a| {
                        (
                            a.name.as_ref().map(|n| n.name.as_str()),
                            a.name.as_ref().map_or(a.value.span.start, |n| n.span.start),
                            &a.value,
                        )
                    })
                    .collect();
                self.sequence(&format!("{}(", name.name), name.span.end, &items, ")", e.span.end, indent)
            }
            ExprKind::List(xs) => {
                let items: Vec<(Option<&str>, usize, &Expr)> = xs.iter().map(|x| (None, x.span.start, x)).collect();
                self.sequence("[", e.span.start, &items, "]", e.span.end, indent)
            }
            ExprKind::Object(entries) => {
                let keys: Vec<String> = entries.iter().map(|(k, _)| object_key(&k.value)).collect();
                let items: Vec<(Option<&str>, usize, &Expr)> =
                    entries.iter().zip(&keys).map(|((k, v), key)| (Some(key.as_str()), k.span.start, v)).collect();
                self.sequence("{", e.span.start, &items, "}", e.span.end, indent)
            }
            ExprKind::Unary(op, x) => {
                let (sym, _) = unary(*op);
                let mut lines = vec![Line::new(sym)];
                join(&mut lines, self.operand(x, unary_parens(*op, x, self.src), indent, col + width(sym), tail));
                lines
            }
            ExprKind::Member(b, m) => {
                let mut lines = self.operand(b, postfix_base_parens(b, false), indent, col, tail + 1 + width(&m.name));
                push_str(&mut lines, &format!(".{}", m.name));
                lines
            }
            ExprKind::Is { value, negated, ty } => {
                let suffix = format!(" is {}{}", if *negated { "not " } else { "" }, ty.name());
                let mut lines =
                    self.operand(value, postfix_base_parens(value, true), indent, col, tail + width(&suffix));
                push_str(&mut lines, &suffix);
                lines
            }
            ExprKind::Index(b, i) => {
                let mut lines = self.operand(b, postfix_base_parens(b, false), indent, col, 1);
                push_str(&mut lines, "[");
                let c = end_col(&lines, col);
                join(&mut lines, self.expr(i, indent, c, tail + 1));
                push_str(&mut lines, "]");
                lines
            }
            ExprKind::If { .. } => self.conditional(e, indent, col, tail),
            ExprKind::Comprehension { var, source, filter, body } => {
                let inner = indent + INDENT;
                let head = format!("for {} in ", var.name);
                let mut lines = vec![Line::new(head.clone())];
                let source_tail = if filter.is_some() { 0 } else { 1 };
                join(&mut lines, self.operand(source, prec(source) == 0, indent, col + width(&head), source_tail));
                let mut prev = self.end(source.span);
                if let Some(f) = filter {
                    let (gap_trailing, gap_own) = {
                        let cs: Vec<&Comment> =
                            self.comments.iter().filter(|c| c.start >= prev && c.start < f.span.start).collect();
                        (
                            cs.iter().any(|c| !self.src[prev..c.start].contains('\n')),
                            cs.iter().any(|c| self.src[prev..c.start].contains('\n')),
                        )
                    };
                    let fits = !gap_trailing
                        && !gap_own
                        && !self.has_comment(f.span)
                        && end_col(&lines, col)
                            + width(&format!(" where {}:", self.flat(f)))
                            + 2 * (prec(f) == 0) as usize
                            <= WIDTH;
                    if fits {
                        push_str(&mut lines, " where ");
                        let c = end_col(&lines, col);
                        join(&mut lines, self.operand(f, prec(f) == 0, inner, c, 1));
                    } else {
                        self.place_gap(&mut lines, prev, f.span.start, inner, true);
                        let w = inner + INDENT;
                        lines.push(Line::indented(w, "where "));
                        join(&mut lines, self.operand(f, prec(f) == 0, w, w + 6, 1));
                    }
                    prev = self.end(f.span);
                }
                push_str(&mut lines, ":");
                self.place_gap(&mut lines, prev, body.span.start, inner, true);
                lines.push(Line::indented(inner, ""));
                join(&mut lines, self.expr(body, inner, inner, tail));
                lines
            }
            // Atoms do not break.
            _ => vec![Line::new(self.flat(e))],
        }
    }

    /// A chain of binary operators of one precedence, one operand per line after the first.
    fn chain(&self, e: &Expr, indent: usize, col: usize, tail: usize) -> Lines {
        let level = prec(e);
        let mut operands: Vec<&Expr> = Vec::new();
        let mut ops: Vec<BinOp> = Vec::new();
        fn walk<'e>(x: &'e Expr, level: u8, operands: &mut Vec<&'e Expr>, ops: &mut Vec<BinOp>) {
            match &x.kind {
                ExprKind::Binary(op, l, r) if binop_prec(*op) == level => {
                    walk(l, level, operands, ops);
                    ops.push(*op);
                    operands.push(r);
                }
                _ => operands.push(x),
            }
        }
        walk(e, level, &mut operands, &mut ops);
        let nested = self.nested_chain.replace(false);
        let ci = if col == indent && !nested { indent } else { indent + INDENT };
        let last = operands.len() - 1;
        // A first operand that is a chain itself indents its continuation lines one level more,
        // so they do not line up with this chain's operators.
        let first = operands[0];
        let first_indent = if matches!(first.kind, ExprKind::Binary(..)) {
            self.nested_chain.set(true);
            ci
        } else {
            indent
        };
        let mut lines = self.operand(first, needs_parens(first, level, false), first_indent, col, 0);
        self.nested_chain.set(false);
        for (i, (op, x)) in ops.iter().zip(&operands[1..]).enumerate() {
            self.place_gap(&mut lines, self.end(operands[i].span), x.span.start, ci, true);
            let sym = op.symbol();
            lines.push(Line::indented(ci, &format!("{sym} ")));
            let t = if i + 1 == last { tail } else { 0 };
            join(&mut lines, self.operand(x, needs_parens(x, level, true), ci, ci + width(sym) + 1, t));
        }
        lines
    }

    /// Call arguments or list elements, one per line.
    fn sequence(
        &self,
        open: &str,
        open_pos: usize,
        items: &[(Option<&str>, usize, &Expr)],
        close: &str,
        end: usize,
        indent: usize,
    ) -> Lines {
        let inner = indent + INDENT;
        let mut lines = vec![Line::new(open)];
        let mut prev = open_pos;
        let comma = if items.len() > 1 { 1 } else { 0 };
        for (name, start, value) in items {
            self.place_gap(&mut lines, prev, *start, inner, true);
            let head = name.map(|n| format!("{n}: ")).unwrap_or_default();
            lines.push(Line::indented(inner, &head));
            join(&mut lines, self.expr(value, inner, inner + width(&head), comma));
            if comma == 1 {
                push_str(&mut lines, ",");
            }
            prev = self.end(value.span);
        }
        self.place_gap(&mut lines, prev, end, inner, true);
        lines.push(Line::indented(indent, close));
        lines
    }

    /// `if C then A` / `else B`, or `if C` / `then A` / `else B` (else-if arms stay in the chain).
    fn conditional(&self, e: &Expr, indent: usize, col: usize, tail: usize) -> Lines {
        let mut arms: Vec<(&Expr, &Expr)> = Vec::new();
        let mut rest = e;
        while let ExprKind::If { condition, then, otherwise } = &rest.kind {
            arms.push((condition, then));
            rest = otherwise;
        }
        let ci = if col == indent { indent } else { indent + INDENT };
        let wrap = |x: &Expr| {
            if prec(x) == 0 { format!("({})", self.flat(x)) } else { self.flat(x) }
        };
        if !self.has_comment(e.span) {
            let heads: Vec<String> = arms.iter().map(|(c, t)| format!("if {} then {}", wrap(c), wrap(t))).collect();
            let fits = heads
                .iter()
                .enumerate()
                .all(|(i, h)| if i == 0 { col + width(h) <= WIDTH } else { ci + 5 + width(h) <= WIDTH });
            if fits {
                let mut lines = vec![Line::new(heads[0].clone())];
                for h in &heads[1..] {
                    lines.push(Line::indented(ci, &format!("else {h}")));
                }
                lines.push(Line::indented(ci, "else "));
                join(&mut lines, self.expr(rest, ci, ci + 5, tail));
                return lines;
            }
        }
        let mut lines = Lines::new();
        let mut prev: Option<usize> = None;
        for (i, (c, t)) in arms.iter().enumerate() {
            let head = if i == 0 { "if " } else { "else if " };
            if let Some(p) = prev {
                self.place_gap(&mut lines, p, c.span.start, ci, true);
                lines.push(Line::indented(ci, head));
            } else {
                lines.push(Line::new(head));
            }
            let c_col = if i == 0 { col + 3 } else { ci + 8 };
            join(&mut lines, self.operand(c, prec(c) == 0, ci, c_col, 0));
            self.place_gap(&mut lines, self.end(c.span), t.span.start, ci, true);
            lines.push(Line::indented(ci, "then "));
            join(&mut lines, self.operand(t, prec(t) == 0, ci, ci + 5, 0));
            prev = Some(self.end(t.span));
        }
        self.place_gap(&mut lines, prev.unwrap_or(e.span.start), rest.span.start, ci, true);
        lines.push(Line::indented(ci, "else "));
        join(&mut lines, self.expr(rest, ci, ci + 5, tail));
        lines
    }
}

fn unary(op: UnOp) -> (&'static str, u8) {
    match op {
        UnOp::Not => ("not ", 3),
        UnOp::Neg => ("-", 8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(src: &str) -> String {
        format_source(src).unwrap_or_else(|e| panic!("{e:?}"))
    }
    fn score(expr: &str) -> String {
        let out = fmt(&format!("rubric t {{ score {expr} }}"));
        out.trim_start_matches("rubric t {\n  score ").trim_end_matches("\n}\n").to_string()
    }

    #[test]
    fn parentheses_only_where_needed() {
        assert_eq!(score("((a + b)) * c"), "(a + b) * c");
        assert_eq!(score("a - (b - c)"), "a - (b - c)");
        assert_eq!(score("(a - b) - c"), "a - b - c");
        assert_eq!(score("(a or b) and c"), "(a or b) and c");
        assert_eq!(score("not (a == b)"), "not (a == b)");
        assert_eq!(score("not a.b is bool"), "not a.b is bool");
        assert_eq!(score("not (a.b is bool)"), "not (a.b is bool)");
        assert_eq!(score("not ((a).b)"), "not (a.b)");
        assert_eq!(score("not (a).b"), "not a.b");
        assert_eq!(score("(not a) == b"), "(not a) == b");
        assert_eq!(score("-(a.b)"), "-a.b");
        assert_eq!(score("(-a).b"), "(-a).b");
        assert_eq!(score("(sample.a).b"), "(sample.a).b");
        assert_eq!(score("(if a then b else c) + 1"), "(if a then b else c) + 1");
        assert_eq!(score("x ?? (y > 2)"), "x ?? (y > 2)");
        assert_eq!(score("a or b and c"), "a or (b and c)");
        assert_eq!(score("(a and b) or c"), "(a and b) or c");
    }
    #[test]
    fn literals_as_written_strings_canonical() {
        assert_eq!(
            score("[1.50, 1e3, $1,000, 5%, /a\\/b/i, \"t\\u{41}\\d\\\"\"]"),
            r#"[1.50, 1e3, $1,000, 5%, /a\/b/i, "tA\\d\""]"#
        );
    }
}
