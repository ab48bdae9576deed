//! `rubric explain`: a readable account of each case's score.

use std::fmt::Write as _;
use std::io::{BufRead, Write};

use super::{exit, load, open_cases};
use crate::builtins::Ctx;
use crate::eval::{Outcome, Status};
use crate::run::grade_line_with;
use crate::value::shorten;

pub fn run(grader: &str, cases: &str, only: Option<&str>) -> u8 {
    let program = match load(grader) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let input = match open_cases(cases) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let mut ctx = Ctx::default();
    let mut shown = 0;
    let mut out = std::io::stdout().lock();
    for (i, line) in input.split(b'\n').enumerate() {
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: {e}");
                return exit::USAGE;
            }
        };
        let g = grade_line_with(&program, &line, i + 1, &mut ctx, true);
        let id = match &g.id {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => format!("line {}", i + 1),
            other => other.to_string(),
        };
        if only.is_some_and(|o| o != id) {
            continue;
        }
        shown += 1;
        if out.write_all(account(&id, i + 1, g.score, g.outcome.as_ref(), &g.json).as_bytes()).is_err() {
            return exit::OK; // the reader went away (e.g. `| head`)
        }
    }
    if only.is_some() && shown == 0 {
        eprintln!("error: no case with id `{}`", only.unwrap_or_default());
        return exit::FAILED;
    }
    exit::OK
}

fn account(id: &str, line: usize, score: f64, outcome: Option<&Outcome>, json: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "case {id} (line {line}): score {score}");
    let Some(o) = outcome else {
        let v: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
        let _ = writeln!(s, "  error: {}\n", v["error"].as_str().unwrap_or(""));
        return s;
    };
    if !o.trace.is_empty() {
        let _ = writeln!(s, "  values:");
        for e in &o.trace {
            let _ = writeln!(s, "    {} = {}", e.what, e.value.short(100));
            for note in &e.evidence {
                let _ = writeln!(s, "      {note}");
            }
        }
    }
    if let Some(g) = &o.gate {
        let _ = writeln!(s, "  gate fired: {g}");
    }
    if let Some(e) = &o.error {
        let _ = writeln!(s, "  error: {e}");
    }
    let width = o.criteria.iter().map(|c| c.id.chars().count()).max().unwrap_or(0);
    for c in &o.criteria {
        let mark = match c.status {
            Status::Met => "✓",
            Status::Unmet => "✗",
            Status::Error => "!",
            Status::Skipped => "-",
        };
        let status =
            serde_json::to_value(c.status).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        let _ =
            write!(s, "  {mark} {:<width$}  {:>6} / {:<6} {:<7}", c.id, fmt_num(c.earned), fmt_num(c.weight), status);
        if let Some(l) = &c.label {
            let _ = write!(s, "  {}", shorten(l, 60));
        }
        let _ = writeln!(s);
        if let Some(r) = &c.reason {
            let _ = writeln!(s, "      {}", shorten(r, 200));
        }
        for e in &c.evidence {
            let _ = writeln!(s, "      {e}");
        }
    }
    s.push('\n');
    s
}

fn fmt_num(x: f64) -> String {
    let r = (x * 1e6).round() / 1e6;
    format!("{r}")
}
