//! Any line through every shipped rubric: no panic, always one JSON result with a numeric score.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use rubric::builtins::Ctx;
use rubric::eval::Program;
use rubric::run::{grade_line, load_grader};

static PROGRAMS: LazyLock<Vec<Program>> = LazyLock::new(|| {
    ["chipstack", "runloop", "harvey", "tax", "nova_tool", "chem"]
        .iter()
        .map(|g| load_grader(&format!("{}/../rubrics/{g}.rubric", env!("CARGO_MANIFEST_DIR"))).expect("shipped rubrics load"))
        .collect()
});

fuzz_target!(|data: &[u8]| {
    let mut ctx = Ctx::default();
    for p in PROGRAMS.iter() {
        let g = grade_line(p, data, 1, &mut ctx);
        let v: serde_json::Value = serde_json::from_str(&g.json).expect("result lines are JSON");
        assert!(v["score"].is_number());
    }
});
