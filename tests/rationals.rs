//! Exact fractions (`rational`), end to end: a rubric that compares answers as Python's
//! `Fraction` does grades each case as the Python reference would.

mod common;
use common::{rubric, stderr, stdout};

const RUBRIC: &str = "tests/fixtures/rationals/answer.rubric";

#[test]
fn answers_compare_as_exact_fractions() {
    let check = rubric(&["check", RUBRIC]);
    assert!(stderr(&check).contains("0 errors, 0 warnings"), "{}", stderr(&check));
    let o = rubric(&["grade", RUBRIC, "--cases", "tests/fixtures/rationals/cases.jsonl"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let scores: Vec<(String, f64)> = stdout(&o)
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .map(|r| (r["id"].as_str().unwrap().to_string(), r["score"].as_f64().unwrap()))
        .collect();
    let want = [
        // Python: Fraction("0.75") == Fraction("3/4") > Fraction(1, 2), and in {0.75}.
        ("decimal", 1.0),
        ("latex", 1.0),
        // Fraction("0.33") != Fraction(1, 3), below one half, not the double 1/3.
        ("rounded", 0.0),
        // Fraction("1250.0") == 1250, and 1250 is in the accepted list.
        ("grouped", 1.0),
        // Not numbers: "four", a zero denominator, 101 digits (more than max_digits).
        ("words", 0.0),
        ("zero", 0.0),
        ("long", 0.0),
    ];
    let want: Vec<(String, f64)> = want.iter().map(|(id, s)| (id.to_string(), *s)).collect();
    assert_eq!(scores, want);
}

#[test]
fn a_compiled_plan_rebuilds_constant_fractions() {
    let compiled = rubric(&["compile", RUBRIC]);
    assert_eq!(compiled.status.code(), Some(0), "{}", stderr(&compiled));
    let dir = common::Scratch::new("rationals");
    let plan = dir.join("answer.plan.json");
    std::fs::write(&plan, &compiled.stdout).unwrap();
    let cases = "tests/fixtures/rationals/cases.jsonl";
    let from_plan = rubric(&["grade", plan.to_str().unwrap(), "--cases", cases]);
    let from_source = rubric(&["grade", RUBRIC, "--cases", cases]);
    assert_eq!(stdout(&from_plan), stdout(&from_source));
}
