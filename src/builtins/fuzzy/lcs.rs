//! The longest-common-subsequence kernel behind the InDel distance: strings coded one byte per
//! code point, and Hyyrö's bit-parallel LCS over 64-character words.

use std::borrow::Cow;

use super::Similarity;

/// One byte per code point for the strings of one comparison, so that LCS tables are indexed by
/// byte: an ASCII character codes as itself, the other characters as 128, 129, ... in the order
/// they are met. Equal characters get equal codes, so LCS lengths are those of the code points;
/// coding fails (`None`) past 128 distinct non-ASCII characters.
#[derive(Default)]
pub(super) struct ByteCoder {
    /// The distinct non-ASCII characters met so far: `wide[k]` codes as `128 + k`.
    wide: Vec<char>,
}

impl ByteCoder {
    pub(super) fn code(&mut self, c: char) -> Option<u8> {
        if c.is_ascii() {
            return Some(c as u8);
        }
        // Few texts have more than a handful of distinct non-ASCII characters: a linear search.
        let k = match self.wide.iter().position(|&w| w == c) {
            Some(k) => k,
            None if self.wide.len() < 128 => {
                self.wide.push(c);
                self.wide.len() - 1
            }
            None => return None,
        };
        Some(128 + k as u8)
    }

    pub(super) fn code_chars(&mut self, chars: impl IntoIterator<Item = char>, capacity: usize) -> Option<Vec<u8>> {
        let mut codes = Vec::with_capacity(capacity);
        for c in chars {
            codes.push(self.code(c)?);
        }
        Some(codes)
    }

    /// `s` coded: runs of ASCII are copied as they are, the other characters coded one by one.
    pub(super) fn code_str(&mut self, s: &str) -> Option<Vec<u8>> {
        let bytes = s.as_bytes();
        let mut codes = Vec::with_capacity(bytes.len());
        let mut at = 0;
        while at < bytes.len() {
            let ascii = ascii_prefix(&bytes[at..]);
            codes.extend_from_slice(&bytes[at..at + ascii]);
            at += ascii;
            if let Some(c) = s[at..].chars().next() {
                codes.push(self.code(c)?);
                at += c.len_utf8();
            }
        }
        Some(codes)
    }

    pub(super) fn code_forms<'s>(&mut self, sim: Similarity, strings: &[&'s str]) -> Option<Vec<Cow<'s, [u8]>>> {
        strings.iter().map(|s| self.code_form(sim, s)).collect()
    }

    /// `s` as `ratio` (`sim` `Ratio`) or `token_sort_ratio` compares it, coded. An ASCII string is
    /// its own coding for `ratio`.
    pub(super) fn code_form<'s>(&mut self, sim: Similarity, s: &'s str) -> Option<Cow<'s, [u8]>> {
        match sim {
            Similarity::Ratio if s.is_ascii() => Some(Cow::Borrowed(s.as_bytes())),
            Similarity::Ratio => self.code_str(s).map(Cow::Owned),
            _ => {
                let chars = sim.prepare(s).into_chars();
                self.code_chars(chars.iter().copied(), chars.len()).map(Cow::Owned)
            }
        }
    }
}

/// One byte-coded string (the pattern) prepared for longest-common-subsequence lengths against many
/// others, by the bit-parallel algorithm rapidfuzz uses (Hyyrö, "Bit-Parallel LCS-length
/// Computation Revisited"). The length is an exact integer, so any correct algorithm gives
/// rapidfuzz's InDel distances; this one skips a common prefix and suffix (models often cite nearly
/// verbatim) and looks characters up by their byte code rather than through rapidfuzz's hashing.
pub(super) struct LcsPattern<'a> {
    pattern: &'a [u8],
    /// Where the zeroed table is handed back when the pattern is dropped.
    tables: &'a mut LcsTables,
    blocks: usize,
    /// `masks[(i / 64) * 256 + code]` has bit `i % 64` set when the pattern's character `i` has
    /// `code`: a table of 256 words (one per byte code) for each 64 characters of the pattern.
    masks: Vec<u64>,
}

impl<'a> LcsPattern<'a> {
    /// The pattern's masks: for each 64 characters, a table with a word for each of the 256 byte
    /// codes, so that a byte indexes it without a bounds check.
    pub(super) fn new(pattern: &'a [u8], tables: &'a mut LcsTables) -> LcsPattern<'a> {
        let blocks = pattern.len().div_ceil(64);
        // The table is mostly zeros: rather than zeroing `256 * blocks` words for every pattern,
        // the grading context's table is kept zeroed between patterns by clearing only the words
        // set (`drop`).
        let mut masks = std::mem::take(&mut tables.0);
        if masks.len() < 256 * blocks {
            masks.resize(256 * blocks, 0);
        }
        let (per_block, _) = masks.as_chunks_mut::<256>();
        for (table, chunk) in per_block.iter_mut().zip(pattern.chunks(64)) {
            for (bit, &code) in chunk.iter().enumerate() {
                table[usize::from(code)] |= 1 << bit;
            }
        }
        LcsPattern { pattern, tables, blocks, masks }
    }

    /// The length of a longest common subsequence of the pattern and `text`.
    pub(super) fn lcs_len(&self, text: &[u8]) -> usize {
        let pattern = self.pattern;
        // A common prefix and a common suffix are part of some longest common subsequence.
        let prefix = common_prefix(pattern, text);
        let suffix = common_suffix(&pattern[prefix..], &text[prefix..]);
        let pattern_end = pattern.len() - suffix;
        let middle = &text[prefix..text.len() - suffix];
        if pattern_end == prefix || middle.is_empty() {
            return prefix + suffix;
        }
        suffix
            + match self.blocks {
                1 => self.lcs_len_of_prefix::<1>(prefix, middle, pattern_end),
                2 => self.lcs_len_of_prefix::<2>(prefix, middle, pattern_end),
                3 => self.lcs_len_of_prefix::<3>(prefix, middle, pattern_end),
                4 => self.lcs_len_of_prefix::<4>(prefix, middle, pattern_end),
                _ => self.lcs_len_of_prefix_any(prefix, middle, pattern_end),
            }
    }

    /// The LCS length of `pattern[..pattern_end]` and the text `pattern[..prefix]` + `middle`, for a
    /// pattern of `BLOCKS` words (state kept in registers). The state has a zero bit for each
    /// pattern character counted so far; after the shared prefix these are exactly its first
    /// `prefix` bits. Each text character then updates it as Hyyrö's
    /// `S = (S + (S & M)) | (S - (S & M))` over a multi-word integer.
    pub(super) fn lcs_len_of_prefix<const BLOCKS: usize>(
        &self,
        prefix: usize,
        middle: &[u8],
        pattern_end: usize,
    ) -> usize {
        let (tables, _) = self.masks.as_chunks::<256>();
        let tables: &[[u64; 256]; BLOCKS] = tables.first_chunk().expect("a table for every block");
        let mut state: [u64; BLOCKS] = std::array::from_fn(|w| low_bits_clear(prefix, w));
        for &code in middle {
            let mut carry = false;
            for (s, table) in state.iter_mut().zip(tables) {
                (*s, carry) = hyyro_step(*s, table[usize::from(code)], carry);
            }
        }
        state.iter().enumerate().map(|(w, s)| (!s & low_bits_set(pattern_end, w)).count_ones() as usize).sum()
    }

    /// `lcs_len_of_prefix` for any number of blocks. Words wholly inside the prefix stay zero and
    /// carry nothing, and words wholly past `pattern_end` cannot affect lower ones, so only the
    /// words in between are updated.
    pub(super) fn lcs_len_of_prefix_any(&self, prefix: usize, middle: &[u8], pattern_end: usize) -> usize {
        let (first, end) = (prefix / 64, pattern_end.div_ceil(64));
        let mut state: Vec<u64> = (first..end).map(|w| low_bits_clear(prefix, w)).collect();
        let (tables, _) = self.masks.as_chunks::<256>();
        let tables = &tables[first..end];
        for &code in middle {
            let mut carry = false;
            for (s, table) in state.iter_mut().zip(tables) {
                (*s, carry) = hyyro_step(*s, table[usize::from(code)], carry);
            }
        }
        let counted = first * 64; // the words before `first` are all matched prefix characters
        counted
            + state
                .iter()
                .zip(first..)
                .map(|(s, w)| (!s & low_bits_set(pattern_end, w)).count_ones() as usize)
                .sum::<usize>()
    }
}

/// An all-zero mask table for the next [`LcsPattern`], kept in the grading context (see
/// `LcsPattern::new`).
#[derive(Default)]
pub struct LcsTables(Vec<u64>);

/// Mask tables up to this many words (1 MB) are kept for the next pattern; larger ones are freed.
pub(super) const KEPT_MASK_WORDS: usize = 1 << 17;

impl Drop for LcsPattern<'_> {
    /// Clears the words the pattern set and hands the zeroed table back.
    fn drop(&mut self) {
        let mut masks = std::mem::take(&mut self.masks);
        if masks.len() > KEPT_MASK_WORDS {
            return;
        }
        let (tables, _) = masks.as_chunks_mut::<256>();
        for (table, chunk) in tables.iter_mut().zip(self.pattern.chunks(64)) {
            for &code in chunk {
                table[usize::from(code)] = 0;
            }
        }
        self.tables.0 = masks;
    }
}

/// The number of ASCII bytes `bytes` starts with, found 16 bytes at a time (legal text is mostly
/// ASCII between its quotation marks and section signs).
pub(super) fn ascii_prefix(bytes: &[u8]) -> usize {
    const HIGH_BITS: u128 = u128::from_le_bytes([0x80; 16]);
    let (blocks, _) = bytes.as_chunks::<16>();
    for (i, block) in blocks.iter().enumerate() {
        let high = u128::from_le_bytes(*block) & HIGH_BITS;
        if high != 0 {
            return 16 * i + high.trailing_zeros() as usize / 8;
        }
    }
    let whole = 16 * blocks.len();
    whole + bytes[whole..].iter().take_while(|b| b.is_ascii()).count()
}

/// The length of the longest common prefix of `a` and `b`, compared 8 bytes at a time as far as
/// possible (verbatim citations share whole strings).
pub(super) fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let whole = a.as_chunks::<8>().0.iter().zip(b.as_chunks::<8>().0).take_while(|(x, y)| x == y).count() * 8;
    whole + a[whole..].iter().zip(&b[whole..]).take_while(|(x, y)| x == y).count()
}

/// The length of the longest common suffix of `a` and `b`, as `common_prefix`.
pub(super) fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let whole =
        a.as_rchunks::<8>().1.iter().rev().zip(b.as_rchunks::<8>().1.iter().rev()).take_while(|(x, y)| x == y).count()
            * 8;
    let (a, b) = (&a[..a.len() - whole], &b[..b.len() - whole]);
    whole + a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count()
}

/// One word of Hyyrö's update with the carry of the multi-word addition in and out.
pub(super) fn hyyro_step(state: u64, matches: u64, carry: bool) -> (u64, bool) {
    let u = state & matches;
    let (sum, overflow) = state.overflowing_add(u);
    let (sum, overflow_carry) = sum.overflowing_add(u64::from(carry));
    (sum | (state - u), overflow | overflow_carry)
}

/// Word `w` of a bit string whose first `n` bits are zero and the rest one.
pub(super) fn low_bits_clear(n: usize, w: usize) -> u64 {
    !low_bits_set(n, w)
}

/// Word `w` of a bit string whose first `n` bits are one and the rest zero.
pub(super) fn low_bits_set(n: usize, w: usize) -> u64 {
    match n.saturating_sub(w * 64) {
        0 => 0,
        k if k >= 64 => !0,
        k => (1 << k) - 1,
    }
}
