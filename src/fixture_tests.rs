//! Fixture snapshots, one per file (ruff style): `tests/fixtures/syntax/*.rubric` snapshot their AST,
//! `tests/fixtures/diagnostics/*.rubric` their rendered diagnostics (fixed theme, width 80, no links),
//! and the shipped rubrics their compiled plans.

use crate::check::compile;
use crate::diagnostic::{SourceFile, render};

fn settings(name: &str) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_suffix(name.to_string());
    s.set_prepend_module_to_snapshot(false);
    s.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"));
    s.set_omit_expression(true);
    s
}

fn file_name(path: &std::path::Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

#[test]
fn syntax_fixtures() {
    insta::glob!("../tests/fixtures/syntax", "*.rubric", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let out = match crate::syntax::parse(&text) {
            Ok(ast) => format!("{ast:#?}"),
            Err(ds) => {
                let file = SourceFile::new(format!("{}.rubric", file_name(path)), text.clone());
                ds.iter().map(|d| render(d, &file)).collect::<Vec<_>>().join("\n")
            }
        };
        settings(&file_name(path)).bind(|| insta::assert_snapshot!("syntax", out));
    });
}

#[test]
fn diagnostic_fixtures() {
    insta::glob!("../tests/fixtures/diagnostics", "*.rubric", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let file = SourceFile::new(format!("{}.rubric", file_name(path)), text);
        let compiled = compile(&file);
        assert!(!compiled.diagnostics.is_empty(), "{}: a diagnostics fixture must produce diagnostics", path.display());
        let out = compiled.diagnostics.iter().map(|d| render(d, &file)).collect::<Vec<_>>().join("\n");
        settings(&file_name(path)).bind(|| insta::assert_snapshot!("diagnostics", out));
    });
}

#[test]
fn shipped_plans() {
    for name in crate::testing::shipped_graders() {
        let path = format!("rubrics/{name}.rubric");
        let text = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let compiled = compile(&SourceFile::new(path.as_str(), text));
        let plan = compiled.plan.unwrap_or_else(|| panic!("{path}: {:?}", compiled.diagnostics));
        settings(&name).bind(|| insta::assert_snapshot!("plan", plan.to_json()));
    }
}
