//! Markdown: fenced code blocks.

use std::sync::LazyLock;

use memchr::memmem;

use super::text::python_strip;
use super::{Builtin, Ctx, Default, opt, req};
use crate::value::{Map, Str, Ty, Value};

/// Python `re`'s `\w` on str (`str.isalnum()` or `_`, Unicode 14.0 as in CPython 3.11): letters L*
/// and numbers N*, minus the letters and numbers added in later Unicode versions, which Rust's
/// tables know but Python's do not (a test checks every code point against Python). Combining marks
/// and connector punctuation other than `_` are not word characters.
const WORD: &str = concat!(
    r"[\p{L}\p{N}_--[",
    r"\x{1C89}-\x{1C8A}\x{A7CB}-\x{A7CD}\x{A7DA}-\x{A7DC}\x{105C0}-\x{105F3}",
    r"\x{10D40}-\x{10D65}\x{10D6F}-\x{10D85}\x{10EC2}-\x{10EC4}\x{1123F}-\x{11240}",
    r"\x{11380}-\x{11389}\x{1138B}\x{1138E}\x{11390}-\x{113B5}\x{113B7}\x{113D1}\x{113D3}",
    r"\x{116D0}-\x{116E3}\x{11BC0}-\x{11BE0}\x{11BF0}-\x{11BF9}\x{11F02}",
    r"\x{11F04}-\x{11F10}\x{11F12}-\x{11F33}\x{11F50}-\x{11F59}\x{1342F}",
    r"\x{13441}-\x{13446}\x{13460}-\x{143FA}\x{16100}-\x{1611D}\x{16130}-\x{16139}",
    r"\x{16D40}-\x{16D6C}\x{16D70}-\x{16D79}\x{18CFF}\x{1B132}\x{1B155}\x{1CCF0}-\x{1CCF9}",
    r"\x{1D2C0}-\x{1D2D3}\x{1DF25}-\x{1DF2A}\x{1E030}-\x{1E06D}\x{1E4D0}-\x{1E4EB}",
    r"\x{1E4F0}-\x{1E4F9}\x{1E5D0}-\x{1E5ED}\x{1E5F0}-\x{1E5FA}\x{2B739}",
    r"\x{2EBF0}-\x{2EE5D}\x{31350}-\x{323AF}",
    r"]]",
);

/// Python `re`'s `\s` on str (`str.isspace()`): Rust's `\s` plus U+001C..U+001F.
const SPACE: &str =
    r"[\t\n\x0B\x0C\r\x1C-\x20\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]";

/// A fence line of an optional language plus whitespace and an optional path, then the code up to
/// the nearest line that starts with a fence. Rust's leftmost-first semantics pick the same matches
/// and captures as Python's backtracking `re` for this pattern.
static FENCED_BLOCK: LazyLock<regex::Regex> = LazyLock::new(|| {
    let source = format!(r"```{}((?s:.*?))\n```", fence_header());
    regex::Regex::new(&source).expect("fenced block regex")
});

/// The start of `FENCED_BLOCK` alone: the fence, the language (group 1) and the path (group 2).
static FENCE_HEADER: LazyLock<regex::Regex> = LazyLock::new(|| {
    let source = format!(r"\A```{}", fence_header());
    regex::Regex::new(&source).expect("fence header regex")
});

fn fence_header() -> String {
    format!(r"({WORD}+{SPACE}+)?([{WORD}./-]+)?\n")
}

/// The language, path and code of a block that `FENCED_BLOCK` matched in full.
///
/// Resolving the captures of the whole match takes a backtracking search over the entire block
/// whose cost grows with the block times the size of the Unicode classes, so the header is
/// resolved on its own: the match takes the first header alternative (in the regex's priority
/// order) that some closing `\n```` follows, and the closing fence the match ends with follows
/// every alternative that ends before it. So the first alternative within the match, minus that
/// closing fence, is the one the whole match took, and the code is what lies between the two. A
/// plain fence line (see `PlainHeader`) needs no regex at all.
fn block_parts(block: &str) -> (&str, &str, &str) {
    let code_end = block.len() - "\n```".len();
    if let Some(header) = PlainHeader::after_fence(&block[..code_end]) {
        return (header.language(block), header.path(block), &block[header.end..code_end]);
    }
    if let Some(header) = FENCE_HEADER.captures(&block[..code_end]) {
        let group = |i: usize| header.get(i).map_or("", |m| m.as_str());
        let code_start = header.get(0).map_or(code_end, |m| m.end()).min(code_end);
        return (group(1), group(2), &block[code_start..code_end]);
    }
    // Unreachable by the argument above; the full search stays correct if it were not.
    match FENCED_BLOCK.captures(block) {
        Some(caps) => {
            let group = |i: usize| caps.get(i).map_or("", |m| m.as_str());
            (group(1), group(2), group(3))
        }
        None => ("", "", ""),
    }
}

/// The usual fence line, `` ```word path`` and a line break with ASCII word and path characters
/// and a single space, found without the regex. On such a line the header has exactly one way to
/// match: `\w+` must take the whole word (a space follows), `\s+` the single space (a path
/// character follows, which is not whitespace) and the path group the whole path (a line break
/// follows); every shorter choice leaves a word or path character where the next part needs a
/// space or the line break, and without the language group the path would have to end at the
/// space. So the groups are the word with its space and the path, as the regex would capture.
struct PlainHeader {
    /// End of the language group (the word and its space), from the start of the fence.
    language_end: usize,
    /// End of the path group.
    path_end: usize,
    /// End of the header, after its line break: where the code starts.
    end: usize,
}

impl PlainHeader {
    /// The header of `text` when `text` starts with a fence and a plain fence line.
    fn after_fence(text: &str) -> Option<PlainHeader> {
        let bytes = text.as_bytes().strip_prefix(b"```")?;
        let is_word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
        let is_path = |b: &u8| is_word(b) || matches!(b, b'.' | b'/' | b'-');
        let word = bytes.iter().take_while(|b| is_word(b)).count();
        if word == 0 || bytes.get(word) != Some(&b' ') {
            return None;
        }
        let path = bytes[word + 1..].iter().take_while(|b| is_path(b)).count();
        if path == 0 || bytes.get(word + 1 + path) != Some(&b'\n') {
            return None;
        }
        let language_end = 3 + word + 1;
        Some(PlainHeader { language_end, path_end: language_end + path, end: language_end + path + 1 })
    }

    fn language<'a>(&self, block: &'a str) -> &'a str {
        &block[3..self.language_end]
    }

    fn path<'a>(&self, block: &'a str) -> &'a str {
        &block[self.language_end..self.path_end]
    }
}

/// The fenced blocks of `text` as `FENCED_BLOCK.find_iter` finds them, each split into language,
/// path and code (unstripped).
///
/// A match starts at a fence. After a plain fence line (see `PlainHeader`) the header has one way
/// to match, and the lazy code group makes the match end at the first closing `\n```` after it; with
/// no closing fence there, no match starts at this fence and the search goes on from the next
/// position. At any other fence the regex takes over from the fence on.
fn fenced_blocks(text: &str) -> impl Iterator<Item = (&str, &str, &str)> {
    static FENCE: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new(b"```"));
    static CLOSING: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new(b"\n```"));
    let (fence, closing) = (&*FENCE, &*CLOSING);
    let mut from = 0;
    std::iter::from_fn(move || {
        loop {
            let start = from + fence.find(&text.as_bytes()[from..])?;
            let Some(header) = PlainHeader::after_fence(&text[start..]) else {
                let found = FENCED_BLOCK.find_at(text, start)?;
                from = found.end();
                return Some(block_parts(found.as_str()));
            };
            let code_start = start + header.end;
            match closing.find(&text.as_bytes()[code_start..]) {
                Some(offset) => {
                    let code_end = code_start + offset;
                    from = code_end + "\n```".len();
                    let block = &text[start..from];
                    return Some((header.language(block), header.path(block), &text[code_start..code_end]));
                }
                // No closing fence after this one's header: the match, if any, starts later.
                None => from = start + 1,
            }
        }
    })
}

#[cfg(test)]
/// One fenced block: language and path as written on the fence line (stripped, `""` when absent),
/// the path prefixed with `base` unless it is absolute, and the stripped code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeBlock {
    pub language: String,
    pub path: String,
    pub code: String,
}

#[cfg(test)]
/// Every fenced code block of `text`, left to right, without overlaps.
pub fn code_blocks(text: &str, base: &str) -> Vec<CodeBlock> {
    stripped_blocks(text, base)
        .map(|(language, path, code)| CodeBlock { language: language.to_string(), path, code: code.to_string() })
        .collect()
}

/// The language, path and code of each block as [`CodeBlock`] holds them (stripped, the path
/// with `base` prepended unless it is empty or absolute), borrowing what needs no copy.
fn stripped_blocks<'a>(text: &'a str, base: &'a str) -> impl Iterator<Item = (&'a str, String, &'a str)> {
    fenced_blocks(text).map(move |(language, path, code)| {
        let path = python_strip(path);
        let path = if path.is_empty() || path.starts_with('/') { path.to_string() } else { format!("{base}{path}") };
        (python_strip(language), path, python_strip(code))
    })
}

fn eval_code_blocks(args: &[Value], _: &mut Ctx) -> Value {
    let text = args[0].as_str().unwrap_or("");
    let base = args[1].as_str().unwrap_or("");
    Value::list(
        stripped_blocks(text, base)
            .map(|(language, path, code)| {
                // In key order, so the object is built without sorting.
                Value::Object(Map::from_fields(vec![
                    (Str::new_static("code"), Value::str(code)),
                    (Str::new_static("language"), Value::str(language)),
                    (Str::new_static("path"), Value::str(&path)),
                ]))
            })
            .collect(),
    )
}

pub const BUILTINS: &[Builtin] = &[Builtin {
    name: "code_blocks",
    doc: "Every fenced code block of the text as `{language, path, code}` objects, left to right. A block is \
          ```` ``` ````, an optional language word followed by whitespace, an optional path of word \
          characters and `./-`, a line break, the code, a line break and ```` ``` ```` (Python `re` \
          `\\w`/`\\s` semantics: combining marks are not word characters, CR LF after the fence line does not \
          match). language and path are `\"\"` when absent (```` ```typescript ```` alone is a path, not a \
          language); a relative path gets `base` prepended; language, path and code are stripped.",
    params: &[req("text", Ty::STRING), opt("base", Ty::STRING, Default::Str(""))],
    returns: Ty::LIST,
    eval: eval_code_blocks,
    validate: None,
}];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtins::testing::{call, s};

    fn block(language: &str, path: &str, code: &str) -> CodeBlock {
        CodeBlock { language: language.into(), path: path.into(), code: code.into() }
    }

    #[test]
    fn language_path_and_code() {
        let text = "intro\n```typescript src/a.ts\nconst a = 1;\n```\n```js /abs/b.js\n  b()\n\n```";
        assert_eq!(
            code_blocks(text, "/base/"),
            vec![block("typescript", "/base/src/a.ts", "const a = 1;"), block("js", "/abs/b.js", "b()")]
        );
    }

    #[test]
    fn lone_word_is_a_path() {
        assert_eq!(code_blocks("```typescript\nx\n```", "/b/"), vec![block("", "/b/typescript", "x")]);
    }

    #[test]
    fn bare_fence_has_neither() {
        assert_eq!(code_blocks("```\nx\n```", "/b/"), vec![block("", "", "x")]);
    }

    #[test]
    fn python_whitespace_and_word_rules() {
        assert_eq!(code_blocks("```ts\u{1c}a.ts\nx\n```", ""), vec![block("ts", "a.ts", "x")]);
        assert_eq!(code_blocks("```ts e\u{301}.ts\nx\n```", ""), vec![]);
        assert_eq!(code_blocks("```ts a.ts\r\nx\n```", ""), vec![]);
        assert_eq!(code_blocks("```ts x²\nx\n```", ""), vec![block("ts", "x²", "x")]);
        // Kawi (Unicode 15) is not a word character for CPython 3.11.
        assert_eq!(code_blocks("```ts \u{11f04}\nx\n```", ""), vec![]);
    }

    #[test]
    fn no_block_is_an_empty_list() {
        assert!(call("code_blocks", vec![s("no fences")]).json_eq(&Value::list(vec![])));
    }

    #[test]
    fn builtin_returns_objects() {
        let v = call("code_blocks", vec![s("```ts a.ts\nx\n```"), s("/r/")]);
        let first = &v.as_list().unwrap()[0];
        let o = first.as_object().unwrap();
        assert!(o["language"].json_eq(&s("ts")) && o["path"].json_eq(&s("/r/a.ts")) && o["code"].json_eq(&s("x")));
    }

    /// Resolving the header on its own, and scanning for plain fence lines without the regex, give
    /// what the captures of the whole matches give, on every string of up to six pieces from an
    /// alphabet of fences, words, spaces and line breaks.
    #[test]
    fn header_shortcut_agrees_with_full_captures() {
        let pieces = ["```", "ts", " ", "\n", "a/b", "\u{301}", "\n```"];
        let mut texts = vec![String::new()];
        for _ in 0..6 {
            let longer: Vec<String> =
                texts.iter().flat_map(|t| pieces.iter().map(move |p| format!("{t}{p}"))).collect();
            texts.extend(longer.into_iter().filter(|t| !t.is_empty()));
            texts.sort();
            texts.dedup();
        }
        assert!(texts.len() > 100_000, "{}", texts.len());
        for text in &texts {
            let full: Vec<(&str, &str, &str)> = FENCED_BLOCK
                .captures_iter(text)
                .map(|caps| {
                    let group = |i: usize| caps.get(i).map_or("", |m| m.as_str());
                    (group(1), group(2), group(3))
                })
                .collect();
            let shortcut: Vec<(&str, &str, &str)> =
                FENCED_BLOCK.find_iter(text).map(|m| block_parts(m.as_str())).collect();
            assert_eq!(shortcut, full, "{text:?}");
            let scanned: Vec<(&str, &str, &str)> = fenced_blocks(text).collect();
            assert_eq!(scanned, full, "fenced_blocks on {text:?}");
        }
    }

    /// The scan without the regex agrees with the regex's captures on longer random texts: fence
    /// lines of every shape (plain, without language or path, non-ASCII, CR LF, other whitespace),
    /// code and closing fences in any order.
    #[test]
    fn fenced_blocks_agree_with_full_captures_on_random_texts() {
        const WORDS: &[&str] = &["", "ts", "py_3", "é", "x²", "a\u{301}"];
        const GAPS: &[&str] = &["", " ", "  ", "\t", "\u{1c}", "\n"];
        const PATHS: &[&str] = &["", "a.ts", "src/x-y.ts", "/abs", "é.ts", "a\u{301}", "ts"];
        const ENDS: &[&str] = &["\n", "\n", "\r\n", "", " \n"];
        const CODE: &[&str] = &["code();", "\n", " ", "`", "\n``", "é", "```", "\n\n"];
        // xorshift64*: a fixed sequence, so a failure reproduces.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: usize| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
        };
        let (mut blocks, mut plain) = (0, 0);
        for _ in 0..100_000 {
            let mut text = String::new();
            for _ in 0..1 + next(8) {
                match next(4) {
                    0 => text.push_str(["```ts a.ts\n", "```py_3 src/x-y.ts\n", "```ts /abs\n"][next(3)]),
                    1 => {
                        for part in [&["```", "````"][..], WORDS, GAPS, PATHS, ENDS] {
                            text.push_str(part[next(part.len())]);
                        }
                    }
                    2 => text.push_str(CODE[next(CODE.len())]),
                    _ => text.push_str("\n```"),
                }
            }
            let full: Vec<(&str, &str, &str)> = FENCED_BLOCK
                .captures_iter(&text)
                .map(|caps| {
                    let group = |i: usize| caps.get(i).map_or("", |m| m.as_str());
                    (group(1), group(2), group(3))
                })
                .collect();
            let scanned: Vec<(&str, &str, &str)> = fenced_blocks(&text).collect();
            assert_eq!(scanned, full, "{text:?}");
            blocks += full.len();
            plain += full.iter().filter(|(language, _, _)| ["ts ", "py_3 "].contains(language)).count();
        }
        // Both ways of finding blocks are exercised (a language of a word and one space is what a
        // plain fence line gives).
        assert!(plain > 10_000 && blocks - plain > 10_000, "{blocks} blocks, {plain} with a plain-looking language");
    }

    /// The class `WORD` is exactly Python 3.11's `\w`, code point by code point.
    #[test]
    fn word_class_is_python_word() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/text/word_chars.json");
        let ranges: Vec<(u32, u32)> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut python = vec![false; 0x110000];
        for (a, b) in ranges {
            python[a as usize..=b as usize].iter_mut().for_each(|w| *w = true);
        }
        let word = regex::Regex::new(&format!("^{WORD}$")).unwrap();
        let mut buf = [0u8; 4];
        let differing: Vec<String> = (0..=0x10ffffu32)
            .filter_map(char::from_u32)
            .filter(|&c| word.is_match(c.encode_utf8(&mut buf)) != python[c as usize])
            .map(|c| format!("U+{:04X}", c as u32))
            .collect();
        assert!(differing.is_empty(), "{} differ: {}", differing.len(), differing.join(" "));
    }

    #[test]
    fn space_class_is_python_space() {
        let space = regex::Regex::new(&format!("^{SPACE}$")).unwrap();
        let mut buf = [0u8; 4];
        for c in (0..=0x10ffffu32).filter_map(char::from_u32) {
            assert_eq!(space.is_match(c.encode_utf8(&mut buf)), crate::builtins::text::is_python_space(c), "{c:?}");
        }
    }

    /// Python's `re` on the code sections of the Runloop corpus and on generated hostile strings.
    #[test]
    fn agrees_with_python_re() {
        #[derive(serde::Deserialize)]
        struct Case {
            text: String,
            blocks: Vec<(String, String, String)>,
        }
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/text/code_blocks.jsonl");
        let data = std::fs::read_to_string(path).unwrap();
        let mut cases = 0;
        for line in data.lines() {
            let case: Case = serde_json::from_str(line).unwrap();
            let expected: Vec<CodeBlock> = case.blocks.iter().map(|(l, p, c)| block(l, p, c)).collect();
            assert_eq!(code_blocks(&case.text, "/home/user/testbed/"), expected, "{:?}", case.text);
            cases += 1;
        }
        assert!(cases >= 1000, "{cases}");
    }
}
