//! Regexes from rubric literals, compiled the same way by the checker (to report a bad one) and the
//! engine (to run it).

/// Builds a regex from a literal's source and flags.
pub fn compile_regex(source: &str, flags: &str) -> Result<regex::Regex, String> {
    let pattern = if flags.is_empty() { source.to_string() } else { format!("(?{flags}){source}") };
    regex::RegexBuilder::new(&pattern).size_limit(1 << 22).build().map_err(|e| match e {
        regex::Error::Syntax(s) => {
            s.lines().last().unwrap_or("invalid").trim().trim_start_matches("error: ").to_string()
        }
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::compile_regex;

    fn full(pattern: &str, text: &str) -> bool {
        compile_regex(&format!("^(?:{pattern})$"), "").unwrap().is_match(text)
    }

    /// Where Rust's `regex` differs from Python's `re` (each checked with python3: the comment gives
    /// Python's answer), as docs/builtins.md lists for graders ported from Python.
    #[test]
    fn the_dialect_differs_from_python_here() {
        // `\w`: a combining mark is a word character here (Python: no); `½ ²` are not (Python: yes).
        assert!(full(r"\w", "\u{301}"));
        assert!(!full(r"\w", "½") && !full(r"\w", "²"));
        // `\s`: the separators \x1c-\x1f are not whitespace here (Python: they are).
        assert!((0x1c..=0x1f).all(|c| !full(r"\s", &char::from(c as u8).to_string())));
        // `$` only at the very end (Python: also before a final newline).
        assert!(!compile_regex("done$", "").unwrap().is_match("done\n"));
        assert!(compile_regex("done$", "m").unwrap().is_match("done\n"));
        // `(?i)i` does not match `İ` (Python: it does, and `(?i)İ` matches `i`).
        assert!(!full("(?i)i", "İ") && !full("(?i)İ", "i"));
    }
}
