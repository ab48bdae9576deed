//! The JSON reader behind case lines: it validates a whole document strictly (RFC 8259, as Python's
//! `json.loads` with its default `strict=True`, minus `NaN`/`Infinity`) and builds [`Value`]s only
//! where a [`Projection`] asks, skipping everything else without building anything.
//!
//! Skipping is what most of a line costs (chat `messages` are most of its bytes), so it is a flat
//! loop with an explicit stack rather than recursion, and long strings are skipped 64 bytes at a time.
//! Duplicate keys keep the last value, as in Python.

use super::case::Projection;
use crate::bytescan::{BlockScan, find_string_special, special_block, special_wide_block, string_blocks};
use crate::value::bigint::BigInt;
use crate::value::{Map, Str, Value};

/// Containers nested deeper than this are rejected (Python's `json.loads` stops near 1,000 too).
pub const MAX_NESTING: usize = 1000;

/// Why a document is not valid JSON, and the byte where that was found (0-based).
#[derive(Clone, Debug, PartialEq)]
pub struct JsonError {
    pub message: &'static str,
    pub offset: usize,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{} at column {}", self.message, self.offset + 1)
    }
}

type Result<T> = std::result::Result<T, JsonError>;

/// Strict JSON text to a value (`json_parse`; the same strictness as case lines, values built directly).
pub fn parse_strict(text: &str, kept: &mut KeptScratch) -> std::result::Result<Value, String> {
    parse(text, &Projection::All, kept).map_err(|e| e.to_string())
}

/// The reader's scratch stacks, kept from one document to the next by whoever reads many (the
/// grading context of each worker), so that a line does not grow them anew.
#[derive(Default)]
pub struct KeptScratch(Option<Scratch>);

/// Parses `text` (one JSON document, surrounding whitespace allowed), keeping what `projection` selects.
pub fn parse(text: &str, projection: &Projection, kept: &mut KeptScratch) -> Result<Value> {
    let scratch = kept.0.take().unwrap_or_default();
    let mut reader = Reader::with_scratch(text, scratch);
    let parsed = reader.value(projection, 0).and_then(|value| match reader.peek() {
        None => Ok(value),
        Some(_) => Err(reader.error("trailing characters")),
    });
    let mut scratch = reader.scratch;
    scratch.fields.clear();
    scratch.items.clear();
    // A huge document's stacks are not kept (memory stays flat).
    if scratch.fields.capacity() + scratch.items.capacity() + scratch.string.capacity() / 32 > KEPT_SCRATCH {
        scratch = Scratch::default();
    }
    kept.0 = Some(scratch);
    parsed
}

/// At most this many scratch elements are kept between documents (about 2 MB).
const KEPT_SCRATCH: usize = 1 << 15;

/// What a [`Reader`] builds values in.
#[derive(Default)]
struct Scratch {
    /// Decoded string with escapes.
    string: String,
    /// The fields of the objects being built, innermost last (each object drains its own from the
    /// end), so that an object is one allocation of exactly its size.
    fields: Vec<(Str, Value)>,
    /// The same for the elements of the lists being built.
    items: Vec<Value>,
    strings: ShortStrings,
    skipped: SkippedValues,
}

/// Recently built short strings, by a hash of their bytes. Keys and many values repeat from line
/// to line, and a clone of a short (inline) string is a plain copy, where building one copies its
/// bytes through memory that is read back at once in larger words (a stall of the CPU's store
/// forwarding), a hot spot when most values are short strings.
struct ShortStrings {
    slots: Box<[Str; 256]>,
}

impl Default for ShortStrings {
    fn default() -> ShortStrings {
        ShortStrings { slots: Box::new(std::array::from_fn(|_| Str::default())) }
    }
}

impl ShortStrings {
    /// The string `text`, from its slot when the slot holds it (inlined where strings are read:
    /// a hit is a few comparisons and a copy), else built and kept there.
    #[inline(always)]
    fn get(&mut self, text: &str) -> Str {
        let bytes = text.as_bytes();
        let n = bytes.len();
        if n == 0 || n > 23 {
            return Str::new(text);
        }
        let hash =
            n * 0x9E + usize::from(bytes[0]) * 0x3B + usize::from(bytes[n - 1]) * 0x65 + usize::from(bytes[n / 2]);
        let slot = &mut self.slots[hash & 255];
        if crate::value::same_bytes(slot.as_bytes(), bytes) {
            return slot.clone();
        }
        Self::build(slot, text)
    }

    /// A miss: `text` built, and kept in `slot` for the next time (out of line, so that the hit
    /// stays small where it is inlined).
    #[inline(never)]
    fn build(slot: &mut Str, text: &str) -> Str {
        let built = Str::new(text);
        *slot = built.clone();
        built
    }
}

/// Containers skipped recently, each kept as its bytes, by a hash of its first 64 bytes.
///
/// Chat data repeats large values from line to line: the system message, the schemas of a tool
/// catalogue. Bytes equal to those of a value already checked are that same value, valid and
/// ending at the same place (a container ends at its own closing bracket, whatever follows), and
/// comparing bytes is much cheaper than checking them again token by token. Only the outer levels
/// of a skipped value are remembered, and only values of [`MIN_KEPT_SPAN`]..=[`MAX_KEPT_SPAN`]
/// bytes, so a miss costs a hash and, for a large value, one copy.
#[derive(Default)]
struct SkippedValues {
    /// [`SKIPPED_SLOTS`] slots once the first value is kept (an empty slot matches nothing).
    slots: Vec<Vec<u8>>,
}

const SKIPPED_SLOTS: usize = 64;
/// Containers opened at most this many levels into a skipped value are looked up and kept.
const SKIPPED_LEVELS: usize = 3;
const MIN_KEPT_SPAN: usize = 64;
/// (At most 64 x 4 KB = 256 KB per thread.)
const MAX_KEPT_SPAN: usize = 4096;

impl SkippedValues {
    /// The slot for a value starting with `prefix`: a hash of three of its first eight words
    /// (values that start alike, as JSON objects of one shape do, differ past their first words).
    #[inline]
    fn slot(prefix: &[u8; 64]) -> usize {
        let (words, _) = prefix.as_chunks::<8>();
        let word = |i: usize| u64::from_le_bytes(words[i]);
        let mixed = word(1) ^ word(5).rotate_left(21) ^ word(7).rotate_left(42);
        (mixed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize
    }

    /// The length of the kept value that `bytes` starts with, if there is one.
    #[inline]
    fn find(&self, bytes: &[u8]) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let kept = &self.slots[Self::slot(bytes.first_chunk::<64>()?)];
        (!kept.is_empty() && bytes.starts_with(kept)).then_some(kept.len())
    }

    /// Keeps a value just checked (`long_string_bytes` of it in long strings) when checking it
    /// again would cost more than comparing it: long strings are checked 64 bytes at a time, about
    /// as fast as they are compared, so a value made mostly of them is not kept.
    #[inline]
    fn keep(&mut self, value: &[u8], long_string_bytes: usize) {
        if !(MIN_KEPT_SPAN..=MAX_KEPT_SPAN).contains(&value.len()) || 2 * long_string_bytes > value.len() {
            return;
        }
        if self.slots.is_empty() {
            self.slots = vec![Vec::new(); SKIPPED_SLOTS];
        }
        let Some(prefix) = value.first_chunk::<64>() else { return };
        let slot = &mut self.slots[Self::slot(prefix)];
        slot.clear();
        slot.extend_from_slice(value);
    }
}

#[cfg(test)]
/// Whether `text` is one valid JSON document (builds nothing).
pub fn is_valid(text: &str) -> bool {
    let mut reader = Reader::new(text);
    reader.skip_value(0).is_ok() && reader.peek().is_none()
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    scratch: Scratch,
    /// Bytes of the strings skipped past their first 16 bytes (see `SkippedValues::keep`).
    long_string_bytes: usize,
}

impl<'a> Reader<'a> {
    #[cfg(test)]
    fn new(text: &'a str) -> Reader<'a> {
        Reader::with_scratch(text, Scratch::default())
    }

    fn with_scratch(text: &'a str, scratch: Scratch) -> Reader<'a> {
        Reader { text, bytes: text.as_bytes(), pos: 0, scratch, long_string_bytes: 0 }
    }

    fn error(&self, message: &'static str) -> JsonError {
        JsonError { message, offset: self.pos.min(self.bytes.len()) }
    }

    /// The next byte after whitespace (not consumed).
    #[inline]
    fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.bytes.get(self.pos) {
            // Every JSON whitespace byte is at most a space: one comparison passes the rest.
            if b > b' ' || !matches!(b, b' ' | b'\n' | b'\t' | b'\r') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    #[inline]
    fn expect(&mut self, byte: u8, message: &'static str) -> Result<()> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(message))
        }
    }

    fn nesting(&self, depth: usize) -> Result<usize> {
        if depth >= MAX_NESTING { Err(self.error("nested deeper than 1000 levels")) } else { Ok(depth + 1) }
    }

    // ---- building values ----

    fn value(&mut self, projection: &Projection, depth: usize) -> Result<Value> {
        match self.peek() {
            Some(b'{') => self.object(projection, self.nesting(depth)?),
            Some(b'[') => self.array(self.nesting(depth)?),
            Some(b'"') => {
                self.pos += 1;
                Ok(Value::String(self.string_value()?))
            }
            Some(b't') => self.literal(b"true", Value::Bool(true)),
            Some(b'f') => self.literal(b"false", Value::Bool(false)),
            Some(b'n') => self.literal(b"null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a value")),
            None => Err(self.error("unexpected end of input, expected a value")),
        }
    }

    /// A value kept whole inside an object or list: a string (the most common element) is read
    /// inline rather than through a call.
    #[inline(always)]
    fn element(&mut self, depth: usize) -> Result<Value> {
        if self.peek() == Some(b'"') {
            self.pos += 1;
            return self.string_value().map(Value::String);
        }
        self.value(&Projection::All, depth)
    }

    fn literal(&mut self, word: &[u8], value: Value) -> Result<Value> {
        if self.bytes[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a value"))
        }
    }

    /// An object (at `{`). Under a field projection only the selected keys are built.
    fn object(&mut self, projection: &Projection, depth: usize) -> Result<Value> {
        self.pos += 1;
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(Map::new()));
        }
        let start = self.scratch.fields.len();
        let map = self.fields_until_close(projection, depth);
        match map {
            Ok(()) => Ok(Value::Object(Map::from_scratch(&mut self.scratch.fields, start))),
            Err(e) => {
                self.scratch.fields.truncate(start);
                Err(e)
            }
        }
    }

    /// Reads an object's fields (after its `{`, when it has one) onto the scratch fields, up to its `}`.
    fn fields_until_close(&mut self, projection: &Projection, depth: usize) -> Result<()> {
        loop {
            self.expect(b'"', "expected a key (a string)")?;
            match projection {
                Projection::All => {
                    let key = self.string_value()?;
                    self.expect(b':', "expected `:`")?;
                    let value = self.element(depth)?;
                    self.scratch.fields.push((key, value));
                }
                Projection::Fields(fields) => {
                    let start = self.pos;
                    let escaped = self.skip_string()?;
                    let field = if escaped {
                        self.pos = start;
                        let key = self.string()?.to_string();
                        fields.iter().find(|(name, _)| *name == *key)
                    } else {
                        let raw = &self.bytes[start..self.pos - 1];
                        fields.iter().find(|(name, _)| name.len() == raw.len() && name.as_bytes() == raw)
                    };
                    self.expect(b':', "expected `:`")?;
                    match field {
                        Some((name, inner)) => {
                            let value = self.value(inner, depth)?;
                            self.scratch.fields.push((name.clone(), value));
                        }
                        None => self.skip_value(depth)?,
                    }
                }
            }
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    /// An array (at `[`), kept whole.
    fn array(&mut self, depth: usize) -> Result<Value> {
        self.pos += 1;
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::list(Vec::new()));
        }
        let start = self.scratch.items.len();
        let read = self.items_until_close(depth);
        match read {
            Ok(()) => Ok(Value::List(crate::value::drain_to_shared(&mut self.scratch.items, start))),
            Err(e) => {
                self.scratch.items.truncate(start);
                Err(e)
            }
        }
    }

    /// Reads an array's elements (after its `[`, when it has one) onto the scratch items, up to its `]`.
    fn items_until_close(&mut self, depth: usize) -> Result<()> {
        loop {
            let item = self.element(depth)?;
            self.scratch.items.push(item);
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    /// [`Self::string`] as a value: short ones without escapes come from the recently built ones.
    /// Most strings read (keys, names, values) end in their first 16 bytes: that case is inlined
    /// where values are built, the rest is a call.
    #[inline(always)]
    fn string_value(&mut self) -> Result<Str> {
        let start = self.pos;
        if let Some(end) = string_end_in_first_block(self.bytes, start) {
            self.pos = end;
            let text: &'a str = &self.text[start..end - 1];
            return Ok(self.scratch.strings.get(text));
        }
        self.longer_string_value(start)
    }

    /// [`Self::string_value`] of a string that does not end plainly in its first 16 bytes.
    #[inline(never)]
    fn longer_string_value(&mut self, start: usize) -> Result<Str> {
        let end = find_string_special(self.bytes, start);
        if self.bytes.get(end) == Some(&b'"') {
            self.pos = end + 1;
            let text: &'a str = &self.text[start..end];
            return Ok(self.scratch.strings.get(text));
        }
        self.string_from(start, end).map(Str::new)
    }

    /// A string's contents (after its opening quote), decoded; the reader ends after the closing quote.
    fn string(&mut self) -> Result<&str> {
        let start = self.pos;
        let special = find_string_special(self.bytes, start);
        self.string_from(start, special)
    }

    /// [`Self::string`] of the string whose contents start at `start`, given the first `"`, `\` or
    /// control character at or after it (`special`), so that the plain start is not searched again.
    fn string_from(&mut self, start: usize, special: usize) -> Result<&str> {
        if self.bytes.get(special) == Some(&b'"') {
            self.pos = special + 1;
            return Ok(&self.text[start..special]);
        }
        self.scratch.string.clear();
        let (mut run, mut at) = (start, special);
        loop {
            self.pos = at;
            match self.bytes.get(at) {
                Some(b'"') => {
                    self.scratch.string.push_str(&self.text[run..at]);
                    self.pos = at + 1;
                    return Ok(&self.scratch.string);
                }
                Some(b'\\') => {
                    self.scratch.string.push_str(&self.text[run..at]);
                    self.pos = at + 1;
                    let c = self.escape()?;
                    self.scratch.string.push(c);
                    run = self.pos;
                }
                Some(_) => return Err(self.error("control character in a string")),
                None => return Err(self.error("unexpected end of input in a string")),
            }
            at = find_string_special(self.bytes, run);
        }
    }

    /// An escape (after its backslash), decoded.
    fn escape(&mut self) -> Result<char> {
        let Some(&b) = self.bytes.get(self.pos) else {
            return Err(self.error("unexpected end of input in a string"));
        };
        self.pos += 1;
        Ok(match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                match first {
                    // A surrogate pair is one character. A lone surrogate, which Python keeps in
                    // its str but a Rust string cannot hold, reads as U+FFFD, so that the case is
                    // still graded; an escape after it is read on its own.
                    0xD800..=0xDBFF => {
                        let after = self.pos;
                        if self.bytes[self.pos..].starts_with(b"\\u") {
                            self.pos += 2;
                            let second = self.hex4()?;
                            if (0xDC00..=0xDFFF).contains(&second) {
                                let c = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                                return char::from_u32(c).ok_or_else(|| self.error("invalid \\u escape"));
                            }
                        }
                        self.pos = after;
                        char::REPLACEMENT_CHARACTER
                    }
                    0xDC00..=0xDFFF => char::REPLACEMENT_CHARACTER,
                    c => char::from_u32(c).ok_or_else(|| self.error("invalid \\u escape"))?,
                }
            }
            _ => {
                self.pos -= 1;
                return Err(self.error("invalid escape"));
            }
        })
    }

    fn hex4(&mut self) -> Result<u32> {
        let Some(digits) = self.bytes.get(self.pos..self.pos + 4) else {
            return Err(self.error("unexpected end of input in a \\u escape"));
        };
        let mut n = 0u32;
        for &d in digits {
            let v = (d as char).to_digit(16).ok_or_else(|| self.error("invalid \\u escape"))?;
            n = n * 16 + v;
        }
        self.pos += 4;
        Ok(n)
    }

    /// A number, as `json.loads` reads it: an integer exactly (a double up to 2^53, a [`BigInt`]
    /// beyond; `-0` is zero), any other number as the nearest double, `inf` beyond the double range.
    fn number(&mut self) -> Result<Value> {
        let start = self.pos;
        let integer = self.skip_number()?;
        let digits = &self.text[start..self.pos];
        if integer && digits.len() <= 16 {
            let (negative, magnitude) = match digits.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, digits),
            };
            let n = magnitude.bytes().fold(0i64, |n, d| n * 10 + i64::from(d - b'0'));
            // Up to 15 digits an integer is below 2^53; 16 digits may not be.
            if n <= 1 << 53 {
                return Ok(Value::Number(if negative { -n as f64 } else { n as f64 }));
            }
        }
        if integer {
            return Ok(BigInt::parse(digits).unwrap_or(Value::Number(f64::NAN)));
        }
        // Rust's parse gives the nearest double, and infinity past the largest (Python's `float`).
        Ok(Value::Number(digits.parse::<f64>().unwrap_or(f64::NAN)))
    }

    /// Skips a number, checking its grammar; returns whether it is an integer (no fraction or exponent).
    fn skip_number(&mut self) -> Result<bool> {
        let b = self.bytes;
        // The end of the run of digits from `i`, or an error at `i` when there is none.
        let digits = |reader: &mut Self, i: usize| {
            let end = i + b.get(i..).unwrap_or_default().iter().take_while(|d| d.is_ascii_digit()).count();
            if end == i {
                reader.pos = i;
                return Err(reader.error("invalid number"));
            }
            Ok(end)
        };
        let mut i = self.pos;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        // A leading zero stands alone (`01` is `0` followed by a stray `1`).
        i = if b.get(i) == Some(&b'0') { i + 1 } else { digits(self, i)? };
        let mut integer = true;
        if b.get(i) == Some(&b'.') {
            integer = false;
            i = digits(self, i + 1)?;
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            integer = false;
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            i = digits(self, i)?;
        }
        self.pos = i;
        Ok(integer)
    }

    // ---- skipping ----

    /// Skips a string's contents (after its opening quote), checking escapes; the reader ends after
    /// the closing quote. Returns whether it had escapes.
    #[inline]
    fn skip_string(&mut self) -> Result<bool> {
        // Most strings (keys, short values) end at the first special byte of their first block.
        if let Some(end) = string_end_in_first_block(self.bytes, self.pos) {
            self.pos = end;
            return Ok(false);
        }
        self.skip_long_string()
    }

    /// [`Self::skip_string`] past the first block or an escape: 64 bytes at a time while whole
    /// blocks remain, then (for the input's last bytes, or from the block where something other
    /// than plain text and simple escapes comes before the closing quote) byte-exact.
    #[inline(never)]
    fn skip_long_string(&mut self) -> Result<bool> {
        let start = self.pos;
        let escaped = match string_blocks(self.bytes, self.pos) {
            BlockScan::End { after, escaped } => {
                self.pos = after;
                escaped
            }
            BlockScan::Unsure { from, escaped } => {
                self.pos = from;
                self.skip_string_bytewise(escaped)?
            }
        };
        self.long_string_bytes += self.pos - start;
        Ok(escaped)
    }

    /// Skips a string's contents from the reader's position (just after the opening quote or a
    /// whole escape), finding errors exactly where building the string would.
    fn skip_string_bytewise(&mut self, mut escaped: bool) -> Result<bool> {
        let bytes = self.bytes;
        let mut pos = self.pos;
        loop {
            // Escapes are common in skipped text (`\n` in code), so a block is searched on past
            // each escape instead of being loaded again.
            let (block, width, mut mask) = special_wide_block(bytes, pos);
            while mask != 0 {
                let at = block + mask.trailing_zeros() as usize;
                match bytes[at] {
                    b'"' => {
                        self.pos = at + 1;
                        return Ok(escaped);
                    }
                    b'\\' => {
                        escaped = true;
                        pos = match bytes.get(at + 1) {
                            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => at + 2,
                            _ => {
                                self.pos = at + 1;
                                self.skip_escape()?;
                                self.pos
                            }
                        };
                        if pos >= block + width {
                            break;
                        }
                        mask &= !0u32 << (pos - block);
                    }
                    _ => {
                        self.pos = at;
                        return Err(self.error("control character in a string"));
                    }
                }
            }
            if mask == 0 {
                if block + width > bytes.len() {
                    self.pos = bytes.len();
                    return Err(self.error("unexpected end of input in a string"));
                }
                pos = pos.max(block + width);
            }
        }
    }

    /// Checks an escape (after its backslash) and moves past it.
    fn skip_escape(&mut self) -> Result<()> {
        match self.bytes.get(self.pos) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                self.pos += 1;
                Ok(())
            }
            Some(b'u') => {
                self.pos += 1;
                self.hex4().map(drop)
            }
            Some(_) => Err(self.error("invalid escape")),
            None => Err(self.error("unexpected end of input in a string")),
        }
    }

    /// Skips one value, checking it, without recursion (`depth` counts the containers around it).
    ///
    /// The position is kept in a local (a register) and strings that end in their first 16 bytes
    /// are passed inline: skipped parts (tool schemas, chat messages) are dense with short tokens.
    fn skip_value(&mut self, depth: usize) -> Result<()> {
        let bytes = self.bytes;
        let mut pos = self.pos;
        // Open containers, one bit each (set = object); MAX_NESTING bounds them, so no allocation.
        let mut containers = [0u64; MAX_NESTING.div_ceil(64)];
        let mut len = 0usize;
        // Where the open containers of the first levels started, and the long string bytes
        // counted before each (see `SkippedValues`).
        let mut starts = [(0usize, 0usize); SKIPPED_LEVELS];
        macro_rules! fail {
            ($at:expr, $message:expr) => {{
                self.pos = $at;
                return Err(self.error($message));
            }};
        }
        // Past a string's closing quote (`at` is just after its opening quote).
        macro_rules! skip_string {
            ($at:expr) => {
                match string_end_in_first_block(bytes, $at) {
                    Some(end) => end,
                    None => {
                        self.pos = $at;
                        self.skip_long_string()?;
                        self.pos
                    }
                }
            };
        }
        // Past `"key":` (at the key's opening quote, after whitespace).
        macro_rules! skip_key {
            () => {{
                pos = skip_whitespace(bytes, pos);
                if bytes.get(pos) != Some(&b'"') {
                    fail!(pos, "expected a key (a string)");
                }
                pos = skip_string!(pos + 1);
                pos = skip_whitespace(bytes, pos);
                if bytes.get(pos) != Some(&b':') {
                    fail!(pos, "expected `:`");
                }
                pos += 1;
            }};
        }
        'values: loop {
            // A value starts here.
            pos = skip_whitespace(bytes, pos);
            match bytes.get(pos) {
                Some(&open @ (b'{' | b'[')) => 'open: {
                    if depth + len >= MAX_NESTING {
                        fail!(pos, "nested deeper than 1000 levels");
                    }
                    if len < SKIPPED_LEVELS {
                        match self.scratch.skipped.find(&bytes[pos..]) {
                            // (A value of n bytes nests at most n / 2 levels.)
                            Some(n) if depth + len + n / 2 <= MAX_NESTING => {
                                pos += n;
                                break 'open;
                            }
                            _ => starts[len] = (pos, self.long_string_bytes),
                        }
                    }
                    pos += 1;
                    let object = open == b'{';
                    let close = if object { b'}' } else { b']' };
                    pos = skip_whitespace(bytes, pos);
                    if bytes.get(pos) == Some(&close) {
                        pos += 1;
                    } else {
                        if object {
                            containers[len / 64] |= 1 << (len % 64);
                        } else {
                            containers[len / 64] &= !(1 << (len % 64));
                        }
                        len += 1;
                        if object {
                            skip_key!();
                        }
                        continue 'values;
                    }
                }
                Some(b'"') => pos = skip_string!(pos + 1),
                Some(&b) if b.is_ascii_alphabetic() => {
                    let word: &[u8] = match b {
                        b't' => b"true",
                        b'f' => b"false",
                        b'n' => b"null",
                        _ => fail!(pos, "expected a value"),
                    };
                    if !bytes[pos..].starts_with(word) {
                        fail!(pos, "expected a value");
                    }
                    pos += word.len();
                }
                Some(b'-' | b'0'..=b'9') => {
                    self.pos = pos;
                    self.skip_number()?;
                    pos = self.pos;
                }
                Some(_) => fail!(pos, "expected a value"),
                None => fail!(pos, "unexpected end of input, expected a value"),
            }
            // A value ended: close containers until one continues.
            loop {
                if len == 0 {
                    self.pos = pos;
                    return Ok(());
                }
                let object = containers[(len - 1) / 64] & (1 << ((len - 1) % 64)) != 0;
                pos = skip_whitespace(bytes, pos);
                match bytes.get(pos) {
                    Some(b',') => {
                        pos += 1;
                        if object {
                            skip_key!();
                        }
                        break;
                    }
                    Some(&close) if close == if object { b'}' } else { b']' } => {
                        pos += 1;
                        len -= 1;
                        if len < SKIPPED_LEVELS {
                            let (start, long_before) = starts[len];
                            self.scratch.skipped.keep(&bytes[start..pos], self.long_string_bytes - long_before);
                        }
                    }
                    _ => fail!(pos, if object { "expected `,` or `}`" } else { "expected `,` or `]`" }),
                }
            }
        }
    }
}

/// The position after the JSON whitespace at `pos`.
#[inline(always)]
fn skip_whitespace(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(&b) = bytes.get(pos) {
        if b > b' ' || !matches!(b, b' ' | b'\n' | b'\t' | b'\r') {
            break;
        }
        pos += 1;
    }
    pos
}

/// The position after a string's closing quote when it comes before any escape or control
/// character in the 16 bytes from `at` (just after the opening quote); `None` otherwise.
#[inline(always)]
fn string_end_in_first_block(bytes: &[u8], at: usize) -> Option<usize> {
    let (block, mask) = special_block(bytes, at);
    let first = block + mask.trailing_zeros() as usize;
    (mask != 0 && bytes[first] == b'"').then_some(first + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_fresh(text: &str, projection: &Projection) -> Result<Value> {
        parse(text, projection, &mut KeptScratch::default())
    }

    fn all(text: &str) -> std::result::Result<serde_json::Value, String> {
        parse_fresh(text, &Projection::All).map(|v| v.to_json()).map_err(|e| e.to_string())
    }
    fn fields(paths: &[&[&str]]) -> Projection {
        let mut p = Projection::none();
        for path in paths {
            p.add(path);
        }
        p
    }

    #[test]
    fn values_read_as_json_says() {
        for text in [
            "null",
            "true",
            " [1, -2.5, 3e2, \"x\", {}] ",
            r#"{"a":{"b":[null,false]},"c":"\u00e9\ud83d\ude00\n"}"#,
            "\"long string with no escapes at all, more than sixteen bytes\"",
            "-0",
            "123456789012345678901234567890",
            "0.1",
            "1E-7",
        ] {
            let expected = Value::from_json(&serde_json::from_str(text).unwrap()).to_json();
            assert_eq!(all(text).unwrap(), expected, "{text}");
        }
    }
    #[test]
    fn minus_zero_is_an_integer_zero() {
        assert!(matches!(parse_fresh("-0", &Projection::All), Ok(Value::Number(n)) if n.to_bits() == 0));
        assert!(
            matches!(parse_fresh("-0.0", &Projection::All), Ok(Value::Number(n)) if n.to_bits() == (-0.0f64).to_bits())
        );
    }
    fn text_of(text: &str) -> String {
        parse_fresh(text, &Projection::All).map(|v| v.json_text()).unwrap_or_else(|e| e.to_string())
    }
    #[test]
    fn integers_beyond_two_to_the_53_stay_exact() {
        assert_eq!(text_of("9007199254740993"), "9007199254740993");
        assert_eq!(text_of("[-9223372036854775809, 9007199254740992]"), "[-9223372036854775809,9007199254740992]");
        assert_eq!(text_of("123456789012345678901234567890"), "123456789012345678901234567890");
        assert!(
            matches!(parse_fresh("9007199254740992", &Projection::All), Ok(Value::Number(n)) if n == 9007199254740992.0)
        );
        assert!(
            matches!(parse_fresh("1234567890123456", &Projection::All), Ok(Value::Number(n)) if n == 1234567890123456.0)
        );
        assert!(matches!(parse_fresh("9007199254740993", &Projection::All), Ok(Value::BigInt(_))));
        // Not an integer: the nearest double, as in Python.
        assert!(
            matches!(parse_fresh("9007199254740993.0", &Projection::All), Ok(Value::Number(n)) if n == 9007199254740992.0)
        );
    }
    #[test]
    fn numbers_beyond_the_double_range_are_infinite_as_in_python() {
        assert!(matches!(parse_fresh("1e400", &Projection::All), Ok(Value::Number(n)) if n == f64::INFINITY));
        assert!(matches!(parse_fresh("-1.5e999", &Projection::All), Ok(Value::Number(n)) if n == f64::NEG_INFINITY));
        assert!(matches!(parse_fresh("1e-400", &Projection::All), Ok(Value::Number(n)) if n == 0.0));
        assert_eq!(text_of(&format!("1{}", "0".repeat(400))), format!("1{}", "0".repeat(400)));
    }
    #[test]
    fn lone_surrogates_read_as_the_replacement_character() {
        assert_eq!(text_of(r#""\ud800""#), "\"\u{fffd}\"");
        assert_eq!(text_of(r#""a\udc00b""#), "\"a\u{fffd}b\"");
        // A high surrogate before an escape that does not complete it: each reads on its own.
        assert_eq!(text_of(r#""\ud800\u0041\ud800\ud83d\ude00""#), "\"\u{fffd}A\u{fffd}\u{1F600}\"");
        assert_eq!(text_of(r#""\ud800\n""#), "\"\u{fffd}\\n\"");
        assert_eq!(text_of(r#""\ud800\u12G4""#), "invalid \\u escape at column 10");
    }
    #[test]
    fn duplicate_keys_keep_the_last() {
        assert_eq!(all(r#"{"a":1,"a":2}"#).unwrap()["a"], 2);
        let p = fields(&[&["a"]]);
        assert_eq!(parse_fresh(r#"{"a":1,"b":[],"a":{"x":2}}"#, &p).unwrap().to_json()["a"]["x"], 2);
    }
    #[test]
    fn a_projection_builds_only_its_fields() {
        let p = fields(&[&["a", "b"]]);
        let v = parse_fresh(r#"{"a":{"b":1,"c":[1,{"d":2}]},"e":"x"}"#, &p).unwrap().to_json();
        assert_eq!(v.to_string(), r#"{"a":{"b":1}}"#);
        // An escaped key still matches its field.
        assert_eq!(parse_fresh(r#"{"\u0061":{"b":3}}"#, &p).unwrap().to_json()["a"]["b"], 3);
    }
    #[test]
    fn skipped_parts_are_still_checked() {
        let p = fields(&[]);
        for bad in [
            r#"{"x":[1,2}"#,
            r#"{"x":{"y":1]}"#,
            r#"{"x":01}"#,
            r#"{"x":"\q"}"#,
            r#"{"x":"a"#,
            r#"{"x":tru}"#,
            r#"{"x":[1,]}"#,
            r#"{"x":{"a" 1}}"#,
            r#"{"x":{1:2}}"#,
            r#"{"x":1.}"#,
            r#"{"x":-}"#,
            r#"{"x":"\u12"}"#,
            "{\"x\":\"tab\there\"}",
            r#"{"x":1} 2"#,
            r#"{"x":1,}"#,
        ] {
            assert!(parse_fresh(bad, &p).is_err(), "{bad}");
            assert!(!is_valid(bad), "{bad}");
            assert!(serde_json::from_str::<serde_json::Value>(bad).is_err(), "{bad}");
        }
    }
    /// Skips `text` whole with a reader that has kept nothing, as the first line of a file does.
    fn skip_fresh(text: &str, depth: usize) -> Result<()> {
        let mut reader = Reader::new(text);
        reader
            .skip_value(depth)
            .and_then(|()| reader.peek().map_or(Ok(()), |_| Err(reader.error("trailing characters"))))
    }

    const TOOL: &str = r#"{"type":"function","function":{"name":"lookup_order","parameters":{"type":"object","properties":{"order_id":{"type":"string"}},"required":["order_id"]}}}"#;

    #[test]
    fn values_seen_before_are_passed_with_the_same_answer() {
        let p = fields(&[]);
        let truncated = &TOOL[..TOOL.len() - 1];
        let docs = [
            format!(r#"{{"tools":[{TOOL},{TOOL}],"x":1}}"#),
            format!(r#"{{"tools":[{TOOL}]}}"#),
            format!(r#"{{"other":[[{TOOL}]],"tools":{TOOL}}}"#),
            // The bytes of a kept value, and then something wrong.
            format!(r#"{{"tools":[{TOOL}}}"#),
            format!(r#"{{"tools":[{TOOL}"#),
            format!(r#"{{"tools":[{TOOL},{truncated}]}}"#),
            format!(r#"{{"tools":[{truncated}"#),
            format!(r#"{{"tools":[{TOOL}x]}}"#),
            format!(r#"{{"tools":{TOOL},,"x":1}}"#),
        ];
        for round in 0..2 {
            for doc in &docs {
                let want = skip_fresh(doc, 0);
                assert_eq!(want.is_ok(), serde_json::from_str::<serde_json::Value>(doc).is_ok(), "{doc}");
                assert_eq!(parse_fresh(doc, &p).map(drop), want, "round {round}: {doc}");
            }
        }
        let mut reader = Reader::new(&docs[0]);
        reader.skip_value(0).expect("valid");
        assert_eq!(reader.scratch.skipped.find(TOOL.as_bytes()), Some(TOOL.len()), "the tool is kept");
    }

    #[test]
    fn values_seen_before_still_count_their_nesting() {
        // 30 levels in 107 bytes, kept at the top of a skipped value.
        let deep = format!("{}{}{}", "[".repeat(30), ["0"; 24].join(","), "]".repeat(30));
        let mut reader = Reader::new(&deep);
        reader.skip_value(0).expect("valid");
        assert_eq!(reader.scratch.skipped.find(deep.as_bytes()), Some(deep.len()));
        for depth in [0, 900, 960, 969, 970, 975, 999] {
            let mut again = Reader::with_scratch(&deep, std::mem::take(&mut reader.scratch));
            let got = again.skip_value(depth);
            assert_eq!(got, skip_fresh(&deep, depth), "at depth {depth}");
            assert_eq!(got.is_ok(), depth + 30 <= MAX_NESTING, "at depth {depth}");
            reader.scratch = again.scratch;
        }
    }

    #[test]
    fn errors_say_what_and_where() {
        assert_eq!(all(r#"{"a":1"#).unwrap_err(), "expected `,` or `}` at column 7");
        assert_eq!(all(r#"[1,2}"#).unwrap_err(), "expected `,` or `]` at column 5");
        assert_eq!(all("").unwrap_err(), "unexpected end of input, expected a value at column 1");
        assert_eq!(all("[1] x").unwrap_err(), "trailing characters at column 5");
    }
    #[test]
    fn nesting_is_bounded_when_building_and_when_skipping() {
        // Building recurses once per level: graders run it on threads with `run::STACK` bytes of
        // stack, which an unoptimised build needs at 1,000 levels (a test thread has 2 MiB).
        let on_grading_stack = std::thread::Builder::new().stack_size(crate::run::STACK).spawn(|| {
            let deep = |n: usize| format!("{{\"x\":{}{}}}", "[".repeat(n), "]".repeat(n));
            assert!(all(&deep(999)).is_ok());
            assert!(all(&deep(1000)).unwrap_err().starts_with("nested deeper than 1000 levels"));
            assert!(parse_fresh(&deep(999), &fields(&[])).is_ok());
            assert!(parse_fresh(&deep(1000), &fields(&[])).unwrap_err().message.starts_with("nested deeper"));
            assert!(parse_fresh(&deep(100_000), &fields(&[])).is_err());
        });
        on_grading_stack.expect("a thread starts").join().expect("no assertion fails");
    }
    #[test]
    fn agrees_with_serde_json_on_random_documents() {
        // Strings built from pieces that stress the 16-byte blocks: escapes (valid or not) at
        // every offset, control characters, multi-byte UTF-8, unterminated ends.
        let pieces = [
            "a",
            "bcdefgh",
            "é",
            "😀",
            "\\n",
            "\\\"",
            "\\\\",
            "\\u00e9",
            "\\ud83d\\ude00",
            "\\q",
            "\\u12G4",
            "\t",
            "\"",
            "\\",
            "\\ud800",
            " ",
            "0123456789abcdef",
            "\\\\\\",
            "\\\\\\\\",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
        ];
        let mut next = crate::testing::xorshift(0x9E3779B97F4A7C15);
        for _ in 0..20_000 {
            let mut s = String::from("{\"k\":\"");
            // What serde_json should read the same as `s`: a lone surrogate (which serde_json
            // rejects) written as the U+FFFD that the reader makes of it.
            let mut replaced = s.clone();
            // Up to a few hundred bytes, so that strings cross 64-byte blocks too.
            for _ in 0..next() % 40 {
                let piece = pieces[(next() % pieces.len() as u64) as usize];
                // (After an odd run of backslashes, the piece's own backslash is escaped.)
                let escaped = s.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1;
                s.push_str(piece);
                replaced.push_str(match (piece, escaped) {
                    ("\\ud800", false) => "\\ufffd",
                    ("\\ud83d\\ude00", true) => "\\ud83d\\ufffd",
                    _ => piece,
                });
            }
            if !next().is_multiple_of(8) {
                s.push_str("\"}");
                replaced.push_str("\"}");
            }
            let serde = serde_json::from_str::<serde_json::Value>(&replaced);
            let kept = parse_fresh(&s, &Projection::All);
            assert_eq!(kept.is_ok(), serde.is_ok(), "{s}: {kept:?}");
            if let (Ok(kept), Ok(serde)) = (kept, serde) {
                assert_eq!(kept.to_json(), Value::from_json(&serde).to_json(), "{s}");
            }
            assert_eq!(is_valid(&s), serde_json::from_str::<serde::de::IgnoredAny>(&replaced).is_ok(), "{s}");
            // Skipping the string reports the same error, at the same byte, as building it.
            let built = parse_fresh(&s, &Projection::All).err();
            assert_eq!(parse_fresh(&s, &fields(&[])).err(), built, "{s}");
        }
    }
    #[test]
    fn short_strings_come_back_as_built() {
        let mut strings = ShortStrings::default();
        let texts: Vec<String> = (0..2000).map(|i| format!("{}{i}", "k".repeat(i % 30))).collect();
        for round in 0..3 {
            for text in &texts {
                assert_eq!(strings.get(text), text.as_str(), "round {round}");
            }
        }
        assert_eq!(strings.get(""), "");
    }
    #[test]
    fn strings_find_their_end_across_the_sixteen_byte_steps() {
        for n in 0..40 {
            let s = format!("\"{}\\\"{}\"", "a".repeat(n), "é".repeat(n % 7));
            let expected = Value::from_json(&serde_json::from_str(&s).unwrap()).to_json();
            assert_eq!(all(&s).unwrap(), expected);
            assert!(parse_fresh(&format!("{{\"k\":{s}}}"), &fields(&[])).is_ok());
        }
    }
}
