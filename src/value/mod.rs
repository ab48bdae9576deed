//! Runtime values: JSON values plus *missing* (a path that matched nothing), figures, regexes and
//! *error* (a data error travelling as a value until a criterion, gate or score consumes it).

use std::fmt;
use std::sync::Arc;

pub mod bigint;
pub mod figure;
pub mod rational;

use bigint::{BigInt, Numeric};
use figure::Figure;
use rational::Rational;

/// A string value. Most strings in cases are short (keys, names, labels, numbers as text), and
/// these are stored inline (up to 23 bytes), so building, cloning and dropping them allocates
/// nothing and touches no shared counter; longer ones share one reference-counted buffer.
pub type Str = smol_str::SmolStr;

/// An object's fields, sorted by key (as serde_json's default map), so iteration is deterministic.
///
/// One shared, immutable slice: case objects are built once per case, read and dropped, so one
/// allocation per object (no separate vector and box, no B-tree nodes) is what matters, and a clone
/// only counts a reference. The rare changes after building ([`Map::insert`], [`Map::remove`]) copy.
#[derive(Clone, Debug)]
pub struct Map {
    entries: Shared<[(Str, Value)]>,
}

impl Default for Map {
    fn default() -> Map {
        Map { entries: Shared::from(Vec::new()) }
    }
}

/// The shared slices of lists and objects: reference-counted without a weak count, so freeing one
/// is one atomic operation rather than two (values are freed once per case, in bulk).
pub type Shared<T> = triomphe::Arc<T>;

impl Map {
    pub fn new() -> Map {
        Map::default()
    }

    /// A map of `fields`, in any order; of two equal keys the later one stays (as in Python's `json`).
    pub fn from_fields(mut fields: Vec<(Str, Value)>) -> Map {
        Map::from_scratch(&mut fields, 0)
    }

    /// A map of the fields drained from `scratch[start..]` (in any order; of two equal keys the
    /// later one stays), ordered in place so that the map is one allocation of exactly its size.
    pub fn from_scratch(scratch: &mut Vec<(Str, Value)>, start: usize) -> Map {
        let fields = &mut scratch[start..];
        if !fields.is_sorted_by(|(a, _), (b, _)| key_order(a, b).is_lt()) {
            // Stable, so equal keys stay in input order; then the last of each run is kept.
            fields.sort_by(|(a, _), (b, _)| key_order(a, b));
            let mut kept = 0;
            for i in 0..fields.len() {
                if kept > 0 && fields[kept - 1].0 == fields[i].0 {
                    fields.swap(kept - 1, i);
                } else {
                    fields.swap(kept, i);
                    kept += 1;
                }
            }
            scratch.truncate(start + kept);
        }
        Map { entries: drain_to_shared(scratch, start) }
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| key_order(k, key))
    }

    /// The index of `key`. Most objects are small: comparing lengths first beats ordering strings.
    fn position(&self, key: &str) -> Option<usize> {
        if self.entries.len() <= 8 {
            self.entries.iter().position(|(k, _)| same_bytes(k.as_bytes(), key.as_bytes()))
        } else {
            self.find(key).ok()
        }
    }

    /// Sets `key` (a later value replaces an earlier one); returns the old value. Copies the fields.
    pub fn insert(&mut self, key: Str, value: Value) -> Option<Value> {
        let mut fields = self.entries.to_vec();
        let old = match self.find(&key) {
            Ok(at) => Some(std::mem::replace(&mut fields[at].1, value)),
            Err(at) => {
                fields.insert(at, (key, value));
                None
            }
        };
        self.entries = fields.into();
        old
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.position(key).map(|at| &self.entries[at].1)
    }

    /// [`Map::get`] inlined where it is called, for lookups in many small objects in a row (the
    /// key fields of a list's elements), where the call cost more than the search.
    #[inline(always)]
    pub fn get_inlined(&self, key: &str) -> Option<&Value> {
        if self.entries.len() > 8 {
            return self.get(key);
        }
        self.entries.iter().find(|(k, _)| same_bytes(k.as_bytes(), key.as_bytes())).map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Removes `key`, returning its value. Copies the fields.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let at = self.find(key).ok()?;
        let mut fields = self.entries.to_vec();
        let (_, old) = fields.remove(at);
        self.entries = fields.into();
        Some(old)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Fields in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&Str, &Value)> + ExactSizeIterator {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Str> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }
}

pub(crate) use crate::alloc::drain_to_shared;

/// The byte order of two keys. Keys of an object mostly differ in their first byte, which decides
/// without a call to `memcmp`.
#[inline]
fn key_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.as_bytes().first(), b.as_bytes().first()) {
        (Some(x), Some(y)) if x != y => x.cmp(y),
        _ => a.cmp(b),
    }
}

/// Whether two keys are equal. Keys are short: up to 32 bytes they are compared as a few
/// (overlapping) words in place, which is several times cheaper than a call to `memcmp`.
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().expect("8 bytes"));
    let half = |s: &[u8], at: usize| u32::from_le_bytes(s[at..at + 4].try_into().expect("4 bytes"));
    match n {
        0..4 => a == b,
        4..8 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        17..=32 => {
            word(a, 0) == word(b, 0)
                && word(a, 8) == word(b, 8)
                && word(a, n - 16) == word(b, n - 16)
                && word(a, n - 8) == word(b, n - 8)
        }
        _ => a == b,
    }
}

impl std::ops::Index<&str> for Map {
    type Output = Value;
    /// The value of `key`; panics when there is none (as `BTreeMap` does), so only for tests.
    fn index(&self, key: &str) -> &Value {
        self.get(key).expect("no such key")
    }
}

impl FromIterator<(Str, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (Str, Value)>>(iter: I) -> Map {
        Map::from_fields(iter.into_iter().collect())
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a Str, &'a Value);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (Str, Value)>, fn(&'a (Str, Value)) -> (&'a Str, &'a Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

#[derive(Clone, Debug)]
pub enum Value {
    /// A path that matched nothing; holds the path (or a description of where) for messages.
    Missing(Arc<str>),
    Null,
    Bool(bool),
    Number(f64),
    /// An integer beyond ±2^53, kept exact (see [`BigInt`]); its type is `number`.
    BigInt(BigInt),
    /// An exact fraction (see [`Rational`]), made by the `rational` builtin; its type is `number`.
    Rational(Rational),
    String(Str),
    List(Shared<[Value]>),
    Object(Map),
    /// A money or percent literal such as `$248,333` or `26.67%`.
    Figure(Arc<Figure>),
    Regex(Arc<regex::Regex>),
    Error(Arc<Failure>),
}

/// Why a value could not be computed. The message is lowercase and names the JSON path when there is one.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub message: String,
}

/// The kind of a value, as a bit in a [`Ty`] set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Ty(pub u16);

impl Ty {
    pub const NONE: Ty = Ty(0);
    pub const MISSING: Ty = Ty(1);
    pub const NULL: Ty = Ty(2);
    pub const BOOL: Ty = Ty(4);
    pub const NUMBER: Ty = Ty(8);
    pub const STRING: Ty = Ty(16);
    pub const LIST: Ty = Ty(32);
    pub const OBJECT: Ty = Ty(64);
    pub const FIGURE: Ty = Ty(128);
    pub const REGEX: Ty = Ty(256);
    pub const ERROR: Ty = Ty(512);
    /// Any JSON value.
    pub const JSON: Ty = Ty(2 | 4 | 8 | 16 | 32 | 64);
    /// What a data path may yield.
    pub const DATA: Ty = Ty(Self::JSON.0 | 1);
    /// Anything but missing and error.
    pub const ANY: Ty = Ty(Self::JSON.0 | 128 | 256);
    /// Literally anything (for builtins that inspect missing values themselves, like `is_missing`).
    pub const ALL: Ty = Ty(1023);

    pub const fn or(self, other: Ty) -> Ty {
        Ty(self.0 | other.0)
    }
    pub const fn and(self, other: Ty) -> Ty {
        Ty(self.0 & other.0)
    }
    pub const fn contains(self, other: Ty) -> bool {
        self.0 & other.0 == other.0
    }
    pub const fn intersects(self, other: Ty) -> bool {
        self.0 & other.0 != 0
    }
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Human-readable, e.g. `string or list`.
    pub fn describe(self) -> String {
        if self == Ty::ALL || self.contains(Ty::ANY) {
            return "any value".into();
        }
        if self.contains(Ty::JSON) {
            return "any JSON value".into();
        }
        let names: Vec<&str> = [
            (Ty::MISSING, "missing"),
            (Ty::NULL, "null"),
            (Ty::BOOL, "bool"),
            (Ty::NUMBER, "number"),
            (Ty::STRING, "string"),
            (Ty::LIST, "list"),
            (Ty::OBJECT, "object"),
            (Ty::FIGURE, "figure"),
            (Ty::REGEX, "regex"),
            (Ty::ERROR, "error"),
        ]
        .iter()
        .filter(|(t, _)| self.contains(*t))
        .map(|(_, n)| *n)
        .collect();
        match names.len() {
            0 => "nothing".into(),
            1 => names[0].into(),
            n => format!("{} or {}", names[..n - 1].join(", "), names[n - 1]),
        }
    }
}

impl Value {
    pub fn error(message: impl Into<String>) -> Value {
        Value::Error(Arc::new(Failure { message: message.into() }))
    }
    pub fn str(s: &str) -> Value {
        Value::String(Str::new(s))
    }
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(items.into())
    }

    pub fn ty(&self) -> Ty {
        match self {
            Value::Missing(_) => Ty::MISSING,
            Value::Null => Ty::NULL,
            Value::Bool(_) => Ty::BOOL,
            Value::Number(_) | Value::BigInt(_) | Value::Rational(_) => Ty::NUMBER,
            Value::String(_) => Ty::STRING,
            Value::List(_) => Ty::LIST,
            Value::Object(_) => Ty::OBJECT,
            Value::Figure(_) => Ty::FIGURE,
            Value::Regex(_) => Ty::REGEX,
            Value::Error(_) => Ty::ERROR,
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Missing(_) => "missing",
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) | Value::BigInt(_) | Value::Rational(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Object(_) => "object",
            Value::Figure(_) => "figure",
            Value::Regex(_) => "regex",
            Value::Error(_) => "error",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    /// A number as the nearest double (an exact big integer rounds).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            Value::BigInt(n) => Some(n.to_f64()),
            Value::Rational(r) => Some(r.to_f64()),
            _ => None,
        }
    }
    /// A number (or a figure's value) as it is compared and computed on: exact when it is a big integer.
    #[inline]
    pub fn numeric(&self) -> Option<Numeric<'_>> {
        match self {
            Value::Number(n) => Some(Numeric::Double(*n)),
            Value::BigInt(n) => Some(Numeric::Exact(n)),
            Value::Rational(r) => Some(Numeric::Ratio(r)),
            Value::Figure(f) => Some(Numeric::Double(f.value)),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }
    pub fn is_error(&self) -> bool {
        matches!(self, Value::Error(_))
    }

    /// Converts parsed JSON into a value.
    pub fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) if n.is_f64() => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::Number(n) => BigInt::parse(&n.to_string()).unwrap_or(Value::Number(f64::NAN)),
            serde_json::Value::String(s) => Value::str(s),
            serde_json::Value::Array(a) => Value::List(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => {
                Value::Object(o.iter().map(|(k, v)| (Str::new(k), Value::from_json(v))).collect())
            }
        }
    }

    /// Converts back to JSON. Figures become their written text, regexes their source; missing
    /// becomes null and errors become `{"error": message}`. A big integer stays exact within the
    /// 64-bit range (serde_json's integers) and becomes the nearest double beyond; [`Value::json_text`]
    /// writes every integer exactly.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Missing(_) | Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            // Whole numbers print as integers (ids, counts), like the JSON they usually came from
            // (beyond 2^53 an integer read from JSON is a `BigInt`).
            Value::Number(n) if n.fract() == 0.0 && n.abs() <= bigint::EXACT_DOUBLES => {
                serde_json::Value::from(*n as i64)
            }
            Value::Number(n) => {
                serde_json::Number::from_f64(*n).map(serde_json::Value::Number).unwrap_or(serde_json::Value::Null)
            }
            Value::BigInt(n) => match (n.as_str().parse::<i64>(), n.as_str().parse::<u64>()) {
                (Ok(i), _) => serde_json::Value::from(i),
                (_, Ok(u)) => serde_json::Value::from(u),
                _ => Value::Number(n.to_f64()).to_json(),
            },
            // A fraction is written as the nearest double, where JSON expects a number.
            Value::Rational(r) => Value::Number(r.to_f64()).to_json(),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::List(l) => serde_json::Value::Array(l.iter().map(Value::to_json).collect()),
            Value::Object(o) => {
                serde_json::Value::Object(o.iter().map(|(k, v)| (k.to_string(), v.to_json())).collect())
            }
            Value::Figure(f) => serde_json::Value::String(f.text.clone()),
            Value::Regex(r) => serde_json::Value::String(format!("/{}/", r.as_str())),
            Value::Error(e) => serde_json::json!({ "error": e.message }),
        }
    }

    /// JSON equality: objects by key set and values, lists in order, strings by code point, numbers by
    /// exact value (`1 == 1.0`, `10**20 == 1e20`, `2**53 + 1 != 2.0**53`, a fraction `1/2 == 0.5`, as in Python), booleans only equal booleans (`true != 1`), null only equals null.
    /// Figures compare by kind and exact decimal value. Missing and errors never equal anything.
    pub fn json_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::BigInt(a), Value::BigInt(b)) => a == b,
            (Value::BigInt(a), Value::Number(b)) | (Value::Number(b), Value::BigInt(a)) => {
                a.cmp_f64(*b) == Some(std::cmp::Ordering::Equal)
            }
            (Value::Rational(a), Value::Rational(b)) => a == b,
            (Value::Rational(a), Value::Number(b)) | (Value::Number(b), Value::Rational(a)) => {
                a.cmp_f64(*b) == Some(std::cmp::Ordering::Equal)
            }
            (Value::Rational(a), Value::BigInt(b)) | (Value::BigInt(b), Value::Rational(a)) => {
                a.cmp_big(b) == std::cmp::Ordering::Equal
            }
            (Value::String(a), Value::String(b)) => a == b,
            (Value::List(a), Value::List(b)) => a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.json_eq(y)),
            (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| v.json_eq(w)))
            }
            (Value::Figure(a), Value::Figure(b)) => a.kind == b.kind && a.canonical == b.canonical,
            (Value::Regex(a), Value::Regex(b)) => a.as_str() == b.as_str(),
            _ => false,
        }
    }

    /// A short rendering for messages and traces: at most `max` characters.
    pub fn short(&self, max: usize) -> String {
        let full = match self {
            Value::Missing(p) => format!("missing ({p})"),
            Value::Error(e) => format!("error ({})", e.message),
            Value::Figure(f) => f.text.clone(),
            Value::Regex(r) => format!("/{}/", r.as_str()),
            Value::Rational(r) => r.text().to_string(),
            other => other.json_text(),
        };
        shorten(&full, max)
    }

    /// The value as a message names it: its type and a short rendering (`string "yes"`), or the
    /// rendering alone where that already says the type (`null`, `true`).
    pub fn described(&self, max: usize) -> String {
        match self {
            Value::Null | Value::Bool(_) => self.short(max),
            other => format!("{} {}", other.type_name(), other.short(max)),
        }
    }

    /// Compact JSON text, as serde_json writes [`Value::to_json`], with every integer exact.
    pub fn json_text(&self) -> String {
        let mut out = Vec::new();
        self.write_json(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// Appends [`Value::json_text`].
    pub fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Value::BigInt(n) => out.extend_from_slice(n.as_str().as_bytes()),
            Value::List(l) => {
                out.push(b'[');
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    v.write_json(out);
                }
                out.push(b']');
            }
            Value::Object(o) => {
                out.push(b'{');
                for (i, (k, v)) in o.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    // Writing to a Vec cannot fail.
                    let _ = serde_json::to_writer(&mut *out, k.as_str());
                    out.push(b':');
                    v.write_json(out);
                }
                out.push(b'}');
            }
            other => {
                let _ = serde_json::to_writer(&mut *out, &other.to_json());
            }
        }
    }
}

/// Cuts `s` to at most `max` characters, marking the cut with `…`.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// What a missing value is named in a message: a path as written is quoted (`` `sample.x` ``); a
/// description that quotes its own parts (``field `x` ``, `index 3 of a list of 2`) is not.
pub fn missing_subject(what: &str) -> String {
    if what.contains('`') || what.contains(' ') { what.to_string() } else { format!("`{what}`") }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short(80))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_order_as_strings_do() {
        let keys = ["", "a", "ab", "b", "ba", "é", "z", "\u{1F600}", "name", "value", "names"];
        for a in keys {
            for b in keys {
                assert_eq!(key_order(a, b), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn fields_are_found_the_same_way_inlined_or_not() {
        for size in 0..12 {
            let map: Map = (0..size).map(|i| (Str::new(format!("field{i}")), Value::Number(i as f64))).collect();
            for i in 0..size + 2 {
                let key = format!("field{i}");
                let (got, want) = (map.get_inlined(&key), map.get(&key));
                assert_eq!(got.map(|v| v.to_json()), want.map(|v| v.to_json()), "{key} in {size}");
                assert_eq!(got.is_some(), i < size, "{key} in {size}");
            }
        }
    }

    #[test]
    fn json_text_is_what_serde_writes_and_exact_for_big_integers() {
        let doc =
            serde_json::json!({"b": [1, 2.5, -0.0, 1e300, "x\"\u{1}é", null, true], "a": {"": 9007199254740992_u64}});
        let value = Value::from_json(&doc);
        assert_eq!(value.json_text(), value.to_json().to_string());
        let big = bigint::BigInt::parse("-123456789012345678901234").unwrap();
        assert_eq!(Value::list(vec![big.clone(), Value::Number(1.0)]).json_text(), "[-123456789012345678901234,1]");
        assert_eq!(Value::from_json(&serde_json::json!(9007199254740993_u64)).json_text(), "9007199254740993");
    }

    #[test]
    fn big_integers_equal_doubles_only_at_the_same_value() {
        let int = |text: &str| bigint::BigInt::parse(text).unwrap();
        assert!(int("100000000000000000000").json_eq(&Value::Number(1e20)));
        assert!(Value::Number(1e20).json_eq(&int("100000000000000000000")));
        assert!(!int("9007199254740993").json_eq(&Value::Number(9007199254740992.0)));
        assert!(!int("9007199254740993").json_eq(&int("9007199254740994")));
        assert!(int("-9007199254740993").json_eq(&int("-9007199254740993")));
        assert!(!int("9007199254740993").json_eq(&Value::str("9007199254740993")));
    }

    #[test]
    fn drained_elements_move_once() {
        let counted = Arc::new(());
        let mut scratch: Vec<Arc<()>> = (0..5).map(|_| counted.clone()).collect();
        let shared = drain_to_shared(&mut scratch, 2);
        assert_eq!((scratch.len(), shared.len(), Arc::strong_count(&counted)), (2, 3, 6));
        drop((scratch, shared));
        assert_eq!(Arc::strong_count(&counted), 1);
        let mut empty: Vec<String> = vec!["a".into()];
        assert!(drain_to_shared(&mut empty, 1).is_empty());
    }

    #[test]
    fn keys_compare_equal_exactly_when_their_bytes_do() {
        for n in 0..40usize {
            let a: Vec<u8> = (0..n as u8).map(|i| b'a' + i % 26).collect();
            assert!(same_bytes(&a, &a.clone()), "length {n}");
            assert!(!same_bytes(&a, &a[..n.saturating_sub(1)]) || n == 0, "length {n} against a prefix");
            for at in 0..n {
                let mut b = a.clone();
                b[at] ^= 1;
                assert!(!same_bytes(&a, &b), "length {n}, differing at {at}");
            }
        }
    }
}
