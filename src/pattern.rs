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
