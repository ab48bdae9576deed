//! `rubric diff`: what changed between two versions of a rubric, and what it does to scores.

use std::fmt::Write as _;

use clap::ValueEnum;
use serde_json::{Value as Json, json};

use super::{exit, load, open_cases};
use crate::review::bounds::Attainable;
use crate::review::diff::{CaseComparison, Change, PlanDiff, compare_cases, diff_plans};

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq)]
pub enum Format {
    /// For terminals.
    Text,
    /// Markdown, fit to paste as a pull-request comment.
    Md,
    /// Machine-readable.
    Json,
}

pub fn run(old: &str, new: &str, cases: Option<&str>, format: Format) -> u8 {
    // A rubric that does not load is a usage error here: 1 means "they differ".
    let Ok(old_program) = load(old) else {
        return exit::USAGE;
    };
    let Ok(new_program) = load(new) else {
        return exit::USAGE;
    };
    let diff = diff_plans(&old_program.plan, &new_program.plan);
    let comparison = match cases {
        Some(path) => {
            let mut input = match open_cases(path) {
                Ok(i) => i,
                Err(code) => return code,
            };
            match compare_cases(&old_program, &new_program, &mut input) {
                Ok(c) => Some(c),
                Err(e) => {
                    eprintln!("error: cannot read `{path}`: {e}");
                    return exit::USAGE;
                }
            }
        }
        None => None,
    };
    let out = match format {
        Format::Text => text(old, new, &diff, cases, comparison.as_ref()),
        Format::Md => markdown(old, new, &old_program.plan.rubric, &diff, comparison.as_ref()),
        Format::Json => {
            let mut v = json!({ "old": old, "new": new, "same": diff.same, "changes": diff.changes,
                "max_attainable": { "old": diff.max_attainable.0, "new": diff.max_attainable.1 } });
            // A plan whose score has no bound has `null` there, and says why.
            for (side, bound) in [("old", &diff.max_attainable.0), ("new", &diff.max_attainable.1)] {
                if let Attainable::Unbounded(why) = bound {
                    v["max_attainable"][format!("{side}_unbounded")] = json!(why);
                }
            }
            if let Some(c) = &comparison {
                v["cases"] = json!(c);
            }
            let mut s = serde_json::to_string_pretty(&v).expect("diffs serialise");
            s.push('\n');
            s
        }
    };
    print!("{out}");
    if diff.same { exit::OK } else { exit::FAILED }
}

/// A value for people: strings bare, numbers as numbers, nothing as `-`.
fn show(v: &Json) -> String {
    match v {
        Json::Null => "-".into(),
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn num(x: f64) -> String {
    let r = (x * 1e9).round() / 1e9;
    format!("{r}")
}

fn signed(x: f64) -> String {
    let s = num(x);
    if x >= 0.0 && !s.starts_with('-') { format!("+{s}") } else { s }
}

/// `1 -> 1.1 (+0.1)`, `1 (unchanged)`, or which side has no bound and why.
fn attainable((old, new): &(Attainable, Attainable), arrow: &str) -> String {
    match (old, new) {
        (Attainable::AtMost(o), Attainable::AtMost(n)) if o == n => format!("{} (unchanged)", num(*o)),
        (Attainable::AtMost(o), Attainable::AtMost(n)) => {
            format!("{} {arrow} {} ({})", num(*o), num(*n), signed(n - o))
        }
        (Attainable::Unbounded(why), Attainable::Unbounded(_)) if old == new => format!("not bounded ({why})"),
        _ => {
            let side = |a: &Attainable| match a {
                Attainable::AtMost(x) => num(*x),
                Attainable::Unbounded(why) => format!("not bounded ({why})"),
            };
            format!("{} {arrow} {}", side(old), side(new))
        }
    }
}

/// One line describing a change.
fn sentence(c: &Change) -> String {
    let subject = match c.kind.as_str() {
        "score" => "score".to_string(),
        "gate" => format!("gate `{}`", c.id),
        _ => format!("{} `{}`", c.kind, c.id),
    };
    match c.change.as_str() {
        "added" if c.new.is_null() => format!("{subject}: added"),
        "added" => format!("{subject}: added ({})", show(&c.new)),
        "removed" if c.old.is_null() => format!("{subject}: removed"),
        "removed" => format!("{subject}: removed (was {})", show(&c.old)),
        what => format!("{subject}: {what} {} -> {}", show(&c.old), show(&c.new)),
    }
}

fn text(old: &str, new: &str, d: &PlanDiff, cases: Option<&str>, comparison: Option<&CaseComparison>) -> String {
    let mut s = String::new();
    if d.same {
        let _ = writeln!(s, "{old} and {new} mean the same");
    } else {
        let n = d.changes.len();
        let _ = writeln!(s, "{old} -> {new}: {n} change{}", if n == 1 { "" } else { "s" });
        for c in &d.changes {
            let _ = writeln!(s, "  {}", sentence(c));
        }
    }
    let _ = writeln!(s, "max attainable: {}", attainable(&d.max_attainable, "->"));
    if let Some(c) = comparison {
        let _ = writeln!(s, "\ncases: {} from {}", c.cases, cases.unwrap_or("-"));
        let _ = writeln!(s, "  mean score: {} -> {} ({})", num(c.mean_old), num(c.mean_new), signed(c.delta));
        if c.moved.is_empty() {
            let _ = writeln!(s, "  no case moved");
        } else {
            let _ = writeln!(s, "  moved most:");
            let w = c.moved.iter().map(|m| m.id.chars().count()).max().unwrap_or(0);
            for m in &c.moved {
                let _ = writeln!(s, "    {:<w$}  {} -> {} ({})", m.id, num(m.old), num(m.new), signed(m.delta));
            }
        }
        if c.flips.is_empty() {
            let _ = writeln!(s, "  no criterion flipped");
        } else {
            let _ = writeln!(s, "  flips:");
            let w = c.flips.iter().map(|f| f.id.chars().count()).max().unwrap_or(0);
            for f in &c.flips {
                let _ =
                    writeln!(s, "    {:<w$}  met -> unmet {}, unmet -> met {}", f.id, f.met_to_unmet, f.unmet_to_met);
            }
        }
        if c.new_errors.is_empty() {
            let _ = writeln!(s, "  no new errors");
        } else {
            let _ = writeln!(s, "  new errors: {}", c.new_errors.len());
            for e in &c.new_errors {
                let _ = writeln!(s, "    {}: {}", e.id, e.error);
            }
        }
    }
    s
}

/// Escapes a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn code_cell(v: &Json) -> String {
    match v {
        Json::Null => "".into(),
        Json::String(s) => format!("`{}`", cell(s).replace('`', "'")),
        other => format!("`{other}`"),
    }
}

fn markdown(old: &str, new: &str, rubric: &str, d: &PlanDiff, comparison: Option<&CaseComparison>) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "## Rubric diff: `{rubric}`\n");
    let _ = writeln!(s, "`{}` → `{}`\n", cell(old), cell(new));
    if d.same {
        let _ = writeln!(s, "No change in meaning.\n");
    } else {
        let _ = writeln!(s, "| kind | id | change | old | new |");
        let _ = writeln!(s, "| --- | --- | --- | --- | --- |");
        for c in &d.changes {
            let _ = writeln!(
                s,
                "| {} | `{}` | {} | {} | {} |",
                c.kind,
                cell(&c.id).replace('`', "'"),
                c.change,
                code_cell(&c.old),
                code_cell(&c.new)
            );
        }
        s.push('\n');
    }
    let _ = writeln!(s, "Maximum attainable score: {}\n", attainable(&d.max_attainable, "→"));
    if let Some(c) = comparison {
        let _ = writeln!(s, "### Score movement on {} case{}\n", c.cases, if c.cases == 1 { "" } else { "s" });
        let _ = writeln!(s, "| | old | new | delta |");
        let _ = writeln!(s, "| --- | ---: | ---: | ---: |");
        let _ = writeln!(s, "| mean score | {} | {} | {} |\n", num(c.mean_old), num(c.mean_new), signed(c.delta));
        if !c.moved.is_empty() {
            let _ = writeln!(s, "Cases that moved most:\n");
            let _ = writeln!(s, "| case | old | new | delta |");
            let _ = writeln!(s, "| --- | ---: | ---: | ---: |");
            for m in &c.moved {
                let _ = writeln!(s, "| `{}` | {} | {} | {} |", cell(&m.id), num(m.old), num(m.new), signed(m.delta));
            }
            s.push('\n');
        }
        if !c.flips.is_empty() {
            let _ = writeln!(s, "Criterion flips:\n");
            let _ = writeln!(s, "| criterion | met → unmet | unmet → met |");
            let _ = writeln!(s, "| --- | ---: | ---: |");
            for f in &c.flips {
                let _ = writeln!(s, "| `{}` | {} | {} |", cell(&f.id), f.met_to_unmet, f.unmet_to_met);
            }
            s.push('\n');
        }
        if !c.new_errors.is_empty() {
            let _ = writeln!(s, "New errors ({}):\n", c.new_errors.len());
            for e in &c.new_errors {
                let _ = writeln!(s, "- `{}`: {}", cell(&e.id), cell(&e.error));
            }
            s.push('\n');
        }
    }
    s
}
