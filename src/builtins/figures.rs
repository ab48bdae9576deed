//! Money and percent figures: literals like `$248,333` and `26.67%`, and their mentions in text.
//!
//! A text's *figure tokens* are its numbers as a careful reader sees them: every maximal run of
//! ASCII `0-9 . ,` with sentence punctuation (`.`/`,`) stripped from both ends, kept only when it is
//! a plain number (`248333`, `26.67`) or comma-grouped thousands (`1,215,000.00`); a token right
//! before `%` is a percent, any other a plain (money) figure. Values compare as exact decimals, so
//! `$248,333` = `248333` = `$248,333.00`, while `6.67%` is not found inside `26.67%`.

use std::sync::Arc;

use super::{ArgProblem, Builtin, Ctx, req};
use crate::bytescan::next_digit;
use crate::value::figure::{Figure, FigureKind, canonical_bytes, canonical_number, is_figure_number};
use crate::value::{Str, Ty, Value, shorten};

/// The figure tokens of `text` in order of appearance, duplicates kept. A token's `text` is the
/// number as written, with `%` for a percent.
pub fn figure_tokens(text: &str) -> Vec<Figure> {
    let mut out = Vec::new();
    scan_tokens(text, |kind, number| {
        let written = if kind == FigureKind::Percent { format!("{number}%") } else { number.to_string() };
        out.push(Figure::new(kind, number, &written));
    });
    out
}

/// Calls `found(kind, number)` for every figure token of `text`, left to right.
fn scan_tokens(text: &str, mut found: impl FnMut(FigureKind, &str)) {
    // All the bytes of interest are ASCII, so byte offsets are char boundaries. A run without a
    // digit is all punctuation and trims to nothing, so runs are found by their first digit (the
    // punctuation before it would be trimmed anyway).
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = next_digit(bytes, i);
        if start == bytes.len() {
            break;
        }
        i = start;
        while i < bytes.len() && is_run_byte(bytes[i]) {
            i += 1;
        }
        let mut end = i;
        while matches!(bytes[end - 1], b'.' | b',') {
            end -= 1;
        }
        let number = &text[start..end];
        if is_figure_number(number) {
            let kind = if bytes.get(end) == Some(&b'%') { FigureKind::Percent } else { FigureKind::Money };
            found(kind, number);
        }
    }
}

/// A byte of a number run: `0-9`, `.` or `,`.
fn is_run_byte(b: u8) -> bool {
    b.is_ascii_digit() || b == b'.' || b == b','
}

/// The distinct figure tokens of a text, by kind and canonical value.
#[derive(Debug, Default)]
pub struct TokenSet {
    /// Tokens of up to [`PACKED_DIGITS`] characters, packed (see [`pack`]), sorted, distinct.
    packed: Vec<u128>,
    /// Longer ones, sorted, distinct.
    long: Vec<(FigureKind, String)>,
}

/// The most characters of a canonical value that fit in a packed key.
const PACKED_DIGITS: usize = 30;

/// A canonical value (digits and at most one `.`) as one integer: the kind in the top bit, the
/// length below it, then four bits per character; `None` when it is too long. Equal keys are equal
/// (kind, value) pairs, and comparing integers is much cheaper than comparing strings.
fn pack(kind: FigureKind, canonical: impl Iterator<Item = u8>) -> Option<u128> {
    let mut key = u128::from(kind == FigureKind::Percent) << 127;
    let mut len = 0;
    for c in canonical {
        if len == PACKED_DIGITS {
            return None;
        }
        let nibble = if c == b'.' { 10 } else { u128::from(c.wrapping_sub(b'0') & 0xF) };
        key |= nibble << (116 - 4 * len);
        len += 1;
    }
    Some(key | ((len as u128) << 120))
}

impl TokenSet {
    /// The distinct figure tokens of a text, sorted (so membership is a binary search).
    pub fn of(text: &str) -> TokenSet {
        let mut set = TokenSet::default();
        scan_tokens(text, |kind, number| match pack(kind, canonical_bytes(number)) {
            Some(key) => set.packed.push(key),
            None => set.long.push((kind, canonical_number(number))),
        });
        set.packed.sort_unstable();
        set.packed.dedup();
        set.long.sort_unstable();
        set.long.dedup();
        set
    }

    /// Whether a token of the figure's kind has its value.
    pub fn mentions(&self, figure: &Figure) -> bool {
        let (kind, canonical) = figure.key();
        match pack(kind, canonical.bytes()) {
            Some(key) => self.packed.binary_search(&key).is_ok(),
            None => self.long.binary_search_by(|(k, c)| (*k, c.as_str()).cmp(&(kind, canonical))).is_ok(),
        }
    }

    #[cfg(test)]
    /// Every token, as kind and canonical value (for tests and explanations).
    pub fn tokens(&self) -> Vec<(FigureKind, String)> {
        let unpack = |key: u128| {
            let kind = if key >> 127 == 1 { FigureKind::Percent } else { FigureKind::Money };
            let len = ((key >> 120) & 0x7F) as usize;
            let value = (0..len)
                .map(|i| match (key >> (116 - 4 * i)) & 0xF {
                    10 => '.',
                    d => char::from(b'0' + d as u8),
                })
                .collect();
            (kind, value)
        };
        self.packed.iter().map(|&k| unpack(k)).chain(self.long.iter().cloned()).collect()
    }
}

/// How many recent texts the cache keeps (a rubric usually scans one answer, sometimes a few).
const CACHED_TEXTS: usize = 4;

/// Per-case memo of the figure tokens of the last texts scanned. A rubric typically calls
/// `mentions_all(answer, ...)` many times on the same `answer`; a long text is recognised by the
/// address of its shared buffer (the cache holds a clone, so the address cannot be reused
/// meanwhile), or failing that (and for short, inline strings) by equal content.
#[derive(Default)]
pub struct FigureCache {
    /// Most recent first.
    entries: Vec<(Str, Arc<TokenSet>)>,
}

impl FigureCache {
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The token set of `text`, scanned once while it stays among the recent texts.
    pub fn tokens(&mut self, text: &Str) -> Arc<TokenSet> {
        let hit = self
            .entries
            .iter()
            .position(|(t, _)| std::ptr::eq(t.as_str(), text.as_str()))
            .or_else(|| self.entries.iter().position(|(t, _)| t.len() == text.len() && **t == **text));
        let entry = match hit {
            Some(i) => self.entries.remove(i),
            None => (text.clone(), Arc::new(TokenSet::of(text))),
        };
        let tokens = entry.1.clone();
        self.entries.insert(0, entry);
        self.entries.truncate(CACHED_TEXTS);
        tokens
    }
}

// ---------------------------------------------------------------------------------------------
// Builtins

const HELP: &str = "write a money amount like `$248,333` or `1215000.50`, or a percent like `26.67%`";

/// A figure argument: a figure value or a string literal parsed as one.
fn figure_arg(v: &Value) -> Result<Arc<Figure>, String> {
    match v {
        Value::Figure(f) => Ok(f.clone()),
        Value::String(s) => {
            Figure::parse(s).map(Arc::new).ok_or_else(|| format!("`{}` is not a figure", shorten(s, 40)))
        }
        other => Err(format!("{} is not a figure", other.type_name())),
    }
}

fn figure_list(v: &Value) -> Result<Vec<Arc<Figure>>, Value> {
    let items = v.as_list().unwrap_or(&[]);
    items
        .iter()
        .enumerate()
        .map(|(i, item)| figure_arg(item).map_err(|e| Value::error(format!("element at index {i}: {e}"))))
        .collect()
}

fn text_tokens(v: &Value, ctx: &mut Ctx) -> Arc<TokenSet> {
    match v {
        Value::String(text) => ctx.figures.tokens(text),
        _ => Arc::new(TokenSet::default()),
    }
}

/// Evidence notes: where each figure is mentioned, or that it is not.
fn note_figures<F: std::borrow::Borrow<Figure>>(text: &Value, figures: &[F], ctx: &mut Ctx) {
    if !ctx.explaining() {
        return;
    }
    let Value::String(text) = text else { return };
    for figure in figures {
        let figure: &Figure = figure.borrow();
        let mut at = None;
        scan_tokens(text, |kind, number| {
            if at.is_none() && (kind, canonical_number(number).as_str()) == (figure.kind, figure.canonical.as_str()) {
                let start = number.as_ptr() as usize - text.as_ptr() as usize;
                at = Some((start, start + number.len()));
            }
        });
        let what = format!("`{}`", figure.text);
        match at {
            Some((s, e)) => ctx.note(|| super::found_at(text, s, e, &what)),
            None => ctx.note(|| format!("{what} not mentioned")),
        }
    }
}

fn eval_mentions(args: &[Value], ctx: &mut Ctx) -> Value {
    match figure_arg(&args[1]) {
        Ok(figure) => {
            note_figures(&args[0], std::slice::from_ref(&figure), ctx);
            Value::Bool(text_tokens(&args[0], ctx).mentions(&figure))
        }
        Err(e) => Value::error(e),
    }
}

fn eval_mentions_all(args: &[Value], ctx: &mut Ctx) -> Value {
    match figure_list(&args[1]) {
        Ok(figures) => {
            note_figures(&args[0], &figures, ctx);
            let tokens = text_tokens(&args[0], ctx);
            Value::Bool(figures.iter().all(|f| tokens.mentions(f)))
        }
        Err(e) => e,
    }
}

fn eval_mentions_any(args: &[Value], ctx: &mut Ctx) -> Value {
    match figure_list(&args[1]) {
        Ok(figures) => {
            let tokens = text_tokens(&args[0], ctx);
            Value::Bool(figures.iter().any(|f| tokens.mentions(f)))
        }
        Err(e) => e,
    }
}

fn eval_figures(args: &[Value], _: &mut Ctx) -> Value {
    let text = args[0].as_str().unwrap_or("");
    Value::list(figure_tokens(text).into_iter().map(|f| Value::Figure(Arc::new(f))).collect())
}

fn literal_problem(arg: usize, v: &Value, index: Option<usize>) -> Option<ArgProblem> {
    let Value::String(_) = v else { return None };
    let message = figure_arg(v).err()?;
    let message = match index {
        Some(i) => format!("element at index {i}: {message}"),
        None => message,
    };
    Some(ArgProblem { arg, code: None, message, help: Some(HELP.into()) })
}

fn validate_figure(args: &[Option<&Value>]) -> Vec<ArgProblem> {
    args.get(1).copied().flatten().and_then(|v| literal_problem(1, v, None)).into_iter().collect()
}

fn validate_figure_list(args: &[Option<&Value>]) -> Vec<ArgProblem> {
    let Some(list) = args.get(1).copied().flatten().and_then(Value::as_list) else {
        return Vec::new();
    };
    list.iter().enumerate().filter_map(|(i, v)| literal_problem(1, v, Some(i))).collect()
}

const FIGURE: Ty = Ty::FIGURE.or(Ty::STRING);

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "mentions",
        doc: "Whether the text mentions the figure: a money figure (`$248,333`, `248333`) matches a number of \
              equal value not followed by `%` (`248,333`, `$248,333.00`, `USD 248333`), a percent (`26.67%`) \
              a number of equal value right before `%` (`26.670%`, not `26.67 %`). Numbers are whole runs of \
              `0-9.,`, so `6.67%` is not in `26.67%` and `$75,000` not in `$175,000`. The figure may be a \
              string such as \"$300,000\".",
        params: &[req("text", Ty::STRING), req("figure", FIGURE)],
        returns: Ty::BOOL,
        eval: eval_mentions,
        validate: Some(validate_figure),
    },
    Builtin {
        name: "mentions_all",
        doc: "Whether the text mentions every figure of the list (see `mentions`); true for an empty list.",
        params: &[req("text", Ty::STRING), req("figures", Ty::LIST)],
        returns: Ty::BOOL,
        eval: eval_mentions_all,
        validate: Some(validate_figure_list),
    },
    Builtin {
        name: "mentions_any",
        doc: "Whether the text mentions at least one figure of the list (see `mentions`); false for an empty \
              list.",
        params: &[req("text", Ty::STRING), req("figures", Ty::LIST)],
        returns: Ty::BOOL,
        eval: eval_mentions_any,
        validate: Some(validate_figure_list),
    },
    Builtin {
        name: "figures",
        doc: "The figures the text mentions, in order of appearance with repeats: every maximal run of \
              `0-9.,` with `.`/`,` stripped from its ends that is a plain or comma-grouped number; a percent \
              when `%` follows it, else a money figure.",
        params: &[req("text", Ty::STRING)],
        returns: Ty::LIST,
        eval: eval_figures,
        validate: None,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtins::lookup;
    use crate::builtins::testing::{call, l, n, s};

    fn fig(text: &str) -> Figure {
        Figure::parse(text).unwrap_or_else(|| panic!("{text} is a figure"))
    }
    fn mentions(text: &str, figure: &str) -> bool {
        TokenSet::of(text).mentions(&fig(figure))
    }
    fn validate(name: &str, args: &[Option<&Value>]) -> Vec<ArgProblem> {
        lookup(name).unwrap().validate.map(|v| v(args)).unwrap_or_default()
    }

    #[test]
    fn parse_literals() {
        let f = fig("$1,215,000.00");
        assert_eq!(
            (f.kind, f.canonical.as_str(), f.text.as_str(), f.value),
            (FigureKind::Money, "1215000", "$1,215,000.00", 1215000.0)
        );
        let p = fig("026.670%");
        assert_eq!((p.kind, p.canonical.as_str(), p.value), (FigureKind::Percent, "26.67", 26.67));
        assert_eq!(fig("248333").canonical, "248333");
        assert_eq!(fig("0.50").canonical, "0.5");
        assert_eq!(fig("000").canonical, "0");
        assert_eq!(fig("$0.00").canonical, "0");
    }

    #[test]
    fn parse_rejects_malformed() {
        for bad in [
            "",
            "$",
            "%",
            "$20%",
            "12,15,000",
            "1.2.3",
            "1,2345",
            "1,234,",
            ".5",
            "5.",
            "-5",
            "$ 5",
            "5 %",
            "１２",
            "1e5",
            "USD 5",
            "$$5",
            "5%%",
            " 5",
        ] {
            assert!(Figure::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn canonical_values() {
        assert_eq!(canonical_number("1,215,000.00"), "1215000");
        assert_eq!(canonical_number("026.670"), "26.67");
        assert_eq!(canonical_number("0.000"), "0");
        assert_eq!(canonical_number("00.05"), "0.05");
    }

    #[test]
    fn tokens_in_order_with_repeats() {
        let found: Vec<(FigureKind, String, String)> =
            figure_tokens("Pay $248,333.00, then 26.67%; then 248333. Also 1.2.3 and 12,15,000 and ,5.")
                .into_iter()
                .map(|f| (f.kind, f.canonical, f.text))
                .collect();
        let money = |c: &str, t: &str| (FigureKind::Money, c.to_string(), t.to_string());
        assert_eq!(
            found,
            vec![
                money("248333", "248,333.00"),
                (FigureKind::Percent, "26.67".into(), "26.67%".into()),
                money("248333", "248333"),
                money("5", "5")
            ]
        );
    }

    #[test]
    fn mention_rules() {
        assert!(mentions("basis is $248,333.", "$248,333"));
        assert!(mentions("basis is 248333", "$248,333"));
        assert!(mentions("basis is USD 248,333.00", "$248,333"));
        assert!(!mentions("basis is $248,333.33", "$248,333"));
        assert!(!mentions("basis is 248 333", "$248,333"));
        assert!(!mentions("basis is $248.333", "$248,333"));
        assert!(!mentions("basis is $248K", "$248,333"));
        assert!(mentions("26.670% share", "26.67%"));
        assert!(!mentions("26.67 % share", "26.67%"));
        assert!(!mentions("26.67% share", "6.67%"));
        assert!(!mentions("26.67% share", "$26.67"));
        assert!(!mentions("$175,000", "$75,000"));
        assert!(!mentions("２６.６７%", "26.67%"));
        assert!(mentions("-$50,000", "$50,000"));
        assert!(!mentions("", "0"));
    }

    #[test]
    fn builtins() {
        let text = s("Alex 33.33%, Dana 13.33%; income $300,000.");
        assert!(call("mentions", vec![text.clone(), s("$300,000")]).json_eq(&Value::Bool(true)));
        assert!(call("mentions", vec![text.clone(), Value::Figure(Arc::new(fig("20%")))]).json_eq(&Value::Bool(false)));
        assert!(
            call("mentions_all", vec![text.clone(), l(vec![s("33.33%"), s("13.33%"), s("300000")])])
                .json_eq(&Value::Bool(true))
        );
        assert!(call("mentions_all", vec![text.clone(), l(vec![s("33.33%"), s("20%")])]).json_eq(&Value::Bool(false)));
        assert!(call("mentions_all", vec![text.clone(), l(vec![])]).json_eq(&Value::Bool(true)));
        assert!(call("mentions_any", vec![text.clone(), l(vec![s("20%"), s("13.33%")])]).json_eq(&Value::Bool(true)));
        assert!(call("mentions_any", vec![text.clone(), l(vec![])]).json_eq(&Value::Bool(false)));
        let figures = call("figures", vec![text.clone()]);
        assert_eq!(figures.to_json(), serde_json::json!(["33.33%", "13.33%", "300,000"]));
    }

    #[test]
    fn bad_figures_are_errors() {
        let err = |v: Value, fragment: &str| matches!(v, Value::Error(e) if e.message.contains(fragment));
        assert!(err(call("mentions", vec![s("1"), s("one")]), "`one` is not a figure"));
        assert!(err(
            call("mentions_all", vec![s("1"), l(vec![s("1"), n(2.0)])]),
            "element at index 1: number is not a figure"
        ));
        assert!(err(call("mentions_any", vec![s("1"), l(vec![s("1,2")])]), "index 0: `1,2`"));
    }

    #[test]
    fn literal_figures_are_validated() {
        assert_eq!(validate("mentions", &[None, Some(&s("$300,000"))]), vec![]);
        assert_eq!(validate("mentions", &[None, Some(&s("300 000"))])[0].arg, 1);
        let list = l(vec![s("20%"), s("20 %"), s("$1")]);
        let problems = validate("mentions_all", &[None, Some(&list)]);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("index 1"));
        assert_eq!(validate("mentions_any", &[None, None]), vec![]);
    }

    #[test]
    fn packing_a_number_equals_packing_its_canonical_value() {
        for number in
            ["0", "000", "0.50", "1,215,000.00", "026.670", "12.", "7", "1,234.5", &"9".repeat(30), &"9".repeat(31)]
        {
            for kind in [FigureKind::Money, FigureKind::Percent] {
                assert_eq!(
                    pack(kind, canonical_bytes(number)),
                    pack(kind, canonical_number(number).bytes()),
                    "{number}"
                );
            }
        }
    }
    #[test]
    fn packed_and_long_tokens_are_both_found() {
        let long = "1".repeat(40);
        let set = TokenSet::of(&format!("paid $1.50, then 15% and {long} and 0.5"));
        let has = |text: &str| set.mentions(&Figure::parse(text).unwrap());
        assert!(has("$1.5") && has("15%") && has(&long) && has("$0.50"));
        assert!(!has("$15") && !has("1.5%") && !has(&format!("{long}0")) && !has("$5"));
    }
    #[test]
    fn cache_reuses_and_forgets() {
        let mut cache = FigureCache::default();
        // Longer than an inline string, so that the buffer is shared and recognised by address.
        let a = Str::new("$1 and 2% and a little more text");
        let first = cache.tokens(&a);
        assert!(Arc::ptr_eq(&first, &cache.tokens(&a)));
        let same_content = Str::new("$1 and 2% and a little more text");
        assert!(Arc::ptr_eq(&first, &cache.tokens(&same_content)));
        for i in 0..CACHED_TEXTS {
            cache.tokens(&Str::new(format!("{i}")));
        }
        assert!(!Arc::ptr_eq(&first, &cache.tokens(&a)));
        cache.clear();
        assert!(cache.entries.is_empty());
        let b = Str::new("$3");
        assert!(cache.tokens(&b).mentions(&fig("3")));
    }

    /// The tax grader's own tokeniser on every tax corpus answer and on generated strings.
    #[test]
    fn agrees_with_python_figure_tokens() {
        #[derive(serde::Deserialize)]
        struct Case {
            text: String,
            tokens: Vec<(String, String)>,
        }
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/text/figures.jsonl");
        let data = std::fs::read_to_string(path).unwrap();
        let mut cases = 0;
        for line in data.lines() {
            let case: Case = serde_json::from_str(line).unwrap();
            let mut ours: Vec<(String, String)> = TokenSet::of(&case.text)
                .tokens()
                .into_iter()
                .map(|(k, c)| ((if k == FigureKind::Percent { "%" } else { "$" }).to_string(), c))
                .collect();
            ours.sort();
            assert_eq!(ours, case.tokens, "{:?}", case.text);
            let ordered: std::collections::HashSet<(FigureKind, String)> =
                figure_tokens(&case.text).into_iter().map(|f| (f.kind, f.canonical)).collect();
            assert_eq!(ordered.len(), ours.len());
            cases += 1;
        }
        assert!(cases >= 2000, "{cases}");
    }
}
