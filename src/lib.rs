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
pub mod input;
pub mod output;
pub mod pattern;
pub mod plan;
pub mod review;
pub mod run;
pub mod syntax;
pub mod value;

/// What tests across modules share.
#[cfg(test)]
pub(crate) mod testing {
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
