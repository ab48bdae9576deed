//! Reading cases: one JSON object per line, in the OpenAI or the Nova shape.
//!
//! Only the parts of a case that the plan reads are built as values: the plan's paths give a
//! [`Projection`] and everything else (chat `messages`, typically most of a line) is skipped while
//! parsing.

use super::json::{self as scan, KeptScratch};
use crate::value::{Map, Str, Value};

/// Which parts of a JSON document to keep.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Projection {
    /// Keep the whole value.
    #[default]
    All,
    /// An object of which only these fields are kept (a non-object is kept whole). The names are
    /// shared with every value built under them.
    Fields(Vec<(Str, Projection)>),
}

impl Projection {
    pub fn none() -> Projection {
        Projection::Fields(Vec::new())
    }

    /// The projection of a case: `id`, `sample` and `item` (so their absence can be reported) plus
    /// everything below the given paths.
    pub fn for_case<'a>(paths: impl IntoIterator<Item = &'a [String]>) -> Projection {
        let mut p = Projection::none();
        p.add(&["id"]);
        p.add_object("sample");
        p.add_object("item");
        for path in paths {
            p.add(&path.iter().map(String::as_str).collect::<Vec<_>>());
        }
        p
    }

    fn child(&mut self, name: &str) -> Option<&mut Projection> {
        let Projection::Fields(fields) = self else { return None };
        let at = match fields.iter().position(|(n, _)| &**n == name) {
            Some(at) => at,
            None => {
                fields.push((Str::new(name), Projection::none()));
                fields.len() - 1
            }
        };
        Some(&mut fields[at].1)
    }

    fn add_object(&mut self, name: &str) {
        self.child(name);
    }

    /// Adds the value at `path` (field names from the root), keeping everything below it.
    pub fn add(&mut self, path: &[&str]) {
        match path.split_first() {
            None => *self = Projection::All,
            Some((first, rest)) => {
                if let Some(child) = self.child(first) {
                    child.add(rest);
                }
            }
        }
    }
}

/// A case line that could not be graded as a case.
#[derive(Clone, Debug, PartialEq)]
pub struct LineError {
    pub id: serde_json::Value,
    pub message: String,
}

/// Parses one line of a cases file (without its `\n`). Tolerates a UTF-8 BOM and a trailing `\r`.
pub fn parse_line(line: &[u8], projection: &Projection, kept: &mut KeptScratch) -> Result<Value, LineError> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    let bad = |message: String| LineError { id: serde_json::Value::Null, message };
    if line.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(bad("blank line".into()));
    }
    // The SIMD check is the fast path; the standard one finds where a bad line goes wrong.
    let text = match simdutf8::basic::from_utf8(line) {
        Ok(text) => text,
        Err(_) => {
            let at = std::str::from_utf8(line).err().map_or(0, |e| e.valid_up_to());
            return Err(bad(format!("not valid UTF-8 (invalid byte at column {})", at + 1)));
        }
    };
    let doc = match scan::parse(text, projection, kept) {
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
    // Only a line that is not a case reports its id here (a graded case's id is written from the doc).
    let id = || map.get("id").map(Value::to_json).unwrap_or(serde_json::Value::Null);
    if !map.contains_key("sample") && !map.contains_key("item") {
        // Not the OpenAI grader shape: perhaps a Nova reward-Lambda sample (the dataset row with the
        // model's reply as its last message). Its parts are all needed, so it is read whole.
        let row = scan::parse(text, &Projection::All, kept).map_err(|e| bad(format!("invalid JSON: {e}")))?;
        return from_nova(&row, kept).ok_or_else(|| LineError {
            id: id(),
            message: "the case has no `sample` and `item` (nor Nova `messages` ending with an assistant reply)".into(),
        });
    }
    for field in ["sample", "item"] {
        match map.get(field) {
            Some(Value::Object(_)) => {}
            Some(other) => {
                return Err(LineError {
                    id: id(),
                    message: format!("`{field}` must be an object, found {}", json_type(other)),
                });
            }
            None => return Err(LineError { id: id(), message: format!("the case has no `{field}`") }),
        }
    }
    Ok(doc)
}

/// A case from a Nova reward-Lambda sample: `{id, messages, reference_answer, ...}` whose last
/// message is the assistant's reply (`reference_answer` may sit under `metadata`). The reply becomes
/// `sample` (`output_text`; `output_json`, its strict JSON parse or null; `output_tools`, its
/// `tool_calls`) and the row without the reply becomes `item`.
pub fn from_nova(row: &Value, kept: &mut KeptScratch) -> Option<Value> {
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
    let output_json = match super::json::parse_strict(&text, kept) {
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
    case.insert("item".into(), Value::Object(item));
    case.insert("sample".into(), Value::Object(sample));
    Some(Value::Object(case))
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) | Value::BigInt(_) => "a number",
        Value::String(_) => "a string",
        Value::List(_) => "an array",
        _ => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_line(line: &[u8], projection: &Projection) -> Result<Value, LineError> {
        parse_line(line, projection, &mut KeptScratch::default())
    }

    fn proj(paths: &[&[&str]]) -> Projection {
        let owned: Vec<Vec<String>> = paths.iter().map(|p| p.iter().map(|s| s.to_string()).collect()).collect();
        Projection::for_case(owned.iter().map(Vec::as_slice))
    }

    #[test]
    fn projection_keeps_only_what_is_read() {
        let p = proj(&[&["sample", "output_text"]]);
        let doc = read_line(
            br#"{"id":"a","sample":{"output_text":"x","other":[1,2]},"item":{"messages":[{"c":"long"}]}}"#,
            &p,
        )
        .unwrap();
        assert_eq!(doc.to_json().to_string(), r#"{"id":"a","item":{},"sample":{"output_text":"x"}}"#);
    }
    #[test]
    fn a_projected_non_object_is_kept_whole() {
        let p = proj(&[&["sample", "output_json", "passages"]]);
        let doc = read_line(br#"{"sample":{"output_json":[1]},"item":{}}"#, &p).unwrap();
        assert_eq!(doc.to_json()["sample"]["output_json"].to_string(), "[1]");
    }
    #[test]
    fn duplicate_keys_keep_the_last() {
        let doc = read_line(br#"{"sample":{"a":1,"a":2},"item":{}}"#, &Projection::All).unwrap();
        assert_eq!(doc.to_json()["sample"]["a"], 2);
    }
    #[test]
    fn bom_and_crlf_are_tolerated() {
        assert!(read_line(b"\xEF\xBB\xBF{\"sample\":{},\"item\":{}}\r", &Projection::All).is_ok());
    }
    #[test]
    fn bad_lines_say_why() {
        let msg = |l: &[u8]| read_line(l, &proj(&[])).unwrap_err().message;
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
        let case = read_line(line, &proj(&[&["sample", "output_json"]])).unwrap().to_json();
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
        let case = read_line(line, &proj(&[])).unwrap().to_json();
        assert_eq!(case["sample"]["output_text"], "Hello world");
        assert_eq!(case["sample"]["output_json"], serde_json::Value::Null);
    }
    #[test]
    fn messages_without_an_assistant_reply_are_not_a_case() {
        let e = read_line(br#"{"id":3,"messages":[{"role":"user","content":"hi"}]}"#, &proj(&[])).unwrap_err();
        assert_eq!(e.id, 3);
        assert!(e.message.contains("Nova `messages`"), "{}", e.message);
    }

    #[test]
    fn the_id_survives_a_data_error() {
        let e = read_line(br#"{"id":7,"item":{}}"#, &proj(&[])).unwrap_err();
        assert_eq!(e.id, 7);
    }
}
