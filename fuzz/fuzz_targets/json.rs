//! The case-line JSON reader against serde_json: the same documents are valid, whether a value is
//! built (Python's strictness: lone surrogates and out-of-range numbers fail) or skipped.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rubric::eval::case::Projection;
use rubric::eval::scan;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // serde_json stops at 128 nested containers, the reader at 1,000.
    if text.bytes().filter(|b| matches!(b, b'[' | b'{')).count() > 100 {
        return;
    }
    let built = scan::parse(text, &Projection::All);
    let serde_built = serde_json::from_str::<serde_json::Value>(text);
    assert_eq!(built.is_ok(), serde_built.is_ok(), "built {text:?}: {built:?} / {serde_built:?}");
    let skipped = scan::is_valid(text);
    let serde_skipped = serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
    assert_eq!(skipped, serde_skipped, "skipped {text:?}");
    if text.trim_start().starts_with('{') {
        // An object under an empty projection is skipped entirely.
        assert_eq!(scan::parse(text, &Projection::none()).is_ok(), skipped, "projected {text:?}");
    }
});
