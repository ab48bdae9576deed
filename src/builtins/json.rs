//! JSON builtins: strict parsing (Python `json.loads` without NaN/Infinity) and JSON equality.

use super::{Builtin, Ctx, req};
use crate::input::json::parse_strict;
use crate::value::{Ty, Value};

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "json_parse",
        doc: "Parses strict JSON text (surrounding whitespace allowed; NaN, Infinity, trailing commas, comments and a BOM are rejected; a duplicated key keeps its last value). Invalid text is an error.",
        params: &[req("text", Ty::STRING)],
        returns: Ty::JSON,
        eval: json_parse,
        validate: None,
    },
    Builtin {
        name: "json_matches",
        doc: "True when `text` is a string holding strict JSON equal to `expected` (JSON equality: numbers by value, `true != 1`, objects by key set); false when it is not a string or does not parse.",
        params: &[req("text", Ty::DATA), req("expected", Ty::ANY)],
        returns: Ty::BOOL,
        eval: json_matches,
        validate: None,
    },
    Builtin {
        name: "json_equal",
        doc: "JSON equality, the same as `==`: numbers by value (`1 == 1.0`), booleans only equal booleans, strings by code point, lists in order, objects by key set and values.",
        params: &[req("a", Ty::DATA), req("b", Ty::DATA)],
        returns: Ty::BOOL,
        eval: |a, _| Value::Bool(a[0].json_eq(&a[1])),
        validate: None,
    },
];

fn json_parse(a: &[Value], ctx: &mut Ctx) -> Value {
    let text = a[0].as_str().unwrap_or("");
    match parse_strict(text, &mut ctx.reader) {
        Ok(v) => v,
        Err(e) => Value::error(format!("`json_parse`: invalid JSON: {e}")),
    }
}

fn json_matches(a: &[Value], ctx: &mut Ctx) -> Value {
    match &a[0] {
        Value::String(s) => Value::Bool(parse_strict(s, &mut ctx.reader).is_ok_and(|v| v.json_eq(&a[1]))),
        _ => Value::Bool(false),
    }
}

#[cfg(test)]
mod tests {
    use crate::builtins::testing::{call, n, s};
    use crate::value::Value;

    fn obj(j: serde_json::Value) -> Value {
        Value::from_json(&j)
    }

    #[test]
    fn parses_with_surrounding_whitespace() {
        assert_eq!(call("json_parse", vec![s(" {\"a\": 1}\n")]).short(20), "{\"a\":1}");
    }
    #[test]
    fn rejects_nan_and_bom() {
        assert!(call("json_parse", vec![s("NaN")]).is_error());
        assert!(call("json_parse", vec![s("\u{feff}{}")]).is_error());
    }
    #[test]
    fn errors_say_where() {
        let e = call("json_parse", vec![s("{\"a\": tru}")]);
        assert!(
            matches!(&e, Value::Error(f) if f.message == "`json_parse`: invalid JSON: expected a value at column 7"),
            "{e:?}"
        );
    }
    #[test]
    fn duplicate_keys_keep_the_last() {
        assert_eq!(call("json_parse", vec![s("{\"a\":1,\"a\":2}")]).short(20), "{\"a\":2}");
    }
    #[test]
    fn matches_compares_by_json_equality() {
        let want = obj(serde_json::json!({"x": 2, "y": [true]}));
        assert_eq!(call("json_matches", vec![s("{\"y\":[true],\"x\":2.0}"), want.clone()]).as_bool(), Some(true));
        assert_eq!(call("json_matches", vec![s("{\"y\":[1],\"x\":2}"), want.clone()]).as_bool(), Some(false));
        assert_eq!(
            call("json_matches", vec![obj(serde_json::json!({"x": 2, "y": [true]})), want.clone()]).as_bool(),
            Some(false)
        );
        assert_eq!(call("json_matches", vec![s("{bad"), want]).as_bool(), Some(false));
    }
    #[test]
    fn equal_distinguishes_bools_from_numbers() {
        assert_eq!(call("json_equal", vec![Value::Bool(true), n(1.0)]).as_bool(), Some(false));
        assert_eq!(call("json_equal", vec![n(2.0), n(2.0)]).as_bool(), Some(true));
    }
}
