//! Parity with the Python reference graders: every shipped rubric against the corpus of 200 cases
//! with expected scores (copied from the reference corpus into `tests/corpus/`).
//!
//! A case is *exact* when the score is bit-for-bit the expected one, *stricter* when it is lower
//! and the case carries an error explaining why (allowed only where the reference leans on Python
//! duck typing on malformed data), and *wrong* otherwise. Any wrong case fails the test.

use rubric::builtins::Ctx;
use rubric::run::{grade_line, load_grader};

struct Tally {
    exact: usize,
    close: usize,
    stricter: Vec<String>,
    wrong: Vec<String>,
}

fn parity(grader: &str, stricter_allowed: bool) -> Tally {
    let root = env!("CARGO_MANIFEST_DIR");
    let program = load_grader(&format!("{root}/rubrics/{grader}.rubric")).unwrap_or_else(|e| panic!("{grader}: {e:?}"));
    let cases = std::fs::read_to_string(format!("{root}/tests/corpus/{grader}/cases.jsonl")).unwrap();
    let expected = std::fs::read_to_string(format!("{root}/tests/corpus/{grader}/expected.jsonl")).unwrap();
    let mut ctx = Ctx::default();
    let mut t = Tally { exact: 0, close: 0, stricter: Vec::new(), wrong: Vec::new() };
    let cases: Vec<&str> = cases.lines().collect();
    let expected: Vec<&str> = expected.lines().collect();
    assert_eq!(cases.len(), expected.len(), "{grader}: cases and expected differ in length");
    for (i, (case, want)) in cases.iter().zip(&expected).enumerate() {
        let want: serde_json::Value = serde_json::from_str(want).unwrap();
        let want_score = want["score"].as_f64().unwrap();
        let g = grade_line(&program, case.as_bytes(), i + 1, &mut ctx);
        assert_eq!(g.id, want["id"], "{grader}: ids out of order at line {}", i + 1);
        let error = g.outcome.as_ref().and_then(|o| o.error.clone());
        if g.score.to_bits() == want_score.to_bits() {
            t.exact += 1;
        } else if (g.score - want_score).abs() <= 1e-9 {
            t.close += 1;
        } else if stricter_allowed && g.score < want_score && error.is_some() {
            t.stricter.push(format!("{}: {} < {} ({})", g.id, g.score, want_score, error.unwrap_or_default()));
        } else {
            t.wrong.push(format!("{}: got {} want {} ({:?})", g.id, g.score, want_score, error));
        }
    }
    println!(
        "{grader:>10}: {} exact, {} within 1e-9, {} stricter (allowed), {} wrong",
        t.exact,
        t.close,
        t.stricter.len(),
        t.wrong.len()
    );
    for s in &t.stricter {
        println!("             stricter {s}");
    }
    t
}

fn assert_parity(grader: &str, stricter_allowed: bool) {
    let t = parity(grader, stricter_allowed);
    assert!(t.wrong.is_empty(), "{grader}: {} wrong cases:\n{}", t.wrong.len(), t.wrong.join("\n"));
}

#[test]
fn tax_matches_the_reference() {
    assert_parity("tax", false);
}

#[test]
fn chem_matches_the_reference() {
    assert_parity("chem", false);
}

#[test]
fn nova_tool_matches_the_reference() {
    assert_parity("nova_tool", false);
}

#[test]
fn runloop_matches_the_reference() {
    assert_parity("runloop", false);
}

/// ChipStack's reference counts `true` and `1` as the same value (Python's `True == 1`).
#[test]
fn chipstack_matches_the_reference() {
    assert_parity("chipstack", true);
}

/// Harvey's reference iterates a passages string character by character and tolerates `null`
/// passages; the rubric rejects non-string passages instead.
#[test]
fn harvey_matches_the_reference() {
    assert_parity("harvey", true);
}
