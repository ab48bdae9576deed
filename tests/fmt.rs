//! `rubric fmt` through the binary: `--check` exit codes and output, rewriting files.

use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

mod common;
use common::rubric;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rubric-fmt-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn check_exits_1_and_names_the_file_then_fmt_rewrites_it() {
    let dir = scratch("rewrite");
    let messy = dir.join("messy.rubric");
    let original = read(&Path::new(ROOT).join("tests/fixtures/fmt/messy.rubric"));
    std::fs::write(&messy, &original).unwrap();
    let m = messy.to_str().unwrap();

    let o = rubric(&["fmt", "--check", m]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with(&format!("--- a/{m}\n+++ b/{m}\n@@ -1,")), "{out}");
    assert_eq!(read(&messy), original, "--check must not write");

    let o = rubric(&["fmt", m]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_ne!(read(&messy), original);
    assert_eq!(rubric(&["fmt", "--check", m]).status.code(), Some(0));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn check_exits_0_on_formatted_files() {
    let o = rubric(&["fmt", "--check", "rubrics/tax.rubric", "rubrics/runloop.rubric"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(o.stdout.is_empty());
}

#[test]
fn syntax_errors_are_reported_and_exit_1() {
    let dir = scratch("syntax");
    let bad = dir.join("bad.rubric");
    std::fs::write(&bad, "rubric bad {\n  let x = \n}\n").unwrap();
    let o = rubric(&["fmt", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("rubric::syntax") && err.contains("bad.rubric:2:10"), "{err}");
    assert_eq!(read(&bad), "rubric bad {\n  let x = \n}\n");
    assert_eq!(rubric(&["fmt", "--check", "no/such.rubric"]).status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}
