//! Exact rational numbers, as Python's `fractions.Fraction`: `rational("0.75") == rational("3/4")`,
//! `rational("0.33") != rational("1/3")`, and `rational(0.1)` is the exact value of the double.
//! A rational's type is `number`; it is only ever made by the `rational` builtin or by arithmetic
//! on rationals, so rubrics that never call it keep every number a double.

use std::borrow::Cow;
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
    value: Repr,
    /// Python's `str(Fraction)` (`3/4`, `-4`), written once when first asked for.
    text: OnceLock<Box<str>>,
}

/// A fraction in lowest terms with a positive denominator. It is `Small` exactly when both parts
/// fit in an `i64` with the numerator above `i64::MIN` (so negating it fits too): most fractions
/// graders make are ratios of small counts, and machine arithmetic spares them big-integer gcds.
#[derive(Clone, Debug)]
enum Repr {
    Small { numer: i64, denom: i64 },
    Big(BigRational),
}

/// Greatest common divisor (binary); `gcd(0, n)` is `n`.
fn gcd(mut a: u128, mut b: u128) -> u128 {
    if a == 0 || b == 0 {
        return a | b;
    }
    let shift = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return a << shift;
        }
    }
}

impl Repr {
    /// `numer / denom` in lowest terms; `denom` is not zero.
    fn from_i128(numer: i128, denom: i128) -> Repr {
        let negative = (numer < 0) != (denom < 0);
        let (numer_abs, denom_abs) = (numer.unsigned_abs(), denom.unsigned_abs());
        let divisor = gcd(numer_abs, denom_abs);
        let (numer_abs, denom_abs) = (numer_abs / divisor, denom_abs / divisor);
        match (i64::try_from(numer_abs), i64::try_from(denom_abs)) {
            (Ok(n), Ok(d)) => Repr::Small { numer: if negative { -n } else { n }, denom: d },
            _ => {
                let magnitude = Integer::from(numer_abs);
                let numer = if negative { -magnitude } else { magnitude };
                Repr::Big(BigRational::new_raw(numer, Integer::from(denom_abs)))
            }
        }
    }

    /// A fraction already in lowest terms, `Small` when it fits.
    fn from_big(value: BigRational) -> Repr {
        match (value.numer().to_i64(), value.denom().to_i64()) {
            (Some(numer), Some(denom)) if numer != i64::MIN => Repr::Small { numer, denom },
            _ => Repr::Big(value),
        }
    }

    /// The exact value of a finite double; `None` for NaN and infinities.
    fn from_f64(x: f64) -> Option<Repr> {
        if !x.is_finite() {
            return None;
        }
        let bits = x.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i32;
        let fraction = bits & ((1 << 52) - 1);
        // |x| = mantissa * 2^exponent.
        let (mut mantissa, mut exponent) =
            if biased == 0 { (fraction, -1074) } else { (fraction | (1 << 52), biased - 1075) };
        if mantissa == 0 {
            return Some(Repr::Small { numer: 0, denom: 1 });
        }
        let sign = if x < 0.0 { -1 } else { 1 };
        if exponent < 0 {
            let shift = mantissa.trailing_zeros().min(exponent.unsigned_abs());
            mantissa >>= shift;
            exponent += shift as i32;
        }
        let bits_used = 64 - mantissa.leading_zeros() as i32;
        let small = if exponent >= 0 {
            (bits_used + exponent <= 63)
                .then(|| Repr::Small { numer: sign * ((mantissa << exponent) as i64), denom: 1 })
        } else {
            (-exponent <= 62).then(|| Repr::Small { numer: sign * mantissa as i64, denom: 1 << -exponent })
        };
        small.or_else(|| BigRational::from_float(x).map(Repr::Big))
    }

    fn to_big(&self) -> Cow<'_, BigRational> {
        match self {
            Repr::Small { numer, denom } => {
                Cow::Owned(BigRational::new_raw(Integer::from(*numer), Integer::from(*denom)))
            }
            Repr::Big(value) => Cow::Borrowed(value),
        }
    }

    fn is_zero(&self) -> bool {
        match self {
            Repr::Small { numer, .. } => *numer == 0,
            Repr::Big(value) => value.is_zero(),
        }
    }

    fn cmp(&self, other: &Repr) -> Ordering {
        match (self, other) {
            (Repr::Small { numer: a, denom: b }, Repr::Small { numer: c, denom: d }) => {
                (i128::from(*a) * i128::from(*d)).cmp(&(i128::from(*c) * i128::from(*b)))
            }
            _ => self.to_big().as_ref().cmp(other.to_big().as_ref()),
        }
    }

    fn negated(&self) -> Repr {
        match self {
            Repr::Small { numer, denom } => Repr::Small { numer: -numer, denom: *denom },
            Repr::Big(value) => Repr::from_big(-value),
        }
    }

    fn is_negative(&self) -> bool {
        match self {
            Repr::Small { numer, .. } => *numer < 0,
            Repr::Big(value) => value.numer().sign() == num_bigint::Sign::Minus,
        }
    }

    fn combine(&self, op: IntOp, other: &Repr) -> Repr {
        if let (Repr::Small { numer: a, denom: b }, Repr::Small { numer: c, denom: d }) = (self, other) {
            // Each product is below 2^126 in magnitude, so a sum of two fits an i128.
            let (a, b, c, d) = (i128::from(*a), i128::from(*b), i128::from(*c), i128::from(*d));
            return match op {
                IntOp::Add => Repr::from_i128(a * d + c * b, b * d),
                IntOp::Sub => Repr::from_i128(a * d - c * b, b * d),
                IntOp::Mul => Repr::from_i128(a * c, b * d),
            };
        }
        let (x, y) = (self.to_big(), other.to_big());
        let (x, y) = (x.as_ref(), y.as_ref());
        Repr::from_big(match op {
            IntOp::Add => x + y,
            IntOp::Sub => x - y,
            IntOp::Mul => x * y,
        })
    }

    /// `self / other`; `other` is not zero.
    fn divide(&self, other: &Repr) -> Repr {
        if let (Repr::Small { numer: a, denom: b }, Repr::Small { numer: c, denom: d }) = (self, other) {
            return Repr::from_i128(i128::from(*a) * i128::from(*d), i128::from(*b) * i128::from(*c));
        }
        Repr::from_big(self.to_big().as_ref() / other.to_big().as_ref())
    }
}

impl Rational {
    fn new(value: Repr) -> Rational {
        Rational(Arc::new(Exact { value, text: OnceLock::new() }))
    }

    /// The exact value of a finite double (`rational(0.1)` is 3602879701896397/36028797018963968);
    /// `None` for NaN and infinities, which no fraction equals.
    pub fn from_f64(x: f64) -> Option<Rational> {
        Repr::from_f64(x).map(Rational::new)
    }

    /// The exact value of a big integer.
    pub fn from_big(n: &BigInt) -> Rational {
        Rational::new(Repr::from_big(BigRational::from_integer(integer_of(n))))
    }

    /// Python's `str(Fraction)`: `n/d`, or `n` when the denominator is 1. Also the canonical text
    /// that set keys use (an integer's is its decimal digits, as a big integer's).
    pub fn text(&self) -> &str {
        self.0.text.get_or_init(|| {
            match &self.0.value {
                Repr::Small { numer, denom: 1 } => numer.to_string(),
                Repr::Small { numer, denom } => format!("{numer}/{denom}"),
                Repr::Big(value) if value.denom() == &Integer::from(1) => value.numer().to_string(),
                Repr::Big(value) => format!("{}/{}", value.numer(), value.denom()),
            }
            .into_boxed_str()
        })
    }

    /// The nearest double, ties to even (Python's `float(Fraction)`); infinite beyond the double range.
    pub fn to_f64(&self) -> f64 {
        const EXACT: u64 = 1 << 53;
        match &self.0.value {
            // Both parts are doubles exactly, so one correctly rounded division is the nearest double.
            Repr::Small { numer, denom } if numer.unsigned_abs() <= EXACT && denom.unsigned_abs() <= EXACT => {
                *numer as f64 / *denom as f64
            }
            value => value.to_big().to_f64().unwrap_or(f64::NAN),
        }
    }

    /// The double equal to this fraction, when there is one (`1/2` is 0.5; `1/3` is no double).
    pub fn as_exact_f64(&self) -> Option<f64> {
        let x = self.to_f64();
        (x.is_finite() && Repr::from_f64(x).is_some_and(|exact| exact.cmp(&self.0.value) == Ordering::Equal))
            .then_some(x)
    }

    pub fn negated(&self) -> Rational {
        Rational::new(self.0.value.negated())
    }

    pub fn abs(&self) -> Rational {
        if self.0.value.is_negative() { self.negated() } else { self.clone() }
    }

    /// The largest integer not above (`floor`) or smallest not below (`ceil`) this fraction, exact.
    pub fn rounded(&self, up: bool) -> Value {
        match &self.0.value {
            // The denominator is positive and the numerator above i64::MIN, so neither overflows.
            Repr::Small { numer, denom } => {
                BigInt::from_i128(i128::from(if up { -(-numer).div_euclid(*denom) } else { numer.div_euclid(*denom) }))
            }
            Repr::Big(value) => {
                let whole = if up { value.ceil() } else { value.floor() };
                BigInt::parse(&whole.numer().to_string()).unwrap_or(Value::Number(f64::NAN))
            }
        }
    }

    /// Exact order against a double, as Python compares a `Fraction` with a float (`None` for NaN).
    pub fn cmp_f64(&self, x: f64) -> Option<Ordering> {
        if x.is_nan() {
            return None;
        }
        match Repr::from_f64(x) {
            Some(exact) => Some(self.0.value.cmp(&exact)),
            None => Some(if x > 0.0 { Ordering::Less } else { Ordering::Greater }),
        }
    }

    pub fn cmp_exact(&self, other: &Rational) -> Ordering {
        self.0.value.cmp(&other.0.value)
    }

    pub fn cmp_big(&self, other: &BigInt) -> Ordering {
        self.0.value.cmp(&Repr::from_big(BigRational::from_integer(integer_of(other))))
    }
}

impl PartialEq for Rational {
    fn eq(&self, other: &Rational) -> bool {
        self.0.value.cmp(&other.0.value) == Ordering::Equal
    }
}

fn integer_of(n: &BigInt) -> Integer {
    n.as_str().parse().unwrap_or_default()
}

/// `number` as an exact fraction the way Python mixes a `Fraction` with other numbers: a fraction or
/// an integer (a big integer, or a whole double, since rubric integers are doubles) joins it
/// exactly; a double with a fraction part does not (`Fraction + float` is a float in Python).
fn joins_exactly(number: Numeric<'_>) -> Option<Cow<'_, Repr>> {
    match number {
        Numeric::Ratio(r) => Some(Cow::Borrowed(&r.0.value)),
        Numeric::Exact(n) => Some(Cow::Owned(Repr::from_big(BigRational::from_integer(integer_of(n))))),
        Numeric::Double(x) if x.is_finite() && x.fract() == 0.0 => Repr::from_f64(x).map(Cow::Owned),
        Numeric::Double(_) => None,
    }
}

/// `a op b` where at least one side is a fraction: exact when both join exactly, else in doubles.
pub fn combine(a: Numeric, op: IntOp, b: Numeric) -> Value {
    match (joins_exactly(a), joins_exactly(b)) {
        (Some(x), Some(y)) => Value::Rational(Rational::new(x.combine(op, &y))),
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
        (Some(x), Some(y)) => Value::Rational(Rational::new(x.divide(&y))),
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
    Some(Rational::new(Repr::from_big(if negative { -value } else { value })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(text: &str) -> Rational {
        parse(text, 100).unwrap_or_else(|| panic!("{text} is a number"))
    }

    /// Values at and around the edges of the machine-integer form, where it must hand over to big integers.
    fn edge_values() -> Vec<Repr> {
        let max = i64::MAX as i128;
        let mut parts: Vec<(i128, i128)> = vec![(0, 1), (1, 1), (-1, 1), (3, 4), (-7, 3), (1, 3)];
        for n in [max, max - 1, max + 1, -max, -max - 1, 1 << 62, 3 << 61] {
            for d in [1, 2, 3, max, max - 1, max + 1, 1 << 62] {
                parts.push((n, d));
                parts.push((d, n));
            }
        }
        parts.into_iter().map(|(n, d)| Repr::from_big(BigRational::new(Integer::from(n), Integer::from(d)))).collect()
    }

    fn big_text(value: &BigRational) -> String {
        Rational::new(Repr::Big(value.clone())).text().to_string()
    }

    #[test]
    fn machine_integer_arithmetic_agrees_with_big_integers() {
        let values = edge_values();
        for x in &values {
            let (bx, sx) = (x.to_big().into_owned(), Rational::new(x.clone()));
            assert_eq!(sx.text(), big_text(&bx));
            assert_eq!(sx.to_f64(), bx.to_f64().unwrap(), "{}", sx.text());
            assert_eq!(Rational::new(x.negated()).text(), big_text(&-&bx));
            for y in &values {
                let by = y.to_big().into_owned();
                let both = format!("{} and {}", sx.text(), big_text(&by));
                assert_eq!(x.cmp(y), bx.cmp(&by), "{both}");
                for (op, want) in [(IntOp::Add, &bx + &by), (IntOp::Sub, &bx - &by), (IntOp::Mul, &bx * &by)] {
                    let got = x.combine(op, y);
                    assert_eq!(Rational::new(got.clone()).text(), big_text(&want), "{both}");
                    // One value has one form, so equal fractions compare equal whichever way they were made.
                    assert_eq!(got.cmp(&Repr::from_big(want.clone())), Ordering::Equal, "{both}");
                    assert_eq!(matches!(got, Repr::Small { .. }), matches!(Repr::from_big(want), Repr::Small { .. }));
                }
                if !y.is_zero() {
                    assert_eq!(Rational::new(x.divide(y)).text(), big_text(&(&bx / &by)), "{both}");
                }
            }
        }
    }

    #[test]
    fn doubles_convert_to_the_same_fraction_either_way() {
        for x in [
            0.0,
            -0.0,
            1.0,
            -2.5,
            0.1,
            1e-300,
            5e-324,
            1e18,
            9.2e18,
            9.3e18,
            1e300,
            2f64.powi(-62),
            2f64.powi(-63),
            3.0 * 2f64.powi(-64),
        ] {
            let fast = Rational::new(Repr::from_f64(x).unwrap());
            let slow = BigRational::from_float(x).unwrap();
            assert_eq!(fast.text(), big_text(&slow), "{x}");
            assert_eq!(fast.to_f64(), x, "{x}");
        }
    }

    #[test]
    fn floor_and_ceil_round_toward_the_right_side() {
        for (text, floor, ceil) in [("7/2", 3.0, 4.0), ("-7/2", -4.0, -3.0), ("-1/2", -1.0, 0.0), ("4", 4.0, 4.0)] {
            assert_eq!(r(text).rounded(false).as_f64(), Some(floor), "{text}");
            assert_eq!(r(text).rounded(true).as_f64(), Some(ceil), "{text}");
        }
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
