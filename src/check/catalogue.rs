//! Keeps `docs/diagnostics.md` in step with the code: every [`Code`] is raised somewhere in `src/`
//! and has a section there, every section's wrong example raises its code, and its fixed example compiles
//! without any diagnostic. Also holds the style rules every diagnostic of the fixtures follows.

use std::collections::BTreeSet;
use std::path::Path;

use crate::diagnostic::{Code, Diagnostic, SourceFile};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Every code variant that the Rust sources under `dir` name (`Code::UnknownName`), as its stable
/// name: a variant nothing raises is dead.
fn codes_in_sources(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            codes_in_sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("diagnostic/code.rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for code in Code::ALL {
                if text.contains(&format!("Code::{code:?}")) {
                    out.insert(code.as_str().to_string());
                }
            }
        }
    }
}

/// The sections of the catalogue: code -> its `rubric` code blocks.
fn sections() -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(format!("{ROOT}/docs/diagnostics.md")).unwrap();
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut block: Option<String> = None;
    for line in text.lines() {
        if let Some(b) = block.as_mut() {
            if line == "```" {
                let b = block.take().unwrap();
                out.last_mut().expect("a block inside a section").1.push(b);
            } else {
                b.push_str(line);
                b.push('\n');
            }
        } else if let Some(rest) = line.strip_prefix("### `") {
            out.push((rest.split('`').next().unwrap().to_string(), Vec::new()));
        } else if line == "```rubric" {
            block = Some(String::new());
        }
    }
    out
}

fn compile(text: &str) -> Vec<Diagnostic> {
    super::compile(&SourceFile::new("example.rubric", text)).diagnostics
}

#[test]
fn every_code_in_the_sources_is_catalogued_and_every_catalogued_code_exists() {
    let mut used = BTreeSet::new();
    codes_in_sources(&Path::new(ROOT).join("src"), &mut used);
    let documented: BTreeSet<String> = sections().into_iter().map(|(c, _)| c).collect();
    let missing: Vec<_> = used.difference(&documented).collect();
    assert!(missing.is_empty(), "codes raised in src/ but missing from docs/diagnostics.md: {missing:?}");
    let stale: Vec<_> = documented.difference(&used).collect();
    assert!(stale.is_empty(), "codes in docs/diagnostics.md that src/ never raises: {stale:?}");
}

#[test]
fn catalogue_examples_raise_their_code_and_their_fixes_are_clean() {
    for (code, blocks) in sections() {
        // too_deep: its example would be 200 brackets deep; fmt_internal: raised only by a
        // formatter bug, so no rubric can show it.
        if code == "rubric::too_deep" || code == "rubric::fmt_internal" {
            continue;
        }
        assert_eq!(blocks.len(), 2, "{code}: a wrong and a fixed example");
        let wrong = compile(&blocks[0]);
        assert!(
            wrong.iter().any(|d| d.code.as_str() == code),
            "{code}: the wrong example gives {:?}",
            wrong.iter().map(|d| d.code).collect::<Vec<_>>()
        );
        let fixed = compile(&blocks[1]);
        assert!(
            fixed.is_empty(),
            "{code}: the fixed example gives {:?}",
            fixed.iter().map(|d| (d.code, &d.message)).collect::<Vec<_>>()
        );
    }
}

#[test]
fn fixture_diagnostics_follow_the_style() {
    let dir = Path::new(ROOT).join("tests/fixtures/diagnostics");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for d in compile(&text) {
            let at = format!("{}: {}", path.display(), d.code);
            assert!(d.code.as_str().starts_with("rubric::"), "{at}");
            assert!(
                !d.message.starts_with(|c: char| c.is_uppercase()),
                "{at}: message starts in uppercase: {}",
                d.message
            );
            assert!(!d.message.ends_with('.'), "{at}: message ends with a period: {}", d.message);
            assert!(d.help.as_deref().is_some_and(|h| !h.is_empty()), "{at}: no help");
            assert!(!d.labels.is_empty() && d.labels.iter().all(|l| !l.text.is_empty()), "{at}: unlabelled span");
            assert!(d.labels.iter().all(|l| l.span.end <= text.len()), "{at}: span past the end");
        }
    }
}
