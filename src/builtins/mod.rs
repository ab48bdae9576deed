//! The builtin functions. Each family lives in one file with its doc comments, its signatures for
//! the checker, its compile-time validation of literal arguments and its tests.
//!
//! A builtin is a plain function over already-evaluated arguments. Before it runs, the engine fills
//! in defaults for omitted parameters, propagates an error argument (unless the parameter accepts
//! errors) and checks every argument against the parameter's [`Ty`], so the function body can rely on
//! the types it declared.

use std::collections::HashMap;
use std::sync::Arc;

use crate::value::{Ty, Value};

pub mod casefold;
pub mod code;
pub mod core;
pub mod failure;
pub mod figures;
pub mod fuzzy;
pub mod json;
pub mod json_floats;
pub mod lists;
pub mod markdown;
pub mod rational;
pub mod regexes;
pub mod sets;
pub mod text;

/// Compile-time validation of literal arguments (`None` for arguments that are not literals).
pub type Validate = fn(&[Option<&Value>]) -> Vec<ArgProblem>;

/// One builtin function.
pub struct Builtin {
    pub name: &'static str,
    /// What it does, in one or two sentences (shown by the checker's help and the docs).
    pub doc: &'static str,
    pub params: &'static [Param],
    /// What it may return (missing and error are always possible from data and are not listed).
    pub returns: Ty,
    pub eval: fn(&[Value], &mut Ctx) -> Value,
    /// Compile-time validation of the arguments that are literals (`None` for non-literal ones):
    /// a bad regex, an unknown language, a malformed pattern.
    pub validate: Option<Validate>,
}

impl std::fmt::Debug for Builtin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// A parameter: positional, or given by name (`similarity: ratio`).
pub struct Param {
    pub name: &'static str,
    /// The values it accepts (for a parameter that takes a function: the values it accepts
    /// besides one, such as a similarity's name).
    pub ty: Ty,
    /// `None` = required.
    pub default: Option<Default>,
    /// Set when the parameter takes a function (builtin or author-defined): the engine applies it
    /// and hands the builtin the results in its place.
    pub apply: Option<Apply>,
}

/// How the engine applies a function given to a parameter, before the builtin runs. Functions
/// are applied eagerly; an application that fails leaves its error value in the results, and the
/// builtin decides whether it matters (a pair never considered does not).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Apply {
    /// To each element of the list parameter at this index: the builtin receives the list of
    /// results (`key: f` gives `[f(x) for x in xs]`).
    Each(usize),
    /// To each pair of elements of the two list parameters at these indices: the builtin receives
    /// the rows `[[f(a, b) for b in second] for a in first]`.
    Pairs(usize, usize),
}

impl Apply {
    /// How many arguments the applied function receives.
    pub fn arity(self) -> usize {
        match self {
            Apply::Each(_) => 1,
            Apply::Pairs(..) => 2,
        }
    }
}

/// Default value of an optional parameter.
#[derive(Clone, Copy, Debug)]
pub enum Default {
    Null,
    Number(f64),
    Str(&'static str),
    EmptyList,
}

impl Default {
    pub fn value(self) -> Value {
        match self {
            Default::Null => Value::Null,
            Default::Number(n) => Value::Number(n),
            Default::Str(s) => Value::str(s),
            Default::EmptyList => Value::list(Vec::new()),
        }
    }
}

/// A problem with one literal argument, found before anything runs.
#[derive(Clone, Debug, PartialEq)]
pub struct ArgProblem {
    /// Index of the argument in the builtin's parameter list.
    pub arg: usize,
    /// The diagnostic code when one names the problem better than `rubric::bad_argument`.
    pub code: Option<crate::diagnostic::Code>,
    pub message: String,
    pub help: Option<String>,
}

/// Shorthand constructors used by the family tables.
pub const fn req(name: &'static str, ty: Ty) -> Param {
    Param { name, ty, default: None, apply: None }
}
pub const fn opt(name: &'static str, ty: Ty, default: Default) -> Param {
    Param { name, ty, default: Some(default), apply: None }
}
/// A parameter that takes a function, applied as `apply` says; `ty` and `default` describe the
/// other values it accepts (`Ty::NONE` and `None`: a function is required).
pub const fn function(name: &'static str, ty: Ty, default: Option<Default>, apply: Apply) -> Param {
    Param { name, ty, default, apply: Some(apply) }
}

/// Resource limits that keep one case from stalling a run. Exceeding one is an error value with a
/// reason, never a hang.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Limits {
    /// Longest string (in characters) a fuzzy similarity will compare.
    pub fuzzy_chars: usize,
    /// Largest source (in bytes) handed to an AST parser.
    pub code_bytes: usize,
    /// Longest list a comprehension or list builtin will walk.
    pub list_len: usize,
    /// Expression steps one case may take (every evaluated node and loop element counts one).
    pub steps: u64,
}

impl std::default::Default for Limits {
    fn default() -> Self {
        Limits { fuzzy_chars: 100_000, code_bytes: 1_000_000, list_len: 1_000_000, steps: 10_000_000 }
    }
}

/// Per-thread evaluation context: limits and caches that live across cases.
#[derive(Default)]
pub struct Ctx {
    pub limits: Limits,
    /// Regexes built from strings at run time, by source.
    pub regexes: HashMap<String, Result<Arc<regex::Regex>, String>>,
    /// `fullmatch`'s anchored forms of regexes, by the source of the regex anchored.
    pub whole_text_regexes: HashMap<String, Result<Arc<regex::Regex>, String>>,
    pub code: code::CodeCache,
    pub figures: figures::FigureCache,
    /// When explaining: notes on what text matches were found where (or not found).
    pub evidence: Option<Vec<String>>,
    /// The interpreter's bindings, empty between cases: kept so that a case does not allocate them.
    pub slots: Vec<crate::value::Value>,
    /// The interpreter's argument stack, likewise (empty between cases).
    pub args: Vec<crate::value::Value>,
    /// The zeroed mask table of the LCS kernel behind the fuzzy similarities.
    pub lcs: fuzzy::LcsTables,
    /// Substring searchers of recent needles (`contains`, `between`, ...).
    pub finders: text::Finders,
    /// The JSON reader's stacks (case lines and `json_parse`), kept from case to case.
    pub reader: crate::input::json::KeptScratch,
}

impl Ctx {
    pub fn new(limits: Limits) -> Ctx {
        Ctx { limits, ..Ctx::default() }
    }

    /// A regex from a string, compiled once per distinct source.
    pub fn regex(&mut self, source: &str) -> Result<Arc<regex::Regex>, String> {
        if let Some(r) = self.regexes.get(source) {
            return r.clone();
        }
        let r = regex::Regex::new(source).map(Arc::new).map_err(|e| e.to_string());
        self.regexes.insert(source.to_string(), r.clone());
        r
    }

    /// The form of `re` that matches only a whole text (`fullmatch`), built once per distinct regex.
    pub fn whole_text_regex(&mut self, re: &regex::Regex) -> Result<Arc<regex::Regex>, String> {
        if let Some(r) = self.whole_text_regexes.get(re.as_str()) {
            return r.clone();
        }
        let r = regexes::whole_text_source(re)
            .and_then(|source| regex::Regex::new(&source).map(Arc::new).map_err(|e| e.to_string()));
        self.whole_text_regexes.insert(re.as_str().to_string(), r.clone());
        r
    }

    /// Records a piece of evidence when explaining (the note is only built then).
    pub fn note(&mut self, note: impl FnOnce() -> String) {
        if let Some(notes) = &mut self.evidence
            && notes.len() < 32
        {
            notes.push(note());
        }
    }

    /// Whether evidence is being collected (to skip work that only feeds notes).
    pub fn explaining(&self) -> bool {
        self.evidence.is_some()
    }

    /// Called by the engine before each case: drops per-case memos.
    pub fn start_case(&mut self) {
        self.figures.clear();
        self.code.start_case();
    }
}

/// The elements of list argument `name`, or an error when it is not a list or is longer than the
/// list limit.
pub fn list_arg<'a>(list: &'a Value, name: &str, ctx: &Ctx) -> Result<&'a [Value], Value> {
    let Some(items) = list.as_list() else {
        return Err(Value::error(format!("`{name}` is a {}, expected a list", list.type_name())));
    };
    if items.len() > ctx.limits.list_len {
        return Err(Value::error(format!(
            "`{name}` has {} elements, more than the list limit of {}",
            items.len(),
            ctx.limits.list_len
        )));
    }
    Ok(items)
}

/// `found `needle` at chars 10..18: “…context…”` for evidence notes (offsets in code points).
pub fn found_at(text: &str, start: usize, end: usize, what: &str) -> String {
    let start_chars = text[..start].chars().count();
    let end_chars = start_chars + text[start..end].chars().count();
    let before: String = {
        let b: Vec<char> = text[..start].chars().rev().take(24).collect();
        b.into_iter().rev().collect()
    };
    let after: String = text[end..].chars().take(24).collect();
    let excerpt = format!("{before}[{}]{after}", &text[start..end]).replace(['\n', '\r', '\t'], " ");
    format!("found {what} at chars {start_chars}..{end_chars}: “{}”", crate::value::shorten(&excerpt, 90))
}

/// Every builtin, in a stable order.
pub fn all() -> impl Iterator<Item = &'static Builtin> {
    [
        core::BUILTINS,
        json::BUILTINS,
        text::BUILTINS,
        regexes::BUILTINS,
        casefold::BUILTINS,
        markdown::BUILTINS,
        figures::BUILTINS,
        fuzzy::BUILTINS,
        sets::BUILTINS,
        rational::BUILTINS,
        code::BUILTINS,
        lists::BUILTINS,
        json_floats::BUILTINS,
        failure::BUILTINS,
    ]
    .into_iter()
    .flatten()
}

/// Looks a builtin up by name.
pub fn lookup(name: &str) -> Option<&'static Builtin> {
    all().find(|b| b.name == name)
}

/// `name(a: string, b: list = [])`.
pub fn signature(b: &Builtin) -> String {
    let params: Vec<String> = b
        .params
        .iter()
        .map(|p| {
            // A function's parameters are named after the lists it is applied to.
            let name = |k: usize| b.params.get(k).map_or("x", |q| q.name);
            let ty = match p.apply {
                Some(Apply::Each(_)) => "function(element)".to_string(),
                Some(Apply::Pairs(k, l)) => format!("function({}, {})", name(k), name(l)),
                None => p.ty.describe(),
            };
            match p.default {
                None => format!("{}: {ty}", p.name),
                Some(d) => format!("{}: {ty} = {}", p.name, d.value().short(20)),
            }
        })
        .collect();
    format!("{}({}) -> {}", b.name, params.join(", "), b.returns.describe())
}

/// Every builtin as plain text (`rubric builtins`).
pub fn reference_text() -> String {
    all().map(|b| format!("{}\n    {}\n\n", signature(b), b.doc)).collect()
}

/// How numbers and regexes behave next to the Python that graders are ported from (the head of
/// `docs/builtins.md`).
const NUMBERS_AND_REGEXES: &str = r#"## Numbers

A number is a double, except an integer beyond ±2^53 (9,007,199,254,740,992), read from JSON or
written in a rubric, which stays exact, as Python keeps its ints: ids such as
`1234567890123456789` and `1234567890123456788` are different keys in `==`, `in`, ordering, `min`,
`max`, set and multiset keys, and `string()` writes them digit for digit, as do
results. Comparisons between an exact integer and a double are exact, as in Python (`10**20 ==
1e20` holds, `2**53 + 1 == 2.0**53` does not). Arithmetic: `+`, `-`, `*`, `sum` and `abs` on an
exact integer and a whole number give the exact result while it fits in 128 bits (as Python's
int arithmetic), and otherwise the double result (as Python's `int + float`); `/`, `mean` and
the other builtins compute in doubles. A number that is not an integer is the nearest double,
and one beyond the double range (`1e400`) is infinite, as Python's `json.loads` reads it.

An exact fraction (Python's `Fraction`) is a number made by `rational`: comparisons, `==` and set
keys are exact against every number (`rational("1/2") == 0.5`, as in Python), and `+ - * /`,
`sum`, `abs`, `floor` and `ceil` stay exact with fractions, exact integers and whole numbers (with
a double that has a fraction part the result is a double, as Python's `Fraction + float`).
`string()` writes it as Python's `str` (`3/4`); `number()` and results as the nearest double.

## Regexes

Regexes are Rust `regex` syntax (linear time: no backreferences, no look-around). Where it
differs from Python's `re` in ways that change the score of a ported grader:

| | Rust `regex` (rubric) | Python `re` |
| --- | --- | --- |
| `\w` | includes combining marks (U+0301); excludes numbers that are not decimal digits (`½`, `²`) | the reverse (`str.isalnum()` or `_`) |
| `\s` | excludes the separators `\x1c`-`\x1f` | includes them (`str.isspace()`) |
| `$` | matches only at the very end of the text | also just before a final `\n` |
| `(?i)i` | does not match `İ` (nor `(?i)İ` `i`) | matches |

Model output often ends with a newline, so `/…$/` on `sample.output_text` fails where Python's
`re.search(r"…$", text)` passes: write `\n?$` (or `\s*$`), or use the `m` flag. `rubric check`
warns about that case (`rubric::end_anchor`).

## Functions

"#;

/// Every builtin as markdown (`docs/builtins.md`).
pub fn reference_markdown() -> String {
    let mut out = String::from("# Builtins\n\nGenerated by `rubric builtins --markdown`; a test keeps it current.\n\n");
    out.push_str(NUMBERS_AND_REGEXES);
    for b in all() {
        out.push_str(&format!("### `{}`\n\n`{}`\n\n{}\n\n", b.name, signature(b), b.doc));
    }
    out
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for the family tests: call a builtin by name the way the engine does.
    use super::*;

    pub fn call(name: &str, args: Vec<Value>) -> Value {
        let b = lookup(name).unwrap_or_else(|| panic!("no builtin `{name}`"));
        let mut full = args;
        for p in &b.params[full.len()..] {
            full.push(p.default.expect("missing required argument").value());
        }
        let mut ctx = Ctx::default();
        ctx.start_case();
        (b.eval)(&full, &mut ctx)
    }
    pub fn s(x: &str) -> Value {
        Value::str(x)
    }
    pub fn n(x: f64) -> Value {
        Value::Number(x)
    }
    pub fn l(xs: Vec<Value>) -> Value {
        Value::list(xs)
    }
    /// The number a builtin returned (panics on anything else).
    pub fn num(v: Value) -> f64 {
        v.as_f64().unwrap_or_else(|| panic!("expected a number, got {v}"))
    }
    /// The message of the error a builtin returned (panics on anything else).
    pub fn err(v: Value) -> String {
        match v {
            Value::Error(e) => e.message.clone(),
            other => panic!("expected an error, got {other}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_names_are_unique() {
        let mut names: Vec<&str> = all().map(|b| b.name).collect();
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }

    #[test]
    fn docs_builtins_md_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/builtins.md");
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == reference_markdown(),
            "docs/builtins.md is stale: run `rubric builtins --markdown > docs/builtins.md`"
        );
    }

    #[test]
    fn every_builtin_has_a_doc() {
        for b in all() {
            assert!(!b.doc.trim().is_empty(), "{}", b.name);
        }
    }

    #[test]
    fn optional_parameters_come_last() {
        for b in all() {
            let first_opt = b.params.iter().position(|p| p.default.is_some()).unwrap_or(b.params.len());
            assert!(b.params[first_opt..].iter().all(|p| p.default.is_some()), "{}", b.name);
        }
    }
}
