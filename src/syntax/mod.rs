//! Step one: source text -> AST with spans (pest grammar in `grammar/rubric.pest`).

pub mod ast;
mod parser;

pub use parser::parse;
