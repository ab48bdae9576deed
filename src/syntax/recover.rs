//! A lexical scan of a rubric body for error recovery: where each item starts, which brackets are
//! left open, and whether a string runs to the end of the file. It knows strings, comments, regex
//! literals and brackets, nothing of expressions; pest does the real parsing, item by item.

/// Keywords that start an item of a rubric body.
pub const ITEM_KEYWORDS: [&str; 9] = ["let", "fn", "criterion", "group", "ladder", "when", "score", "on_error", "max"];

/// Keywords after which a word names something (so `let score` is not a new item).
const NAMING_KEYWORDS: [&str; 6] = ["let", "fn", "criterion", "group", "ladder", "step"];

/// Words after which `/` starts a regex rather than a division.
const OPERATOR_WORDS: [&str; 12] =
    ["and", "or", "not", "in", "then", "else", "if", "where", "score", "when", "max", "on_error"];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Frame {
    /// The braces of a group (criteria and lets may follow).
    Group,
    /// The braces of a criterion body (lets may follow).
    Criterion,
    /// Any other bracket.
    Other,
}

/// One item's source range, and the innermost bracket it left open when the next item began.
#[derive(Debug, Default)]
pub struct Segment {
    pub start: usize,
    pub end: usize,
    /// End of the item's last token (trailing blanks and comments excluded).
    pub last_token_end: usize,
    pub unclosed: Option<(char, usize)>,
    /// When `unclosed` was skipped by the closer of an outer bracket (`f(xs[0)`), that closer.
    pub closed_by: Option<usize>,
}

#[derive(Debug, Default)]
pub struct Scan {
    pub segments: Vec<Segment>,
    /// Offset of the `}` closing the rubric.
    pub close: Option<usize>,
    /// The opening quote of a string that never ends (or, when quotes pair up wrongly, of the
    /// first string that spans lines).
    pub unterminated_string: Option<usize>,
}

#[derive(Clone, Copy, PartialEq)]
enum Prev {
    Start,
    /// Something a `/` would divide: a name, number, string, `)` or `]`.
    Operand,
    /// An operator, an opening bracket, a comma, or an operator keyword.
    Operator,
}

/// Scans `src` from `from` (just after the rubric's `{`).
pub fn scan(src: &str, from: usize) -> Scan {
    let b = src.as_bytes();
    let mut out = Scan::default();
    let mut stack: Vec<(char, usize, Frame)> = Vec::new();
    let mut pending: Option<Frame> = None;
    let mut prev = Prev::Start;
    let mut prev_word: Option<&str> = None;
    let mut current: Option<Segment> = None;
    let mut last_token_end = from;
    // Strings rarely span lines: when one never ends, the first that spans lines is the likely
    // culprit (every quote after it pairs up wrongly).
    let mut first_multiline_string: Option<usize> = None;
    let mut i = from;

    let boundary = |at: usize,
                    current: &mut Option<Segment>,
                    stack: &mut Vec<(char, usize, Frame)>,
                    last_end: usize,
                    out: &mut Scan| {
        if let Some(mut s) = current.take().filter(|s| s.start < at) {
            s.end = at;
            s.last_token_end = last_end.max(s.start);
            if s.unclosed.is_none() {
                s.unclosed = stack.last().map(|(c, p, _)| (*c, *p));
            }
            out.segments.push(s);
        }
        stack.clear();
        *current = Some(Segment { start: at, ..Segment::default() });
    };

    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        if current.is_none() {
            current = Some(Segment { start: i, ..Segment::default() });
        }
        let start = i;
        match c {
            b'"' | b'\'' => {
                i += 1;
                let mut closed = false;
                while i < b.len() {
                    match b[i] {
                        b'\\' => i += 2,
                        b'\n' if c == b'\'' => break,
                        q if q == c => {
                            i += 1;
                            closed = true;
                            break;
                        }
                        _ => i += 1,
                    }
                }
                if c == b'"' && closed && first_multiline_string.is_none() && src[start..i].contains('\n') {
                    first_multiline_string = Some(start);
                }
                if !closed && c == b'"' {
                    out.unterminated_string = Some(first_multiline_string.unwrap_or(start));
                    i = b.len();
                }
                i = i.min(b.len());
                prev = Prev::Operand;
            }
            b'/' if prev != Prev::Operand => {
                // A regex literal, unless the line ends first (then it was a division).
                let mut j = i + 1;
                let mut closed = false;
                while j < b.len() && b[j] != b'\n' {
                    match b[j] {
                        b'\\' => j += 2,
                        b'/' => {
                            closed = true;
                            j += 1;
                            break;
                        }
                        _ => j += 1,
                    }
                }
                if closed {
                    i = j.min(b.len());
                    prev = Prev::Operand;
                } else {
                    i += 1;
                    prev = Prev::Operator;
                }
            }
            b'{' | b'(' | b'[' => {
                let frame = if c == b'{' { pending.take().unwrap_or(Frame::Other) } else { Frame::Other };
                stack.push((c as char, i, frame));
                i += 1;
                prev = Prev::Operator;
            }
            b'}' | b')' | b']' => {
                let open = match c {
                    b'}' => '{',
                    b')' => '(',
                    _ => '[',
                };
                if c == b'}' && stack.is_empty() {
                    out.close = Some(i);
                    if let Some(mut s) = current.take() {
                        s.end = i;
                        s.last_token_end = last_token_end.max(s.start);
                        out.segments.push(s);
                    }
                    return out;
                }
                if let Some(k) = stack.iter().rposition(|(o, _, _)| *o == open) {
                    if let (Some(seg), Some((c, p, _))) = (current.as_mut(), stack.get(k + 1))
                        && seg.unclosed.is_none()
                    {
                        seg.unclosed = Some((*c, *p));
                        seg.closed_by = Some(i);
                    }
                    stack.truncate(k);
                }
                i += 1;
                prev = Prev::Operand;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                let word = &src[start..i];
                let after_dot = start > 0 && b[start - 1] == b'.';
                let next = src[i..].trim_start().as_bytes().first().copied();
                let is_call = next == Some(b'(');
                let names_something = prev_word.is_some_and(|w| NAMING_KEYWORDS.contains(&w));
                // `max(...)` and `on_error(...)` in an expression are calls, not settings.
                let setting_called = matches!(word, "max" | "on_error") && is_call;
                let starts_item = ITEM_KEYWORDS.contains(&word) && !setting_called;
                if starts_item && !after_dot && !names_something {
                    let nested_ok = match word {
                        "criterion" => matches!(stack.last(), Some((_, _, Frame::Group))),
                        "let" => {
                            matches!(stack.last(), Some((_, _, Frame::Group | Frame::Criterion)))
                        }
                        _ => false,
                    };
                    // Inside brackets, only a keyword that starts a line ends an unclosed item
                    // (a misplaced keyword mid-line is left to the item's own error).
                    let starts_line = src[..start].trim_end_matches([' ', '\t']).ends_with('\n');
                    if stack.is_empty() || !nested_ok && starts_line {
                        boundary(start, &mut current, &mut stack, last_token_end, &mut out);
                    }
                }
                match word {
                    "criterion" => pending = Some(Frame::Criterion),
                    "group" => pending = Some(Frame::Group),
                    "ladder" => pending = Some(Frame::Other),
                    _ => {}
                }
                prev = if OPERATOR_WORDS.contains(&word) { Prev::Operator } else { Prev::Operand };
                prev_word = Some(word);
                last_token_end = i;
                continue;
            }
            _ => {
                i += 1;
                // `%` ends a percentage; every other symbol is an operator or punctuation.
                prev = if c == b'%' { Prev::Operand } else { Prev::Operator };
            }
        }
        prev_word = None;
        last_token_end = i;
    }
    if let Some(mut s) = current.take() {
        s.end = b.len();
        s.last_token_end = last_token_end.max(s.start);
        if s.unclosed.is_none() {
            s.unclosed = stack.last().map(|(c, p, _)| (*c, *p));
        }
        out.segments.push(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(body: &str) -> Vec<String> {
        scan(body, 0).segments.iter().map(|s| body[s.start..s.last_token_end].to_string()).collect()
    }

    #[test]
    fn splits_at_item_keywords() {
        assert_eq!(items("let a = 1 criterion b +1 { a } score b }"), ["let a = 1", "criterion b +1 { a }", "score b"]);
    }
    #[test]
    fn nested_lets_and_group_members_stay_in_their_item() {
        assert_eq!(
            items("group g { let x = 1 criterion c +1 { let y = x  y } } when a => 0"),
            ["group g { let x = 1 criterion c +1 { let y = x  y } }", "when a => 0"]
        );
    }
    #[test]
    fn a_missing_brace_ends_at_the_next_item() {
        let src = "criterion a +1 { f(x)\n criterion b +1 { y } }";
        let s = scan(src, 0);
        assert_eq!(s.segments.len(), 2);
        assert_eq!(s.segments[0].unclosed, Some(('{', 15)));
        assert_eq!(s.close, Some(src.len() - 1));
    }
    #[test]
    fn strings_regexes_members_and_calls_do_not_split() {
        assert_eq!(
            items(r#"let a = "score {" let b = /a{2}/i let c = x.score + max(1, 2) / 2"#),
            [r#"let a = "score {""#, "let b = /a{2}/i", "let c = x.score + max(1, 2) / 2"]
        );
    }
    #[test]
    fn an_unterminated_string_is_found() {
        assert_eq!(scan("let a = \"abc\n score 1", 0).unterminated_string, Some(8));
        assert_eq!(scan("let a = \"abc\n let b = \"x\"", 0).unterminated_string, Some(8));
    }
}
