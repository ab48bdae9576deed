//! Finds the `// comments` of a rubric source (the parser drops them).
//!
//! A small scanner that knows the tokens where `//` is not a comment: strings `"..."` (with
//! escapes), regex literals `/.../` in expression position, and the brackets of JSONPath tokens
//! (`sample.x[?@.url == 'http://a']`).

/// One comment: `start..end` covers `//` up to (not including) the line end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Comment {
    pub start: usize,
    pub end: usize,
}

/// Words after which a `/` starts a regex rather than dividing.
const KEYWORDS: &[&str] = &[
    "rubric",
    "let",
    "criterion",
    "group",
    "ladder",
    "step",
    "when",
    "score",
    "for",
    "in",
    "where",
    "if",
    "then",
    "else",
    "and",
    "or",
    "not",
    "is",
    "at_least",
];

/// Every comment of `src`, in source order.
pub fn scan(src: &str) -> Vec<Comment> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    // Whether the last token ends an operand, so that a `/` after it divides.
    let mut operand_end = false;
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            let start = i;
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            let mut end = i;
            while end > start && (b[end - 1] == b'\r' || b[end - 1] == b' ' || b[end - 1] == b'\t') {
                end -= 1;
            }
            out.push(Comment { start, end });
            continue;
        }
        match c {
            b'"' => {
                i = skip_quoted(b, i, b'"');
                operand_end = true;
            }
            b'/' if !operand_end => match regex_end(b, i) {
                Some(end) => {
                    i = end;
                    operand_end = true;
                }
                None => i += 1,
            },
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                let word = &src[start..i];
                if matches!(word, "sample" | "item" | "case") {
                    i = skip_path_segments(b, i);
                    operand_end = true;
                } else {
                    operand_end = !KEYWORDS.contains(&word);
                }
            }
            c if c.is_ascii_digit() => {
                while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                    i += 1;
                }
                operand_end = true;
            }
            b')' | b']' | b'}' | b'%' => {
                i += 1;
                operand_end = true;
            }
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            _ => {
                // Multi-byte characters only occur in strings and comments; step over the whole char.
                i += src[i..].chars().next().map_or(1, char::len_utf8);
                operand_end = false;
            }
        }
    }
    out
}

/// The index after a quoted run that starts at `i` (unterminated: the end of the input).
fn skip_quoted(b: &[u8], mut i: usize, quote: u8) -> usize {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            q if q == quote => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// The index after the regex literal (and its flags) starting at `i`, if one closes on this line.
fn regex_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'\n' => return None,
            b'/' if i == start + 1 => return None,
            b'/' => {
                i += 1;
                while i < b.len() && matches!(b[i], b'i' | b'm' | b's' | b'x') {
                    i += 1;
                }
                return Some(i);
            }
            _ => i += 1,
        }
    }
    None
}

/// Skips the segments of a JSONPath token after its root (mirrors `path_segment` in the grammar).
fn skip_path_segments(b: &[u8], mut i: usize) -> usize {
    let name = |b: &[u8], mut i: usize| {
        if b.get(i) == Some(&b'*') {
            return i + 1;
        }
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
            i += 1;
        }
        i
    };
    loop {
        match b.get(i) {
            Some(b'.') if b.get(i + 1) == Some(&b'.') => {
                i += 2;
                if b.get(i) == Some(&b'[') {
                    i = skip_bracket(b, i);
                } else {
                    i = name(b, i);
                }
            }
            Some(b'.') => i = name(b, i + 1),
            Some(b'[') => i = skip_bracket(b, i),
            _ => return i,
        }
    }
}

fn skip_bracket(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < b.len() {
        match b[i] {
            b'[' => {
                depth += 1;
                i += 1;
            }
            b']' => {
                depth -= 1;
                i += 1;
                if depth == 0 {
                    return i;
                }
            }
            q @ (b'\'' | b'"') => i = skip_quoted(b, i, q),
            _ => i += 1,
        }
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<&str> {
        scan(src).iter().map(|c| &src[c.start..c.end]).collect()
    }

    #[test]
    fn line_comments() {
        assert_eq!(texts("a // one  \n// two\r\nb"), ["// one", "// two"]);
    }
    #[test]
    fn not_in_strings() {
        assert_eq!(texts(r#"let u = "http://x \" // y" // real"#), ["// real"]);
    }
    #[test]
    fn not_in_regexes_but_division_is_not_a_regex() {
        assert_eq!(texts(r"matches(x, /a\/\/b/i) // c"), ["// c"]);
        assert_eq!(texts("a / b // c"), ["// c"]);
        assert_eq!(texts("(a) / 2 / 3 // c"), ["// c"]);
    }
    #[test]
    fn not_in_path_brackets() {
        assert_eq!(texts("sample.x[?@.u == 'http://a'].y // c"), ["// c"]);
        assert_eq!(texts("item..[\"a//b\"] // c"), ["// c"]);
    }
}
