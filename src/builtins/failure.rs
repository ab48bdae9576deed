//! Failing a case on purpose: `fail(message)`, the rubric's `raise`.

use super::{Builtin, Ctx, req};
use crate::value::{Ty, Value};

pub static BUILTINS: &[Builtin] = &[Builtin {
    name: "fail",
    doc: "An error with this message, like Python's `raise ValueError(message)`: where it reaches a criterion, gate or the score, the case fails with the on-error score and the message as its reason. For data the source rejects: `if code == null then fail(\"invalid reference code \" + string(entry)) else code`.",
    params: &[req("message", Ty::STRING)],
    // It never gives a value, so it does not widen the type of the `if` around it.
    returns: Ty::NONE,
    eval: fail,
    validate: None,
}];

fn fail(a: &[Value], _: &mut Ctx) -> Value {
    match &a[0] {
        Value::String(message) => Value::error(message.to_string()),
        other => Value::error(format!("`fail`: the message must be a string, found {}", other.described(40))),
    }
}

#[cfg(test)]
mod tests {
    use crate::builtins::testing::{call, s};
    use crate::value::Value;

    #[test]
    fn fails_with_the_message() {
        match call("fail", vec![s("invalid reference code \"E1.9\"")]) {
            Value::Error(e) => assert_eq!(e.message, "invalid reference code \"E1.9\""),
            other => panic!("not an error: {other:?}"),
        }
    }

    #[test]
    fn a_message_that_is_not_text_is_still_an_error() {
        assert!(call("fail", vec![Value::Number(1.0)]).is_error());
    }
}
