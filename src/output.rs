//! Writing result lines: `{"id", "score", "criteria", "error"}`, one per input line.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use serde::Serialize;

use crate::eval::{CriterionResult, Outcome, Status};
use crate::input::case::LineError;
use crate::value::Value;

/// Writes result lines: `{"id", "score", "criteria", "error"}` plus `line` when there is an error.
/// The bytes are what serde_json writes for the same values; a criterion's `"id":..,"label":..` is
/// rendered once and reused for the next cases (graders repeat the same criteria on every line).
#[derive(Default)]
pub struct ResultWriter {
    /// Keyed by the addresses of a criterion's id and label, which the entry keeps alive (so an
    /// address cannot be reused by another string while it is cached).
    heads: HashMap<(usize, usize, u64), CriterionHead, BuildHasherDefault<AddressHasher>>,
    /// Rendered reasons, keyed by address like `heads`.
    reasons: HashMap<usize, (Arc<str>, Vec<u8>), BuildHasherDefault<AddressHasher>>,
}

/// Hashes the address pairs that key [`ResultWriter`]'s cache (SipHash would cost more than the
/// rendering it saves).
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A criterion's id, label and weight rendered as `{"id":..,"label":..,"weight":W`.
struct CriterionHead {
    id: Arc<str>,
    label: Option<Arc<str>>,
    rendered: Vec<u8>,
    /// Where `W` starts in `rendered`.
    weight_at: usize,
}

impl ResultWriter {
    /// The result line of a graded case (1-based `line` is reported when there is an error), with its `\n`.
    pub fn result(&mut self, out: &mut Vec<u8>, id: &Value, line: usize, outcome: &Outcome) {
        out.extend_from_slice(b"{\"id\":");
        write_id(out, id);
        out.extend_from_slice(b",\"score\":");
        write_f64(out, outcome.score);
        out.extend_from_slice(b",\"criteria\":[");
        for (i, c) in outcome.criteria.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            self.criterion(out, c);
        }
        out.extend_from_slice(b"],\"error\":");
        match &outcome.error {
            Some(e) => {
                write_str(out, e);
                out.extend_from_slice(b",\"line\":");
                out.extend_from_slice(line.to_string().as_bytes());
            }
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b"}\n");
    }

    /// The result line of a line that could not be read as a case, with its `\n`.
    pub fn error(&mut self, out: &mut Vec<u8>, err: &LineError, line: usize, on_error: f64) {
        out.extend_from_slice(b"{\"id\":");
        write_serde(out, &err.id);
        out.extend_from_slice(b",\"score\":");
        write_f64(out, on_error);
        out.extend_from_slice(b",\"criteria\":[],\"error\":");
        write_str(out, &line_error_message(err, line));
        out.extend_from_slice(format!(",\"line\":{line}}}\n").as_bytes());
    }

    fn criterion(&mut self, out: &mut Vec<u8>, c: &CriterionResult) {
        const CAPACITY: usize = 4096;
        let address = |s: &Arc<str>| Arc::as_ptr(s).cast::<u8>() as usize;
        let key = (address(&c.id), c.label.as_ref().map_or(0, address), c.weight.to_bits());
        let cached = self.heads.get(&key).filter(|head| {
            Arc::ptr_eq(&head.id, &c.id) && head.label.as_ref().map(address) == c.label.as_ref().map(address)
        });
        let head = match cached {
            Some(head) => head,
            None => {
                let mut rendered = b"{\"id\":".to_vec();
                write_str(&mut rendered, &c.id);
                rendered.extend_from_slice(b",\"label\":");
                match &c.label {
                    Some(l) => write_str(&mut rendered, l),
                    None => rendered.extend_from_slice(b"null"),
                }
                rendered.extend_from_slice(b",\"weight\":");
                let weight_at = rendered.len();
                write_f64(&mut rendered, c.weight);
                if self.heads.len() >= CAPACITY {
                    self.heads.clear();
                }
                let head = CriterionHead { id: c.id.clone(), label: c.label.clone(), rendered, weight_at };
                self.heads.entry(key).insert_entry(head).into_mut()
            }
        };
        out.extend_from_slice(&head.rendered);
        out.extend_from_slice(b",\"earned\":");
        // Most criteria earn all their weight or nothing.
        if c.earned.to_bits() == c.weight.to_bits() {
            out.extend_from_slice(&head.rendered[head.weight_at..]);
        } else if c.earned.to_bits() == 0 {
            out.extend_from_slice(b"0.0");
        } else {
            write_f64(out, c.earned);
        }
        out.extend_from_slice(match c.status {
            Status::Met => b",\"status\":\"met\"",
            Status::Unmet => b",\"status\":\"unmet\"",
            Status::Error => b",\"status\":\"error\"",
            Status::Skipped => b",\"status\":\"skipped\"",
        });
        if let Some(reason) = &c.reason {
            out.extend_from_slice(b",\"reason\":");
            self.reason(out, reason);
        }
        if !c.evidence.is_empty() {
            out.extend_from_slice(b",\"evidence\":");
            write_serde(out, &c.evidence);
        }
        out.push(b'}');
    }

    /// A reason as JSON. Reasons shared with the plan (such as "`CHECK` is false") are rendered
    /// once; one made for this case alone is rendered directly.
    fn reason(&mut self, out: &mut Vec<u8>, reason: &Arc<str>) {
        const CAPACITY: usize = 4096;
        if Arc::strong_count(reason) == 1 {
            return write_str(out, reason);
        }
        let key = Arc::as_ptr(reason).cast::<u8>() as usize;
        match self.reasons.get(&key).filter(|(known, _)| Arc::ptr_eq(known, reason)) {
            Some((_, rendered)) => out.extend_from_slice(rendered),
            None => {
                let mut rendered = Vec::new();
                write_str(&mut rendered, reason);
                out.extend_from_slice(&rendered);
                if self.reasons.len() >= CAPACITY {
                    self.reasons.clear();
                }
                self.reasons.insert(key, (reason.clone(), rendered));
            }
        }
    }
}

fn write_serde<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    // Writing to a Vec cannot fail, and these values (strings, numbers, JSON) always serialise.
    let _ = serde_json::to_writer(out, value);
}

/// A case id as JSON (an integer id exactly); the usual string id without the detour.
fn write_id(out: &mut Vec<u8>, id: &Value) {
    match id {
        Value::String(s) => write_str(out, s),
        other => other.write_json(out),
    }
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    write_serde(out, s);
}

/// As serde_json writes an `f64` (`null` when not finite).
fn write_f64(out: &mut Vec<u8>, n: f64) {
    write_serde(out, &n);
}

/// The result line of a graded case, without its `\n` (1-based `line` is reported when there is an error).
pub fn result_line(id: &Value, line: usize, outcome: &Outcome) -> String {
    let mut out = Vec::new();
    ResultWriter::default().result(&mut out, id, line, outcome);
    out.pop();
    String::from_utf8(out).unwrap_or_default()
}

/// The `error` of the result line of a line that could not be read as a case.
pub fn line_error_message(err: &LineError, line: usize) -> String {
    format!("line {line}: {}", err.message)
}

/// The result line of a line that could not be read as a case, without its `\n`.
pub fn error_line(err: &LineError, line: usize, on_error: f64) -> String {
    let mut out = Vec::new();
    ResultWriter::default().error(&mut out, err, line, on_error);
    out.pop();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writer_renders_criteria_as_serde_does_on_first_and_cached_use() {
        let shared: Arc<str> = Arc::from("`x == 1` is false");
        let keep = shared.clone(); // held by the plan in real use
        let criterion = |weight: f64, earned: f64, reason: Option<Arc<str>>| CriterionResult {
            id: Arc::from("c\"1"),
            label: Some(Arc::from("label → \u{1}")),
            weight,
            earned,
            status: Status::Unmet,
            reason,
            evidence: Vec::new(),
        };
        let cases = [
            criterion(0.1, 0.1, None),
            criterion(0.1, 0.0, Some(shared.clone())),
            criterion(0.1, -0.0, Some(Arc::from("made for this case"))),
            criterion(0.3, 0.7000000000000001, None),
            criterion(1e-7, 1e21, Some(shared)),
        ];
        let mut writer = ResultWriter::default();
        for _ in 0..2 {
            for c in &cases {
                let mut out = Vec::new();
                writer.criterion(&mut out, c);
                assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(c).unwrap());
            }
        }
        drop(keep);
    }
}
