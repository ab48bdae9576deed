//! Set and multiset precision / recall / F1 between two lists, with elements keyed by fields.
//!
//! Keys compare with JSON equality: numbers by value (`1 == 1.0`, `-0.0 == 0.0`), booleans only
//! equal booleans (`true != 1`, stricter than Python where `True == 1`), strings by code point,
//! null only equals null. A list or object cannot be part of a key (Python: unhashable).
//! Counting sorts the keys (by a fingerprint, then by their parts) and pairs equal ones, so results
//! never depend on an order of iteration.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::{ArgProblem, Builtin, Ctx, Default, Param, opt, req};
use crate::value::{Ty, Value};

/// A number as a key: `-0.0` is folded into `0.0` and every NaN into one NaN, so that equal keys
/// are exactly the numerically equal ones and the order is total.
#[derive(Clone, Copy, Debug)]
struct NumberKey(f64);

impl NumberKey {
    fn new(x: f64) -> NumberKey {
        NumberKey(if x == 0.0 {
            0.0
        } else if x.is_nan() {
            f64::NAN
        } else {
            x
        })
    }
}

impl PartialEq for NumberKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for NumberKey {}
impl PartialOrd for NumberKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for NumberKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// A string key part. Keys are only sorted to pair equal ones, so any total order serves: this one
/// compares lengths first and then the bytes as big-endian words, where the order of `str` calls
/// `memcmp` for every pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct KeyStr<'a>(&'a str);

impl PartialOrd for KeyStr<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for KeyStr<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        a.len().cmp(&b.len()).then_with(|| {
            let (a_words, a_rest) = a.as_chunks::<8>();
            let (b_words, b_rest) = b.as_chunks::<8>();
            for (x, y) in a_words.iter().zip(b_words) {
                if x != y {
                    return u64::from_be_bytes(*x).cmp(&u64::from_be_bytes(*y));
                }
            }
            a_rest.cmp(b_rest)
        })
    }
}

/// One part of a key, borrowed from the list it keys. Variants never equal each other, so `true`
/// and `1` are different keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum KeyPart<'a> {
    Null,
    Bool(bool),
    Number(NumberKey),
    /// An integer beyond ±2^53 or a fraction that no double equals (one that a double equals is
    /// that [`KeyPart::Number`], so that `10**20` and `1e20` are one key, as in Python).
    Exact(ExactKey<'a>),
    String(KeyStr<'a>),
}

/// An exact integer or fraction key part, ordered as its canonical text (`n` or `n/d`; any total
/// order serves).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ExactKey<'a>(&'a str);

/// A key: the parts of one element (one per `by` field, or the element itself).
type Key<'a> = [KeyPart<'a>];

/// The keys of a list's elements, `width` parts each, in one flat vector (no allocation per
/// element, nothing copied from the list).
struct Keys<'a> {
    parts: Vec<KeyPart<'a>>,
    width: usize,
}

impl<'a> Keys<'a> {
    fn iter(&self) -> std::slice::ChunksExact<'_, KeyPart<'a>> {
        self.parts.chunks_exact(self.width)
    }

    fn len(&self) -> usize {
        self.parts.len() / self.width
    }

    /// The keys in an order that puts equal ones side by side, duplicates kept: by fingerprint,
    /// then (only when fingerprints tie) by the parts, so most comparisons are one of integers.
    fn sorted(&self) -> Vec<Fingerprinted<'_, 'a>> {
        let mut keys: Vec<Fingerprinted> = self.iter().map(|key| (fingerprint(key), key)).collect();
        keys.sort_unstable();
        keys
    }
}

/// A key after its fingerprint. Equal keys have equal fingerprints, so ordering by the pair keeps
/// equal keys together and unequal ones apart.
type Fingerprinted<'k, 'a> = (u64, &'k Key<'a>);

/// A string's length and its first and last (up to) eight bytes, read as whole words: keys are
/// mostly short, and longer ones that share these are told apart by the parts.
fn string_bits(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    let half = |at: usize| u64::from(u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes")));
    let (first, last) = match n {
        8.. => (word(0), word(n - 8)),
        4..8 => (half(0), half(n - 4)),
        1..4 => (u64::from(bytes[0]) | u64::from(bytes[n / 2]) << 8, u64::from(bytes[n - 1])),
        0 => (0, 0),
    };
    (first ^ last.rotate_left(29)).wrapping_add(n as u64)
}

/// A hash of a key's parts.
fn fingerprint(key: &Key) -> u64 {
    key.iter().fold(0u64, |hash, part| {
        let bits = match part {
            KeyPart::Null => 1,
            KeyPart::Bool(b) => 2 + u64::from(*b),
            KeyPart::Number(NumberKey(x)) => x.to_bits() ^ 4,
            KeyPart::Exact(ExactKey(s)) | KeyPart::String(KeyStr(s)) => string_bits(s.as_bytes()),
        };
        (hash.rotate_left(23) ^ bits).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    })
}

/// The key part for a value, or a description of why it cannot be one.
#[inline(always)]
fn key_part(v: &Value) -> Result<KeyPart<'_>, String> {
    match v {
        Value::Null => Ok(KeyPart::Null),
        Value::Bool(b) => Ok(KeyPart::Bool(*b)),
        Value::Number(n) => Ok(KeyPart::Number(NumberKey::new(*n))),
        Value::String(s) => Ok(KeyPart::String(KeyStr(s))),
        other => exact_key_part(other),
    }
}

/// The key part for a value that is not null, a bool, a double or a string.
#[cold]
fn exact_key_part(v: &Value) -> Result<KeyPart<'_>, String> {
    match v {
        Value::BigInt(n) => Ok(match n.as_exact_f64() {
            Some(x) => KeyPart::Number(NumberKey::new(x)),
            None => KeyPart::Exact(ExactKey(n.as_str())),
        }),
        // As Python hashes `Fraction(1, 2)` as 0.5: a fraction a double equals is that double's
        // key, an integer one beyond the doubles a big integer's (its text is the same digits).
        Value::Rational(r) => Ok(match r.as_exact_f64() {
            Some(x) => KeyPart::Number(NumberKey::new(x)),
            None => KeyPart::Exact(ExactKey(r.text())),
        }),
        other => Err(not_a_key_part(other)),
    }
}

/// Why a value that is not null, a bool, a number or a string cannot be part of a key.
#[cold]
fn not_a_key_part(v: &Value) -> String {
    match v {
        Value::List(_) | Value::Object(_) => {
            format!("is a {}, which cannot be part of a key (unhashable)", v.type_name())
        }
        other => format!("is a {}, expected null, a bool, a number or a string", other.type_name()),
    }
}

/// The keys of the elements of list argument `name`, keyed by the fields `by` (or the elements
/// themselves when `by` is empty).
fn keys<'a>(list: &'a Value, name: &str, by: &[&str], ctx: &Ctx) -> Result<Keys<'a>, Value> {
    let items = super::list_arg(list, name, ctx)?;
    let width = by.len().max(1);
    let mut parts = Vec::with_capacity(items.len() * width);
    for (i, item) in items.iter().enumerate() {
        if by.is_empty() {
            parts.push(key_part(item).map_err(|why| Value::error(format!("`{name}` element {i} {why}")))?);
            continue;
        }
        let Some(fields) = item.as_object() else {
            return Err(Value::error(format!("`{name}` element {i} is a {}, expected an object", item.type_name())));
        };
        for field in by {
            let Some(v) = fields.get_inlined(field) else {
                return Err(Value::error(format!("`{name}` element {i} has no field `{field}`")));
            };
            parts.push(key_part(v).map_err(|why| Value::error(format!("`{name}` element {i} field `{field}` {why}")))?);
        }
    }
    Ok(Keys { parts, width })
}

/// The field names of a `by` argument.
fn field_names(by: &Value) -> Result<Vec<&str>, Value> {
    let Some(items) = by.as_list() else {
        return Err(Value::error(format!("`by` is a {}, expected a list of field names", by.type_name())));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_str().ok_or_else(|| {
                Value::error(format!("`by` element {i} is a {}, expected a field name (string)", v.type_name()))
            })
        })
        .collect()
}

/// Precision and recall of one comparison.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Overlap {
    pub precision: f64,
    pub recall: f64,
}

impl Overlap {
    fn new(true_positives: usize, predicted_total: usize, reference_total: usize) -> Overlap {
        let ratio = |total: usize| {
            if total == 0 { 0.0 } else { true_positives as f64 / total as f64 }
        };
        Overlap { precision: ratio(predicted_total), recall: ratio(reference_total) }
    }
    pub fn f1(self) -> f64 {
        let (p, r) = (self.precision, self.recall);
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
}

/// How many keys of two sorted lists pair up, each key used once: the sum over distinct keys of
/// `min(count in a, count in b)`.
fn paired(a: &[Fingerprinted], b: &[Fingerprinted]) -> usize {
    let (mut i, mut j, mut pairs) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                pairs += 1;
                i += 1;
                j += 1;
            }
        }
    }
    pairs
}

/// Multiset overlap: true positives are `min(predicted count, reference count)` summed over keys;
/// totals are the list lengths. (Pairing equal keys, by scanning short lists or by sorting long
/// ones, equals counting per key, without a map.)
fn multiset_overlap(predicted: &Keys, reference: &Keys) -> Overlap {
    let pairs = if reference.len() <= SCANNED && predicted.len() <= SCANNED {
        paired_by_scan(predicted, reference)
    } else {
        paired(&predicted.sorted(), &reference.sorted())
    };
    Overlap::new(pairs, predicted.len(), reference.len())
}

/// Lists up to this long are paired by [`paired_by_scan`].
const SCANNED: usize = 64;

/// [`paired`] for short lists, without sorting: each predicted key takes the first reference key
/// not yet taken that is equal to it. That pairs `min(count in predicted, count in reference)`
/// keys of each value, as sorting does; for a few dozen keys, comparing fingerprints pair by pair
/// costs less than sorting both lists.
fn paired_by_scan(predicted: &Keys, reference: &Keys) -> usize {
    let mut fingerprints = [0u64; SCANNED];
    for (slot, key) in fingerprints.iter_mut().zip(reference.iter()) {
        *slot = fingerprint(key);
    }
    let fingerprints = &fingerprints[..reference.len()];
    let mut taken = 0u64; // bit j: reference key j is paired
    let mut pairs = 0;
    for key in predicted.iter() {
        let wanted = fingerprint(key);
        let found = fingerprints
            .iter()
            .zip(reference.iter())
            .enumerate()
            .position(|(j, (&f, other))| f == wanted && taken >> j & 1 == 0 && other == key);
        if let Some(j) = found {
            taken |= 1 << j;
            pairs += 1;
        }
    }
    pairs
}

/// Set overlap: duplicates are dropped on each side first.
fn set_overlap(predicted: &Keys, reference: &Keys) -> Overlap {
    let (mut predicted, mut reference) = (predicted.sorted(), reference.sorted());
    predicted.dedup();
    reference.dedup();
    Overlap::new(paired(&predicted, &reference), predicted.len(), reference.len())
}

fn overlap(args: &[Value], ctx: &Ctx, kind: fn(&Keys, &Keys) -> Overlap) -> Result<Overlap, Value> {
    let by = field_names(&args[2])?;
    let predicted = keys(&args[0], "predicted", &by, ctx)?;
    let reference = keys(&args[1], "reference", &by, ctx)?;
    refuse_bool_number_clash(&predicted, &reference)?;
    Ok(kind(&predicted, &reference))
}

/// Booleans and the numbers 0 and 1 are different keys here (JSON equality) but the same key in
/// Python (`True == 1`), which graders ported from Python rely on. When both kinds meet in one
/// comparison the answer depends on which rule was meant, so it is an error that says so rather
/// than a silent guess.
fn refuse_bool_number_clash(predicted: &Keys, reference: &Keys) -> Result<(), Value> {
    fn as_python<'a>(k: &Key<'a>) -> Vec<KeyPart<'a>> {
        k.iter()
            .map(|p| match p {
                KeyPart::Bool(b) => KeyPart::Number(NumberKey::new(if *b { 1.0 } else { 0.0 })),
                other => *other,
            })
            .collect()
    }
    let mut seen: BTreeMap<Vec<KeyPart>, &Key> = BTreeMap::new();
    for k in predicted.iter().chain(reference.iter()) {
        if !k.iter().any(|p| matches!(p, KeyPart::Bool(_) | KeyPart::Number(_))) {
            continue;
        }
        let first = *seen.entry(as_python(k)).or_insert(k);
        if first != k {
            return Err(Value::error(format!(
                "keys {} and {} differ in JSON (`true != 1`) but are equal in Python (`True == 1`); \
                 normalise the values (e.g. booleans as true/false only) so the comparison is unambiguous",
                show(first),
                show(k)
            )));
        }
    }
    Ok(())
}

fn show(k: &Key) -> String {
    let parts: Vec<String> = k
        .iter()
        .map(|p| match p {
            KeyPart::Null => "null".to_string(),
            KeyPart::Bool(b) => b.to_string(),
            KeyPart::Number(n) => Value::Number(n.0).short(20),
            KeyPart::Exact(ExactKey(n)) => crate::value::shorten(n, 20),
            KeyPart::String(KeyStr(s)) => format!("{:?}", crate::value::shorten(s, 20)),
        })
        .collect();
    format!("`({})`", parts.join(", "))
}

fn number(r: Result<f64, Value>) -> Value {
    r.map_or_else(|e| e, Value::Number)
}

/// `multiset_f1(predicted, reference, by: [])`: `2 * p * r / (p + r)` of multiset precision and
/// recall (0 when both are 0).
fn eval_multiset_f1(args: &[Value], ctx: &mut Ctx) -> Value {
    number(overlap(args, ctx, multiset_overlap).map(Overlap::f1))
}

/// `multiset_precision(predicted, reference, by: [])`: matched predicted elements (each reference
/// element matches at most once) over the number of predicted elements (0 if none).
fn eval_multiset_precision(args: &[Value], ctx: &mut Ctx) -> Value {
    number(overlap(args, ctx, multiset_overlap).map(|o| o.precision))
}

/// `multiset_recall(predicted, reference, by: [])`: matched reference elements over the number of
/// reference elements (0 if none).
fn eval_multiset_recall(args: &[Value], ctx: &mut Ctx) -> Value {
    number(overlap(args, ctx, multiset_overlap).map(|o| o.recall))
}

/// `set_f1(predicted, reference, by: [])`: `multiset_f1` after dropping duplicate keys on each side.
fn eval_set_f1(args: &[Value], ctx: &mut Ctx) -> Value {
    number(overlap(args, ctx, set_overlap).map(Overlap::f1))
}

/// `set_precision(predicted, reference, by: [])`: distinct predicted keys found in the reference
/// over the distinct predicted keys (0 if none).
fn eval_set_precision(args: &[Value], ctx: &mut Ctx) -> Value {
    number(overlap(args, ctx, set_overlap).map(|o| o.precision))
}

/// `set_recall(predicted, reference, by: [])`: distinct reference keys found in the prediction over
/// the distinct reference keys (0 if none).
fn eval_set_recall(args: &[Value], ctx: &mut Ctx) -> Value {
    number(overlap(args, ctx, set_overlap).map(|o| o.recall))
}

/// Compile-time check: a literal `by` must be a list of strings.
fn validate_by(args: &[Option<&Value>]) -> Vec<ArgProblem> {
    let Some(Some(by)) = args.get(2) else {
        return Vec::new();
    };
    let help = Some("write the field names as a list of strings, e.g. `by: [\"name\", \"value\"]`".to_string());
    match by.as_list() {
        None => vec![ArgProblem {
            arg: 2,
            code: None,
            message: format!("`by` is a {}, expected a list of field names", by.type_name()),
            help,
        }],
        Some(items) => items
            .iter()
            .enumerate()
            .filter(|(_, v)| v.as_str().is_none())
            .map(|(i, v)| ArgProblem {
                arg: 2,
                code: None,
                message: format!("`by` element {i} is a {}, expected a field name (string)", v.type_name()),
                help: help.clone(),
            })
            .collect(),
    }
}

const PARAMS: &[Param] =
    &[req("predicted", Ty::LIST), req("reference", Ty::LIST), opt("by", Ty::LIST, Default::EmptyList)];

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "multiset_f1",
        doc: "Multiset F1 2·p·r/(p+r) of two lists (0 when p + r is 0). Elements are keyed by the fields \
              `by` (the tuple of their values) or, with `by` empty, by themselves; keys compare with JSON \
              equality and duplicates count.",
        params: PARAMS,
        returns: Ty::NUMBER,
        eval: eval_multiset_f1,
        validate: Some(validate_by),
    },
    Builtin {
        name: "multiset_precision",
        doc: "Multiset precision: the sum over keys of min(predicted count, reference count), divided \
              by the number of predicted elements (0 if there are none).",
        params: PARAMS,
        returns: Ty::NUMBER,
        eval: eval_multiset_precision,
        validate: Some(validate_by),
    },
    Builtin {
        name: "multiset_recall",
        doc: "Multiset recall: the sum over keys of min(predicted count, reference count), divided by \
              the number of reference elements (0 if there are none).",
        params: PARAMS,
        returns: Ty::NUMBER,
        eval: eval_multiset_recall,
        validate: Some(validate_by),
    },
    Builtin {
        name: "set_f1",
        doc: "Set F1 2·p·r/(p+r) of two lists keyed like multiset_f1, with duplicate keys dropped on \
              each side first (0 when p + r is 0).",
        params: PARAMS,
        returns: Ty::NUMBER,
        eval: eval_set_f1,
        validate: Some(validate_by),
    },
    Builtin {
        name: "set_precision",
        doc: "Set precision: distinct predicted keys also in the reference, divided by the distinct \
              predicted keys (0 if there are none).",
        params: PARAMS,
        returns: Ty::NUMBER,
        eval: eval_set_precision,
        validate: Some(validate_by),
    },
    Builtin {
        name: "set_recall",
        doc: "Set recall: distinct reference keys also predicted, divided by the distinct reference keys \
              (0 if there are none).",
        params: PARAMS,
        returns: Ty::NUMBER,
        eval: eval_set_recall,
        validate: Some(validate_by),
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtins::testing::{call, err, l, n, num, s};
    use crate::value::Str;

    #[test]
    fn string_key_parts_are_totally_ordered_and_equal_only_when_equal() {
        let texts: Vec<String> = (0..300).map(|i| format!("{}{}", "ab".repeat(i % 13), i % 17)).collect();
        let mut keys: Vec<KeyStr> = texts.iter().map(|t| KeyStr(t)).collect();
        keys.sort();
        for w in keys.windows(2) {
            assert!(w[0] <= w[1]);
            assert_eq!(w[0] == w[1], w[0].0 == w[1].0);
        }
        for a in &keys {
            for b in &keys {
                assert_eq!(a.cmp(b) == Ordering::Equal, a.0 == b.0, "{a:?} {b:?}");
                assert_eq!(a.cmp(b), b.cmp(a).reverse());
            }
        }
    }

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::Object(pairs.iter().map(|(k, v)| (Str::new(k), v.clone())).collect())
    }
    fn nv(name: &str, value: Value) -> Value {
        obj(&[("name", s(name)), ("value", value)])
    }
    fn by_nv() -> Value {
        l(vec![s("name"), s("value")])
    }

    #[test]
    fn multiset_counts_duplicates() {
        let p = l(vec![s("a"), s("a"), s("b")]);
        let r = l(vec![s("a"), s("c")]);
        assert_eq!(num(call("multiset_precision", vec![p.clone(), r.clone()])), 1.0 / 3.0);
        assert_eq!(num(call("multiset_recall", vec![p.clone(), r.clone()])), 0.5);
        let (pr, rc) = (1.0 / 3.0, 0.5);
        assert_eq!(num(call("multiset_f1", vec![p, r])), 2.0 * pr * rc / (pr + rc));
    }

    #[test]
    fn keys_with_one_fingerprint_still_pair_only_when_equal() {
        // Same length and same first and last eight bytes: one fingerprint, three different keys.
        let (x, y, z) = (s("aaaaaaaaXbbbbbbbb"), s("aaaaaaaaYbbbbbbbb"), s("aaaaaaaaZbbbbbbbb"));
        assert_eq!(fingerprint(&[key_part(&x).unwrap()]), fingerprint(&[key_part(&y).unwrap()]));
        let p = l(vec![x.clone(), y.clone(), x.clone(), z]);
        let r = l(vec![y.clone(), x, y]);
        assert_eq!(num(call("multiset_precision", vec![p.clone(), r.clone()])), 2.0 / 4.0);
        assert_eq!(num(call("set_precision", vec![p, r])), 2.0 / 3.0);
    }
    #[test]
    fn short_and_long_lists_pair_as_counting_per_key_does() {
        // Lists of up to 70 keys (both sides of the 64-key limit of the scan) drawn from a few
        // values, two of which share a fingerprint, so that duplicates and ties are common.
        let values = [s("aaaaaaaaXbbbbbbbb"), s("aaaaaaaaYbbbbbbbb"), s("b"), n(1.0), n(-0.0), n(0.0), Value::Null];
        let mut random = crate::testing::xorshift(0x2545_f491_4f6c_dd1d);
        let mut next = move |bound: usize| (random() % bound as u64) as usize;
        for _ in 0..2000 {
            let mut draw = || {
                let len = [0, 1, 5, 20, 64, 65, 70][next(7)];
                let kinds = 1 + next(values.len());
                (0..len).map(|_| values[next(kinds)].clone()).collect::<Vec<Value>>()
            };
            let (p, r) = (draw(), draw());
            // One representative per key (0 and -0 are one key).
            let classes = [s("aaaaaaaaXbbbbbbbb"), s("aaaaaaaaYbbbbbbbb"), s("b"), n(1.0), n(0.0), Value::Null];
            let count = |xs: &[Value], class: &Value| xs.iter().filter(|x| x.json_eq(class)).count();
            let want: usize = classes.iter().map(|c| count(&p, c).min(count(&r, c))).sum();
            let (pl, rl) = (l(p.clone()), l(r.clone()));
            let ctx = Ctx::default();
            let (pk, rk) = (keys(&pl, "predicted", &[], &ctx).unwrap(), keys(&rl, "reference", &[], &ctx).unwrap());
            assert_eq!(paired(&pk.sorted(), &rk.sorted()), want, "{p:?} {r:?}");
            if p.len() <= SCANNED && r.len() <= SCANNED {
                assert_eq!(paired_by_scan(&pk, &rk), want, "{p:?} {r:?}");
            }
            assert_eq!(multiset_overlap(&pk, &rk), Overlap::new(want, p.len(), r.len()), "{p:?} {r:?}");
        }
    }

    #[test]
    fn integers_beyond_two_to_the_53_are_keys_by_exact_value() {
        let int = |text: &str| crate::value::bigint::BigInt::parse(text).unwrap();
        let ids = |texts: &[&str]| l(texts.iter().map(|t| int(t)).collect());
        // Python: {2**53 + 1} & {2**53} is empty; 10**20 == 1e20 is one key.
        let f1 = |p: Value, r: Value| num(call("set_f1", vec![p, r]));
        assert_eq!(f1(ids(&["9007199254740993"]), ids(&["9007199254740992"])), 0.0);
        assert_eq!(f1(ids(&["1234567890123456789"]), ids(&["1234567890123456788"])), 0.0);
        assert_eq!(f1(ids(&["100000000000000000000"]), l(vec![n(1e20)])), 1.0);
        // Short lists are paired by scanning, long ones by sorting: both count exactly.
        for copies in [1, 40] {
            let p: Vec<&str> = ["9007199254740993", "-9007199254740993", "9007199254740993"].repeat(copies);
            let r: Vec<&str> = ["9007199254740993", "9007199254740994"].repeat(copies);
            let pairs = num(call("multiset_precision", vec![ids(&p), ids(&r)])) * p.len() as f64;
            assert_eq!(pairs.round(), copies as f64, "{copies}");
        }
    }

    #[test]
    fn fractions_are_keys_by_exact_value() {
        let fraction = |text: &str| call("rational", vec![s(text)]);
        let big = crate::value::bigint::BigInt::parse("9007199254740993").unwrap();
        // Python: {Fraction(1, 2)} & {0.5} and {Fraction(2**53 + 1)} & {2**53 + 1} are one key each;
        // {Fraction(1, 10)} & {0.1} and {Fraction(1, 3)} & {Fraction(33, 100)} are empty.
        let f1 = |p: Value, r: Value| num(call("set_f1", vec![l(vec![p]), l(vec![r])]));
        assert_eq!(f1(fraction("1/2"), n(0.5)), 1.0);
        assert_eq!(f1(fraction("4.0"), n(4.0)), 1.0);
        assert_eq!(f1(fraction("9007199254740993"), big.clone()), 1.0);
        assert_eq!(f1(fraction("0.1"), n(0.1)), 0.0);
        assert_eq!(f1(fraction("1/3"), fraction("0.33")), 0.0);
        assert_eq!(f1(fraction("1/3"), fraction("\\frac{2}{6}")), 1.0);
        assert_eq!(f1(fraction("1/3"), s("1/3")), 0.0);
        // Scanned and sorted pairing agree.
        for copies in [1, 40] {
            let repeated = |xs: Vec<Value>| l(std::iter::repeat_n(xs, copies).flatten().collect());
            let p = repeated(vec![fraction("1/3"), fraction("2/3"), n(0.5), big.clone()]);
            let r = repeated(vec![fraction("2/6"), fraction("1/2"), fraction("9007199254740993"), n(1.0)]);
            assert_eq!(num(call("multiset_precision", vec![p, r])), 0.75, "{copies}");
        }
    }

    #[test]
    fn set_drops_duplicates() {
        let p = l(vec![s("a"), s("a"), s("b")]);
        let r = l(vec![s("a"), s("c"), s("c")]);
        assert_eq!(num(call("set_precision", vec![p.clone(), r.clone()])), 0.5);
        assert_eq!(num(call("set_recall", vec![p.clone(), r.clone()])), 0.5);
        assert_eq!(num(call("set_f1", vec![p, r])), 0.5);
    }

    #[test]
    fn empty_sides_give_zero() {
        assert_eq!(num(call("multiset_precision", vec![l(vec![]), l(vec![s("a")])])), 0.0);
        assert_eq!(num(call("multiset_recall", vec![l(vec![s("a")]), l(vec![])])), 0.0);
        assert_eq!(num(call("multiset_f1", vec![l(vec![]), l(vec![])])), 0.0);
        assert_eq!(num(call("set_f1", vec![l(vec![]), l(vec![])])), 0.0);
    }

    #[test]
    fn keys_use_json_equality() {
        let f1 = |p: Value, r: Value| num(call("multiset_f1", vec![l(vec![p]), l(vec![r])]));
        assert_eq!(f1(n(1.0), n(1.0)), 1.0);
        assert_eq!(f1(n(-0.0), n(0.0)), 1.0);
        assert!(call("multiset_f1", vec![l(vec![Value::Bool(true)]), l(vec![n(1.0)])]).is_error());
        assert_eq!(f1(Value::Bool(true), n(2.0)), 0.0);
        assert_eq!(f1(s("8"), n(8.0)), 0.0);
        assert_eq!(f1(s("é"), s("e\u{301}")), 0.0);
        assert_eq!(f1(Value::Null, Value::Null), 1.0);
    }

    #[test]
    fn keys_by_fields() {
        let p = l(vec![nv("A", n(1.0)), nv("B", n(2.0))]);
        let r = l(vec![obj(&[("name", s("A")), ("value", n(1.0)), ("extra", s("x"))]), nv("B", n(3.0))]);
        assert_eq!(num(call("multiset_f1", vec![p.clone(), r.clone(), by_nv()])), 0.5);
        assert_eq!(num(call("multiset_f1", vec![p, r, l(vec![s("name")])])), 1.0);
    }

    #[test]
    fn malformed_elements_are_errors() {
        let r = l(vec![nv("A", n(1.0))]);
        let v = call("multiset_f1", vec![l(vec![nv("A", n(1.0)), s("x")]), r.clone(), by_nv()]);
        assert_eq!(err(v), "`predicted` element 1 is a string, expected an object");
        let v = call("multiset_f1", vec![l(vec![obj(&[("name", s("A"))])]), r.clone(), by_nv()]);
        assert_eq!(err(v), "`predicted` element 0 has no field `value`");
        let v = call("multiset_f1", vec![r.clone(), l(vec![nv("A", l(vec![]))]), by_nv()]);
        assert_eq!(err(v), "`reference` element 0 field `value` is a list, which cannot be part of a key (unhashable)");
        let v = call("set_f1", vec![l(vec![obj(&[])]), l(vec![])]);
        assert_eq!(err(v), "`predicted` element 0 is a object, which cannot be part of a key (unhashable)");
    }

    #[test]
    fn by_must_name_fields() {
        let v = call("multiset_f1", vec![l(vec![]), l(vec![]), l(vec![n(1.0)])]);
        assert_eq!(err(v), "`by` element 0 is a number, expected a field name (string)");
        let bad = l(vec![s("name"), n(2.0)]);
        let problems = validate_by(&[None, None, Some(&bad)]);
        assert_eq!(problems.len(), 1);
        assert_eq!(
            (problems[0].arg, problems[0].message.as_str()),
            (2, "`by` element 1 is a number, expected a field name (string)")
        );
        assert!(validate_by(&[None, None, Some(&by_nv())]).is_empty());
        assert!(validate_by(&[None, None, None]).is_empty());
    }

    #[test]
    fn results_do_not_depend_on_order() {
        let a = l(vec![n(3.0), s("x"), Value::Null, n(3.0), Value::Bool(false)]);
        let b = l(vec![Value::Bool(false), n(3.0), s("y")]);
        let rev = |v: &Value| l(v.as_list().unwrap().iter().rev().cloned().collect());
        for name in ["multiset_f1", "set_f1", "multiset_precision", "set_recall"] {
            assert_eq!(num(call(name, vec![a.clone(), b.clone()])), num(call(name, vec![rev(&a), rev(&b)])));
        }
    }

    fn fixture(name: &str) -> String {
        let path = format!("{}/tests/data/sets/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// Whether a list of `{name, value}` entries has a boolean name or value (where Python's
    /// `True == 1` may merge keys we keep apart).
    fn has_bool(v: &serde_json::Value) -> bool {
        v.as_array().is_some_and(|items| {
            items.iter().any(|e| ["name", "value"].iter().any(|f| e.get(f).is_some_and(|x| x.is_boolean())))
        })
    }

    #[test]
    fn chipstack_corpus_multiset_f1() {
        let cases = fixture("chipstack_cases.jsonl");
        let expected = fixture("chipstack_expected.jsonl");
        let (mut equal, mut error_where_python_zero, mut stricter_on_bools) = (0, 0, 0);
        for (case, exp) in cases.lines().zip(expected.lines()) {
            let case: serde_json::Value = serde_json::from_str(case).unwrap();
            let exp: serde_json::Value = serde_json::from_str(exp).unwrap();
            assert_eq!(case["id"], exp["id"]);
            let want = exp["score"].as_f64().unwrap();
            let predicted_json = &case["sample"]["output_json"]["predicted"];
            let reference_json = &case["item"]["reference_answer"];
            let predicted = Value::from_json(predicted_json);
            let reference = Value::from_json(reference_json);
            // A non-list `predicted` (or no output) never reaches the builtin: the engine rejects it.
            let got = if predicted.as_list().is_some() && reference.as_list().is_some() {
                call("multiset_f1", vec![predicted, reference, by_nv()])
            } else {
                Value::error("not a list")
            };
            let bools = has_bool(predicted_json) || has_bool(reference_json);
            match got.as_f64() {
                Some(x) if x.to_bits() == want.to_bits() => equal += 1,
                Some(x) if x < want && bools => stricter_on_bools += 1,
                None if want == 0.0 => error_where_python_zero += 1,
                None if bools => stricter_on_bools += 1,
                _ => panic!("{}: got {got}, python {want}", case["id"]),
            }
        }
        println!(
            "chipstack: {equal} equal bit for bit, {error_where_python_zero} errors where Python scores 0, \
             {stricter_on_bools} lower or errors because true != 1"
        );
        assert!(equal >= 150, "only {equal} equal");
    }
}
