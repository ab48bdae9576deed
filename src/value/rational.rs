//! Exact rational numbers, as Python's `fractions.Fraction`: `rational("0.75") == rational("3/4")`,
//! `rational("0.33") != rational("1/3")`, and `rational(0.1)` is the exact value of the double.
//! A rational's type is `number`; it is only ever made by the `rational` builtin or by arithmetic
//! on rationals, so rubrics that never call it keep every number a double.

use std::cmp::Ordering;
use std::sync::{Arc, OnceLock};

use num_bigint::BigInt as Integer;
use num_rational::BigRational;
use num_traits::{ToPrimitive, Zero};

use super::Value;
use super::bigint::{BigInt, IntOp, Numeric};

/// A fraction in lowest terms with a positive denominator. Cloning shares it.
#[derive(Clone, Debug)]
pub struct Rational(Arc<Exact>);

#[derive(Debug)]
struct Exact {
    value: BigRational,
    /// Python's `str(Fraction)` (`3/4`, `-4`), written once when first asked for.
    text: OnceLock<Box<str>>,
}

impl Rational {
    fn new(value: BigRational) -> Rational {
        Rational(Arc::new(Exact { value, text: OnceLock::new() }))
    }

    /// The exact value of a finite double (`rational(0.1)` is 3602879701896397/36028797018963968);
    /// `None` for NaN and infinities, which no fraction equals.
    pub fn from_f64(x: f64) -> Option<Rational> {
        BigRational::from_float(x).map(Rational::new)
    }

    /// The exact value of a big integer.
    pub fn from_big(n: &BigInt) -> Rational {
        Rational::new(BigRational::from_integer(integer_of(n)))
    }

    /// The numerator and denominator (in lowest terms, the denominator positive).
    pub fn parts(&self) -> (&Integer, &Integer) {
        (self.0.value.numer(), self.0.value.denom())
    }

    /// Python's `str(Fraction)`: `n/d`, or `n` when the denominator is 1. Also the canonical text
    /// that set keys use (an integer's is its decimal digits, as a big integer's).
    pub fn text(&self) -> &str {
        self.0.text.get_or_init(|| {
            let (n, d) = self.parts();
            if d == &Integer::from(1) { n.to_string() } else { format!("{n}/{d}") }.into_boxed_str()
        })
    }

    /// The nearest double, ties to even (Python's `float(Fraction)`); infinite beyond the double range.
    pub fn to_f64(&self) -> f64 {
        self.0.value.to_f64().unwrap_or(f64::NAN)
    }

    /// The double equal to this fraction, when there is one (`1/2` is 0.5; `1/3` is no double).
    pub fn as_exact_f64(&self) -> Option<f64> {
        let x = self.to_f64();
        (x.is_finite() && BigRational::from_float(x).as_ref() == Some(&self.0.value)).then_some(x)
    }

    pub fn negated(&self) -> Rational {
        Rational::new(-&self.0.value)
    }

    pub fn abs(&self) -> Rational {
        if self.0.value.numer().sign() == num_bigint::Sign::Minus { self.negated() } else { self.clone() }
    }

    /// The largest integer not above (`floor`) or smallest not below (`ceil`) this fraction, exact.
    pub fn rounded(&self, up: bool) -> Value {
        let whole = if up { self.0.value.ceil() } else { self.0.value.floor() };
        BigInt::parse(&whole.numer().to_string()).unwrap_or(Value::Number(f64::NAN))
    }

    /// Exact order against a double, as Python compares a `Fraction` with a float (`None` for NaN).
    pub fn cmp_f64(&self, x: f64) -> Option<Ordering> {
        if x.is_nan() {
            return None;
        }
        match BigRational::from_float(x) {
            Some(exact) => Some(self.0.value.cmp(&exact)),
            None => Some(if x > 0.0 { Ordering::Less } else { Ordering::Greater }),
        }
    }

    pub fn cmp_exact(&self, other: &Rational) -> Ordering {
        self.0.value.cmp(&other.0.value)
    }

    pub fn cmp_big(&self, other: &BigInt) -> Ordering {
        self.0.value.cmp(&BigRational::from_integer(integer_of(other)))
    }
}

impl PartialEq for Rational {
    fn eq(&self, other: &Rational) -> bool {
        self.0.value == other.0.value
    }
}

fn integer_of(n: &BigInt) -> Integer {
    n.as_str().parse().unwrap_or_default()
}

/// `number` as an exact fraction the way Python mixes a `Fraction` with other numbers: a fraction or
/// an integer (a big integer, or a whole double, since rubric integers are doubles) joins it
/// exactly; a double with a fraction part does not (`Fraction + float` is a float in Python).
fn joins_exactly(number: Numeric) -> Option<BigRational> {
    match number {
        Numeric::Ratio(r) => Some(r.0.value.clone()),
        Numeric::Exact(n) => Some(BigRational::from_integer(integer_of(n))),
        Numeric::Double(x) if x.is_finite() && x.fract() == 0.0 => BigRational::from_float(x),
        Numeric::Double(_) => None,
    }
}

/// `a op b` where at least one side is a fraction: exact when both join exactly, else in doubles.
pub fn combine(a: Numeric, op: IntOp, b: Numeric) -> Value {
    match (joins_exactly(a), joins_exactly(b)) {
        (Some(x), Some(y)) => Value::Rational(Rational::new(match op {
            IntOp::Add => x + y,
            IntOp::Sub => x - y,
            IntOp::Mul => x * y,
        })),
        _ => {
            let (x, y) = (a.to_f64(), b.to_f64());
            Value::Number(match op {
                IntOp::Add => x + y,
                IntOp::Sub => x - y,
                IntOp::Mul => x * y,
            })
        }
    }
}

/// `a / b` where at least one side is a fraction: the exact quotient when both join exactly (as
/// Python's `Fraction / int`), else the double quotient. Dividing by zero is an error.
pub fn divide(a: Numeric, b: Numeric) -> Value {
    match (joins_exactly(a), joins_exactly(b)) {
        (_, Some(y)) if y.is_zero() => Value::error("division by zero"),
        (Some(x), Some(y)) => Value::Rational(Rational::new(x / y)),
        _ if b.to_f64() == 0.0 => Value::error("division by zero"),
        _ => Value::Number(a.to_f64() / b.to_f64()),
    }
}

/// Decimal text with at most `max_digits` digits: `12`, `1,234.5` (groups of three after the first
/// one to three digits), `.5`; not `4.` nor `1e3`. Commas are dropped from the result.
fn decimal(text: &str, max_digits: usize) -> Option<BigRational> {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let grouped = whole.contains(',');
    let mut digits = String::with_capacity(text.len());
    if grouped {
        let mut groups = whole.split(',');
        let first = groups.next().unwrap_or("");
        if !(1..=3).contains(&first.len()) || !first.bytes().all(|d| d.is_ascii_digit()) {
            return None;
        }
        digits.push_str(first);
        for group in groups {
            if group.len() != 3 || !group.bytes().all(|d| d.is_ascii_digit()) {
                return None;
            }
            digits.push_str(group);
        }
    } else if whole.bytes().all(|d| d.is_ascii_digit()) {
        digits.push_str(whole);
    } else {
        return None;
    }
    let places = match fraction {
        Some(f) if !f.is_empty() && f.bytes().all(|d| d.is_ascii_digit()) => {
            digits.push_str(f);
            f.len()
        }
        Some(_) => return None,
        None if whole.is_empty() => return None,
        None => 0,
    };
    if digits.len() > max_digits {
        return None;
    }
    let numerator: Integer = digits.parse().ok()?;
    Some(BigRational::new(numerator, num_traits::pow(Integer::from(10), places)))
}

/// A decimal after an optional sign (`+`/`-`), spaces and tabs allowed between them.
fn signed_decimal(text: &str, max_digits: usize) -> Option<BigRational> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let value = decimal(rest.trim_start_matches([' ', '\t']), max_digits)?;
    Some(if negative { -value } else { value })
}

fn inline_trim(text: &str) -> &str {
    text.trim_matches([' ', '\t'])
}

/// The exact value of `text`, or `None` when it is not a number: surrounding ASCII whitespace, an
/// optional sign, then a decimal (`-.5`, `1,234.5`), a quotient of decimals (`3/4`, `1.5 / 2`), or
/// `\frac{A}{B}` with signed decimals `A` and `B`. A zero denominator, or a decimal with more than
/// `max_digits` digits, is not a number.
pub fn parse(text: &str, max_digits: usize) -> Option<Rational> {
    let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, inline_trim(&text[1..])),
        Some(b'+') => (false, inline_trim(&text[1..])),
        _ => (false, text),
    };
    let (numerator, denominator) = if let Some(frac) = body.strip_prefix("\\frac{") {
        let (top, rest) = frac.split_once('}')?;
        let bottom = rest.strip_prefix('{')?.strip_suffix('}')?;
        (signed_decimal(inline_trim(top), max_digits)?, signed_decimal(inline_trim(bottom), max_digits)?)
    } else if let Some((top, bottom)) = body.split_once('/') {
        (decimal(inline_trim(top), max_digits)?, decimal(inline_trim(bottom), max_digits)?)
    } else {
        (decimal(body, max_digits)?, BigRational::from_integer(Integer::from(1)))
    };
    if denominator.is_zero() {
        return None;
    }
    let value = numerator / denominator;
    Some(Rational::new(if negative { -value } else { value }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(text: &str) -> Rational {
        parse(text, 100).unwrap_or_else(|| panic!("{text} is a number"))
    }

    #[test]
    fn decimal_text_parses_exactly() {
        // Python: str(Fraction(...)) of the value each text denotes.
        for (text, want) in [
            ("0.75", "3/4"),
            (".75", "3/4"),
            ("-.5", "-1/2"),
            ("4.0", "4"),
            ("1,250", "1250"),
            ("1,234.5", "2469/2"),
            ("3/4", "3/4"),
            ("6/8", "3/4"),
            ("1.5 / 2", "3/4"),
            ("\\frac{3}{4}", "3/4"),
            ("-\\frac{3}{4}", "-3/4"),
            ("\\frac{-3}{-4}", "3/4"),
            ("\\frac{ 1.5 }{ 2 }", "3/4"),
            ("- 7", "-7"),
            ("+7", "7"),
            (" 0.33\n", "33/100"),
            ("-0", "0"),
            ("000.000", "0"),
            ("123456789012345678901234567890", "123456789012345678901234567890"),
        ] {
            assert_eq!(r(text).text(), want, "{text}");
        }
    }

    #[test]
    fn text_that_is_not_a_number_is_none() {
        for text in [
            "",
            "-",
            ".",
            "4.",
            "1e3",
            "12cm",
            "1,25",
            "12,345,67",
            "1234,567",
            ",123",
            "1/0",
            "0/0.0",
            "\\frac{3}{0}",
            "3/-4",
            "--3",
            "x",
            "1/2/3",
            "\\frac{3}{4",
            "\\frac{3}{4}}",
            "٣",
            "1 2",
            "0x10",
            "inf",
            "nan",
        ] {
            assert!(parse(text, 100).is_none(), "{text:?}");
        }
    }

    #[test]
    fn more_digits_than_the_limit_is_no_number() {
        let hundred = "1".repeat(100);
        assert!(parse(&hundred, 100).is_some());
        assert!(parse(&format!("1{hundred}"), 100).is_none());
        assert!(parse(&format!("{}.{}", "1".repeat(50), "1".repeat(51)), 100).is_none());
        assert!(parse(&format!("1/{}", "1".repeat(101)), 100).is_none());
        // Commas are not digits.
        assert!(parse("1,000,000", 7).is_some() && parse("1,000,000", 6).is_none());
    }

    #[test]
    fn doubles_convert_exactly_and_back_correctly_rounded() {
        // Python: Fraction(0.1), float(Fraction(1, 3)), float(Fraction(2**60 + 1, 3)).
        assert_eq!(Rational::from_f64(0.1).unwrap().text(), "3602879701896397/36028797018963968");
        assert_eq!(Rational::from_f64(-2.5).unwrap().text(), "-5/2");
        assert!(Rational::from_f64(f64::NAN).is_none() && Rational::from_f64(f64::INFINITY).is_none());
        assert_eq!(r("1/3").to_f64(), 0.3333333333333333);
        assert_eq!(r("1152921504606846977/3").to_f64(), 3.843071682022823e17);
        // Python: float(Fraction(11, 10**99)) == 1.1e-98; float(Fraction(10**99 + 1, 10**99)) == 1.0.
        assert_eq!(r(&format!("11/1{}", "0".repeat(99))).to_f64(), 1.1e-98);
        assert_eq!(r(&format!("1{}1/1{}", "0".repeat(98), "0".repeat(99))).to_f64(), 1.0);
        assert_eq!(r("9007199254740993").to_f64(), 9007199254740992.0);
        assert_eq!(r("9007199254740995").to_f64(), 9007199254740996.0);
        assert_eq!(r("0.1").as_exact_f64(), None);
        assert_eq!(r("3/4").as_exact_f64(), Some(0.75));
    }

    #[test]
    fn comparisons_with_doubles_are_exact() {
        // Python: Fraction(1, 2) == 0.5, Fraction(1, 10) != 0.1, Fraction(1, 10) < 0.1.
        assert_eq!(r("1/2").cmp_f64(0.5), Some(Ordering::Equal));
        assert_eq!(r("1/10").cmp_f64(0.1), Some(Ordering::Less));
        assert_eq!(r("-1/3").cmp_f64(-0.3333333333333333), Some(Ordering::Less));
        assert_eq!(r("10000000000000000000000").cmp_f64(f64::INFINITY), Some(Ordering::Less));
        assert_eq!(r("-1").cmp_f64(f64::NEG_INFINITY), Some(Ordering::Greater));
        assert_eq!(r("0").cmp_f64(-0.0), Some(Ordering::Equal));
        assert_eq!(r("0").cmp_f64(f64::NAN), None);
    }
}
