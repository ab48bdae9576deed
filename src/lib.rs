//! rubric: a compiler and engine for declarative graders.
//!
//! Pipeline: [`syntax`] (text -> AST with spans) -> [`check`] (names, types, literals -> diagnostics,
//! lowered to a plan) -> [`plan`] (a versioned, serialisable scoring plan) -> [`eval`] (plan x case ->
//! score and trace). [`cli`] is a thin layer over these.

pub mod alloc;
pub mod builtins;
pub mod check;
pub mod cli;
pub mod diagnostic;
pub mod eval;
pub mod fmt;
pub mod plan;
pub mod review;
pub mod run;
pub mod syntax;
pub mod value;
