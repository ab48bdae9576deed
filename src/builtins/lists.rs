//! List tools: `range`, `enumerate`, `zip`, `pairs`, `sort`, `unique` and one-to-one greedy
//! matching. Pairs are two-element lists (`[index, x]`, `[a, b]`, `[i, j]`), so `p[0]` and `p[1]`
//! read them. A function given to `key`, `accept` or `prefer` is applied by the engine before the
//! builtin runs (see [`Apply`]); the builtin receives the results.

use std::cmp::Ordering;
use std::collections::HashSet;

use super::{Apply, ArgProblem, Builtin, Ctx, Default, function, list_arg, opt, req};
use crate::value::bigint::Numeric;
use crate::value::{Ty, Value};

/// A whole number in the range a list index can take, or an error naming the argument.
fn whole(v: &Value, name: &str) -> Result<i64, Value> {
    match v {
        Value::Number(n) if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_992.0 => Ok(*n as i64),
        other => Err(Value::error(format!("`range`: `{name}` must be a whole number, found {}", other.described(40)))),
    }
}

/// `range(stop)` or `range(start, stop)`: the whole numbers from `start` (0) up to, not
/// including, `stop`, like Python's `range`.
fn eval_range(args: &[Value], ctx: &mut Ctx) -> Value {
    let bounds = match &args[1] {
        Value::Null => whole(&args[0], "stop").map(|stop| (0, stop)),
        stop => whole(&args[0], "start").and_then(|start| Ok((start, whole(stop, "stop")?))),
    };
    let (start, stop) = match bounds {
        Ok(b) => b,
        Err(e) => return e,
    };
    let len = stop.saturating_sub(start).max(0) as u64;
    if len > ctx.limits.list_len as u64 {
        return Value::error(format!("`range`: {len} numbers exceed the list limit of {}", ctx.limits.list_len));
    }
    Value::list((start..stop).map(|i| Value::Number(i as f64)).collect())
}

fn pair(a: Value, b: Value) -> Value {
    Value::list(vec![a, b])
}

/// `enumerate(xs)`: `[index, element]` for each element, from index 0.
fn eval_enumerate(args: &[Value], ctx: &mut Ctx) -> Value {
    match list_arg(&args[0], "xs", ctx) {
        Ok(xs) => Value::list(xs.iter().enumerate().map(|(i, x)| pair(Value::Number(i as f64), x.clone())).collect()),
        Err(e) => e,
    }
}

/// `zip(a, b)`: `[a[i], b[i]]` for each index of the shorter list, like Python's `zip`.
fn eval_zip(args: &[Value], ctx: &mut Ctx) -> Value {
    match (list_arg(&args[0], "a", ctx), list_arg(&args[1], "b", ctx)) {
        (Ok(a), Ok(b)) => Value::list(a.iter().zip(b.iter()).map(|(x, y)| pair(x.clone(), y.clone())).collect()),
        (Err(e), _) | (_, Err(e)) => e,
    }
}

/// `pairs(xs)`: each unordered pair of elements once, `[xs[i], xs[j]]` with `i < j`, in order
/// (Python's `itertools.combinations(xs, 2)`).
fn eval_pairs(args: &[Value], ctx: &mut Ctx) -> Value {
    let xs = match list_arg(&args[0], "xs", ctx) {
        Ok(xs) => xs,
        Err(e) => return e,
    };
    let n = xs.len();
    if n.saturating_mul(n.saturating_sub(1)) / 2 > ctx.limits.list_len {
        return Value::error(format!("`pairs`: a list of {n} elements has more pairs than the list limit"));
    }
    let mut out = Vec::with_capacity(n * n.saturating_sub(1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            out.push(pair(xs[i].clone(), xs[j].clone()));
        }
    }
    Value::list(out)
}

/// What kind of value Python's `<` accepts: numbers (and bools) with numbers, strings with
/// strings, lists with lists.
fn order_kind(v: &Value) -> Option<u8> {
    match v {
        Value::Number(_) | Value::BigInt(_) | Value::Rational(_) | Value::Bool(_) | Value::Figure(_) => Some(0),
        Value::String(_) => Some(1),
        Value::List(_) => Some(2),
        _ => None,
    }
}

fn number(v: &Value) -> f64 {
    match v {
        Value::Number(n) => *n,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Figure(f) => f.value,
        _ => 0.0,
    }
}

/// A number, bool or figure as compared: exact for big integers and fractions.
fn exact_number(v: &Value) -> Numeric<'_> {
    v.numeric().unwrap_or(Numeric::Double(number(v)))
}

/// Python's ordering of two values: numbers by value, strings by code point, lists
/// lexicographically (elements that are equal are skipped, as Python does, before the first
/// differing pair is compared). Anything else cannot be ordered (Python's `TypeError`).
pub fn python_order(a: &Value, b: &Value) -> Result<Ordering, String> {
    match (a, b) {
        (Value::String(x), Value::String(y)) => Ok(x.as_str().cmp(y.as_str())),
        (Value::List(xs), Value::List(ys)) => {
            for (x, y) in xs.iter().zip(ys.iter()) {
                if !x.json_eq(y) {
                    return python_order(x, y);
                }
            }
            Ok(xs.len().cmp(&ys.len()))
        }
        _ if order_kind(a) == Some(0) && order_kind(b) == Some(0) => {
            // exact between big integers, fractions and doubles, as Python compares them
            Ok(exact_number(a).partial_cmp(exact_number(b)).unwrap_or(Ordering::Equal))
        }
        _ => Err(format!("cannot order a {} and a {}", a.type_name(), b.type_name())),
    }
}

/// The error value of the first key that is an error, or that Python could not order with the
/// first key (mixed kinds are refused whatever order a sort would compare them in).
fn unorderable(keys: &[Value], what: &str) -> Option<Value> {
    if let Some(e) = keys.iter().find(|k| k.is_error()) {
        return Some(e.clone());
    }
    let first = keys.first()?;
    let kind = order_kind(first);
    let bad = keys.iter().find(|k| kind.is_none() || order_kind(k) != kind)?;
    Some(Value::error(format!("`{what}`: cannot order a {} and a {}", first.type_name(), bad.type_name())))
}

/// The keys to sort or compare `xs` by: the applied `key` function's results, or the elements.
fn keys<'a>(xs: &'a [Value], key: &'a Value, what: &str) -> Result<&'a [Value], Value> {
    match key {
        Value::Null => Ok(xs),
        Value::List(ks) if ks.len() == xs.len() => Ok(ks),
        other => Err(Value::error(format!("`{what}`: `key` must be a function, found {}", other.described(40)))),
    }
}

/// `sort(xs, key: f)`: the elements in ascending order of `f(x)` (of `x` without a key), stable,
/// with Python's ordering.
fn eval_sort(args: &[Value], ctx: &mut Ctx) -> Value {
    let xs = match list_arg(&args[0], "xs", ctx) {
        Ok(xs) => xs,
        Err(e) => return e,
    };
    let keys = match keys(xs, &args[1], "sort") {
        Ok(k) => k,
        Err(e) => return e,
    };
    if let Some(e) = unorderable(keys, "sort") {
        return e;
    }
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|&i, &j| python_order(&keys[i], &keys[j]).unwrap_or(Ordering::Equal));
    Value::list(order.into_iter().map(|i| xs[i].clone()).collect())
}

/// `unique(xs, key: f)`: the elements whose `f(x)` (or `x`) was not seen before, first occurrence
/// kept, keys compared with JSON equality.
fn eval_unique(args: &[Value], ctx: &mut Ctx) -> Value {
    let xs = match list_arg(&args[0], "xs", ctx) {
        Ok(xs) => xs,
        Err(e) => return e,
    };
    let keys = match keys(xs, &args[1], "unique") {
        Ok(k) => k,
        Err(e) => return e,
    };
    if let Some(e) = keys.iter().find(|k| k.is_error()) {
        return e.clone();
    }
    // (missing equals nothing, so each missing key would count as new)
    if let Some(i) = keys.iter().position(|k| matches!(k, Value::Missing(_))) {
        return Value::error(format!("`unique`: the key of element {i} has no value ({})", keys[i].short(60)));
    }
    let mut kept: Vec<usize> = Vec::new();
    // Strings (the usual keys) are looked up by hash; other keys are compared with those kept.
    let mut strings: HashSet<&str> = HashSet::new();
    for (i, k) in keys.iter().enumerate() {
        let new = match k {
            Value::String(s) => strings.insert(s.as_str()),
            _ => !kept.iter().any(|&j| keys[j].json_eq(k)),
        };
        if new {
            kept.push(i);
        }
    }
    Value::list(kept.into_iter().map(|i| xs[i].clone()).collect())
}

/// The applied `accept` or `prefer` of reference `i` and predicted `j`.
fn cell(rows: &Value, i: usize, j: usize) -> &Value {
    rows.as_list().and_then(|r| r.get(i)).and_then(Value::as_list).and_then(|r| r.get(j)).unwrap_or(&Value::Null)
}

/// `match_greedy(reference, predicted, accept: f, prefer: g)`: for each reference element in
/// order, among the predicted elements not matched yet for which `f(r, p)` is true, the one with
/// the least `g(r, p)` (ties and no `prefer`: the first); `[i, j]` for each match.
fn eval_match_greedy(args: &[Value], ctx: &mut Ctx) -> Value {
    let (reference, predicted) = match (list_arg(&args[0], "reference", ctx), list_arg(&args[1], "predicted", ctx)) {
        (Ok(r), Ok(p)) => (r, p),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let (accept, prefer) = (&args[2], &args[3]);
    if !matches!(accept, Value::List(_)) {
        return Value::error("`match_greedy`: `accept` must be a function");
    }
    let mut taken = vec![false; predicted.len()];
    let mut matches = Vec::new();
    for i in 0..reference.len() {
        let mut best: Option<(usize, &Value)> = None;
        for (j, done) in taken.iter().enumerate() {
            if *done {
                continue;
            }
            match cell(accept, i, j) {
                Value::Bool(true) => {}
                Value::Bool(false) => continue,
                e @ Value::Error(_) => return e.clone(),
                other => {
                    return Value::error(format!(
                        "`match_greedy`: `accept` must give a bool, gave {} for reference {i} and predicted {j}",
                        other.described(40)
                    ));
                }
            }
            let rank = cell(prefer, i, j);
            if rank.is_error() {
                return rank.clone();
            }
            best = match best {
                None => Some((j, rank)),
                Some((_, least)) if matches!(prefer, Value::List(_)) => match python_order(rank, least) {
                    Ok(Ordering::Less) => Some((j, rank)),
                    Ok(_) => best,
                    Err(e) => return Value::error(format!("`match_greedy`: `prefer`: {e}")),
                },
                Some(_) => best,
            };
        }
        if let Some((j, _)) = best {
            taken[j] = true;
            matches.push(pair(Value::Number(i as f64), Value::Number(j as f64)));
        }
    }
    Value::list(matches)
}

/// Compile-time check: `range` bounds that are literals must be whole numbers.
fn validate_range(args: &[Option<&Value>]) -> Vec<ArgProblem> {
    args.iter()
        .enumerate()
        .filter_map(|(i, a)| match a {
            Some(Value::Number(n)) if n.fract() != 0.0 => Some(ArgProblem {
                arg: i,
                code: None,
                message: format!("`range` counts in whole numbers, not {n}"),
                help: Some("write a whole number, e.g. `range(len(xs))`".into()),
            }),
            _ => None,
        })
        .collect()
}

pub static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "range",
        doc: "`range(stop)`: the whole numbers 0, 1, ... up to, not including, `stop`; `range(start, stop)` \
              starts at `start` (Python's `range`). `for i in range(len(xs)): ...` walks indices.",
        params: &[req("start", Ty::NUMBER), opt("stop", Ty::NUMBER.or(Ty::NULL), Default::Null)],
        returns: Ty::LIST,
        eval: eval_range,
        validate: Some(validate_range),
    },
    Builtin {
        name: "enumerate",
        doc: "A `[index, element]` pair for each element, from index 0: `for p in enumerate(xs): p[0]`.",
        params: &[req("xs", Ty::LIST)],
        returns: Ty::LIST,
        eval: eval_enumerate,
        validate: None,
    },
    Builtin {
        name: "zip",
        doc: "`[a[i], b[i]]` for each index of the shorter list (Python's `zip`).",
        params: &[req("a", Ty::LIST), req("b", Ty::LIST)],
        returns: Ty::LIST,
        eval: eval_zip,
        validate: None,
    },
    Builtin {
        name: "pairs",
        doc: "Each unordered pair of elements once, `[xs[i], xs[j]]` with `i < j`, in order (Python's \
              `itertools.combinations(xs, 2)`).",
        params: &[req("xs", Ty::LIST)],
        returns: Ty::LIST,
        eval: eval_pairs,
        validate: None,
    },
    Builtin {
        name: "sort",
        doc: "The elements in ascending order of `key(x)` (of `x` itself without a key), stable, with Python's \
              ordering: numbers by value, strings by code point, lists element by element. Keys of other \
              types, or of different types, are an error (Python's TypeError).",
        params: &[req("xs", Ty::LIST), function("key", Ty::NULL, Some(Default::Null), Apply::Each(0))],
        returns: Ty::LIST,
        eval: eval_sort,
        validate: None,
    },
    Builtin {
        name: "unique",
        doc: "The elements whose `key(x)` (or `x` itself) was not seen before: the first occurrence of each \
              key is kept, in order; keys are compared with JSON equality (`1 == 1.0`).",
        params: &[req("xs", Ty::LIST), function("key", Ty::NULL, Some(Default::Null), Apply::Each(0))],
        returns: Ty::LIST,
        eval: eval_unique,
        validate: None,
    },
    Builtin {
        name: "match_greedy",
        doc: "One-to-one greedy matching: for each reference element in order, among the predicted elements \
              not matched yet for which `accept(r, p)` is true, the one with the least `prefer(r, p)` (a \
              number, string or list; ties, and no `prefer`: the first). Gives `[i, j]` for each match \
              (reference index, predicted index).",
        params: &[
            req("reference", Ty::LIST),
            req("predicted", Ty::LIST),
            function("accept", Ty::NONE, None, Apply::Pairs(0, 1)),
            function("prefer", Ty::NULL, Some(Default::Null), Apply::Pairs(0, 1)),
        ],
        returns: Ty::LIST,
        eval: eval_match_greedy,
        validate: None,
    },
];

#[cfg(test)]
mod tests {
    use super::super::testing::{call, err, l, n, s};
    use crate::value::Value;

    fn b(x: bool) -> Value {
        Value::Bool(x)
    }
    fn show(v: Value) -> String {
        v.short(200)
    }

    #[test]
    fn range_counts_like_python() {
        assert_eq!(show(call("range", vec![n(3.0)])), "[0,1,2]");
        assert_eq!(show(call("range", vec![n(2.0), n(4.0)])), "[2,3]");
        assert_eq!(show(call("range", vec![n(4.0), n(2.0)])), "[]");
        assert_eq!(show(call("range", vec![n(-1.0)])), "[]");
    }
    #[test]
    fn range_of_a_fraction_is_an_error() {
        assert!(err(call("range", vec![n(1.5)])).contains("whole number"));
    }
    #[test]
    fn enumerate_gives_index_element_pairs() {
        assert_eq!(show(call("enumerate", vec![l(vec![s("a"), s("b")])])), r#"[[0,"a"],[1,"b"]]"#);
    }
    #[test]
    fn zip_stops_at_the_shorter_list() {
        assert_eq!(show(call("zip", vec![l(vec![n(1.0), n(2.0)]), l(vec![s("a")])])), r#"[[1,"a"]]"#);
    }
    #[test]
    fn pairs_are_combinations_of_two() {
        assert_eq!(show(call("pairs", vec![l(vec![n(1.0), n(2.0), n(3.0)])])), "[[1,2],[1,3],[2,3]]");
        assert_eq!(show(call("pairs", vec![l(vec![n(1.0)])])), "[]");
    }
    #[test]
    fn sort_orders_numbers_strings_and_lists_like_python() {
        // sorted([3, 1, 2]), sorted(["b", "B", "a", "é"]), sorted([[1, "b"], [1, "a"], [0]])
        assert_eq!(show(call("sort", vec![l(vec![n(3.0), n(1.0), n(2.0)])])), "[1,2,3]");
        assert_eq!(show(call("sort", vec![l(vec![s("b"), s("B"), s("a"), s("é")])])), r#"["B","a","b","é"]"#);
        let lists = l(vec![l(vec![n(1.0), s("b")]), l(vec![n(1.0), s("a")]), l(vec![n(0.0)])]);
        assert_eq!(show(call("sort", vec![lists])), r#"[[0],[1,"a"],[1,"b"]]"#);
    }
    #[test]
    fn sort_by_key_is_stable() {
        let keys = l(vec![n(1.0), n(0.0), n(1.0)]);
        assert_eq!(show(call("sort", vec![l(vec![s("x"), s("y"), s("z")]), keys])), r#"["y","x","z"]"#);
    }
    #[test]
    fn sort_orders_fractions_and_big_integers_exactly() {
        // sorted([Fraction(2, 3), 0.5, Fraction(1, 3), 2**53 + 1, 2.0**53, 1]) in Python 3.11
        let r = |x: &str| call("rational", vec![s(x)]);
        let big = call("number", vec![s("9007199254740993")]);
        let xs = l(vec![r("2/3"), n(0.5), r("1/3"), big, n(9007199254740992.0), n(1.0)]);
        let tags = l(vec![s("2/3"), s("0.5"), s("1/3"), s("2**53+1"), s("2.0**53"), s("1")]);
        let sorted = call("sort", vec![tags, xs]);
        assert_eq!(show(sorted), r#"["1/3","0.5","2/3","1","2.0**53","2**53+1"]"#);
        // a fraction against the whole number it ends up equal to: [-1, 0] < [Fraction(-19, 20), 0]
        let pairs = l(vec![l(vec![r("-19/20"), n(0.0)]), l(vec![n(-1.0), n(0.0)])]);
        assert_eq!(show(call("sort", vec![pairs])), "[[-1,0],[-0.95,0]]");
    }
    #[test]
    fn sort_of_mixed_types_is_an_error() {
        assert!(err(call("sort", vec![l(vec![n(1.0), s("a")])])).contains("cannot order a number and a string"));
        assert!(err(call("sort", vec![l(vec![Value::Null, Value::Null])])).contains("cannot order a null"));
    }
    #[test]
    fn unique_keeps_first_occurrences() {
        let xs = l(vec![s("a"), s("b"), s("a"), n(1.0), n(1.0)]);
        assert_eq!(show(call("unique", vec![xs])), r#"["a","b",1]"#);
        let keyed = call("unique", vec![l(vec![s("A1"), s("B"), s("A2")]), l(vec![s("A"), s("B"), s("A")])]);
        assert_eq!(show(keyed), r#"["A1","B"]"#);
    }
    #[test]
    fn unique_refuses_missing_keys() {
        let keys = l(vec![Value::Missing("field `code`".into()), s("a")]);
        assert!(err(call("unique", vec![l(vec![n(1.0), n(2.0)]), keys])).contains("element 0 has no value"));
    }
    #[test]
    fn match_greedy_takes_the_preferred_unmatched_candidate() {
        // reference 0 accepts predicted 0 and 1, prefers 1; reference 1 accepts 1 only (taken).
        let accept = l(vec![l(vec![b(true), b(true)]), l(vec![b(false), b(true)])]);
        let prefer = l(vec![l(vec![n(2.0), n(1.0)]), l(vec![n(0.0), n(0.0)])]);
        let r = call("match_greedy", vec![l(vec![s("r0"), s("r1")]), l(vec![s("p0"), s("p1")]), accept, prefer]);
        assert_eq!(show(r), "[[0,1]]");
    }
    #[test]
    fn match_greedy_breaks_ties_by_predicted_index() {
        let accept = l(vec![l(vec![b(true), b(true)]), l(vec![b(true), b(true)])]);
        let r = call("match_greedy", vec![l(vec![n(0.0), n(0.0)]), l(vec![n(0.0), n(0.0)]), accept]);
        assert_eq!(show(r), "[[0,0],[1,1]]");
    }
}
