//! AST pattern matching with ast-grep (typescript, javascript, python).

use super::Builtin;

/// Compiled patterns (per distinct pattern and language) and per-case parsed sources.
#[derive(Default)]
pub struct CodeCache {}

impl CodeCache {
    pub fn start_case(&mut self) {}
}

pub const BUILTINS: &[Builtin] = &[];
