//! The library API: load a grader once, then grade cases one at a time, in batches or as a stream.
//! The `rubric` command line, the reward server and the Python package are built on these items.

use std::io::{self, Read, Write};
use std::sync::Arc;

use crate::builtins::{Ctx, Limits};
use crate::check;
use crate::diagnostic::{Diagnostic, SourceFile, render};
use crate::eval::{CriterionResult, Program};
use crate::plan::Plan;
use crate::run;

/// Why a grader could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: String,
        #[source]
        source: io::Error,
    },
    /// The rubric has errors; [`LoadError::render`] shows them with their source lines.
    #[error("`{}` has {} error{}", file.name, errors(diagnostics), if errors(diagnostics) == 1 { "" } else { "s" })]
    Rubric { file: SourceFile, diagnostics: Vec<Diagnostic> },
    /// The file is a plan this version cannot run (malformed, or from an incompatible version).
    #[error("`{path}` is not a usable plan: {message}")]
    Plan { path: String, message: String },
}

fn errors(diagnostics: &[Diagnostic]) -> usize {
    diagnostics.iter().filter(|d| d.is_error()).count()
}

impl LoadError {
    /// The error for people: each diagnostic of a rubric with its source snippet, or the one-line
    /// message.
    pub fn render(&self) -> String {
        match self {
            LoadError::Rubric { file, diagnostics } => {
                diagnostics.iter().filter(|d| d.is_error()).map(|d| render(d, file)).collect::<Vec<_>>().join("\n")
            }
            other => format!("error: {other}"),
        }
    }
}

/// The stack a thread that grades needs for the deepest cases (1,000 nested JSON containers) and
/// rubrics the checker accepts; `grade_stream` runs its workers with it. Optimised builds need far
/// less, but a debug build grading a deeply nested case on a default 2 MiB thread can overflow.
pub const STACK_SIZE: usize = run::STACK;

/// A rubric (or compiled plan) ready to grade. It is immutable and shareable between threads:
/// wrap it in an `Arc` to grade from several at once.
///
/// ```
/// let grader = rubric::Grader::from_source(
///     "greeting.rubric",
///     r#"rubric greeting "Says hello" {
///          criterion hello +1 "greets" { contains(lower(sample.output_text), "hello") }
///        }"#,
/// )
/// .expect("the rubric is valid");
/// let result = grader.grade(r#"{"id": "c1", "item": {}, "sample": {"output_text": "Hello there"}}"#);
/// assert_eq!(result.score, 1.0);
/// assert_eq!(result.criteria[0].status, rubric::Status::Met);
/// assert_eq!(result.error, None);
/// ```
#[derive(Debug, Clone)]
pub struct Grader {
    program: Arc<Program>,
    limits: Limits,
}

impl Grader {
    /// Loads a grader from a file: a compiled plan (`.json`, or any file starting with `{`) or a
    /// `.rubric` source, compiled on the spot.
    pub fn load(path: &str) -> Result<Grader, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io { path: path.to_string(), source })?;
        if path.ends_with(".json") || text.trim_start().starts_with('{') {
            Grader::from_plan_json(path, &text)
        } else {
            Grader::from_source(path, &text)
        }
    }

    /// Compiles a rubric source; `name` is the file name its diagnostics cite.
    pub fn from_source(name: &str, text: &str) -> Result<Grader, LoadError> {
        let file = SourceFile::new(name, text);
        let compiled = check::compile(&file);
        match compiled.plan {
            Some(plan) => Grader::from_plan(name, plan),
            None => Err(LoadError::Rubric { file, diagnostics: compiled.diagnostics }),
        }
    }

    /// Loads a compiled plan (the output of `rubric compile`); `name` is cited in errors.
    pub fn from_plan_json(name: &str, json: &str) -> Result<Grader, LoadError> {
        let plan = Plan::from_json(json).map_err(|message| LoadError::Plan { path: name.to_string(), message })?;
        Grader::from_plan(name, plan)
    }

    fn from_plan(name: &str, plan: Plan) -> Result<Grader, LoadError> {
        let program = Program::new(plan).map_err(|message| LoadError::Plan { path: name.to_string(), message })?;
        Ok(Grader { program: Arc::new(program), limits: Limits::default() })
    }

    /// The same grader with other limits (string lengths, code sizes, work per case).
    pub fn with_limits(mut self, limits: Limits) -> Grader {
        self.limits = limits;
        self
    }

    /// The limits cases are graded under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The rubric's name (`rubric NAME "..."`).
    pub fn name(&self) -> &str {
        &self.program.plan.rubric
    }

    /// The rubric's description.
    pub fn description(&self) -> &str {
        self.program.plan.description.as_deref().unwrap_or("")
    }

    /// The score a case gets when its data is broken (`on_error`, 0 by default).
    pub fn on_error(&self) -> f64 {
        self.program.plan.on_error
    }

    /// The compiled plan as JSON: what `rubric compile` writes (same grader, same bytes).
    pub fn plan_json(&self) -> String {
        self.program.plan.to_json()
    }

    pub(crate) fn into_program(self) -> Arc<Program> {
        self.program
    }

    /// A scratch space for grading on this thread: caches that live across cases (compiled
    /// patterns, figures found in a text) and buffers the engine reuses.
    pub fn scratch(&self) -> Scratch {
        Scratch(Ctx::new(self.limits.clone()))
    }

    /// Grades one case: a JSON object in the case shape (`{"id", "item", "sample"}`) or a Nova
    /// reward-Lambda sample. Never fails: a case that cannot be read or graded gets the on-error
    /// score and says why in [`CaseResult::error`].
    pub fn grade(&self, case: &str) -> CaseResult {
        self.grade_with(case, &mut self.scratch())
    }

    /// [`Grader::grade`] with a scratch space kept by the caller (faster over many cases).
    pub fn grade_with(&self, case: &str, scratch: &mut Scratch) -> CaseResult {
        self.grade_line(case.as_bytes(), 1, scratch)
    }

    /// Grades the case on line `line` (1-based, cited in errors) of an input.
    pub fn grade_line(&self, line: &[u8], line_no: usize, scratch: &mut Scratch) -> CaseResult {
        CaseResult::from(run::grade_line(&self.program, line, line_no, &mut scratch.0))
    }

    /// Grades JSONL cases from `input` on `jobs` threads, writing one result line per input line
    /// to `output` in input order (the bytes do not depend on `jobs`). Memory stays flat whatever
    /// the input's size. Only reading and writing can fail.
    pub fn grade_stream(
        &self,
        input: &mut (dyn Read + Send),
        output: &mut (dyn Write + Send),
        jobs: usize,
    ) -> io::Result<Summary> {
        run::grade_stream(&self.program, input, output, jobs, &self.limits)
    }

    /// [`Grader::grade_stream`], adding the number of lines graded so far to `graded_lines` as it
    /// goes (a chunk at a time), for a progress display on another thread.
    pub fn grade_stream_counting(
        &self,
        input: &mut (dyn Read + Send),
        output: &mut (dyn Write + Send),
        jobs: usize,
        graded_lines: &std::sync::atomic::AtomicUsize,
    ) -> io::Result<Summary> {
        run::grade_stream_counted(&self.program, input, output, jobs, &self.limits, Some(graded_lines))
    }
}

/// Caches and buffers for grading on one thread (see [`Grader::scratch`]).
pub struct Scratch(pub(crate) Ctx);

pub use run::Summary;

/// The result of one case: what `rubric grade` writes as one line.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// The case's `id` (null when it has none or the line is not readable).
    pub id: serde_json::Value,
    pub score: f64,
    /// Each criterion, group, ladder and step, in rubric order.
    pub criteria: Vec<CriterionResult>,
    /// Why the case got the on-error score, if it did.
    pub error: Option<String>,
    /// Whether the line was not a readable case (invalid JSON, no `sample`, ...).
    pub malformed: bool,
    json: String,
}

impl CaseResult {
    /// The result as one JSON line (without its newline), as `rubric grade` writes it.
    pub fn to_json_line(&self) -> &str {
        &self.json
    }
}

impl From<run::Graded> for CaseResult {
    fn from(g: run::Graded) -> CaseResult {
        let (criteria, error) = match g.outcome {
            Some(o) => (o.criteria, o.error),
            None => (Vec::new(), g.line_error),
        };
        CaseResult { id: g.id, score: g.score, criteria, error, malformed: g.malformed, json: g.json }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GREETING: &str = r#"rubric greeting "Says hello" {
        criterion hello +1 "greets" { contains(lower(sample.output_text), "hello") }
    }"#;

    #[test]
    fn a_grader_is_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Grader>();
    }
    #[test]
    fn a_rubric_with_errors_is_a_typed_error_that_renders_its_diagnostics() {
        let err = Grader::from_source("bad.rubric", "rubric x \"d\" { score nope }").unwrap_err();
        assert_eq!(err.to_string(), "`bad.rubric` has 1 error");
        let LoadError::Rubric { diagnostics, .. } = &err else { panic!("{err:?}") };
        assert_eq!(diagnostics[0].code, crate::Code::UnknownName);
        assert!(err.render().contains("bad.rubric:1:"), "{}", err.render());
    }
    #[test]
    fn a_missing_file_and_a_bad_plan_say_which_file() {
        let err = Grader::load("/nonexistent/x.rubric").unwrap_err();
        assert!(
            matches!(err, LoadError::Io { .. }) && err.to_string().starts_with("cannot read `/nonexistent/x.rubric`")
        );
        let err = Grader::from_plan_json("p.json", "{\"version\": 0}").unwrap_err();
        assert!(err.to_string().starts_with("`p.json` is not a usable plan"), "{err}");
    }
    #[test]
    fn a_plan_declaring_too_few_slots_is_refused_not_run() {
        let source = r#"rubric t "t" {
            fn twice(x) = x * 2
            let n = len(sample.output_text)
            criterion c +1 "c" { all(for w in [1, 2]: twice(w) > n) }
        }"#;
        let plan = Grader::from_source("t.rubric", source).unwrap().plan_json();
        let slots: serde_json::Value = serde_json::from_str(&plan).unwrap();
        let declared = slots["slots"].as_u64().unwrap();
        for fewer in 0..declared {
            let edited = plan.replace(&format!("\"slots\": {declared}"), &format!("\"slots\": {fewer}"));
            assert_ne!(edited, plan);
            let err = Grader::from_plan_json("t.json", &edited).unwrap_err();
            assert!(err.to_string().contains("declares only"), "{err}");
        }
        let grader = Grader::from_plan_json("t.json", &plan).unwrap();
        assert_eq!(grader.grade(r#"{"item": {}, "sample": {"output_text": "a"}}"#).score, 1.0);
    }
    #[test]
    fn a_plan_round_trips_through_json() {
        let grader = Grader::from_source("g.rubric", GREETING).unwrap();
        let again = Grader::from_plan_json("g.json", &grader.plan_json()).unwrap();
        assert_eq!(again.plan_json(), grader.plan_json());
        assert_eq!((again.name(), again.description()), ("greeting", "Says hello"));
    }
    #[test]
    fn a_bad_case_is_a_result_with_its_reason_not_an_error() {
        let grader = Grader::from_source("g.rubric", GREETING).unwrap();
        let result = grader.grade("{\"id\": 3, \"item\": {}}");
        assert!(result.malformed);
        assert_eq!(result.id, 3);
        assert_eq!(result.error.as_deref(), Some("line 1: the case has no `sample`"));
        assert!(result.to_json_line().starts_with("{\"id\":3,\"score\":0.0,"));
    }
    #[test]
    fn a_stream_gets_one_line_per_case_in_order() {
        let grader = Grader::from_source("g.rubric", GREETING).unwrap();
        let input = "{\"id\":1,\"item\":{},\"sample\":{\"output_text\":\"hello\"}}\nnot json\n";
        let mut out = Vec::new();
        let summary = grader.grade_stream(&mut input.as_bytes(), &mut out, 2).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out.lines().count(), 2);
        assert!(out.starts_with("{\"id\":1,\"score\":1.0"));
        assert_eq!((summary.lines, summary.malformed), (2, 1));
    }
}
