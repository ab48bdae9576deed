//! The JSONPath Compliance Test Suite (RFC 9535), vendored in `tests/data/jsonpath-cts`, run through
//! rubric paths and the binary.
//!
//! A selector `$REST` becomes the rubric path `case.dN REST` over a case that holds the test's
//! document at `dN` (a `$` inside a filter becomes `$.dN`: in a rubric, `$` is the whole case).
//! Valid selectors: one rubric binds every path and has one criterion per test, met when the
//! nodes found are the RFC's result (`result`, or one of `results`, in order); one `grade` run
//! answers them all. Invalid selectors: one rubric file each, all checked by one `check` run, each
//! of which must report an error located in the path.
//!
//! Known deviations are listed in [`DEVIATIONS`] (and in the README); the test fails on any other
//! failure, and on a listed deviation that now passes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

mod common;
use common::{Scratch, rubric, stderr, stdout};

/// Tests that do not give the RFC's answer, each with the reason.
const DEVIATIONS: &[(&str, &str)] = &[(
    "basic, no trailing whitespace",
    "a rubric path ends where its token ends: `case.doc ` is the path `case.doc` and layout",
)];

struct Cts {
    name: String,
    selector: String,
    document: serde_json::Value,
    /// The acceptable results, each a node list in order; empty for an invalid selector.
    results: Vec<serde_json::Value>,
    invalid: bool,
}

fn load() -> Vec<Cts> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/jsonpath-cts/cts.json"))
        .expect("reads the suite");
    let suite: serde_json::Value = serde_json::from_str(&text).expect("the suite is JSON");
    suite["tests"]
        .as_array()
        .expect("a test list")
        .iter()
        .map(|t| Cts {
            name: t["name"].as_str().unwrap().to_string(),
            selector: t["selector"].as_str().unwrap().to_string(),
            document: t.get("document").cloned().unwrap_or(serde_json::Value::Null),
            results: match (t.get("result"), t.get("results")) {
                (Some(r), _) => vec![r.clone()],
                (None, Some(rs)) => rs.as_array().unwrap().clone(),
                (None, None) => Vec::new(),
            },
            invalid: t.get("invalid_selector").and_then(|v| v.as_bool()).unwrap_or(false),
        })
        .collect()
}

/// The rubric form of `selector` over the document at `case.FIELD`: the leading `$` becomes
/// `case.FIELD` and every other `$` outside a string literal (an absolute query in a filter) `$.FIELD`.
/// Outside string literals `$` is always the root identifier, so this keeps the query's meaning.
fn rubric_path(selector: &str, field: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (at, c) in selector.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
                out.push(c);
            }
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    out.push(c);
                }
                '$' if at == 0 => write!(out, "case.{field}").unwrap(),
                '$' => write!(out, "$.{field}").unwrap(),
                _ => out.push(c),
            },
        }
    }
    out
}

/// Names of the valid-selector tests that fail, with what happened.
fn failing_valid(tests: &[&Cts]) -> BTreeMap<String, String> {
    let dir = Scratch::new("cts-valid");
    let mut failing = BTreeMap::new();
    // Tests whose path the checker rejects are taken out (each is a failure) until the rest compile.
    let mut rejected: BTreeSet<usize> = BTreeSet::new();
    let source = dir.join("cts.rubric");
    let plan = loop {
        let mut text = String::from("rubric cts {\n");
        let mut line_of = BTreeMap::new();
        for (i, t) in tests.iter().enumerate().filter(|(i, _)| !rejected.contains(i)) {
            line_of.insert(text.lines().count() + 1, i);
            writeln!(text, "  let _t{i} = {}", rubric_path(&t.selector, &format!("d{i}"))).unwrap();
            // A selector with a newline spans several lines.
            for extra in 1..=t.selector.matches('\n').count() {
                line_of.insert(text.lines().count() + 1 - extra, i);
            }
        }
        text.push_str("  score 0\n}\n");
        std::fs::write(&source, &text).unwrap();
        let o = rubric(&["compile", source.to_str().unwrap()]);
        if o.status.success() {
            break serde_json::from_slice::<serde_json::Value>(&o.stdout).expect("a plan");
        }
        let check = rubric(&["check", "--format", "github", source.to_str().unwrap()]);
        let before = rejected.len();
        for l in stdout(&check).lines().filter(|l| l.starts_with("::error ")) {
            let line: usize = l.split("line=").nth(1).and_then(|r| r.split(',').next()).unwrap().parse().unwrap();
            if let Some(&i) = line_of.get(&line) {
                rejected.insert(i);
                failing.insert(tests[i].name.clone(), format!("rejected: {l}"));
            }
        }
        assert!(rejected.len() > before, "the generated rubric fails outside any test's line:\n{}", stderr(&o));
    };
    // Singular paths give a value or missing, the others a node list.
    let singular: BTreeMap<String, bool> = plan["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|item| {
            let l = item.get("let")?;
            Some((l["name"].as_str()?.to_string(), l["value"]["path"]["singular"].as_bool()?))
        })
        .collect();
    let mut text = String::from("rubric cts {\n");
    let mut case = serde_json::Map::new();
    case.insert("id".into(), "cts".into());
    case.insert("sample".into(), serde_json::json!({}));
    case.insert("item".into(), serde_json::json!({}));
    for (i, t) in tests.iter().enumerate().filter(|(i, _)| !rejected.contains(i)) {
        let nodes = match singular.get(&format!("_t{i}")) {
            Some(true) => format!("(if t{i} is missing then [] else [t{i}])"),
            Some(false) => format!("t{i}"),
            None => {
                failing.insert(t.name.clone(), "not read as one path".to_string());
                continue;
            }
        };
        writeln!(text, "  let t{i} = {}", rubric_path(&t.selector, &format!("d{i}"))).unwrap();
        writeln!(text, "  criterion c{i} +1 {{ {nodes} in case.e{i} }}").unwrap();
        case.insert(format!("d{i}"), t.document.clone());
        case.insert(format!("e{i}"), serde_json::Value::Array(t.results.clone()));
    }
    text.push_str("}\n");
    std::fs::write(&source, &text).unwrap();
    let cases = dir.join("case.jsonl");
    std::fs::write(&cases, serde_json::Value::Object(case).to_string()).unwrap();
    let o = rubric(&["grade", source.to_str().unwrap(), "--cases", cases.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let result: serde_json::Value = serde_json::from_str(stdout(&o).trim()).expect("a result line");
    for c in result["criteria"].as_array().unwrap() {
        if c["status"] != "met" {
            let i: usize = c["id"].as_str().unwrap()[1..].parse().unwrap();
            failing.insert(tests[i].name.clone(), format!("{}: {}", c["status"], c["reason"]));
        }
    }
    failing
}

/// Names of the invalid-selector tests that `rubric check` does not reject with a located error.
fn failing_invalid(tests: &[&Cts]) -> BTreeMap<String, String> {
    let dir = Scratch::new("cts-invalid");
    let files: Vec<String> = tests
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let file = dir.join(format!("i{i}.rubric"));
            let text = format!("rubric t{i} {{\n  let _t = {}\n  score 0\n}}\n", rubric_path(&t.selector, "doc"));
            std::fs::write(&file, text).unwrap();
            file.to_str().unwrap().to_string()
        })
        .collect();
    let mut args = vec!["check", "--format", "github"];
    args.extend(files.iter().map(String::as_str));
    let o = rubric(&args);
    let out = stdout(&o);
    let mut failing = BTreeMap::new();
    for (t, file) in tests.iter().zip(&files) {
        // The path starts on line 2; a located error names the file, a line and a column.
        let located = out.lines().any(|l| {
            l.starts_with(&format!("::error file={file},line="))
                && l.split("line=").nth(1).and_then(|r| r.split(',').next()).is_some_and(|n| n != "1")
                && l.contains(",col=")
        });
        if !located {
            failing.insert(t.name.clone(), "accepted".to_string());
        }
    }
    failing
}

#[test]
fn compliance_test_suite() {
    let tests = load();
    let (invalid, valid): (Vec<&Cts>, Vec<&Cts>) = tests.iter().partition(|t| t.invalid);
    let mut failing = failing_valid(&valid);
    failing.extend(failing_invalid(&invalid));
    let allowed: BTreeMap<&str, &str> = DEVIATIONS.iter().copied().collect();
    let mut report = String::new();
    for (name, what) in &failing {
        if !allowed.contains_key(name.as_str()) {
            let t = tests.iter().find(|t| &t.name == name).unwrap();
            writeln!(report, "new deviation: {name:?} (selector {:?}): {what}", t.selector).unwrap();
        }
    }
    for name in allowed.keys() {
        if !failing.contains_key(*name) {
            writeln!(report, "allow-listed deviation now passes (remove it from DEVIATIONS): {name:?}").unwrap();
        }
    }
    assert!(report.is_empty(), "{} of {} tests fail\n{report}", failing.len(), tests.len());
}
