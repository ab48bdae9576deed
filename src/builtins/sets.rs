//! Set and multiset precision / recall / F1 over two lists, keyed by fields.
//!
//! Keys compare with JSON equality: numbers by value (`1 == 1.0`), booleans only equal booleans
//! (`true != 1`, stricter than Python's `True == 1`), strings by code point. A key part that is a list
//! or object is an error ("unhashable", as in Python).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{opt, req, ArgProblem, Builtin, Ctx, Default};
use crate::value::{Ty, Value};

/// One part of a key, ordered and compared exactly.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum KeyPart {
    Null,
    Bool(bool),
    /// The bits of the number, with -0.0 folded into 0.0 (JSON has no NaN).
    Number(u64),
    String(Arc<str>),
}

type Key = Vec<KeyPart>;

fn key_part(v: &Value, list: &str, index: usize, field: Option<&str>) -> Result<KeyPart, Value> {
    let at = || match field {
        Some(f) => format!("`{list}` element {index} field `{f}`"),
        None => format!("`{list}` element {index}"),
    };
    Ok(match v {
        Value::Null => KeyPart::Null,
        Value::Bool(b) => KeyPart::Bool(*b),
        Value::Number(n) => KeyPart::Number(if *n == 0.0 { 0f64.to_bits() } else { n.to_bits() }),
        Value::String(s) => KeyPart::String(s.clone()),
        Value::Figure(f) => KeyPart::Number(f.value.to_bits()),
        other => return Err(Value::error(format!("{} is {} (unhashable), expected null, a bool, a number or a string", at(), describe(other)))),
    })
}

fn describe(v: &Value) -> String {
    match v {
        Value::List(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
        other => format!("a {}", other.type_name()),
    }
}

/// The key of every element of a list.
fn keys(list: &Value, name: &str, by: &[Arc<str>]) -> Result<Vec<Key>, Value> {
    let items = list.as_list().unwrap_or(&[]);
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            if by.is_empty() {
                return Ok(vec![key_part(item, name, i, None)?]);
            }
            let Value::Object(o) = item else {
                return Err(Value::error(format!("`{name}` element {i} is {}, expected an object with fields {}", describe(item), fields(by))));
            };
            by.iter()
                .map(|f| match o.get(f) {
                    Some(v) => key_part(v, name, i, Some(f)),
                    None => Err(Value::error(format!("`{name}` element {i} has no field `{f}`"))),
                })
                .collect()
        })
        .collect()
}

fn fields(by: &[Arc<str>]) -> String {
    by.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
}

fn by_fields(v: &Value) -> Result<Vec<Arc<str>>, Value> {
    v.as_list()
        .unwrap_or(&[])
        .iter()
        .map(|f| match f {
            Value::String(s) => Ok(s.clone()),
            other => Err(Value::error(format!("`by` must list field names, found {}", describe(other)))),
        })
        .collect()
}

/// Precision, recall and F1 of predicted against reference keys, with or without multiplicity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Match {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

fn score(predicted: Vec<Key>, reference: Vec<Key>, multiset: bool) -> Match {
    let mut counts: BTreeMap<Key, (usize, usize)> = BTreeMap::new();
    for k in predicted {
        counts.entry(k).or_default().0 += 1;
    }
    for k in reference {
        counts.entry(k).or_default().1 += 1;
    }
    if !multiset {
        for c in counts.values_mut() {
            *c = (c.0.min(1), c.1.min(1));
        }
    }
    let (mut tp, mut pred_total, mut ref_total) = (0usize, 0usize, 0usize);
    for (p, r) in counts.values() {
        tp += p.min(r);
        pred_total += p;
        ref_total += r;
    }
    let precision = if pred_total > 0 { tp as f64 / pred_total as f64 } else { 0.0 };
    let recall = if ref_total > 0 { tp as f64 / ref_total as f64 } else { 0.0 };
    let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
    Match { precision, recall, f1 }
}

fn compute(a: &[Value], multiset: bool, pick: fn(Match) -> f64) -> Value {
    let run = || -> Result<f64, Value> {
        let by = by_fields(&a[2])?;
        let predicted = keys(&a[0], "predicted", &by)?;
        let reference = keys(&a[1], "reference", &by)?;
        Ok(pick(score(predicted, reference, multiset)))
    };
    match run() {
        Ok(x) => Value::Number(x),
        Err(e) => e,
    }
}

fn validate_by(args: &[Option<&Value>]) -> Vec<ArgProblem> {
    match args.get(2).copied().flatten() {
        Some(Value::List(xs)) if xs.iter().all(|x| matches!(x, Value::String(_))) => Vec::new(),
        Some(_) => vec![ArgProblem {
            arg: 2,
            message: "`by` must be a list of field names".into(),
            help: Some("write e.g. `by: [\"name\", \"value\"]`, or leave it out to compare whole elements".into()),
        }],
        None => Vec::new(),
    }
}

const PARAMS: &[super::Param] = &[req("predicted", Ty::LIST), req("reference", Ty::LIST), opt("by", Ty::LIST, Default::EmptyList)];

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "multiset_f1",
        doc: "F1 of `predicted` against `reference` counted with multiplicity (like Python `Counter`s): true positives are the per-key minimum counts. Elements are keyed by the fields listed in `by` (or are the keys themselves). `2 * p * r / (p + r)`, 0 when both are 0.",
        params: PARAMS,
        returns: Ty::NUMBER,
        eval: |a, _: &mut Ctx| compute(a, true, |m| m.f1),
        validate: Some(validate_by),
    },
    Builtin {
        name: "multiset_precision",
        doc: "Share of `predicted` (with multiplicity) matched in `reference`; 0 when `predicted` is empty. Keyed as in `multiset_f1`.",
        params: PARAMS,
        returns: Ty::NUMBER,
        eval: |a, _: &mut Ctx| compute(a, true, |m| m.precision),
        validate: Some(validate_by),
    },
    Builtin {
        name: "multiset_recall",
        doc: "Share of `reference` (with multiplicity) matched in `predicted`; 0 when `reference` is empty. Keyed as in `multiset_f1`.",
        params: PARAMS,
        returns: Ty::NUMBER,
        eval: |a, _: &mut Ctx| compute(a, true, |m| m.recall),
        validate: Some(validate_by),
    },
    Builtin {
        name: "set_f1",
        doc: "F1 of the distinct keys of `predicted` against those of `reference` (duplicates count once). Keyed as in `multiset_f1`.",
        params: PARAMS,
        returns: Ty::NUMBER,
        eval: |a, _: &mut Ctx| compute(a, false, |m| m.f1),
        validate: Some(validate_by),
    },
    Builtin {
        name: "set_precision",
        doc: "Share of the distinct predicted keys found in `reference`; 0 when `predicted` is empty.",
        params: PARAMS,
        returns: Ty::NUMBER,
        eval: |a, _: &mut Ctx| compute(a, false, |m| m.precision),
        validate: Some(validate_by),
    },
    Builtin {
        name: "set_recall",
        doc: "Share of the distinct reference keys found in `predicted`; 0 when `reference` is empty.",
        params: PARAMS,
        returns: Ty::NUMBER,
        eval: |a, _: &mut Ctx| compute(a, false, |m| m.recall),
        validate: Some(validate_by),
    },
];

#[cfg(test)]
mod tests {
    use crate::builtins::testing::{call, l, n, s};
    use crate::value::Value;

    fn pairs(xs: &[(&str, serde_json::Value)]) -> Value {
        Value::from_json(&serde_json::Value::Array(xs.iter().map(|(k, v)| serde_json::json!({"name": k, "value": v})).collect()))
    }
    fn by() -> Value {
        l(vec![s("name"), s("value")])
    }
    fn num(v: Value) -> f64 {
        v.as_f64().unwrap_or_else(|| panic!("{v:?}"))
    }

    #[test]
    fn multiset_counts_duplicates() {
        let p = pairs(&[("a", 1.into()), ("a", 1.into())]);
        let r = pairs(&[("a", 1.into())]);
        assert_eq!(num(call("multiset_precision", vec![p.clone(), r.clone(), by()])), 0.5);
        assert_eq!(num(call("multiset_recall", vec![p.clone(), r.clone(), by()])), 1.0);
        assert_eq!(num(call("multiset_f1", vec![p.clone(), r.clone(), by()])), 2.0 * 0.5 * 1.0 / 1.5);
        assert_eq!(num(call("set_f1", vec![p, r, by()])), 1.0);
    }
    #[test]
    fn numbers_compare_by_value_but_not_with_bools() {
        let p = pairs(&[("a", 1.0.into()), ("b", true.into())]);
        let r = pairs(&[("a", 1.into()), ("b", 1.into())]);
        assert_eq!(num(call("multiset_recall", vec![p, r, by()])), 0.5);
    }
    #[test]
    fn strings_and_numbers_differ() {
        let p = pairs(&[("a", "8".into())]);
        let r = pairs(&[("a", 8.into())]);
        assert_eq!(num(call("multiset_f1", vec![p, r, by()])), 0.0);
    }
    #[test]
    fn empty_lists_score_zero() {
        assert_eq!(num(call("multiset_f1", vec![l(vec![]), l(vec![]), by()])), 0.0);
    }
    #[test]
    fn missing_field_is_an_error_naming_it() {
        let p = Value::from_json(&serde_json::json!([{"name": "a"}]));
        let e = call("multiset_f1", vec![p, l(vec![]), by()]);
        assert_eq!(e.short(200), "error (`predicted` element 0 has no field `value`)");
    }
    #[test]
    fn unhashable_values_are_errors() {
        let p = pairs(&[("a", serde_json::json!([1]))]);
        assert!(call("multiset_f1", vec![p, l(vec![]), by()]).is_error());
    }
    #[test]
    fn non_object_elements_are_errors_when_keyed() {
        assert!(call("multiset_f1", vec![l(vec![s("x")]), l(vec![]), by()]).is_error());
    }
    #[test]
    fn whole_elements_are_keys_without_by() {
        assert_eq!(num(call("set_recall", vec![l(vec![n(1.0), s("x")]), l(vec![n(1.0), n(2.0)])])), 0.5);
    }
}
