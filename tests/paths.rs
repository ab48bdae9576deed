//! JSONPath in rubrics, end to end: what a path reads, and what `$` means inside a filter.

mod common;
use common::{Scratch, rubric, stderr, stdout};

/// Grades one case with a rubric whose body is `body`, through the binary; returns the result line.
fn grade(name: &str, body: &str, case: &str) -> serde_json::Value {
    let dir = Scratch::new(name);
    let source = dir.join("r.rubric");
    let cases = dir.join("cases.jsonl");
    std::fs::write(&source, format!("rubric r {{\n  {body}\n}}\n")).unwrap();
    std::fs::write(&cases, case).unwrap();
    let o = rubric(&["grade", source.to_str().unwrap(), "--cases", cases.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    serde_json::from_str(stdout(&o).trim()).unwrap()
}

fn score(name: &str, body: &str, case: &str) -> f64 {
    let r = grade(name, body, case);
    assert!(r["error"].is_null(), "{r}");
    r["score"].as_f64().unwrap()
}

const TARGET_CASE: &str = r#"{"id":"c1","item":{"target_id":3,"pattern":"b.*","n":2},"sample":{"output_json":{"items":[{"id":3,"name":"bob","tags":[1,2]},{"id":4,"name":"al","tags":[1]},{"id":3,"name":"ann","tags":[]}]}}}"#;

// `$` inside a filter is the whole case (`sample.x` is the query `$.sample.x` on the case), and what it
// references is read even when nothing else in the rubric reads it.
#[test]
fn absolute_reference_in_a_filter_is_read() {
    let body = "score len(sample.output_json.items[?@.id == $.item.target_id])";
    assert_eq!(score("abs-filter", body, TARGET_CASE), 2.0);
}

#[test]
fn absolute_reference_in_a_function_argument_is_read() {
    let body = "score len(sample.output_json.items[?match(@.name, $.item.pattern)])";
    assert_eq!(score("abs-function", body, TARGET_CASE), 1.0);
    let body = "score len(sample.output_json.items[?length(@.tags) == $.item.n])";
    assert_eq!(score("abs-length", body, TARGET_CASE), 1.0);
}

#[test]
fn descendant_reference_in_a_filter_reads_the_whole_case() {
    let body = "score len(sample.output_json.items[?@.id == value($..target_id)])";
    assert_eq!(score("abs-descendant", body, TARGET_CASE), 2.0);
}

#[test]
fn absolute_reference_under_a_descendant_segment_is_read() {
    let body = "score len(sample..[?@.id == $.item.target_id])";
    assert_eq!(score("abs-under-descendant", body, TARGET_CASE), 2.0);
}
