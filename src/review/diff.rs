//! A semantic diff of two scoring plans, keyed by criterion id, and the effect of the change on a
//! set of cases (mean reward, the cases that moved most, criteria that flipped, new errors).
//!
//! Expressions are compared in a canonical rendering with every slot replaced by the name it stands
//! for, so renumbered slots or reformatted source do not count as changes, while any change of
//! meaning does.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, BufRead};

use serde::Serialize;
use serde_json::{Value as Json, json};

use crate::builtins::Ctx;
use crate::eval::{Program, Status};
use crate::plan::{Const, CriterionPlan, FunctionRef, GroupModePlan, Node, Plan, PlanItem};
use crate::review::bounds::{Attainable, max_attainable};
use crate::run::grade_line;
use crate::syntax::ast::UnOp;

/// One difference between two plans.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// `criterion`, `group`, `member` (of a group), `ladder`, `step`, `gate`, `score`, `binding`,
    /// `setting` or `rubric`.
    pub kind: String,
    /// The criterion id, binding or setting name, or the gate's condition.
    pub id: String,
    /// `added`, `removed`, `weight`, `label`, `body`, `mode`, `moved`, `value`, `condition`,
    /// `changed` or `order`.
    pub change: String,
    pub old: Json,
    pub new: Json,
}

/// Everything that differs between two plans.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlanDiff {
    /// The plans mean the same: identical modulo source locations, source file name and compiler
    /// version.
    pub same: bool,
    pub changes: Vec<Change>,
    /// The highest score each plan can give, old and new.
    pub max_attainable: (Attainable, Attainable),
}

/// A plan with what does not affect meaning blanked: locations, source name, compiler version.
fn normalized(plan: &Plan) -> Plan {
    let mut p = plan.clone();
    p.source.clear();
    p.compiler.clear();
    p.functions.iter_mut().for_each(|f| f.at.clear());
    let blank = |c: &mut CriterionPlan| c.at.clear();
    for item in &mut p.items {
        match item {
            PlanItem::Criterion(c) => blank(c),
            PlanItem::Group(g) => {
                g.at.clear();
                g.members.iter_mut().for_each(blank);
            }
            PlanItem::Ladder(l) => {
                l.at.clear();
                l.steps.iter_mut().for_each(|s| s.at.clear());
            }
            PlanItem::Gate { at, .. } | PlanItem::Score { at, .. } => at.clear(),
            PlanItem::Let { .. } => {}
        }
    }
    p
}

/// Whether two plans mean the same (identical modulo `at`, source file name and compiler version).
pub fn same_meaning(old: &Plan, new: &Plan) -> bool {
    normalized(old) == normalized(new)
}

/// Names for slots: bindings by name, criteria by id, local bindings by owner and position.
fn slot_names(plan: &Plan) -> HashMap<usize, String> {
    let mut names = HashMap::new();
    let criterion = |names: &mut HashMap<usize, String>, c: &CriterionPlan| {
        names.insert(c.slot, c.id.clone());
        for (i, (s, _)) in c.lets.iter().enumerate() {
            names.insert(*s, format!("{}.let{i}", c.id));
        }
    };
    for (i, f) in plan.functions.iter().enumerate() {
        names.insert(function_key(i), f.name.clone());
        for p in &f.params {
            names.insert(p.slot, p.name.clone());
        }
    }
    for item in &plan.items {
        match item {
            PlanItem::Let { name, slot, .. } => {
                names.insert(*slot, name.clone());
            }
            PlanItem::Criterion(c) => criterion(&mut names, c),
            PlanItem::Group(g) => {
                names.insert(g.slot, g.id.clone());
                for (i, (s, _)) in g.lets.iter().enumerate() {
                    names.insert(*s, format!("{}.let{i}", g.id));
                }
                g.members.iter().for_each(|m| criterion(&mut names, m));
            }
            PlanItem::Ladder(l) => {
                names.insert(l.slot, l.id.clone());
            }
            _ => {}
        }
    }
    names
}

/// Where [`slot_names`] keeps the name of function `index` (slots count up from 0, these down).
fn function_key(index: usize) -> usize {
    usize::MAX - index
}

/// Renders a node as source-like text with slots named; equal renderings mean equal expressions.
pub fn render(node: &Node, names: &mut HashMap<usize, String>) -> String {
    let mut depth = 0;
    let s = render_in(node, names, &mut depth);
    outer_parens_removed(&s).to_string()
}

/// `(a + b)` -> `a + b`, but not `(a) + (b)`.
fn outer_parens_removed(s: &str) -> &str {
    let Some(inner) = s.strip_prefix('(').and_then(|x| x.strip_suffix(')')) else {
        return s;
    };
    let mut depth = 0i32;
    let mut in_string = false;
    let mut escaped = false;
    for c in inner.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return s;
                }
            }
            _ => {}
        }
    }
    if depth == 0 { inner } else { s }
}

fn render_in(node: &Node, names: &mut HashMap<usize, String>, depth: &mut usize) -> String {
    let mut r = |n: &Node, names: &mut HashMap<usize, String>| render_in(n, names, depth);
    match node {
        Node::Const(c) => match c {
            Const::Null => "null".into(),
            Const::Bool(b) => b.to_string(),
            Const::Number(n) => format!("{n}"),
            Const::Integer(digits) => digits.clone(),
            Const::String(s) => serde_json::to_string(s).unwrap_or_default(),
            Const::Figure(f) => f.text.clone(),
            Const::Regex { source, flags } => format!("/{source}/{flags}"),
        },
        Node::List(xs) => format!("[{}]", xs.iter().map(|x| r(x, names)).collect::<Vec<_>>().join(", ")),
        Node::Object(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}: {}", serde_json::to_string(k).unwrap_or_default(), r(v, names)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Node::CallFunction { function, args } => {
            let name = names.get(&function_key(*function)).cloned().unwrap_or_else(|| format!("fn{function}"));
            format!("{name}({})", args.iter().map(|a| r(a, names)).collect::<Vec<_>>().join(", "))
        }
        Node::Function(FunctionRef::Builtin(name)) => name.clone(),
        Node::Function(FunctionRef::Defined(index)) => {
            names.get(&function_key(*index)).cloned().unwrap_or_else(|| format!("fn{index}"))
        }
        Node::Slot(s) => names.get(s).cloned().unwrap_or_else(|| format!("slot{s}")),
        Node::Total => "total".into(),
        Node::Path { path, .. } => path.strip_prefix("$.").unwrap_or(path).to_string(),
        Node::Member(x, name) => format!("{}.{name}", r(x, names)),
        Node::Index(x, i) => format!("{}[{}]", r(x, names), r(i, names)),
        Node::Call { builtin, args } => {
            format!("{builtin}({})", args.iter().map(|a| r(a, names)).collect::<Vec<_>>().join(", "))
        }
        Node::Unary(UnOp::Not, x) => format!("(not {})", r(x, names)),
        Node::Unary(UnOp::Neg, x) => format!("(-{})", r(x, names)),
        Node::Binary(op, a, b) => format!("({} {} {})", r(a, names), op.symbol(), r(b, names)),
        Node::Is { value, negated, ty } => {
            let ty = serde_json::to_value(ty).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            format!("({} is {}{ty})", r(value, names), if *negated { "not " } else { "" })
        }
        Node::If { condition, then, otherwise } => {
            format!("(if {} then {} else {})", r(condition, names), r(then, names), r(otherwise, names))
        }
        Node::For { slot, source, filter, body } => {
            let src = r(source, names);
            let previous = names.insert(*slot, format!("v{depth}"));
            *depth += 1;
            let var = format!("v{}", *depth - 1);
            let filter = filter.as_ref().map(|f| format!(" where {}", render_in(f, names, depth))).unwrap_or_default();
            let body = render_in(body, names, depth);
            *depth -= 1;
            match previous {
                Some(p) => names.insert(*slot, p),
                None => names.remove(slot),
            };
            format!("[for {var} in {src}{filter}: {body}]")
        }
    }
}

/// A scored thing of a plan (criterion, group, member, ladder, step) in comparable form.
#[derive(Clone, Debug, PartialEq)]
struct Entity {
    id: String,
    /// `criterion`, `group`, `ladder`, `member` or `step`.
    kind: &'static str,
    /// The group or ladder it belongs to.
    parent: Option<String>,
    weight: Option<f64>,
    label: Option<String>,
    mode: Option<String>,
    /// Canonical body (local bindings and checks).
    body: String,
    /// The body as written, for people.
    text: String,
}

impl Entity {
    fn place(&self) -> String {
        match &self.parent {
            Some(p) => format!("{} of `{p}`", self.kind),
            None => self.kind.to_string(),
        }
    }
}

fn mode_name(m: &GroupModePlan) -> String {
    match m {
        GroupModePlan::Sum => "sum".into(),
        GroupModePlan::Normalized => "normalized".into(),
        GroupModePlan::All => "all".into(),
        GroupModePlan::Any => "any".into(),
        GroupModePlan::AtLeast(k) => format!("at_least {k}"),
    }
}

fn criterion_entity(
    c: &CriterionPlan,
    kind: &'static str,
    parent: Option<&str>,
    names: &mut HashMap<usize, String>,
) -> Entity {
    let mut body: Vec<String> = c
        .lets
        .iter()
        .map(|(s, n)| format!("let {} = {}", names.get(s).cloned().unwrap_or_default(), render(n, names)))
        .collect();
    body.extend(c.checks.iter().map(|k| render(&k.node, names)));
    Entity {
        id: c.id.clone(),
        kind,
        parent: parent.map(str::to_string),
        weight: Some(c.weight),
        label: c.label.clone(),
        mode: None,
        body: body.join(" and "),
        text: c.checks.iter().map(|k| k.text.as_str()).collect::<Vec<_>>().join(" and "),
    }
}

struct Parts {
    entities: Vec<Entity>,
    /// (condition text, canonical condition, canonical value)
    gates: Vec<(String, String, String)>,
    score: Option<String>,
    bindings: Vec<(String, String)>,
    /// Item keys in source order, for order changes.
    order: Vec<String>,
}

fn parts(plan: &Plan) -> Parts {
    let mut names = slot_names(plan);
    let mut p = Parts { entities: Vec::new(), gates: Vec::new(), score: None, bindings: Vec::new(), order: Vec::new() };
    for item in &plan.items {
        match item {
            PlanItem::Let { name, value, .. } => {
                p.bindings.push((name.clone(), render(value, &mut names)));
                p.order.push(format!("let {name}"));
            }
            PlanItem::Criterion(c) => {
                p.entities.push(criterion_entity(c, "criterion", None, &mut names));
                p.order.push(c.id.clone());
            }
            PlanItem::Group(g) => {
                let lets: Vec<String> = g
                    .lets
                    .iter()
                    .map(|(s, n)| {
                        format!("let {} = {}", names.get(s).cloned().unwrap_or_default(), render(n, &mut names))
                    })
                    .collect();
                p.entities.push(Entity {
                    id: g.id.clone(),
                    kind: "group",
                    parent: None,
                    weight: g.weight,
                    label: g.label.clone(),
                    mode: Some(mode_name(&g.mode)),
                    body: lets.join("; "),
                    text: lets.join("; "),
                });
                p.order.push(g.id.clone());
                for m in &g.members {
                    p.entities.push(criterion_entity(m, "member", Some(&g.id), &mut names));
                    p.order.push(format!("{}/{}", g.id, m.id));
                }
            }
            PlanItem::Ladder(l) => {
                p.entities.push(Entity {
                    id: l.id.clone(),
                    kind: "ladder",
                    parent: None,
                    weight: None,
                    label: l.label.clone(),
                    mode: None,
                    body: String::new(),
                    text: String::new(),
                });
                p.order.push(l.id.clone());
                for s in &l.steps {
                    p.entities.push(Entity {
                        id: s.id.clone(),
                        kind: "step",
                        parent: Some(l.id.clone()),
                        weight: Some(s.weight),
                        label: s.label.clone(),
                        mode: None,
                        body: render(&s.check.node, &mut names),
                        text: s.check.text.clone(),
                    });
                    p.order.push(format!("{}/{}", l.id, s.id));
                }
            }
            PlanItem::Gate { condition, value, text, .. } => {
                p.gates.push((text.clone(), render(condition, &mut names), render(value, &mut names)));
                p.order.push(format!("when {text}"));
            }
            PlanItem::Score { value, .. } => {
                p.score = Some(render(value, &mut names));
                p.order.push("score".into());
            }
        }
    }
    p
}

fn change(kind: &str, id: &str, what: &str, old: Json, new: Json) -> Change {
    Change { kind: kind.into(), id: id.into(), change: what.into(), old, new }
}

fn opt_json<T: Serialize>(x: &Option<T>) -> Json {
    x.as_ref().map(|v| json!(v)).unwrap_or(Json::Null)
}

/// The semantic diff of two plans.
pub fn diff_plans(old: &Plan, new: &Plan) -> PlanDiff {
    let (a, b) = (parts(old), parts(new));
    let mut changes = Vec::new();
    if old.rubric != new.rubric {
        changes.push(change("rubric", "name", "changed", json!(old.rubric), json!(new.rubric)));
    }
    if old.description != new.description {
        changes.push(change(
            "rubric",
            "description",
            "changed",
            opt_json(&old.description),
            opt_json(&new.description),
        ));
    }
    if old.on_error != new.on_error {
        changes.push(change("setting", "on_error", "changed", json!(old.on_error), json!(new.on_error)));
    }
    if old.max != new.max {
        changes.push(change("setting", "max", "changed", opt_json(&old.max), opt_json(&new.max)));
    }

    // Functions by name.
    let function_texts = |plan: &Plan| -> Vec<(String, String)> {
        let mut names = slot_names(plan);
        plan.functions
            .iter()
            .map(|f| {
                let params: Vec<&str> = f.params.iter().map(|p| p.name.as_str()).collect();
                (f.name.clone(), format!("({}) = {}", params.join(", "), render(&f.body, &mut names)))
            })
            .collect()
    };
    let (old_functions, new_functions) = (function_texts(old), function_texts(new));
    for (name, text) in &new_functions {
        match old_functions.iter().find(|(n, _)| n == name) {
            None => changes.push(change("function", name, "added", Json::Null, json!(text))),
            Some((_, o)) if o != text => changes.push(change("function", name, "changed", json!(o), json!(text))),
            _ => {}
        }
    }
    for (name, text) in &old_functions {
        if !new_functions.iter().any(|(n, _)| n == name) {
            changes.push(change("function", name, "removed", json!(text), Json::Null));
        }
    }

    // Bindings by name.
    let old_bindings: BTreeMap<&str, &str> = a.bindings.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let new_bindings: BTreeMap<&str, &str> = b.bindings.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    for (name, v) in &b.bindings {
        match old_bindings.get(name.as_str()) {
            None => changes.push(change("binding", name, "added", Json::Null, json!(v))),
            Some(o) if o != v => changes.push(change("binding", name, "changed", json!(o), json!(v))),
            _ => {}
        }
    }
    for (name, v) in &a.bindings {
        if !new_bindings.contains_key(name.as_str()) {
            changes.push(change("binding", name, "removed", json!(v), Json::Null));
        }
    }

    // Criteria, groups, members, ladders, steps by id.
    let old_by_id: HashMap<&str, &Entity> = a.entities.iter().map(|e| (e.id.as_str(), e)).collect();
    let new_by_id: HashMap<&str, &Entity> = b.entities.iter().map(|e| (e.id.as_str(), e)).collect();
    for n in &b.entities {
        let Some(o) = old_by_id.get(n.id.as_str()) else {
            changes.push(change(n.kind, &n.id, "added", Json::Null, opt_json(&n.weight)));
            continue;
        };
        if o.kind != n.kind || o.parent != n.parent {
            changes.push(change(n.kind, &n.id, "moved", json!(o.place()), json!(n.place())));
        }
        if o.weight != n.weight {
            changes.push(change(n.kind, &n.id, "weight", opt_json(&o.weight), opt_json(&n.weight)));
        }
        if o.label != n.label {
            changes.push(change(n.kind, &n.id, "label", opt_json(&o.label), opt_json(&n.label)));
        }
        if o.mode != n.mode {
            changes.push(change(n.kind, &n.id, "mode", opt_json(&o.mode), opt_json(&n.mode)));
        }
        if o.body != n.body {
            let (ot, nt) = if o.text == n.text { (&o.body, &n.body) } else { (&o.text, &n.text) };
            changes.push(change(n.kind, &n.id, "body", json!(ot), json!(nt)));
        } else if o.text != n.text {
            // Same meaning, but the source text shown in reasons differs.
            changes.push(change(n.kind, &n.id, "text", json!(o.text), json!(n.text)));
        }
    }
    for o in &a.entities {
        if !new_by_id.contains_key(o.id.as_str()) {
            changes.push(change(o.kind, &o.id, "removed", opt_json(&o.weight), Json::Null));
        }
    }

    changes.extend(diff_gates(&a.gates, &b.gates));

    match (&a.score, &b.score) {
        (Some(o), Some(n)) if o != n => changes.push(change("score", "score", "changed", json!(o), json!(n))),
        (None, Some(n)) => changes.push(change("score", "score", "changed", json!("total"), json!(n))),
        (Some(o), None) => changes.push(change("score", "score", "changed", json!(o), json!("total"))),
        _ => {}
    }

    // Order of what both have (sums run in source order, ladders stop at the first unmet step).
    let common = |x: &[String], y: &[String]| x.iter().filter(|k| y.contains(k)).cloned().collect::<Vec<_>>();
    let (oa, ob) = (common(&a.order, &b.order), common(&b.order, &a.order));
    if oa != ob {
        changes.push(change("rubric", "items", "order", json!(oa.join(", ")), json!(ob.join(", "))));
    }

    let same = same_meaning(old, new);
    if !same && changes.is_empty() {
        changes.push(change("rubric", "plan", "changed", Json::Null, Json::Null));
    }
    PlanDiff { same, changes, max_attainable: (max_attainable(old), max_attainable(new)) }
}

/// Gates have no ids: an unchanged gate matches by condition and value, a gate whose value changed
/// by its condition, and the rest pair up in order (condition changed) or are added / removed.
type Gate = (String, String, String);

fn take<'g>(left: &mut [Option<&'g Gate>], pred: &dyn Fn(&Gate) -> bool) -> Option<&'g Gate> {
    let i = left.iter().position(|g| g.is_some_and(pred))?;
    left[i].take()
}

fn diff_gates(old: &[Gate], new: &[Gate]) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut old_left: Vec<Option<&(String, String, String)>> = old.iter().map(Some).collect();
    let mut new_left: Vec<Option<&(String, String, String)>> = new.iter().map(Some).collect();
    for slot in new_left.iter_mut() {
        let n = slot.expect("not yet taken");
        if take(&mut old_left, &|o| o.1 == n.1 && o.2 == n.2).is_some() {
            *slot = None;
        }
    }
    for slot in new_left.iter_mut() {
        let Some(n) = *slot else { continue };
        if let Some(o) = take(&mut old_left, &|o| o.1 == n.1) {
            changes.push(change("gate", &format!("when {}", n.0), "value", json!(o.2), json!(n.2)));
            *slot = None;
        }
    }
    let position = |g: &Gate| new.iter().position(|x| std::ptr::eq(x, g)).map_or(0, |i| i + 1);
    let mut rest_old = old_left.into_iter().flatten();
    for n in new_left.into_iter().flatten() {
        match rest_old.next() {
            Some(o) => changes.push(change(
                "gate",
                &format!("#{}", position(n)),
                "condition",
                json!(format!("when {} => {}", o.0, o.2)),
                json!(format!("when {} => {}", n.0, n.2)),
            )),
            None => changes.push(change("gate", &format!("when {}", n.0), "added", Json::Null, json!(n.2))),
        }
    }
    for o in rest_old {
        changes.push(change("gate", &format!("when {}", o.0), "removed", json!(o.2), Json::Null));
    }
    changes
}

/// A case whose score moved.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Moved {
    pub id: String,
    pub old: f64,
    pub new: f64,
    pub delta: f64,
}

/// How often a criterion flipped between met and unmet.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Flips {
    pub id: String,
    pub met_to_unmet: usize,
    pub unmet_to_met: usize,
}

/// A case that grades with an error under the new plan but not under the old.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NewError {
    pub id: String,
    pub error: String,
}

/// The effect of a change on a set of cases.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CaseComparison {
    pub cases: usize,
    pub mean_old: f64,
    pub mean_new: f64,
    pub delta: f64,
    /// Up to [`MOST_MOVED`] cases, largest |delta| first (ties in input order); unmoved cases omitted.
    pub moved: Vec<Moved>,
    /// Criteria with at least one flip, in the new plan's order.
    pub flips: Vec<Flips>,
    pub new_errors: Vec<NewError>,
}

pub const MOST_MOVED: usize = 10;

fn error_of(g: &crate::run::Graded) -> Option<String> {
    match &g.outcome {
        Some(o) => o.error.clone(),
        None => serde_json::from_str::<Json>(&g.json)
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_string))
            .or(Some("not a case".into())),
    }
}

/// Grades every line of `input` with both programs and compares.
pub fn compare_cases(old: &Program, new: &Program, input: &mut dyn BufRead) -> io::Result<CaseComparison> {
    let mut ctx = Ctx::default();
    let (mut sum_old, mut sum_new, mut n) = (0.0, 0.0, 0usize);
    let mut moved = Vec::new();
    let mut flips: HashMap<String, (usize, usize)> = HashMap::new();
    let mut new_errors = Vec::new();
    let mut line_no = 0;
    loop {
        let mut line = Vec::new();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        line_no += 1;
        let go = grade_line(old, &line, line_no, &mut ctx);
        let gn = grade_line(new, &line, line_no, &mut ctx);
        let id = match &gn.id {
            Json::String(s) => s.clone(),
            Json::Null => format!("line {line_no}"),
            other => other.to_string(),
        };
        n += 1;
        sum_old += go.score;
        sum_new += gn.score;
        if go.score != gn.score {
            moved.push(Moved { id: id.clone(), old: go.score, new: gn.score, delta: gn.score - go.score });
        }
        if let (Some(a), Some(b)) = (&go.outcome, &gn.outcome) {
            let before: HashMap<&str, Status> = a.criteria.iter().map(|c| (&*c.id, c.status)).collect();
            for c in &b.criteria {
                match (before.get(&*c.id), c.status) {
                    (Some(Status::Met), Status::Unmet) => flips.entry(c.id.to_string()).or_default().0 += 1,
                    (Some(Status::Unmet), Status::Met) => flips.entry(c.id.to_string()).or_default().1 += 1,
                    _ => {}
                }
            }
        }
        if let (None, Some(e)) = (error_of(&go), error_of(&gn)) {
            new_errors.push(NewError { id, error: e });
        }
    }
    // Stable: ties keep input order.
    moved.sort_by(|x, y| y.delta.abs().total_cmp(&x.delta.abs()));
    moved.truncate(MOST_MOVED);
    let order = crate::review::examples::plan_ids(&new.plan);
    let mut flips: Vec<Flips> =
        flips.into_iter().map(|(id, (m, u))| Flips { id, met_to_unmet: m, unmet_to_met: u }).collect();
    flips.sort_by_key(|f| (order.iter().position(|o| *o == f.id).unwrap_or(usize::MAX), f.id.clone()));
    let mean = |s: f64| if n == 0 { 0.0 } else { s / n as f64 };
    Ok(CaseComparison {
        cases: n,
        mean_old: mean(sum_old),
        mean_new: mean(sum_new),
        delta: mean(sum_new) - mean(sum_old),
        moved,
        flips,
        new_errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check;
    use crate::diagnostic::SourceFile;

    fn plan(src: &str) -> Plan {
        let c = check::compile(&SourceFile::new("t.rubric", src.to_string()));
        c.plan.unwrap_or_else(|| panic!("{:?}", c.diagnostics))
    }

    #[test]
    fn only_enclosing_parens_are_removed() {
        assert_eq!(outer_parens_removed("(a + b)"), "a + b");
        assert_eq!(outer_parens_removed("(a) + (b)"), "(a) + (b)");
        assert_eq!(outer_parens_removed("(a + \")\")"), "a + \")\"");
    }

    #[test]
    fn reformatting_and_moving_lines_is_not_a_change() {
        let a = plan("rubric r \"d\" {\n  let x = sample.a\n  criterion c +1 \"l\" { x == 1 }\n}\n");
        let b = plan("rubric r \"d\" {\n\n\n  let x = sample.a\n  criterion c +1 \"l\" {\n    x   ==   1\n  }\n}\n");
        let d = diff_plans(&a, &b);
        assert!(d.changes.iter().all(|c| c.change != "body"), "{d:?}");
    }

    #[test]
    fn a_changed_function_body_is_a_function_change() {
        let a = plan("rubric r \"d\" {\n  fn f(x) = x + 1\n  score f(sample.a)\n}\n");
        let b = plan("rubric r \"d\" {\n  fn f(x) = x + 2\n  score f(sample.a)\n}\n");
        let d = diff_plans(&a, &b);
        let found: Vec<(&str, &str, &Json)> =
            d.changes.iter().map(|c| (c.kind.as_str(), c.change.as_str(), &c.new)).collect();
        assert_eq!(found, [("function", "changed", &json!("(x) = x + 2"))]);
    }

    #[test]
    fn renumbered_slots_are_not_a_body_change() {
        let a = plan("rubric r \"d\" {\n  let x = sample.a\n  criterion c +1 \"l\" { x == 1 }\n}\n");
        let b = plan("rubric r \"d\" {\n  let _y = 2\n  let x = sample.a\n  criterion c +1 \"l\" { x == 1 }\n}\n");
        let d = diff_plans(&a, &b);
        assert!(!d.same);
        assert_eq!(d.changes.len(), 1, "{d:?}");
        assert_eq!((d.changes[0].kind.as_str(), d.changes[0].change.as_str()), ("binding", "added"));
    }

    #[test]
    fn weight_gate_and_score_changes() {
        let a = plan("rubric r \"d\" {\n  criterion c +1 \"l\" { sample.a == 1 }\n  when sample.b == 1 => 0\n}\n");
        let b = plan(
            "rubric r \"d\" {\n  criterion c +2 \"l\" { sample.a == 1 }\n  when sample.b == 2 => 0\n  score total / 2\n}\n",
        );
        let d = diff_plans(&a, &b);
        let kinds: Vec<(&str, &str)> = d.changes.iter().map(|c| (c.kind.as_str(), c.change.as_str())).collect();
        assert_eq!(kinds, [("criterion", "weight"), ("gate", "condition"), ("score", "changed")]);
        assert_eq!(d.max_attainable, (Attainable::AtMost(1.0), Attainable::AtMost(1.0)));
    }
}
