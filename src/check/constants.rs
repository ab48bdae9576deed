//! Warnings that need a value known before any case is read: a criterion that can never be met, a
//! gate that always fires (everything after it is unreachable) or never fires.

use super::{CandidateKind, ConstantCandidate};
use crate::diagnostic::Diagnostic;
use crate::eval::Program;
use crate::plan::Plan;
use crate::value::Value;

pub(crate) fn warnings(plan: &Plan, candidates: &[ConstantCandidate]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for c in candidates {
        let Some(value) = Program::eval_constant(&c.node) else { continue };
        match (&c.what, value) {
            (CandidateKind::CriterionCheck { id } | CandidateKind::StepCheck { id }, Value::Bool(false)) => out.push(
                Diagnostic::warning("rubric::never_met", format!("`{id}` can never be met"), c.span, "always false")
                    .with_help("this does not depend on the case; did you mean to read `sample` or `item`?"),
            ),
            (CandidateKind::CriterionCheck { id } | CandidateKind::StepCheck { id }, Value::Number(n)) if n <= 0.0 => out.push(
                Diagnostic::warning("rubric::never_met", format!("`{id}` can never be met"), c.span, format!("always {n}"))
                    .with_help("this does not depend on the case; did you mean to read `sample` or `item`?"),
            ),
            (CandidateKind::GateCondition { index }, Value::Bool(true)) => {
                let mut d = Diagnostic::warning("rubric::unreachable", "this gate always fires", c.span, "always true")
                    .with_help("everything after it never runs; remove the gate or make its condition depend on the case");
                if let Some(after) = items_after_gate(plan, *index) {
                    d = d.with_help(format!("{after} after it never run; remove the gate or make its condition depend on the case"));
                }
                out.push(d);
            }
            (CandidateKind::GateCondition { .. }, Value::Bool(false)) => out.push(
                Diagnostic::warning("rubric::never_met", "this gate never fires", c.span, "always false")
                    .with_help("remove it, or make its condition depend on the case"),
            ),
            _ => {}
        }
    }
    out
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
