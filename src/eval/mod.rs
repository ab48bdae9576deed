//! Step four: the engine. A [`Program`] is a plan made executable (paths, regexes and builtins
//! resolved once); [`Program::grade`] scores one case and returns the score with a per-criterion
//! trace. A run never aborts on data: a data error becomes the rubric's on-error score with a reason.

mod interpret;
mod lower;
pub mod path;
mod score;

use interpret::{eval, not_a, number_of};
pub use lower::const_value;
use lower::{ItemEx, Lowerer, uses_environment};
use score::{criterion, group, ladder, positive_zero, skip_rest};

use std::sync::Arc;

use serde::Serialize;

use crate::builtins::Ctx;
use crate::plan::{Node, Plan};
use crate::value::Value;
use path::CompiledPath;

/// A plan ready to run.
#[derive(Debug)]
pub struct Program {
    pub plan: Plan,
    items: Vec<ItemEx>,
    /// The parts of a case the plan reads; the rest is skipped while parsing.
    pub projection: crate::input::case::Projection,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Met,
    Unmet,
    Error,
    Skipped,
}

/// One criterion (or group, ladder, step) in a case's trace.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CriterionResult {
    pub id: Arc<str>,
    pub label: Option<Arc<str>>,
    pub weight: f64,
    pub earned: f64,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Arc<str>>,
    /// When explaining (`rubric explain`): what text matches were found where (or not found).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// A value read or computed while grading a case (for `explain`).
#[derive(Clone, Debug)]
pub struct TraceEntry {
    /// A path as written (`sample.output_text`) or `let NAME`.
    pub what: String,
    pub value: Value,
    /// What text or code matches were found (or not) while computing it.
    pub evidence: Vec<String>,
}

/// The result of grading one case.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub score: f64,
    pub criteria: Vec<CriterionResult>,
    pub error: Option<String>,
    /// The gate that decided the score, if one fired (`when COND` at file:line:col).
    pub gate: Option<String>,
    /// With [`Program::grade_traced`]: the data read (path -> value) and the bindings computed,
    /// in evaluation order.
    pub trace: Vec<TraceEntry>,
}

pub(super) struct Env<'c> {
    /// When tracing: the paths read and the bindings computed.
    trace: Option<Vec<TraceEntry>>,
    /// Steps left before the case exceeds its work limit.
    steps: u64,
    slots: Vec<Value>,
    /// Arguments of the calls being made, innermost last.
    args: Vec<Value>,
    case: &'c Value,
    total: f64,
    ctx: &'c mut Ctx,
}

impl Program {
    /// Makes a plan executable: compiles every path and regex, resolves every builtin.
    pub fn new(plan: Plan) -> Result<Program, String> {
        if let Some(highest) = plan.highest_slot().filter(|&h| h >= plan.slots) {
            return Err(format!("the plan uses value slot {highest} but declares only {} slots", plan.slots));
        }
        let mut paths: Vec<Arc<CompiledPath>> = Vec::new();
        let items = {
            let mut lower = Lowerer { paths: &mut paths, functions: Vec::new() };
            for f in &plan.functions {
                lower.function(f)?;
            }
            plan.items.iter().map(|i| lower.item(i)).collect::<Result<Vec<_>, String>>()?
        };
        let projection =
            crate::input::case::Projection::for_case(paths.iter().flat_map(|p| p.reads.iter().map(Vec::as_slice)));
        Ok(Program { plan, items, projection })
    }

    /// Grades one parsed case.
    pub fn grade(&self, case: &Value, ctx: &mut Ctx) -> Outcome {
        self.run(case, ctx, false)
    }

    /// Grades one case and also records the data it read and the bindings it computed (for `explain`).
    pub fn grade_traced(&self, case: &Value, ctx: &mut Ctx) -> Outcome {
        self.run(case, ctx, true)
    }

    fn run(&self, case: &Value, ctx: &mut Ctx, tracing: bool) -> Outcome {
        ctx.start_case();
        let steps = ctx.limits.steps;
        let mut slots = std::mem::take(&mut ctx.slots);
        slots.resize(self.plan.slots, Value::Null);
        let args = std::mem::take(&mut ctx.args);
        let mut env = Env { trace: tracing.then(Vec::new), steps, slots, args, case, total: 0.0, ctx };
        let mut criteria = Vec::new();
        let mut error: Option<String> = None;
        let mut score: Option<f64> = None;
        let mut gate = None;
        let note_error = |error: &mut Option<String>, msg: String| {
            if error.is_none() {
                *error = Some(msg);
            }
        };
        for (i, item) in self.items.iter().enumerate() {
            match item {
                ItemEx::Let { name, slot, value } => {
                    if env.trace.is_some() {
                        env.ctx.evidence = Some(Vec::new());
                    }
                    let v = eval(value, &mut env);
                    let evidence = env.ctx.evidence.take().unwrap_or_default();
                    if let Some(t) = &mut env.trace {
                        t.push(TraceEntry { what: format!("let {name}"), value: v.clone(), evidence });
                    }
                    env.slots[*slot] = v;
                }
                ItemEx::Criterion(c) => {
                    let r = criterion(c, &mut env);
                    if r.status == Status::Error {
                        note_error(
                            &mut error,
                            format!("criterion `{}`: {}", r.id, r.reason.clone().unwrap_or_default()),
                        );
                    }
                    env.total += r.earned;
                    criteria.push(r);
                }
                ItemEx::Group { id, label, weight, mode, slot, lets, members } => {
                    for (s, ex) in lets {
                        let v = eval(ex, &mut env);
                        env.slots[*s] = v;
                    }
                    let results: Vec<CriterionResult> = members.iter().map(|m| criterion(m, &mut env)).collect();
                    let r = group(id, label, *weight, mode, &results);
                    env.slots[*slot] = Value::Number(r.earned);
                    if let Some(e) = results.iter().find(|m| m.status == Status::Error) {
                        note_error(
                            &mut error,
                            format!("criterion `{}`: {}", e.id, e.reason.clone().unwrap_or_default()),
                        );
                    }
                    env.total += r.earned;
                    criteria.push(r);
                    criteria.extend(results);
                }
                ItemEx::Ladder { id, label, slot, steps } => {
                    let (r, step_results) = ladder(id, label, steps, &mut env);
                    env.slots[*slot] = Value::Number(r.earned);
                    if r.status == Status::Error {
                        note_error(&mut error, format!("ladder `{}`: {}", r.id, r.reason.clone().unwrap_or_default()));
                    }
                    env.total += r.earned;
                    criteria.push(r);
                    criteria.extend(step_results);
                }
                ItemEx::Gate { condition, value, text, at } => match eval(condition, &mut env) {
                    Value::Bool(false) => {}
                    Value::Bool(true) => {
                        match number_of(eval(value, &mut env)) {
                            Ok(v) => score = Some(v),
                            Err(e) => note_error(&mut error, format!("gate `when {text}` at {at}: {e}")),
                        }
                        gate = Some(format!("when {text} (at {at})"));
                        skip_rest(&self.items[i + 1..], &mut criteria);
                        break;
                    }
                    other => {
                        note_error(&mut error, format!("gate `when {text}` at {at}: {}", not_a("bool", &other)));
                        skip_rest(&self.items[i + 1..], &mut criteria);
                        break;
                    }
                },
                ItemEx::Score { value } => match number_of(eval(value, &mut env)) {
                    Ok(v) => score = Some(v),
                    Err(e) => note_error(&mut error, format!("score: {e}")),
                },
            }
        }
        let score = positive_zero(score.unwrap_or(env.total));
        let mut slots = std::mem::take(&mut env.slots);
        slots.clear();
        env.ctx.slots = slots;
        env.ctx.args = std::mem::take(&mut env.args);
        if error.is_none() && !score.is_finite() {
            error = Some(format!("the score is not a finite number ({score})"));
        }
        let trace = env.trace.take().unwrap_or_default();
        match error {
            Some(e) => Outcome { score: positive_zero(self.plan.on_error), criteria, error: Some(e), gate, trace },
            None => Outcome { score, criteria, error: None, gate, trace },
        }
    }

    /// Evaluates a constant node (no data, no bindings) for compile-time checks.
    pub fn eval_constant(node: &Node) -> Option<Value> {
        let mut paths = Vec::new();
        let ex = Lowerer { paths: &mut paths, functions: Vec::new() }.expr(node).ok()?;
        if !paths.is_empty() || uses_environment(&ex) {
            return None;
        }
        let mut ctx = Ctx::default();
        let case = Value::Null;
        let mut env = Env {
            trace: None,
            steps: 1_000_000,
            slots: Vec::new(),
            args: Vec::new(),
            case: &case,
            total: 0.0,
            ctx: &mut ctx,
        };
        Some(eval(&ex, &mut env))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::SourceFile;
    use crate::plan::{Const, PlanItem};

    /// A plan from before a builtin gained an optional parameter (`strip` without `chars`) still
    /// runs, the missing argument taking its default; one argument too many is refused.
    #[test]
    fn a_plan_missing_trailing_optional_arguments_runs_with_their_defaults() {
        let file = SourceFile::new("t.rubric", "rubric t \"t\" {\n  score len(strip(sample.output_text))\n}\n");
        let plan = crate::check::compile(&file).plan.expect("compiles");
        let json = plan.to_json();
        let mut old = Plan::from_json(&json).unwrap();
        let PlanItem::Score { value: Node::Call { args, .. }, .. } = &mut old.items[0] else { panic!("{json}") };
        let Node::Call { args: strip_args, .. } = &mut args[0] else { panic!("{json}") };
        assert_eq!(strip_args.len(), 2, "`strip(text, chars)`");
        strip_args.truncate(1);
        let program = Program::new(old.clone()).expect("an older plan loads");
        let case = crate::input::json::parse(
            r#"{"item":{},"sample":{"output_text":"  ab  "}}"#,
            &program.projection,
            &mut Default::default(),
        )
        .unwrap();
        assert_eq!(program.grade(&case, &mut Ctx::default()).score, 2.0);
        let Node::Call { args: strip_args, .. } = (match &mut old.items[0] {
            PlanItem::Score { value: Node::Call { args, .. }, .. } => &mut args[0],
            _ => unreachable!(),
        }) else {
            unreachable!()
        };
        strip_args.extend([Node::Const(Const::Null), Node::Const(Const::Null), Node::Const(Const::Null)]);
        assert!(Program::new(old).unwrap_err().contains("with 4 arguments, but it takes 2"));
    }

    /// Bindings passed to builtins are moved onto the argument stack and back: whatever path a
    /// call takes (the same binding twice, a later argument reading it, a failing argument, a
    /// binding of the wrong type or holding an error), later readers find it unchanged.
    #[test]
    fn bindings_moved_into_calls_come_back() {
        let source = r#"rubric t "t" {
  let t = sample.output_text
  let n = sample.output_json.n
  let e = required(sample.output_json.nothing)
  criterion same +1 "s" { contains(t, t) }
  criterion nested +1 "n" { contains(t, lower(t)) }
  criterion failed +1 "f" { contains(t, required(sample.output_json.nothing)) }
  criterion wrong_type +1 "w" { len(n) == 1 }
  criterion error_binding +1 "e" { contains(e, "x") }
  criterion error_again +1 "a" { contains(e, "x") }
  criterion after +1 "l" { len(t) == 5 and t == "hello" and n == 5 }
}
"#;
        let plan = crate::check::compile(&SourceFile::new("t.rubric", source)).plan.expect("compiles");
        let program = Program::new(plan).expect("loads");
        let case = Value::from_json(&serde_json::json!({
            "sample": {"output_text": "hello", "output_json": {"n": 5}}, "item": {}
        }));
        let outcome = program.grade(&case, &mut Ctx::new(crate::builtins::Limits::default()));
        let statuses: Vec<(&str, Status)> = outcome.criteria.iter().map(|c| (&*c.id, c.status)).collect();
        use Status::{Error, Met};
        assert_eq!(
            statuses,
            [
                ("same", Met),
                ("nested", Met),
                ("failed", Error),
                ("wrong_type", Error),
                ("error_binding", Error),
                ("error_again", Error),
                ("after", Met)
            ]
        );
        let reason = |id: &str| outcome.criteria.iter().find(|c| &*c.id == id).and_then(|c| c.reason.clone());
        assert_eq!(reason("error_binding"), reason("error_again"));
        assert!(reason("wrong_type").is_some_and(|r| r.ends_with("found number 5")), "{:?}", reason("wrong_type"));
    }
}
