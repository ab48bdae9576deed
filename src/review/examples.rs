//! Examples for a rubric: a sidecar `NAME.tests.yaml` next to `NAME.rubric` holding small cases,
//! each with the score it should get and, per criterion, the status it should end in. Running them
//! checks both how much a case earns and why.
//!
//! ```yaml
//! examples:
//!   - name: names_the_right_tool
//!     sample: { output_tools: [ { function: { name: get_weather, arguments: '{"city": "Paris"}' } } ] }
//!     item: { reference_answer: { tool_called: get_weather, tool_parameters: { city: Paris } } }
//!     score: 1.0
//!     criteria: { name: met, arguments: met }
//!   - name: no_reference_is_a_data_error
//!     item: {}
//!     error: "tool_called"
//! ```
//!
//! Keys of an example: `name` (required, unique), `sample` and `item` (default `{}`), `score`,
//! `tolerance` (default 1e-9), `criteria` (id -> met, unmet, error or skipped) and `error`: `true`
//! when the case must fail with a data error, or a string the error's message must contain.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};

use crate::builtins::Ctx;
use crate::eval::{Outcome, Program, Status};
use crate::plan::{Plan, PlanItem};
use crate::run::grade_line;

/// The default tolerance of an expected score.
pub const DEFAULT_TOLERANCE: f64 = 1e-9;

/// A sidecar file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sidecar {
    pub examples: Vec<Example>,
}

/// One example: a case and what grading it should give.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub name: String,
    /// The case's `sample` (the model output).
    #[serde(default = "empty_object")]
    pub sample: serde_json::Value,
    /// The case's `item` (the dataset row).
    #[serde(default = "empty_object")]
    pub item: serde_json::Value,
    /// The expected score; when an error is expected it defaults to the rubric's on-error score.
    pub score: Option<f64>,
    #[serde(default = "default_tolerance")]
    pub tolerance: f64,
    /// Expected status per criterion, group, ladder or step id.
    #[serde(default)]
    pub criteria: BTreeMap<String, ExpectedStatus>,
    /// Whether the case should fail with a data error (and get the on-error score).
    #[serde(default)]
    pub error: ExpectedError,
}

/// What an example expects of the case's error: `error: false` (the default), `error: true`, or
/// `error: "text"` (it fails, and its error message contains the text).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ExpectedError {
    #[default]
    None,
    Any,
    Containing(String),
}

impl ExpectedError {
    pub fn is_expected(&self) -> bool {
        *self != ExpectedError::None
    }
}

impl<'de> Deserialize<'de> for ExpectedError {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = ExpectedError;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("`true`, `false`, or a part of the expected error message")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<ExpectedError, E> {
                Ok(if v { ExpectedError::Any } else { ExpectedError::None })
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ExpectedError, E> {
                if v.is_empty() {
                    return Err(E::custom("an empty `error` text is in every message: write `error: true`"));
                }
                Ok(ExpectedError::Containing(v.to_string()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A status as written in a sidecar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExpectedStatus {
    Met,
    Unmet,
    Error,
    Skipped,
}

impl ExpectedStatus {
    pub fn status(self) -> Status {
        match self {
            ExpectedStatus::Met => Status::Met,
            ExpectedStatus::Unmet => Status::Unmet,
            ExpectedStatus::Error => Status::Error,
            ExpectedStatus::Skipped => Status::Skipped,
        }
    }
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(serde_json::Map::new())
}

fn default_tolerance() -> f64 {
    DEFAULT_TOLERANCE
}

/// The sidecar of a rubric: `dir/NAME.rubric` -> `dir/NAME.tests.yaml`.
pub fn sidecar_path(rubric: &Path) -> PathBuf {
    let name = rubric.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let stem = name.strip_suffix(".rubric").unwrap_or(&name);
    rubric.with_file_name(format!("{stem}.tests.yaml"))
}

/// Why a sidecar could not be read or used.
#[derive(Clone, Debug, PartialEq)]
pub enum SidecarError {
    /// The file cannot be read.
    Unreadable(String),
    /// The file is not a valid sidecar; `at` is the (line, column) the YAML reader or the check
    /// points at, when known.
    Invalid { at: Option<(usize, usize)>, message: String },
}

impl SidecarError {
    /// `FILE:LINE:COL: message` (or `FILE: message` when there is no position).
    pub fn located(&self, file: &str) -> String {
        match self {
            SidecarError::Unreadable(message) => format!("cannot read `{file}`: {message}"),
            SidecarError::Invalid { at: Some((line, col)), message } => format!("{file}:{line}:{col}: {message}"),
            SidecarError::Invalid { at: None, message } => format!("{file}: {message}"),
        }
    }

    fn message(&self) -> &str {
        match self {
            SidecarError::Unreadable(m) | SidecarError::Invalid { message: m, .. } => m,
        }
    }
}

impl std::fmt::Display for SidecarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

/// Reads and validates a sidecar (every example named, names unique, sensible tolerances).
pub fn read_sidecar(path: &Path) -> Result<Sidecar, SidecarError> {
    let text = std::fs::read_to_string(path).map_err(|e| SidecarError::Unreadable(e.to_string()))?;
    parse_sidecar(&text)
}

pub fn parse_sidecar(text: &str) -> Result<Sidecar, SidecarError> {
    let sidecar: Sidecar = serde_yaml::from_str(text).map_err(|e| {
        let at = e.location().map(|l| (l.line(), l.column()));
        let mut message = e.to_string();
        // The position goes in front, as `FILE:LINE:COL:`; the reader also appends it.
        if let Some((line, col)) = at
            && let Some(bare) = message.strip_suffix(&format!(" at line {line} column {col}"))
        {
            message = bare.to_string();
        }
        SidecarError::Invalid { at, message }
    })?;
    let invalid = |name: &str, nth: usize, message: String| SidecarError::Invalid {
        at: example_position(text, name, nth),
        message,
    };
    let mut seen = BTreeSet::new();
    for e in &sidecar.examples {
        if e.name.trim().is_empty() {
            return Err(invalid(&e.name, 0, "an example has an empty name".into()));
        }
        if !seen.insert(e.name.as_str()) {
            return Err(invalid(&e.name, 1, format!("two examples are named `{}`", e.name)));
        }
        if e.score.is_none() && !e.error.is_expected() {
            return Err(invalid(
                &e.name,
                0,
                format!("example `{}` has no expected `score` (or `error: true`, or `error: \"TEXT\"`)", e.name),
            ));
        }
        if e.tolerance.is_nan() || e.tolerance < 0.0 {
            return Err(invalid(&e.name, 0, format!("example `{}` has a negative or NaN tolerance", e.name)));
        }
    }
    Ok(sidecar)
}

/// The (line, column) of the `nth` (0-based) `name: NAME` in a sidecar's text, quoted or not, in
/// block or flow style.
fn example_position(text: &str, name: &str, nth: usize) -> Option<(usize, usize)> {
    let mut found = 0;
    for (i, line) in text.lines().enumerate() {
        let mut from = 0;
        while let Some(k) = line[from..].find("name:") {
            let at = from + k;
            let value = line[at + "name:".len()..].trim_start();
            let value = value.split([',', '}']).next().unwrap_or("").trim().trim_matches(['"', '\'']);
            if value == name {
                if found == nth {
                    return Some((i + 1, line[..at].chars().count() + 1));
                }
                found += 1;
            }
            from = at + "name:".len();
        }
    }
    None
}

/// Something an example expected that did not happen.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// The example is not a readable case (e.g. `sample` is not an object).
    NotACase(String),
    Score {
        expected: f64,
        actual: f64,
        tolerance: f64,
    },
    /// An error was expected (`error: true` or a text), but the case graded without error.
    NoError,
    /// The case failed, but its error does not contain the expected text.
    WrongError {
        expected: String,
        actual: String,
    },
    /// The case failed with a data error the example did not expect.
    UnexpectedError(String),
    Status {
        id: String,
        expected: Status,
        actual: Status,
        reason: Option<String>,
    },
    /// Ids in `criteria` that the rubric does not have.
    UnknownIds {
        ids: Vec<String>,
        known: Vec<String>,
    },
}

/// The result of running one example.
#[derive(Clone, Debug)]
pub struct ExampleRun {
    pub name: String,
    pub problems: Vec<Problem>,
    pub outcome: Option<Outcome>,
}

impl ExampleRun {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Every id a case's trace can name, in plan order (criteria, groups and their members, ladders and
/// their steps).
pub fn plan_ids(plan: &Plan) -> Vec<String> {
    let mut ids = Vec::new();
    for item in &plan.items {
        match item {
            PlanItem::Criterion(c) => ids.push(c.id.clone()),
            PlanItem::Group(g) => {
                ids.push(g.id.clone());
                ids.extend(g.members.iter().map(|m| m.id.clone()));
            }
            PlanItem::Ladder(l) => {
                ids.push(l.id.clone());
                ids.extend(l.steps.iter().map(|s| s.id.clone()));
            }
            _ => {}
        }
    }
    ids
}

/// Grades one example exactly as `rubric grade` would grade it as a line of a cases file.
pub fn run_example(program: &Program, example: &Example, ctx: &mut Ctx) -> ExampleRun {
    let case = serde_json::json!({ "id": example.name, "sample": example.sample, "item": example.item });
    let line = serde_json::to_string(&case).expect("cases serialise");
    let graded = grade_line(program, line.as_bytes(), 1, ctx);
    let mut problems = Vec::new();
    let known = plan_ids(&program.plan);
    let unknown: Vec<String> = example.criteria.keys().filter(|id| !known.contains(id)).cloned().collect();
    if !unknown.is_empty() {
        problems.push(Problem::UnknownIds { ids: unknown, known: known.clone() });
    }
    let Some(outcome) = graded.outcome else {
        let v: serde_json::Value = serde_json::from_str(&graded.json).unwrap_or_default();
        problems.push(Problem::NotACase(v["error"].as_str().unwrap_or("not a case").to_string()));
        return ExampleRun { name: example.name.clone(), problems, outcome: None };
    };
    let expected = example.score.unwrap_or(program.plan.on_error);
    let score_ok = (outcome.score - expected).abs() <= example.tolerance || outcome.score == expected;
    if !score_ok {
        problems.push(Problem::Score { expected, actual: outcome.score, tolerance: example.tolerance });
    }
    match (&outcome.error, &example.error) {
        (None, ExpectedError::Any | ExpectedError::Containing(_)) => problems.push(Problem::NoError),
        (Some(e), ExpectedError::None) => problems.push(Problem::UnexpectedError(e.clone())),
        (Some(e), ExpectedError::Containing(part)) if !e.contains(part.as_str()) => {
            problems.push(Problem::WrongError { expected: part.clone(), actual: e.clone() })
        }
        _ => {}
    }
    // In trace order, so a failure reads like the rubric.
    for r in &outcome.criteria {
        if let Some(want) = example.criteria.get(&*r.id).map(|e| e.status())
            && want != r.status
            && !problems.iter().any(|p| matches!(p, Problem::Status { id, .. } if **id == *r.id))
        {
            problems.push(Problem::Status {
                id: r.id.to_string(),
                expected: want,
                actual: r.status,
                reason: r.reason.as_deref().map(str::to_string),
            });
        }
    }
    ExampleRun { name: example.name.clone(), problems, outcome: Some(outcome) }
}

/// What a rubric's examples never showed: ids never seen met or never seen unmet, gates that never
/// fired or never let a case through.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Coverage {
    pub never_met: Vec<String>,
    pub never_unmet: Vec<String>,
    pub gates_never_fired: Vec<String>,
    pub gates_never_passed: Vec<String>,
}

impl Coverage {
    pub fn is_complete(&self) -> bool {
        self.never_met.is_empty()
            && self.never_unmet.is_empty()
            && self.gates_never_fired.is_empty()
            && self.gates_never_passed.is_empty()
    }
}

/// The coverage of a set of example runs over a plan.
pub fn coverage(plan: &Plan, runs: &[ExampleRun]) -> Coverage {
    let mut met = BTreeSet::new();
    let mut unmet = BTreeSet::new();
    let gates: Vec<(String, String)> = plan
        .items
        .iter()
        .filter_map(|i| match i {
            PlanItem::Gate { text, at, .. } => Some((text.clone(), at.clone())),
            _ => None,
        })
        .collect();
    let mut fired = vec![false; gates.len()];
    let mut passed = vec![false; gates.len()];
    for o in runs.iter().filter_map(|r| r.outcome.as_ref()) {
        for c in &o.criteria {
            match c.status {
                Status::Met => met.insert(&*c.id),
                Status::Unmet => unmet.insert(&*c.id),
                _ => false,
            };
        }
        // The engine names a fired gate `when TEXT (at AT)`; a gate whose condition failed names
        // itself in the error. Gates before the deciding one let the case through.
        let decided =
            o.gate.as_deref().and_then(|g| gates.iter().position(|(text, at)| g == format!("when {text} (at {at})")));
        for (i, (text, at)) in gates.iter().enumerate() {
            let errored = o.error.as_deref().is_some_and(|e| e.starts_with(&format!("gate `when {text}` at {at}:")));
            match decided {
                Some(d) if d == i => fired[i] = true,
                Some(d) if d < i => {}
                _ if errored => break,
                _ => passed[i] = true,
            }
        }
    }
    let ids = plan_ids(plan);
    Coverage {
        never_met: ids.iter().filter(|id| !met.contains(id.as_str())).cloned().collect(),
        never_unmet: ids.iter().filter(|id| !unmet.contains(id.as_str())).cloned().collect(),
        gates_never_fired: gates
            .iter()
            .zip(&fired)
            .filter(|(_, f)| !**f)
            .map(|((t, at), _)| format!("when {t} (at {at})"))
            .collect(),
        gates_never_passed: gates
            .iter()
            .zip(&passed)
            .filter(|(_, p)| !**p)
            .map(|((t, at), _)| format!("when {t} (at {at})"))
            .collect(),
    }
}

/// `met`, `unmet`, `error` or `skipped`.
pub fn status_name(s: Status) -> &'static str {
    match s {
        Status::Met => "met",
        Status::Unmet => "unmet",
        Status::Error => "error",
        Status::Skipped => "skipped",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sidecar_next_to_the_rubric() {
        assert_eq!(sidecar_path(Path::new("rubrics/tax.rubric")), PathBuf::from("rubrics/tax.tests.yaml"));
    }

    #[test]
    fn parses_examples_with_defaults() {
        let s = parse_sidecar("examples:\n  - name: a\n    score: 1\n    criteria: { x: met, y: skipped }\n").unwrap();
        assert_eq!(s.examples[0].tolerance, DEFAULT_TOLERANCE);
        assert_eq!(s.examples[0].criteria["y"], ExpectedStatus::Skipped);
        assert!(s.examples[0].sample.is_object());
    }

    fn invalid(text: &str) -> (Option<(usize, usize)>, String) {
        match parse_sidecar(text) {
            Err(SidecarError::Invalid { at, message }) => (at, message),
            other => panic!("expected an invalid sidecar, got {other:?}"),
        }
    }

    #[test]
    fn rejects_bad_sidecars_and_says_where() {
        let (at, message) = invalid("examples:\n  - name: a\n");
        assert_eq!(at, Some((2, 5)));
        assert!(message.contains("no expected `score`"), "{message}");
        let (at, message) = invalid("examples:\n  - {name: a, score: 1}\n  - {name: a, score: 1}\n");
        assert_eq!((at, message.as_str()), (Some((3, 6)), "two examples are named `a`"));
        assert!(invalid("examples:\n  - {name: a, score: 1, criteria: {x: mett}}\n").1.contains("mett"));
        let (at, message) = invalid("examples:\n  - name: a\n    scor: 1\n");
        assert_eq!(at, Some((3, 5)), "{message}");
        assert!(message.contains("unknown field `scor`") && !message.contains(" at line "), "{message}");
        let (at, message) = invalid("examples:\n  - name: a\n   score: [1\n");
        assert!(at.is_some(), "{message}");
    }

    #[test]
    fn error_is_a_flag_or_a_part_of_the_message() {
        let s = parse_sidecar(
            "examples:\n  - {name: a, error: true}\n  - {name: b, error: \"no value\"}\n  - {name: c, score: 1, error: false}\n",
        )
        .unwrap();
        let errors: Vec<&ExpectedError> = s.examples.iter().map(|e| &e.error).collect();
        assert_eq!(errors, [&ExpectedError::Any, &ExpectedError::Containing("no value".into()), &ExpectedError::None]);
        assert!(invalid("examples:\n  - {name: a, error: \"\"}\n").1.contains("write `error: true`"));
        assert!(invalid("examples:\n  - {name: a, error: 3}\n").1.contains("a part of the expected error message"));
    }

    fn program(src: &str) -> Program {
        let file = crate::diagnostic::SourceFile::new("t.rubric", src.to_string());
        Program::new(crate::check::compile(&file).plan.expect("compiles")).expect("loads")
    }

    #[test]
    fn an_expected_error_text_must_be_in_the_error() {
        let p = program("rubric t {\n  criterion c +1 { required(sample.answer) == 1 }\n}\n");
        let run = |error: &str| {
            let sidecar = parse_sidecar(&format!("examples:\n  - {{name: a, error: {error}}}\n")).unwrap();
            run_example(&p, &sidecar.examples[0], &mut Ctx::default()).problems
        };
        assert_eq!(run("true"), []);
        assert_eq!(run("\"sample.answer\""), []);
        let problems = run("\"division by zero\"");
        assert!(
            matches!(&problems[..], [Problem::WrongError { expected, actual }]
                if expected == "division by zero" && actual.contains("sample.answer")),
            "{problems:?}"
        );
    }
}
