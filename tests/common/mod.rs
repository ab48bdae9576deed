//! Helpers shared by the end-to-end tests: run the `rubric` binary from the crate root.
#![allow(dead_code)] // each test file uses its own subset

use std::process::{Command, Output};

/// Runs `rubric ARGS...` in the crate root.
pub fn rubric(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rubric"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
