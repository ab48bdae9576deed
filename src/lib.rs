//! rubric: a compiler and engine for declarative graders.
//!
//! Pipeline: [`syntax`] (text -> AST with spans) -> [`check`] (names, types, literals -> diagnostics)
//! -> [`plan`] (a versioned, serialisable scoring plan) -> [`eval`] (plan x case -> score and trace).

pub mod builtins;
pub mod value;
pub mod diagnostic;
pub mod syntax;
