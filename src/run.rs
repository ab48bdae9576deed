//! Grading streams of cases: the library side of `rubric grade`. Lines are read in chunks, graded on
//! all worker threads and written in input order, so memory stays flat and output does not depend
//! on the number of threads.

use std::io::{self, BufRead, Write};

use rayon::prelude::*;

use crate::builtins::{Ctx, Limits};
use crate::check;
use crate::diagnostic::{Diagnostic, SourceFile};
use crate::eval::case::{error_line, parse_line, result_line};
use crate::eval::{Outcome, Program};
use crate::plan::Plan;

/// Stack of each worker thread: deep (but bounded) rubric expressions recurse.
pub const STACK: usize = 256 << 20;

/// Lines graded per batch (large enough to keep every core busy) ...
const CHUNK: usize = 2048;
/// ... unless they reach this many bytes first (three chunks are in flight: memory stays flat).
const CHUNK_BYTES: usize = 8 << 20;

/// Why a grader could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    Io(String),
    /// The rubric has errors (with its source, for rendering).
    Rubric(SourceFile, Vec<Diagnostic>),
    Plan(String),
}

/// Loads a grader: a compiled plan (JSON) or a `.rubric` source, compiled on the fly.
pub fn load_grader(path: &str) -> Result<Program, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|e| LoadError::Io(format!("cannot read `{path}`: {e}")))?;
    if path.ends_with(".json") || text.trim_start().starts_with('{') {
        let plan = Plan::from_json(&text).map_err(|e| LoadError::Plan(format!("{path}: {e}")))?;
        return Program::new(plan).map_err(|e| LoadError::Plan(format!("{path}: {e}")));
    }
    let file = SourceFile::new(path, text);
    let compiled = check::compile(&file);
    match compiled.plan {
        Some(plan) => Program::new(plan).map_err(|e| LoadError::Plan(format!("{path}: {e}"))),
        None => Err(LoadError::Rubric(file, compiled.diagnostics)),
    }
}

/// Totals of a grading run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// Result lines written (= input lines).
    pub lines: usize,
    /// Lines that were not readable cases.
    pub malformed: usize,
    /// Cases graded whose data made a criterion fail (scored with the on-error value).
    pub errors: usize,
    /// Sum of all scores written (for the mean).
    pub score_sum: f64,
}

impl Summary {
    pub fn mean(&self) -> f64 {
        if self.lines == 0 { 0.0 } else { self.score_sum / self.lines as f64 }
    }
}

/// One graded line: the result JSON, plus what the summary needs.
pub struct Graded {
    pub json: String,
    pub score: f64,
    pub malformed: bool,
    pub error: bool,
    pub id: serde_json::Value,
    pub outcome: Option<Outcome>,
}

/// Grades one line (1-based `line_no`).
pub fn grade_line(program: &Program, line: &[u8], line_no: usize, ctx: &mut Ctx) -> Graded {
    grade_line_with(program, line, line_no, ctx, false)
}

/// Grades one line, optionally recording what was read (see [`Program::grade_traced`]).
pub fn grade_line_with(program: &Program, line: &[u8], line_no: usize, ctx: &mut Ctx, traced: bool) -> Graded {
    match parse_line(line, &program.projection) {
        Ok(doc) => {
            let outcome = if traced { program.grade_traced(&doc, ctx) } else { program.grade(&doc, ctx) };
            let id = doc
                .as_object()
                .and_then(|o| o.get("id"))
                .map(crate::value::Value::to_json)
                .unwrap_or(serde_json::Value::Null);
            Graded {
                json: result_line(&id, line_no, &outcome),
                score: outcome.score,
                malformed: false,
                error: outcome.error.is_some(),
                id,
                outcome: Some(outcome),
            }
        }
        Err(e) => Graded {
            json: error_line(&e, line_no, program.plan.on_error),
            score: program.plan.on_error,
            malformed: true,
            error: true,
            id: e.id,
            outcome: None,
        },
    }
}

/// A chunk of input lines: one buffer, lines as ranges into it.
#[derive(Default)]
struct Chunk {
    buffer: Vec<u8>,
    ranges: Vec<(usize, usize)>,
    /// The input ended while reading this chunk.
    eof: bool,
}

fn read_chunk(input: &mut (dyn BufRead + Send), mut chunk: Chunk) -> io::Result<Chunk> {
    chunk.buffer.clear();
    chunk.ranges.clear();
    while chunk.ranges.len() < CHUNK && chunk.buffer.len() < CHUNK_BYTES {
        let start = chunk.buffer.len();
        if input.read_until(b'\n', &mut chunk.buffer)? == 0 {
            chunk.eof = true;
            break;
        }
        let end = if chunk.buffer.last() == Some(&b'\n') { chunk.buffer.len() - 1 } else { chunk.buffer.len() };
        chunk.ranges.push((start, end));
    }
    Ok(chunk)
}

thread_local! {
    /// Each worker keeps its context (compiled patterns, regexes) across chunks.
    static CTX: std::cell::RefCell<Option<Ctx>> = const { std::cell::RefCell::new(None) };
}

fn with_ctx<R>(limits: &Limits, f: impl FnOnce(&mut Ctx) -> R) -> R {
    CTX.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.as_ref().is_none_or(|c| c.limits != *limits) {
            *slot = Some(Ctx::new(limits.clone()));
        }
        f(slot.as_mut().expect("a context"))
    })
}

/// Result lines of a chunk, in order, with what the summary needs.
type GradedChunk = Vec<(String, f64, bool, bool)>;

fn grade_chunk(program: &Program, chunk: &Chunk, first: usize, limits: &Limits) -> GradedChunk {
    chunk
        .ranges
        .par_iter()
        .enumerate()
        .map(|(i, &(s, e))| {
            with_ctx(limits, |ctx| {
                let g = grade_line(program, &chunk.buffer[s..e], first + i, ctx);
                (g.json, g.score, g.malformed, g.error)
            })
        })
        .collect()
}

fn write_chunk(output: &mut (dyn Write + Send), graded: &GradedChunk, summary: &mut Summary) -> io::Result<()> {
    for (json, score, malformed, error) in graded {
        output.write_all(json.as_bytes())?;
        output.write_all(b"\n")?;
        summary.lines += 1;
        summary.score_sum += score;
        summary.malformed += *malformed as usize;
        summary.errors += (*error && !*malformed) as usize;
    }
    Ok(())
}

/// Reads every line of `input` (split on `\n`; the last line may lack it), grades it with up to
/// `jobs` threads and writes one result line per input line, in order. Reading the next chunk and
/// writing the previous one overlap with grading the current one.
pub fn grade_stream(
    program: &Program,
    input: &mut (dyn BufRead + Send),
    output: &mut (dyn Write + Send),
    jobs: usize,
    limits: &Limits,
) -> io::Result<Summary> {
    let pool =
        rayon::ThreadPoolBuilder::new().num_threads(jobs.max(1)).stack_size(STACK).build().map_err(io::Error::other)?;
    pool.install(|| {
        let mut summary = Summary::default();
        let mut line_no = 0usize;
        let mut current = read_chunk(input, Chunk::default())?;
        let mut spare = Chunk::default();
        let mut pending: GradedChunk = Vec::new();
        while !current.ranges.is_empty() {
            let first = line_no + 1;
            line_no += current.ranges.len();
            let eof = current.eof;
            let (graded, (next, written)) = rayon::join(
                || grade_chunk(program, &current, first, limits),
                || {
                    let written = write_chunk(output, &pending, &mut summary);
                    let next = if eof { Ok(Chunk::default()) } else { read_chunk(input, std::mem::take(&mut spare)) };
                    (next, written)
                },
            );
            written?;
            pending = graded;
            spare = std::mem::replace(&mut current, next?);
        }
        write_chunk(output, &pending, &mut summary)?;
        output.flush()?;
        Ok(summary)
    })
}
