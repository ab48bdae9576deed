//! Integers a double cannot hold. A JSON or rubric integer beyond ±2^53 (an id, a Snowflake
//! timestamp) is kept exact, as Python keeps its ints, so that `==`, ordering and set keys tell
//! `1234567890123456789` and `1234567890123456788` apart. Every other number stays a double.

use std::cmp::Ordering;
use std::sync::Arc;

use super::Value;
use super::rational::{self, Rational};

/// 2^53: every integer up to this magnitude is a double exactly.
pub const EXACT_DOUBLES: f64 = 9_007_199_254_740_992.0;

/// An integer whose magnitude is above 2^53, written in canonical decimal: an optional `-`, then
/// digits without leading zeros. (Smaller integers are [`Value::Number`]s, so each integer value
/// has one form.)
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BigInt(Arc<str>);

impl BigInt {
    /// The value of an integer written in decimal (`-`, then ASCII digits; leading zeros allowed):
    /// a double when its magnitude is at most 2^53, else exact. `None` when `text` is not such an integer.
    pub fn parse(text: &str) -> Option<Value> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        if digits.is_empty() || !digits.bytes().all(|d| d.is_ascii_digit()) {
            return None;
        }
        let digits = digits.trim_start_matches('0');
        if digits.len() <= 16 {
            let magnitude = digits.bytes().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
            if magnitude <= 1 << 53 {
                let n = magnitude as f64;
                // `-0` is zero (an integer has no negative zero).
                return Some(Value::Number(if negative && magnitude != 0 { -n } else { n }));
            }
        }
        let text = if negative { format!("-{digits}") } else { digits.to_string() };
        Some(Value::BigInt(BigInt(text.into())))
    }

    /// The value of `n`: a double when its magnitude is at most 2^53, else exact.
    pub fn from_i128(n: i128) -> Value {
        if n.unsigned_abs() <= 1 << 53 { Value::Number(n as f64) } else { Value::BigInt(BigInt(n.to_string().into())) }
    }

    /// The canonical decimal text (what `string()` and JSON output write).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_negative(&self) -> bool {
        self.0.starts_with('-')
    }

    /// The digits of the magnitude.
    fn magnitude(&self) -> &str {
        self.0.trim_start_matches('-')
    }

    /// The nearest double (ties to even, as Python's `float(n)`); infinite beyond the double range.
    pub fn to_f64(&self) -> f64 {
        self.0.parse().unwrap_or(f64::NAN)
    }

    /// The value as an `i128`, when it fits.
    pub fn to_i128(&self) -> Option<i128> {
        self.0.parse().ok()
    }

    pub fn negated(&self) -> BigInt {
        match self.0.strip_prefix('-') {
            Some(magnitude) => BigInt(magnitude.into()),
            None => BigInt(format!("-{}", self.0).into()),
        }
    }

    pub fn abs(&self) -> BigInt {
        if self.is_negative() { self.negated() } else { self.clone() }
    }

    /// Exact order of two big integers: by sign, then number of digits, then digits.
    pub fn cmp_exact(&self, other: &BigInt) -> Ordering {
        let by_magnitude = |a: &str, b: &str| a.len().cmp(&b.len()).then_with(|| a.cmp(b));
        match (self.is_negative(), other.is_negative()) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => by_magnitude(self.magnitude(), other.magnitude()),
            (true, true) => by_magnitude(other.magnitude(), self.magnitude()),
        }
    }

    /// Exact order against a double, as Python compares an int with a float (`None` for NaN).
    pub fn cmp_f64(&self, x: f64) -> Option<Ordering> {
        if x.is_nan() {
            return None;
        }
        if x.abs() <= EXACT_DOUBLES {
            // This integer's magnitude is above 2^53, so its sign decides.
            return Some(if self.is_negative() { Ordering::Less } else { Ordering::Greater });
        }
        if x.is_infinite() {
            return Some(if x > 0.0 { Ordering::Less } else { Ordering::Greater });
        }
        // Above 2^53 every double is an integer, which formats exactly with no decimals.
        let BigInt(whole) = integral_double(x);
        Some(self.cmp_exact(&BigInt(whole)))
    }

    /// The double equal to this integer, when there is one (`10**20` is `1e20`; `2**53 + 1` is no double).
    pub fn as_exact_f64(&self) -> Option<f64> {
        let x = self.to_f64();
        (x.is_finite() && self.cmp_f64(x) == Some(Ordering::Equal)).then_some(x)
    }
}

/// A whole double beyond 2^53 as an integer in canonical decimal.
fn integral_double(x: f64) -> BigInt {
    BigInt(format!("{x:.0}").into())
}

/// A number as it is compared and computed on: a double, an integer kept exact, or a fraction.
#[derive(Clone, Copy, Debug)]
pub enum Numeric<'a> {
    Double(f64),
    Exact(&'a BigInt),
    Ratio(&'a Rational),
}

/// An operation on two numbers that Python keeps exact on two ints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntOp {
    Add,
    Sub,
    Mul,
}

impl<'a> Numeric<'a> {
    /// The nearest double.
    pub fn to_f64(self) -> f64 {
        match self {
            Numeric::Double(x) => x,
            Numeric::Exact(n) => n.to_f64(),
            Numeric::Ratio(r) => r.to_f64(),
        }
    }

    /// The value itself (a double stays a number, an exact integer stays exact).
    pub fn to_value(self) -> Value {
        match self {
            Numeric::Double(x) => Value::Number(x),
            Numeric::Exact(n) => Value::BigInt(n.clone()),
            Numeric::Ratio(r) => Value::Rational(r.clone()),
        }
    }

    /// Exact mathematical order, as Python compares ints and floats (`None` when a NaN is involved).
    #[inline]
    pub fn partial_cmp(self, other: Numeric) -> Option<Ordering> {
        match (self, other) {
            (Numeric::Double(a), Numeric::Double(b)) => a.partial_cmp(&b),
            (Numeric::Exact(a), Numeric::Exact(b)) => Some(a.cmp_exact(b)),
            (Numeric::Exact(a), Numeric::Double(b)) => a.cmp_f64(b),
            (Numeric::Double(a), Numeric::Exact(b)) => b.cmp_f64(a).map(Ordering::reverse),
            (Numeric::Ratio(a), Numeric::Ratio(b)) => Some(a.cmp_exact(b)),
            (Numeric::Ratio(a), Numeric::Double(b)) => a.cmp_f64(b),
            (Numeric::Double(a), Numeric::Ratio(b)) => b.cmp_f64(a).map(Ordering::reverse),
            (Numeric::Ratio(a), Numeric::Exact(b)) => Some(a.cmp_big(b)),
            (Numeric::Exact(a), Numeric::Ratio(b)) => Some(b.cmp_big(a).reverse()),
        }
    }

    /// The value as an `i128` when it is a whole number that fits.
    fn whole(self) -> Option<i128> {
        match self {
            Numeric::Exact(n) => n.to_i128(),
            Numeric::Double(x) if x.fract() == 0.0 && x.abs() < 1e38 => Some(x as i128),
            Numeric::Double(_) | Numeric::Ratio(_) => None,
        }
    }

    /// `self op other`. Two doubles give the double result. With a fraction, see [`rational::combine`].
    /// With an exact integer, two whole
    /// numbers give the exact result (as Python's int arithmetic) while it fits in 128 bits;
    /// otherwise both become doubles first (as Python's int-with-float arithmetic).
    pub fn combine(self, op: IntOp, other: Numeric) -> Value {
        let in_doubles = |a: f64, b: f64| match op {
            IntOp::Add => a + b,
            IntOp::Sub => a - b,
            IntOp::Mul => a * b,
        };
        if let (Numeric::Double(a), Numeric::Double(b)) = (self, other) {
            return Value::Number(in_doubles(a, b));
        }
        if matches!(self, Numeric::Ratio(_)) || matches!(other, Numeric::Ratio(_)) {
            return rational::combine(self, op, other);
        }
        let exact = self.whole().zip(other.whole()).and_then(|(a, b)| match op {
            IntOp::Add => a.checked_add(b),
            IntOp::Sub => a.checked_sub(b),
            IntOp::Mul => a.checked_mul(b),
        });
        match exact {
            Some(n) => BigInt::from_i128(n),
            None => Value::Number(in_doubles(self.to_f64(), other.to_f64())),
        }
    }
}

/// `digits` (ASCII, a magnitude) rounded to a multiple of `10^places` like Python's `round` with
/// negative digits: the nearest multiple, a tie going to the even one unless `beyond` says that
/// the exact value is a little more than `digits`. The result is in decimal.
pub fn round_digits_to_tens(digits: &str, places: usize, beyond: bool) -> String {
    let digits = digits.trim_start_matches('0');
    if places > digits.len() {
        return "0".into();
    }
    let (head, tail) = digits.split_at(digits.len() - places);
    let half = tail.bytes().next().map_or(Ordering::Less, |first| {
        let rest_zero = tail.bytes().skip(1).all(|d| d == b'0');
        match first.cmp(&b'5') {
            Ordering::Equal if rest_zero && !beyond => Ordering::Equal,
            Ordering::Equal => Ordering::Greater,
            other => other,
        }
    });
    let last_odd = head.bytes().last().is_some_and(|d| (d - b'0') % 2 == 1);
    let up = half == Ordering::Greater || (half == Ordering::Equal && last_odd);
    let mut out: Vec<u8> = head.bytes().collect();
    if up {
        // Add one at the last digit of `head`, carrying.
        let mut at = out.len();
        loop {
            if at == 0 {
                out.insert(0, b'1');
                break;
            }
            at -= 1;
            if out[at] == b'9' {
                out[at] = b'0';
            } else {
                out[at] += 1;
                break;
            }
        }
    }
    if out.is_empty() || out.iter().all(|&d| d == b'0') {
        return "0".into();
    }
    out.extend(std::iter::repeat_n(b'0', places));
    String::from_utf8(out).unwrap_or_default()
}

/// The exact decimal of a finite double's magnitude, as its whole part's digits and whether a
/// fraction is left over.
pub fn whole_digits(x: f64) -> (String, bool) {
    let whole = x.abs().trunc();
    (format!("{whole:.0}"), whole != x.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(text: &str) -> BigInt {
        match BigInt::parse(text) {
            Some(Value::BigInt(n)) => n,
            other => panic!("{text} is not big: {other:?}"),
        }
    }

    #[test]
    fn integers_up_to_two_to_the_53_stay_doubles() {
        assert!(matches!(BigInt::parse("9007199254740992"), Some(Value::Number(x)) if x == EXACT_DOUBLES));
        assert!(matches!(BigInt::parse("-9007199254740992"), Some(Value::Number(x)) if x == -EXACT_DOUBLES));
        assert!(matches!(BigInt::parse("-0"), Some(Value::Number(x)) if x.to_bits() == 0));
        assert!(matches!(BigInt::parse("000012"), Some(Value::Number(12.0))));
        assert_eq!(big("9007199254740993").as_str(), "9007199254740993");
        assert_eq!(big("-0009007199254740993").as_str(), "-9007199254740993");
        assert!(BigInt::parse("1.5").is_none() && BigInt::parse("").is_none() && BigInt::parse("-").is_none());
    }

    #[test]
    fn big_integers_order_exactly() {
        let sorted = [
            "-100000000000000000000",
            "-9007199254740994",
            "-9007199254740993",
            "9007199254740993",
            "9007199254740994",
            "12345678901234567890123",
        ];
        for (i, a) in sorted.iter().enumerate() {
            for (j, b) in sorted.iter().enumerate() {
                assert_eq!(big(a).cmp_exact(&big(b)), i.cmp(&j), "{a} {b}");
            }
        }
    }

    #[test]
    fn big_integers_compare_with_doubles_as_python_does() {
        // Python: 2**53 + 1 > 2.0**53, 10**20 == 1e20, 10**23 > 1e23 (1e23 is 99999999999999991611392).
        assert_eq!(big("9007199254740993").cmp_f64(EXACT_DOUBLES), Some(Ordering::Greater));
        assert_eq!(big("9007199254740993").cmp_f64(9007199254740994.0), Some(Ordering::Less));
        assert_eq!(big("100000000000000000000").cmp_f64(1e20), Some(Ordering::Equal));
        assert_eq!(big("100000000000000000000000").cmp_f64(1e23), Some(Ordering::Greater));
        assert_eq!(big("99999999999999991611392").cmp_f64(1e23), Some(Ordering::Equal));
        assert_eq!(big("-9007199254740993").cmp_f64(0.5), Some(Ordering::Less));
        assert_eq!(big("-9007199254740993").cmp_f64(f64::NEG_INFINITY), Some(Ordering::Greater));
        assert_eq!(big("9007199254740993").cmp_f64(f64::NAN), None);
        assert_eq!(big("100000000000000000000").as_exact_f64(), Some(1e20));
        assert_eq!(big("9007199254740993").as_exact_f64(), None);
    }

    #[test]
    fn arithmetic_with_an_exact_integer_stays_exact_while_whole() {
        let n = big("9007199254740993");
        let sum = Numeric::Exact(&n).combine(IntOp::Add, Numeric::Double(1.0));
        assert!(matches!(&sum, Value::BigInt(s) if s.as_str() == "9007199254740994"));
        let back = Numeric::Exact(&n).combine(IntOp::Sub, Numeric::Double(2.0));
        assert!(matches!(back, Value::Number(x) if x == 9007199254740991.0));
        let half = Numeric::Exact(&n).combine(IntOp::Add, Numeric::Double(0.5));
        assert!(matches!(half, Value::Number(x) if x == 9007199254740992.0));
        let huge = big("100000000000000000000000000000000000000");
        assert!(
            matches!(Numeric::Exact(&huge).combine(IntOp::Mul, Numeric::Exact(&huge)), Value::Number(x) if x == 1e38 * 1e38)
        );
    }

    #[test]
    fn rounding_to_tens_ties_to_even() {
        assert_eq!(round_digits_to_tens("1250", 2, false), "1200");
        assert_eq!(round_digits_to_tens("1350", 2, false), "1400");
        assert_eq!(round_digits_to_tens("1250", 2, true), "1300");
        assert_eq!(round_digits_to_tens("50", 2, false), "0");
        assert_eq!(round_digits_to_tens("51", 2, false), "100");
        assert_eq!(round_digits_to_tens("9999", 2, false), "10000");
        assert_eq!(round_digits_to_tens("5", 1, false), "0");
        assert_eq!(round_digits_to_tens("15", 1, false), "20");
        assert_eq!(round_digits_to_tens("0", 3, true), "0");
        assert_eq!(round_digits_to_tens("123", 0, true), "123");
    }
}
