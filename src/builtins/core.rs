//! Core builtins: sizes, aggregates over lists, numbers, and list/object helpers.
//!
//! Sums run left to right in list order (as Python's `sum` of floats on CPython 3.11), so ported
//! graders agree bit for bit.

use super::{Builtin, Ctx, Default, opt, req};
use crate::value::bigint::{BigInt, IntOp, Numeric, round_digits_to_tens, whole_digits};
use crate::value::{Ty, Value};

const NUMBERS: Ty = Ty::NUMBER;

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "len",
        doc: "Length of a string (in Unicode code points), a list, or an object (number of keys).",
        params: &[req("value", Ty::STRING.or(Ty::LIST).or(Ty::OBJECT))],
        returns: Ty::NUMBER,
        eval: len,
        validate: None,
    },
    Builtin {
        name: "sum",
        doc: "Sum of a list of numbers, added left to right starting from 0.",
        params: &[req("numbers", Ty::LIST)],
        returns: Ty::NUMBER,
        eval: sum,
        validate: None,
    },
    Builtin {
        name: "mean",
        doc: "Arithmetic mean of a non-empty list of numbers: the left-to-right sum divided by the count.",
        params: &[req("numbers", Ty::LIST)],
        returns: Ty::NUMBER,
        eval: mean,
        validate: None,
    },
    Builtin {
        name: "min",
        doc: "Smallest number of a non-empty list.",
        params: &[req("numbers", Ty::LIST)],
        returns: Ty::NUMBER,
        eval: min,
        validate: None,
    },
    Builtin {
        name: "max",
        doc: "Largest number of a non-empty list.",
        params: &[req("numbers", Ty::LIST)],
        returns: Ty::NUMBER,
        eval: max,
        validate: None,
    },
    Builtin {
        name: "any",
        doc: "True when at least one element of a list of bools is true. Over `for ...` it stops at the first true.",
        params: &[req("bools", Ty::LIST)],
        returns: Ty::BOOL,
        eval: any,
        validate: None,
    },
    Builtin {
        name: "all",
        doc: "True when every element of a list of bools is true (also for an empty list). Over `for ...` it stops at the first false.",
        params: &[req("bools", Ty::LIST)],
        returns: Ty::BOOL,
        eval: all,
        validate: None,
    },
    Builtin {
        name: "at_least",
        doc: "True when at least `k` elements of a list of bools are true.",
        params: &[req("k", Ty::NUMBER), req("bools", Ty::LIST)],
        returns: Ty::BOOL,
        eval: at_least,
        validate: None,
    },
    Builtin {
        name: "round",
        doc: "Rounds to `digits` decimal places like Python's `round`: the correctly rounded decimal, ties to even.",
        params: &[req("number", NUMBERS), opt("digits", Ty::NUMBER, Default::Number(0.0))],
        returns: Ty::NUMBER,
        eval: round,
        validate: None,
    },
    Builtin {
        name: "abs",
        doc: "Absolute value.",
        params: &[req("number", NUMBERS)],
        returns: Ty::NUMBER,
        eval: abs,
        validate: None,
    },
    Builtin {
        name: "clamp",
        doc: "The number limited to the range `low..=high`.",
        params: &[req("number", NUMBERS), req("low", NUMBERS), req("high", NUMBERS)],
        returns: Ty::NUMBER,
        eval: clamp,
        validate: None,
    },
    Builtin {
        name: "floor",
        doc: "Largest whole number not above the number.",
        params: &[req("number", NUMBERS)],
        returns: Ty::NUMBER,
        eval: |a, _| whole_or(&a[0], f64::floor),
        validate: None,
    },
    Builtin {
        name: "ceil",
        doc: "Smallest whole number not below the number.",
        params: &[req("number", NUMBERS)],
        returns: Ty::NUMBER,
        eval: |a, _| whole_or(&a[0], f64::ceil),
        validate: None,
    },
    Builtin {
        name: "keys",
        doc: "The keys of an object, sorted by code point.",
        params: &[req("object", Ty::OBJECT)],
        returns: Ty::LIST,
        eval: keys,
        validate: None,
    },
    Builtin {
        name: "values",
        doc: "The values of an object, in key order.",
        params: &[req("object", Ty::OBJECT)],
        returns: Ty::LIST,
        eval: values,
        validate: None,
    },
    Builtin {
        name: "list",
        doc: "A list as it is; any other value wrapped in a one-element list (for data that holds one item or a list of them).",
        params: &[req("value", Ty::ANY)],
        returns: Ty::LIST,
        eval: list,
        validate: None,
    },
    Builtin {
        name: "required",
        doc: "The value itself, or an error when it is missing: marks data a case must have (a missing reference field fails the case with the on-error score instead of quietly scoring 0).",
        params: &[req("value", Ty::DATA)],
        returns: Ty::JSON,
        eval: required,
        validate: None,
    },
    Builtin {
        name: "number",
        doc: "A number as it is, or a string holding a decimal number parsed; anything else is an error.",
        params: &[req("value", Ty::NUMBER.or(Ty::STRING).or(Ty::FIGURE))],
        returns: Ty::NUMBER,
        eval: number,
        validate: None,
    },
    Builtin {
        name: "string",
        doc: "A string as it is; any other value as compact JSON text.",
        params: &[req("value", Ty::ANY)],
        returns: Ty::STRING,
        eval: string,
        validate: None,
    },
];

fn len(a: &[Value], _: &mut Ctx) -> Value {
    Value::Number(match &a[0] {
        Value::String(s) => s.chars().count(),
        Value::List(l) => l.len(),
        Value::Object(o) => o.len(),
        _ => 0,
    } as f64)
}

/// The elements of a list, all numbers, or an error naming the first that is not.
fn numbers<'a>(name: &str, v: &'a Value) -> Result<Vec<Numeric<'a>>, Value> {
    let xs = v.as_list().unwrap_or(&[]);
    xs.iter()
        .enumerate()
        .map(|(i, x)| {
            x.numeric().ok_or_else(|| {
                Value::error(format!("`{name}`: element {i} is {} {}, expected a number", x.type_name(), x.short(30)))
            })
        })
        .collect()
}

/// A whole number as it is; a double through `f` (`floor`, `ceil`).
fn whole_or(v: &Value, f: fn(f64) -> f64) -> Value {
    match v {
        Value::BigInt(_) => v.clone(),
        other => Value::Number(f(other.as_f64().unwrap_or(f64::NAN))),
    }
}

fn bools(name: &str, v: &Value) -> Result<Vec<bool>, Value> {
    let xs = v.as_list().unwrap_or(&[]);
    xs.iter()
        .enumerate()
        .map(|(i, x)| match x {
            Value::Bool(b) => Ok(*b),
            Value::Error(_) => Err(x.clone()),
            other => Err(Value::error(format!(
                "`{name}`: element {i} is {} {}, expected a bool",
                other.type_name(),
                other.short(30)
            ))),
        })
        .collect()
}

/// The sum from 0, left to right: in doubles, exact while exact integers meet whole numbers (as
/// Python's `sum` of ints).
fn left_to_right_sum(xs: &[Numeric]) -> Value {
    let mut total = Value::Number(0.0);
    for x in xs {
        total = match (&total, x) {
            (Value::Number(acc), Numeric::Double(x)) => Value::Number(acc + x),
            (acc, x) => acc.numeric().map_or(Value::Number(f64::NAN), |acc| acc.combine(IntOp::Add, *x)),
        };
    }
    total
}

fn sum(a: &[Value], _: &mut Ctx) -> Value {
    match numbers("sum", &a[0]) {
        Ok(xs) => left_to_right_sum(&xs),
        Err(e) => e,
    }
}

fn mean(a: &[Value], _: &mut Ctx) -> Value {
    match numbers("mean", &a[0]) {
        Ok(xs) if xs.is_empty() => Value::error("`mean` of an empty list"),
        Ok(xs) => Value::Number(left_to_right_sum(&xs).as_f64().unwrap_or(f64::NAN) / xs.len() as f64),
        Err(e) => e,
    }
}

/// The element that `pick` keeps of each pair, the first kept on a tie. Doubles go through `pick`
/// (`f64::min`, which passes over a NaN); with an exact integer the comparison is exact.
fn extreme(name: &str, a: &Value, pick: fn(f64, f64) -> f64, keeps: std::cmp::Ordering) -> Value {
    match numbers(name, a) {
        Ok(xs) if xs.is_empty() => Value::error(format!("`{name}` of an empty list")),
        Ok(xs) => xs[1..]
            .iter()
            .fold(xs[0], |m, x| match (m, *x) {
                (Numeric::Double(m), Numeric::Double(x)) => Numeric::Double(pick(m, x)),
                (m, x) if m.to_f64().is_nan() || x.partial_cmp(m) == Some(keeps) => x,
                (m, _) => m,
            })
            .to_value(),
        Err(e) => e,
    }
}

fn min(a: &[Value], _: &mut Ctx) -> Value {
    extreme("min", &a[0], f64::min, std::cmp::Ordering::Less)
}

fn max(a: &[Value], _: &mut Ctx) -> Value {
    extreme("max", &a[0], f64::max, std::cmp::Ordering::Greater)
}

fn any(a: &[Value], _: &mut Ctx) -> Value {
    match bools("any", &a[0]) {
        Ok(xs) => Value::Bool(xs.into_iter().any(|b| b)),
        Err(e) => e,
    }
}

fn all(a: &[Value], _: &mut Ctx) -> Value {
    match bools("all", &a[0]) {
        Ok(xs) => Value::Bool(xs.into_iter().all(|b| b)),
        Err(e) => e,
    }
}

fn at_least(a: &[Value], _: &mut Ctx) -> Value {
    let k = a[0].as_f64().unwrap_or(0.0);
    match bools("at_least", &a[1]) {
        Ok(xs) => Value::Bool(xs.into_iter().filter(|b| *b).count() as f64 >= k),
        Err(e) => e,
    }
}

fn as_number(v: &Value) -> f64 {
    v.numeric().map_or(f64::NAN, Numeric::to_f64)
}

fn round(a: &[Value], _: &mut Ctx) -> Value {
    let digits = a[1].as_f64().unwrap_or(0.0);
    if digits.fract() != 0.0 || digits > 17.0 || digits.is_nan() {
        return Value::error(format!("`round`: digits must be a whole number up to 17, found {digits}"));
    }
    // Negative digits round to tens, hundreds, ... (beyond the largest double, everything is 0).
    let places = (-digits).clamp(0.0, 400.0) as usize;
    if let Value::BigInt(n) = &a[0] {
        // Python rounds an int exactly and keeps it an int.
        if places == 0 {
            return a[0].clone();
        }
        let rounded = round_digits_to_tens(n.abs().as_str(), places, false);
        let sign = if n.is_negative() && rounded != "0" { "-" } else { "" };
        return BigInt::parse(&format!("{sign}{rounded}")).unwrap_or(Value::Number(f64::NAN));
    }
    let x = as_number(&a[0]);
    if !x.is_finite() {
        return Value::Number(x);
    }
    // Rounding the exact binary value in decimal, ties to even, then parsing the decimal back,
    // gives the nearest double: what Python's correctly rounded `round` returns.
    let text = if places == 0 {
        // Formatting with a precision rounds exactly.
        format!("{:.*}", digits as usize, x)
    } else {
        let (whole, fraction_left) = whole_digits(x);
        let sign = if x.is_sign_negative() { "-" } else { "" };
        format!("{sign}{}", round_digits_to_tens(&whole, places, fraction_left))
    };
    match text.parse::<f64>() {
        Ok(rounded) if rounded.is_finite() => Value::Number(rounded),
        _ => Value::error(format!("`round`: {x} rounded to {digits} digits is too large for a number")),
    }
}

fn abs(a: &[Value], _: &mut Ctx) -> Value {
    match &a[0] {
        Value::BigInt(n) => Value::BigInt(n.abs()),
        other => Value::Number(as_number(other).abs()),
    }
}

fn clamp(a: &[Value], _: &mut Ctx) -> Value {
    let exact = a.iter().take(3).any(|v| matches!(v, Value::BigInt(_)));
    let (x, lo, hi) = (as_number(&a[0]), as_number(&a[1]), as_number(&a[2]));
    if !exact {
        if lo > hi || lo.is_nan() || hi.is_nan() {
            return Value::error(format!("`clamp`: low {lo} is above high {hi}"));
        }
        return Value::Number(x.clamp(lo, hi));
    }
    let (Some(x), Some(lo), Some(hi)) = (a[0].numeric(), a[1].numeric(), a[2].numeric()) else {
        return Value::error("`clamp`: expected numbers");
    };
    match lo.partial_cmp(hi) {
        Some(std::cmp::Ordering::Less | std::cmp::Ordering::Equal) => {}
        _ => return Value::error(format!("`clamp`: low {} is above high {}", a[1].short(30), a[2].short(30))),
    }
    if x.partial_cmp(lo) == Some(std::cmp::Ordering::Less) {
        lo.to_value()
    } else if x.partial_cmp(hi) == Some(std::cmp::Ordering::Greater) {
        hi.to_value()
    } else {
        x.to_value()
    }
}

fn keys(a: &[Value], _: &mut Ctx) -> Value {
    let o = a[0].as_object().map(|o| o.keys().map(|k| Value::String(k.clone())).collect()).unwrap_or_default();
    Value::list(o)
}

fn values(a: &[Value], _: &mut Ctx) -> Value {
    let o = a[0].as_object().map(|o| o.values().cloned().collect()).unwrap_or_default();
    Value::list(o)
}

fn list(a: &[Value], _: &mut Ctx) -> Value {
    match &a[0] {
        Value::List(_) => a[0].clone(),
        other => Value::list(vec![other.clone()]),
    }
}

fn required(a: &[Value], _: &mut Ctx) -> Value {
    match &a[0] {
        Value::Missing(p) => Value::error(format!("required value `{p}` is missing")),
        v => v.clone(),
    }
}

fn number(a: &[Value], _: &mut Ctx) -> Value {
    match &a[0] {
        Value::Number(n) => Value::Number(*n),
        Value::BigInt(_) => a[0].clone(),
        Value::Figure(f) => Value::Number(f.value),
        // An integer beyond 2^53 stays exact (Python's `int(text)`); other text is the nearest double.
        Value::String(s) => match exact_integer(s.trim()) {
            Some(exact) => exact,
            None => match s.trim().parse::<f64>() {
                Ok(n) if n.is_finite() => Value::Number(n),
                _ => Value::error(format!("`number`: `{}` is not a number", crate::value::shorten(s, 40))),
            },
        },
        other => Value::error(format!("`number`: cannot convert a {}", other.type_name())),
    }
}

/// `text` as an exact integer when it is an integer (an optional sign, then digits) beyond 2^53.
fn exact_integer(text: &str) -> Option<Value> {
    let unsigned = text.strip_prefix('+').filter(|rest| !rest.starts_with('-')).unwrap_or(text);
    BigInt::parse(unsigned).filter(|v| matches!(v, Value::BigInt(_)))
}

fn string(a: &[Value], _: &mut Ctx) -> Value {
    match &a[0] {
        Value::String(_) => a[0].clone(),
        other => Value::str(&other.json_text()),
    }
}

#[cfg(test)]
mod tests {
    use crate::builtins::testing::{call, l, n, num, s};
    use crate::value::Value;

    #[test]
    fn len_counts_code_points() {
        assert_eq!(num(call("len", vec![s("héllo")])), 5.0);
    }
    #[test]
    fn sum_adds_left_to_right() {
        assert_eq!(num(call("sum", vec![l(vec![n(0.1), n(0.2), n(0.3)])])), 0.6000000000000001);
    }
    #[test]
    fn mean_of_empty_is_an_error() {
        assert!(call("mean", vec![l(vec![])]).is_error());
    }
    #[test]
    fn mean_divides_the_sum() {
        assert_eq!(num(call("mean", vec![l(vec![n(1.0), n(0.5)])])), 0.75);
    }
    #[test]
    fn min_and_max() {
        assert_eq!(num(call("min", vec![l(vec![n(3.0), n(1.0)])])), 1.0);
        assert_eq!(num(call("max", vec![l(vec![n(3.0), n(1.0)])])), 3.0);
    }
    #[test]
    fn any_all_over_bools() {
        assert_eq!(call("any", vec![l(vec![Value::Bool(false), Value::Bool(true)])]).as_bool(), Some(true));
        assert_eq!(call("all", vec![l(vec![])]).as_bool(), Some(true));
        assert!(call("all", vec![l(vec![n(1.0)])]).is_error());
    }
    #[test]
    fn at_least_counts_trues() {
        assert_eq!(
            call("at_least", vec![n(2.0), l(vec![Value::Bool(true), Value::Bool(false), Value::Bool(true)])]).as_bool(),
            Some(true)
        );
    }
    #[test]
    fn round_matches_python() {
        assert_eq!(num(call("round", vec![n(0.15000000000000002), n(2.0)])), 0.15);
        assert_eq!(num(call("round", vec![n(0.30000000000000004), n(2.0)])), 0.3);
        assert_eq!(num(call("round", vec![n(2.5)])), 2.0);
        assert_eq!(num(call("round", vec![n(0.125), n(2.0)])), 0.12);
    }
    #[test]
    fn clamp_limits() {
        assert_eq!(num(call("clamp", vec![n(1.5), n(0.0), n(1.0)])), 1.0);
    }
    #[test]
    fn list_wraps_a_single_value() {
        assert_eq!(call("list", vec![s("x")]).short(20), "[\"x\"]");
        assert_eq!(call("list", vec![l(vec![n(1.0)])]).short(20), "[1]");
    }
    #[test]
    fn required_fails_on_missing() {
        assert!(call("required", vec![Value::Missing("item.x".into())]).is_error());
        assert_eq!(call("required", vec![Value::Null]).short(10), "null");
    }
    #[test]
    fn number_parses_strings() {
        assert_eq!(num(call("number", vec![s(" 2.5 ")])), 2.5);
        assert!(call("number", vec![s("x")]).is_error());
    }
    #[test]
    fn keys_are_sorted() {
        let v = Value::from_json(&serde_json::json!({"b": 1, "a": 2}));
        assert_eq!(call("keys", vec![v]).short(20), "[\"a\",\"b\"]");
    }
}
