//! `rubric test` (examples in sidecars) and `rubric diff` (semantic rubric diffs), end to end.

use std::path::PathBuf;

mod common;
use common::{Scratch, rubric, stderr, stdout};

/// A fresh scratch directory for one test (removed at its end).
fn scratch(name: &str) -> Scratch {
    Scratch::new(&format!("review-{name}"))
}

fn manifest(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[test]
fn shipped_examples_pass() {
    let o = rubric(&["test", "rubrics/"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    let last = out.lines().last().unwrap_or_default();
    assert!(last.starts_with("test result: ok. ") && last.ends_with(" passed, 0 failed"), "{last}");
    for g in ["chipstack", "runloop", "harvey", "tax", "nova_tool", "chem", "nova_math"] {
        assert!(out.contains(&format!("test {g}.rubric::")), "no examples ran for {g}:\n{out}");
    }
    assert!(!out.contains("has no examples"), "{out}");
}

#[test]
fn shipped_examples_cover_every_criterion_both_ways() {
    let o = rubric(&["test", "--coverage", "rubrics/"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    let coverage = out.split("\ncoverage:\n").nth(1).expect("a coverage section");
    for g in ["chipstack", "runloop", "harvey", "tax", "nova_tool", "chem", "nova_math"] {
        assert!(coverage.contains(&format!("rubrics/{g}.rubric: complete")), "{coverage}");
    }
}

#[test]
fn a_wrong_expectation_fails_and_names_the_criterion() {
    let dir = scratch("wrong");
    std::fs::copy(manifest("rubrics/tax.rubric"), dir.join("tax.rubric")).unwrap();
    let sidecar = std::fs::read_to_string(manifest("rubrics/tax.tests.yaml")).unwrap();
    let changed = sidecar.replace("criteria: { annual_allocation: unmet }", "criteria: { annual_allocation: met }");
    assert_ne!(changed, sidecar, "the fixture line to change is gone");
    std::fs::write(dir.join("tax.tests.yaml"), changed).unwrap();
    let o = rubric(&["test", dir.to_str().unwrap()]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("test tax.rubric::a_percent_inside_another_is_not_mentioned ... FAILED"), "{out}");
    assert!(
        out.contains(
            "criterion `annual_allocation`: expected met, got unmet (`mentions_all(answer, [26.67%, 6.67%])` is false)"
        ),
        "{out}"
    );
    assert!(out.lines().last().unwrap().ends_with(" passed, 1 failed"), "{out}");
    assert!(out.contains("test result: FAILED."), "{out}");
}

#[test]
fn a_wrong_score_and_an_unknown_id_fail() {
    let dir = scratch("unknown");
    std::fs::copy(manifest("rubrics/nova_tool.rubric"), dir.join("nova_tool.rubric")).unwrap();
    std::fs::write(
        dir.join("nova_tool.tests.yaml"),
        "examples:\n  - name: typo\n    sample: {}\n    item: { reference_answer: { tool_called: f, tool_parameters: {} } }\n    score: 0.5\n    criteria: { nmae: unmet }\n",
    )
    .unwrap();
    let o = rubric(&["test", dir.join("nova_tool.rubric").to_str().unwrap()]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("score: expected 0.5, got 0"), "{out}");
    assert!(out.contains("unknown criteria: `nmae` (did you mean `name`?) (the rubric has: name, arguments)"), "{out}");
}

#[test]
fn an_invalid_sidecar_fails_at_its_line_and_column_and_a_bad_path_is_a_usage_error() {
    let dir = scratch("invalid");
    std::fs::copy(manifest("rubrics/chem.rubric"), dir.join("chem.rubric")).unwrap();
    std::fs::copy(manifest("rubrics/tax.rubric"), dir.join("tax.rubric")).unwrap();
    std::fs::copy(manifest("rubrics/tax.tests.yaml"), dir.join("tax.tests.yaml")).unwrap();
    std::fs::write(dir.join("chem.tests.yaml"), "examples:\n  - name: a\n    scroe: 1\n").unwrap();
    let o = rubric(&["test", dir.to_str().unwrap()]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let sidecar = dir.join("chem.tests.yaml");
    assert!(out.contains(&format!("\n{}:3:5: examples[0]: unknown field `scroe`", sidecar.display())), "{out}");
    assert!(out.contains("test chem.rubric ... FAILED"), "{out}");
    let last = out.lines().last().unwrap();
    assert!(last.starts_with("test result: FAILED. ") && last.ends_with(" passed, 1 failed"), "{out}");
    assert!(!last.starts_with("test result: FAILED. 0 passed"), "the other rubric's examples still run: {out}");
    assert_eq!(rubric(&["test", "no/such/dir"]).status.code(), Some(2));
}

/// Examples that expect a data error: `error: true`, or a part of its message.
fn nova_tool_example(dir: &std::path::Path, error: &str) -> std::process::Output {
    std::fs::copy(manifest("rubrics/nova_tool.rubric"), dir.join("nova_tool.rubric")).unwrap();
    let example = format!("examples:\n  - name: no_reference\n    sample: {{}}\n    item: {{}}\n{error}");
    std::fs::write(dir.join("nova_tool.tests.yaml"), example).unwrap();
    rubric(&["test", dir.join("nova_tool.rubric").to_str().unwrap()])
}

#[test]
fn an_example_can_expect_a_part_of_the_error_message() {
    let dir = scratch("error-text");
    let o = nova_tool_example(&dir, "    error: \"`item.reference_answer.tool_called` is missing\"\n");
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let o = nova_tool_example(&dir, "    error: \"division by zero\"\n");
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("error: expected an error containing \"division by zero\", got: "), "{out}");
}

#[test]
fn an_unexpected_error_suggests_expecting_it() {
    let dir = scratch("unexpected-error");
    let o = nova_tool_example(&dir, "    score: 0\n");
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("  error: unexpected: "), "{out}");
    assert!(out.contains("  help: if the case should fail, say so in the example: `error: true`"), "{out}");
}

#[test]
fn coverage_lists_what_the_examples_never_showed() {
    let o = rubric(&["test", "--coverage", "tests/fixtures/review/coverage"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("note: tests/fixtures/review/coverage/no_examples.rubric has no examples"), "{out}");
    let coverage = out.split("\ncoverage:\n").nth(1).expect("a coverage section");
    assert!(coverage.contains("never unmet: `hello`, `manners`, `please`"), "{coverage}");
    assert!(!coverage.contains("never met"), "{coverage}");
    assert!(
        coverage
            .contains("gates never fired: `when text == \"\" (at tests/fixtures/review/coverage/greeting.rubric:4:3)`"),
        "{coverage}"
    );
    assert!(!coverage.contains("gates never passed"), "{coverage}");
    assert_eq!(out.lines().last(), Some("test result: ok. 2 passed, 0 failed"));
}

#[test]
fn diff_names_a_changed_weight_and_shows_the_reward_delta() {
    let dir = scratch("weight");
    let source = std::fs::read_to_string(manifest("rubrics/tax.rubric")).unwrap();
    let changed = source.replace("criterion capital_gain +0.10", "criterion capital_gain +0.20");
    assert_ne!(changed, source);
    let new = dir.join("tax.rubric");
    std::fs::write(&new, changed).unwrap();
    let o = rubric(&["diff", "rubrics/tax.rubric", new.to_str().unwrap()]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(out.contains("criterion `capital_gain`: weight 0.1 -> 0.2"), "{out}");
    assert!(out.contains("max attainable: 1 -> 1.1 (+0.1)"), "{out}");
    assert_eq!(out.lines().filter(|l| l.starts_with("  criterion")).count(), 1, "{out}");

    let o = rubric(&[
        "diff",
        "rubrics/tax.rubric",
        new.to_str().unwrap(),
        "--cases",
        "tests/corpus/tax/cases.jsonl",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json output");
    let cases = &v["cases"];
    assert_eq!(cases["cases"], 200);
    let (mean_old, mean_new, delta) =
        (cases["mean_old"].as_f64().unwrap(), cases["mean_new"].as_f64().unwrap(), cases["delta"].as_f64().unwrap());
    assert!(delta > 0.0 && (mean_new - mean_old - delta).abs() < 1e-12, "{cases}");
    assert!(cases["moved"].as_array().unwrap().len() <= 10);
    assert!(
        cases["moved"].as_array().unwrap().iter().all(|m| (m["delta"].as_f64().unwrap() - 0.1).abs() < 1e-9),
        "{cases}"
    );
    assert_eq!(v["changes"][0]["id"], "capital_gain");
    assert_eq!((v["changes"][0]["old"].as_f64(), v["changes"][0]["new"].as_f64()), (Some(0.1), Some(0.2)));

    let o = rubric(&["diff", "rubrics/tax.rubric", new.to_str().unwrap(), "--cases", "tests/corpus/tax/cases.jsonl"]);
    assert!(stdout(&o).contains("mean score: "), "{}", stdout(&o));
}

#[test]
fn diff_bounds_the_attainable_score_by_the_score_expression_or_says_it_cannot() {
    let dir = scratch("attainable");
    let rubric_with = |weight: &str, score: &str| {
        format!(
            "rubric r \"capped\" {{\n  criterion a +{weight} \"a\" {{ sample.a == 1 }}\n  criterion b +0.5 \"b\" {{ sample.b == 1 }}\n  {score}\n}}\n"
        )
    };
    let (old, new, unbounded) = (dir.join("old.rubric"), dir.join("new.rubric"), dir.join("unbounded.rubric"));
    std::fs::write(&old, rubric_with("0.7", "score clamp(total, 0, 1)")).unwrap();
    std::fs::write(&new, rubric_with("0.8", "score clamp(total, 0, 1)")).unwrap();
    std::fs::write(&unbounded, rubric_with("0.8", "score total * (sample.boost ?? 1)")).unwrap();
    let o = rubric(&["diff", old.to_str().unwrap(), new.to_str().unwrap()]);
    assert!(stdout(&o).contains("\nmax attainable: 1 (unchanged)\n"), "{}", stdout(&o));
    let o = rubric(&["diff", old.to_str().unwrap(), unbounded.to_str().unwrap()]);
    let expected = format!(
        "\nmax attainable: 1 -> not bounded (the score expression at {}:4:9 has no upper bound)\n",
        unbounded.display()
    );
    assert!(stdout(&o).contains(&expected), "{}", stdout(&o));
    let o = rubric(&["diff", old.to_str().unwrap(), unbounded.to_str().unwrap(), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json output");
    assert_eq!(v["max_attainable"]["old"], 1.0);
    assert_eq!(v["max_attainable"]["new"], serde_json::Value::Null);
    assert!(v["max_attainable"]["new_unbounded"].as_str().unwrap().contains("has no upper bound"), "{v}");
}

#[test]
fn a_rubric_means_the_same_as_itself_and_its_plan() {
    let o = rubric(&["diff", "rubrics/runloop.rubric", "rubrics/runloop.rubric"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let dir = scratch("plan");
    let plan = dir.join("runloop.plan.json");
    assert_eq!(rubric(&["compile", "rubrics/runloop.rubric", "-o", plan.to_str().unwrap()]).status.code(), Some(0));
    let o = rubric(&["diff", "rubrics/runloop.rubric", plan.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("mean the same"));
}

#[test]
fn diff_usage_errors() {
    assert_eq!(rubric(&["diff", "rubrics/tax.rubric", "no/such.rubric"]).status.code(), Some(2));
    assert_eq!(
        rubric(&["diff", "rubrics/tax.rubric", "rubrics/tax.rubric", "--cases", "no/such.jsonl"]).status.code(),
        Some(2)
    );
}

#[test]
fn diff_markdown_snapshot() {
    let o = rubric(&[
        "diff",
        "tests/fixtures/review/diff/old.rubric",
        "tests/fixtures/review/diff/new.rubric",
        "--cases",
        "tests/fixtures/review/diff/cases.jsonl",
        "--format",
        "md",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_suffix("diff_md");
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s.bind(|| insta::assert_snapshot!("review", stdout(&o)));
}
