//! Reading cases (one JSON object per line) and writing result lines.
//!
//! Only the parts of a case that the plan reads are built as values: the plan's paths give a
//! [`Projection`] and everything else (chat `messages`, typically most of a line) is skipped while
//! parsing.

use std::collections::BTreeMap;
use std::fmt;

use std::sync::Arc;

use serde::Serialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{CriterionResult, Outcome};
use crate::value::{Map, Value};

/// Which parts of a JSON document to keep.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Projection {
    /// Keep the whole value.
    #[default]
    All,
    /// An object of which only these fields are kept (a non-object is kept whole).
    Fields(BTreeMap<String, Projection>),
}

impl Projection {
    pub fn none() -> Projection {
        Projection::Fields(BTreeMap::new())
    }

    /// The projection of a case: `id`, `sample` and `item` (so their absence can be reported) plus
    /// everything below the given paths.
    pub fn for_case<'a>(paths: impl IntoIterator<Item = &'a [String]>) -> Projection {
        let mut p = Projection::none();
        p.add(&["id"]);
        if let Projection::Fields(f) = &mut p {
            f.insert("sample".into(), Projection::none());
            f.insert("item".into(), Projection::none());
        }
        for path in paths {
            p.add(&path.iter().map(String::as_str).collect::<Vec<_>>());
        }
        p
    }

    /// Adds the value at `path` (field names from the root), keeping everything below it.
    pub fn add(&mut self, path: &[&str]) {
        let Some((first, rest)) = path.split_first() else {
            *self = Projection::All;
            return;
        };
        if let Projection::Fields(fields) = self {
            let child = fields.entry(first.to_string()).or_insert_with(Projection::none);
            child.add(rest);
        }
    }
}

/// Deserializes a value straight into a [`Value`], keeping only what a projection selects.
struct Projected<'p>(&'p Projection);

impl<'de> DeserializeSeed<'de> for Projected<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        match self.0 {
            Projection::All => d.deserialize_any(ValueVisitor(None)),
            Projection::Fields(fields) => d.deserialize_any(ValueVisitor(Some(fields))),
        }
    }
}

/// Builds values; inside a projected object only the selected fields are kept (a projected position
/// that is not an object is kept whole).
struct ValueVisitor<'p>(Option<&'p BTreeMap<String, Projection>>);

impl<'de> Visitor<'de> for ValueVisitor<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let projection = match self.0 {
                None => &Projection::All,
                Some(fields) => match fields.get(key.as_ref()) {
                    Some(p) => p,
                    None => {
                        map.next_value::<IgnoredAny>()?;
                        continue;
                    }
                },
            };
            let v = map.next_value_seed(Projected(projection))?;
            out.insert(Arc::from(key.as_ref()), v); // duplicate keys: the last one wins, as in Python's json
        }
        Ok(Value::Object(Arc::new(out)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(v) = seq.next_element_seed(Projected(&Projection::All))? {
            out.push(v);
        }
        Ok(Value::list(out))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Number(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(Arc::from(v)))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

/// A case line that could not be graded as a case.
#[derive(Clone, Debug, PartialEq)]
pub struct LineError {
    pub id: serde_json::Value,
    pub message: String,
}

/// Parses one line of a cases file (without its `\n`). Tolerates a UTF-8 BOM and a trailing `\r`.
pub fn parse_line(line: &[u8], projection: &Projection) -> Result<Value, LineError> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    let bad = |message: String| LineError { id: serde_json::Value::Null, message };
    if line.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(bad("blank line".into()));
    }
    if let Err(e) = std::str::from_utf8(line) {
        return Err(bad(format!("not valid UTF-8 (invalid byte at column {})", e.valid_up_to() + 1)));
    }
    let mut de = serde_json::Deserializer::from_slice(line);
    let doc = Projected(projection).deserialize(&mut de).and_then(|v| de.end().map(|_| v));
    let doc = match doc {
        Ok(d) => d,
        Err(e) => return Err(bad(format!("invalid JSON: {e}"))),
    };
    let Value::Object(map) = &doc else {
        return Err(bad(format!("a case must be a JSON object, found {}", json_type(&doc))));
    };
    let id = map.get("id").map(Value::to_json).unwrap_or(serde_json::Value::Null);
    for field in ["sample", "item"] {
        match map.get(field) {
            Some(Value::Object(_)) => {}
            Some(other) => {
                return Err(LineError {
                    id,
                    message: format!("`{field}` must be an object, found {}", json_type(other)),
                });
            }
            None => return Err(LineError { id, message: format!("the case has no `{field}`") }),
        }
    }
    Ok(doc)
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::List(_) => "an array",
        _ => "an object",
    }
}

/// One output line.
#[derive(Serialize)]
struct ResultLine<'a> {
    id: &'a serde_json::Value,
    score: f64,
    criteria: &'a [CriterionResult],
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
}

/// The result line of a graded case (1-based `line` is reported when there is an error).
pub fn result_line(id: &serde_json::Value, line: usize, outcome: &Outcome) -> String {
    let r = ResultLine {
        id,
        score: outcome.score,
        criteria: &outcome.criteria,
        error: outcome.error.as_deref(),
        line: outcome.error.as_ref().map(|_| line),
    };
    serde_json::to_string(&r).expect("results serialise")
}

/// The result line of a line that could not be read as a case.
pub fn error_line(err: &LineError, line: usize, on_error: f64) -> String {
    let message = format!("line {line}: {}", err.message);
    let r = ResultLine { id: &err.id, score: on_error, criteria: &[], error: Some(&message), line: Some(line) };
    serde_json::to_string(&r).expect("results serialise")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proj(paths: &[&[&str]]) -> Projection {
        let owned: Vec<Vec<String>> = paths.iter().map(|p| p.iter().map(|s| s.to_string()).collect()).collect();
        Projection::for_case(owned.iter().map(Vec::as_slice))
    }

    #[test]
    fn projection_keeps_only_what_is_read() {
        let p = proj(&[&["sample", "output_text"]]);
        let doc = parse_line(
            br#"{"id":"a","sample":{"output_text":"x","other":[1,2]},"item":{"messages":[{"c":"long"}]}}"#,
            &p,
        )
        .unwrap();
        assert_eq!(doc.to_json().to_string(), r#"{"id":"a","item":{},"sample":{"output_text":"x"}}"#);
    }
    #[test]
    fn a_projected_non_object_is_kept_whole() {
        let p = proj(&[&["sample", "output_json", "passages"]]);
        let doc = parse_line(br#"{"sample":{"output_json":[1]},"item":{}}"#, &p).unwrap();
        assert_eq!(doc.to_json()["sample"]["output_json"].to_string(), "[1]");
    }
    #[test]
    fn duplicate_keys_keep_the_last() {
        let doc = parse_line(br#"{"sample":{"a":1,"a":2},"item":{}}"#, &Projection::All).unwrap();
        assert_eq!(doc.to_json()["sample"]["a"], 2);
    }
    #[test]
    fn bom_and_crlf_are_tolerated() {
        assert!(parse_line(b"\xEF\xBB\xBF{\"sample\":{},\"item\":{}}\r", &Projection::All).is_ok());
    }
    #[test]
    fn bad_lines_say_why() {
        let msg = |l: &[u8]| parse_line(l, &proj(&[])).unwrap_err().message;
        assert_eq!(msg(b"  "), "blank line");
        assert!(msg(b"{\"a\":").starts_with("invalid JSON"));
        assert_eq!(msg(b"[1]"), "a case must be a JSON object, found an array");
        assert_eq!(msg(b"{\"item\":{}}"), "the case has no `sample`");
        assert_eq!(msg(b"{\"sample\":1,\"item\":{}}"), "`sample` must be an object, found a number");
        assert!(msg(b"{\"a\":\"\xff\"}").starts_with("not valid UTF-8"));
    }
    #[test]
    fn the_id_survives_a_data_error() {
        let e = parse_line(br#"{"id":7,"item":{}}"#, &proj(&[])).unwrap_err();
        assert_eq!(e.id, 7);
    }
}
