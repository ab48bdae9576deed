//! Step four: the engine. A [`Program`] is a plan made executable (paths, regexes and builtins
//! resolved once); [`Program::grade`] scores one case and returns the score with a per-criterion
//! trace. A run never aborts on data: a data error becomes the rubric's on-error score with a reason.

pub mod path;

use std::sync::Arc;

use serde::Serialize;

use crate::builtins::{self, Builtin, Ctx};
use crate::plan::{Check, Const, CriterionPlan, GroupModePlan, Node, Plan, PlanItem};
use crate::syntax::ast::{BinOp, TypeName, UnOp};
use crate::value::{Ty, Value};
use path::CompiledPath;

/// The value of a plan constant.
pub fn const_value(c: &Const) -> Result<Value, String> {
    Ok(match c {
        Const::Null => Value::Null,
        Const::Bool(b) => Value::Bool(*b),
        Const::Number(n) => Value::Number(*n),
        Const::String(s) => Value::str(s),
        Const::Figure(f) => Value::Figure(Arc::new(f.clone())),
        Const::Regex { source, flags } => Value::Regex(Arc::new(crate::pattern::compile_regex(source, flags)?)),
    })
}

/// An executable expression.
#[derive(Debug)]
enum Ex {
    Const(Value),
    List(Vec<Ex>),
    Slot(usize),
    Total,
    Path(Arc<CompiledPath>),
    Member(Box<Ex>, Arc<str>),
    Index(Box<Ex>, Box<Ex>),
    /// A builtin, its arguments, and which of them (bit `i` for argument `i`) are bindings that
    /// the call may move onto its argument stack and back rather than clone (see [`call`]).
    Call(&'static Builtin, Vec<Ex>, u64),
    /// `any(for ...)` / `all(for ...)`: evaluated lazily, stopping at the first deciding element.
    Quantifier {
        any: bool,
        slot: usize,
        source: Box<Ex>,
        filter: Option<Box<Ex>>,
        body: Box<Ex>,
    },
    Unary(UnOp, Box<Ex>),
    Binary(BinOp, Box<Ex>, Box<Ex>),
    Is(Box<Ex>, bool, TypeName),
    If(Box<Ex>, Box<Ex>, Box<Ex>),
    For {
        slot: usize,
        source: Box<Ex>,
        filter: Option<Box<Ex>>,
        body: Box<Ex>,
    },
}

#[derive(Debug)]
struct CheckEx {
    ex: Ex,
    text: String,
    /// "`TEXT` is false", made once: the reason of every case that fails this check.
    false_reason: Arc<str>,
}

#[derive(Debug)]
struct CriterionEx {
    id: Arc<str>,
    label: Option<Arc<str>>,
    weight: f64,
    slot: usize,
    lets: Vec<(usize, Ex)>,
    checks: Vec<CheckEx>,
}

#[derive(Debug)]
enum ItemEx {
    Let {
        name: String,
        slot: usize,
        value: Ex,
    },
    Criterion(CriterionEx),
    Group {
        id: Arc<str>,
        label: Option<Arc<str>>,
        weight: Option<f64>,
        mode: GroupModePlan,
        slot: usize,
        lets: Vec<(usize, Ex)>,
        members: Vec<CriterionEx>,
    },
    Ladder {
        id: Arc<str>,
        label: Option<Arc<str>>,
        slot: usize,
        steps: Vec<(CriterionEx, CheckEx)>,
    },
    Gate {
        condition: Ex,
        value: Ex,
        text: String,
        at: String,
    },
    Score {
        value: Ex,
    },
}

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
    /// With [`Program::grade_traced`]: what text matches were found where (or not found).
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

struct Env<'c> {
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
        let mut paths: Vec<Arc<CompiledPath>> = Vec::new();
        let items = {
            let mut lower = Lowerer { paths: &mut paths };
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
        let score = score.unwrap_or(env.total);
        let mut slots = std::mem::take(&mut env.slots);
        slots.clear();
        env.ctx.slots = slots;
        env.ctx.args = std::mem::take(&mut env.args);
        if error.is_none() && !score.is_finite() {
            error = Some(format!("the score is not a finite number ({score})"));
        }
        let trace = env.trace.take().unwrap_or_default();
        match error {
            Some(e) => Outcome { score: self.plan.on_error, criteria, error: Some(e), gate, trace },
            None => Outcome { score, criteria, error: None, gate, trace },
        }
    }

    /// Evaluates a constant node (no data, no bindings) for compile-time checks.
    pub fn eval_constant(node: &Node) -> Option<Value> {
        let mut paths = Vec::new();
        let ex = Lowerer { paths: &mut paths }.expr(node).ok()?;
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

fn uses_environment(ex: &Ex) -> bool {
    match ex {
        Ex::Const(_) => false,
        Ex::Slot(_) | Ex::Total | Ex::Path(_) | Ex::For { .. } | Ex::Quantifier { .. } => true,
        Ex::List(xs) | Ex::Call(_, xs, _) => xs.iter().any(uses_environment),
        Ex::Member(a, _) | Ex::Unary(_, a) | Ex::Is(a, _, _) => uses_environment(a),
        Ex::Index(a, b) | Ex::Binary(_, a, b) => uses_environment(a) || uses_environment(b),
        Ex::If(a, b, c) => uses_environment(a) || uses_environment(b) || uses_environment(c),
    }
}

fn skip_rest(items: &[ItemEx], criteria: &mut Vec<CriterionResult>) {
    let skipped = |c: &CriterionEx| CriterionResult {
        id: c.id.clone(),
        label: c.label.clone(),
        weight: c.weight,
        earned: 0.0,
        status: Status::Skipped,
        reason: Some("a gate decided the score first".into()),
        evidence: Vec::new(),
    };
    for item in items {
        match item {
            ItemEx::Criterion(c) => criteria.push(skipped(c)),
            ItemEx::Group { id, label, weight, members, .. } => {
                criteria.push(CriterionResult {
                    id: id.clone(),
                    label: label.clone(),
                    weight: weight.unwrap_or_else(|| members.iter().map(|m| m.weight).sum()),
                    earned: 0.0,
                    status: Status::Skipped,
                    reason: Some("a gate decided the score first".into()),
                    evidence: Vec::new(),
                });
                criteria.extend(members.iter().map(skipped));
            }
            ItemEx::Ladder { id, label, steps, .. } => {
                criteria.push(CriterionResult {
                    id: id.clone(),
                    label: label.clone(),
                    weight: steps.iter().fold(0.0, |a, (s, _)| a + s.weight),
                    earned: 0.0,
                    status: Status::Skipped,
                    reason: Some("a gate decided the score first".into()),
                    evidence: Vec::new(),
                });
                criteria.extend(steps.iter().map(|(s, _)| skipped(s)));
            }
            _ => {}
        }
    }
}

fn number_of(v: Value) -> Result<f64, String> {
    match v {
        Value::Number(n) => Ok(n),
        Value::Bool(b) => Ok(if b { 1.0 } else { 0.0 }),
        other => Err(not_a("number", &other)),
    }
}

/// "expected a T, found ..." with the reason of an error or the path of a missing value.
fn not_a(want: &str, v: &Value) -> String {
    match v {
        Value::Error(e) => e.message.clone(),
        Value::Missing(p) => format!("expected a {want}, but `{p}` has no value"),
        other => format!("expected a {want}, found {} {}", other.type_name(), other.short(60)),
    }
}

fn criterion(c: &CriterionEx, env: &mut Env) -> CriterionResult {
    for (slot, ex) in &c.lets {
        let v = eval(ex, env);
        env.slots[*slot] = v;
    }
    let mut result = CriterionResult {
        id: c.id.clone(),
        label: c.label.clone(),
        weight: c.weight,
        earned: c.weight,
        status: Status::Met,
        reason: None,
        evidence: Vec::new(),
    };
    let single = c.checks.len() == 1;
    let explaining = env.trace.is_some();
    if explaining {
        env.ctx.evidence = Some(Vec::new());
    }
    for check in &c.checks {
        match eval(&check.ex, env) {
            Value::Bool(true) => {}
            Value::Bool(false) => {
                result.earned = 0.0;
                result.status = Status::Unmet;
                result.reason = Some(check.false_reason.clone());
                break;
            }
            Value::Number(x) if single && (0.0..=1.0).contains(&x) => {
                result.earned = c.weight * x;
                result.status = if x > 0.0 { Status::Met } else { Status::Unmet };
                result.reason = Some(format!("`{}` is {x}", check.text).into());
            }
            Value::Number(x) if single => {
                result.earned = 0.0;
                result.status = Status::Error;
                result.reason = Some(format!("`{}` is {x}, outside 0..=1", check.text).into());
                break;
            }
            other => {
                result.earned = 0.0;
                result.status = Status::Error;
                result.reason = Some(
                    format!("`{}`: {}", check.text, not_a(if single { "bool or number" } else { "bool" }, &other))
                        .into(),
                );
                break;
            }
        }
    }
    if explaining {
        result.evidence = env.ctx.evidence.take().unwrap_or_default();
    }
    env.slots[c.slot] = Value::Number(result.earned);
    result
}

fn group(
    id: &Arc<str>,
    label: &Option<Arc<str>>,
    weight: Option<f64>,
    mode: &GroupModePlan,
    members: &[CriterionResult],
) -> CriterionResult {
    let met = members.iter().filter(|m| m.status == Status::Met).count();
    let earned_sum = members.iter().fold(0.0, |a, m| a + m.earned);
    let w = weight.unwrap_or_else(|| members.iter().fold(0.0, |a, m| a + m.weight));
    let (earned, reason) = match mode {
        GroupModePlan::Sum => (earned_sum, None),
        GroupModePlan::Normalized => {
            let max = members.iter().fold(0.0, |a, m| if m.weight > 0.0 { a + m.weight } else { a });
            let frac = if max > 0.0 { (earned_sum / max).clamp(0.0, 1.0) } else { 0.0 };
            (w * frac, Some(format!("earned {} of {}", round12(earned_sum), round12(max)).into()))
        }
        GroupModePlan::All => (
            if met == members.len() { w } else { 0.0 },
            Some(format!("{met} of {} met, all needed", members.len()).into()),
        ),
        GroupModePlan::Any => {
            (if met > 0 { w } else { 0.0 }, Some(format!("{met} of {} met, one needed", members.len()).into()))
        }
        GroupModePlan::AtLeast(k) => {
            (if met >= *k { w } else { 0.0 }, Some(format!("{met} of {} met, {k} needed", members.len()).into()))
        }
    };
    let status = if members.iter().any(|m| m.status == Status::Error) {
        Status::Error
    } else if earned > 0.0 || (earned == 0.0 && w == 0.0 && met == members.len()) {
        Status::Met
    } else {
        Status::Unmet
    };
    CriterionResult { id: id.clone(), label: label.clone(), weight: w, earned, status, reason, evidence: Vec::new() }
}

fn round12(x: f64) -> f64 {
    (x * 1e12).round() / 1e12
}

fn ladder(
    id: &Arc<str>,
    label: &Option<Arc<str>>,
    steps: &[(CriterionEx, CheckEx)],
    env: &mut Env,
) -> (CriterionResult, Vec<CriterionResult>) {
    let mut running = 0.0;
    let mut results = Vec::new();
    let mut stop: Option<(Status, String)> = None;
    for (step, check) in steps {
        if stop.is_some() {
            results.push(CriterionResult {
                id: step.id.clone(),
                label: step.label.clone(),
                weight: step.weight,
                earned: 0.0,
                status: Status::Skipped,
                reason: Some("an earlier step was not met".into()),
                evidence: Vec::new(),
            });
            continue;
        }
        let explaining = env.trace.is_some();
        if explaining {
            env.ctx.evidence = Some(Vec::new());
        }
        let value = eval(&check.ex, env);
        let evidence = if explaining { env.ctx.evidence.take().unwrap_or_default() } else { Vec::new() };
        let (status, reason) = match value {
            Value::Bool(true) => (Status::Met, None),
            Value::Bool(false) => (Status::Unmet, Some(check.false_reason.clone())),
            other => (Status::Error, Some(format!("`{}`: {}", check.text, not_a("bool", &other)).into())),
        };
        let earned = if status == Status::Met {
            running += step.weight;
            step.weight
        } else {
            stop = Some((status, format!("stopped at step `{}`: {}", step.id, reason.clone().unwrap_or_default())));
            0.0
        };
        results.push(CriterionResult {
            id: step.id.clone(),
            label: step.label.clone(),
            weight: step.weight,
            earned,
            status,
            reason,
            evidence,
        });
    }
    let weight = steps.iter().fold(0.0, |a, (s, _)| a + s.weight);
    let (status, reason) = match stop {
        None => (Status::Met, None),
        Some((Status::Error, r)) => (Status::Error, Some(r.into())),
        Some((_, r)) => (if running > 0.0 { Status::Met } else { Status::Unmet }, Some(r.into())),
    };
    (
        CriterionResult {
            id: id.clone(),
            label: label.clone(),
            weight,
            earned: running,
            status,
            reason,
            evidence: Vec::new(),
        },
        results,
    )
}

struct Lowerer<'a> {
    paths: &'a mut Vec<Arc<CompiledPath>>,
}

impl Lowerer<'_> {
    fn item(&mut self, item: &PlanItem) -> Result<ItemEx, String> {
        Ok(match item {
            PlanItem::Let { name, slot, value } => {
                ItemEx::Let { name: name.clone(), slot: *slot, value: self.expr(value)? }
            }
            PlanItem::Criterion(c) => ItemEx::Criterion(self.criterion(c)?),
            PlanItem::Group(g) => ItemEx::Group {
                id: g.id.as_str().into(),
                label: g.label.as_deref().map(Arc::from),
                weight: g.weight,
                mode: g.mode.clone(),
                slot: g.slot,
                lets: g.lets.iter().map(|(s, e)| Ok((*s, self.expr(e)?))).collect::<Result<_, String>>()?,
                members: g.members.iter().map(|m| self.criterion(m)).collect::<Result<_, String>>()?,
            },
            PlanItem::Ladder(l) => ItemEx::Ladder {
                id: l.id.as_str().into(),
                label: l.label.as_deref().map(Arc::from),
                slot: l.slot,
                steps: l
                    .steps
                    .iter()
                    .map(|s| {
                        let c = CriterionEx {
                            id: s.id.as_str().into(),
                            label: s.label.as_deref().map(Arc::from),
                            weight: s.weight,
                            slot: l.slot,
                            lets: Vec::new(),
                            checks: Vec::new(),
                        };
                        Ok((c, self.check(&s.check)?))
                    })
                    .collect::<Result<_, String>>()?,
            },
            PlanItem::Gate { condition, value, text, at } => ItemEx::Gate {
                condition: self.expr(condition)?,
                value: self.expr(value)?,
                text: text.clone(),
                at: at.clone(),
            },
            PlanItem::Score { value, .. } => ItemEx::Score { value: self.expr(value)? },
        })
    }

    fn check(&mut self, c: &Check) -> Result<CheckEx, String> {
        let false_reason = format!("`{}` is false", c.text).into();
        Ok(CheckEx { ex: self.expr(&c.node)?, text: c.text.clone(), false_reason })
    }

    fn criterion(&mut self, c: &CriterionPlan) -> Result<CriterionEx, String> {
        Ok(CriterionEx {
            id: c.id.as_str().into(),
            label: c.label.as_deref().map(Arc::from),
            weight: c.weight,
            slot: c.slot,
            lets: c.lets.iter().map(|(s, e)| Ok((*s, self.expr(e)?))).collect::<Result<_, String>>()?,
            checks: c.checks.iter().map(|k| self.check(k)).collect::<Result<_, String>>()?,
        })
    }

    fn expr(&mut self, n: &Node) -> Result<Ex, String> {
        let b = |s: &mut Self, n: &Node| s.expr(n).map(Box::new);
        Ok(match n {
            Node::Const(c) => Ex::Const(const_value(c)?),
            Node::List(xs) => {
                let items: Vec<Ex> = xs.iter().map(|x| self.expr(x)).collect::<Result<_, _>>()?;
                // A list of constants (`[33.33%, 20%]`, `["<plan>", "</plan>"]`) is built once, not per case.
                if items.iter().all(|x| matches!(x, Ex::Const(_))) {
                    Ex::Const(Value::list(
                        items.into_iter().map(|x| if let Ex::Const(v) = x { v } else { Value::Null }).collect(),
                    ))
                } else {
                    Ex::List(items)
                }
            }
            Node::Slot(s) => Ex::Slot(*s),
            Node::Total => Ex::Total,
            Node::Path { path, .. } => {
                let p = Arc::new(CompiledPath::new(path)?);
                self.paths.push(p.clone());
                Ex::Path(p)
            }
            Node::Member(x, name) => Ex::Member(b(self, x)?, Arc::from(name.as_str())),
            Node::Index(x, i) => Ex::Index(b(self, x)?, b(self, i)?),
            Node::Call { builtin, args } => {
                let f = builtins::lookup(builtin)
                    .ok_or_else(|| format!("the plan calls `{builtin}`, which this rubric version does not have"))?;
                if f.params.len() != args.len() {
                    return Err(format!(
                        "the plan calls `{builtin}` with {} arguments, but it takes {}",
                        args.len(),
                        f.params.len()
                    ));
                }
                if let (true, [Node::For { slot, source, filter, body }]) =
                    (builtin == "any" || builtin == "all", args.as_slice())
                {
                    Ex::Quantifier {
                        any: builtin == "any",
                        slot: *slot,
                        source: b(self, source)?,
                        filter: filter.as_ref().map(|f| b(self, f)).transpose()?,
                        body: b(self, body)?,
                    }
                } else {
                    let args: Vec<Ex> = args.iter().map(|a| self.expr(a)).collect::<Result<_, _>>()?;
                    let movable = movable_bindings(&args);
                    Ex::Call(f, args, movable)
                }
            }
            Node::Unary(op, x) => Ex::Unary(*op, b(self, x)?),
            Node::Binary(op, x, y) => Ex::Binary(*op, b(self, x)?, b(self, y)?),
            Node::Is { value, negated, ty } => Ex::Is(b(self, value)?, *negated, *ty),
            Node::If { condition, then, otherwise } => Ex::If(b(self, condition)?, b(self, then)?, b(self, otherwise)?),
            Node::For { slot, source, filter, body } => Ex::For {
                slot: *slot,
                source: b(self, source)?,
                filter: filter.as_ref().map(|f| b(self, f)).transpose()?,
                body: b(self, body)?,
            },
        })
    }
}

// ---- expression evaluation ----

fn eval(ex: &Ex, env: &mut Env) -> Value {
    if env.steps == 0 {
        return Value::error(format!("the case exceeded the work limit of {} steps", env.ctx.limits.steps));
    }
    env.steps -= 1;
    match ex {
        Ex::Const(v) => v.clone(),
        Ex::List(xs) => {
            let mut out = Vec::with_capacity(xs.len());
            for x in xs {
                let v = eval(x, env);
                if v.is_error() {
                    return v;
                }
                out.push(v);
            }
            Value::list(out)
        }
        Ex::Slot(s) => env.slots[*s].clone(),
        Ex::Total => Value::Number(env.total),
        Ex::Path(p) => {
            let v = p.eval(env.case);
            if let Some(t) = &mut env.trace
                && !t.iter().any(|e| e.what == p.display)
            {
                t.push(TraceEntry { what: p.display.clone(), value: v.clone(), evidence: Vec::new() });
            }
            v
        }
        // A binding is read in place rather than cloned: a clone and a drop of a shared list or
        // object each touch its reference count, which costs more than the lookup itself.
        Ex::Member(x, name) => match **x {
            Ex::Slot(s) if env.steps > 0 => {
                env.steps -= 1;
                member(&env.slots[s], name)
            }
            _ => member(&eval(x, env), name),
        },
        Ex::Index(x, i) => match (&**x, &**i) {
            // `reference[k]` with both read in place (a step each, as evaluating them would charge).
            (Ex::Slot(s), Ex::Slot(k)) if env.steps > 1 => {
                env.steps -= 2;
                index(&env.slots[*s], &env.slots[*k])
            }
            (Ex::Slot(s), _) if env.steps > 0 => {
                env.steps -= 1;
                let i = eval(i, env);
                index(&env.slots[*s], &i)
            }
            _ => {
                let base = eval(x, env);
                index(&base, &eval(i, env))
            }
        },
        Ex::Call(f, args, movable) => call(f, args, *movable, env),
        Ex::Quantifier { any, slot, source, filter, body } => {
            quantifier(*any, *slot, source, filter.as_deref(), body, env)
        }
        Ex::Unary(op, x) => unary(*op, eval(x, env)),
        Ex::Binary(op, a, b) => binary(*op, a, b, env),
        Ex::Is(x, negated, ty) => {
            let found = match **x {
                Ex::Slot(s) if env.steps > 0 => {
                    env.steps -= 1;
                    env.slots[s].ty()
                }
                _ => eval(x, env).ty(),
            };
            Value::Bool(found.intersects(ty.ty()) != *negated)
        }
        Ex::If(c, t, o) => match eval(c, env) {
            Value::Bool(true) => eval(t, env),
            Value::Bool(false) => eval(o, env),
            other => Value::error(format!("`if`: {}", not_a("bool", &other))),
        },
        Ex::For { slot, source, filter, body } => comprehension(*slot, source, filter.as_deref(), body, env),
    }
}

fn member(base: &Value, name: &str) -> Value {
    match base {
        Value::Object(o) => match o.get(name) {
            Some(v) => v.clone(),
            None => Value::Missing(format!("field `{name}`").into()),
        },
        Value::Missing(p) => Value::Missing(format!("{p}.{name}").into()),
        e @ Value::Error(_) => e.clone(),
        other => Value::Missing(format!("field `{name}` of a {}", other.type_name()).into()),
    }
}

fn index(base: &Value, i: &Value) -> Value {
    match (base, i) {
        (e @ Value::Error(_), _) => e.clone(),
        (_, e @ Value::Error(_)) => e.clone(),
        (Value::List(xs), &Value::Number(n)) => {
            if n.fract() != 0.0 {
                return Value::error(format!("list index {n} is not a whole number"));
            }
            let k = if n < 0.0 { xs.len() as f64 + n } else { n };
            if k < 0.0 || k >= xs.len() as f64 {
                Value::Missing(format!("index {n} of a list of {}", xs.len()).into())
            } else {
                xs[k as usize].clone()
            }
        }
        (Value::Object(o), Value::String(k)) => match o.get(k) {
            Some(v) => v.clone(),
            None => Value::Missing(format!("field `{k}`").into()),
        },
        (Value::Missing(p), i) => Value::Missing(format!("{p}[{}]", i.short(20)).into()),
        (b, i) => Value::Missing(format!("[{}] of a {}", i.short(20), b.type_name()).into()),
    }
}

/// The arguments of a call that are bindings no later argument reads (bit `i` for argument `i`):
/// [`call`] moves their values onto its stack and back instead of cloning them, which for a shared
/// list, object or long string saves two atomic operations on its count. (Arguments are evaluated
/// in order and a builtin sees only its arguments, so nothing else can read the binding meanwhile.)
fn movable_bindings(args: &[Ex]) -> u64 {
    let mut movable = 0;
    for (i, a) in args.iter().enumerate().take(64) {
        if let Ex::Slot(s) = a
            && !args[i + 1..].iter().any(|later| reads_slot(later, *s))
        {
            movable |= 1 << i;
        }
    }
    movable
}

/// Whether evaluating `ex` may read binding `slot` (conservatively: a loop that binds it counts).
fn reads_slot(ex: &Ex, slot: usize) -> bool {
    let reads = |e: &Ex| reads_slot(e, slot);
    match ex {
        Ex::Const(_) | Ex::Total | Ex::Path(_) => false,
        Ex::Slot(s) => *s == slot,
        Ex::List(xs) | Ex::Call(_, xs, _) => xs.iter().any(reads),
        Ex::Member(a, _) | Ex::Unary(_, a) | Ex::Is(a, _, _) => reads(a),
        Ex::Index(a, b) | Ex::Binary(_, a, b) => reads(a) || reads(b),
        Ex::If(a, b, c) => reads(a) || reads(b) || reads(c),
        Ex::For { slot: bound, source, filter, body } | Ex::Quantifier { slot: bound, source, filter, body, .. } => {
            *bound == slot || reads(source) || filter.as_deref().is_some_and(reads) || reads(body)
        }
    }
}

fn moves(movable: u64, arg: usize) -> bool {
    arg < 64 && movable >> arg & 1 == 1
}

fn call(f: &'static Builtin, args: &[Ex], movable: u64, env: &mut Env) -> Value {
    // Arguments go on the case's argument stack (nested calls push above them), so a call
    // allocates nothing.
    let base = env.args.len();
    // Puts the moved bindings among the first `pushed` arguments back, and drops the arguments.
    let restore = |env: &mut Env, pushed: usize| {
        for (i, a) in args.iter().enumerate().take(pushed) {
            if let (true, Ex::Slot(s)) = (moves(movable, i), a) {
                env.slots[*s] = std::mem::replace(&mut env.args[base + i], Value::Null);
            }
        }
        env.args.truncate(base);
    };
    for (i, (a, p)) in args.iter().zip(f.params).enumerate() {
        let (v, moved_from) = match a {
            // A step, as evaluating the binding would charge (at the limit, `eval` reports it).
            Ex::Slot(s) if moves(movable, i) && env.steps > 0 => {
                env.steps -= 1;
                (std::mem::replace(&mut env.slots[*s], Value::Null), Some(*s))
            }
            _ => (eval(a, env), None),
        };
        if v.is_error() && !p.ty.contains(Ty::ERROR) {
            if let Some(s) = moved_from {
                env.slots[s] = v.clone();
            }
            restore(env, i);
            return v;
        }
        if !p.ty.intersects(v.ty()) {
            let found = match &v {
                Value::Missing(path) => format!("nothing (`{path}` has no value)"),
                other => format!("{} {}", other.type_name(), other.short(40)),
            };
            if let Some(s) = moved_from {
                env.slots[s] = v;
            }
            restore(env, i);
            return Value::error(format!(
                "`{}`: argument `{}` must be a {}, found {found}",
                f.name,
                p.name,
                p.ty.describe()
            ));
        }
        env.args.push(v);
    }
    let result = (f.eval)(&env.args[base..], env.ctx);
    restore(env, args.len());
    result
}

fn iterate_source(source: &Ex, env: &mut Env) -> Result<crate::value::Shared<[Value]>, Value> {
    match eval(source, env) {
        Value::List(xs) => {
            if xs.len() > env.ctx.limits.list_len {
                return Err(Value::error(format!(
                    "a list of {} elements exceeds the limit of {}",
                    xs.len(),
                    env.ctx.limits.list_len
                )));
            }
            Ok(xs)
        }
        e @ Value::Error(_) => Err(e),
        other => Err(Value::error(format!("`for`: {}", not_a("list", &other)))),
    }
}

/// Binds each element of a comprehension's source in turn and calls `step` for the ones that pass
/// the `where` filter; `step` returns `Some(value)` to stop early with that value.
fn each_element(
    slot: usize,
    source: &Ex,
    filter: Option<&Ex>,
    env: &mut Env,
    mut step: impl FnMut(&mut Env) -> Option<Value>,
) -> Option<Value> {
    let xs = match iterate_source(source, env) {
        Ok(xs) => xs,
        Err(e) => return Some(e),
    };
    for x in xs.iter() {
        env.slots[slot] = x.clone();
        if let Some(f) = filter {
            match eval(f, env) {
                Value::Bool(true) => {}
                Value::Bool(false) => continue,
                other => return Some(Value::error(format!("`where`: {}", not_a("bool", &other)))),
            }
        }
        if let Some(done) = step(env) {
            return Some(done);
        }
    }
    None
}

fn comprehension(slot: usize, source: &Ex, filter: Option<&Ex>, body: &Ex, env: &mut Env) -> Value {
    let mut out = Vec::new();
    let stopped = each_element(slot, source, filter, env, |env| {
        let v = eval(body, env);
        if v.is_error() {
            return Some(v);
        }
        out.push(v);
        None
    });
    stopped.unwrap_or_else(|| Value::list(out))
}

fn quantifier(any: bool, slot: usize, source: &Ex, filter: Option<&Ex>, body: &Ex, env: &mut Env) -> Value {
    let name = if any { "any" } else { "all" };
    let stopped = each_element(slot, source, filter, env, |env| match eval(body, env) {
        Value::Bool(b) if b == any => Some(Value::Bool(any)),
        Value::Bool(_) => None,
        other => Some(Value::error(format!("`{name}`: {}", not_a("bool", &other)))),
    });
    stopped.unwrap_or(Value::Bool(!any))
}

fn unary(op: UnOp, v: Value) -> Value {
    match (op, v) {
        (_, e @ Value::Error(_)) => e,
        (UnOp::Not, Value::Bool(b)) => Value::Bool(!b),
        (UnOp::Neg, Value::Number(n)) => Value::Number(-n),
        (UnOp::Neg, Value::Figure(f)) => Value::Number(-f.value),
        (UnOp::Not, other) => Value::error(format!("`not`: {}", not_a("bool", &other))),
        (UnOp::Neg, other) => Value::error(format!("`-`: {}", not_a("number", &other))),
    }
}

fn truth(v: Value, op: &str) -> Result<bool, Value> {
    match v {
        Value::Bool(b) => Ok(b),
        e @ Value::Error(_) => Err(e),
        other => Err(Value::error(format!("`{op}`: {}", not_a("bool", &other)))),
    }
}

fn numeric(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => Some(*n),
        Value::Figure(f) => Some(f.value),
        _ => None,
    }
}

fn binary(op: BinOp, a: &Ex, b: &Ex, env: &mut Env) -> Value {
    match op {
        BinOp::And | BinOp::Or => {
            let sym = op.symbol();
            let left = match truth(eval(a, env), sym) {
                Ok(x) => x,
                Err(e) => return e,
            };
            if left == (op == BinOp::Or) {
                return Value::Bool(left);
            }
            match truth(eval(b, env), sym) {
                Ok(x) => Value::Bool(x),
                Err(e) => e,
            }
        }
        // Like JavaScript's nullish coalescing, plus errors: `x ?? d` is `d` when `x` is missing,
        // null or an error.
        BinOp::Coalesce => match eval(a, env) {
            Value::Missing(_) | Value::Null | Value::Error(_) => eval(b, env),
            v => v,
        },
        _ => {
            let x = eval(a, env);
            let y = eval(b, env);
            strict_binary(op, x, y)
        }
    }
}

fn strict_binary(op: BinOp, x: Value, y: Value) -> Value {
    if let Value::Error(_) = x {
        return x;
    }
    if let Value::Error(_) = y {
        return y;
    }
    let sym = op.symbol();
    match op {
        // Equality never fails: missing equals nothing (a model that gave no answer is not a data error).
        BinOp::Eq => Value::Bool(x.json_eq(&y)),
        BinOp::Ne => Value::Bool(!x.json_eq(&y)),
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            let ord = match (&x, &y) {
                (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
                _ => match (numeric(&x), numeric(&y)) {
                    (Some(a), Some(b)) => a.partial_cmp(&b),
                    _ => {
                        let bad = if numeric(&x).is_none() && x.as_str().is_none() { &x } else { &y };
                        return Value::error(format!("`{sym}`: {}", not_a("number", bad)));
                    }
                },
            };
            let Some(ord) = ord else { return Value::Bool(false) };
            Value::Bool(match op {
                BinOp::Lt => ord.is_lt(),
                BinOp::Le => ord.is_le(),
                BinOp::Gt => ord.is_gt(),
                _ => ord.is_ge(),
            })
        }
        BinOp::In | BinOp::NotIn => {
            let found = match (&x, &y) {
                (_, Value::List(xs)) => xs.iter().any(|e| e.json_eq(&x)),
                (Value::String(s), Value::String(t)) => t.contains(&**s),
                (Value::String(k), Value::Object(o)) => o.contains_key(k),
                (_, Value::Missing(_)) => return Value::error(format!("`{sym}`: {}", not_a("list", &y))),
                _ => {
                    return Value::error(format!("`{sym}` cannot look for a {} in a {}", x.type_name(), y.type_name()));
                }
            };
            Value::Bool(found == (op == BinOp::In))
        }
        BinOp::Add => match (&x, &y) {
            (Value::String(a), Value::String(b)) => Value::str(&format!("{a}{b}")),
            (Value::List(a), Value::List(b)) => Value::list(a.iter().chain(b.iter()).cloned().collect()),
            _ => arithmetic(op, &x, &y),
        },
        _ => arithmetic(op, &x, &y),
    }
}

fn arithmetic(op: BinOp, x: &Value, y: &Value) -> Value {
    let sym = op.symbol();
    let (Some(a), Some(b)) = (numeric(x), numeric(y)) else {
        let bad = if numeric(x).is_none() { x } else { y };
        return Value::error(format!("`{sym}`: {}", not_a("number", bad)));
    };
    match op {
        BinOp::Add => Value::Number(a + b),
        BinOp::Sub => Value::Number(a - b),
        BinOp::Mul => Value::Number(a * b),
        _ if b == 0.0 => Value::error("division by zero"),
        _ => Value::Number(a / b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::SourceFile;

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
