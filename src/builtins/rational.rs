//! Exact fractions (Python's `fractions.Fraction`): `rational` reads decimal text or a number
//! exactly; arithmetic and comparisons on the result are exact (see `crate::value::rational`).

use super::{ArgProblem, Builtin, Ctx, Default, opt, req};
use crate::diagnostic::Code;
use crate::value::rational::{self, Rational};
use crate::value::{Ty, Value, shorten};

/// Python refuses to read an integer of more digits than this from text (`sys.get_int_max_str_digits()`).
const PYTHON_DIGIT_LIMIT: f64 = 4300.0;

pub const BUILTINS: &[Builtin] = &[Builtin {
    name: "rational",
    doc: "The exact value of a number or of decimal text, as Python's `Fraction`: `rational(\"0.75\") == \
          rational(\"3/4\")`, `rational(\"0.33\") != rational(\"1/3\")`, `rational(0.1)` is the exact value of \
          the double. Text is an optional sign, then a decimal (`-.5`, `1,234.5` with groups of three; not \
          `4.` nor `1e3`), a quotient `A/B` of decimals (`1.5 / 2`), or `\\frac{A}{B}` with signed decimals; \
          surrounding whitespace is ignored. Text that is not such a number, a zero denominator, a decimal \
          of more than `max_digits` digits, and a NaN or infinite number give null. Arithmetic with a \
          fraction is exact (with a double that has a fraction part it is in doubles, as `Fraction + float` \
          in Python); it equals a double or integer of the same value and keys sets as it; `string()` \
          writes `3/4`, `number()` and JSON results the nearest double.",
    params: &[
        req("value", Ty::NUMBER.or(Ty::STRING)),
        opt("max_digits", Ty::NUMBER, Default::Number(PYTHON_DIGIT_LIMIT)),
    ],
    returns: Ty::NUMBER.or(Ty::NULL),
    eval: eval_rational,
    validate: Some(validate),
}];

fn eval_rational(a: &[Value], _: &mut Ctx) -> Value {
    let max_digits = match digit_limit(&a[1]) {
        Ok(n) => n,
        Err(message) => return Value::error(message),
    };
    let exact = match &a[0] {
        Value::String(text) => rational::parse(text, max_digits),
        Value::Number(x) => Rational::from_f64(*x),
        Value::BigInt(n) => Some(Rational::from_big(n)),
        Value::Rational(r) => Some(r.clone()),
        _ => None,
    };
    exact.map_or(Value::Null, Value::Rational)
}

fn digit_limit(v: &Value) -> Result<usize, String> {
    match v.as_f64() {
        Some(n) if n >= 1.0 && n.fract() == 0.0 && n <= 1e9 => Ok(n as usize),
        _ => Err(format!("`rational`: max_digits must be a whole number from 1, found {}", v.short(30))),
    }
}

/// `number()` of a fraction: the nearest double (Python's `float(Fraction)`), an error beyond the
/// double range (Python raises `OverflowError`).
pub fn nearest_double(r: &Rational) -> Value {
    let x = r.to_f64();
    if x.is_finite() {
        Value::Number(x)
    } else {
        Value::error(format!("`number`: {} is too large for a double", shorten(r.text(), 40)))
    }
}

fn validate(args: &[Option<&Value>]) -> Vec<ArgProblem> {
    let mut problems = Vec::new();
    let max_digits = match args.get(1).copied().flatten() {
        Some(limit) => match digit_limit(limit) {
            Ok(n) => n,
            Err(message) => {
                problems.push(ArgProblem { arg: 1, code: None, message, help: None });
                return problems;
            }
        },
        None => PYTHON_DIGIT_LIMIT as usize,
    };
    if let Some(Value::String(text)) = args.first().copied().flatten()
        && rational::parse(text, max_digits).is_none()
    {
        problems.push(ArgProblem {
            arg: 0,
            code: Some(Code::NotANumber),
            message: format!("`{}` is not a number, so `rational` always gives null here", shorten(text, 40)),
            help: Some(
                "write a decimal (`-.5`, `1,234.5`), a quotient (`3/4`) or `\\frac{3}{4}`, with at most \
                 `max_digits` digits per decimal and a denominator that is not zero"
                    .into(),
            ),
        });
    }
    problems
}

#[cfg(test)]
mod tests {
    use crate::builtins::lookup;
    use crate::builtins::testing::{call, err, l, n, s};
    use crate::check::const_node;
    use crate::diagnostic::Code;
    use crate::plan::Node;
    use crate::syntax::ast::UnOp;
    use crate::value::Value;
    use crate::value::bigint::BigInt;

    fn r(text: &str) -> Value {
        match call("rational", vec![s(text)]) {
            v @ Value::Rational(_) => v,
            other => panic!("{text} gave {other}"),
        }
    }
    fn text(v: &Value) -> String {
        call("string", vec![v.clone()]).as_str().unwrap_or_default().to_string()
    }
    fn op(sym: &str, a: &Value, b: &Value) -> Value {
        use crate::syntax::ast::BinOp;
        let op = match sym {
            "+" => BinOp::Add,
            "-" => BinOp::Sub,
            "*" => BinOp::Mul,
            "/" => BinOp::Div,
            "==" => BinOp::Eq,
            "!=" => BinOp::Ne,
            "<" => BinOp::Lt,
            "<=" => BinOp::Le,
            ">" => BinOp::Gt,
            _ => BinOp::Ge,
        };
        evaluate(Node::Binary(op, Box::new(const_node(a)), Box::new(const_node(b))))
    }
    /// Evaluates `node` as the engine does; values go in as constant nodes (a fraction as the call
    /// that makes it from its text, so this also checks that that call gives the fraction back).
    fn evaluate(node: Node) -> Value {
        crate::eval::Program::eval_constant(&node).expect("a constant")
    }

    #[test]
    fn text_that_is_not_a_number_is_null() {
        for text in ["x = 4", "4.", "1/0", "\\frac{1}{0.0}", "", "12 cm"] {
            assert!(matches!(call("rational", vec![s(text)]), Value::Null), "{text:?}");
        }
        assert!(matches!(call("rational", vec![s("123"), n(2.0)]), Value::Null));
        assert!(matches!(call("rational", vec![s("123"), n(3.0)]), Value::Rational(_)));
        assert!(matches!(call("rational", vec![n(f64::NAN)]), Value::Null));
        assert!(matches!(call("rational", vec![n(f64::INFINITY)]), Value::Null));
        assert!(err(call("rational", vec![s("1"), n(0.5)])).contains("max_digits must be a whole number"));
    }

    #[test]
    fn numbers_convert_exactly() {
        // Python: str(Fraction(0.1)), str(Fraction(2**53 + 1)), str(Fraction(4.0)).
        assert_eq!(text(&call("rational", vec![n(0.1)])), "3602879701896397/36028797018963968");
        let big = BigInt::parse("9007199254740993").unwrap();
        assert_eq!(text(&call("rational", vec![big])), "9007199254740993");
        assert_eq!(text(&call("rational", vec![n(4.0)])), "4");
        assert_eq!(text(&call("rational", vec![r("3/4")])), "3/4");
    }

    #[test]
    fn arithmetic_is_exact() {
        // Python: Fraction('1/3') + Fraction('1/6') == Fraction(1, 2), and so on.
        assert_eq!(text(&op("+", &r("1/3"), &r("1/6"))), "1/2");
        assert_eq!(text(&op("-", &r("0.1"), &r("0.3"))), "-1/5");
        assert_eq!(text(&op("*", &r("2/3"), &r("-3/4"))), "-1/2");
        assert_eq!(text(&op("/", &r("2/3"), &r("4"))), "1/6");
        assert_eq!(text(&op("/", &n(1.0), &r("3"))), "1/3");
        assert_eq!(text(&op("+", &r("1/3"), &n(2.0))), "7/3");
        let big = BigInt::parse("9007199254740993").unwrap();
        assert_eq!(text(&op("-", &r("1/2"), &big)), "-18014398509481985/2");
        // Python: Fraction(1, 3) + 0.5 == 0.8333333333333333 (a float).
        assert!(matches!(op("+", &r("1/3"), &n(0.5)), Value::Number(x) if x == 0.8333333333333333));
        assert_eq!(err(op("/", &r("1/3"), &r("0"))), "division by zero");
        assert_eq!(err(op("/", &r("1/3"), &n(0.0))), "division by zero");
        // A tiny fraction is not zero, though its double is.
        let tiny = op("/", &r("1"), &r(&format!("1{}", "0".repeat(400))));
        assert_eq!(text(&op("/", &r("1"), &tiny)), format!("1{}", "0".repeat(400)));
        assert_eq!(text(&evaluate(Node::Unary(UnOp::Neg, Box::new(const_node(&r("3/4")))))), "-3/4");
    }

    #[test]
    fn comparisons_are_exact_against_every_number() {
        // Python: Fraction(1, 2) == 0.5, Fraction('0.1') != 0.1, Fraction('0.33') != Fraction(1, 3),
        // Fraction('0.1') < 0.1, Fraction(10**20) == 1e20, Fraction(2**53 + 1) > 2.0**53.
        let is = |v: Value| matches!(v, Value::Bool(true));
        assert!(is(op("==", &r("1/2"), &n(0.5))));
        assert!(is(op("==", &n(0.5), &r(".5"))));
        assert!(is(op("!=", &r("0.1"), &n(0.1))));
        assert!(is(op("!=", &r("0.33"), &r("1/3"))));
        assert!(is(op("==", &r("0.75"), &r("\\frac{3}{4}"))));
        assert!(is(op("==", &r("1,250"), &n(1250.0))));
        assert!(is(op("<", &r("0.1"), &n(0.1))));
        assert!(is(op(">=", &r("1/3"), &r("0.333"))));
        assert!(is(op("==", &r("100000000000000000000"), &n(1e20))));
        let big = BigInt::parse("9007199254740993").unwrap();
        assert!(is(op("==", &r("9007199254740993"), &big)));
        assert!(is(op(">", &r("9007199254740993"), &n(9007199254740992.0))));
        assert!(is(op("<", &big, &r("18014398509481987/2"))));
        assert!(!is(op("==", &r("4"), &s("4"))));
        assert!(is(op("<", &r("-1/2"), &n(f64::INFINITY))));
        assert!(!is(op("<", &r("-1/2"), &n(f64::NAN))));
    }

    #[test]
    fn conversions_match_python() {
        // Python: float(Fraction(1, 3)), str(Fraction('-0.50')), str(Fraction('4.0')).
        assert!(matches!(call("number", vec![r("1/3")]), Value::Number(x) if x == 0.3333333333333333));
        assert_eq!(text(&r("-0.50")), "-1/2");
        assert_eq!(text(&r("4.0")), "4");
        let huge = op("*", &r(&format!("1{}", "0".repeat(300))), &r(&format!("1{}", "0".repeat(300))));
        assert!(err(call("number", vec![huge])).contains("too large for a double"));
        // JSON writes the nearest double (Python: float(Fraction(3, 4)) == 0.75).
        assert_eq!(l(vec![r("3/4"), r("4"), r("1/3")]).json_text(), "[0.75,4,0.3333333333333333]");
        // Python: math.floor(Fraction(-7, 2)) == -4, math.ceil(Fraction(7, 2)) == 4, abs(Fraction(-1, 3)).
        assert!(matches!(call("floor", vec![r("-7/2")]), Value::Number(x) if x == -4.0));
        assert!(matches!(call("ceil", vec![r("7/2")]), Value::Number(x) if x == 4.0));
        assert_eq!(text(&call("abs", vec![r("-1/3")])), "1/3");
        let big_floor = call("floor", vec![r("18014398509481987/2")]);
        assert!(matches!(&big_floor, Value::BigInt(b) if b.as_str() == "9007199254740993"));
        // Python: sum([Fraction(1, 3)] * 3) == 1; max([0.3333333333333333, Fraction(1, 3)]) is the
        // fraction, min([Fraction(1, 3), 0.3333333333333333]) the double.
        assert_eq!(text(&call("sum", vec![l(vec![r("1/3"), r("1/3"), r("1/3")])])), "1");
        assert_eq!(text(&call("max", vec![l(vec![n(0.3333333333333333), r("1/3")])])), "1/3");
        assert_eq!(text(&call("min", vec![l(vec![r("1/3"), n(0.3333333333333333)])])), "0.3333333333333333");
    }

    #[test]
    fn literals_that_never_parse_are_flagged() {
        let validate = lookup("rational").and_then(|b| b.validate).unwrap();
        let (bad, good, digits) = (s("4."), s("-\\frac{3}{4}"), n(2.0));
        let problems = validate(&[Some(&bad), None]);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, Some(Code::NotANumber));
        assert!(validate(&[Some(&good), None]).is_empty());
        assert_eq!(validate(&[Some(&s("123")), Some(&digits)])[0].code, Some(Code::NotANumber));
        assert_eq!(validate(&[None, Some(&n(-1.0))])[0].arg, 1);
    }
}
