//! Interpreting expressions: values from a case, its bindings and the builtins.

use super::lower::{Callee, Ex, FunctionEx};
use super::{Env, TraceEntry};
use crate::builtins::{Apply, Builtin, Param};
use crate::syntax::ast::{BinOp, UnOp};
use crate::value::bigint::{IntOp, Numeric};
use crate::value::{Map, Ty, Value, missing_subject};

pub(super) fn eval(ex: &Ex, env: &mut Env) -> Value {
    if env.steps == 0 {
        return Value::error(format!("the case exceeded the work limit of {} steps", env.ctx.limits.steps));
    }
    env.steps -= 1;
    match ex {
        Ex::Const(v) => v.clone(),
        Ex::List(xs) => {
            let mut out = Vec::with_capacity(xs.len());
            for x in xs {
                let v = eval(x, env);
                if v.is_error() {
                    return v;
                }
                out.push(v);
            }
            Value::list(out)
        }
        Ex::Object(entries) => {
            let mut fields = Vec::with_capacity(entries.len());
            for (k, x) in entries {
                let v = eval(x, env);
                if v.is_error() {
                    return v;
                }
                fields.push((k.clone(), v));
            }
            Value::Object(Map::from_fields(fields))
        }
        Ex::Slot(s) => env.slots[*s].clone(),
        Ex::Total => Value::Number(env.total),
        Ex::Path(p) => {
            let v = p.eval(env.case);
            if let Some(t) = &mut env.trace
                && !t.iter().any(|e| e.what == p.display)
            {
                t.push(TraceEntry { what: p.display.clone(), value: v.clone(), evidence: Vec::new() });
            }
            v
        }
        // A binding is read in place rather than cloned: a clone and a drop of a shared list or
        // object each touch its reference count, which costs more than the lookup itself.
        Ex::Member(x, name) => match **x {
            Ex::Slot(s) if env.steps > 0 => {
                env.steps -= 1;
                member(&env.slots[s], name)
            }
            _ => member(&eval(x, env), name),
        },
        Ex::Index(x, i) => match (&**x, &**i) {
            // `reference[k]` with both read in place (a step each, as evaluating them would charge).
            (Ex::Slot(s), Ex::Slot(k)) if env.steps > 1 => {
                env.steps -= 2;
                index(&env.slots[*s], &env.slots[*k])
            }
            (Ex::Slot(s), _) if env.steps > 0 => {
                env.steps -= 1;
                let i = eval(i, env);
                index(&env.slots[*s], &i)
            }
            _ => {
                let base = eval(x, env);
                index(&base, &eval(i, env))
            }
        },
        Ex::Call(f, args, movable) => call(f, args, *movable, env),
        Ex::CallFunction(f, args) => call_defined(f, args, env),
        // The checker lets a function stand only where a builtin applies it (see `call`).
        Ex::Function(_) => Value::error("a function is not a value"),
        Ex::Quantifier { any, slot, source, filter, body } => {
            quantifier(*any, *slot, source, filter.as_deref(), body, env)
        }
        Ex::Unary(op, x) => unary(*op, eval(x, env)),
        Ex::Binary(op, a, b) => binary(*op, a, b, env),
        Ex::Is(x, negated, ty) => {
            let found = match **x {
                Ex::Slot(s) if env.steps > 0 => {
                    env.steps -= 1;
                    env.slots[s].ty()
                }
                _ => eval(x, env).ty(),
            };
            Value::Bool(found.intersects(ty.ty()) != *negated)
        }
        Ex::If(c, t, o) => match eval(c, env) {
            Value::Bool(true) => eval(t, env),
            Value::Bool(false) => eval(o, env),
            other => Value::error(format!("`if`: {}", not_a("bool", &other))),
        },
        Ex::For { slot, source, filter, body } => comprehension(*slot, source, filter.as_deref(), body, env),
    }
}

pub(super) fn member(base: &Value, name: &str) -> Value {
    match base {
        Value::Object(o) => match o.get(name) {
            Some(v) => v.clone(),
            None => Value::Missing(format!("field `{name}`").into()),
        },
        Value::Missing(p) => Value::Missing(format!("{p}.{name}").into()),
        e @ Value::Error(_) => e.clone(),
        other => Value::Missing(format!("field `{name}` of a {}", other.type_name()).into()),
    }
}

pub(super) fn index(base: &Value, i: &Value) -> Value {
    match (base, i) {
        (e @ Value::Error(_), _) => e.clone(),
        (_, e @ Value::Error(_)) => e.clone(),
        (Value::List(xs), &Value::Number(n)) => {
            if n.fract() != 0.0 {
                return Value::error(format!("list index {n} is not a whole number"));
            }
            let k = if n < 0.0 { xs.len() as f64 + n } else { n };
            if k < 0.0 || k >= xs.len() as f64 {
                Value::Missing(format!("index {n} of a list of {}", xs.len()).into())
            } else {
                xs[k as usize].clone()
            }
        }
        (Value::Object(o), Value::String(k)) => match o.get(k) {
            Some(v) => v.clone(),
            None => Value::Missing(format!("field `{k}`").into()),
        },
        (Value::Missing(p), i) => Value::Missing(format!("{p}[{}]", i.short(20)).into()),
        (b, i) => Value::Missing(format!("[{}] of a {}", i.short(20), b.type_name()).into()),
    }
}

pub(super) fn moves(movable: u64, arg: usize) -> bool {
    arg < 64 && movable >> arg & 1 == 1
}

pub(super) fn call(f: &'static Builtin, args: &[Ex], movable: u64, env: &mut Env) -> Value {
    // Arguments go on the case's argument stack (nested calls push above them), so a call
    // allocates nothing.
    let base = env.args.len();
    // Puts the moved bindings among the first `pushed` arguments back, and drops the arguments.
    let restore = |env: &mut Env, pushed: usize| {
        for (i, a) in args.iter().enumerate().take(pushed) {
            if let (true, Ex::Slot(s)) = (moves(movable, i), a) {
                env.slots[*s] = std::mem::replace(&mut env.args[base + i], Value::Null);
            }
        }
        env.args.truncate(base);
    };
    for (i, (a, p)) in args.iter().zip(f.params).enumerate() {
        if let (Some(shape), Ex::Function(callee)) = (p.apply, a) {
            let applied = apply(callee, shape, base, f, env);
            if applied.is_error() {
                restore(env, i);
                return applied;
            }
            env.args.push(applied);
            continue;
        }
        let (v, moved_from) = match a {
            // A step, as evaluating the binding would charge (at the limit, `eval` reports it).
            Ex::Slot(s) if moves(movable, i) && env.steps > 0 => {
                env.steps -= 1;
                (std::mem::replace(&mut env.slots[*s], Value::Null), Some(*s))
            }
            _ => (eval(a, env), None),
        };
        if v.is_error() && !p.ty.contains(Ty::ERROR) {
            if let Some(s) = moved_from {
                env.slots[s] = v.clone();
            }
            restore(env, i);
            return v;
        }
        if !p.ty.intersects(v.ty()) {
            let found = match &v {
                Value::Missing(what) => format!("nothing ({} has no value)", missing_subject(what)),
                other => other.described(40),
            };
            if let Some(s) = moved_from {
                env.slots[s] = v;
            }
            restore(env, i);
            return Value::error(format!(
                "`{}`: argument `{}` must be a {}, found {found}",
                f.name,
                p.name,
                p.ty.describe()
            ));
        }
        env.args.push(v);
    }
    let result = (f.eval)(&env.args[base..], env.ctx);
    restore(env, args.len());
    result
}

/// Calls an author-defined function: the arguments are evaluated first (onto the argument stack,
/// since one of them may call the same function), then moved into the parameters' slots.
pub(super) fn call_defined(f: &FunctionEx, args: &[Ex], env: &mut Env) -> Value {
    // With one argument there is no other to keep apart from the parameter, so it is bound directly.
    if let ([a], [_]) = (args, &f.params[..]) {
        let v = eval(a, env);
        return match bind_parameter(f, 0, v, env) {
            Ok(()) => eval(&f.body, env),
            Err(e) => e,
        };
    }
    let base = env.args.len();
    for a in args {
        let v = eval(a, env);
        env.args.push(v);
    }
    for i in 0..f.params.len() {
        let v = std::mem::replace(&mut env.args[base + i], Value::Null);
        if let Err(e) = bind_parameter(f, i, v, env) {
            env.args.truncate(base);
            return e;
        }
    }
    env.args.truncate(base);
    eval(&f.body, env)
}

/// Puts argument `i` of a call of `f` into its parameter's slot, checking a declared type (an
/// error argument of a typed parameter is the call's result).
fn bind_parameter(f: &FunctionEx, i: usize, v: Value, env: &mut Env) -> Result<(), Value> {
    let p = &f.params[i];
    if let Some(ty) = p.ty
        && !v.ty().intersects(ty.ty())
    {
        if v.is_error() {
            return Err(v);
        }
        return Err(Value::error(format!(
            "`{}`: argument `{}` must be a {}, found {}",
            f.name,
            p.name,
            ty.name(),
            described(&v)
        )));
    }
    env.slots[p.slot] = v;
    Ok(())
}

fn described(v: &Value) -> String {
    match v {
        Value::Missing(what) => format!("nothing ({} has no value)", missing_subject(what)),
        other => other.described(40),
    }
}

/// Applies a function given to a builtin's parameter, as the parameter says, to the arguments
/// already on the stack from `base` (see [`Apply`]).
fn apply(callee: &Callee, shape: Apply, base: usize, f: &Builtin, env: &mut Env) -> Value {
    let list = |k: usize, env: &mut Env| -> Result<crate::value::Shared<[Value]>, Value> {
        let name = f.params.get(k).map_or("?", |p: &Param| p.name);
        match env.args.get(base + k) {
            Some(Value::List(xs)) => Ok(xs.clone()),
            Some(e @ Value::Error(_)) => Err(e.clone()),
            Some(other) => Err(Value::error(format!("`{}`: argument `{name}` {}", f.name, not_a("list", other)))),
            None => Err(Value::error(format!("`{}`: argument `{name}` is not given", f.name))),
        }
    };
    match shape {
        Apply::Each(k) => {
            let xs = match list(k, env) {
                Ok(xs) => xs,
                Err(e) => return e,
            };
            let mut out = Vec::with_capacity(xs.len());
            for x in xs.iter() {
                out.push(invoke(callee, [x.clone(), Value::Null], 1, env));
            }
            Value::list(out)
        }
        Apply::Pairs(k, l) => {
            let (rows, columns) = match (list(k, env), list(l, env)) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(e), _) | (_, Err(e)) => return e,
            };
            if rows.len().saturating_mul(columns.len()) > env.ctx.limits.list_len {
                return Value::error(format!(
                    "`{}`: {} x {} pairs exceed the list limit of {}",
                    f.name,
                    rows.len(),
                    columns.len(),
                    env.ctx.limits.list_len
                ));
            }
            let mut out = Vec::with_capacity(rows.len());
            for a in rows.iter() {
                let mut row = Vec::with_capacity(columns.len());
                for b in columns.iter() {
                    row.push(invoke(callee, [a.clone(), b.clone()], 2, env));
                }
                out.push(Value::list(row));
            }
            Value::list(out)
        }
    }
}

/// Calls a function with the first `n` of `args` (a builtin gets its defaults for the rest).
fn invoke(callee: &Callee, args: [Value; 2], n: usize, env: &mut Env) -> Value {
    if env.steps == 0 {
        return Value::error(format!("the case exceeded the work limit of {} steps", env.ctx.limits.steps));
    }
    env.steps -= 1;
    match callee {
        Callee::Defined(f) => {
            // (the checker ensures this; a plan edited by hand may not)
            if f.params.len() != n {
                return Value::error(format!("`{}` takes {} arguments, but is applied to {n}", f.name, f.params.len()));
            }
            for (i, v) in args.into_iter().take(n).enumerate() {
                if let Err(e) = bind_parameter(f, i, v, env) {
                    return e;
                }
            }
            eval(&f.body, env)
        }
        Callee::Builtin(b) => {
            let base = env.args.len();
            let mut given = args.into_iter().take(n);
            for p in b.params {
                let v = match (given.next(), p.default) {
                    (Some(v), _) => v,
                    (None, Some(d)) => d.value(),
                    (None, None) => Value::Null,
                };
                let bad = if v.is_error() && !p.ty.contains(Ty::ERROR) {
                    Some(v)
                } else if !p.ty.intersects(v.ty()) {
                    Some(Value::error(format!(
                        "`{}`: argument `{}` must be a {}, found {}",
                        b.name,
                        p.name,
                        p.ty.describe(),
                        described(&v)
                    )))
                } else {
                    env.args.push(v);
                    None
                };
                if let Some(e) = bad {
                    env.args.truncate(base);
                    return e;
                }
            }
            let result = (b.eval)(&env.args[base..], env.ctx);
            env.args.truncate(base);
            result
        }
    }
}

pub(super) fn iterate_source(source: &Ex, env: &mut Env) -> Result<crate::value::Shared<[Value]>, Value> {
    match eval(source, env) {
        Value::List(xs) => {
            if xs.len() > env.ctx.limits.list_len {
                return Err(Value::error(format!(
                    "a list of {} elements exceeds the limit of {}",
                    xs.len(),
                    env.ctx.limits.list_len
                )));
            }
            Ok(xs)
        }
        e @ Value::Error(_) => Err(e),
        other => Err(Value::error(format!("`for`: {}", not_a("list", &other)))),
    }
}

/// Binds each element of a comprehension's source in turn and calls `step` for the ones that pass
/// the `where` filter; `step` returns `Some(value)` to stop early with that value.
pub(super) fn each_element(
    slot: usize,
    source: &Ex,
    filter: Option<&Ex>,
    env: &mut Env,
    mut step: impl FnMut(&mut Env) -> Option<Value>,
) -> Option<Value> {
    let xs = match iterate_source(source, env) {
        Ok(xs) => xs,
        Err(e) => return Some(e),
    };
    for x in xs.iter() {
        env.slots[slot] = x.clone();
        if let Some(f) = filter {
            match eval(f, env) {
                Value::Bool(true) => {}
                Value::Bool(false) => continue,
                other => return Some(Value::error(format!("`where`: {}", not_a("bool", &other)))),
            }
        }
        if let Some(done) = step(env) {
            return Some(done);
        }
    }
    None
}

pub(super) fn comprehension(slot: usize, source: &Ex, filter: Option<&Ex>, body: &Ex, env: &mut Env) -> Value {
    let mut out = Vec::new();
    let stopped = each_element(slot, source, filter, env, |env| {
        let v = eval(body, env);
        if v.is_error() {
            return Some(v);
        }
        out.push(v);
        None
    });
    stopped.unwrap_or_else(|| Value::list(out))
}

pub(super) fn quantifier(any: bool, slot: usize, source: &Ex, filter: Option<&Ex>, body: &Ex, env: &mut Env) -> Value {
    let name = if any { "any" } else { "all" };
    let stopped = each_element(slot, source, filter, env, |env| match eval(body, env) {
        Value::Bool(b) if b == any => Some(Value::Bool(any)),
        Value::Bool(_) => None,
        other => Some(Value::error(format!("`{name}`: {}", not_a("bool", &other)))),
    });
    stopped.unwrap_or(Value::Bool(!any))
}

pub(super) fn unary(op: UnOp, v: Value) -> Value {
    match (op, v) {
        (_, e @ Value::Error(_)) => e,
        (UnOp::Not, Value::Bool(b)) => Value::Bool(!b),
        (UnOp::Neg, Value::Number(n)) => Value::Number(-n),
        (UnOp::Neg, Value::BigInt(n)) => Value::BigInt(n.negated()),
        (UnOp::Neg, Value::Rational(r)) => Value::Rational(r.negated()),
        (UnOp::Neg, Value::Figure(f)) => Value::Number(-f.value),
        (UnOp::Not, other) => Value::error(format!("`not`: {}", not_a("bool", &other))),
        (UnOp::Neg, other) => Value::error(format!("`-`: {}", not_a("number", &other))),
    }
}

pub(super) fn truth(v: Value, op: &str) -> Result<bool, Value> {
    match v {
        Value::Bool(b) => Ok(b),
        e @ Value::Error(_) => Err(e),
        other => Err(Value::error(format!("`{op}`: {}", not_a("bool", &other)))),
    }
}

pub(super) fn binary(op: BinOp, a: &Ex, b: &Ex, env: &mut Env) -> Value {
    match op {
        BinOp::And | BinOp::Or => {
            let sym = op.symbol();
            let left = match truth(eval(a, env), sym) {
                Ok(x) => x,
                Err(e) => return e,
            };
            if left == (op == BinOp::Or) {
                return Value::Bool(left);
            }
            match truth(eval(b, env), sym) {
                Ok(x) => Value::Bool(x),
                Err(e) => e,
            }
        }
        // Like JavaScript's nullish coalescing, plus errors: `x ?? d` is `d` when `x` is missing,
        // null or an error.
        BinOp::Coalesce => match eval(a, env) {
            Value::Missing(_) | Value::Null | Value::Error(_) => eval(b, env),
            v => v,
        },
        // A binding operand is read in place (a step each, as evaluating it would charge), as
        // for member access: comparisons and `in` only read their operands.
        _ => match (a, b) {
            (Ex::Slot(s), Ex::Slot(t)) if env.steps > 1 => {
                env.steps -= 2;
                strict_binary(op, &env.slots[*s], &env.slots[*t])
            }
            (Ex::Slot(s), _) if env.steps > 0 => {
                env.steps -= 1;
                let y = eval(b, env);
                strict_binary(op, &env.slots[*s], &y)
            }
            _ => {
                let x = eval(a, env);
                match b {
                    Ex::Slot(t) if env.steps > 0 => {
                        env.steps -= 1;
                        strict_binary(op, &x, &env.slots[*t])
                    }
                    _ => strict_binary(op, &x, &eval(b, env)),
                }
            }
        },
    }
}

pub(super) fn strict_binary(op: BinOp, x: &Value, y: &Value) -> Value {
    if let Value::Error(_) = x {
        return x.clone();
    }
    if let Value::Error(_) = y {
        return y.clone();
    }
    let sym = op.symbol();
    match op {
        // Equality never fails: missing equals nothing (a model that gave no answer is not a data error).
        BinOp::Eq => Value::Bool(x.json_eq(y)),
        BinOp::Ne => Value::Bool(!x.json_eq(y)),
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            let ord = match (x, y) {
                (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
                _ => match (x.numeric(), y.numeric()) {
                    (Some(a), Some(b)) => a.partial_cmp(b),
                    _ => {
                        let bad = if x.numeric().is_none() && x.as_str().is_none() { x } else { y };
                        return Value::error(format!("`{sym}`: {}", not_a("number", bad)));
                    }
                },
            };
            let Some(ord) = ord else { return Value::Bool(false) };
            Value::Bool(match op {
                BinOp::Lt => ord.is_lt(),
                BinOp::Le => ord.is_le(),
                BinOp::Gt => ord.is_gt(),
                _ => ord.is_ge(),
            })
        }
        BinOp::In | BinOp::NotIn => {
            let found = match (x, y) {
                (_, Value::List(xs)) => xs.iter().any(|e| e.json_eq(x)),
                (Value::String(s), Value::String(t)) => t.contains(&**s),
                (Value::String(k), Value::Object(o)) => o.contains_key(k),
                (_, Value::Missing(_)) => return Value::error(format!("`{sym}`: {}", not_a("list", y))),
                _ => {
                    return Value::error(format!("`{sym}` cannot look for a {} in a {}", x.type_name(), y.type_name()));
                }
            };
            Value::Bool(found == (op == BinOp::In))
        }
        BinOp::Add => match (x, y) {
            (Value::String(a), Value::String(b)) => Value::str(&format!("{a}{b}")),
            (Value::List(a), Value::List(b)) => Value::list(a.iter().chain(b.iter()).cloned().collect()),
            _ => arithmetic(op, x, y),
        },
        _ => arithmetic(op, x, y),
    }
}

pub(super) fn arithmetic(op: BinOp, x: &Value, y: &Value) -> Value {
    let sym = op.symbol();
    let (Some(a), Some(b)) = (x.numeric(), y.numeric()) else {
        let bad = if x.numeric().is_none() { x } else { y };
        return Value::error(format!("`{sym}`: {}", not_a("number", bad)));
    };
    if let (Numeric::Double(a), Numeric::Double(b)) = (a, b) {
        return match op {
            BinOp::Add => Value::Number(a + b),
            BinOp::Sub => Value::Number(a - b),
            BinOp::Mul => Value::Number(a * b),
            _ if b == 0.0 => Value::error("division by zero"),
            _ => Value::Number(a / b),
        };
    }
    // An exact integer or a fraction is involved (see `Numeric::combine`); division is exact with a
    // fraction (as Python's `Fraction / int`), else in doubles (as Python's `/` on ints).
    match op {
        BinOp::Add => a.combine(IntOp::Add, b),
        BinOp::Sub => a.combine(IntOp::Sub, b),
        BinOp::Mul => a.combine(IntOp::Mul, b),
        _ if matches!(a, Numeric::Ratio(_)) || matches!(b, Numeric::Ratio(_)) => crate::value::rational::divide(a, b),
        _ if b.to_f64() == 0.0 => Value::error("division by zero"),
        _ => Value::Number(a.to_f64() / b.to_f64()),
    }
}

pub(super) fn number_of(v: Value) -> Result<f64, String> {
    match v {
        Value::Number(n) => Ok(n),
        Value::BigInt(n) => Ok(n.to_f64()),
        Value::Rational(r) => Ok(r.to_f64()),
        Value::Bool(b) => Ok(if b { 1.0 } else { 0.0 }),
        other => Err(not_a("number", &other)),
    }
}

/// "expected a T, found ..." with the reason of an error or the path of a missing value.
pub(super) fn not_a(want: &str, v: &Value) -> String {
    match v {
        Value::Error(e) => e.message.clone(),
        Value::Missing(what) => format!("expected a {want}, but {} has no value", missing_subject(what)),
        other => format!("expected a {want}, found {}", other.described(60)),
    }
}
