//! Grading streams of cases: the library side of `rubric grade`. Lines are read in chunks, graded on
//! all worker threads and written in input order, so memory stays flat and output does not depend
//! on the number of threads.

use std::io::{self, IoSlice, Read, Write};

use rayon::prelude::*;

use crate::builtins::{Ctx, Limits};
use crate::check;
use crate::diagnostic::{Diagnostic, SourceFile};
use crate::eval::case::{LineError, ResultWriter, error_line, parse_line, result_line};
use crate::eval::{Outcome, Program};
use crate::plan::Plan;
use crate::value::Value;

/// Stack of each worker thread: deep (but bounded) rubric expressions recurse.
pub const STACK: usize = 256 << 20;

/// Input bytes per chunk (lines are never split; three chunks are in flight, so memory stays flat) ...
const CHUNK_BYTES: usize = 1 << 20;
/// ... read this many bytes at a time ...
const READ_BYTES: usize = 1 << 18;
/// ... and graded in batches of at most this many lines per task (one output buffer per batch),
/// small enough that every thread gets many batches of a chunk and none waits long at its end.
const BATCH_LINES: usize = 64;
const BATCHES_PER_THREAD: usize = 16;

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
    fn merge(&mut self, other: &Summary) {
        self.lines += other.lines;
        self.score_sum += other.score_sum;
        self.malformed += other.malformed;
        self.errors += other.errors;
    }

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

/// Parses and grades one line: the case and its outcome, or why the line is not a case.
fn grade_case(program: &Program, line: &[u8], ctx: &mut Ctx, traced: bool) -> Result<(Value, Outcome), LineError> {
    let doc = parse_line(line, &program.projection)?;
    let outcome = if traced { program.grade_traced(&doc, ctx) } else { program.grade(&doc, ctx) };
    Ok((doc, outcome))
}

fn case_id(doc: &Value) -> &Value {
    doc.as_object().and_then(|o| o.get("id")).unwrap_or(&Value::Null)
}

/// Grades one line, optionally recording what was read (see [`Program::grade_traced`]).
pub fn grade_line_with(program: &Program, line: &[u8], line_no: usize, ctx: &mut Ctx, traced: bool) -> Graded {
    match grade_case(program, line, ctx, traced) {
        Ok((doc, outcome)) => Graded {
            json: result_line(case_id(&doc), line_no, &outcome),
            score: outcome.score,
            malformed: false,
            error: outcome.error.is_some(),
            id: case_id(&doc).to_json(),
            outcome: Some(outcome),
        },
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

/// Grades one line and appends its result line to `out`, counting it in `summary`.
fn grade_line_into(
    program: &Program,
    line: &[u8],
    line_no: usize,
    ctx: &mut Ctx,
    writer: &mut ResultWriter,
    out: &mut Vec<u8>,
    summary: &mut Summary,
) {
    summary.lines += 1;
    match grade_case(program, line, ctx, false) {
        Ok((doc, outcome)) => {
            writer.result(out, case_id(&doc), line_no, &outcome);
            summary.score_sum += outcome.score;
            summary.errors += outcome.error.is_some() as usize;
        }
        Err(e) => {
            writer.error(out, &e, line_no, program.plan.on_error);
            summary.score_sum += program.plan.on_error;
            summary.malformed += 1;
        }
    }
}

/// A chunk of input lines: one buffer, lines as ranges into it.
#[derive(Default)]
struct Chunk {
    /// The chunk's bytes (its capacity is kept from chunk to chunk).
    buffer: Vec<u8>,
    ranges: Vec<(usize, usize)>,
    /// The input ended while reading this chunk.
    eof: bool,
}

/// Reads about [`CHUNK_BYTES`] of whole lines into `chunk`. The bytes after the last `\n` wait in
/// `carry` for the next chunk (at the end of the input they are the last line).
fn read_chunk(input: &mut (dyn Read + Send), mut chunk: Chunk, carry: &mut Vec<u8>) -> io::Result<Chunk> {
    chunk.ranges.clear();
    chunk.eof = false;
    chunk.buffer.clear();
    chunk.buffer.extend_from_slice(carry);
    carry.clear();
    let mut complete = 0; // the chunk's bytes up to its last `\n`
    loop {
        if chunk.buffer.len() >= CHUNK_BYTES && complete > 0 {
            break;
        }
        // `read_to_end` reads into the buffer's spare room without zeroing it first, so only the
        // pages read into are touched (a tiny input costs little), and room for a whole chunk up
        // front means no copying as it fills (only a line longer than that grows it further).
        let filled = chunk.buffer.len();
        chunk.buffer.reserve_exact((CHUNK_BYTES + READ_BYTES).saturating_sub(filled));
        let n = Read::take(&mut *input, READ_BYTES as u64).read_to_end(&mut chunk.buffer)?;
        if n == 0 {
            chunk.eof = true;
            complete = filled;
            break;
        }
        if let Some(last) = memchr::memrchr(b'\n', &chunk.buffer[filled..]) {
            complete = filled + last + 1;
        }
    }
    carry.extend_from_slice(&chunk.buffer[complete..]);
    chunk.buffer.truncate(complete);
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', &chunk.buffer[..complete]) {
        chunk.ranges.push((start, end));
        start = end + 1;
    }
    if start < complete {
        chunk.ranges.push((start, complete)); // the last line, without its `\n`
    }
    Ok(chunk)
}

thread_local! {
    /// Each worker keeps its context (compiled patterns, regexes) and its result writer (criteria
    /// rendered once) across batches and chunks.
    static WORKER: std::cell::RefCell<Option<(Ctx, ResultWriter)>> = const { std::cell::RefCell::new(None) };
}

fn with_worker<R>(limits: &Limits, f: impl FnOnce(&mut Ctx, &mut ResultWriter) -> R) -> R {
    WORKER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.as_ref().is_none_or(|(c, _)| c.limits != *limits) {
            *slot = Some((Ctx::new(limits.clone()), ResultWriter::default()));
        }
        let (ctx, writer) = slot.as_mut().expect("a worker");
        f(ctx, writer)
    })
}

/// The result lines of a batch of consecutive input lines, and their totals.
#[derive(Default)]
struct GradedBatch {
    json: Vec<u8>,
    summary: Summary,
}

/// Grades a chunk into `batches` (one per batch of lines, in order). The batches' buffers are
/// reused from chunk to chunk rather than grown anew for every chunk.
fn grade_chunk(program: &Program, chunk: &Chunk, first: usize, limits: &Limits, batches: &mut Vec<GradedBatch>) {
    let per_batch = chunk.ranges.len().div_ceil(rayon::current_num_threads() * BATCHES_PER_THREAD);
    let batch_lines = per_batch.clamp(1, BATCH_LINES);
    batches.resize_with(chunk.ranges.len().div_ceil(batch_lines), GradedBatch::default);
    chunk.ranges.par_chunks(batch_lines).zip(batches.par_iter_mut()).enumerate().for_each(|(b, (ranges, batch))| {
        batch.json.clear();
        batch.summary = Summary::default();
        with_worker(limits, |ctx, writer| {
            for (i, &(s, e)) in ranges.iter().enumerate() {
                let line = &chunk.buffer[s..e];
                let line_no = first + b * batch_lines + i;
                grade_line_into(program, line, line_no, ctx, writer, &mut batch.json, &mut batch.summary);
            }
        })
    });
}

/// Writes a chunk's batches with as few calls as the output accepts (no copy into a buffer).
fn write_chunk(output: &mut (dyn Write + Send), graded: &[GradedBatch], summary: &mut Summary) -> io::Result<()> {
    let mut slices: Vec<IoSlice> = graded.iter().map(|b| IoSlice::new(&b.json)).collect();
    let mut rest = &mut slices[..];
    while !rest.is_empty() {
        match output.write_vectored(rest) {
            Ok(0) => return Err(io::Error::new(io::ErrorKind::WriteZero, "failed to write the results")),
            Ok(n) => IoSlice::advance_slices(&mut rest, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    for batch in graded {
        summary.merge(&batch.summary);
    }
    Ok(())
}

/// Reads every line of `input` (split on `\n`; the last line may lack it), grades it with up to
/// `jobs` threads and writes one result line per input line, in order. Reading the next chunk and
/// writing the previous one overlap with grading the current one.
pub fn grade_stream(
    program: &Program,
    input: &mut (dyn Read + Send),
    output: &mut (dyn Write + Send),
    jobs: usize,
    limits: &Limits,
) -> io::Result<Summary> {
    let pool =
        rayon::ThreadPoolBuilder::new().num_threads(jobs.max(1)).stack_size(STACK).build().map_err(io::Error::other)?;
    pool.install(|| {
        let mut summary = Summary::default();
        let mut line_no = 0usize;
        let mut carry = Vec::new();
        let mut current = read_chunk(input, Chunk::default(), &mut carry)?;
        let mut spare = Chunk::default();
        // Results of the previous chunk, written while the current one is graded into `graded`.
        let mut pending: Vec<GradedBatch> = Vec::new();
        let mut graded: Vec<GradedBatch> = Vec::new();
        while !current.ranges.is_empty() {
            let first = line_no + 1;
            line_no += current.ranges.len();
            let eof = current.eof;
            let ((), (next, written)) = rayon::join(
                || grade_chunk(program, &current, first, limits, &mut graded),
                || {
                    let written = write_chunk(output, &pending, &mut summary);
                    let next = if eof {
                        Ok(Chunk::default())
                    } else {
                        read_chunk(input, std::mem::take(&mut spare), &mut carry)
                    };
                    (next, written)
                },
            );
            written?;
            std::mem::swap(&mut pending, &mut graded);
            spare = std::mem::replace(&mut current, next?);
        }
        write_chunk(output, &pending, &mut summary)?;
        output.flush()?;
        Ok(summary)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out its bytes a few at a time, so lines arrive split across reads.
    struct Trickle<'a>(&'a [u8], usize);

    impl io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(self.0.len()).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn program() -> Program {
        let file = SourceFile::new("t.rubric", "rubric t \"t\" {\n  score len(sample.output_text) / 10\n}\n");
        Program::new(check::compile(&file).plan.expect("compiles")).expect("loads")
    }

    fn grade(input: &[u8], piece: usize, jobs: usize) -> (String, Summary) {
        let mut reader = io::BufReader::new(Trickle(input, piece));
        let mut out = Vec::new();
        let summary = grade_stream(&program(), &mut reader, &mut out, jobs, &Limits::default()).expect("grades");
        (String::from_utf8(out).expect("utf-8"), summary)
    }

    fn case(id: usize, text: &str) -> String {
        format!("{{\"id\":{id},\"sample\":{{\"output_text\":\"{text}\"}},\"item\":{{}}}}\n")
    }

    #[test]
    fn lines_split_across_reads_grade_as_whole_lines() {
        let input: String = (0..300).map(|i| case(i, &"x".repeat(i % 10))).collect();
        let (whole, summary) = grade(input.as_bytes(), usize::MAX, 2);
        assert_eq!(summary.lines, 300);
        for piece in [1, 7, 4096] {
            assert_eq!(grade(input.as_bytes(), piece, 2).0, whole, "pieces of {piece} bytes");
        }
        assert_eq!(grade(input.as_bytes(), 7, 1).0, whole, "one thread");
    }

    #[test]
    fn the_last_line_may_lack_its_newline_and_blank_lines_count() {
        assert_eq!(grade(b"", 5, 2).1.lines, 0);
        let (out, summary) = grade(case(1, "abc").trim_end().as_bytes(), 5, 2);
        assert_eq!((summary.lines, summary.malformed), (1, 0));
        assert!(out.starts_with("{\"id\":1,\"score\":0.3"), "{out}");
        assert_eq!(grade(b"\n\n", 1, 2).1.malformed, 2);
    }

    #[test]
    fn a_line_longer_than_a_chunk_is_one_line() {
        let long = case(1, &"y".repeat(CHUNK_BYTES * 2 + 17));
        let input = format!("{}{long}{}", case(0, "a"), case(2, "b"));
        let (out, summary) = grade(input.as_bytes(), READ_BYTES, 2);
        assert_eq!((summary.lines, summary.malformed), (3, 0));
        let ids: Vec<&str> = out.lines().map(|l| &l[..8]).collect();
        assert_eq!(ids, ["{\"id\":0,", "{\"id\":1,", "{\"id\":2,"]);
    }
}
