//! Reviewing rubrics: examples that pin down how cases are graded ([`examples`], `rubric test`) and
//! the semantic difference between two versions of a rubric ([`diff`], `rubric diff`), with the
//! highest score each can give ([`bounds`]).

pub mod bounds;
pub mod diff;
pub mod examples;
