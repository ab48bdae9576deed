//! Regex capture groups, full matches, substitution and splitting, with Python `re` semantics as far
//! as the linear-time engine allows: matches are found left to right without overlaps, and an empty
//! match may follow a non-empty one at the same place but not another empty one (Python 3.7+).
//! Offsets are in code points.

use regex::{Captures, Regex};

use super::text::{check_literal_regex, regex_arg};
use super::{ArgProblem, Builtin, Ctx, req};
use crate::value::{Map, Str, Ty, Value};

/// Calls `each` on every match of `re` in `text`, left to right, the way Python's `re.finditer`
/// finds them: the next search starts where the previous match ended, and after an empty match the
/// next match must not be empty at the same place (the search moves on by one character). Stops
/// after `limit` matches or when `each` returns false.
pub(crate) fn each_match<'t>(re: &Regex, text: &'t str, limit: usize, mut each: impl FnMut(&Captures<'t>) -> bool) {
    let mut pos = 0;
    let mut after_empty = false;
    let mut found = 0;
    while found < limit && pos <= text.len() {
        let Some(mut caps) = re.captures_at(text, pos) else { break };
        let mut whole = caps.get(0).map_or(pos..pos, |m| m.range());
        if after_empty && whole.is_empty() && whole.start == pos {
            let Some(c) = text[pos..].chars().next() else { break };
            match re.captures_at(text, pos + c.len_utf8()) {
                Some(next) => caps = next,
                None => break,
            }
            whole = caps.get(0).map_or(pos..pos, |m| m.range());
        }
        found += 1;
        if !each(&caps) {
            break;
        }
        after_empty = whole.is_empty();
        pos = whole.end;
    }
}

/// Counts code points from byte offsets in increasing order, in one pass over the text.
struct CodePoints<'t> {
    text: &'t str,
    byte: usize,
    chars: usize,
}

impl CodePoints<'_> {
    fn at(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

/// `[whole match, group 1, group 2, ...]`, an unmatched group as null (Python's `m.group(i)`).
fn group_list(caps: &Captures) -> Value {
    Value::list(caps.iter().map(|g| g.map_or(Value::Null, |m| Value::str(m.as_str()))).collect())
}

/// `{name: text or null}` for the named groups (Python's `m.groupdict()`).
fn named_groups(re: &Regex, caps: &Captures) -> Value {
    let fields = re
        .capture_names()
        .flatten()
        .map(|name| (Str::new(name), caps.name(name).map_or(Value::Null, |m| Value::str(m.as_str()))))
        .collect();
    Value::Object(Map::from_fields(fields))
}

fn str_arg(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn eval_captures(args: &[Value], ctx: &mut Ctx) -> Value {
    match regex_arg(&args[1], ctx) {
        Ok(re) => re.captures(str_arg(&args[0])).map_or(Value::Null, |caps| group_list(&caps)),
        Err(e) => e,
    }
}

fn eval_named_captures(args: &[Value], ctx: &mut Ctx) -> Value {
    match regex_arg(&args[1], ctx) {
        Ok(re) => re.captures(str_arg(&args[0])).map_or(Value::Null, |caps| named_groups(&re, &caps)),
        Err(e) => e,
    }
}

fn eval_captures_all(args: &[Value], ctx: &mut Ctx) -> Value {
    let re = match regex_arg(&args[1], ctx) {
        Ok(re) => re,
        Err(e) => return e,
    };
    let text = str_arg(&args[0]);
    let limit = ctx.limits.list_len;
    let mut offsets = CodePoints { text, byte: 0, chars: 0 };
    let mut matches = Vec::new();
    each_match(&re, text, limit.saturating_add(1), |caps| {
        let whole = caps.get(0).map_or(0..0, |m| m.range());
        let start = offsets.at(whole.start);
        let end = offsets.at(whole.end);
        matches.push(Value::Object(Map::from_fields(vec![
            (Str::new("match"), Value::str(&text[whole])),
            (Str::new("start"), Value::Number(start as f64)),
            (Str::new("end"), Value::Number(end as f64)),
            (Str::new("groups"), group_list(caps)),
            (Str::new("named"), named_groups(&re, caps)),
        ])));
        true
    });
    if matches.len() > limit {
        return Value::error(format!("more than {limit} matches of /{}/, the list limit", re.as_str()));
    }
    Value::list(matches)
}

/// The source of a regex that matches only the whole text. `\A` and `\z`, not `^` and `$`: under
/// the `m` flag those match at line ends, and Python's `$` also matches before a final newline.
/// A `#` may start a comment under the `x` flag, which would swallow the closing parenthesis: such
/// a source is rewritten from its parse, which has no comments.
pub(crate) fn whole_text_source(re: &Regex) -> Result<String, String> {
    let source = re.as_str();
    if !source.contains('#') {
        return Ok(format!(r"\A(?:{source})\z"));
    }
    let hir = regex_syntax::ParserBuilder::new().build().parse(source).map_err(|e| e.to_string())?;
    Ok(format!(r"\A(?:{hir})\z"))
}

fn eval_fullmatch(args: &[Value], ctx: &mut Ctx) -> Value {
    let re = match regex_arg(&args[1], ctx) {
        Ok(re) => re,
        Err(e) => return e,
    };
    let whole = match ctx.whole_text_regex(&re) {
        Ok(whole) => whole,
        Err(e) => return Value::error(format!("/{}/ cannot be anchored: {e}", re.as_str())),
    };
    whole.captures(str_arg(&args[0])).map_or(Value::Null, |caps| group_list(&caps))
}

// ---------------------------------------------------------------------------------------------
// Substitution and splitting (called by `replace` and `split` with a regex)

/// One piece of a replacement template.
#[derive(Debug, PartialEq)]
enum Piece {
    Text(String),
    Group(usize),
}

/// Parses a replacement template the way Python's `re.sub` does: `\1`..`\99` and `\g<1>` or
/// `\g<name>` refer to groups, `\n`, `\t`, `\r`, `\f`, `\v`, `\a`, `\b` and `\\` are those
/// characters, `\0` and three-digit octal escapes are characters, a backslash before any other
/// non-letter stays as written, and a backslash before another ASCII letter is an error.
fn parse_template(template: &str, re: &Regex) -> Result<Vec<Piece>, String> {
    let groups = re.captures_len();
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().peekable();
    let group = |n: usize| {
        if n < groups {
            Ok(Piece::Group(n))
        } else {
            Err(format!("invalid group reference {n}: the regex has {} group(s)", groups - 1))
        }
    };
    let octal = |digits: &str| match u32::from_str_radix(digits, 8).ok().and_then(char::from_u32) {
        Some(c) if (c as u32) <= 0o377 => Ok(c),
        _ => Err(format!("octal escape value \\{digits} outside of range 0-0o377")),
    };
    while let Some(c) = chars.next() {
        if c != '\\' {
            text.push(c);
            continue;
        }
        let Some(escaped) = chars.next() else {
            return Err("bad escape (end of template)".into());
        };
        let piece = match escaped {
            'g' => {
                if chars.next() != Some('<') {
                    return Err("missing `<` after `\\g`".into());
                }
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('>') => break,
                        Some(c) => name.push(c),
                        None => return Err(format!("missing `>` after `\\g<{name}`")),
                    }
                }
                if name.is_empty() {
                    return Err("missing group name in `\\g<>`".into());
                }
                if name.bytes().all(|b| b.is_ascii_digit()) {
                    group(name.parse().unwrap_or(usize::MAX))?
                } else {
                    match re.capture_names().position(|n| n == Some(name.as_str())) {
                        Some(n) => Piece::Group(n),
                        None => return Err(format!("unknown group name `{name}`")),
                    }
                }
            }
            '0' => {
                let mut digits = String::from("0");
                while digits.len() < 3
                    && let Some(&d) = chars.peek()
                    && d.is_digit(8)
                {
                    digits.push(d);
                    chars.next();
                }
                Piece::Text(octal(&digits)?.to_string())
            }
            '1'..='9' => {
                let mut digits = escaped.to_string();
                if let Some(&d) = chars.peek()
                    && d.is_ascii_digit()
                {
                    digits.push(d);
                    chars.next();
                    let third = chars.peek().copied().filter(|d| d.is_digit(8));
                    if let Some(third) = third
                        && digits.chars().all(|d| d.is_digit(8))
                    {
                        digits.push(third);
                        chars.next();
                        text.push(octal(&digits)?);
                        continue;
                    }
                }
                group(digits.parse().unwrap_or(usize::MAX))?
            }
            'a' => Piece::Text('\u{7}'.into()),
            'b' => Piece::Text('\u{8}'.into()),
            'f' => Piece::Text('\u{c}'.into()),
            'n' => Piece::Text('\n'.into()),
            'r' => Piece::Text('\r'.into()),
            't' => Piece::Text('\t'.into()),
            'v' => Piece::Text('\u{b}'.into()),
            '\\' => Piece::Text('\\'.into()),
            c if c.is_ascii_alphabetic() => return Err(format!("bad escape `\\{c}`")),
            c => Piece::Text(format!("\\{c}")),
        };
        match piece {
            Piece::Text(t) => text.push_str(&t),
            group => {
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(group);
            }
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

/// Python's `re.sub(re, template, text, count)`, with `count` matches at most (`usize::MAX` for all).
pub(crate) fn substitute(re: &Regex, text: &str, template: &str, count: usize) -> Result<String, String> {
    let pieces = parse_template(template, re)?;
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    each_match(re, text, count, |caps| {
        let whole = caps.get(0).map_or(last..last, |m| m.range());
        out.push_str(&text[last..whole.start]);
        for piece in &pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Group(n) => out.push_str(caps.get(*n).map_or("", |m| m.as_str())),
            }
        }
        last = whole.end;
        true
    });
    out.push_str(&text[last..]);
    Ok(out)
}

/// Python's `re.split(re, text, maxsplit)`: the texts between matches, each followed by the
/// matches' groups (null when unmatched), with `max` splits at most (`usize::MAX` for all).
pub(crate) fn regex_split(re: &Regex, text: &str, max: usize, limit: usize) -> Result<Vec<Value>, Value> {
    let mut parts = Vec::new();
    let mut last = 0;
    let mut too_long = false;
    each_match(re, text, max, |caps| {
        let whole = caps.get(0).map_or(last..last, |m| m.range());
        parts.push(Value::str(&text[last..whole.start]));
        parts.extend(caps.iter().skip(1).map(|g| g.map_or(Value::Null, |m| Value::str(m.as_str()))));
        last = whole.end;
        too_long = parts.len() > limit;
        !too_long
    });
    if too_long {
        return Err(Value::error(format!(
            "splitting by /{}/ gives more than {limit} parts, the list limit",
            re.as_str()
        )));
    }
    parts.push(Value::str(&text[last..]));
    Ok(parts)
}

/// Compile-time check of a literal replacement template against a literal regex.
pub(crate) fn check_literal_template(args: &[Option<&Value>]) -> Vec<ArgProblem> {
    let (Some(Some(Value::Regex(re))), Some(Some(Value::String(template)))) = (args.get(1), args.get(2)) else {
        return Vec::new();
    };
    match parse_template(template, re) {
        Ok(_) => Vec::new(),
        Err(message) => vec![ArgProblem {
            arg: 2,
            code: None,
            message: format!("bad replacement: {message}"),
            help: Some(
                "with a regex, `\\1` or `\\g<name>` insert a group and `\\\\` a backslash (Python's `re.sub`)".into(),
            ),
        }],
    }
}

fn validate_pattern_arg1(args: &[Option<&Value>]) -> Vec<ArgProblem> {
    check_literal_regex(args, 1)
}

const S: Ty = Ty::STRING;
const PATTERN: Ty = Ty::REGEX.or(Ty::STRING);

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "captures",
        doc: "The groups of the first match of the regex in the text as a list: index 0 is the whole match and \
              index `i` is group `i` (Python's `m.group(i)`), a group that took no part is null; null when \
              the regex does not match. A string pattern is compiled as a regex. Regexes run in linear time \
              (Rust `regex`): `\\b`, `^`, `$` work but look-around and backreferences do not. To port a \
              Python lookbehind such as `(?<![A-Za-z])answer:`, capture the character before instead: \
              `(?:^|[^A-Za-z])(answer:)` and use group 1 (in `captures_all`, add 1 to `start` when group 0 \
              is longer than group 1); as that character is consumed, a hit right after another one needs \
              a separate test. For a lookahead `x(?=y)`, match `(x)y` and keep group 1 (the `y` is consumed \
              too); for `x(?!y)` with a one-character `y`, match `(x)(?:[^y]|\\z)`.",
        params: &[req("text", S), req("pattern", PATTERN)],
        returns: Ty::LIST.or(Ty::NULL),
        eval: eval_captures,
        validate: Some(validate_pattern_arg1),
    },
    Builtin {
        name: "named_captures",
        doc: "The named groups of the first match as an object from name to text (null for a group that took \
              no part), like Python's `m.groupdict()`; null when the regex does not match.",
        params: &[req("text", S), req("pattern", PATTERN)],
        returns: Ty::OBJECT.or(Ty::NULL),
        eval: eval_named_captures,
        validate: Some(validate_pattern_arg1),
    },
    Builtin {
        name: "captures_all",
        doc: "Every non-overlapping match, left to right, like Python's `re.finditer`, as objects \
              `{match, start, end, groups, named}`: the matched text, its start and end in code points \
              (`m.start()`, `m.end()`), the group list of `captures` and the named groups of \
              `named_captures`. An empty match may follow a longer one where it ends, as in Python 3.7+.",
        params: &[req("text", S), req("pattern", PATTERN)],
        returns: Ty::LIST,
        eval: eval_captures_all,
        validate: Some(validate_pattern_arg1),
    },
    Builtin {
        name: "fullmatch",
        doc: "The group list (as `captures`) when the regex matches the whole text, else null, like Python's \
              `re.fullmatch`: every alternative is tried against the whole text, and a final line break is \
              not skipped (the regex is anchored with `\\A(?:...)\\z`).",
        params: &[req("text", S), req("pattern", PATTERN)],
        returns: Ty::LIST.or(Ty::NULL),
        eval: eval_fullmatch,
        validate: Some(validate_pattern_arg1),
    },
];

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::builtins::lookup;
    use crate::builtins::testing::{call, err, l, n, s};

    fn re(src: &str) -> Value {
        Value::Regex(Arc::new(crate::pattern::compile_regex(src, "").unwrap()))
    }
    fn re_flags(src: &str, flags: &str) -> Value {
        Value::Regex(Arc::new(crate::pattern::compile_regex(src, flags).unwrap()))
    }
    fn eq(a: Value, b: Value) {
        assert!(a.json_eq(&b), "{a} != {b}");
    }
    fn strs(xs: &[&str]) -> Value {
        l(xs.iter().map(|x| s(x)).collect())
    }
    fn json(text: &str) -> Value {
        Value::from_json(&serde_json::from_str(text).unwrap())
    }
    fn matches_of(text: &str, pattern: &str) -> Vec<(usize, usize)> {
        let re = Regex::new(pattern).unwrap();
        let mut out = Vec::new();
        each_match(&re, text, usize::MAX, |caps| {
            let m = caps.get(0).unwrap();
            out.push((m.start(), m.end()));
            true
        });
        out
    }

    #[test]
    fn matches_are_found_as_python_finditer_finds_them() {
        // [m.span() for m in re.finditer(p, t)] with Python 3.11
        assert_eq!(matches_of("ab cd", r"\w*"), [(0, 2), (2, 2), (3, 5), (5, 5)]);
        assert_eq!(matches_of("abxd", "x*"), [(0, 0), (1, 1), (2, 3), (3, 3), (4, 4)]);
        assert_eq!(matches_of("", "x*"), [(0, 0)]);
        assert_eq!(matches_of("aaa", "a"), [(0, 1), (1, 2), (2, 3)]);
        assert_eq!(matches_of("é", ""), [(0, 0), (2, 2)]);
        assert_eq!(matches_of("abc", "z"), []);
    }

    #[test]
    fn captures_lists_groups_from_the_whole_match() {
        // re.search(r"([a-z]+)-(\d+)?(x)?", "id: ab-12").group(0, 1, 2, 3)
        eq(call("captures", vec![s("id: ab-12"), re(r"([a-z]+)-(\d+)?(x)?")]), json(r#"["ab-12","ab","12",null]"#));
        eq(call("captures", vec![s("ab-"), s(r"([a-z]+)-(\d+)?")]), json(r#"["ab-","ab",null]"#));
        eq(call("captures", vec![s("xyz"), re(r"\d")]), Value::Null);
        eq(call("captures", vec![s("xyz"), re("y")]), strs(&["y"]));
        assert!(err(call("captures", vec![s("x"), s("(")])).contains("invalid regex `(`"));
    }

    #[test]
    fn named_captures_is_groupdict() {
        let pattern = re(r"(?P<year>\d{4})-(?P<month>\d\d)(?:-(?P<day>\d\d))?");
        eq(
            call("named_captures", vec![s("on 2024-06"), pattern.clone()]),
            json(r#"{"year":"2024","month":"06","day":null}"#),
        );
        eq(call("named_captures", vec![s("none"), pattern]), Value::Null);
        eq(call("named_captures", vec![s("ab"), re("(a)(b)")]), json("{}"));
    }

    #[test]
    fn captures_all_offsets_are_code_points() {
        // [(m.group(0), m.start(), m.end(), m.groups()) for m in re.finditer(r"(\d)(x)?", "é1 ü2x 3")]
        let all = call("captures_all", vec![s("é1 ü2x 3"), re(r"(?P<d>\d)(x)?")]);
        let expected = json(
            r#"[{"match":"1","start":1,"end":2,"groups":["1","1",null],"named":{"d":"1"}},
                {"match":"2x","start":4,"end":6,"groups":["2x","2","x"],"named":{"d":"2"}},
                {"match":"3","start":7,"end":8,"groups":["3","3",null],"named":{"d":"3"}}]"#,
        );
        eq(all, expected);
        eq(call("captures_all", vec![s("ab"), re("x*")]).as_list().map_or(n(-1.0), |m| n(m.len() as f64)), n(3.0));
        eq(call("captures_all", vec![s("ab"), re("z")]), l(vec![]));
    }

    #[test]
    fn fullmatch_is_python_fullmatch() {
        // re.fullmatch(p, t) and its groups, Python 3.11
        let code = re(r"([A-Z][0-9][0-9A-Z])\.?([0-9A-Z]{0,4})");
        eq(call("fullmatch", vec![s("E11.65"), code.clone()]), strs(&["E11.65", "E11", "65"]));
        eq(call("fullmatch", vec![s("E11.65 "), code.clone()]), Value::Null);
        eq(call("fullmatch", vec![s("E11\n"), code]), Value::Null); // `$` would accept the final newline
        eq(call("fullmatch", vec![s("ab"), re("a|ab")]), strs(&["ab"])); // not just the first alternative
        eq(call("fullmatch", vec![s("b\na"), re_flags("^a$|b\na", "m")]), strs(&["b\na"]));
        eq(call("fullmatch", vec![s("a\nb"), re_flags("^a$", "m")]), Value::Null);
        eq(call("fullmatch", vec![s(""), re("x*")]), strs(&[""]));
        // A comment under the `x` flag must not swallow the anchoring.
        eq(call("fullmatch", vec![s("ab"), re_flags("a # the a\n(b) # the b", "x")]), strs(&["ab", "b"]));
        eq(call("fullmatch", vec![s("abc"), re_flags("a # the a\n(b) # the b", "x")]), Value::Null);
        eq(call("fullmatch", vec![s("a#b"), re(r"a#(b)")]), strs(&["a#b", "b"]));
        eq(call("fullmatch", vec![s("AB"), s("(?i)ab")]), strs(&["AB"]));
        assert!(err(call("fullmatch", vec![s("a"), s("a)(b")])).contains("invalid regex"));
    }

    fn sub(pattern: &str, template: &str, text: &str) -> Result<String, String> {
        substitute(&Regex::new(pattern).unwrap(), text, template, usize::MAX)
    }

    #[test]
    fn substitute_is_re_sub() {
        // re.sub(p, r, t) with Python 3.11
        assert_eq!(sub("x*", "-", "abxd").unwrap(), "-a-b--d-");
        assert_eq!(sub(r"(\w+)@(\w+)", r"\2 at \1", "me@home, you@work").unwrap(), "home at me, work at you");
        assert_eq!(sub(r"(?P<w>\w+)", r"<\g<w>|\g<0>|\g<1>>", "a b").unwrap(), "<a|a|a> <b|b|b>");
        assert_eq!(sub(r"(a)|b", r"[\1]", "ab").unwrap(), "[a][]");
        assert_eq!(sub("a", r"\n\t\\\-\0\101", "a").unwrap(), "\n\t\\\\-\u{0}A");
        assert_eq!(sub("(a)", r"\10", "a").unwrap_err(), "invalid group reference 10: the regex has 1 group(s)");
        assert_eq!(sub("a", r"\q", "a").unwrap_err(), "bad escape `\\q`");
        assert_eq!(sub("a", "\\", "a").unwrap_err(), "bad escape (end of template)");
        assert_eq!(sub("a", r"\g<x>", "a").unwrap_err(), "unknown group name `x`");
        assert_eq!(sub("a", r"\g<1", "a").unwrap_err(), "missing `>` after `\\g<1`");
        assert_eq!(sub("a", r"\477", "a").unwrap_err(), "octal escape value \\477 outside of range 0-0o377");
        assert_eq!(substitute(&Regex::new("a").unwrap(), "aaa", "b", 2).unwrap(), "bba");
        assert_eq!(substitute(&Regex::new("a").unwrap(), "aaa", "b", 0).unwrap(), "aaa");
    }

    fn resplit(pattern: &str, text: &str, max: usize) -> Value {
        Value::list(regex_split(&Regex::new(pattern).unwrap(), text, max, 1000).unwrap())
    }

    #[test]
    fn regex_split_is_re_split() {
        // re.split(p, t, maxsplit) with Python 3.11
        eq(resplit("x*", "axbc", usize::MAX), strs(&["", "a", "", "b", "c", ""]));
        eq(resplit(r"\s*(,)\s*|;", "a , b;c", usize::MAX), json(r#"["a",",","b",null,"c"]"#));
        eq(resplit(",", "a,b,c", 1), strs(&["a", "b,c"]));
        eq(resplit(",", "", usize::MAX), strs(&[""]));
        assert!(regex_split(&Regex::new("").unwrap(), "abcdef", usize::MAX, 3).is_err());
    }

    #[test]
    fn literal_templates_are_checked_against_literal_regexes() {
        let validate = lookup("replace").unwrap().validate.unwrap();
        let pattern = re("(a)");
        assert_eq!(validate(&[None, Some(&pattern), Some(&s(r"\1"))]), vec![]);
        let problems = validate(&[None, Some(&pattern), Some(&s(r"\2"))]);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].arg, 2);
        // A string pattern is replaced literally: its template is not one.
        assert_eq!(validate(&[None, Some(&s("(")), Some(&s(r"\2"))]), vec![]);
    }
}
