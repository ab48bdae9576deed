//! The `reason` texts of `rubric grade`, end to end: quoted checks read as one line, each value is
//! named once, quotes do not nest, and nothing earns a negative zero.

mod common;
use common::{rubric, stderr, stdout};

/// The criteria of the one case of `tests/fixtures/traces/reasons.jsonl`, by id, and the raw line.
fn graded() -> (serde_json::Value, String) {
    let o =
        rubric(&["grade", "tests/fixtures/traces/reasons.rubric", "--cases", "tests/fixtures/traces/reasons.jsonl"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let line = stdout(&o);
    let result: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    let by_id = result["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_string(), c.clone()))
        .collect::<serde_json::Map<_, _>>();
    (serde_json::Value::Object(by_id), line)
}

fn reason(id: &str) -> String {
    graded().0[id]["reason"].as_str().unwrap_or_default().to_string()
}

#[test]
fn a_multiline_check_is_quoted_on_one_line() {
    assert_eq!(
        reason("f1"),
        "`if precision + recall == 0 then 0 else 2 * precision * recall / (precision + recall)` is 0.5"
    );
}

#[test]
fn null_is_named_once() {
    assert_eq!(reason("verdict"), "`answer.verdict`: expected a bool or number, found null");
}

#[test]
fn a_missing_field_is_not_quoted_twice() {
    assert!(reason("title").ends_with("found nothing (field `title` has no value)"), "{}", reason("title"));
}

#[test]
fn a_long_check_is_cut() {
    let r = reason("greek");
    assert!(r.starts_with("`all(for word in [\"alpha\", \"beta\"") && r.ends_with("…` is false"), "{r}");
    assert!(r.chars().count() < 120, "{r}");
}

#[test]
fn an_unmet_penalty_earns_zero_not_negative_zero() {
    let (criteria, line) = graded();
    assert_eq!(criteria["hedging"]["status"], "unmet");
    assert_eq!(criteria["hedging"]["earned"].as_f64().map(f64::to_bits), Some(0f64.to_bits()));
    assert!(!line.contains("-0.0"), "{line}");
}
