//! What `rubric grade` tells people on standard error: a progress line redrawn while a long run
//! goes on (only on a terminal), and the summary at the end.

use std::io::{self, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::run::Summary;

/// How often the progress line is redrawn. The first drawing waits this long too, so a short run
/// prints no progress at all.
const REDRAW_EVERY: Duration = Duration::from_millis(250);

/// Redraws the progress line on standard error every [`REDRAW_EVERY`] until `done` is signalled or
/// dropped, then erases it. `graded` is the number of lines graded so far (the workers add to it
/// once per chunk, so reading it costs them nothing).
pub(super) fn show_until(graded: &AtomicUsize, started: Instant, done: Receiver<()>) {
    let mut drawn = false;
    while let Err(RecvTimeoutError::Timeout) = done.recv_timeout(REDRAW_EVERY) {
        let line = progress_line(graded.load(Ordering::Relaxed), started.elapsed());
        let mut err = io::stderr().lock();
        // `\r` and "erase line" redraw in place.
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
        drawn = true;
    }
    if drawn {
        let mut err = io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K");
        let _ = err.flush();
    }
}

/// `grading: 12,345 cases, 4,115 cases/s, 0:03 elapsed`.
pub(super) fn progress_line(cases: usize, elapsed: Duration) -> String {
    format!(
        "grading: {} case{}, {} cases/s, {} elapsed",
        thousands(cases),
        plural(cases),
        rate(cases, elapsed),
        clock(elapsed)
    )
}

/// The summary printed when grading ends. Malformed lines are results too (with the rubric's
/// on-error score), so the mean counts them at that score; the summary says so when there are any.
pub(super) fn summary_line(summary: &Summary, elapsed: Duration, on_error: f64) -> String {
    let mean = if summary.malformed > 0 {
        format!("mean score {:.6} (malformed lines count in it at the on-error score, {on_error})", summary.mean())
    } else {
        format!("mean score {:.6}", summary.mean())
    };
    format!(
        "graded {} case{} in {} ({} cases/s): {mean}, {} data error{}, {} malformed line{}",
        summary.lines,
        plural(summary.lines),
        seconds(elapsed),
        rate(summary.lines, elapsed),
        summary.errors,
        plural(summary.errors),
        summary.malformed,
        plural(summary.malformed),
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Cases per second, rounded, with thousands separators (0 before any time has passed).
fn rate(cases: usize, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    if secs <= 0.0 {
        return "0".into();
    }
    thousands((cases as f64 / secs).round() as usize)
}

/// `1234567` -> `1,234,567`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// `0:07`, `12:34`, `1:02:03`.
fn clock(elapsed: Duration) -> String {
    let s = elapsed.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// `0.42 s` under a minute, the clock above it.
fn seconds(elapsed: Duration) -> String {
    if elapsed < Duration::from_secs(60) { format!("{:.3} s", elapsed.as_secs_f64()) } else { clock(elapsed) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_line_shows_cases_rate_and_elapsed_time() {
        assert_eq!(progress_line(12_345, Duration::from_secs(3)), "grading: 12,345 cases, 4,115 cases/s, 0:03 elapsed");
        assert_eq!(progress_line(1, Duration::from_millis(500)), "grading: 1 case, 2 cases/s, 0:00 elapsed");
        assert_eq!(progress_line(0, Duration::ZERO), "grading: 0 cases, 0 cases/s, 0:00 elapsed");
        assert_eq!(
            progress_line(7_200_000, Duration::from_secs(3723)),
            "grading: 7,200,000 cases, 1,934 cases/s, 1:02:03 elapsed"
        );
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn summary_gives_time_and_rate_and_says_how_malformed_lines_count() {
        let clean = Summary { lines: 200, malformed: 0, errors: 1, score_sum: 50.0 };
        assert_eq!(
            summary_line(&clean, Duration::from_millis(250), 0.0),
            "graded 200 cases in 0.250 s (800 cases/s): mean score 0.250000, 1 data error, 0 malformed lines"
        );
        let with_malformed = Summary { lines: 4, malformed: 1, errors: 0, score_sum: 2.0 };
        assert_eq!(
            summary_line(&with_malformed, Duration::from_secs(90), 0.0),
            "graded 4 cases in 1:30 (0 cases/s): mean score 0.500000 (malformed lines count in it at the \
             on-error score, 0), 0 data errors, 1 malformed line"
        );
    }
}
