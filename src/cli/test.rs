//! `rubric test`: runs the examples in each rubric's `NAME.tests.yaml`, reporting in cargo's style.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{exit, load};
use crate::builtins::Ctx;
use crate::review::examples::{
    Coverage, ExampleRun, Problem, SidecarError, coverage, read_sidecar, run_example, sidecar_path, status_name,
};

/// A rubric to test and where its examples are.
struct Target {
    rubric: PathBuf,
    sidecar: PathBuf,
}

/// Expands the arguments: a directory means every `*.rubric` in it (sorted); a `.tests.yaml` means
/// its rubric. Rubrics without a sidecar are reported on the way.
fn targets(args: &[String], notes: &mut Vec<String>) -> Result<Vec<Target>, String> {
    let mut out = Vec::new();
    for arg in args {
        let path = Path::new(arg);
        let rubrics: Vec<PathBuf> = if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|e| format!("cannot read `{arg}`: {e}"))?;
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "rubric") && p.is_file())
                .collect();
            files.sort();
            files
        } else if let Some(stem) = arg.strip_suffix(".tests.yaml") {
            vec![PathBuf::from(format!("{stem}.rubric"))]
        } else if path.is_file() {
            vec![path.to_path_buf()]
        } else {
            return Err(format!("cannot read `{arg}`: no such file or directory"));
        };
        for rubric in rubrics {
            let sidecar = sidecar_path(&rubric);
            if !rubric.is_file() {
                return Err(format!("cannot read `{}`: no such file", rubric.display()));
            }
            if sidecar.is_file() {
                out.push(Target { rubric, sidecar });
            } else {
                notes.push(format!("note: {} has no examples (no {})", rubric.display(), sidecar.display()));
            }
        }
    }
    Ok(out)
}

fn display_name(rubric: &Path) -> String {
    rubric.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| rubric.display().to_string())
}

pub fn run(args: &[String], show_coverage: bool) -> u8 {
    let mut notes = Vec::new();
    let targets = match targets(args, &mut notes) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    for n in &notes {
        println!("{n}");
    }
    let (mut passed, mut failed, mut usage) = (0usize, 0usize, false);
    let mut failures = String::new();
    let mut failed_names = Vec::new();
    let mut coverage_report = String::new();
    let mut ctx = Ctx::default();
    for t in &targets {
        let name = display_name(&t.rubric);
        let sidecar = match read_sidecar(&t.sidecar) {
            Ok(s) => s,
            Err(e @ SidecarError::Unreadable(_)) => {
                eprintln!("error: {}", e.located(&t.sidecar.display().to_string()));
                usage = true;
                continue;
            }
            // An invalid sidecar is a failed test of its rubric, shown where the YAML is wrong.
            Err(e) => {
                let located = e.located(&t.sidecar.display().to_string());
                println!("\nrunning examples from {}", t.rubric.display());
                println!("{located}");
                println!("test {name} ... FAILED");
                let _ = writeln!(failures, "---- {name} ----\n  invalid examples file: {located}\n");
                failed_names.push(name.clone());
                failed += 1;
                continue;
            }
        };
        let n = sidecar.examples.len();
        println!("\nrunning {n} example{} from {}", if n == 1 { "" } else { "s" }, t.rubric.display());
        let program = match load(&t.rubric.to_string_lossy()) {
            Ok(p) => p,
            Err(code) => {
                if code == exit::USAGE {
                    usage = true;
                    continue;
                }
                println!("test {name} ... FAILED");
                let _ =
                    writeln!(failures, "---- {name} ----\n  the rubric does not compile (see the diagnostics above)\n");
                failed_names.push(name.clone());
                failed += 1;
                continue;
            }
        };
        let runs: Vec<ExampleRun> = sidecar.examples.iter().map(|e| run_example(&program, e, &mut ctx)).collect();
        for r in &runs {
            let full = format!("{name}::{}", r.name);
            if r.passed() {
                println!("test {full} ... ok");
                passed += 1;
            } else {
                println!("test {full} ... FAILED");
                failed += 1;
                let _ = writeln!(failures, "---- {full} ----");
                failures.push_str(&describe(r));
                failures.push('\n');
                failed_names.push(full);
            }
        }
        if show_coverage {
            coverage_report
                .push_str(&describe_coverage(&t.rubric.display().to_string(), &coverage(&program.plan, &runs)));
        }
    }
    if !failures.is_empty() {
        println!("\nfailures:\n\n{failures}failures:");
        for f in &failed_names {
            println!("    {f}");
        }
    }
    if show_coverage {
        println!("\ncoverage:\n{coverage_report}");
    } else {
        println!();
    }
    let ok = failed == 0 && !usage;
    println!("test result: {}. {passed} passed, {failed} failed", if ok { "ok" } else { "FAILED" });
    if usage {
        exit::USAGE
    } else if failed > 0 {
        exit::FAILED
    } else {
        exit::OK
    }
}

fn num(x: f64) -> String {
    format!("{x}")
}

/// The failure block of one example: each expectation that did not hold, with the engine's reason.
fn describe(r: &ExampleRun) -> String {
    let mut s = String::new();
    for p in &r.problems {
        let _ = match p {
            Problem::NotACase(e) => writeln!(s, "  not a case: {e}"),
            Problem::Score { expected, actual, tolerance } => {
                writeln!(s, "  score: expected {}, got {} (tolerance {tolerance:e})", num(*expected), num(*actual))
            }
            Problem::NoError => writeln!(s, "  error: expected the case to fail, but it graded without error"),
            Problem::WrongError { expected, actual } => {
                writeln!(s, "  error: expected an error containing {expected:?}, got: {actual}")
            }
            Problem::UnexpectedError(e) => writeln!(
                s,
                "  error: unexpected: {e}\n  help: if the case should fail, say so in the example: `error: true`, or \
                 `error: \"TEXT\"` with a part of the message"
            ),
            Problem::Status { id, expected, actual, reason } => {
                let _ =
                    write!(s, "  criterion `{id}`: expected {}, got {}", status_name(*expected), status_name(*actual));
                match reason {
                    Some(why) => writeln!(s, " ({why})"),
                    None => writeln!(s),
                }
            }
            Problem::UnknownIds { ids, known } => writeln!(
                s,
                "  unknown criteria: {} (the rubric has: {})",
                ids.iter()
                    .map(|i| match crate::diagnostic::did_you_mean(i, known.iter().map(String::as_str)) {
                        Some(close) => format!("`{i}` (did you mean `{close}`?)"),
                        None => format!("`{i}`"),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                if known.is_empty() { "none".to_string() } else { known.join(", ") }
            ),
        };
    }
    if let Some(o) = &r.outcome
        && let Some(g) = &o.gate
    {
        let _ = writeln!(s, "  (gate fired: {g})");
    }
    s
}

fn describe_coverage(rubric: &str, c: &Coverage) -> String {
    if c.is_complete() {
        return format!("  {rubric}: complete\n");
    }
    let mut s = format!("  {rubric}:\n");
    let list = |xs: &[String]| xs.iter().map(|x| format!("`{x}`")).collect::<Vec<_>>().join(", ");
    for (what, xs) in [
        ("never met", &c.never_met),
        ("never unmet", &c.never_unmet),
        ("gates never fired", &c.gates_never_fired),
        ("gates never passed", &c.gates_never_passed),
    ] {
        if !xs.is_empty() {
            let _ = writeln!(s, "    {what}: {}", list(xs));
        }
    }
    s
}
