//! Byte-scanning primitives, the one place besides `alloc` with unsafe code: SSE2 (and AVX2
//! where the CPU has it) for finding string specials in JSON, digits in prose and separators to
//! normalise, each with a scalar twin in [`scalar`] that defines what it computes; one test checks
//! every SIMD primitive against its twin at every offset.
//!
//! Every SIMD block is a load of bytes known to be in bounds and a few compares; SSE2 is part of
//! x86_64, AVX2 is used only after `is_x86_feature_detected!`.

/// The index of the first `"`, `\\` or control character at or after `from` (or the length).
#[inline]
pub(crate) fn find_string_special(bytes: &[u8], mut from: usize) -> usize {
    loop {
        let (block, mask) = special_block(bytes, from);
        if mask != 0 {
            return block + mask.trailing_zeros() as usize;
        }
        if block + 16 >= bytes.len() {
            return bytes.len();
        }
        from = block + 16;
    }
}

pub(crate) fn is_string_special(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

/// Where [`string_blocks`] left a string.
#[derive(Debug, PartialEq)]
pub(crate) enum BlockScan {
    /// The string ends just before `after`.
    End { after: usize, escaped: bool },
    /// Plain up to `from` (which is not inside an escape); what follows needs the byte-exact loop.
    Unsure { from: usize, escaped: bool },
}

/// Follows a string's contents from `pos` (not inside an escape) 64 bytes at a time. Escapes are
/// found with bit arithmetic rather than one branch each (code and chat text are dense with `\n`):
/// a block is passed when its unescaped quotes, control characters and escapes are all accounted
/// for, and handed back as [`BlockScan::Unsure`] at its start when anything before the closing
/// quote is not plain text or a one-character escape.
pub(crate) fn string_blocks(bytes: &[u8], pos: usize) -> BlockScan {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, as just checked.
        return unsafe { string_blocks_avx2(bytes, pos) };
    }
    string_blocks_with(bytes, pos, special_masks)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
pub(crate) unsafe fn string_blocks_avx2(bytes: &[u8], pos: usize) -> BlockScan {
    string_blocks_with(bytes, pos, |bytes, at| {
        // SAFETY: the caller checked that the CPU has AVX2.
        unsafe { special_masks_avx2(bytes, at) }
    })
}

/// Bytes in one-character escapes after a backslash (`\u` and anything else go byte-exact).
pub(crate) static SIMPLE_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    let simple = b"\"\\/bfnrt";
    while i < simple.len() {
        table[simple[i] as usize] = true;
        i += 1;
    }
    table
};

#[inline(always)]
pub(crate) fn string_blocks_with(
    bytes: &[u8],
    mut pos: usize,
    masks: impl Fn(&[u8], usize) -> SpecialMasks,
) -> BlockScan {
    let mut escaped = false;
    while pos + 64 <= bytes.len() {
        let SpecialMasks { quote, backslash, control, letter_n } = masks(bytes, pos);
        let (escaping, escaped_bytes) = escapes(backslash);
        let quotes = quote & !escaped_bytes;
        // The bytes before the closing quote (all of them when it is not in this block).
        let before = quotes.wrapping_sub(1) & !quotes;
        let escapes_before = escaped_bytes & before;
        if control & before != 0 {
            return BlockScan::Unsure { from: pos, escaped };
        }
        if escapes_before != 0 {
            escaped = true;
            // `\n`, `\"` and `\\` (most escapes in code and chat text) are known from the masks;
            // only the others are looked up.
            let mut others = escapes_before & !(letter_n | quote | backslash);
            while others != 0 {
                if !SIMPLE_ESCAPE[bytes[pos + others.trailing_zeros() as usize] as usize] {
                    return BlockScan::Unsure { from: pos, escaped };
                }
                others &= others - 1;
            }
        }
        if quotes != 0 {
            return BlockScan::End { after: pos + quotes.trailing_zeros() as usize + 1, escaped };
        }
        // A backslash in the last byte escapes the next block's first: start there at it instead.
        pos += if escaping >> 63 != 0 { 63 } else { 64 };
    }
    BlockScan::Unsure { from: pos, escaped }
}

/// Of a block's backslashes (bit k = byte k), those that escape the byte after them, and the bytes
/// they escape (the block starts outside an escape). A run of backslashes escapes alternately, so
/// subtracting each run's start from its odd-position bits finds the runs of odd length (the
/// bit trick of simdjson's `json_escape_scanner`).
#[inline(always)]
pub(crate) fn escapes(backslash: u64) -> (u64, u64) {
    const ODD_BITS: u64 = 0xAAAA_AAAA_AAAA_AAAA;
    let codes = ((backslash << 1) | ODD_BITS).wrapping_sub(backslash) ^ ODD_BITS;
    (codes & backslash, codes ^ backslash)
}

/// The `"`, `\\` and control characters among 64 bytes (bit k = byte `at + k`), and the letters
/// `n` (which an escape makes a newline).
#[derive(Debug, PartialEq)]
pub(crate) struct SpecialMasks {
    quote: u64,
    backslash: u64,
    control: u64,
    letter_n: u64,
}

/// [`SpecialMasks`] of the 64 bytes at `at..at + 64` (inside `bytes`), 16 bytes at a time.
#[inline(always)]
pub(crate) fn special_masks(bytes: &[u8], at: usize) -> SpecialMasks {
    let block = &bytes[at..at + 64];
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_set1_epi8,
        };
        let mut masks = SpecialMasks { quote: 0, backslash: 0, control: 0, letter_n: 0 };
        for k in 0..4 {
            // SAFETY: SSE2 is part of x86_64; the load reads 16 of the block's 64 bytes.
            unsafe {
                let chunk = _mm_loadu_si128(block.as_ptr().add(16 * k).cast::<__m128i>());
                let bits = |v| u64::from(_mm_movemask_epi8(v) as u16) << (16 * k);
                masks.quote |= bits(_mm_cmpeq_epi8(chunk, _mm_set1_epi8(b'"' as i8)));
                masks.backslash |= bits(_mm_cmpeq_epi8(chunk, _mm_set1_epi8(b'\\' as i8)));
                masks.control |= bits(_mm_cmpeq_epi8(_mm_min_epu8(chunk, _mm_set1_epi8(0x1F)), chunk));
                masks.letter_n |= bits(_mm_cmpeq_epi8(chunk, _mm_set1_epi8(b'n' as i8)));
            }
        }
        masks
    }
    #[cfg(not(target_arch = "x86_64"))]
    scalar::special_masks(block, 0)
}

/// [`special_masks`] 32 bytes at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
pub(crate) unsafe fn special_masks_avx2(bytes: &[u8], at: usize) -> SpecialMasks {
    use std::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_min_epu8, _mm256_movemask_epi8, _mm256_set1_epi8,
    };
    let block = &bytes[at..at + 64];
    let mut masks = SpecialMasks { quote: 0, backslash: 0, control: 0, letter_n: 0 };
    for k in 0..2 {
        // SAFETY: the load reads 32 of the block's 64 bytes.
        let chunk = unsafe { _mm256_loadu_si256(block.as_ptr().add(32 * k).cast::<__m256i>()) };
        let bits = |v| u64::from(_mm256_movemask_epi8(v) as u32) << (32 * k);
        masks.quote |= bits(_mm256_cmpeq_epi8(chunk, _mm256_set1_epi8(b'"' as i8)));
        masks.backslash |= bits(_mm256_cmpeq_epi8(chunk, _mm256_set1_epi8(b'\\' as i8)));
        masks.control |= bits(_mm256_cmpeq_epi8(_mm256_min_epu8(chunk, _mm256_set1_epi8(0x1F)), chunk));
        masks.letter_n |= bits(_mm256_cmpeq_epi8(chunk, _mm256_set1_epi8(b'n' as i8)));
    }
    masks
}

/// The 32 bytes from `at` as [`special_block`] would mark them, as two blocks in one mask (fewer
/// near the end of the input): the block's start, its width (32 or 16) and the mask.
#[inline(always)]
pub(crate) fn special_wide_block(bytes: &[u8], at: usize) -> (usize, usize, u32) {
    if at + 32 <= bytes.len() {
        let (_, low) = special_block(bytes, at);
        let (_, high) = special_block(bytes, at + 16);
        return (at, 32, low | (high << 16));
    }
    let (block, mask) = special_block(bytes, at);
    (block, 16, mask)
}

/// The 16 bytes from `at` (fewer at the end of the input) as a bit mask of the `"`, `\\` and
/// control characters among them (bit k = byte `at + k`).
#[inline(always)]
pub(crate) fn special_block(bytes: &[u8], at: usize) -> (usize, u32) {
    #[cfg(target_arch = "x86_64")]
    if at + 16 <= bytes.len() {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        };
        // SAFETY: SSE2 is part of x86_64, so the intrinsics are always available; the load reads
        // the 16 bytes at `at..at + 16`, inside `bytes` as just checked.
        let mask = unsafe {
            let chunk = _mm_loadu_si128(bytes.as_ptr().add(at).cast::<__m128i>());
            let special = _mm_or_si128(
                _mm_or_si128(
                    _mm_cmpeq_epi8(chunk, _mm_set1_epi8(b'"' as i8)),
                    _mm_cmpeq_epi8(chunk, _mm_set1_epi8(b'\\' as i8)),
                ),
                _mm_cmpeq_epi8(_mm_min_epu8(chunk, _mm_set1_epi8(0x1F)), chunk),
            );
            _mm_movemask_epi8(special) as u32
        };
        return (at, mask);
    }
    scalar::special_block(bytes, at)
}

/// The index of the first ASCII digit at or after `from` (or the length). Prose is mostly
/// letters, so 16 bytes are tested at a time.
pub(crate) fn next_digit(bytes: &[u8], mut from: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_set1_epi8, _mm_sub_epi8,
        };
        while from + 16 <= bytes.len() {
            // SAFETY: SSE2 is part of x86_64; the load reads `from..from + 16`, inside `bytes`.
            let mask = unsafe {
                let chunk = _mm_loadu_si128(bytes.as_ptr().add(from).cast::<__m128i>());
                let offset = _mm_sub_epi8(chunk, _mm_set1_epi8(b'0' as i8));
                _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(offset, _mm_set1_epi8(9)), offset))
            };
            if mask != 0 {
                return from + mask.trailing_zeros() as usize;
            }
            from += 16;
        }
    }
    scalar::next_digit(bytes, from)
}

/// ASCII `A-Z` lowered, every dash (U+002D, U+2010..U+2015, U+2212) and every space, TAB, LF, CR,
/// VT, FF and NBSP turned into a space, runs of spaces collapsed to one space. Nothing else changes:
/// no other case folding, no Unicode normalisation (NFC/NFKC), other whitespace is kept.
pub fn normalize_text(text: &str) -> String {
    // Works on bytes: ASCII is handled directly, other characters are copied whole (only
    // U+00A0, U+2010..U+2015 and U+2212 among them are separators).
    let bytes = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut after_space = false;
    let mut i = 0;
    // Where the byte loop may hand back to the 16-byte path (after a block it had to do itself).
    let mut bytewise_until = 0;
    while i < bytes.len() {
        // Plain ASCII prose with single separators is rewritten 16 bytes at a time.
        #[cfg(target_arch = "x86_64")]
        if i >= bytewise_until {
            if let Some(block) = normalize_ascii_block(bytes, i, after_space) {
                out.extend_from_slice(&block);
                after_space = block[15] == b' ';
                i += 16;
                continue;
            }
            bytewise_until = i + 16;
        }
        let b = bytes[i];
        let (is_separator, width) = if b < 0x80 {
            (matches!(b, b'-' | b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c), 1)
        } else {
            let c = text[i..].chars().next().unwrap_or('\u{fffd}');
            (matches!(c, '\u{a0}' | '\u{2010}'..='\u{2015}' | '\u{2212}'), c.len_utf8())
        };
        if is_separator {
            if !after_space {
                out.push(b' ');
            }
            after_space = true;
        } else {
            if width == 1 {
                out.push(b.to_ascii_lowercase());
            } else {
                out.extend_from_slice(&bytes[i..i + width]);
            }
            after_space = false;
        }
        i += width;
    }
    debug_assert!(std::str::from_utf8(&out).is_ok());
    // SAFETY: `out` holds ASCII bytes and whole characters copied from `text`, so it is valid
    // UTF-8 (checking it again would be measurable on text-heavy graders).
    unsafe { String::from_utf8_unchecked(out) }
}

/// The 16 bytes at `at` normalised, when they are all ASCII and no separator among them follows
/// another (nor the first one a space already written): then each separator becomes one space and
/// each `A-Z` is lowered, which is what the byte loop of [`normalize_text`] would write.
#[cfg(target_arch = "x86_64")]
pub(crate) fn normalize_ascii_block(bytes: &[u8], at: usize, after_space: bool) -> Option<[u8; 16]> {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi8, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8, _mm_storeu_si128, _mm_sub_epi8,
    };
    if at + 16 > bytes.len() {
        return None;
    }
    let mut block = [0u8; 16];
    // SAFETY: SSE2 is part of x86_64; the load reads `at..at + 16`, inside `bytes` as checked, and
    // the store writes the 16 bytes of `block`.
    unsafe {
        let chunk = _mm_loadu_si128(bytes.as_ptr().add(at).cast::<__m128i>());
        if _mm_movemask_epi8(chunk) != 0 {
            return None; // a non-ASCII byte
        }
        let in_range = |low: u8, span: u8| {
            let offset = _mm_sub_epi8(chunk, _mm_set1_epi8(low as i8));
            _mm_cmpeq_epi8(_mm_min_epu8(offset, _mm_set1_epi8(span as i8)), offset)
        };
        // TAB LF VT FF CR (0x09..=0x0D), space and `-`.
        let separator = _mm_or_si128(
            in_range(0x09, 4),
            _mm_or_si128(
                _mm_cmpeq_epi8(chunk, _mm_set1_epi8(b' ' as i8)),
                _mm_cmpeq_epi8(chunk, _mm_set1_epi8(b'-' as i8)),
            ),
        );
        let mask = _mm_movemask_epi8(separator) as u32;
        if mask & ((mask << 1) | after_space as u32) != 0 {
            return None; // a run of separators: the byte loop collapses it
        }
        let upper = _mm_and_si128(in_range(b'A', 25), _mm_set1_epi8(0x20));
        let lowered = _mm_add_epi8(chunk, upper);
        let spaced =
            _mm_or_si128(_mm_andnot_si128(separator, lowered), _mm_and_si128(separator, _mm_set1_epi8(b' ' as i8)));
        _mm_storeu_si128(block.as_mut_ptr().cast::<__m128i>(), spaced);
    }
    Some(block)
}

/// What each SIMD primitive computes, a byte at a time: the definitions the SIMD code is tested
/// against, and the code on other architectures (and for the last bytes of an input).
pub(crate) mod scalar {
    use super::{SpecialMasks, is_string_special};

    /// [`super::special_masks`]: the 64 bytes at `at` (inside `bytes`).
    #[cfg_attr(all(target_arch = "x86_64", not(test)), allow(dead_code))]
    pub(crate) fn special_masks(bytes: &[u8], at: usize) -> SpecialMasks {
        let block = &bytes[at..at + 64];
        let bits = |f: fn(u8) -> bool| block.iter().enumerate().fold(0u64, |m, (k, &b)| m | (u64::from(f(b)) << k));
        SpecialMasks {
            quote: bits(|b| b == b'"'),
            backslash: bits(|b| b == b'\\'),
            control: bits(|b| b < 0x20),
            letter_n: bits(|b| b == b'n'),
        }
    }

    /// [`super::special_block`]: the string specials among the 16 bytes from `at` (fewer at the end).
    pub(crate) fn special_block(bytes: &[u8], at: usize) -> (usize, u32) {
        let rest = bytes.get(at..).unwrap_or_default();
        let mask = rest.iter().take(16).enumerate().fold(0u32, |m, (k, &b)| m | (u32::from(is_string_special(b)) << k));
        (at, mask)
    }

    /// [`super::next_digit`]: the first ASCII digit at or after `from`, or the length.
    pub(crate) fn next_digit(bytes: &[u8], from: usize) -> usize {
        bytes[from..].iter().position(u8::is_ascii_digit).map_or(bytes.len(), |at| from + at)
    }

    /// [`super::normalize_ascii_block`]: the 16 bytes at `at` with separators spaced and `A-Z`
    /// lowered, when they are ASCII and no separator follows another (or a written space).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn normalize_ascii_block(bytes: &[u8], at: usize, after_space: bool) -> Option<[u8; 16]> {
        let block: [u8; 16] = bytes.get(at..at + 16)?.try_into().ok()?;
        if !block.is_ascii() {
            return None;
        }
        let is_separator = |b: u8| matches!(b, 0x09..=0x0D | b' ' | b'-');
        let mut previous = after_space;
        let mut out = [0u8; 16];
        for (o, &b) in out.iter_mut().zip(&block) {
            let separator = is_separator(b);
            if separator && previous {
                return None;
            }
            previous = separator;
            *o = if separator { b' ' } else { b.to_ascii_lowercase() };
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes that each primitive tells apart: string specials, escapes, digits, separators,
    /// upper- and lowercase letters, and the lead and continuation bytes of non-ASCII text.
    const ALPHABET: &[u8] = b"\"\\\x00\x1f\t\n\r\x0b\x0c -09.,aAnNzZ@[`{\x7f\xc3\xa9\xe2\x80";

    #[test]
    fn every_simd_primitive_agrees_with_its_scalar_twin_at_every_offset() {
        let mut random = crate::testing::xorshift(0x2545F4914F6CDD1D);
        for round in 0..3_000 {
            let len = 64 + (random() % 100) as usize;
            // Some rounds are mostly letters and single spaces, which the normalising block accepts.
            let letters: &[u8] = if round % 3 == 0 { b"abcXYZ 12" } else { ALPHABET };
            let bytes: Vec<u8> = (0..len).map(|_| letters[(random() % letters.len() as u64) as usize]).collect();
            for at in 0..len {
                assert_eq!(special_block(&bytes, at), scalar::special_block(&bytes, at), "{bytes:?} at {at}");
                assert_eq!(next_digit(&bytes, at), scalar::next_digit(&bytes, at), "{bytes:?} at {at}");
                #[cfg(target_arch = "x86_64")]
                for after_space in [false, true] {
                    assert_eq!(
                        normalize_ascii_block(&bytes, at, after_space),
                        scalar::normalize_ascii_block(&bytes, at, after_space),
                        "{bytes:?} at {at}, after a space: {after_space}"
                    );
                }
                if at + 64 <= len {
                    assert_eq!(special_masks(&bytes, at), scalar::special_masks(&bytes, at), "{bytes:?} at {at}");
                    #[cfg(target_arch = "x86_64")]
                    if std::arch::is_x86_feature_detected!("avx2") {
                        // SAFETY: the CPU has AVX2, as just checked.
                        let wide = unsafe { special_masks_avx2(&bytes, at) };
                        assert_eq!(wide, scalar::special_masks(&bytes, at), "{bytes:?} at {at}");
                    }
                }
            }
        }
    }

    #[test]
    fn escapes_in_a_block_are_the_bytes_after_odd_runs_of_backslashes() {
        let mut random = crate::testing::xorshift(0x2545F4914F6CDD1D);
        for _ in 0..100_000 {
            let seed = random();
            // Dense runs of backslashes: about three bits in four set.
            let backslash = seed | (seed >> 1).rotate_left(17);
            let (mut escaping, mut escaped) = (0u64, 0u64);
            let mut k = 0;
            while k < 64 {
                if backslash >> k & 1 == 1 {
                    escaping |= 1 << k;
                    if k < 63 {
                        escaped |= 1 << (k + 1);
                    }
                    k += 2;
                } else {
                    k += 1;
                }
            }
            assert_eq!(escapes(backslash), (escaping, escaped), "{backslash:064b}");
        }
    }
    #[test]
    fn string_blocks_agree_with_and_without_avx2() {
        let pieces: [&[u8]; 8] = [b"a", b"\\", b"\"", b"\\n", b"\t", b"\\u", b"0123456789abcdef", "é".as_bytes()];
        let mut random = crate::testing::xorshift(0x9E3779B97F4A7C15);
        for _ in 0..20_000 {
            let mut text = Vec::new();
            while text.len() < 200 {
                text.extend_from_slice(pieces[(random() % 8) as usize]);
            }
            let portable = string_blocks_with(&text, 0, special_masks);
            assert_eq!(string_blocks(&text, 0), portable, "{}", String::from_utf8_lossy(&text));
        }
    }
}
