//! The `rubric` command line: a thin layer over the library.

mod diff;
mod explain;
mod fmt;
mod progress;
mod test;

use std::io::{self, BufRead, BufReader, IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::builtins::Limits;
use crate::check;
use crate::diagnostic::{Diagnostic, SourceFile, render_github, render_with};
use crate::eval::Program;
use crate::{Grader, LoadError};

/// Exit codes (documented in README.md).
pub mod exit {
    /// Success: no rubric errors; every input line was a readable case.
    pub const OK: u8 = 0;
    /// The rubric has errors (or `test`/`diff` found failures or differences).
    pub const FAILED: u8 = 1;
    /// Bad usage or an unreadable file.
    pub const USAGE: u8 = 2;
    /// Grading finished, but some input lines were not readable cases (each has an error result line).
    pub const MALFORMED_LINES: u8 = 3;
}

#[derive(Parser)]
#[command(
    name = "rubric",
    version,
    about = "Compile, check and run declarative graders (reward functions) for LLM outputs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum CheckFormat {
    /// Rendered reports with source snippets.
    Human,
    /// GitHub Actions annotations (`::error file=...,line=...,col=...::message`).
    Github,
}

#[derive(Subcommand)]
enum Command {
    /// Check rubrics and explain every mistake.
    #[command(
        after_help = "Example:\n  rubric check rubrics/*.rubric\n  rubric check rubrics/\n  rubric check --format github rubrics/tax.rubric\n\nExit codes: 0 no errors (warnings allowed), 1 errors, 2 usage/IO (a file or directory could not be read)."
    )]
    Check {
        /// Rubric files, or directories (every `*.rubric` in them and below, in sorted order).
        #[arg(required = true)]
        files: Vec<String>,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value = "human")]
        format: CheckFormat,
    },
    /// Compile a rubric to its scoring plan (JSON). The same input always gives the same bytes.
    #[command(
        after_help = "Example:\n  rubric compile rubrics/harvey.rubric -o harvey.plan.json\n\nExit codes: 0 compiled, 1 rubric errors, 2 usage/IO."
    )]
    Compile {
        /// The rubric source.
        file: String,
        /// Write the plan here instead of stdout.
        #[arg(short, long)]
        out: Option<String>,
    },
    /// Grade cases (JSONL): one result line per input line, in input order.
    #[command(
        after_help = "Example:\n  rubric grade rubrics/tax.rubric --cases examples/tax/cases.jsonl --out results.jsonl\n  cat cases.jsonl | rubric grade harvey.plan.json --cases - --jobs 2\n\nExit codes: 0 every line graded, 1 rubric errors, 2 usage/IO, 3 some lines were not readable cases."
    )]
    Grade {
        /// A `.rubric` source or a compiled plan.
        grader: String,
        /// The cases file (JSONL); `-` reads standard input.
        #[arg(long)]
        cases: String,
        /// Write results here instead of stdout.
        #[arg(long)]
        out: Option<String>,
        /// Worker threads (default: all cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// Longest string (characters) a fuzzy similarity compares.
        #[arg(long, default_value_t = Limits::default().fuzzy_chars)]
        max_fuzzy_chars: usize,
        /// Expression steps one case may take before it fails with a work-limit error.
        #[arg(long, default_value_t = Limits::default().steps)]
        max_steps: u64,
        /// Largest code (bytes) given to an AST parser.
        #[arg(long, default_value_t = Limits::default().code_bytes)]
        max_code_bytes: usize,
    },
    /// List every builtin with its signature and documentation.
    #[command(
        after_help = "Example:\n  rubric builtins\n  rubric builtins --markdown > docs/builtins.md\n\nExit codes: 0 always (2 on bad usage)."
    )]
    Builtins {
        /// Print a markdown reference instead of plain text.
        #[arg(long)]
        markdown: bool,
    },
    /// Explain, criterion by criterion, how each case got its score.
    #[command(
        after_help = "Example:\n  rubric explain rubrics/tax.rubric --cases examples/tax/cases.jsonl --id tax-public-s1-00003\n\nExit codes: 0 explained, 1 rubric errors or no case has the --id, 2 usage/IO."
    )]
    Explain {
        /// A `.rubric` source or a compiled plan.
        grader: String,
        /// The cases file (JSONL); `-` reads standard input.
        #[arg(long)]
        cases: String,
        /// Only the case with this id.
        #[arg(long)]
        id: Option<String>,
    },
    /// Run the examples in each rubric's sidecar `NAME.tests.yaml`: expected scores and statuses.
    #[command(
        after_help = "Example:\n  rubric test rubrics/\n  rubric test --coverage rubrics/tax.rubric\n\nExit codes: 0 all examples passed, 1 some failed (an invalid sidecar counts as a failure), 2 usage/IO."
    )]
    Test {
        /// Rubrics, sidecars, or directories (every `*.rubric` in them).
        #[arg(required = true)]
        paths: Vec<String>,
        /// List, per rubric, the criteria never seen met or never seen unmet, and gates never exercised.
        #[arg(long)]
        coverage: bool,
    },
    /// Compare two versions of a rubric: criterion changes, and with --cases, score movement.
    #[command(
        after_help = "Example:\n  rubric diff old/tax.rubric rubrics/tax.rubric --cases examples/tax/cases.jsonl --format md\n\nExit codes: 0 same meaning, 1 they differ, 2 usage/IO."
    )]
    Diff {
        /// The old rubric (source or plan).
        old: String,
        /// The new rubric (source or plan).
        new: String,
        /// Grade these cases (JSONL) with both and report the score movement.
        #[arg(long)]
        cases: Option<String>,
        /// How to print the diff.
        #[arg(long, value_enum, default_value = "text")]
        format: diff::Format,
    },
    /// Format rubrics in place in the one canonical layout (comments kept). With --check, change
    /// nothing and exit 1 if a file would change.
    #[command(
        after_help = "Example:\n  rubric fmt rubrics/*.rubric\n  rubric fmt --check rubrics/*.rubric\n\nExit codes: 0 formatted (or already formatted), 1 a file would change (--check) or has syntax errors, 2 unreadable file."
    )]
    Fmt {
        /// Rubric files to format.
        #[arg(required = true)]
        files: Vec<String>,
        /// Rewrite nothing; print a unified diff of each file that would change and exit 1 if there are any.
        #[arg(long)]
        check: bool,
    },
    /// Print a shell completion script to stdout.
    #[command(
        after_help = "Example:\n  rubric completions bash > ~/.local/share/bash-completion/completions/rubric\n  rubric completions zsh > ~/.zfunc/_rubric\n  rubric completions fish > ~/.config/fish/completions/rubric.fish\n\nExit codes: 0 printed, 2 usage (unknown shell)."
    )]
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout, or with --out write one page per command into a directory.
    #[command(
        after_help = "Example:\n  rubric man | man -l -\n  rubric man --out /usr/local/share/man/man1\n\nExit codes: 0 written, 2 usage/IO (the directory cannot be written)."
    )]
    Man {
        /// Write `rubric.1` and `rubric-COMMAND.1` for every command into this directory.
        #[arg(long)]
        out: Option<String>,
    },
}

/// Runs the CLI with the process arguments.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check { files, format } => check_files(&files, format),
        Command::Compile { file, out } => compile(&file, out.as_deref()),
        Command::Grade { grader, cases, out, jobs, max_fuzzy_chars, max_code_bytes, max_steps } => {
            let limits = Limits {
                fuzzy_chars: max_fuzzy_chars,
                code_bytes: max_code_bytes,
                steps: max_steps,
                ..Limits::default()
            };
            grade(&grader, &cases, out.as_deref(), jobs, &limits)
        }
        Command::Explain { grader, cases, id } => explain::run(&grader, &cases, id.as_deref()),
        Command::Test { paths, coverage } => test::run(&paths, coverage),
        Command::Diff { old, new, cases, format } => diff::run(&old, &new, cases.as_deref(), format),
        Command::Fmt { files, check } => fmt::run(&files, check),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "rubric", &mut io::stdout());
            exit::OK
        }
        Command::Man { out } => man(out.as_deref()),
        Command::Builtins { markdown } => {
            print!(
                "{}",
                if markdown { crate::builtins::reference_markdown() } else { crate::builtins::reference_text() }
            );
            exit::OK
        }
    };
    ExitCode::from(code)
}

fn theme() -> miette::GraphicalTheme {
    if io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    }
}

fn print_diagnostics(file: &SourceFile, diagnostics: &[Diagnostic]) {
    let theme = theme();
    let mut err = io::stderr().lock();
    for d in diagnostics {
        let _ = writeln!(err, "{}", render_with(d, file, theme.clone()));
    }
}

/// Prints the man page of `rubric` to stdout, or writes a page per command into `out`.
fn man(out: Option<&str>) -> u8 {
    let written = match out {
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut page).and_then(|()| io::stdout().write_all(&page))
        }
        Some(dir) => std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(Cli::command(), dir)),
    };
    match (written, out) {
        (Ok(()), Some(dir)) => {
            eprintln!("wrote the man pages to {dir}");
            exit::OK
        }
        (Ok(()), None) => exit::OK,
        (Err(e), Some(dir)) => {
            eprintln!("error: cannot write the man pages to `{dir}`: {e}");
            exit::USAGE
        }
        (Err(e), None) => {
            eprintln!("error: cannot write the man page: {e}");
            exit::USAGE
        }
    }
}

/// The rubric files an argument names: the file itself, or for a directory every `*.rubric` in it
/// and its subdirectories, sorted by path.
fn rubric_files(arg: &str) -> io::Result<Vec<String>> {
    let path = std::path::Path::new(arg);
    if !path.is_dir() {
        return Ok(vec![arg.to_string()]);
    }
    let mut found = Vec::new();
    let mut pending = vec![path.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let path = entry.path();
            // `file_type` does not follow symbolic links, so a link loop cannot make this endless.
            let kind = entry.file_type()?;
            if kind.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|x| x == "rubric") {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found.into_iter().map(|p| p.to_string_lossy().into_owned()).collect())
}

fn check_files(args: &[String], format: CheckFormat) -> u8 {
    let (mut errors, mut warnings, mut unreadable) = (0, 0, 0);
    let mut files = Vec::new();
    for arg in args {
        match rubric_files(arg) {
            Ok(found) if found.is_empty() => {
                eprintln!("error: no `.rubric` files in `{arg}`");
                unreadable += 1;
            }
            Ok(found) => files.extend(found),
            Err(e) => {
                eprintln!("error: cannot read `{arg}`: {e}");
                unreadable += 1;
            }
        }
    }
    let mut checked = 0;
    for path in &files {
        let Some(text) = read_source(path) else {
            unreadable += 1;
            continue;
        };
        checked += 1;
        let file = SourceFile::new(path.as_str(), text);
        let compiled = check::compile(&file);
        match format {
            CheckFormat::Human => print_diagnostics(&file, &compiled.diagnostics),
            CheckFormat::Github => {
                for d in &compiled.diagnostics {
                    println!("{}", render_github(d, &file));
                }
            }
        }
        errors += compiled.diagnostics.iter().filter(|d| d.is_error()).count();
        warnings += compiled.diagnostics.iter().filter(|d| !d.is_error()).count();
    }
    eprintln!("{}", check_summary(checked, errors, warnings, unreadable));
    if unreadable > 0 {
        exit::USAGE
    } else if errors > 0 {
        exit::FAILED
    } else {
        exit::OK
    }
}

/// `checked 3 files: 1 error, 0 warnings`, and how many files or directories could not be read
/// (when some could not).
fn check_summary(files: usize, errors: usize, warnings: usize, unreadable: usize) -> String {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let mut s = format!(
        "checked {files} file{}: {errors} error{}, {warnings} warning{}",
        plural(files),
        plural(errors),
        plural(warnings)
    );
    if unreadable > 0 {
        s.push_str(&format!("; {unreadable} could not be read"));
    }
    s
}

fn compile(path: &str, out: Option<&str>) -> u8 {
    let Some(text) = read_source(path) else { return exit::USAGE };
    let file = SourceFile::new(path, text);
    let compiled = check::compile(&file);
    print_diagnostics(&file, &compiled.diagnostics);
    let Some(plan) = compiled.plan else { return exit::FAILED };
    let json = plan.to_json();
    match out {
        Some(o) => {
            if let Err(e) = std::fs::write(o, json) {
                eprintln!("error: cannot write `{o}`: {e}");
                return exit::USAGE;
            }
        }
        None => print!("{json}"),
    }
    exit::OK
}

/// Reads a rubric source, printing why when it cannot be read.
pub(crate) fn read_source(path: &str) -> Option<String> {
    std::fs::read_to_string(path).map_err(|e| eprintln!("error: cannot read `{path}`: {e}")).ok()
}

/// Loads a grader, printing why when it cannot be loaded; the error is the exit code.
pub(crate) fn load_grader(grader: &str) -> Result<Grader, u8> {
    Grader::load(grader).map_err(|e| match e {
        LoadError::Io { .. } => {
            eprintln!("error: {e}");
            exit::USAGE
        }
        LoadError::Plan { .. } => {
            eprintln!("error: {e}");
            exit::FAILED
        }
        LoadError::Rubric { file, diagnostics } => {
            print_diagnostics(&file, &diagnostics);
            exit::FAILED
        }
    })
}

/// [`load_grader`] for the commands that work on the program itself (explain, test, diff).
pub(crate) fn load(grader: &str) -> Result<std::sync::Arc<Program>, u8> {
    load_grader(grader).map(Grader::into_program)
}

/// Opens a cases file, or standard input for `-`.
pub(crate) fn open_cases(cases: &str) -> Result<Box<dyn BufRead + Send>, u8> {
    open_input(cases).map(|input| Box::new(BufReader::with_capacity(1 << 20, input)) as Box<dyn BufRead + Send>)
}

/// Opens a cases file, or standard input for `-`, unbuffered (for readers that buffer themselves).
fn open_input(cases: &str) -> Result<Box<dyn io::Read + Send>, u8> {
    if cases == "-" {
        return Ok(Box::new(io::stdin()));
    }
    match std::fs::File::open(cases) {
        Ok(f) => Ok(Box::new(f)),
        Err(e) => {
            eprintln!("error: cannot read `{cases}`: {e}");
            Err(exit::USAGE)
        }
    }
}

fn grade(grader: &str, cases: &str, out: Option<&str>, jobs: Option<usize>, limits: &Limits) -> u8 {
    let grader = match load_grader(grader) {
        Ok(g) => g.with_limits(limits.clone()),
        Err(code) => return code,
    };
    // Grading reads and writes in large blocks of its own, so neither side is buffered again.
    let mut input = match open_input(cases) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let mut output: Box<dyn Write + Send> = match out {
        Some(o) => match std::fs::File::create(o) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("error: cannot write `{o}`: {e}");
                return exit::USAGE;
            }
        },
        None => Box::new(io::stdout()),
    };
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    // Progress goes to a terminal only: a log file or pipe gets the summary alone.
    let show_progress = io::stderr().is_terminal();
    let graded_lines = std::sync::atomic::AtomicUsize::new(0);
    let started = std::time::Instant::now();
    let graded = std::thread::scope(|scope| {
        let (done, finished) = std::sync::mpsc::channel::<()>();
        if show_progress {
            let graded_lines = &graded_lines;
            scope.spawn(move || progress::show_until(graded_lines, started, finished));
        }
        let graded = grader.grade_stream_counting(&mut input, &mut output, jobs, &graded_lines);
        drop(done);
        graded
    });
    let summary = match graded {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    eprintln!("{}", progress::summary_line(&summary, started.elapsed(), grader.on_error()));
    if summary.malformed > 0 { exit::MALFORMED_LINES } else { exit::OK }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_documents_its_arguments_and_exit_codes() {
        let cli = Cli::command();
        for cmd in cli.get_subcommands() {
            let name = cmd.get_name();
            let after = cmd.get_after_help().map(|h| h.to_string()).unwrap_or_default();
            assert!(after.contains("\nExit codes: 0 "), "`{name}` --help does not give its exit codes");
            for arg in cmd.get_arguments() {
                assert!(arg.get_help().is_some(), "`{name}`: `{}` has no description", arg.get_id());
            }
        }
    }

    #[test]
    fn check_summary_counts_what_could_not_be_read() {
        assert_eq!(check_summary(1, 0, 1, 0), "checked 1 file: 0 errors, 1 warning");
        assert_eq!(check_summary(2, 3, 0, 1), "checked 2 files: 3 errors, 0 warnings; 1 could not be read");
    }
}
