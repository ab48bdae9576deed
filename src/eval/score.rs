//! The scoring rules: what a criterion, a group (in each mode) and a ladder earn, and what a gate
//! skips.

use std::sync::Arc;

use super::interpret::{eval, not_a};
use super::lower::{CheckEx, CriterionEx, ItemEx};
use super::{CriterionResult, Env, Status};
use crate::plan::GroupModePlan;
use crate::value::Value;

pub(super) fn skip_rest(items: &[ItemEx], criteria: &mut Vec<CriterionResult>) {
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

pub(super) fn criterion(c: &CriterionEx, env: &mut Env) -> CriterionResult {
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
                // (a penalty that earns nothing earns 0, not -0)
                result.earned = positive_zero(c.weight * x);
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

pub(super) fn group(
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
            (positive_zero(w * frac), Some(format!("earned {} of {}", round12(earned_sum), round12(max)).into()))
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

/// `x`, with -0 made 0: results never report a negative zero (`"earned": -0.0`).
pub(super) fn positive_zero(x: f64) -> f64 {
    if x == 0.0 { 0.0 } else { x }
}

pub(super) fn round12(x: f64) -> f64 {
    (x * 1e12).round() / 1e12
}

pub(super) fn ladder(
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
