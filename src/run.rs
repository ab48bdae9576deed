//! Grading streams of cases: the library side of `rubric grade`. Lines are read in chunks, graded on
//! all worker threads and written in input order, so memory stays flat and output does not depend
//! on the number of threads.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

use crate::builtins::{Ctx, Limits};
use crate::eval::{Outcome, Program};
use crate::input::case::{LineError, parse_line};
use crate::output::{ResultWriter, error_line, line_error_message, result_line};
use crate::value::Value;

/// Stack of each worker thread: deep (but bounded) rubric expressions recurse.
pub const STACK: usize = 256 << 20;

/// Input bytes per chunk (lines are never split). A worker takes a whole chunk at a time, so a
/// chunk is small enough that the workers finish together at the end of the input ...
const CHUNK_BYTES: usize = 1 << 18;
/// ... read this many bytes at a time ...
const READ_BYTES: usize = 1 << 18;
/// ... and at most this many chunks per worker are in flight (being graded, or graded and waiting
/// for an earlier chunk to be written), so memory stays flat whatever the input's size.
const CHUNKS_IN_FLIGHT_PER_WORKER: usize = 4;

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
    /// Why the line is not a case (as its result line's `error` says), when it is not.
    pub line_error: Option<String>,
    pub id: serde_json::Value,
    pub outcome: Option<Outcome>,
}

/// Grades one line (1-based `line_no`).
pub fn grade_line(program: &Program, line: &[u8], line_no: usize, ctx: &mut Ctx) -> Graded {
    grade_line_with(program, line, line_no, ctx, false)
}

/// Parses and grades one line: the case and its outcome, or why the line is not a case.
fn grade_case(program: &Program, line: &[u8], ctx: &mut Ctx, traced: bool) -> Result<(Value, Outcome), LineError> {
    let doc = parse_line(line, &program.projection, &mut ctx.reader)?;
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
            line_error: None,
            id: case_id(&doc).to_json(),
            outcome: Some(outcome),
        },
        Err(e) => Graded {
            json: error_line(&e, line_no, program.plan.on_error),
            score: program.plan.on_error,
            malformed: true,
            line_error: Some(line_error_message(&e, line_no)),
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
}

/// Reads about [`CHUNK_BYTES`] of whole lines into `chunk`. The bytes after the last `\n` wait in
/// `carry` for the next chunk (at the end of the input they are the last line). Returns whether
/// the input ended.
fn read_chunk(input: &mut (dyn Read + Send), chunk: &mut Chunk, carry: &mut Vec<u8>) -> io::Result<bool> {
    chunk.ranges.clear();
    chunk.buffer.clear();
    chunk.buffer.extend_from_slice(carry);
    carry.clear();
    let mut eof = false;
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
            eof = true;
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
    Ok(eof)
}

/// The result lines of a chunk and their totals.
#[derive(Default)]
struct GradedChunk {
    json: Vec<u8>,
    summary: Summary,
}

/// Where the workers take chunks from.
struct Intake<'i> {
    input: &'i mut (dyn Read + Send),
    /// The start of a line that the last chunk read did not finish.
    carry: Vec<u8>,
    /// The number of the next chunk and of its first line (1-based).
    next_chunk: usize,
    next_line: usize,
    ended: bool,
}

/// Graded chunks on their way out, written in input order.
#[derive(Default)]
struct Outbox {
    /// The next chunk to write.
    next_chunk: usize,
    /// Chunks graded before an earlier one, by number.
    waiting: BTreeMap<usize, GradedChunk>,
    /// A worker is writing (the others leave their chunks to it).
    writing: bool,
    /// Chunks taken and not yet written.
    in_flight: usize,
    /// Totals of the chunks written, added in input order (so the mean does not depend on timing).
    summary: Summary,
    /// Result buffers of written chunks, for the next ones.
    spare: Vec<Vec<u8>>,
    /// The first read or write error; the workers stop at it.
    error: Option<io::Error>,
}

/// What the workers of one [`grade_stream`] share.
struct Pipeline<'i, 'o> {
    intake: Mutex<Intake<'i>>,
    outbox: Mutex<Outbox>,
    /// Signalled when chunks are written (room for more in flight) or the run fails.
    written: Condvar,
    output: Mutex<&'o mut (dyn Write + Send)>,
    max_in_flight: usize,
    failed: AtomicBool,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A worker that panicked is reported by the scope that ran it; its state is still consistent.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Pipeline<'_, '_> {
    /// Records the run's first error and wakes every waiting worker so that they stop.
    fn fail(&self, outbox: &mut Outbox, error: io::Error) {
        outbox.error.get_or_insert(error);
        self.failed.store(true, Ordering::Relaxed);
        self.written.notify_all();
    }

    /// Reads the next chunk into `chunk`: its number and first line number, or `None` at the end of
    /// the input (or once the run failed). Waits while too many chunks are in flight.
    fn take(&self, chunk: &mut Chunk) -> Option<(usize, usize)> {
        {
            let mut outbox = lock(&self.outbox);
            while outbox.in_flight >= self.max_in_flight && !self.failed.load(Ordering::Relaxed) {
                outbox = self.written.wait(outbox).unwrap_or_else(|poisoned| poisoned.into_inner());
            }
            if self.failed.load(Ordering::Relaxed) {
                return None;
            }
            outbox.in_flight += 1;
        }
        let taken = {
            let mut intake = lock(&self.intake);
            let intake = &mut *intake;
            match intake.ended {
                true => Ok(None),
                false => read_chunk(intake.input, chunk, &mut intake.carry).map(|ended| {
                    intake.ended = ended;
                    if chunk.ranges.is_empty() {
                        return None;
                    }
                    let at = (intake.next_chunk, intake.next_line);
                    intake.next_chunk += 1;
                    intake.next_line += chunk.ranges.len();
                    Some(at)
                }),
            }
        };
        match taken {
            Ok(Some(at)) => Some(at),
            Ok(None) => {
                let mut outbox = lock(&self.outbox);
                outbox.in_flight -= 1;
                self.written.notify_all();
                None
            }
            Err(e) => {
                self.fail(&mut lock(&self.outbox), e);
                None
            }
        }
    }

    /// A result buffer for the next chunk (an empty one from a written chunk when there is one).
    fn buffer(&self) -> Vec<u8> {
        lock(&self.outbox).spare.pop().unwrap_or_default()
    }

    /// Hands in graded chunk `number`. The worker that finds nobody writing writes every chunk that
    /// is next in order (its own and those handed in meanwhile), outside the lock, so that the other
    /// workers only ever wait for the lock, never for the output.
    fn hand_in(&self, number: usize, graded: GradedChunk) {
        let mut outbox = lock(&self.outbox);
        outbox.waiting.insert(number, graded);
        if outbox.writing {
            return;
        }
        outbox.writing = true;
        loop {
            let mut ready = Vec::new();
            while let Some(graded) = {
                let next = outbox.next_chunk;
                outbox.waiting.remove(&next)
            } {
                outbox.next_chunk += 1;
                ready.push(graded);
            }
            if ready.is_empty() || outbox.error.is_some() {
                outbox.writing = false;
                return;
            }
            drop(outbox);
            let mut written = Ok(());
            {
                let mut output = lock(&self.output);
                for graded in &ready {
                    written = output.write_all(&graded.json);
                    if written.is_err() {
                        break;
                    }
                }
            }
            outbox = lock(&self.outbox);
            if let Err(e) = written {
                self.fail(&mut outbox, e);
                outbox.writing = false;
                return;
            }
            for mut graded in ready {
                outbox.summary.merge(&graded.summary);
                outbox.in_flight -= 1;
                graded.json.clear();
                outbox.spare.push(graded.json);
            }
            self.written.notify_all();
        }
    }

    /// One worker: takes chunks, grades them and hands them in until the input ends, adding the
    /// lines of each chunk to `graded` when given.
    fn work(&self, program: &Program, limits: &Limits, graded_lines: Option<&AtomicUsize>) {
        // A worker that panics never hands in its chunk (or never finishes writing), so the others
        // would wait for it forever: they are stopped instead, and the scope re-raises the panic.
        struct StopOthersOnPanic<'p, 'i, 'o>(&'p Pipeline<'i, 'o>);
        impl Drop for StopOthersOnPanic<'_, '_, '_> {
            fn drop(&mut self) {
                if std::thread::panicking() {
                    self.0.failed.store(true, Ordering::Relaxed);
                    let _outbox = lock(&self.0.outbox);
                    self.0.written.notify_all();
                }
            }
        }
        let _guard = StopOthersOnPanic(self);
        let mut ctx = Ctx::new(limits.clone());
        let mut writer = ResultWriter::default();
        let mut chunk = Chunk::default();
        while let Some((number, first_line)) = self.take(&mut chunk) {
            let mut graded = GradedChunk { json: self.buffer(), summary: Summary::default() };
            for (i, &(s, e)) in chunk.ranges.iter().enumerate() {
                let line = &chunk.buffer[s..e];
                grade_line_into(
                    program,
                    line,
                    first_line + i,
                    &mut ctx,
                    &mut writer,
                    &mut graded.json,
                    &mut graded.summary,
                );
            }
            self.hand_in(number, graded);
            if let Some(counter) = graded_lines {
                counter.fetch_add(chunk.ranges.len(), Ordering::Relaxed);
            }
        }
    }
}

/// Reads every line of `input` (split on `\n`; the last line may lack it), grades it with up to
/// `jobs` threads and writes one result line per input line, in order.
///
/// Each worker thread takes a chunk of whole lines at a time (reading it itself), grades it and
/// hands it in; whichever worker finds the output free writes the chunks that are next in order.
/// So the workers never wait on each other except for a lock held for one read or one write, and
/// they finish together because chunks are small.
pub fn grade_stream(
    program: &Program,
    input: &mut (dyn Read + Send),
    output: &mut (dyn Write + Send),
    jobs: usize,
    limits: &Limits,
) -> io::Result<Summary> {
    grade_stream_counted(program, input, output, jobs, limits, None)
}

/// [`grade_stream`], adding the number of lines graded to `graded_lines` as chunks are done, for a
/// progress display (once per chunk, so counting costs nothing per case).
pub fn grade_stream_counted(
    program: &Program,
    input: &mut (dyn Read + Send),
    output: &mut (dyn Write + Send),
    jobs: usize,
    limits: &Limits,
    graded_lines: Option<&AtomicUsize>,
) -> io::Result<Summary> {
    let jobs = jobs.max(1);
    let pipeline = Pipeline {
        intake: Mutex::new(Intake { input, carry: Vec::new(), next_chunk: 0, next_line: 1, ended: false }),
        outbox: Mutex::new(Outbox::default()),
        written: Condvar::new(),
        output: Mutex::new(output),
        max_in_flight: jobs * CHUNKS_IN_FLIGHT_PER_WORKER,
        failed: AtomicBool::new(false),
    };
    std::thread::scope(|scope| {
        // Workers that cannot be started are done without; with none, this thread grades.
        let workers: Vec<_> = (0..jobs)
            .map_while(|_| {
                let builder = std::thread::Builder::new().stack_size(STACK);
                builder.spawn_scoped(scope, || pipeline.work(program, limits, graded_lines)).ok()
            })
            .collect();
        if workers.is_empty() {
            pipeline.work(program, limits, graded_lines);
        }
        for worker in workers {
            if let Err(panic) = worker.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
    let outbox = pipeline.outbox.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(e) = outbox.error {
        return Err(e);
    }
    let output = pipeline.output.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    output.flush()?;
    Ok(outbox.summary)
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
        let file = crate::diagnostic::SourceFile::new(
            "t.rubric",
            "rubric t \"t\" {\n  score len(sample.output_text) / 10\n}\n",
        );
        Program::new(crate::check::compile(&file).plan.expect("compiles")).expect("loads")
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
    fn many_chunks_come_out_in_order_whatever_the_number_of_workers() {
        let input: String = (0..4000).map(|i| case(i, &"z".repeat(i % 400))).collect();
        assert!(input.len() > 3 * CHUNK_BYTES);
        let (one, summary) = grade(input.as_bytes(), usize::MAX, 1);
        assert_eq!(summary.lines, 4000);
        let ids: Vec<usize> = one.lines().map(|l| l[6..l.find(',').unwrap()].parse().unwrap()).collect();
        assert_eq!(ids, (0..4000).collect::<Vec<_>>());
        for jobs in [2, 3, 8] {
            let (out, s) = grade(input.as_bytes(), 5000, jobs);
            assert_eq!(out, one, "{jobs} workers");
            assert_eq!(s, summary, "{jobs} workers");
        }
    }

    /// Accepts `0` bytes, then fails every write.
    struct FailingOutput(usize);

    impl io::Write for FailingOutput {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.0 == 0 {
                return Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"));
            }
            let n = self.0.min(buf.len());
            self.0 -= n;
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Hands out its bytes, then fails.
    struct FailingInput<'a>(&'a [u8]);

    impl io::Read for FailingInput<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::other("disk gone"));
            }
            let n = self.0.len().min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn read_and_write_errors_stop_every_worker_and_are_returned() {
        let input: String = (0..4000).map(|i| case(i, &"w".repeat(300))).collect();
        for jobs in [1, 2, 4] {
            let mut out = FailingOutput(CHUNK_BYTES / 3);
            let err = grade_stream(&program(), &mut input.as_bytes(), &mut out, jobs, &Limits::default());
            assert_eq!(err.expect_err("the output fails").kind(), io::ErrorKind::BrokenPipe, "{jobs} workers");
            let mut sink = Vec::new();
            let err =
                grade_stream(&program(), &mut FailingInput(input.as_bytes()), &mut sink, jobs, &Limits::default());
            assert_eq!(err.expect_err("the input fails").to_string(), "disk gone", "{jobs} workers");
        }
    }

    /// Panics at its third write.
    struct PanickingOutput(usize);

    impl io::Write for PanickingOutput {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0 += 1;
            assert!(self.0 < 3, "the output broke");
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_panicking_worker_stops_the_others_and_the_panic_comes_out() {
        // More chunks than may be in flight, so that the other worker would fill the window.
        let input: String = (0..30_000).map(|i| case(i, &"v".repeat(300))).collect();
        assert!(input.len() > 4 * 2 * CHUNK_BYTES * 2);
        let (done, outcome) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let run = std::panic::catch_unwind(|| {
                grade_stream(&program(), &mut input.as_bytes(), &mut PanickingOutput(0), 2, &Limits::default())
            });
            done.send(run.is_err()).expect("the test waits");
        });
        let panicked = outcome.recv_timeout(std::time::Duration::from_secs(60)).expect("the run ends");
        assert!(panicked, "the worker's panic is raised again");
    }

    #[test]
    fn the_progress_counter_ends_at_the_number_of_lines() {
        let input: String = (0..3000).map(|i| case(i, &"p".repeat(i % 200))).collect();
        let counter = AtomicUsize::new(0);
        let mut out = Vec::new();
        let summary =
            grade_stream_counted(&program(), &mut input.as_bytes(), &mut out, 2, &Limits::default(), Some(&counter))
                .expect("grades");
        assert_eq!((summary.lines, counter.load(Ordering::Relaxed)), (3000, 3000));
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
