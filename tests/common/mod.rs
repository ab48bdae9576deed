//! Helpers shared by the end-to-end tests: run the `rubric` binary from the crate root.
#![allow(dead_code, unused_imports)] // each test file uses its own subset

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

/// A scratch directory for one test, removed when dropped (also when the test fails).
pub struct Scratch(std::path::PathBuf);

impl Scratch {
    /// A fresh, empty directory named after the process and `name`.
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("rubric-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("creates a scratch directory");
        Scratch(dir)
    }
}

impl std::ops::Deref for Scratch {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

mod shipped;
pub use shipped::shipped;
