//! Core builtins: sizes, aggregates over lists, numbers, and list/object helpers.
//!
//! Sums run left to right in list order (as Python's `sum` of floats on CPython 3.11), so ported
//! graders agree bit for bit.

use super::{Builtin, Ctx, Default, opt, req};
use crate::value::bigint::{BigInt, IntOp, Numeric, round_digits_to_tens, whole_digits};
use crate::value::{Ty, Value, missing_subject};

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
        doc: "Sum of a list of numbers, added left to right starting from 0 (exact while exact integers meet whole numbers).",
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
        doc: "Rounds to `digits` decimal places like Python's `round`: the correctly rounded decimal, ties to even. Negative digits round to tens, hundreds, ... (`round(1234.5, -2)` is 1200); an exact integer stays exact.",
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
        doc: "Largest whole number not above the number (exact for a big integer or a fraction, as Python's `math.floor`).",
        params: &[req("number", NUMBERS)],
        returns: Ty::NUMBER,
        eval: |a, _| whole_or(&a[0], f64::floor),
        validate: None,
    },
    Builtin {
        name: "ceil",
        doc: "Smallest whole number not below the number (exact for a big integer or a fraction, as Python's `math.ceil`).",
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
        doc: "A number as it is, or a string holding a decimal number parsed (an integer beyond 2^53 exactly, as Python's `int`); a fraction becomes the nearest double (Python's `float(Fraction)`; an error beyond the double range); anything else is an error.",
        params: &[req("value", Ty::NUMBER.or(Ty::STRING).or(Ty::FIGURE))],
        returns: Ty::NUMBER,
        eval: number,
        validate: None,
    },
    Builtin {
        name: "string",
        doc: "A string as it is; any other value as compact JSON text (integers digit for digit, as Python's `str` of an int); a fraction as Python's `str(Fraction)` (`3/4`, `4`).",
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

/// A whole number as it is; a fraction to the exact integer; a double through `f` (`floor`, `ceil`).
fn whole_or(v: &Value, f: fn(f64) -> f64) -> Value {
    match v {
        Value::BigInt(_) => v.clone(),
        // `f` is `floor` or `ceil`: only `ceil` takes 0.5 up.
        Value::Rational(r) => r.rounded(f(0.5) == 1.0),
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
        Value::Rational(r) => Value::Rational(r.abs()),
        other => Value::Number(as_number(other).abs()),
    }
}

fn clamp(a: &[Value], _: &mut Ctx) -> Value {
    let exact = a.iter().take(3).any(|v| matches!(v, Value::BigInt(_) | Value::Rational(_)));
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
        Value::Missing(what) => Value::error(format!("required value {} is missing", missing_subject(what))),
        v => v.clone(),
    }
}

fn number(a: &[Value], _: &mut Ctx) -> Value {
    match &a[0] {
        Value::Number(n) => Value::Number(*n),
        Value::BigInt(_) => a[0].clone(),
        Value::Rational(r) => crate::builtins::rational::nearest_double(r),
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
        Value::Rational(r) => Value::str(r.text()),
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
    fn round_to_tens_matches_python() {
        // (x, digits, round(x, digits)), printed by Python 3.11 for ties, near-ties, every magnitude.
        #[rustfmt::skip]
        const TABLE: &[(f64, i32, f64)] = &[
        (1234.5, -1, 1230.0),
        (1234.5, -2, 1200.0),
        (1234.5, -3, 1000.0),
        (1234.5, -5, 0.0),
        (1250.0, -1, 1250.0),
        (1250.0, -2, 1200.0),
        (1250.0, -3, 1000.0),
        (1250.0, -5, 0.0),
        (1350.0, -1, 1350.0),
        (1350.0, -2, 1400.0),
        (1350.0, -3, 1000.0),
        (1350.0, -5, 0.0),
        (50.0, -1, 50.0),
        (50.0, -2, 0.0),
        (50.0, -3, 0.0),
        (50.0, -5, 0.0),
        (150.0, -1, 150.0),
        (150.0, -2, 200.0),
        (150.0, -3, 0.0),
        (150.0, -5, 0.0),
        (250.0, -1, 250.0),
        (250.0, -2, 200.0),
        (250.0, -3, 0.0),
        (250.0, -5, 0.0),
        (-250.0, -1, -250.0),
        (-250.0, -2, -200.0),
        (-250.0, -3, -0.0),
        (-250.0, -5, -0.0),
        (-1250.0, -1, -1250.0),
        (-1250.0, -2, -1200.0),
        (-1250.0, -3, -1000.0),
        (-1250.0, -5, -0.0),
        (0.0, -1, 0.0),
        (0.0, -2, 0.0),
        (0.0, -3, 0.0),
        (0.0, -5, 0.0),
        (-0.0, -1, -0.0),
        (-0.0, -2, -0.0),
        (-0.0, -3, -0.0),
        (-0.0, -5, -0.0),
        (5.0, -1, 0.0),
        (5.0, -2, 0.0),
        (5.0, -3, 0.0),
        (5.0, -5, 0.0),
        (15.0, -1, 20.0),
        (15.0, -2, 0.0),
        (15.0, -3, 0.0),
        (15.0, -5, 0.0),
        (25.0, -1, 20.0),
        (25.0, -2, 0.0),
        (25.0, -3, 0.0),
        (25.0, -5, 0.0),
        (45.0, -1, 40.0),
        (45.0, -2, 0.0),
        (45.0, -3, 0.0),
        (45.0, -5, 0.0),
        (55.0, -1, 60.0),
        (55.0, -2, 100.0),
        (55.0, -3, 0.0),
        (55.0, -5, 0.0),
        (4.999999999999999, -1, 0.0),
        (4.999999999999999, -2, 0.0),
        (4.999999999999999, -3, 0.0),
        (4.999999999999999, -5, 0.0),
        (9999.999, -1, 10000.0),
        (9999.999, -2, 10000.0),
        (9999.999, -3, 10000.0),
        (9999.999, -5, 0.0),
        (1e+22, -1, 1e+22),
        (1e+22, -2, 1e+22),
        (1e+22, -3, 1e+22),
        (1e+22, -5, 1e+22),
        (1.5e+22, -1, 1.5e+22),
        (1.5e+22, -2, 1.5e+22),
        (1.5e+22, -3, 1.5e+22),
        (1.5e+22, -5, 1.5e+22),
        (2.5e+22, -1, 2.5e+22),
        (2.5e+22, -2, 2.5e+22),
        (2.5e+22, -3, 2.5e+22),
        (2.5e+22, -5, 2.5e+22),
        (1.2345678901234568e+17, -1, 1.2345678901234568e+17),
        (1.2345678901234568e+17, -2, 1.234567890123457e+17),
        (1.2345678901234568e+17, -3, 1.23456789012346e+17),
        (1.2345678901234568e+17, -5, 1.234567890123e+17),
        (9007199254740992.0, -1, 9007199254740990.0),
        (9007199254740992.0, -2, 9007199254741000.0),
        (9007199254740992.0, -3, 9007199254741000.0),
        (9007199254740992.0, -5, 9007199254700000.0),
        (1.7976931348623157e+308, -1, 1.7976931348623157e+308),
        (1.7976931348623157e+308, -2, 1.7976931348623157e+308),
        (1.7976931348623157e+308, -3, 1.7976931348623157e+308),
        (1.7976931348623157e+308, -5, 1.7976931348623157e+308),
        (5e-324, -1, 0.0),
        (5e-324, -2, 0.0),
        (5e-324, -3, 0.0),
        (5e-324, -5, 0.0),
        (-7500000000000000.0, -1, -7500000000000000.0),
        (-7500000000000000.0, -2, -7500000000000000.0),
        (-7500000000000000.0, -3, -7500000000000000.0),
        (-7500000000000000.0, -5, -7500000000000000.0),
        (1e+300, -1, 1e+300),
        (1e+300, -2, 1e+300),
        (1e+300, -3, 1e+300),
        (1e+300, -5, 1e+300),
        (3.5e+300, -1, 3.5e+300),
        (3.5e+300, -2, 3.5e+300),
        (3.5e+300, -3, 3.5e+300),
        (3.5e+300, -5, 3.5e+300),
        (3950000.0, -2, 3950000.0),
        (91050000.0, -7, 90000000.0),
        (0.009071301334386507, -1, 0.0),
        (5771.029486174986, -2, 5800.0),
        (5.0, -1, 0.0),
        (10305571244359.135, -4, 10305571240000.0),
        (54850000.0, -4, 54850000.0),
        (-777228774980.807, -8, -777200000000.0),
        (-24800000.0, -2, -24800000.0),
        (-525196503811451.44, -15, -1000000000000000.0),
        (118065.77825496212, -7, 0.0),
        (9332702.121806376, -2, 9332700.0),
        (-3.4012236219119554e+20, -16, -3.4012e+20),
        (-68500000000000.0, -3, -68500000000000.0),
        (-0.006471288545276688, -1, -0.0),
        (-887040.2922380918, -4, -890000.0),
        (61091954.348307684, -4, 61090000.0),
        (-1.285e+20, -16, -1.285e+20),
        (0.0449187400949331, -1, 0.0),
        (-8.635e+22, -12, -8.635e+22),
        (-9.575e+17, -8, -9.575e+17),
        (1.2063059843798852e+16, -6, 1.2063059844e+16),
        (-409.3603385063926, -3, -0.0),
        (-9530979255250954.0, -17, -0.0),
        (4566437222028747.0, -13, 4570000000000000.0),
        (-394120015.97536415, -7, -390000000.0),
        (5.0, -1, 0.0),
        (1023795977252220.9, -4, 1023795977250000.0),
        (7050000.0, -5, 7000000.0),
        (-47350000.0, -8, -0.0),
        (-312000000000.0, -12, -0.0),
        (-82850.0, -5, -100000.0),
        (69006758.58793588, -9, 0.0),
        (696500.0, -2, 696500.0),
        (53259239.7492879, -6, 53000000.0),
        (6.13228222813541e+16, -7, 6.132282228e+16),
        (8.183329433253732e+21, -8, 8.1833294332537e+21),
        (-351.0, -3, -0.0),
        (-193644946012.80936, -6, -193645000000.0),
        (-95500063132.13332, -4, -95500060000.0),
        (0.4700799822561902, -1, 0.0),
        (4794734262615382.0, -3, 4794734262615000.0),
        (9.09777137551723e+22, -7, 9.09777137551723e+22),
        (433925075748.0817, -2, 433925075700.0),
        (-4.6316054017384954e+21, -3, -4.6316054017384954e+21),
        (1.705e+19, -15, 1.705e+19),
        (6.115733372160083e+21, -16, 6.11573e+21),
        (-1.5591242573156982e+17, -1, -1.5591242573156982e+17),
        (0.0005265810470990555, -1, 0.0),
        (8.265e+23, -10, 8.265e+23),
        (7636797844353.107, -9, 7637000000000.0),
        (609045245.4996886, -8, 600000000.0),
        (-8.271396824547729e+17, -5, -8.271396824548e+17),
        (52450000000000.0, -3, 52450000000000.0),
        (7765000000000000.0, -4, 7765000000000000.0),
        (32598215104886.406, -9, 32598000000000.0),
        (883500000000.0, -1, 883500000000.0),
        (5.077139917923206e+20, -3, 5.077139917923206e+20),
        (-61252788434.44604, -9, -61000000000.0),
        (-452.3457922649097, -4, -0.0),
        (6992178821802.858, -5, 6992178800000.0),
        (84050000000000.0, -8, 84050000000000.0),
        (6711554.470705893, -4, 6710000.0),
        (-7.839360171731552e+17, -5, -7.839360171732e+17),
        (-1.4297899792423718e+18, -15, -1.43e+18),
        (3982.5687471727188, -2, 4000.0),
        (-99.40726124912877, -2, -100.0),
        (-318.525568337694, -1, -320.0),
        (-4395000.0, -5, -4400000.0),
        (1128499581298.4734, -4, 1128499580000.0),
        (8.4e+23, -6, 8.4e+23),
        (81977.7268337117, -6, 0.0),
        (-4.059478279156084e+22, -17, -4.05948e+22),
        (-699500000000000.0, -6, -699500000000000.0),
        (2695000000.0, -5, 2695000000.0),
        (0.006662253487446146, -1, 0.0),
        (-0.0009943058904488692, -1, -0.0),
        (432056898393855.5, -4, 432056898390000.0),
        (0.0, -2, 0.0),
        (2899608347243.582, -3, 2899608347000.0),
        (-80367.89448422425, -1, -80370.0),
        (0.0007330803834323137, -1, 0.0),
        (-2456795195836.04, -11, -2500000000000.0),
        (-6.565094403550145e+22, -13, -6.565094404e+22),
        (-6877417356906.914, -6, -6877417000000.0),
        (404.6977087068413, -1, 400.0),
        (1.4255129327794934e+21, -9, 1.425512932779e+21),
        (554010874.3671224, -7, 550000000.0),
        (-5.98778413550652e+23, -2, -5.98778413550652e+23),
        (15753293982.920568, -5, 15753300000.0),
        (-97262299.79463764, -4, -97260000.0),
        (5.0, -1, 0.0),
        (-503000000000.0, -1, -503000000000.0),
        (0.0, -1, 0.0),
        (0.0, -1, 0.0),
        (-7.64311345861366e+17, -16, -7.6e+17),
        (-7.241557733618257, -1, -10.0),
        (-7.338521234769618e+22, -5, -7.338521234769618e+22),
        (8264091215019.802, -12, 8000000000000.0),
        (8.5e+16, -4, 8.5e+16),
        (-558527246.4959346, -9, -1000000000.0),
        (4.89e+17, -17, 5e+17),
        (6.59e+24, -9, 6.59e+24),
        (8.46e+21, -8, 8.46e+21),
        (-4.9394877884932784e+19, -16, -4.939e+19),
        (-7.669701058175227e+17, -7, -7.6697010582e+17),
        (0.03317729402627071, -1, 0.0),
        (125000000000000.0, -4, 125000000000000.0),
        (6.76e+18, -15, 6.76e+18),
        (-76716975956.03976, -9, -77000000000.0),
        (-978.125736757027, -1, -980.0),
        (-76464.24189133705, -4, -80000.0),
        (-20983.721998747264, -2, -21000.0),
        (0.014174067785953115, -1, 0.0),
        (-8.868621596148428, -1, -10.0),
        (-394000000000.0, -11, -400000000000.0),
        (-30150000000.0, -6, -30150000000.0),
        (-0.0017413819175032819, -1, -0.0),
        (0.7130235657969237, -1, 0.0),
        (-6497.735077812805, -5, -0.0),
        (-0.09254154892865774, -1, -0.0),
        (5161.751683560001, -6, 0.0),
        (9.710385968217851, -2, 0.0),
        (-785.1426747155581, -1, -790.0),
        (-9.134238874593851e+21, -18, -9.134e+21),
        (49.47603444356729, -4, 0.0),
        (6445000000000000.0, -5, 6445000000000000.0),
        (-36.0, -3, -0.0),
        (-4.055e+16, -13, -4.055e+16),
        (1.0, -1, 0.0),
        (45298607577576.77, -13, 50000000000000.0),
        (-13950000000.0, -6, -13950000000.0),
        (31928774147575.035, -13, 30000000000000.0),
        (887251459211719.9, -14, 900000000000000.0),
        (-745500000.0, -1, -745500000.0),
        (-574280768392.1251, -11, -600000000000.0),
        (925981571601.3964, -7, 925980000000.0),
        (-431836686.6852609, -1, -431836690.0),
        (4.2519987903171605, -2, 0.0),
        (-178687819375.68912, -15, -0.0),
        (78350000000.0, -11, 100000000000.0),
        (-0.085003380116082, -1, -0.0),
        (2.325768289669028e+21, -21, 2e+21),
        (-9.624348962900552e+18, -17, -9.6e+18),
        (-6.985e+16, -17, -1e+17),
        (388000000000000.0, -1, 388000000000000.0),
        (-99550000000000.0, -14, -100000000000000.0),
        (4.755e+24, -14, 4.755e+24),
        (-5.5e+17, -14, -5.5e+17),
        (-0.02278405105125535, -1, -0.0),
        (25250.0, -2, 25200.0),
        (3565.0, -1, 3560.0),
        (367500.0, -3, 368000.0),
        (1855000.0, -4, 1860000.0),
        (202500000.0, -6, 202000000.0),
        (350.0, -2, 400.0),
        (378500.0, -3, 378000.0),
        (3450000.0, -5, 3400000.0),
        (25350.0, -2, 25400.0),
        (15950.0, -2, 16000.0),
        (11850.0, -2, 11800.0),
        (1135000.0, -4, 1140000.0),
        (389500.0, -3, 390000.0),
        (55500.0, -3, 56000.0),
        (25350000.0, -5, 25400000.0),
        (9550000.0, -5, 9600000.0),
        (24850.0, -2, 24800.0),
        (4665000.0, -4, 4660000.0),
        (28500000.0, -6, 28000000.0),
        (7450000.0, -5, 7400000.0),
        (275000.0, -4, 280000.0),
        (1250.0, -2, 1200.0),
        (7250000.0, -5, 7200000.0),
        (265000.0, -4, 260000.0),
        (30500000.0, -6, 30000000.0),
        (20150.0, -2, 20200.0),
        (4595000.0, -4, 4600000.0),
        (452500000.0, -6, 452000000.0),
        (375500.0, -3, 376000.0),
        (405.0, -1, 400.0),
        (16850.0, -2, 16800.0),
        (9450.0, -2, 9400.0),
        (479500000.0, -6, 480000000.0),
        (38250000.0, -5, 38200000.0),
        (165000.0, -4, 160000.0),
        (340500.0, -3, 340000.0),
        (193500000.0, -6, 194000000.0),
        (169500.0, -3, 170000.0),
        (865000.0, -4, 860000.0),
        (15.0, -1, 20.0),
        ];
        for &(x, digits, want) in TABLE {
            let got = num(call("round", vec![n(x), n(f64::from(digits))]));
            assert_eq!(got.to_bits(), want.to_bits(), "round({x:?}, {digits}) = {got:?}, Python gives {want:?}");
        }
        // Python: OverflowError (rounded value too large to represent).
        assert!(call("round", vec![n(1.7976931348623157e308), n(-308.0)]).is_error());
        assert!(call("round", vec![n(2.5), n(0.5)]).is_error());
        assert_eq!(num(call("round", vec![n(-4.0), n(-400.0)])).to_bits(), (-0.0f64).to_bits());
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
