//! (family to be written)

use super::Builtin;

pub const BUILTINS: &[Builtin] = &[];
