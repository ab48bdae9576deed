//! Step one: source text -> AST with spans (pest grammar in `grammar/rubric.pest`).

pub mod ast;
mod parser;
mod recover;

pub use parser::parse;
