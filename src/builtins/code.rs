//! AST pattern matching with ast-grep (typescript, javascript, python).
//!
//! A pattern is source code of the target language in which `$NAME` stands for any single node,
//! `$$$` / `$$$NAME` for any run of nodes and `$_` for a node that is not captured. Matching uses
//! ast-grep's default ("smart") strictness, the same as ast-grep-py's `node.find(pattern=...)`:
//! every node written in the pattern must be present, punctuation the source adds is tolerated,
//! quote styles and object keys are compared exactly (`{amount: $A}` does not match an object with
//! more keys; `{amount: $A, $$$}` is needed for that).

use std::collections::HashMap;
use std::sync::Arc;

use ast_grep_core::matcher::{MatcherExt, PatternNode};
use ast_grep_core::tree_sitter::StrDoc;
use ast_grep_core::{AstGrep, Language, Matcher, Pattern, PatternError};
use ast_grep_language::{LanguageExt, SupportLang};
use memchr::memmem;

use super::{ArgProblem, Builtin, Ctx, req};
use crate::value::{Ty, Value, shorten};

/// A grammar compiled into this build. Only these may be parsed: ast-grep still knows the names of
/// its other languages, but parsing one of them panics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CodeLang {
    TypeScript,
    Tsx,
    JavaScript,
    Python,
}

/// Accepted language names, compared ignoring ASCII case (ast-grep's own alias table, restricted to
/// the grammars compiled in).
const LANGUAGE_NAMES: &[(&str, CodeLang)] = &[
    ("ts", CodeLang::TypeScript),
    ("typescript", CodeLang::TypeScript),
    ("tsx", CodeLang::Tsx),
    ("js", CodeLang::JavaScript),
    ("javascript", CodeLang::JavaScript),
    ("jsx", CodeLang::JavaScript),
    ("py", CodeLang::Python),
    ("python", CodeLang::Python),
];

impl CodeLang {
    const COUNT: usize = 4;

    fn index(self) -> usize {
        self as usize
    }

    fn grammar(self) -> SupportLang {
        match self {
            CodeLang::TypeScript => SupportLang::TypeScript,
            CodeLang::Tsx => SupportLang::Tsx,
            CodeLang::JavaScript => SupportLang::JavaScript,
            CodeLang::Python => SupportLang::Python,
        }
    }

    fn name(self) -> &'static str {
        match self {
            CodeLang::TypeScript => "typescript",
            CodeLang::Tsx => "tsx",
            CodeLang::JavaScript => "javascript",
            CodeLang::Python => "python",
        }
    }

    fn from_name(name: &str) -> Option<CodeLang> {
        LANGUAGE_NAMES.iter().find(|(n, _)| name.eq_ignore_ascii_case(n)).map(|&(_, lang)| lang)
    }
}

fn supported_language_list() -> String {
    LANGUAGE_NAMES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

/// The closest accepted name, when the given one looks like a typo of it.
fn language_suggestion(name: &str) -> Option<&'static str> {
    let lowered = name.to_ascii_lowercase();
    LANGUAGE_NAMES
        .iter()
        .map(|(n, _)| (rapidfuzz::distance::levenshtein::distance(lowered.chars(), n.chars()), *n))
        .filter(|&(d, n)| d <= 2 && d * 2 < n.len().max(lowered.chars().count()))
        .min_by_key(|&(d, _)| d)
        .map(|(_, n)| n)
}

fn unsupported_language(name: &str) -> String {
    format!("unsupported language `{}`", shorten(name, 40))
}

fn unsupported_language_help(name: &str) -> String {
    let mut help = format!("supported languages: {}", supported_language_list());
    if let Some(s) = language_suggestion(name) {
        help.push_str(&format!("; did you mean `{s}`?"));
    }
    help
}

/// Deepest pattern syntax tree we hand to ast-grep, whose pattern conversion and matching recurse
/// along the pattern (a deeply nested pattern from data must not overflow the stack).
const MAX_PATTERN_DEPTH: usize = 256;
/// Compiled patterns kept per worker thread; the cache is emptied when it reaches this size.
const MAX_CACHED_PATTERNS: usize = 4096;
/// Parsed sources kept within one case (entries and total bytes); emptied when either is reached.
const MAX_CACHED_TREES: usize = 256;
const MAX_CACHED_TREE_BYTES: usize = 32 << 20;

/// A pattern compiled for one language.
struct CompiledPattern {
    pattern: Pattern,
    /// Texts every match contains verbatim, longest first: the pattern's named leaves
    /// (identifiers, string contents, numbers) other than metavariables. In ast-grep's smart
    /// strictness a named leaf only matches a node with identical text, so code lacking one of
    /// them cannot match and need not be parsed.
    required: Vec<RequiredText>,
    /// The node kinds a match can have (`Pattern::potential_kinds`, computed once); `None` when
    /// any kind can match.
    root_kinds: Option<Vec<u16>>,
}

/// A text every match contains, with its substring searcher built once per pattern.
struct RequiredText {
    text: String,
    finder: memmem::Finder<'static>,
}

impl RequiredText {
    fn new(text: String) -> RequiredText {
        let finder = memmem::Finder::new(text.as_bytes()).into_owned();
        RequiredText { text, finder }
    }

    /// The byte offset of the first occurrence in `code` at or after `from`.
    fn find_in(&self, code: &str, from: usize) -> Option<usize> {
        self.finder.find(&code.as_bytes()[from..]).map(|offset| from + offset)
    }
}

impl CompiledPattern {
    fn may_match_kind(&self, kind: u16) -> bool {
        self.root_kinds.as_ref().is_none_or(|kinds| kinds.contains(&kind))
    }
}

type Tree = AstGrep<StrDoc<SupportLang>>;

/// A source parsed in the current case, with the language it was parsed as.
struct ParsedCode {
    lang: CodeLang,
    tree: Tree,
}

/// Compiled patterns (per distinct pattern and language) and per-case parsed sources.
pub struct CodeCache {
    patterns: [HashMap<String, Result<Arc<CompiledPattern>, String>>; CodeLang::COUNT],
    pattern_count: usize,
    /// Looked up by language and text: a case has a handful of sources, and comparing lengths
    /// first is cheaper than hashing every text (a parse costs far more than the comparisons).
    trees: Vec<ParsedCode>,
    tree_bytes: usize,
    /// Skip parsing when the code lacks a text the pattern requires (always on outside tests).
    prefilter: bool,
    /// Decide `ast_match` from the nodes around the occurrences of a required text instead of
    /// walking the whole tree (always on outside tests).
    anchored_search: bool,
    stats: CodeStats,
}

/// Counters for measurements and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct CodeStats {
    parses: usize,
    prefilter_skips: usize,
    /// `ast_match` calls answered by `matches_at_anchor` rather than a walk of the whole tree.
    anchored_searches: usize,
}

impl Default for CodeCache {
    fn default() -> Self {
        CodeCache {
            patterns: Default::default(),
            pattern_count: 0,
            trees: Vec::new(),
            tree_bytes: 0,
            prefilter: true,
            anchored_search: true,
            stats: CodeStats::default(),
        }
    }
}

impl CodeCache {
    /// Drops the parsed sources of the previous case; compiled patterns stay.
    pub fn start_case(&mut self) {
        self.trees.clear();
        self.tree_bytes = 0;
    }

    fn pattern(&mut self, source: &str, lang: CodeLang) -> Result<Arc<CompiledPattern>, String> {
        if let Some(found) = self.patterns[lang.index()].get(source) {
            return found.clone();
        }
        if self.pattern_count >= MAX_CACHED_PATTERNS {
            self.patterns.iter_mut().for_each(HashMap::clear);
            self.pattern_count = 0;
        }
        let compiled = compile_pattern(source, lang).map(Arc::new);
        self.patterns[lang.index()].insert(source.to_string(), compiled.clone());
        self.pattern_count += 1;
        compiled
    }

    fn tree(&mut self, code: &str, lang: CodeLang) -> &Tree {
        let cached = self.trees.iter().position(|parsed| parsed.lang == lang && parsed.tree.source() == code);
        let index = match cached {
            Some(index) => index,
            None => {
                if self.trees.len() >= MAX_CACHED_TREES || self.tree_bytes + code.len() > MAX_CACHED_TREE_BYTES {
                    self.start_case();
                }
                self.stats.parses += 1;
                self.tree_bytes += code.len();
                self.trees.push(ParsedCode { lang, tree: parse_code(code, lang) });
                self.trees.len() - 1
            }
        };
        &self.trees[index].tree
    }
}

/// Parses `code` as `lang`. Every parse goes through here (or through `compile_pattern`), so that
/// tree-sitter's allocator is set before tree-sitter allocates anything.
fn parse_code(code: &str, lang: CodeLang) -> Tree {
    crate::alloc::tree_sitter::install();
    lang.grammar().ast_grep(code)
}

/// Compiles `source` as a pattern, rejecting what ast-grep rejects (no node, several nodes, a lone
/// `$$$`) and also what it silently accepts but can almost never match: a pattern whose parse has
/// syntax errors or missing tokens.
fn compile_pattern(source: &str, lang: CodeLang) -> Result<CompiledPattern, String> {
    // `Pattern::try_new` parses too.
    crate::alloc::tree_sitter::install();
    let grammar = lang.grammar();
    let shown = shorten(source, 80);
    // ast-grep parses the pattern with `$` replaced by the language's placeholder character.
    let processed = grammar.pre_process_pattern(source);
    let parsed = parse_code(processed.as_ref(), lang);
    if depth_exceeds(&parsed, MAX_PATTERN_DEPTH) {
        return Err(format!("pattern `{shown}` is nested more than {MAX_PATTERN_DEPTH} levels deep"));
    }
    let pattern = Pattern::try_new(source, grammar).map_err(|e| pattern_error_message(&e, &shown))?;
    if let Some(problem) = syntax_problem(&parsed, &processed, grammar) {
        return Err(format!("malformed {} pattern `{shown}`: {problem}", lang.name()));
    }
    let mut required = Vec::new();
    collect_named_leaves(&pattern.node, &mut required);
    required.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    required.dedup();
    let required = required.into_iter().map(RequiredText::new).collect();
    // Kind ids are u16 in tree-sitter; the bit set holds them as usize.
    let root_kinds = pattern.potential_kinds().map(|kinds| kinds.iter().map(|kind| kind as u16).collect());
    Ok(CompiledPattern { pattern, required, root_kinds })
}

fn pattern_error_message(error: &PatternError, shown: &str) -> String {
    match error {
        PatternError::NoContent(_) => format!("pattern `{shown}` is empty: it contains no code"),
        PatternError::MultipleNode(_) => {
            format!("pattern `{shown}` has several top-level nodes: a pattern must be a single node")
        }
        PatternError::RootMultiMetaVar(_) => format!(
            "pattern `{shown}` is only a multi metavariable: use `$VAR`, or put `$$$VAR` inside a larger pattern"
        ),
        other => format!("invalid pattern `{shown}`: {}", lowercase_first(&other.to_string())),
    }
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect::<String>().trim_end_matches('.').to_string(),
        None => String::new(),
    }
}

/// Whether the parsed pattern is nested deeper than `limit` (walked with an explicit stack).
fn depth_exceeds(parsed: &Tree, limit: usize) -> bool {
    let mut stack = vec![(parsed.root(), 0usize)];
    while let Some((node, depth)) = stack.pop() {
        if depth > limit {
            return true;
        }
        stack.extend(node.children().map(|c| (c, depth + 1)));
    }
    false
}

/// The first syntax error or missing token in a parsed pattern, described with its position.
fn syntax_problem(parsed: &Tree, processed: &str, grammar: SupportLang) -> Option<String> {
    let bad = parsed.root().dfs().find(|n| n.is_error() || n.is_missing())?;
    let start = bad.range().start;
    let before = &processed[..start];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    let at =
        if processed.contains('\n') { format!("line {line}, column {column}") } else { format!("column {column}") };
    // Show the user's `$` rather than the placeholder the pattern was parsed with.
    let readable = |s: &str| s.replace(grammar.expando_char(), "$");
    let text = readable(&bad.text());
    Some(if bad.is_missing() {
        format!("missing `{}` at {at}", readable(&bad.kind()))
    } else if text.trim().is_empty() {
        format!("syntax error at {at}")
    } else if bad.range().end >= processed.trim_end().len() {
        // tree-sitter wraps an unfinished construct (an unclosed bracket, say) in one error node.
        format!("`{}` from {at} is incomplete", shorten(&text, 40))
    } else {
        format!("unexpected `{}` at {at}", shorten(&text, 40))
    })
}

fn collect_named_leaves(node: &PatternNode, out: &mut Vec<String>) {
    // Explicit stack: pattern depth is bounded, but this keeps the walk flat anyway.
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match node {
            PatternNode::Terminal { text, is_named: true, .. } if !text.is_empty() => out.push(text.clone()),
            PatternNode::Internal { children, .. } => stack.extend(children.iter()),
            _ => {}
        }
    }
}

/// What a call wants from the matches.
#[derive(Clone, Copy)]
enum Want {
    Any,
    Count,
    Texts,
}

fn no_matches(want: Want) -> Value {
    match want {
        Want::Any => Value::Bool(false),
        Want::Count => Value::Number(0.0),
        Want::Texts => Value::list(Vec::new()),
    }
}

fn search(args: &[Value], ctx: &mut Ctx, want: Want) -> Value {
    let (Some(code), Some(language), Some(pattern)) = (args[0].as_str(), args[1].as_str(), args[2].as_str()) else {
        return Value::error("ast matching expects code, language and pattern as strings");
    };
    let Some(lang) = CodeLang::from_name(language) else {
        return Value::error(format!("{} (supported: {})", unsupported_language(language), supported_language_list()));
    };
    let limit = ctx.limits.code_bytes;
    if code.len() > limit {
        return Value::error(format!("code is {} bytes, more than the limit of {limit}", code.len()));
    }
    if pattern.len() > limit {
        return Value::error(format!("pattern is {} bytes, more than the limit of {limit}", pattern.len()));
    }
    let cache = &mut ctx.code;
    let compiled = match cache.pattern(pattern, lang) {
        Ok(compiled) => compiled,
        Err(message) => return Value::error(message),
    };
    let shown = || format!("pattern `{}`", crate::value::shorten(pattern, 60));
    if cache.prefilter
        && let Some(absent) = compiled.required.iter().find(|required| required.find_in(code, 0).is_none())
    {
        cache.stats.prefilter_skips += 1;
        let absent = absent.text.clone();
        ctx.note(|| format!("{} does not match: the code has no `{absent}`", shown()));
        return no_matches(want);
    }
    // Existence alone can be decided near a required text; evidence names the first match.
    if matches!(want, Want::Any)
        && cache.anchored_search
        && ctx.evidence.is_none()
        && let Some(anchor) = compiled.required.first()
        && let Some(found) = matches_at_anchor(cache.tree(code, lang), &compiled, anchor)
    {
        cache.stats.anchored_searches += 1;
        return Value::Bool(found);
    }
    let tree = cache.tree(code, lang);
    let root = tree.root();
    match want {
        Want::Any => {
            // The first match in pre-order, as `root.find` gives it; `find_all` only tries nodes of
            // the kind the pattern's root can match, where `find` builds a match state per node.
            let found = root.find_all(&compiled.pattern).next();
            // (`ctx.evidence` is used directly: the tree still borrows `ctx.code`.)
            if let Some(notes) = ctx.evidence.as_mut() {
                let note = match &found {
                    Some(m) => format!(
                        "{} matches at line {}: `{}`",
                        shown(),
                        m.start_pos().line() + 1,
                        crate::value::shorten(&m.text().replace('\n', " "), 60)
                    ),
                    None => format!("{} does not match", shown()),
                };
                notes.push(note);
            }
            Value::Bool(found.is_some())
        }
        Want::Count => Value::Number(root.find_all(&compiled.pattern).count() as f64),
        Want::Texts => Value::list(root.find_all(&compiled.pattern).map(|m| Value::str(&m.text())).collect()),
    }
}

/// Occurrences of the anchor beyond which `matches_at_anchor` leaves the answer to a walk of the
/// whole tree (each occurrence costs a descent from the root).
const MAX_ANCHOR_OCCURRENCES: usize = 16;

/// Whether the pattern matches some node of the tree, trying only the nodes that contain an
/// occurrence of `anchor`, one of the pattern's required named leaves; `None` when the anchor
/// occurs too often for this to pay.
///
/// In a match, the anchor's pattern leaf is matched by a node whose text is the anchor, so that
/// node spans an occurrence of it, and the matching node is that node or one of its ancestors. The
/// nodes that contain a given (non-empty) range form a single chain from the root, because
/// siblings do not overlap; so trying every node on the chain of every occurrence finds a match
/// when there is one. Only existence is decided: which match comes first in pre-order (for
/// evidence, `ast_count`, `ast_find`) still needs the walk.
fn matches_at_anchor(tree: &Tree, compiled: &CompiledPattern, anchor: &RequiredText) -> Option<bool> {
    let code = tree.source();
    let anchor_len = anchor.text.len();
    if anchor_len == 0 {
        return None;
    }
    let mut occurrences = Vec::new();
    let mut from = 0;
    while let Some(start) = anchor.find_in(code, from) {
        if occurrences.len() == MAX_ANCHOR_OCCURRENCES {
            return None;
        }
        occurrences.push(start);
        // Occurrences may overlap: continue one character further.
        from = start + code[start..].chars().next().map_or(1, char::len_utf8);
    }
    let root = tree.root();
    let mut cursor = root.get_inner_node().walk();
    for start in occurrences {
        let end = start + anchor_len;
        // Down the chain from the root, one cursor step per level.
        cursor.reset(root.get_inner_node());
        loop {
            let node = cursor.node();
            if compiled.may_match_kind(node.kind_id()) && compiled.pattern.match_node(tree.adopt(node)).is_some() {
                return Some(true);
            }
            // The first child that ends after `start` is the only one that can contain the
            // occurrence: any later sibling starts after it ends.
            if cursor.goto_first_child_for_byte(start).is_none() {
                break;
            }
            let child = cursor.node();
            if child.start_byte() > start || child.end_byte() < end {
                break;
            }
        }
    }
    Some(false)
}

/// `ast_match(code, language, pattern) -> bool`: whether the pattern matches somewhere in the code.
fn ast_match(args: &[Value], ctx: &mut Ctx) -> Value {
    search(args, ctx, Want::Any)
}

/// `ast_count(code, language, pattern) -> number`: how many nodes of the code the pattern matches
/// (nested matches count separately).
fn ast_count(args: &[Value], ctx: &mut Ctx) -> Value {
    search(args, ctx, Want::Count)
}

/// `ast_find(code, language, pattern) -> list`: the source text of every match, outermost first.
fn ast_find(args: &[Value], ctx: &mut Ctx) -> Value {
    search(args, ctx, Want::Texts)
}

/// Rejects a literal unknown language and a literal malformed pattern before anything runs. When the
/// language is not a literal, a pattern is rejected only if no supported language accepts it.
fn validate(args: &[Option<&Value>]) -> Vec<ArgProblem> {
    let literal = |i: usize| args.get(i).copied().flatten().and_then(Value::as_str);
    let lang = match literal(1) {
        Some(name) => match CodeLang::from_name(name) {
            Some(lang) => Some(lang),
            None => {
                return vec![ArgProblem {
                    arg: 1,
                    code: None,
                    message: unsupported_language(name),
                    help: Some(unsupported_language_help(name)),
                }];
            }
        },
        None => None,
    };
    let Some(pattern) = literal(2) else {
        return Vec::new();
    };
    if let Some(lang) = lang {
        return match compile_pattern(pattern, lang) {
            Ok(_) => Vec::new(),
            Err(message) => vec![ArgProblem { arg: 2, code: None, message, help: None }],
        };
    }
    let candidates = [CodeLang::TypeScript, CodeLang::JavaScript, CodeLang::Python];
    let mut reasons = Vec::new();
    for lang in candidates {
        match compile_pattern(pattern, lang) {
            Ok(_) => return Vec::new(),
            Err(message) => reasons.push(format!("{}: {message}", lang.name())),
        }
    }
    vec![ArgProblem {
        arg: 2,
        code: None,
        message: format!("pattern `{}` is not valid in any supported language", shorten(pattern, 80)),
        help: Some(reasons.join("; ")),
    }]
}

const PARAMS: &[super::Param] = &[req("code", Ty::STRING), req("language", Ty::STRING), req("pattern", Ty::STRING)];

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "ast_match",
        doc: "Whether an ast-grep pattern (`$A` one node, `$$$` any nodes) matches somewhere in `code`, \
              parsed as `language` (ts, typescript, tsx, js, javascript, jsx, py, python; any case). \
              An unsupported language, a malformed pattern or oversized code is an error.",
        params: PARAMS,
        returns: Ty::BOOL,
        eval: ast_match,
        validate: Some(validate),
    },
    Builtin {
        name: "ast_count",
        doc: "How many nodes of `code` (parsed as `language`) an ast-grep pattern matches, nested \
              matches included. Errors as for `ast_match`.",
        params: PARAMS,
        returns: Ty::NUMBER,
        eval: ast_count,
        validate: Some(validate),
    },
    Builtin {
        name: "ast_find",
        doc: "The source texts of all matches of an ast-grep pattern in `code` (parsed as `language`), \
              in document order, outer before inner. Errors as for `ast_match`.",
        params: PARAMS,
        returns: Ty::LIST,
        eval: ast_find,
        validate: Some(validate),
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtins::Limits;
    use crate::builtins::testing::{call, s};

    fn is_match(code: &str, lang: &str, pattern: &str) -> Value {
        call("ast_match", vec![s(code), s(lang), s(pattern)])
    }
    fn error_of(v: &Value) -> String {
        match v {
            Value::Error(e) => e.message.clone(),
            other => panic!("expected an error, got {other:?}"),
        }
    }
    fn problems(lang: Option<&str>, pattern: Option<&str>) -> Vec<ArgProblem> {
        let (l, p) = (lang.map(Value::str), pattern.map(Value::str));
        validate(&[None, l.as_ref(), p.as_ref()])
    }

    const STRIPE_TS: &str = "const stripe = new Stripe(key);\nawait stripe.charges.create({ amount: 5000 });\n\
                             await client.charges.create({ amount: 1200, currency: \"usd\" });";

    #[test]
    fn call_pattern_with_metavariables_matches() {
        assert!(is_match(STRIPE_TS, "ts", "$A.charges.create($$$)").json_eq(&Value::Bool(true)));
    }
    #[test]
    fn object_pattern_is_exact_about_keys() {
        let texts = call("ast_find", vec![s(STRIPE_TS), s("ts"), s("$A.charges.create({amount: $AMT})")]);
        assert!(texts.json_eq(&Value::list(vec![s("stripe.charges.create({ amount: 5000 })")])));
    }
    #[test]
    fn object_pattern_with_rest_needs_another_key() {
        let n = call("ast_count", vec![s(STRIPE_TS), s("ts"), s("$A.charges.create({amount: $AMT, $$$})")]);
        assert!(n.json_eq(&Value::Number(1.0)));
    }
    #[test]
    fn quote_style_matters() {
        assert!(is_match("f('usd')", "js", "f(\"usd\")").json_eq(&Value::Bool(false)));
    }
    #[test]
    fn language_names_ignore_case() {
        for name in ["TypeScript", "JS", "Tsx", "JSX", "Python", "PY"] {
            assert!(is_match("f(1)", name, "f($A)").json_eq(&Value::Bool(true)), "{name}");
        }
    }
    #[test]
    fn python_patterns_use_dollar_metavariables() {
        let code = "stripe.Charge.create(amount=5000, currency='usd')";
        assert!(is_match(code, "python", "$A.Charge.create(amount=$AMT, $$$)").json_eq(&Value::Bool(true)));
    }
    #[test]
    fn empty_code_matches_nothing() {
        assert!(is_match("", "ts", "f($A)").json_eq(&Value::Bool(false)));
    }
    #[test]
    fn unsupported_language_is_an_error() {
        assert!(error_of(&is_match("x", "go", "x")).starts_with("unsupported language `go` (supported: ts,"));
    }
    #[test]
    fn lone_multi_metavariable_is_an_error() {
        assert!(error_of(&is_match("x", "ts", "$$$")).contains("only a multi metavariable"));
    }
    #[test]
    fn empty_pattern_is_an_error() {
        assert!(error_of(&is_match("x", "ts", "")).contains("is empty"));
    }
    #[test]
    fn several_statements_pattern_is_an_error() {
        assert!(error_of(&is_match("a; b", "ts", "a; b")).contains("several top-level nodes"));
    }
    #[test]
    fn unclosed_call_pattern_is_malformed() {
        let e = error_of(&is_match("f(1)", "ts", "stripe.customers.create("));
        assert_eq!(
            e,
            "malformed typescript pattern `stripe.customers.create(`: `stripe.customers.create(` from column 1 is incomplete"
        );
    }
    #[test]
    fn stray_tokens_pattern_is_malformed() {
        let e = error_of(&is_match("foo(a b c)", "js", "foo(a b c)"));
        assert!(e.starts_with("malformed javascript pattern `foo(a b c)`: unexpected `"), "{e}");
    }
    #[test]
    fn malformed_python_pattern_shows_dollar_not_placeholder() {
        let e = error_of(&is_match("x", "py", "print($A b)"));
        assert!(e.starts_with("malformed python pattern `print($A b)`") && !e.contains('µ'), "{e}");
    }
    #[test]
    fn deeply_nested_pattern_is_an_error() {
        let pattern = format!("{}x{}", "(".repeat(400), ")".repeat(400));
        assert!(error_of(&is_match("x", "ts", &pattern)).contains("nested more than"));
    }
    #[test]
    fn oversized_code_is_an_error() {
        let mut ctx = Ctx::new(Limits { code_bytes: 8, ..Limits::default() });
        let v = ast_match(&[s("f(1); f(2);"), s("ts"), s("f($A)")], &mut ctx);
        assert_eq!(error_of(&v), "code is 11 bytes, more than the limit of 8");
    }
    #[test]
    fn odd_unicode_code_does_not_panic() {
        let code = "const café = 'naïve\u{0301}'; /* \u{202e}😀 */ f(\u{0}日本)";
        assert!(is_match(code, "ts", "'naïve\u{0301}'").json_eq(&Value::Bool(true)));
    }
    #[test]
    fn validate_rejects_unknown_language_with_suggestion() {
        let p = problems(Some("pyhton"), Some("f($A)"));
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].arg, p[0].message.as_str()), (1, "unsupported language `pyhton`"));
        assert!(p[0].help.as_deref().unwrap().ends_with("did you mean `python`?"));
    }
    #[test]
    fn validate_lists_languages_without_suggestion_for_far_names() {
        let help = problems(Some("cobol"), None)[0].help.clone().unwrap();
        assert_eq!(help, "supported languages: ts, typescript, tsx, js, javascript, jsx, py, python");
    }
    #[test]
    fn validate_rejects_malformed_literal_pattern() {
        let p = problems(Some("ts"), Some("$A.create({"));
        assert_eq!(p[0].arg, 2);
        assert!(p[0].message.starts_with("malformed typescript pattern"), "{}", p[0].message);
    }
    #[test]
    fn validate_accepts_good_literals() {
        assert!(problems(Some("JavaScript"), Some("$S.customers.create($$$)")).is_empty());
    }
    #[test]
    fn validate_without_language_accepts_pattern_valid_in_one_language() {
        assert!(problems(None, Some("def $F($$$): $$$")).is_empty());
    }
    #[test]
    fn validate_without_language_rejects_pattern_invalid_everywhere() {
        let p = problems(None, Some("$$$"));
        assert!(p[0].message.contains("not valid in any supported language"));
        assert!(p[0].help.as_deref().unwrap().starts_with("typescript: pattern `$$$` is only"));
    }
    #[test]
    fn prefilter_uses_named_leaves_but_not_metavariables() {
        let compiled =
            compile_pattern("$S.checkout.sessions.create({ $$$, mode: 'payment', $$$ })", CodeLang::TypeScript);
        let required: Vec<String> = compiled.unwrap().required.into_iter().map(|r| r.text).collect();
        assert_eq!(required, ["checkout", "sessions", "payment", "create", "mode"]);
    }
    #[test]
    fn prefilter_skips_the_parse() {
        let mut ctx = Ctx::default();
        let v = ast_match(&[s("other.call()"), s("ts"), s("$S.customers.create($$$)")], &mut ctx);
        assert!(v.json_eq(&Value::Bool(false)));
        assert_eq!(ctx.code.stats, CodeStats { parses: 0, prefilter_skips: 1, anchored_searches: 0 });
    }
    #[test]
    fn parsed_code_is_reused_within_a_case_only() {
        let mut ctx = Ctx::default();
        let code = s("stripe.customers.create({}); stripe.refunds.create({})");
        ast_match(&[code.clone(), s("ts"), s("$S.customers.create($$$)")], &mut ctx);
        ast_match(&[code.clone(), s("ts"), s("$S.refunds.create($$$)")], &mut ctx);
        assert_eq!(ctx.code.stats.parses, 1);
        ctx.start_case();
        ast_match(&[code, s("ts"), s("$S.refunds.create($$$)")], &mut ctx);
        assert_eq!(ctx.code.stats.parses, 2);
    }
    #[test]
    fn cache_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<CodeCache>();
    }

    // ---- parity with ast-grep-py 0.51.0 over tests/data/code/ast_match.jsonl ----

    /// One (code, language, pattern) triple with ast-grep-py's answer.
    struct Triple {
        source: String,
        group: usize,
        language: String,
        code: String,
        pattern: String,
        /// `None` when Python raised.
        python_match: Option<bool>,
        python_count: Option<f64>,
        python_texts: Option<Vec<String>>,
    }

    fn fixture() -> Vec<Triple> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/code/ast_match.jsonl");
        let text = std::fs::read_to_string(path).expect("fixture");
        let mut out = Vec::new();
        for (group, line) in text.lines().enumerate() {
            let row: serde_json::Value = serde_json::from_str(line).expect("json line");
            for check in row["checks"].as_array().expect("checks") {
                out.push(Triple {
                    source: row["source"].as_str().unwrap().to_string(),
                    group,
                    language: row["language"].as_str().unwrap().to_string(),
                    code: row["code"].as_str().unwrap().to_string(),
                    pattern: check["pattern"].as_str().unwrap().to_string(),
                    python_match: check["match"].as_bool(),
                    python_count: check["count"].as_f64(),
                    python_texts: check["texts"]
                        .as_array()
                        .map(|a| a.iter().map(|t| t.as_str().unwrap().to_string()).collect()),
                });
            }
        }
        out
    }

    /// Runs every triple through one context, one case per code block (as the engine would).
    fn run_fixture(
        triples: &[Triple],
        prefilter: bool,
        builtin: fn(&[Value], &mut Ctx) -> Value,
    ) -> (Vec<Value>, CodeStats) {
        run_fixture_with(triples, builtin, |cache| cache.prefilter = prefilter)
    }

    fn run_fixture_with(
        triples: &[Triple],
        builtin: fn(&[Value], &mut Ctx) -> Value,
        configure: impl Fn(&mut CodeCache),
    ) -> (Vec<Value>, CodeStats) {
        let mut ctx = Ctx::default();
        configure(&mut ctx.code);
        let mut last_group = usize::MAX;
        let results = triples
            .iter()
            .map(|t| {
                if t.group != last_group {
                    ctx.start_case();
                    last_group = t.group;
                }
                builtin(&[s(&t.code), s(&t.language), s(&t.pattern)], &mut ctx)
            })
            .collect();
        (results, ctx.code.stats)
    }

    fn same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Error(x), Value::Error(y)) => x.message == y.message,
            _ => a.json_eq(b),
        }
    }

    #[test]
    fn ast_match_agrees_with_ast_grep_py() {
        let triples = fixture();
        assert!(triples.len() > 2000, "fixture has {} triples", triples.len());
        let (results, _) = run_fixture(&triples, true, ast_match);
        let mut python_raised_we_error = 0;
        let mut stricter_than_python = Vec::new();
        for (t, ours) in triples.iter().zip(&results) {
            let what = format!("{} {} `{}` on {:?}", t.source, t.language, t.pattern, shorten(&t.code, 60));
            match (t.python_match, ours) {
                // Python raised: we must not claim a match; every such case is an error value here.
                (None, Value::Error(_)) => python_raised_we_error += 1,
                (None, other) => panic!("python raised but we returned {other:?}: {what}"),
                // Our own syntax check rejects patterns ast-grep accepts (they can only match code
                // with the same syntax error).
                (Some(py), Value::Error(e)) if e.message.starts_with("malformed ") => {
                    stricter_than_python.push((py, what))
                }
                (Some(py), ours) => assert!(ours.json_eq(&Value::Bool(py)), "python {py}, we {ours:?}: {what}"),
            }
        }
        let corpus = triples.iter().filter(|t| t.source == "corpus").count();
        eprintln!(
            "{} triples ({corpus} corpus): python raised {python_raised_we_error} (all errors here), \
             malformed-pattern errors where python answered: {} (python true on {})",
            triples.len(),
            stricter_than_python.len(),
            stricter_than_python.iter().filter(|(py, _)| *py).count()
        );
        assert!(
            stricter_than_python.iter().all(|(_, w)| !w.starts_with("corpus ")),
            "corpus patterns are all well-formed"
        );
        // Known: malformed patterns that Python still matches: `foo(a b c)` where the code has the
        // same error, and `)`, whose error node reduces to the bare token and matches any `)`.
        let matched: Vec<&String> = stricter_than_python.iter().filter(|(py, _)| *py).map(|(_, w)| w).collect();
        assert!(matched.iter().all(|w| w.contains(" `foo(a b c)` ") || w.contains(" `)` ")), "{matched:#?}");
    }

    #[test]
    fn ast_count_and_ast_find_agree_with_ast_grep_py() {
        let triples = fixture();
        let (counts, _) = run_fixture(&triples, true, ast_count);
        let (finds, _) = run_fixture(&triples, true, ast_find);
        let mut compared = 0;
        for ((t, count), found) in triples.iter().zip(&counts).zip(&finds) {
            if t.python_match.is_none() || count.is_error() {
                continue;
            }
            let what = format!("{} `{}` on {:?}", t.language, t.pattern, shorten(&t.code, 60));
            assert!(count.json_eq(&Value::Number(t.python_count.unwrap())), "count {count:?}: {what}");
            if let Some(texts) = &t.python_texts {
                let expected = Value::list(texts.iter().map(|x| s(x)).collect());
                assert!(found.json_eq(&expected), "texts {found:?}: {what}");
                compared += 1;
            }
        }
        assert!(compared > 1500);
    }

    #[test]
    fn prefilter_does_not_change_results() {
        let triples = fixture();
        for builtin in [ast_match as fn(&[Value], &mut Ctx) -> Value, ast_count, ast_find] {
            let (with, stats_with) = run_fixture(&triples, true, builtin);
            let (without, stats_without) = run_fixture(&triples, false, builtin);
            for ((t, a), b) in triples.iter().zip(&with).zip(&without) {
                assert!(same(a, b), "prefilter changed {a:?} to {b:?}: `{}` on {:?}", t.pattern, t.code);
            }
            assert!(stats_with.prefilter_skips > 0 && stats_without.prefilter_skips == 0);
            assert!(stats_with.parses <= stats_without.parses);
        }
    }

    #[test]
    fn anchored_search_does_not_change_results() {
        let triples = fixture();
        let (with, stats_with) = run_fixture_with(&triples, ast_match, |cache| cache.prefilter = false);
        let (without, stats_without) = run_fixture_with(&triples, ast_match, |cache| {
            cache.prefilter = false;
            cache.anchored_search = false;
        });
        for ((t, a), b) in triples.iter().zip(&with).zip(&without) {
            assert!(same(a, b), "anchored search changed {b:?} to {a:?}: `{}` on {:?}", t.pattern, t.code);
        }
        assert!(stats_with.anchored_searches > 1000 && stats_without.anchored_searches == 0, "{stats_with:?}");
    }

    #[test]
    fn anchored_search_finds_matches_around_every_occurrence() {
        let mut ctx = Ctx::default();
        // The anchor `create` occurs first in a comment, a string and a non-matching call; the match
        // is around the last occurrence, and overlapping occurrences (`aa` in `aaa`) all count.
        let code = "// create\nconst s = 'create'; create(); stripe.customers.create({ a: 1 });";
        let v = ast_match(&[s(code), s("ts"), s("$S.customers.create({ a: $A })")], &mut ctx);
        assert!(v.json_eq(&Value::Bool(true)));
        let v = ast_match(&[s("f(aaa)"), s("ts"), s("f(aa)")], &mut ctx);
        assert!(v.json_eq(&Value::Bool(false)));
        let v = ast_match(&[s("g(aa); f(aaa); f(aa)"), s("ts"), s("f(aa)")], &mut ctx);
        assert!(v.json_eq(&Value::Bool(true)));
        assert_eq!(ctx.code.stats.anchored_searches, 3);
        // Too many occurrences: the whole tree is walked.
        let code = "x.create(); ".repeat(MAX_ANCHOR_OCCURRENCES) + "s.create(1)";
        let v = ast_match(&[s(&code), s("ts"), s("$S.create(1)")], &mut ctx);
        assert!(v.json_eq(&Value::Bool(true)));
        assert_eq!(ctx.code.stats.anchored_searches, 3);
    }

    /// Timing and prefilter rates on the corpus triples:
    /// `cargo test --lib builtins::code::tests::measure -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn measure() {
        use std::time::Instant;
        let triples: Vec<Triple> = fixture().into_iter().filter(|t| t.source == "corpus").collect();
        let (_, stats) = run_fixture(&triples, true, ast_match);
        let (_, stats_off) = run_fixture(&triples, false, ast_match);
        eprintln!(
            "corpus: {} triples, prefilter skipped {} ({:.0}%); parses {} with prefilter, {} without",
            triples.len(),
            stats.prefilter_skips,
            100.0 * stats.prefilter_skips as f64 / triples.len() as f64,
            stats.parses,
            stats_off.parses
        );
        // Parse and match times, compiled patterns and a fresh parse per block, several rounds.
        let rounds = 5;
        let (mut parse, mut matching, mut bytes, mut blocks, mut matches) = (0.0, 0.0, 0, 0, 0);
        for _ in 0..rounds {
            for group in triples.chunk_by(|a, b| a.group == b.group) {
                let lang = CodeLang::from_name(&group[0].language).unwrap();
                let patterns: Vec<Pattern> =
                    group.iter().map(|t| compile_pattern(&t.pattern, lang).unwrap().pattern).collect();
                let t0 = Instant::now();
                let tree = parse_code(&group[0].code, lang);
                parse += t0.elapsed().as_secs_f64();
                for p in &patterns {
                    let t1 = Instant::now();
                    let found = tree.root().find(p).is_some();
                    matching += t1.elapsed().as_secs_f64();
                    matches += 1;
                    std::hint::black_box(found);
                }
                bytes += group[0].code.len();
                blocks += 1;
            }
        }
        eprintln!(
            "{} blocks, mean {:.0} bytes: parse {:.0} µs/block, find {:.0} µs/pattern",
            blocks / rounds,
            bytes as f64 / blocks as f64,
            parse / blocks as f64 * 1e6,
            matching / matches as f64 * 1e6
        );
    }
}
