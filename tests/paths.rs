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

#[test]
fn absolute_reference_in_a_nested_filter_is_read() {
    let case = r#"{"item":{"wanted":"x"},"sample":{"output_json":{"groups":[{"tags":["x","y"]},{"tags":["z"]},{"tags":["x"]}]}}}"#;
    let body = "score len(sample.output_json.groups[?@.tags[?@ == $.item.wanted]])";
    assert_eq!(score("abs-nested", body, case), 2.0);
}

// RFC 9535 allows blanks between segments, not between a dot and its name.
#[test]
fn blanks_may_separate_path_segments() {
    let case = r#"{"item":{},"sample":{"output_json":{"a":[{"b":1},{"b":2}]}}}"#;
    assert_eq!(score("blanks", "score sample.output_json.a [1]\n    .b", case), 2.0);
    assert_eq!(score("blanks-wildcard", "score sum(sample.output_json.a [*] .b)", case), 3.0);
}

#[test]
fn a_blank_after_a_path_dot_is_an_error_where_it_is() {
    let dir = Scratch::new("dot-blank");
    let source = dir.join("r.rubric");
    std::fs::write(&source, "rubric r {\n  score len(sample.xs. b)\n}\n").unwrap();
    let o = rubric(&["check", "--format", "github", source.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains(",line=2,col=24,"), "{}", stdout(&o));
}

#[test]
fn an_ill_typed_function_in_a_filter_is_a_located_path_error() {
    let dir = Scratch::new("fn-type");
    let source = dir.join("r.rubric");
    std::fs::write(&source, "rubric r {\n  score len(sample.xs[?length(@.*) < 3])\n}\n").unwrap();
    let o = rubric(&["check", "--format", "github", source.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains(",line=2,col=31,title=rubric::bad_path::"), "{out}");
    assert!(out.contains("`length()` takes a value"), "{out}");
}
