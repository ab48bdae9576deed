//! Numbers as Python's `json` and `==` see them, through the `rubric` binary: integers beyond 2^53
//! stay exact, `1e400` is infinite, a lone surrogate is U+FFFD, `round` takes negative digits.

use std::io::Write;
use std::process::{Command, Stdio};

mod common;
use common::{Scratch, rubric, stderr, stdout};

/// Grades `cases` (JSONL) with a rubric whose body is `body`; returns the result lines.
fn grade(body: &str, cases: &str) -> Vec<String> {
    let dir = Scratch::new(&format!("numbers-{:x}", fxhash(body) ^ fxhash(cases)));
    let file = dir.join("t.rubric");
    std::fs::write(&file, format!("rubric t \"numbers\" {{\n{body}\n}}\n")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rubric"))
        .args(["grade", file.to_str().unwrap(), "--cases", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(cases.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(matches!(o.status.code(), Some(0 | 3)), "{}", stderr(&o));
    stdout(&o).lines().map(str::to_string).collect()
}

fn fxhash(s: &str) -> u64 {
    s.bytes().fold(0u64, |h, b| (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95))
}

/// Whether `condition` holds on a case whose sample is `sample` (a JSON object).
fn holds(condition: &str, sample: &str) -> bool {
    let lines =
        grade(&format!("score if {condition} then 1 else 0"), &format!(r#"{{"id":1,"item":{{}},"sample":{sample}}}"#));
    let result: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    assert!(result["error"].is_null(), "{condition}: {result}");
    result["score"] == 1.0
}

const IDS: &str = r#"{"a":9007199254740993,"b":9007199254740992,"c":123456789012345678,"t":100000000000000000000}"#;

#[test]
fn integers_beyond_two_to_the_53_compare_exactly() {
    assert!(!holds("sample.a == sample.b", IDS));
    assert!(holds("sample.a != sample.b", IDS));
    assert!(holds("sample.a > sample.b and sample.b < sample.a", IDS));
    assert!(holds("sample.a in [1, 9007199254740993]", IDS));
    assert!(!holds("sample.b in [9007199254740993]", IDS));
}

#[test]
fn integer_literals_beyond_two_to_the_53_stay_exact() {
    assert!(holds("sample.a == 9007199254740993", IDS));
    assert!(!holds("sample.b == 9007199254740993", IDS));
    assert!(holds("-sample.a == -9007199254740993", IDS));
    assert!(holds("json_parse(\"[123456789012345678901]\")[0] == 123456789012345678901", IDS));
    assert!(!holds("json_parse(\"[123456789012345678901]\")[0] == 123456789012345678900", IDS));
}

#[test]
fn exact_integers_and_doubles_compare_as_in_python() {
    // 10**20 == 1e20 and 2**53 + 1 != 2.0**53 in Python.
    assert!(holds("sample.t == 1e20", IDS));
    assert!(!holds("sample.a == 9007199254740992.0", IDS));
    assert!(holds("sample.a > 9007199254740992.0 and sample.a < 9007199254740994.0", IDS));
}

#[test]
fn arithmetic_on_exact_integers_stays_exact_while_whole() {
    assert!(holds("sample.a + 1 == 9007199254740994", IDS));
    assert!(holds("sample.a - sample.b == 1", IDS));
    assert!(holds("abs(-sample.a) == sample.a and max([sample.b, sample.a]) == sample.a", IDS));
    assert!(holds("sum([sample.a, 1, -1]) == sample.a", IDS));
}

#[test]
fn string_writes_integers_as_python_does() {
    assert!(holds("string(sample.c) == \"123456789012345678\"", IDS));
    assert!(holds("string([sample.a, 1]) == \"[9007199254740993,1]\"", IDS));
    assert!(holds("number(\"9007199254740993\") == sample.a", IDS));
}

#[test]
fn set_keys_tell_big_ids_apart() {
    let body = "score set_f1(sample.predicted, sample.reference, by: [\"id\"])";
    let case = r#"{"id":1,"item":{},"sample":{"predicted":[{"id":1234567890123456789}],"reference":[{"id":1234567890123456788}]}}"#;
    let result: serde_json::Value = serde_json::from_str(&grade(body, case)[0]).unwrap();
    assert_eq!(result["score"], 0.0, "{result}");
    let same = case.replace("788", "789");
    let result: serde_json::Value = serde_json::from_str(&grade(body, &same)[0]).unwrap();
    assert_eq!(result["score"], 1.0, "{result}");
}

#[test]
fn result_ids_are_written_exactly() {
    let lines = grade("score 1", "{\"id\":123456789012345678901,\"item\":{},\"sample\":{}}\n");
    assert!(lines[0].starts_with("{\"id\":123456789012345678901,"), "{}", lines[0]);
}

#[test]
fn a_plan_keeps_integer_literals_exact() {
    let dir = Scratch::new("numbers-plan");
    let source = dir.join("t.rubric");
    std::fs::write(&source, "rubric t \"x\" {\n  score if sample.a == 9007199254740993 then 1 else 0\n}\n").unwrap();
    let plan = dir.join("t.plan.json");
    let o = rubric(&["compile", source.to_str().unwrap(), "-o", plan.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&plan).unwrap();
    assert!(text.contains("\"format\": \"rubric-plan/2\""), "{text}");
    assert!(text.contains("\"integer\": \"9007199254740993\""), "{text}");
    let cases = dir.join("cases.jsonl");
    std::fs::write(&cases, format!("{{\"id\":1,\"item\":{{}},\"sample\":{IDS}}}\n{{\"id\":2,\"item\":{{}},\"sample\":{{\"a\":9007199254740992}}}}\n"))
        .unwrap();
    let o = rubric(&["grade", plan.to_str().unwrap(), "--cases", cases.to_str().unwrap()]);
    let scores: Vec<f64> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["score"].as_f64().unwrap())
        .collect();
    assert_eq!(scores, [1.0, 0.0]);
}

#[test]
fn plans_without_big_integers_keep_the_first_format() {
    let o = rubric(&["compile", "rubrics/chipstack.rubric"]);
    assert!(stdout(&o).contains("\"format\": \"rubric-plan/1\""), "{}", stdout(&o));
}

#[test]
fn numbers_beyond_the_double_range_are_infinite() {
    assert!(holds("sample.x > 1e308 and sample.y < -1e308", r#"{"x":1e400,"y":-2E999}"#));
}

#[test]
fn a_lone_surrogate_reads_as_the_replacement_character() {
    assert!(holds("sample.s == \"\\u{fffd}x\\u{fffd}\"", r#"{"s":"\ud800x\udfff"}"#));
}

#[test]
fn round_takes_negative_digits() {
    assert!(holds("round(1234.5, -2) == 1200 and round(1250, -2) == 1200 and round(1350, -2) == 1400", "{}"));
    assert!(holds("round(sample.a, -3) == 9007199254741000", IDS));
}
