//! `rubric fmt`: the formatter's command.

use super::exit;
use crate::diagnostic::{SourceFile, render};
use crate::fmt::format_source;

/// `rubric fmt [--check] FILE...`: rewrites files in place, or with `check` only reports the files
/// that would change. Returns the exit code.
pub fn run(files: &[String], check: bool) -> u8 {
    let (mut changed, mut failed, mut unreadable) = (0, 0, 0);
    for path in files {
        let Some(text) = super::read_source(path) else {
            unreadable += 1;
            continue;
        };
        let formatted = match format_source(&text) {
            Ok(f) => f,
            Err(ds) => {
                let file = SourceFile::new(path.as_str(), text);
                for d in &ds {
                    eprintln!("{}", render(d, &file));
                }
                failed += 1;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        changed += 1;
        if check {
            print!("{}", unified_diff(path, &text, &formatted));
        } else if let Err(e) = std::fs::write(path, &formatted) {
            eprintln!("error: cannot write `{path}`: {e}");
            unreadable += 1;
        } else {
            eprintln!("formatted {path}");
        }
    }
    if check && changed > 0 {
        eprintln!("{changed} file{} would be reformatted", if changed == 1 { "" } else { "s" });
    }
    if unreadable > 0 {
        exit::USAGE
    } else if failed > 0 || (check && changed > 0) {
        exit::FAILED
    } else {
        exit::OK
    }
}

/// A unified diff of a file and its formatted text (`--- a/FILE`, `+++ b/FILE`, every hunk with
/// three lines of context), as `git diff` would show the change `rubric fmt` makes.
fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let mut out = diff.unified_diff().context_radius(3).header(&format!("a/{path}"), &format!("b/{path}")).to_string();
    // A last line without its newline would run into the next file's header.
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::unified_diff;

    #[test]
    fn every_hunk_is_shown_with_three_lines_of_context() {
        let old: String = (1..=20).map(|i| format!("line {i}\n")).collect();
        let new = old.replace("line 2\n", "line two\n").replace("line 18\n", "line eighteen\n");
        assert_eq!(
            unified_diff("r.rubric", &old, &new),
            "--- a/r.rubric\n+++ b/r.rubric\n\
             @@ -1,5 +1,5 @@\n line 1\n-line 2\n+line two\n line 3\n line 4\n line 5\n\
             @@ -15,6 +15,6 @@\n line 15\n line 16\n line 17\n-line 18\n+line eighteen\n line 19\n line 20\n"
        );
    }

    #[test]
    fn unchanged_lines_are_context_not_changes() {
        let diff = unified_diff("r.rubric", "a\nb\nc\n", "a\nB\nc\n");
        assert_eq!(diff, "--- a/r.rubric\n+++ b/r.rubric\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
    }
}
