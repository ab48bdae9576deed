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
        let hint = if matches!(doc, Value::List(_)) {
            " (a batch of samples goes one per line, e.g. `jq -c '.[]'`)"
        } else {
            ""
        };
        return Err(bad(format!("a case must be a JSON object, found {}{hint}", json_type(&doc))));
    };
    let id = map.get("id").map(Value::to_json).unwrap_or(serde_json::Value::Null);
    if !map.contains_key("sample") && !map.contains_key("item") {
        // Not the OpenAI grader shape: perhaps a Nova reward-Lambda sample (the dataset row with the
        // model's reply as its last message). Its parts are all needed, so it is read whole.
        let mut de = serde_json::Deserializer::from_slice(line);
        let row = Projected(&Projection::All).deserialize(&mut de).map_err(|e| bad(format!("invalid JSON: {e}")))?;
        return from_nova(&row).ok_or_else(|| LineError {
            id,
            message: "the case has no `sample` and `item` (nor Nova `messages` ending with an assistant reply)".into(),
        });
    }
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

/// A case from a Nova reward-Lambda sample: `{id, messages, reference_answer, ...}` whose last
/// message is the assistant's reply (`reference_answer` may sit under `metadata`). The reply becomes
/// `sample` (`output_text`; `output_json`, its strict JSON parse or null; `output_tools`, its
/// `tool_calls`) and the row without the reply becomes `item`.
pub fn from_nova(row: &Value) -> Option<Value> {
    let row = row.as_object()?;
    let messages = row.get("messages")?.as_list()?;
    let (reply, earlier) = messages.split_last()?;
    let reply = reply.as_object()?;
    if reply.get("role")?.as_str()? != "assistant" {
        return None;
    }
    let text = match reply.get("content") {
        Some(Value::String(s)) => s.to_string(),
        // Content parts: the text of every `{type: "text", text}` part, in order.
        Some(Value::List(parts)) => parts
            .iter()
            .filter_map(|p| p.as_object()?.get("text")?.as_str().map(str::to_string))
            .collect::<Vec<_>>()
            .join(""),
        _ => String::new(),
    };
    let output_json = match crate::builtins::json::parse_strict(&text) {
        Ok(v) => v,
        Err(_) => Value::Null,
    };
    let output_tools = match reply.get("tool_calls") {
        Some(calls @ Value::List(_)) => calls.clone(),
        _ => Value::list(Vec::new()),
    };
    let mut item = row.clone();
    item.insert("messages".into(), Value::list(earlier.to_vec()));
    if !item.contains_key("reference_answer")
        && let Some(reference) = row.get("metadata").and_then(|m| m.as_object()?.get("reference_answer"))
    {
        item.insert("reference_answer".into(), reference.clone());
    }
    let mut sample = Map::new();
    sample.insert("output_text".into(), Value::str(&text));
    sample.insert("output_json".into(), output_json);
    sample.insert("output_tools".into(), output_tools);
    let mut case = Map::new();
    case.insert("id".into(), row.get("id").cloned().unwrap_or(Value::Null));
    case.insert("item".into(), Value::Object(Arc::new(item)));
    case.insert("sample".into(), Value::Object(Arc::new(sample)));
    Some(Value::Object(Arc::new(case)))
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
        assert!(msg(b"[1]").starts_with("a case must be a JSON object, found an array"));
        assert_eq!(msg(b"{\"item\":{}}"), "the case has no `sample`");
        assert!(msg(b"[{}]").contains("one per line"));
        assert_eq!(msg(b"{\"sample\":1,\"item\":{}}"), "`sample` must be an object, found a number");
        assert!(msg(b"{\"a\":\"\xff\"}").starts_with("not valid UTF-8"));
    }
    #[test]
    fn a_nova_sample_becomes_a_case() {
        let line = br#"{"id":"n1","messages":[{"role":"user","content":"2+2?"},{"role":"assistant","content":"{\"answer\": 4}","tool_calls":[{"type":"function","function":{"name":"f","arguments":"{}"}}]}],"metadata":{"reference_answer":{"answer":4}}}"#;
        let case = parse_line(line, &proj(&[&["sample", "output_json"]])).unwrap().to_json();
        assert_eq!(case["id"], "n1");
        assert_eq!(case["sample"]["output_text"], "{\"answer\": 4}");
        assert_eq!(case["sample"]["output_json"]["answer"], 4);
        assert_eq!(case["sample"]["output_tools"][0]["function"]["name"], "f");
        assert_eq!(case["item"]["reference_answer"]["answer"], 4);
        assert_eq!(case["item"]["messages"].as_array().unwrap().len(), 1);
    }
    #[test]
    fn a_nova_reply_in_parts_is_joined_and_prose_is_not_json() {
        let line = br#"{"messages":[{"role":"assistant","content":[{"type":"text","text":"Hello "},{"type":"text","text":"world"}]}],"reference_answer":{}}"#;
        let case = parse_line(line, &proj(&[])).unwrap().to_json();
        assert_eq!(case["sample"]["output_text"], "Hello world");
        assert_eq!(case["sample"]["output_json"], serde_json::Value::Null);
    }
    #[test]
    fn messages_without_an_assistant_reply_are_not_a_case() {
        let e = parse_line(br#"{"id":3,"messages":[{"role":"user","content":"hi"}]}"#, &proj(&[])).unwrap_err();
        assert_eq!(e.id, 3);
        assert!(e.message.contains("Nova `messages`"), "{}", e.message);
    }

    #[test]
    fn the_id_survives_a_data_error() {
        let e = parse_line(br#"{"id":7,"item":{}}"#, &proj(&[])).unwrap_err();
        assert_eq!(e.id, 7);
    }
}
