//! The `rubric` binary, end to end.

use std::process::Command;

mod common;
use common::{Scratch, rubric, shipped, stderr, stdout};

#[test]
fn shipped_rubrics_check_clean() {
    let files: Vec<String> = shipped().iter().map(|g| format!("rubrics/{g}.rubric")).collect();
    let mut args = vec!["check"];
    args.extend(files.iter().map(String::as_str));
    let o = rubric(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("0 errors, 0 warnings"), "{}", stderr(&o));
}

#[test]
fn misspelt_binding_fails_with_code_location_and_suggestion() {
    let o = rubric(&["check", "tests/fixtures/cli/misspelt.rubric"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("rubric::unknown_name"), "{err}");
    assert!(err.contains("tests/fixtures/cli/misspelt.rubric:4:14"), "{err}");
    assert!(err.contains("did you mean `answer`?"), "{err}");
}

#[test]
fn github_format_prints_annotations() {
    let o = rubric(&["check", "--format", "github", "tests/fixtures/cli/misspelt.rubric"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.lines().any(|l| l
            .starts_with("::error file=tests/fixtures/cli/misspelt.rubric,line=4,col=14,title=rubric::unknown_name::")),
        "{out}"
    );
    assert!(
        out.lines().any(|l| l.starts_with(
            "::warning file=tests/fixtures/cli/misspelt.rubric,line=2,col=7,title=rubric::unused_binding::"
        )),
        "{out}"
    );
}

#[test]
fn compile_is_deterministic_and_the_plan_grades_like_the_source() {
    let dir = Scratch::new("cli");
    for g in shipped() {
        let a = rubric(&["compile", &format!("rubrics/{g}.rubric")]);
        let b = rubric(&["compile", &format!("rubrics/{g}.rubric")]);
        assert_eq!(a.status.code(), Some(0), "{g}: {}", stderr(&a));
        assert_eq!(a.stdout, b.stdout, "{g}: compile is not deterministic");
        let plan = dir.join(format!("{g}.plan.json"));
        std::fs::write(&plan, &a.stdout).unwrap();
        let cases = format!("examples/{g}/cases.jsonl");
        let from_source = rubric(&["grade", &format!("rubrics/{g}.rubric"), "--cases", &cases]);
        let from_plan = rubric(&["grade", plan.to_str().unwrap(), "--cases", &cases]);
        assert_eq!(from_source.status.code(), Some(0), "{g}: {}", stderr(&from_source));
        assert_eq!(from_source.stdout, from_plan.stdout, "{g}: plan and source grade differently");
    }
}

#[test]
fn every_input_line_yields_one_result_line_in_order() {
    let o = rubric(&["grade", "rubrics/nova_tool.rubric", "--cases", "tests/fixtures/cli/mixed.jsonl"]);
    assert_eq!(o.status.code(), Some(3), "malformed lines give exit code 3");
    let lines: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let input_lines = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cli/mixed.jsonl"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(lines.len(), input_lines);
    let summary: Vec<(String, f64, Option<u64>)> =
        lines.iter().map(|l| (l["id"].to_string(), l["score"].as_f64().unwrap(), l["line"].as_u64())).collect();
    assert_eq!(summary[0], ("\"ok-1\"".into(), 1.0, None));
    assert_eq!(summary[1], ("\"ok-2\"".into(), 0.5, None));
    assert_eq!(summary[2], ("null".into(), 0.0, Some(3)));
    assert!(lines[2]["error"].as_str().unwrap().starts_with("line 3: invalid JSON"));
    assert_eq!(summary[3], ("null".into(), 0.0, Some(4)));
    assert!(lines[3]["error"].as_str().unwrap().contains("must be a JSON object"));
    assert_eq!(lines[4]["error"], "line 5: blank line");
    assert_eq!(summary[5], ("\"no-sample\"".into(), 0.0, Some(6)));
    assert!(
        lines[6]["error"].as_str().unwrap().contains("required value `item.reference_answer.tool_called` is missing"),
        "{}",
        lines[6]
    );
    assert_eq!(summary[7], ("\"ok-3\"".into(), 0.0, None));
    assert!(stderr(&o).contains("graded 8 cases"), "{}", stderr(&o));
}

#[test]
fn output_is_identical_for_one_and_two_jobs() {
    for g in shipped() {
        let cases = format!("tests/corpus/{g}/cases.jsonl");
        let one = rubric(&["grade", &format!("rubrics/{g}.rubric"), "--cases", &cases, "--jobs", "1"]);
        let two = rubric(&["grade", &format!("rubrics/{g}.rubric"), "--cases", &cases, "--jobs", "2"]);
        assert_eq!(one.status.code(), Some(0), "{g}: {}", stderr(&one));
        assert!(one.stdout == two.stdout, "{g}: --jobs 1 and --jobs 2 differ");
    }
}

#[test]
fn cases_can_come_from_stdin() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_rubric"))
        .args(["grade", "rubrics/chem.rubric", "--cases", "-"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"id":"x","item":{"reference_answer":{"a":2,"b":3}},"sample":{"output_json":{"a":2.0,"b":4}}}"#)
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let r: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(r["score"], 0.5);
}

#[test]
fn explain_names_each_criterion() {
    let o = rubric(&[
        "explain",
        "rubrics/tax.rubric",
        "--cases",
        "examples/tax/cases.jsonl",
        "--id",
        "tax-public-s1-00000",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("case tax-public-s1-00000 (line 1): score "), "{out}");
    assert!(out.contains("ownership"), "{out}");
    assert!(out.contains("separately_stated"), "{out}");
}

const COMMANDS: [&str; 10] =
    ["check", "compile", "grade", "explain", "test", "diff", "fmt", "builtins", "completions", "man"];

#[test]
fn help_shows_an_example_and_the_exit_codes_per_command() {
    for cmd in COMMANDS {
        let o = rubric(&[cmd, "--help"]);
        assert!(stdout(&o).contains("Example:"), "{cmd}: {}", stdout(&o));
        assert!(stdout(&o).contains("\nExit codes: 0 "), "{cmd}: {}", stdout(&o));
    }
}

#[test]
fn completions_for_bash_zsh_and_fish_name_every_command() {
    for shell in ["bash", "zsh", "fish"] {
        let o = rubric(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        for cmd in COMMANDS {
            assert!(script.contains(cmd), "{shell}: no `{cmd}` in\n{script}");
        }
    }
    assert_eq!(rubric(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn man_prints_roff_or_writes_a_page_per_command() {
    let o = rubric(&["man"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains(".TH rubric 1"), "{}", stdout(&o));
    let dir = Scratch::new("man");
    let pages = dir.join("man1");
    let o = rubric(&["man", "--out", pages.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(std::fs::read_to_string(pages.join("rubric.1")).unwrap().contains(".TH rubric 1"));
    for cmd in COMMANDS {
        let page = std::fs::read_to_string(pages.join(format!("rubric-{cmd}.1"))).unwrap();
        assert!(page.contains("Exit codes:"), "rubric-{cmd}.1:\n{page}");
    }
    let file = dir.join("a-file");
    std::fs::write(&file, "").unwrap();
    assert_eq!(rubric(&["man", "--out", file.to_str().unwrap()]).status.code(), Some(2));
}

#[test]
fn check_takes_directories_recursively_in_sorted_order() {
    let dir = Scratch::new("check-dir");
    std::fs::create_dir_all(dir.join("a")).unwrap();
    let broken = "rubric t {\n  score nope\n}\n";
    std::fs::write(dir.join("b.rubric"), broken).unwrap();
    std::fs::write(dir.join("a/z.rubric"), broken).unwrap();
    std::fs::write(dir.join("a/notes.txt"), "not a rubric").unwrap();
    let o = rubric(&["check", "--format", "github", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    let files: Vec<&str> = out.lines().filter_map(|l| l.split("file=").nth(1)?.split(',').next()).collect();
    let (a, b) = (dir.join("a/z.rubric"), dir.join("b.rubric"));
    assert_eq!(files, [a.to_str().unwrap(), b.to_str().unwrap()], "{out}");
    assert!(stderr(&o).contains("checked 2 files: 2 errors, 0 warnings"), "{}", stderr(&o));

    // Every shipped rubric, however many there are.
    let o = rubric(&["check", "rubrics/"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let summary = format!("checked {} files: 0 errors, 0 warnings", shipped().len());
    assert!(stderr(&o).contains(&summary), "{}", stderr(&o));
}

#[test]
fn unreadable_files_and_empty_directories_are_counted_as_unreadable() {
    let o = rubric(&["check", "no/such.rubric", "rubrics/tax.rubric"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("error: cannot read `no/such.rubric`"), "{err}");
    assert!(err.ends_with("checked 1 file: 0 errors, 0 warnings; 1 could not be read\n"), "{err}");
    let empty = Scratch::new("check-empty");
    let o = rubric(&["check", empty.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no `.rubric` files in"), "{}", stderr(&o));
}

#[test]
fn grade_summary_gives_time_and_rate_and_no_progress_off_a_terminal() {
    let o = rubric(&["grade", "rubrics/nova_tool.rubric", "--cases", "tests/fixtures/cli/mixed.jsonl"]);
    let err = stderr(&o);
    // Standard error is a pipe here: the summary line alone, no redrawn progress.
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(!err.contains('\r') && !err.contains("grading:"), "{err:?}");
    let rest = err.strip_prefix("graded 8 cases in ").expect("the summary");
    assert!(rest.contains(" s (") && rest.contains(" cases/s): mean score 0.187500 "), "{err}");
    assert!(rest.contains("(malformed lines count in it at the on-error score, 0)"), "{err}");
}

#[test]
fn long_operator_chains_compile_and_grade_without_overflow() {
    let dir = Scratch::new("deep");
    let sources = [
        ("sum", format!("rubric t {{ score {} }}", vec!["1"; 9_000].join(" + "))),
        ("nots", format!("rubric t {{ criterion c +1 {{ {}true }} }}", "not ".repeat(9_000))),
        ("parens", format!("rubric t {{ score {}1{} }}", "(".repeat(150), " + 1)".repeat(150))),
    ];
    let case = dir.join("case.jsonl");
    std::fs::write(&case, "{\"id\":1,\"item\":{},\"sample\":{}}\n").unwrap();
    for (name, src) in sources {
        let rubric_path = dir.join(format!("{name}.rubric"));
        std::fs::write(&rubric_path, src).unwrap();
        let plan = dir.join(format!("{name}.json"));
        let c = rubric(&["compile", rubric_path.to_str().unwrap(), "-o", plan.to_str().unwrap()]);
        assert_eq!(c.status.code(), Some(0), "{name}: {}", stderr(&c));
        // Deep plans are written compact: indenting every level would take gigabytes.
        let size = std::fs::metadata(&plan).unwrap().len();
        assert!(size < 4 << 20, "{name}: a plan of {size} bytes");
        let g = rubric(&["grade", plan.to_str().unwrap(), "--cases", case.to_str().unwrap()]);
        assert_eq!(g.status.code(), Some(0), "{name}: {}", stderr(&g));
    }
    let too_long = dir.join("too_long.rubric");
    std::fs::write(&too_long, format!("rubric t {{ score {} }}", vec!["1"; 20_000].join(" + "))).unwrap();
    let o = rubric(&["check", too_long.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("rubric::too_deep"), "{}", stderr(&o));
}

/// `explain` output that people read: snapshotted for one case of each of two rubrics.
#[test]
fn explain_snapshots() {
    for (grader, id) in [("tax", "tax-public-s1-00001"), ("runloop", "runloop-public-s1-00002")] {
        let cases = format!("examples/{grader}/cases.jsonl");
        let o = rubric(&["explain", &format!("rubrics/{grader}.rubric"), "--cases", &cases, "--id", id]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        insta::with_settings!({ snapshot_suffix => grader, prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!("explain", stdout(&o));
        });
    }
}

#[test]
fn work_limit_fails_the_case_with_a_reason_instead_of_hanging() {
    let args = ["grade", "tests/fixtures/cli/quadratic.rubric", "--cases", "tests/fixtures/cli/quadratic.jsonl"];
    let within = rubric(&args);
    assert_eq!(within.status.code(), Some(0), "{}", stderr(&within));
    let r: serde_json::Value = serde_json::from_str(stdout(&within).trim()).unwrap();
    assert_eq!(r["error"], serde_json::Value::Null);
    let limited = rubric(&[&args[..], &["--max-steps", "1000"]].concat());
    let r: serde_json::Value = serde_json::from_str(stdout(&limited).trim()).unwrap();
    assert_eq!(r["score"], 0.0);
    assert!(r["error"].as_str().unwrap().contains("exceeded the work limit of 1000 steps"), "{r}");
}

/// Nova reward-Lambda samples (the dataset row with the model's reply as its last message) grade
/// like cases: the reply becomes `sample`, the row `item` (`reference_answer` also under `metadata`).
#[test]
fn nova_lambda_samples_are_graded() {
    let chem = rubric(&["grade", "rubrics/chem.rubric", "--cases", "tests/fixtures/cli/nova_chem.jsonl"]);
    assert_eq!(chem.status.code(), Some(0), "{}", stderr(&chem));
    let r: serde_json::Value = serde_json::from_str(stdout(&chem).trim()).unwrap();
    assert_eq!((r["id"].as_str(), r["score"].as_f64()), (Some("chem-001"), Some(0.5)));
    let tool = rubric(&["grade", "rubrics/nova_tool.rubric", "--cases", "tests/fixtures/cli/nova_tool.jsonl"]);
    assert_eq!(tool.status.code(), Some(0), "{}", stderr(&tool));
    let scores: Vec<f64> = stdout(&tool)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["score"].as_f64().unwrap())
        .collect();
    assert_eq!(scores, [1.0, 0.0]);
}

/// `fmt --check` prints a unified diff: every hunk, unchanged lines as context.
#[test]
fn fmt_check_prints_a_unified_diff_of_every_hunk() {
    let o = rubric(&["fmt", "--check", "tests/fixtures/cli/two_hunks.rubric"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stderr(&o), "1 file would be reformatted\n");
    insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!("fmt_check_two_hunks", stdout(&o));
    });
}

/// The text builtins of the wave-2 graders, composed in one rubric and graded end to end.
#[test]
fn text_builtins_compose_in_a_rubric() {
    let dir = Scratch::new("textfns");
    let source = r#"rubric textfns "Text builtins end to end" {
  let code = fullmatch(strip(sample.output_text, chars: " \t\n\r\u{b}\u{c}"), /([A-Z][0-9][0-9A-Z])\.?([0-9A-Z]{0,4})/)
  criterion code_ok +1 "Full code" { code != null and code[1] == "E11" }
  criterion title +1 "Title" { indel_distance(casefold(sample.output_json.title), casefold(item.title)) <= 2 }
  criterion rule +1 "Rule" { join(split(ascii_upper(replace(item.rule, /[ \t]+/, "")), ";"), ";") == "FREQ=DAILY;COUNT=2" }
  criterion spans +1 "Second digit" { captures_all(sample.output_text, /\d/)[1].start == 3 }
}"#;
    let rubric_path = dir.join("textfns.rubric");
    std::fs::write(&rubric_path, source).unwrap();
    let cases = dir.join("cases.jsonl");
    std::fs::write(
        &cases,
        concat!(
            r#"{"id":"a","item":{"title":"Straße","rule":"freq = daily; count=2"},"sample":{"output_text":" E11.65\n","output_json":{"title":"STRASSE"}}}"#,
            "\n",
            r#"{"id":"b","item":{"title":"x","rule":"a"},"sample":{"output_text":"E11.65 x","output_json":{"title":"yyy"}}}"#,
            "\n"
        ),
    )
    .unwrap();
    let o = rubric(&["grade", rubric_path.to_str().unwrap(), "--cases", cases.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let earned: Vec<Vec<f64>> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|r| r["criteria"].as_array().unwrap().iter().map(|c| c["earned"].as_f64().unwrap()).collect())
        .collect();
    // Case b: a trailing word breaks the full match, the titles are 4 edits apart, the rule differs,
    // and its second digit starts at code point 2.
    assert_eq!(earned, [vec![1.0, 1.0, 1.0, 1.0], vec![0.0, 0.0, 0.0, 0.0]]);
}
