//! rubric: a compiler and engine for declarative graders (reward functions for LLM evaluation and
//! reinforcement fine-tuning).
//!
//! Load a rubric (or a compiled plan) as a [`Grader`], then grade cases with [`Grader::grade`] or a
//! whole JSONL stream with [`Grader::grade_stream`]. A rubric with mistakes is a
//! [`LoadError::Rubric`] holding located [`Diagnostic`]s; a case with bad data is never an error,
//! but a [`CaseResult`] with the on-error score and the reason.
//!
//! Inside, the pipeline runs one module per step, each importing only the layers below it:
//! `syntax` (text to AST with spans) -> `check` (names, types, literals; diagnostics; lowering to a
//! plan) -> `plan` (versioned and serialisable) -> `eval` (plan x case -> score and trace), with
//! `input` (reading case lines) below and `output` (writing result lines), `run` (streaming,
//! parallel grading), `review` and `cli` above.

#[doc(hidden)]
#[allow(unsafe_code)]
pub mod alloc;
mod api;
pub(crate) mod builtins;
#[allow(unsafe_code)]
pub(crate) mod bytescan;
pub(crate) mod check;
#[doc(hidden)]
pub mod cli;
pub(crate) mod diagnostic;
pub(crate) mod eval;
#[cfg(test)]
mod fixture_tests;
pub(crate) mod fmt;
pub(crate) mod input;
// The types are in place before the client and the judge criteria that use them.
#[allow(dead_code)]
pub(crate) mod judge;
mod layers;
pub(crate) mod output;
pub(crate) mod pattern;
pub(crate) mod plan;
pub(crate) mod review;
pub(crate) mod run;
pub(crate) mod syntax;
pub(crate) mod value;

pub use api::{CaseResult, Grader, LoadError, STACK_SIZE, Scratch, Summary};
pub use builtins::Limits;
pub use diagnostic::{Code, Diagnostic, Label, Severity, SourceFile, Span, did_you_mean};
pub use eval::{CriterionResult, Status};

/// The shipped graders' names, shared with the end-to-end tests.
#[cfg(test)]
#[path = "../tests/common/shipped.rs"]
mod shipped;

/// What tests across modules share.
#[cfg(test)]
pub(crate) mod testing {
    pub use super::shipped::shipped as shipped_graders;

    /// A xorshift64 generator from `seed` (not zero): each call gives the next state. Property
    /// tests use it so that their random inputs are the same on every run.
    pub fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        }
    }
}
