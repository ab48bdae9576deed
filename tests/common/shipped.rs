//! The shipped graders, for the end-to-end tests and the unit tests alike (`src/lib.rs` includes
//! this file in its test helpers).

/// The names of the shipped graders: every `rubrics/NAME.rubric`, sorted.
pub fn shipped() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/rubrics");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("rubrics/ is readable")
        .filter_map(|e| {
            let path = e.ok()?.path();
            let stem = path.file_stem()?.to_string_lossy().into_owned();
            (path.extension()? == "rubric").then_some(stem)
        })
        .collect();
    names.sort();
    names
}
