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
            print!("{}", first_difference(path, &text, &formatted));
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

/// `FILE:LINE: would reformat` and a few lines of the old and new text from the first difference.
fn first_difference(path: &str, old: &str, new: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let i = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = format!("{path}:{}: would reformat\n", i + 1);
    for l in a.iter().skip(i).take(3) {
        out.push_str(&format!("  -{l}\n"));
    }
    for l in b.iter().skip(i).take(3) {
        out.push_str(&format!("  +{l}\n"));
    }
    out
}
