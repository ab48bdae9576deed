//! Reading cases: strict JSON lines built only as far as the plan reads them ([`json`]), and the
//! case shapes accepted on a line (OpenAI's `{item, sample}` and Nova's reward-Lambda sample, [`case`]).

pub mod case;
pub mod json;
