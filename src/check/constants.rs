//! Warnings that need a value known before any case is read: a criterion that can never be met, a
//! gate that always fires (everything after it is unreachable) or never fires.

use std::collections::HashMap;

use super::{CandidateKind, ConstantCandidate};
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::Program;
use crate::plan::{Node, Plan, PlanItem};
use crate::value::Value;

pub(crate) fn warnings(plan: &Plan, candidates: &[ConstantCandidate]) -> Vec<Diagnostic> {
    let lets = constant_lets(plan);
    let mut out = Vec::new();
    for c in candidates {
        let Some(value) = Program::eval_constant(&substitute(&c.node, &lets)) else { continue };
        match (&c.what, value) {
            (CandidateKind::CriterionCheck { id } | CandidateKind::StepCheck { id }, Value::Bool(false)) => out.push(
                Diagnostic::warning(Code::NeverMet, format!("`{id}` can never be met"), c.span, "always false")
                    .with_help("this does not depend on the case; did you mean to read `sample` or `item`?"),
            ),
            (CandidateKind::CriterionCheck { id } | CandidateKind::StepCheck { id }, Value::Number(n)) if n <= 0.0 => {
                out.push(
                    Diagnostic::warning(
                        Code::NeverMet,
                        format!("`{id}` can never be met"),
                        c.span,
                        format!("always {n}"),
                    )
                    .with_help("this does not depend on the case; did you mean to read `sample` or `item`?"),
                )
            }
            (CandidateKind::GateCondition { index }, Value::Bool(true)) => {
                let mut d = Diagnostic::warning(Code::Unreachable, "this gate always fires", c.span, "always true")
                    .with_help(
                        "everything after it never runs; remove the gate or make its condition depend on the case",
                    );
                if let Some(after) = items_after_gate(plan, *index) {
                    d = d.with_help(format!(
                        "{after} after it never run; remove the gate or make its condition depend on the case"
                    ));
                }
                out.push(d);
            }
            (CandidateKind::GateCondition { .. }, Value::Bool(false)) => out.push(
                Diagnostic::warning(Code::NeverMet, "this gate never fires", c.span, "always false")
                    .with_help("remove it, or make its condition depend on the case"),
            ),
            _ => {}
        }
    }
    out
}

/// The bindings whose value is known before any case is read (`let limit = 100`), by slot, as
/// constant nodes, so that `limit < 50` is seen to be constant too.
fn constant_lets(plan: &Plan) -> HashMap<usize, Node> {
    let mut known = HashMap::new();
    let visit = |slot: usize, value: &Node, known: &mut HashMap<usize, Node>| {
        // Objects have no constant node; errors and missing values are not worth folding.
        let value = Program::eval_constant(&substitute(value, known));
        if let Some(v) = value.filter(|v| !matches!(v, Value::Object(_) | Value::Error(_) | Value::Missing(_))) {
            known.insert(slot, super::const_node(&v));
        }
    };
    for item in &plan.items {
        match item {
            PlanItem::Let { slot, value, .. } => visit(*slot, value, &mut known),
            PlanItem::Criterion(c) => c.lets.iter().for_each(|(slot, value)| visit(*slot, value, &mut known)),
            PlanItem::Group(g) => {
                g.lets.iter().for_each(|(slot, value)| visit(*slot, value, &mut known));
                for c in &g.members {
                    c.lets.iter().for_each(|(slot, value)| visit(*slot, value, &mut known));
                }
            }
            _ => {}
        }
    }
    known
}

/// `node` with the known bindings replaced by their values.
fn substitute(node: &Node, known: &HashMap<usize, Node>) -> Node {
    let sub = |n: &Node| Box::new(substitute(n, known));
    match node {
        Node::Slot(s) => known.get(s).cloned().unwrap_or(Node::Slot(*s)),
        Node::Const(_) | Node::Total | Node::Path { .. } => node.clone(),
        Node::List(xs) => Node::List(xs.iter().map(|x| substitute(x, known)).collect()),
        Node::Object(entries) => Node::Object(entries.iter().map(|(k, v)| (k.clone(), substitute(v, known))).collect()),
        Node::CallFunction { function, args } => {
            Node::CallFunction { function: *function, args: args.iter().map(|x| substitute(x, known)).collect() }
        }
        Node::Function(_) => node.clone(),
        Node::Member(a, f) => Node::Member(sub(a), f.clone()),
        Node::Index(a, b) => Node::Index(sub(a), sub(b)),
        Node::Call { builtin, args } => {
            Node::Call { builtin: builtin.clone(), args: args.iter().map(|x| substitute(x, known)).collect() }
        }
        Node::Unary(op, a) => Node::Unary(*op, sub(a)),
        Node::Binary(op, a, b) => Node::Binary(*op, sub(a), sub(b)),
        Node::Is { value, negated, ty } => Node::Is { value: sub(value), negated: *negated, ty: *ty },
        Node::If { condition, then, otherwise } => {
            Node::If { condition: sub(condition), then: sub(then), otherwise: sub(otherwise) }
        }
        Node::For { slot, source, filter, body } => {
            Node::For { slot: *slot, source: sub(source), filter: filter.as_ref().map(|f| sub(f)), body: sub(body) }
        }
    }
}

/// "criteria `a`, `b`" for the items after the `index`-th gate.
fn items_after_gate(plan: &Plan, index: usize) -> Option<String> {
    use crate::plan::PlanItem;
    let mut gates = 0;
    let mut after = Vec::new();
    let mut seen = false;
    for item in &plan.items {
        match item {
            PlanItem::Gate { .. } => {
                if gates == index {
                    seen = true;
                }
                gates += 1;
            }
            PlanItem::Criterion(c) if seen => after.push(format!("`{}`", c.id)),
            PlanItem::Group(g) if seen => after.push(format!("`{}`", g.id)),
            PlanItem::Ladder(l) if seen => after.push(format!("`{}`", l.id)),
            _ => {}
        }
    }
    if after.is_empty() { None } else { Some(format!("criteria {}", after.join(", "))) }
}
