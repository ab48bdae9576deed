//! Reading JSON text as Python's `json.loads(text, parse_float=str)` does: integers stay numbers,
//! every number written with a fraction or an exponent (a Python `float`, even `1.0`) becomes its
//! text. Values read from a case hold `1` and `1.0` as the same number, so this is how a rubric
//! tells a Python `int` from a `float` (an index must be an int).

use std::borrow::Cow;

use super::{Builtin, Ctx, req};
use crate::input::json::parse_strict;
use crate::value::{Ty, Value};

pub const BUILTINS: &[Builtin] = &[Builtin {
    name: "json_parse_floats_as_text",
    doc: "Parses strict JSON text like `json_parse`, except that a number written with a fraction or an exponent (`1.0`, `2.5`, `1e2`: a `float` for Python's `json.loads`) becomes a string holding its text, as `json.loads(text, parse_float=str)`; integers (`1`, `-0`, `12345678901234567890`) stay numbers. So `x is number` holds exactly for Python's `int`s, which a case's parsed values cannot tell (there `1 == 1.0`). Invalid text is an error.",
    params: &[req("text", Ty::STRING)],
    returns: Ty::JSON,
    eval: json_parse_floats_as_text,
    validate: None,
}];

fn json_parse_floats_as_text(a: &[Value], ctx: &mut Ctx) -> Value {
    let text = a[0].as_str().unwrap_or("");
    match parse_strict(&quote_floats(text), &mut ctx.reader) {
        Ok(v) => v,
        Err(e) => Value::error(format!("`json_parse_floats_as_text`: invalid JSON: {e}")),
    }
}

/// The text with every float literal outside strings put in quotes. Only a token that is a valid
/// JSON number is quoted, and a valid number and a string are valid in the same places, so the
/// text parses exactly when it did before (`1.` or `01.5` stay as they are and stay invalid).
fn quote_floats(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => i += 2,
                        b'"' => {
                            i += 1;
                            break;
                        }
                        _ => i += 1,
                    }
                }
            }
            b if is_token_byte(b) => {
                let start = i;
                while i < bytes.len() && is_token_byte(bytes[i]) {
                    i += 1;
                }
                if is_float_literal(&bytes[start..i]) {
                    out.push_str(&text[copied..start]);
                    out.push('"');
                    out.push_str(&text[start..i]);
                    out.push('"');
                    copied = i;
                }
            }
            _ => i += 1,
        }
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// The bytes of a bare token: numbers and the literals `true`, `false`, `null` (and junk such as
/// `NaN`, kept whole so that no part of it is taken for a number).
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.')
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` with a fraction or an exponent.
fn is_float_literal(token: &[u8]) -> bool {
    let digits =
        |from: usize| from + token.get(from..).unwrap_or_default().iter().take_while(|d| d.is_ascii_digit()).count();
    let mut i = usize::from(token.first() == Some(&b'-'));
    let end = digits(i);
    if end == i || (token[i] == b'0' && end > i + 1) {
        return false;
    }
    i = end;
    let mut float = false;
    if token.get(i) == Some(&b'.') {
        let end = digits(i + 1);
        if end == i + 1 {
            return false;
        }
        i = end;
        float = true;
    }
    if matches!(token.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(token.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let end = digits(i);
        if end == i {
            return false;
        }
        i = end;
        float = true;
    }
    float && i == token.len()
}

#[cfg(test)]
mod tests {
    use super::{is_float_literal, quote_floats};
    use crate::builtins::testing::{call, err, s};

    fn parsed(text: &str) -> String {
        call("json_parse_floats_as_text", vec![s(text)]).short(200)
    }

    // Expected values from Python 3.11: json.dumps(json.loads(text, parse_float=str)).
    #[test]
    fn floats_become_their_text_and_integers_stay_numbers() {
        // json.loads('[1, 1.0, 1e2, -0, 2.50, -1.5E-3]', parse_float=str) == [1, '1.0', '1e2', 0, '2.50', '-1.5E-3']
        assert_eq!(parsed("[1, 1.0, 1e2, -0, 2.50, -1.5E-3]"), r#"[1,"1.0","1e2",0,"2.50","-1.5E-3"]"#);
        assert_eq!(parsed(r#"{"c": [[0, 1.0]], "n": 7}"#), r#"{"c":[[0,"1.0"]],"n":7}"#);
        assert_eq!(parsed("12345678901234567890"), "12345678901234567890");
        // beyond the double range: still only its text ('1e400')
        assert_eq!(parsed("1e400"), r#""1e400""#);
    }

    #[test]
    fn strings_and_literals_are_left_alone() {
        assert_eq!(parsed(r#"["1.5", "a\"2.5", true, null, false]"#), r#"["1.5","a\"2.5",true,null,false]"#);
        assert_eq!(parsed(r#"{"e1.5": 1}"#), r#"{"e1.5":1}"#);
    }

    #[test]
    fn invalid_text_stays_invalid() {
        // json.loads raises on each of these (NaN: strict JSON, as case lines are read)
        for text in ["1.", "01.5", ".5", "1.5.2", "[1.5-2]", "NaN", "1e", "-", "1.0 2.0", "[1.0,]", "\u{feff}1.0"] {
            assert!(err(call("json_parse_floats_as_text", vec![s(text)])).contains("invalid JSON"), "{text}");
        }
    }

    #[test]
    fn only_number_tokens_with_a_fraction_or_exponent_are_floats() {
        for token in ["1.0", "-0.0", "0e0", "1E+2", "10.25e-3"] {
            assert!(is_float_literal(token.as_bytes()), "{token}");
        }
        for token in ["1", "-0", "01.0", "1.", ".1", "1e", "1e+", "--1", "1.0x", "true", "", "-"] {
            assert!(!is_float_literal(token.as_bytes()), "{token}");
        }
        assert!(matches!(quote_floats("[1, 2]"), std::borrow::Cow::Borrowed(_)));
    }
}
