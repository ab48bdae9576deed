//! Any bytes through the parser and checker: no panic, and every rejection carries a located code.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rubric::check::compile;
use rubric::diagnostic::SourceFile;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let file = SourceFile::new("fuzz.rubric", text.clone());
    let compiled = compile(&file);
    if compiled.plan.is_none() {
        for d in compiled.diagnostics.iter().filter(|d| d.is_error()) {
            assert!(d.code.starts_with("rubric::"));
            assert!(d.primary_span().end <= text.len());
        }
    }
});
