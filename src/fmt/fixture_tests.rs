//! The formatter on every rubric of the repository: idempotent, keeps the meaning and the comments;
//! snapshots of messy fixtures (`tests/fixtures/fmt/*.rubric`).

use std::path::{Path, PathBuf};

use super::format_source;
use crate::builtins::Ctx;
use crate::check::compile;
use crate::diagnostic::SourceFile;
use crate::run::{Graded, grade_line};

fn load_grader(path: &str) -> Result<std::sync::Arc<crate::eval::Program>, crate::LoadError> {
    crate::Grader::load(path).map(crate::Grader::into_program)
}

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every rubric in the repository that parses: the shipped ones and all fixtures.
fn all_rubrics() -> Vec<(PathBuf, String)> {
    let mut paths: Vec<PathBuf> =
        crate::testing::shipped_graders().iter().map(|g| Path::new(ROOT).join(format!("rubrics/{g}.rubric"))).collect();
    for dir in std::fs::read_dir(Path::new(ROOT).join("tests/fixtures")).unwrap() {
        let dir = dir.unwrap().path();
        if dir.is_dir() {
            for f in std::fs::read_dir(&dir).unwrap() {
                let f = f.unwrap().path();
                if f.extension().is_some_and(|e| e == "rubric") {
                    paths.push(f);
                }
            }
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = read(&p);
            (p, text)
        })
        .filter(|(_, text)| crate::syntax::parse(text).is_ok())
        .collect()
}

fn fmt(path: &Path, text: &str) -> String {
    format_source(text).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()))
}

#[test]
fn idempotent_on_every_rubric() {
    let rubrics = all_rubrics();
    assert!(rubrics.len() >= 9, "expected the shipped rubrics and the fixtures");
    for (path, text) in rubrics {
        let once = fmt(&path, &text);
        let twice = fmt(&path, &once);
        assert_eq!(once, twice, "{}: formatting the formatted text changed it", path.display());
    }
}

/// The plan as JSON, without source locations (`at`) and source snippets (`text`).
fn plan_without_locations(name: &str, text: &str) -> Option<serde_json::Value> {
    fn blank(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m.iter_mut() {
                    if k == "at" || k == "text" {
                        *x = serde_json::Value::Null;
                    } else {
                        blank(x);
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(blank),
            _ => {}
        }
    }
    let plan = compile(&SourceFile::new(name, text.to_string())).plan?;
    let mut v: serde_json::Value = serde_json::from_str(&plan.to_json()).unwrap();
    blank(&mut v);
    Some(v)
}

#[test]
fn formatting_keeps_every_plan() {
    for (path, text) in all_rubrics() {
        let name = path.display().to_string();
        let before = plan_without_locations(&name, &text);
        let after = plan_without_locations(&name, &fmt(&path, &text));
        assert_eq!(before.is_some(), after.is_some(), "{name}: compiles before xor after formatting");
        assert_eq!(before, after, "{name}: the formatted rubric compiles to another plan");
    }
}

#[test]
fn formatting_keeps_every_comment() {
    for (path, text) in all_rubrics() {
        let out = fmt(&path, &text);
        for line in text.lines() {
            // Each comment's text survives (comments are re-joined only when two end one line).
            if let Some(i) = line.find("// ") {
                let comment = line[i..].trim_end();
                if !line[..i].contains('"') && !line[..i].contains('\'') {
                    assert!(out.contains(comment), "{}: lost `{comment}`", path.display());
                }
            }
        }
    }
}

#[test]
fn shipped_rubrics_grade_their_corpus_identically_when_formatted() {
    let dir = std::env::temp_dir().join(format!("rubric-fmt-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut ctx = Ctx::default();
    for g in crate::testing::shipped_graders() {
        let source = Path::new(ROOT).join(format!("rubrics/{g}.rubric"));
        let formatted = dir.join(format!("{g}.rubric"));
        std::fs::write(&formatted, fmt(&source, &read(&source))).unwrap();
        let Ok(a) = load_grader(source.to_str().unwrap()) else {
            // A rubric whose builtins are not in this build yet: its plan is compared (not) above.
            println!("{g}: does not load; skipped");
            continue;
        };
        let b = load_grader(formatted.to_str().unwrap()).unwrap_or_else(|e| panic!("{g}: formatted: {e:?}"));
        let cases = read(&Path::new(ROOT).join(format!("tests/corpus/{g}/cases.jsonl")));
        for (i, line) in cases.lines().enumerate() {
            let x = grade_line(&a, line.as_bytes(), i + 1, &mut ctx);
            let y = grade_line(&b, line.as_bytes(), i + 1, &mut ctx);
            assert_eq!(x.score.to_bits(), y.score.to_bits(), "{g} line {}: {} != {}", i + 1, x.score, y.score);
            let error = |o: &Graded| o.outcome.as_ref().and_then(|o| o.error.clone());
            assert_eq!(error(&x), error(&y), "{g} line {}", i + 1);
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn shipped_rubrics_are_fmt_clean() {
    for g in crate::testing::shipped_graders() {
        let path = Path::new(ROOT).join(format!("rubrics/{g}.rubric"));
        let text = read(&path);
        assert_eq!(fmt(&path, &text), text, "{g}: run `rubric fmt rubrics/{g}.rubric`");
    }
}

#[test]
fn fmt_fixtures() {
    insta::glob!("../../tests/fixtures/fmt", "*.rubric", |path| {
        let out = fmt(path, &read(path));
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut s = insta::Settings::clone_current();
        s.set_snapshot_suffix(name);
        s.set_prepend_module_to_snapshot(false);
        s.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"));
        s.set_omit_expression(true);
        s.bind(|| insta::assert_snapshot!("fmt", out));
    });
}
