//! Step two: the checker. Resolves names (with did-you-mean), infers coarse types, checks builtin
//! calls (arity, named arguments, argument types, literal arguments such as regexes and patterns),
//! validates JSONPaths, regexes and figures, and lowers the rubric to a [`Plan`]. All problems of a
//! file are reported, not only the first.

#[cfg(test)]
mod catalogue;
mod constants;

use std::collections::HashMap;

use crate::builtins;
use crate::diagnostic::{Code, Diagnostic, SourceFile};
use crate::plan::{
    self, Check, Const, CriterionPlan, FunctionParamPlan, FunctionPlan, FunctionRef, GroupModePlan, GroupPlan,
    LadderPlan, Node, Plan, PlanItem, StepPlan,
};
use crate::syntax::{self, ast::*};
use crate::value::figure::Figure;
use crate::value::{Ty, Value};

use crate::diagnostic::did_you_mean;
use crate::pattern::compile_regex;

/// The outcome of compiling one source: the plan when there are no errors, and every diagnostic.
#[derive(Debug)]
pub struct Compiled {
    pub plan: Option<Plan>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Stack for compiling: the passes recurse over the (bounded) depth of the AST.
const COMPILE_STACK: usize = 256 << 20;

/// Parses, checks and lowers a rubric source.
pub fn compile(file: &SourceFile) -> Compiled {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(COMPILE_STACK)
            .spawn_scoped(scope, || compile_here(file))
            .map(|handle| handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .unwrap_or_else(|_| compile_here(file))
    })
}

fn compile_here(file: &SourceFile) -> Compiled {
    let ast = match syntax::parse(&file.text) {
        Ok(ast) => ast,
        Err(diagnostics) => return Compiled { plan: None, diagnostics },
    };
    let mut checker = Checker::new(file);
    let mut plan = checker.rubric(&ast);
    plan.format = plan.needed_format().to_string();
    let mut diagnostics = checker.diagnostics;
    if !diagnostics.iter().any(Diagnostic::is_error) {
        diagnostics.extend(constants::warnings(&plan, &checker.constant_candidates));
    }
    diagnostics.sort_by_key(|d| (d.primary_span().start, d.severity == crate::diagnostic::Severity::Warning));
    let plan = if diagnostics.iter().any(Diagnostic::is_error) { None } else { Some(plan) };
    Compiled { plan, diagnostics }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum BindingKind {
    Let,
    Criterion,
    Variable,
}

#[derive(Debug)]
struct Binding {
    name: String,
    span: Span,
    slot: usize,
    ty: Ty,
    kind: BindingKind,
    used: bool,
}

/// An author-defined function seen so far.
#[derive(Debug)]
struct FunctionInfo {
    name: String,
    span: Span,
    params: Vec<(String, Option<TypeName>)>,
    returns: Ty,
    used: bool,
}

impl FunctionInfo {
    /// `name(a, b: string)` for help texts.
    fn signature(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|(n, t)| match t {
                Some(t) => format!("{n}: {}", t.name()),
                None => n.clone(),
            })
            .collect();
        format!("signature: {}({})", self.name, params.join(", "))
    }
}

/// Something whose value might be known before any case is read (a criterion check or a gate
/// condition); the constant pass evaluates those that are.
#[derive(Debug)]
pub(crate) struct ConstantCandidate {
    pub node: Node,
    pub span: Span,
    pub what: CandidateKind,
}

#[derive(Clone, Debug)]
pub(crate) enum CandidateKind {
    CriterionCheck { id: String },
    StepCheck { id: String },
    GateCondition { index: usize },
}

struct Checker<'a> {
    file: &'a SourceFile,
    diagnostics: Vec<Diagnostic>,
    scopes: Vec<Vec<Binding>>,
    /// Every name the rubric defines at the top level, with its span (to say "defined later").
    definitions: HashMap<String, Span>,
    /// Every id used so far (criteria, groups, ladders, steps), for duplicate detection.
    ids: HashMap<String, Span>,
    next_slot: usize,
    constant_candidates: Vec<ConstantCandidate>,
    /// Names used above their definition (already reported; not also "never used").
    used_early: Vec<String>,
    /// The slots of bindings that hold the model's text as it is (`let text = sample.output_text`).
    model_text_slots: Vec<usize>,
    /// The author-defined functions checked so far, in source order (their plan indices).
    functions: Vec<FunctionInfo>,
    /// The function whose body is being checked (a call of it is recursion).
    current_function: Option<String>,
}

const NUMERIC: Ty = Ty::NUMBER.or(Ty::FIGURE);

impl<'a> Checker<'a> {
    fn new(file: &'a SourceFile) -> Self {
        Checker {
            file,
            diagnostics: Vec::new(),
            scopes: vec![Vec::new()],
            definitions: HashMap::new(),
            ids: HashMap::new(),
            next_slot: 0,
            constant_candidates: Vec::new(),
            used_early: Vec::new(),
            model_text_slots: Vec::new(),
            functions: Vec::new(),
            current_function: None,
        }
    }

    fn at(&self, span: Span) -> String {
        self.file.location(span.start)
    }

    fn src(&self, span: Span) -> String {
        self.file.text.get(span.start..span.end).unwrap_or("").to_string()
    }

    fn error(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    fn slot(&mut self) -> usize {
        self.next_slot += 1;
        self.next_slot - 1
    }

    // ---- items ----

    fn rubric(&mut self, r: &Rubric) -> Plan {
        self.collect_definitions(r);
        let mut plan = Plan {
            format: plan::FORMAT.to_string(),
            compiler: env!("CARGO_PKG_VERSION").to_string(),
            rubric: r.name.name.clone(),
            description: r.description.as_ref().map(|d| d.value.clone()),
            source: self.file.name.clone(),
            on_error: 0.0,
            max: None,
            slots: 0,
            functions: Vec::new(),
            items: Vec::new(),
        };
        let mut settings: HashMap<String, Span> = HashMap::new();
        let mut score_seen: Option<Span> = None;
        let mut gates = 0;
        for item in &r.items {
            if let Some(score_span) = score_seen.filter(|_| !matches!(item, Item::Score(_))) {
                let sp = item_span(item);
                self.error(
                    Diagnostic::error(
                        Code::ScoreNotLast,
                        "`score` must be the last item of a rubric",
                        sp,
                        "this comes after `score`",
                    )
                    .with_label(score_span, "the score is here")
                    .with_help("move `score` to the end; everything after it would never count"),
                );
            }
            match item {
                Item::Setting(s) => {
                    if let Some(prev) = settings.insert(s.name.name.clone(), s.name.span.to(s.value.span)) {
                        self.error(
                            Diagnostic::error(
                                Code::DuplicateSetting,
                                format!("`{}` is set twice", s.name.name),
                                s.name.span,
                                "set again here",
                            )
                            .with_label(prev, "first set here")
                            .with_help("keep one of them; a later value would silently win"),
                        );
                    }
                    let value = match number_literal(&s.value) {
                        Some(v) => v,
                        None => {
                            self.error(
                                Diagnostic::error(
                                    Code::BadSetting,
                                    format!("`{}` takes a number", s.name.name),
                                    s.value.span,
                                    "not a number literal",
                                )
                                .with_help(format!("write e.g. `{} 0`", s.name.name)),
                            );
                            0.0
                        }
                    };
                    match s.name.name.as_str() {
                        "on_error" => plan.on_error = value,
                        _ => plan.max = Some(value),
                    }
                }
                Item::Let(l) => {
                    let (slot, value) = self.let_binding(l);
                    plan.items.push(PlanItem::Let { name: l.name.name.clone(), slot, value });
                }
                Item::Function(f) => {
                    let fp = self.function(f);
                    plan.functions.push(fp);
                }
                Item::Criterion(c) => {
                    let cp = self.criterion(c);
                    plan.items.push(PlanItem::Criterion(cp));
                }
                Item::Group(g) => {
                    let gp = self.group(g);
                    plan.items.push(PlanItem::Group(gp));
                }
                Item::Ladder(l) => {
                    let lp = self.ladder(l);
                    plan.items.push(PlanItem::Ladder(lp));
                }
                Item::Gate(g) => {
                    let (condition, cty) = self.expr(&g.condition);
                    self.expect(cty, Ty::BOOL, g.condition.span, "a gate condition");
                    let (value, vty) = self.expr(&g.value);
                    self.expect(vty, Ty::NUMBER, g.value.span, "a gate value");
                    self.constant_candidates.push(ConstantCandidate {
                        node: condition.clone(),
                        span: g.condition.span,
                        what: CandidateKind::GateCondition { index: gates },
                    });
                    gates += 1;
                    let text = self.src(g.condition.span);
                    plan.items.push(PlanItem::Gate { condition, value, text, at: self.at(g.span) });
                }
                Item::Score(e) => {
                    if let Some(prev) = score_seen {
                        self.error(
                            Diagnostic::error(Code::DuplicateScore, "a rubric has one `score`", e.span, "second score")
                                .with_label(prev, "first score")
                                .with_help("combine them into one expression, or turn the first into a `let`"),
                        );
                    }
                    score_seen = Some(e.span);
                    let (value, ty) = self.expr(e);
                    self.expect(ty, Ty::NUMBER, e.span, "the score");
                    plan.items.push(PlanItem::Score { value, at: self.at(e.span) });
                }
            }
        }
        self.max_reachable(r, &plan, settings.get("max").copied(), score_seen.is_some());
        self.report_unused(0);
        let unused: Vec<(String, Span)> = self
            .functions
            .iter()
            .filter(|f| !f.used && !f.name.starts_with('_'))
            .map(|f| (f.name.clone(), f.span))
            .collect();
        for (name, span) in unused {
            self.error(
                Diagnostic::warning(
                    Code::UnusedBinding,
                    format!("function `{name}` is never called"),
                    span,
                    "defined here",
                )
                .with_help(format!("call it, delete it, or rename it `_{name}` to keep it")),
            );
        }
        plan.slots = self.next_slot;
        plan
    }

    fn collect_definitions(&mut self, r: &Rubric) {
        for item in &r.items {
            match item {
                Item::Let(l) => {
                    self.definitions.entry(l.name.name.clone()).or_insert(l.name.span);
                }
                Item::Function(f) => {
                    self.definitions.entry(f.name.name.clone()).or_insert(f.name.span);
                }
                Item::Criterion(c) => {
                    self.definitions.entry(c.id.name.clone()).or_insert(c.id.span);
                }
                Item::Group(g) => {
                    self.definitions.entry(g.id.name.clone()).or_insert(g.id.span);
                    for m in &g.members {
                        if let GroupMember::Criterion(c) = m {
                            self.definitions.entry(c.id.name.clone()).or_insert(c.id.span);
                        }
                    }
                }
                Item::Ladder(l) => {
                    self.definitions.entry(l.id.name.clone()).or_insert(l.id.span);
                }
                _ => {}
            }
        }
    }

    fn claim_id(&mut self, id: &Ident, what: &str) {
        if let Some(prev) = self.ids.get(&id.name).copied() {
            self.error(
                Diagnostic::error(
                    Code::DuplicateId,
                    format!("the id `{}` is used twice", id.name),
                    id.span,
                    format!("this {what} reuses it"),
                )
                .with_label(prev, "first used here")
                .with_help("ids name results in the trace and in `rubric diff`; give each its own"),
            );
        } else {
            self.ids.insert(id.name.clone(), id.span);
        }
    }

    fn define(&mut self, name: &Ident, slot: usize, ty: Ty, kind: BindingKind) {
        let scope = self.scopes.last_mut().expect("a scope");
        if let Some(prev) = scope.iter().find(|b| b.name == name.name) {
            let prev = prev.span;
            if kind == BindingKind::Let {
                self.error(
                    Diagnostic::error(
                        Code::DuplicateName,
                        format!("`{}` is already defined", name.name),
                        name.span,
                        "defined again here",
                    )
                    .with_label(prev, "first defined here")
                    .with_help("choose another name; bindings cannot be redefined"),
                );
            }
        }
        let scope = self.scopes.last_mut().expect("a scope");
        scope.push(Binding { name: name.name.clone(), span: name.span, slot, ty, kind, used: false });
    }

    fn function(&mut self, f: &Function) -> FunctionPlan {
        let name = &f.name.name;
        let clash = if builtins::lookup(name).is_some() {
            Some((None, format!("`{name}` is a builtin")))
        } else if let Some(prev) = self.functions.iter().find(|g| &g.name == name) {
            Some((Some(prev.span), format!("the function `{name}` is already defined")))
        } else {
            self.scopes[0]
                .iter()
                .find(|b| &b.name == name)
                .map(|b| (Some(b.span), format!("`{name}` is already defined")))
        };
        if let Some((prev, message)) = clash {
            let mut d = Diagnostic::error(Code::DuplicateName, message, f.name.span, "defined again here")
                .with_help("choose another name; a name means one thing in a rubric");
            if let Some(prev) = prev {
                d = d.with_label(prev, "first defined here");
            }
            self.error(d);
        }
        self.scopes.push(Vec::new());
        let mut params = Vec::new();
        for p in &f.params {
            if let Some(prev) = f.params.iter().find(|q| q.name.name == p.name.name && q.name.span != p.name.span)
                && prev.name.span.start < p.name.span.start
            {
                self.error(
                    Diagnostic::error(
                        Code::DuplicateName,
                        format!("parameter `{}` is given twice", p.name.name),
                        p.name.span,
                        "named again here",
                    )
                    .with_label(prev.name.span, "first named here")
                    .with_help("give each parameter its own name"),
                );
            }
            let slot = self.slot();
            let ty = p.ty.map_or(Ty::ALL, TypeName::ty);
            self.define(&p.name, slot, ty, BindingKind::Variable);
            params.push(FunctionParamPlan { name: p.name.name.clone(), slot, ty: p.ty });
        }
        self.current_function = Some(name.clone());
        let (body, returns) = self.expr(&f.body);
        self.current_function = None;
        let unused: Vec<(String, Span)> = self
            .scopes
            .last()
            .map(|s| {
                s.iter().filter(|b| !b.used && !b.name.starts_with('_')).map(|b| (b.name.clone(), b.span)).collect()
            })
            .unwrap_or_default();
        self.scopes.pop();
        for (param, span) in unused {
            self.error(
                Diagnostic::warning(
                    Code::UnusedBinding,
                    format!("parameter `{param}` is never used"),
                    span,
                    "defined here",
                )
                .with_help(format!("rename it `_{param}` if that is intended")),
            );
        }
        self.functions.push(FunctionInfo {
            name: name.clone(),
            span: f.name.span,
            params: f.params.iter().map(|p| (p.name.name.clone(), p.ty)).collect(),
            returns,
            used: false,
        });
        FunctionPlan { name: name.clone(), params, body, at: self.at(f.span) }
    }

    fn let_binding(&mut self, l: &Let) -> (usize, Node) {
        if let Some(f) = self.functions.iter().find(|f| f.name == l.name.name) {
            let d = Diagnostic::error(
                Code::DuplicateName,
                format!("`{}` is already defined as a function", l.name.name),
                l.name.span,
                "defined again here",
            )
            .with_label(f.span, "first defined here")
            .with_help("choose another name; a name means one thing in a rubric");
            self.error(d);
        }
        let (value, ty) = self.expr(&l.value);
        let slot = self.slot();
        self.define(&l.name, slot, ty, BindingKind::Let);
        if self.is_model_text(&value) {
            self.model_text_slots.push(slot);
        }
        (slot, value)
    }

    fn criterion(&mut self, c: &Criterion) -> CriterionPlan {
        self.claim_id(&c.id, "criterion");
        if c.weight.value == 0.0 {
            self.error(
                Diagnostic::warning(
                    Code::ZeroWeight,
                    format!("criterion `{}` has weight 0 and can never change the score", c.id.name),
                    c.weight.span,
                    "weight 0",
                )
                .with_help("give it a weight, or delete it"),
            );
        }
        self.scopes.push(Vec::new());
        let lets: Vec<(usize, Node)> = c.lets.iter().map(|l| self.let_binding(l)).collect();
        let mut parts = Vec::new();
        conjuncts(&c.body, &mut parts);
        let mut checks = Vec::new();
        let what = if parts.len() > 1 { "each `and` part of a criterion body" } else { "a criterion body" };
        for part in parts {
            let (node, ty) = self.expr(part);
            self.expect(ty, Ty::BOOL.or(Ty::NUMBER), part.span, what);
            self.constant_candidates.push(ConstantCandidate {
                node: node.clone(),
                span: part.span,
                what: CandidateKind::CriterionCheck { id: c.id.name.clone() },
            });
            checks.push(Check { node, text: self.src(part.span) });
        }
        self.report_unused(self.scopes.len() - 1);
        self.scopes.pop();
        let slot = self.slot();
        self.define(&c.id, slot, Ty::NUMBER, BindingKind::Criterion);
        CriterionPlan {
            id: c.id.name.clone(),
            label: c.label.as_ref().map(|l| l.value.clone()),
            weight: c.weight.value,
            slot,
            lets,
            checks,
            at: self.at(c.span),
        }
    }

    fn group(&mut self, g: &Group) -> GroupPlan {
        self.claim_id(&g.id, "group");
        let mut lets = Vec::new();
        let mut members = Vec::new();
        for m in &g.members {
            match m {
                GroupMember::Let(l) => lets.push(self.let_binding(l)),
                GroupMember::Criterion(c) => members.push(self.criterion(c)),
            }
        }
        if members.is_empty() {
            self.error(
                Diagnostic::warning(
                    Code::EmptyGroup,
                    format!("group `{}` has no criteria", g.id.name),
                    g.id.span,
                    "empty",
                )
                .with_help("add criteria to it, or delete it"),
            );
        }
        let mode = match (&g.mode, &g.weight) {
            (GroupMode::Sum, None) => GroupModePlan::Sum,
            (GroupMode::Sum, Some(_)) => GroupModePlan::Normalized,
            (GroupMode::All, _) => GroupModePlan::All,
            (GroupMode::Any, _) => GroupModePlan::Any,
            (GroupMode::AtLeast(k), _) => {
                if *k > members.len() {
                    self.error(
                        Diagnostic::warning(
                            Code::NeverMet,
                            format!("group `{}` needs {k} met criteria but has only {}", g.id.name, members.len()),
                            g.id.span,
                            "can never be met",
                        )
                        .with_help(format!("lower `at_least` to at most {}, or add criteria", members.len())),
                    );
                }
                GroupModePlan::AtLeast(*k)
            }
        };
        if g.weight.is_none() && !matches!(g.mode, GroupMode::Sum) {
            self.error(
                Diagnostic::error(
                    Code::MissingWeight,
                    format!("group `{}` needs a weight for this mode", g.id.name),
                    g.id.span,
                    "no weight",
                )
                .with_help("write e.g. `group style +0.2 \"Style\" all { ... }`"),
            );
        }
        let slot = self.slot();
        self.define(&g.id, slot, Ty::NUMBER, BindingKind::Criterion);
        GroupPlan {
            id: g.id.name.clone(),
            label: g.label.as_ref().map(|l| l.value.clone()),
            weight: g.weight.as_ref().map(|w| w.value),
            mode,
            slot,
            lets,
            members,
            at: self.at(g.span),
        }
    }

    fn ladder(&mut self, l: &Ladder) -> LadderPlan {
        self.claim_id(&l.id, "ladder");
        let mut steps = Vec::new();
        for s in &l.steps {
            self.claim_id(&s.id, "step");
            let (node, ty) = self.expr(&s.body);
            self.expect(ty, Ty::BOOL, s.body.span, "a ladder step");
            self.constant_candidates.push(ConstantCandidate {
                node: node.clone(),
                span: s.body.span,
                what: CandidateKind::StepCheck { id: s.id.name.clone() },
            });
            steps.push(StepPlan {
                id: s.id.name.clone(),
                label: s.label.as_ref().map(|t| t.value.clone()),
                weight: s.weight.value,
                check: Check { node, text: self.src(s.body.span) },
                at: self.at(s.span),
            });
        }
        let slot = self.slot();
        self.define(&l.id, slot, Ty::NUMBER, BindingKind::Criterion);
        LadderPlan {
            id: l.id.name.clone(),
            label: l.label.as_ref().map(|t| t.value.clone()),
            slot,
            steps,
            at: self.at(l.span),
        }
    }

    fn max_reachable(&mut self, r: &Rubric, plan: &Plan, max_span: Option<Span>, has_score: bool) {
        let (Some(max), Some(span)) = (plan.max, max_span) else { return };
        if has_score {
            return;
        }
        let reachable = plan.max_attainable();
        if reachable + 1e-9 < max {
            self.error(
                Diagnostic::warning(
                    Code::MaxUnreachable,
                    format!("the criteria can earn at most {} but the declared maximum is {max}", round9(reachable)),
                    span,
                    "declared here",
                )
                .with_label(r.name.span, "in this rubric")
                .with_help("raise some weights, add criteria, or lower `max`"),
            );
        } else if reachable > max + 1e-9 {
            self.error(
                Diagnostic::warning(
                    Code::MaxExceeded,
                    format!("the criteria can earn up to {} but the declared maximum is {max}", round9(reachable)),
                    span,
                    "declared here",
                )
                .with_label(r.name.span, "in this rubric")
                .with_help(format!(
                    "lower some weights, raise `max`, or cap the score: `score clamp(total, 0, {max})`"
                )),
            );
        }
    }

    fn report_unused(&mut self, scope: usize) {
        let unused: Vec<(String, Span)> = self.scopes[scope]
            .iter()
            .filter(|b| {
                b.kind == BindingKind::Let && !b.used && !b.name.starts_with('_') && !self.used_early.contains(&b.name)
            })
            .map(|b| (b.name.clone(), b.span))
            .collect();
        for (name, span) in unused {
            self.error(
                Diagnostic::warning(Code::UnusedBinding, format!("`{name}` is never used"), span, "defined here")
                    .with_help(format!("use it, delete it, or rename it `_{name}` to keep it")),
            );
        }
    }

    // ---- expressions ----

    fn expect(&mut self, got: Ty, want: Ty, span: Span, what: &str) {
        let got_data = Ty(got.0 & !(Ty::MISSING.0 | Ty::ERROR.0));
        if !got_data.is_empty() && !got_data.intersects(want) {
            let help = if want == Ty::BOOL && got_data.intersects(NUMERIC) {
                "compare the number to get a bool, e.g. `len(x) > 0`".to_string()
            } else if want.intersects(Ty::BOOL) && got_data.intersects(Ty::STRING) {
                "test the string to get a bool, e.g. `contains(text, \"...\")` or `text == \"yes\"`".to_string()
            } else if want.intersects(NUMERIC) && got_data.intersects(Ty::STRING) {
                "convert it with `number(...)`".to_string()
            } else if want == Ty::STRING {
                "convert it with `string(...)`".to_string()
            } else {
                format!("give it {} here", article(&want.describe()))
            };
            self.error(
                Diagnostic::error(
                    Code::TypeMismatch,
                    format!("{what} must be {}, found {}", article(&want.describe()), got_data.describe()),
                    span,
                    format!("this is {}", article(&got_data.describe())),
                )
                .with_help(help),
            );
        }
    }

    fn lookup(&mut self, name: &str) -> Option<(usize, Ty)> {
        for scope in self.scopes.iter_mut().rev() {
            if let Some(b) = scope.iter_mut().rev().find(|b| b.name == name) {
                b.used = true;
                return Some((b.slot, b.ty));
            }
        }
        None
    }

    fn visible_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.scopes.iter().flatten().map(|b| b.name.clone()).collect();
        names.push("total".into());
        names
    }

    fn unknown_name(&mut self, name: &str, span: Span) {
        if let Some(def) = self.definitions.get(name).copied()
            && def.start > span.start
        {
            self.used_early.push(name.to_string());
            self.error(
                Diagnostic::error(
                    Code::UsedBeforeDefined,
                    format!("`{name}` is used before it is defined"),
                    span,
                    "used here",
                )
                .with_label(def, "defined here")
                .with_help("items run in order: move the definition above its first use"),
            );
            return;
        }
        let names = self.visible_names();
        let roots = ["sample", "item", "case"];
        let mut d = Diagnostic::error(Code::UnknownName, format!("unknown name `{name}`"), span, "not defined");
        if let Some(s) = did_you_mean(name, names.iter().map(String::as_str).chain(roots)) {
            d = d.with_help(format!("did you mean `{s}`?"));
        } else if builtins::lookup(name).is_some() {
            d = d.with_help(format!("`{name}` is a function: call it as `{name}(...)`"));
        } else {
            d = d.with_help("define it with `let`, or read data with a path rooted at `sample`, `item` or `case`");
        }
        self.error(d);
    }

    fn expr(&mut self, e: &Expr) -> (Node, Ty) {
        match &e.kind {
            ExprKind::Null => (Node::Const(Const::Null), Ty::NULL),
            ExprKind::Bool(b) => (Node::Const(Const::Bool(*b)), Ty::BOOL),
            ExprKind::Number(n) => {
                // An integer literal beyond 2^53 stays exact, as Python keeps its ints.
                let literal = match crate::value::bigint::BigInt::parse(&self.src(e.span)) {
                    Some(Value::BigInt(exact)) => Const::Integer(exact.as_str().to_string()),
                    _ => Const::Number(*n),
                };
                (Node::Const(literal), Ty::NUMBER)
            }
            ExprKind::Str(s) => (Node::Const(Const::String(s.clone())), Ty::STRING),
            ExprKind::Regex { source, flags } => {
                if let Some((at, flag)) = flags.char_indices().find(|(_, f)| !REGEX_FLAGS.contains(*f)) {
                    let start = e.span.end - flags.len() + at;
                    self.error(
                        Diagnostic::error(
                            Code::BadRegex,
                            format!("unknown regex flag `{flag}`"),
                            Span::new(start, start + flag.len_utf8()),
                            "not a flag",
                        )
                        .with_help(REGEX_FLAGS_HELP),
                    );
                } else if let Err(msg) = compile_regex(source, flags) {
                    self.error(Diagnostic::error(Code::BadRegex, "invalid regular expression", e.span, msg).with_help(
                        "rubric regexes use Rust `regex` syntax (linear time: no backreferences or look-around)",
                    ));
                }
                (Node::Const(Const::Regex { source: source.clone(), flags: flags.clone() }), Ty::REGEX)
            }
            ExprKind::Figure(text) => match Figure::parse(text) {
                Some(f) => (Node::Const(Const::Figure(f)), Ty::FIGURE),
                None => {
                    self.error(
                        Diagnostic::error(Code::BadFigure, format!("`{text}` is not a figure"), e.span, "not a figure")
                            .with_help("write money as `$1,234` or `$1234.50` and percentages as `12.5%`"),
                    );
                    (Node::Const(Const::Null), Ty::FIGURE)
                }
            },
            ExprKind::List(items) => {
                let nodes = items.iter().map(|x| self.expr(x).0).collect();
                (Node::List(nodes), Ty::LIST)
            }
            ExprKind::Object(entries) => {
                let mut nodes: Vec<(String, Node)> = Vec::with_capacity(entries.len());
                for (i, (key, value)) in entries.iter().enumerate() {
                    if let Some((first, _)) = entries[..i].iter().find(|(k, _)| k.value == key.value) {
                        self.error(
                            Diagnostic::error(
                                Code::DuplicateKey,
                                format!("the key `{}` is given twice", key.value),
                                key.span,
                                "given again",
                            )
                            .with_label(first.span, "first given here")
                            .with_help("keep one of them; an object has one value per key"),
                        );
                    }
                    nodes.push((key.value.clone(), self.expr(value).0));
                }
                (Node::Object(nodes), Ty::OBJECT)
            }
            ExprKind::Name(name) => match self.lookup(name) {
                Some((slot, ty)) => (Node::Slot(slot), ty),
                None if name == "total" => (Node::Total, Ty::NUMBER),
                None if self.functions.iter().any(|f| &f.name == name) => {
                    self.error(
                        Diagnostic::error(
                            Code::FunctionAsValue,
                            format!("`{name}` is a function, not a value"),
                            e.span,
                            "a function",
                        )
                        .with_help(format!(
                            "call it (`{name}(...)`), or pass it to a builtin parameter that takes a function \
                             (`key: {name}`, `similarity: {name}`)"
                        )),
                    );
                    (Node::Const(Const::Null), Ty::ALL)
                }
                None => {
                    self.unknown_name(name, e.span);
                    (Node::Const(Const::Null), Ty::ALL)
                }
            },
            ExprKind::Path(text) => self.path(text, e.span),
            ExprKind::Member(base, field) => {
                let (b, _) = self.expr(base);
                (Node::Member(Box::new(b), field.name.clone()), Ty::DATA)
            }
            ExprKind::Index(base, index) => {
                let (b, _) = self.expr(base);
                let (i, ity) = self.expr(index);
                self.expect(ity, Ty::NUMBER.or(Ty::STRING), index.span, "an index");
                (Node::Index(Box::new(b), Box::new(i)), Ty::DATA)
            }
            ExprKind::Call { name, args } => self.call(name, args, e.span),
            ExprKind::Unary(op, x) => {
                let (n, ty) = self.expr(x);
                match op {
                    UnOp::Not => {
                        self.expect(ty, Ty::BOOL, x.span, "the operand of `not`");
                        (Node::Unary(*op, Box::new(n)), Ty::BOOL)
                    }
                    UnOp::Neg => {
                        self.expect(ty, NUMERIC, x.span, "the operand of `-`");
                        (Node::Unary(*op, Box::new(n)), Ty::NUMBER)
                    }
                }
            }
            ExprKind::Binary(op, a, b) => {
                let (na, ta) = self.expr(a);
                let (nb, tb) = self.expr(b);
                let what = |side: &str| format!("the {side} operand of `{}`", op.symbol());
                let ty = match op {
                    BinOp::And | BinOp::Or => {
                        self.expect(ta, Ty::BOOL, a.span, &what("left"));
                        self.expect(tb, Ty::BOOL, b.span, &what("right"));
                        Ty::BOOL
                    }
                    BinOp::Coalesce => Ty(ta.0 & !(Ty::MISSING.0 | Ty::ERROR.0 | Ty::NULL.0)).or(tb),
                    BinOp::Eq | BinOp::Ne => Ty::BOOL,
                    BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                        self.expect(ta, NUMERIC.or(Ty::STRING), a.span, &what("left"));
                        self.expect(tb, NUMERIC.or(Ty::STRING), b.span, &what("right"));
                        Ty::BOOL
                    }
                    BinOp::In | BinOp::NotIn => {
                        self.expect(tb, Ty::LIST.or(Ty::STRING).or(Ty::OBJECT), b.span, &what("right"));
                        Ty::BOOL
                    }
                    BinOp::Add => {
                        let ok = NUMERIC.or(Ty::STRING).or(Ty::LIST);
                        self.expect(ta, ok, a.span, &what("left"));
                        self.expect(tb, ok, b.span, &what("right"));
                        let t = ta.or(tb).and(ok);
                        if t.intersects(NUMERIC) { Ty(t.0 & !Ty::FIGURE.0).or(Ty::NUMBER) } else { t }
                    }
                    BinOp::Sub | BinOp::Mul | BinOp::Div => {
                        self.expect(ta, NUMERIC, a.span, &what("left"));
                        self.expect(tb, NUMERIC, b.span, &what("right"));
                        Ty::NUMBER
                    }
                };
                (Node::Binary(*op, Box::new(na), Box::new(nb)), ty)
            }
            ExprKind::Is { value, negated, ty } => {
                let (n, _) = self.expr(value);
                (Node::Is { value: Box::new(n), negated: *negated, ty: *ty }, Ty::BOOL)
            }
            ExprKind::If { condition, then, otherwise } => {
                let (c, ct) = self.expr(condition);
                self.expect(ct, Ty::BOOL, condition.span, "an `if` condition");
                let (t, tt) = self.expr(then);
                let (o, ot) = self.expr(otherwise);
                (Node::If { condition: Box::new(c), then: Box::new(t), otherwise: Box::new(o) }, tt.or(ot))
            }
            ExprKind::Comprehension { var, source, filter, body } => {
                let (src, st) = self.expr(source);
                self.expect(st, Ty::LIST, source.span, "what `for` ranges over");
                self.scopes.push(Vec::new());
                let slot = self.slot();
                self.define(var, slot, Ty::DATA, BindingKind::Variable);
                let filter = filter.as_ref().map(|f| {
                    let (n, t) = self.expr(f);
                    self.expect(t, Ty::BOOL, f.span, "a `where` condition");
                    Box::new(n)
                });
                let (b, _) = self.expr(body);
                let unused_var = self.scopes.last().and_then(|s| s.first()).is_some_and(|b| !b.used);
                self.scopes.pop();
                if unused_var && !var.name.starts_with('_') {
                    self.error(
                        Diagnostic::warning(
                            Code::UnusedBinding,
                            format!("`{}` is never used", var.name),
                            var.span,
                            "defined here",
                        )
                        .with_help(format!("rename it `_{}` if that is intended", var.name)),
                    );
                }
                (Node::For { slot, source: Box::new(src), filter, body: Box::new(b) }, Ty::LIST)
            }
        }
    }

    fn path(&mut self, text: &str, span: Span) -> (Node, Ty) {
        // `sample.x` -> `$.sample.x`; `case.x` -> `$.x`.
        let (jsonpath, shift) = match text.strip_prefix("case") {
            Some(rest) => (format!("${rest}"), 4isize - 1),
            None => (format!("$.{text}"), -2isize),
        };
        match jsonpath_rust::parser::parse_json_path(&jsonpath) {
            Ok(q) => {
                let singular = crate::eval::path::singular_steps(&q).is_some();
                (Node::Path { path: jsonpath, singular }, if singular { Ty::DATA } else { Ty::LIST })
            }
            Err(err) => {
                let (at, len, msg) = jsonpath_error(&err);
                let offset =
                    (span.start as isize + at as isize + shift).clamp(span.start as isize, span.end as isize) as usize;
                self.error(
                    Diagnostic::error(Code::BadPath, format!("invalid JSONPath: {msg}"), Span::new(offset, (offset + len.max(1)).min(span.end.max(offset))), msg)
                        .with_label(span, "in this path")
                        .with_help("paths follow RFC 9535 JSONPath after the root: `sample.a.b`, `item.xs[0]`, `sample.xs[*].name`, `item..id`"),
                );
                (Node::Const(Const::Null), Ty::DATA)
            }
        }
    }

    fn call(&mut self, name: &Ident, args: &[Arg], span: Span) -> (Node, Ty) {
        if let Some(index) = self.functions.iter().position(|f| f.name == name.name) {
            self.functions[index].used = true;
            return self.call_defined(index, args, span);
        }
        if self.current_function.as_deref() == Some(name.name.as_str()) {
            self.error(
                Diagnostic::error(
                    Code::RecursiveFunction,
                    format!("`{}` calls itself", name.name),
                    name.span,
                    "a call of the function being defined",
                )
                .with_help(
                    "rubrics are total: a function may call only builtins and functions defined above it; \
                     loop over data with `for x in xs: ...` instead",
                ),
            );
            for a in args {
                self.expr(&a.value);
            }
            return (Node::Const(Const::Null), Ty::ALL);
        }
        if builtins::lookup(&name.name).is_none()
            && let Some(def) = self.definitions.get(&name.name).copied()
            && def.start > span.start
        {
            self.used_early.push(name.name.clone());
            let mut d = Diagnostic::error(
                Code::UsedBeforeDefined,
                format!("`{}` is called before it is defined", name.name),
                name.span,
                "called here",
            )
            .with_label(def, "defined here");
            d = if self.current_function.is_some() {
                d.with_help(
                    "a function may call only functions defined above it (so no function can call itself, \
                     directly or through another); move the definition up",
                )
            } else {
                d.with_help("items run in order: move the definition above its first use")
            };
            self.error(d);
            for a in args {
                self.expr(&a.value);
            }
            return (Node::Const(Const::Null), Ty::ALL);
        }
        let Some(b) = builtins::lookup(&name.name) else {
            let mut d = Diagnostic::error(
                Code::UnknownFunction,
                format!("unknown function `{}`", name.name),
                name.span,
                "no such builtin",
            );
            let defined: Vec<String> = self.functions.iter().map(|f| f.name.clone()).collect();
            if let Some(s) =
                did_you_mean(&name.name, builtins::all().map(|b| b.name).chain(defined.iter().map(String::as_str)))
            {
                d = d.with_help(format!("did you mean `{s}`?"));
            } else {
                d = d.with_help("see the builtin list in README.md");
            }
            self.error(d);
            for a in args {
                self.expr(&a.value);
            }
            return (Node::Const(Const::Null), Ty::ALL);
        };
        let mut slots: Vec<Option<(&Arg, Node, Ty)>> = (0..b.params.len()).map(|_| None).collect();
        let mut positional = 0;
        for a in args {
            let index = match &a.name {
                None => {
                    let i = positional;
                    positional += 1;
                    if i >= b.params.len() {
                        self.error(
                            Diagnostic::error(
                                Code::Arity,
                                format!(
                                    "`{}` takes at most {} argument{}",
                                    b.name,
                                    b.params.len(),
                                    plural(b.params.len())
                                ),
                                a.value.span,
                                "one too many",
                            )
                            .with_help(signature(b)),
                        );
                        self.expr(&a.value);
                        continue;
                    }
                    i
                }
                Some(n) => match b.params.iter().position(|p| p.name == n.name) {
                    Some(i) => i,
                    None => {
                        let mut d = Diagnostic::error(
                            Code::UnknownArgument,
                            format!("`{}` has no parameter `{}`", b.name, n.name),
                            n.span,
                            "unknown parameter",
                        );
                        d = match did_you_mean(&n.name, b.params.iter().map(|p| p.name)) {
                            Some(s) => d.with_help(format!("did you mean `{s}`? {}", signature(b))),
                            None => d.with_help(signature(b)),
                        };
                        self.error(d);
                        self.expr(&a.value);
                        continue;
                    }
                },
            };
            if slots[index].is_some() {
                let first = slots[index].as_ref().map(|(first, _, _)| first.value.span).unwrap_or(span);
                self.error(
                    Diagnostic::error(
                        Code::DuplicateArgument,
                        format!("parameter `{}` of `{}` is given twice", b.params[index].name, b.name),
                        a.value.span,
                        "given again",
                    )
                    .with_label(first, "first given here")
                    .with_help(format!("keep one of them; {}", signature(b))),
                );
                self.expr(&a.value);
                continue;
            }
            let param = &b.params[index];
            let (node, ty) = match param.apply {
                Some(apply) => self.function_argument(&a.value, param, apply, b),
                None => self.argument(&a.value),
            };
            if param.apply.is_none() || param.ty.contains(Ty::STRING) && !matches!(node, Node::Function(_)) {
                self.expect(ty, param.ty, a.value.span, &format!("argument `{}` of `{}`", param.name, b.name));
            }
            slots[index] = Some((a, node, ty));
        }
        let mut nodes = Vec::with_capacity(b.params.len());
        let mut literals: Vec<Option<Value>> = Vec::with_capacity(b.params.len());
        for (i, p) in b.params.iter().enumerate() {
            match (&slots[i], p.default) {
                (Some((_, node, _)), _) => {
                    literals.push(node_const(node));
                    nodes.push(node.clone());
                }
                (None, Some(default)) => {
                    let v = default.value();
                    nodes.push(const_node(&v));
                    literals.push(Some(v));
                }
                (None, None) => {
                    self.error(
                        Diagnostic::error(
                            Code::Arity,
                            format!("`{}` needs its `{}` argument", b.name, p.name),
                            span,
                            format!("`{}` is missing", p.name),
                        )
                        .with_help(signature(b)),
                    );
                    nodes.push(Node::Const(Const::Null));
                    literals.push(None);
                }
            }
        }
        if let (Some(Some((_, text, _))), Some(Some((pattern, _, _)))) = (slots.first(), slots.get(1))
            && REGEX_SEARCHES.contains(&b.name)
            && self.is_model_text(text)
            && let Some(Some(Value::Regex(re))) = literals.get(1)
            && ends_with_plain_dollar(re.as_str())
        {
            self.error(
                Diagnostic::warning(
                    Code::EndAnchor,
                    "`$` does not match before a trailing newline",
                    pattern.value.span,
                    "matches only at the very end of the text",
                )
                .with_help(
                    "Python's `re` also matches `$` before a final `\\n`, which model output often ends with; \
                     write `\\n?$` (or `\\s*$`) to allow it, or the `m` flag to match at the end of every line",
                ),
            );
        }
        if let Some(validate) = b.validate {
            let refs: Vec<Option<&Value>> = literals.iter().map(Option::as_ref).collect();
            for problem in validate(&refs) {
                let sp = slots.get(problem.arg).and_then(|s| s.as_ref()).map(|(a, _, _)| a.value.span).unwrap_or(span);
                let mut d = Diagnostic::error(
                    problem.code.unwrap_or(Code::BadArgument),
                    problem.message.clone(),
                    sp,
                    format!("in this argument of `{}`", b.name),
                );
                d = d.with_help(problem.help.unwrap_or_else(|| signature(b)));
                self.error(d);
            }
        }
        (Node::Call { builtin: b.name.to_string(), args: nodes }, b.returns)
    }

    /// Whether `node` is the model's text as it is: `sample.output_text`, a binding of it, or
    /// either lowercased (a regex `$` on it meets the text's final newline, if any).
    fn is_model_text(&self, node: &Node) -> bool {
        match node {
            Node::Path { path, singular: true } => path == "$.sample.output_text",
            Node::Slot(s) => self.model_text_slots.contains(s),
            Node::Call { builtin, args } if matches!(builtin.as_str(), "lower" | "upper") => {
                args.first().is_some_and(|a| self.is_model_text(a))
            }
            _ => false,
        }
    }

    /// A call of the author-defined function `index`: arguments by position or by name, each
    /// given once, each parameter given, typed ones checked.
    fn call_defined(&mut self, index: usize, args: &[Arg], span: Span) -> (Node, Ty) {
        let params: Vec<(String, Option<TypeName>)> = self.functions[index].params.clone();
        let signature = self.functions[index].signature();
        let fname = self.functions[index].name.clone();
        let mut given: Vec<Option<(Span, Node)>> = (0..params.len()).map(|_| None).collect();
        let mut positional = 0;
        for a in args {
            let (node, ty) = self.expr(&a.value);
            let at = match &a.name {
                None => {
                    positional += 1;
                    if positional > params.len() {
                        self.error(
                            Diagnostic::error(
                                Code::Arity,
                                format!("`{fname}` takes {} argument{}", params.len(), plural(params.len())),
                                a.value.span,
                                "one too many",
                            )
                            .with_help(signature.clone()),
                        );
                        continue;
                    }
                    positional - 1
                }
                Some(n) => match params.iter().position(|(p, _)| *p == n.name) {
                    Some(i) => i,
                    None => {
                        let mut d = Diagnostic::error(
                            Code::UnknownArgument,
                            format!("`{fname}` has no parameter `{}`", n.name),
                            n.span,
                            "unknown parameter",
                        );
                        d = match did_you_mean(&n.name, params.iter().map(|(p, _)| p.as_str())) {
                            Some(s) => d.with_help(format!("did you mean `{s}`? {signature}")),
                            None => d.with_help(signature.clone()),
                        };
                        self.error(d);
                        continue;
                    }
                },
            };
            if let Some((first, _)) = &given[at] {
                let first = *first;
                self.error(
                    Diagnostic::error(
                        Code::DuplicateArgument,
                        format!("parameter `{}` of `{fname}` is given twice", params[at].0),
                        a.value.span,
                        "given again",
                    )
                    .with_label(first, "first given here")
                    .with_help(format!("keep one of them; {signature}")),
                );
                continue;
            }
            if let Some(t) = params[at].1 {
                self.expect(ty, t.ty(), a.value.span, &format!("argument `{}` of `{fname}`", params[at].0));
            }
            given[at] = Some((a.value.span, node));
        }
        let mut nodes = Vec::with_capacity(params.len());
        for (i, g) in given.into_iter().enumerate() {
            match g {
                Some((_, node)) => nodes.push(node),
                None => {
                    self.error(
                        Diagnostic::error(
                            Code::Arity,
                            format!("`{fname}` needs its `{}` argument", params[i].0),
                            span,
                            format!("`{}` is missing", params[i].0),
                        )
                        .with_help(signature.clone()),
                    );
                    nodes.push(Node::Const(Const::Null));
                }
            }
        }
        (Node::CallFunction { function: index, args: nodes }, self.functions[index].returns)
    }

    /// The argument of a parameter that takes a function: the name of an author-defined function
    /// or a builtin taking `apply.arity()` arguments. A builtin's name stays its name where the
    /// parameter also takes names (`similarity: ratio`), so plans written before functions keep
    /// their bytes; anything else is checked as a value the parameter accepts.
    fn function_argument(
        &mut self,
        e: &Expr,
        param: &builtins::Param,
        apply: builtins::Apply,
        b: &builtins::Builtin,
    ) -> (Node, Ty) {
        let wanted = apply.arity();
        let what = format!("`{}` of `{}`", param.name, b.name);
        if let ExprKind::Name(n) = &e.kind
            && self.scopes.iter().flatten().all(|x| &x.name != n)
        {
            if let Some(index) = self.functions.iter().position(|f| &f.name == n) {
                self.functions[index].used = true;
                let takes = self.functions[index].params.len();
                if takes != wanted {
                    let signature = self.functions[index].signature();
                    self.error(
                        Diagnostic::error(
                            Code::Arity,
                            format!(
                                "{what} is called with {wanted} argument{}, but `{n}` takes {takes}",
                                plural(wanted)
                            ),
                            e.span,
                            format!("`{n}` takes {takes}"),
                        )
                        .with_help(signature),
                    );
                }
                return (Node::Function(FunctionRef::Defined(index)), Ty::ALL);
            }
            if let Some(f) = builtins::lookup(n) {
                if param.ty.contains(Ty::STRING) {
                    return self.argument(e);
                }
                let required = f.params.iter().filter(|p| p.default.is_none()).count();
                if wanted < required || wanted > f.params.len() {
                    self.error(
                        Diagnostic::error(
                            Code::Arity,
                            format!(
                                "{what} is called with {wanted} argument{}, which `{n}` cannot take",
                                plural(wanted)
                            ),
                            e.span,
                            "wrong number of arguments",
                        )
                        .with_help(signature(f)),
                    );
                }
                return (Node::Function(FunctionRef::Builtin(n.clone())), Ty::ALL);
            }
        }
        let reported = self.diagnostics.len();
        let (node, ty) = self.expr(e);
        if param.ty.is_empty() || param.ty == Ty::NULL {
            let got = Ty(ty.0 & !(Ty::MISSING.0 | Ty::ERROR.0));
            // (an unknown name is already reported)
            if !got.is_empty() && self.diagnostics.len() == reported {
                self.error(
                    Diagnostic::error(
                        Code::NotAFunction,
                        format!("{what} takes a function, found {}", article(&got.describe())),
                        e.span,
                        "not a function",
                    )
                    .with_help(format!(
                        "name a function of {wanted} argument{}: one defined with `fn`, or a builtin",
                        plural(wanted)
                    )),
                );
            }
            return (node, Ty::NULL);
        }
        (node, ty)
    }

    /// An argument: like an expression, except that a bare name of a builtin that is not a binding
    /// stands for that function's name (`similarity: ratio`).
    fn argument(&mut self, e: &Expr) -> (Node, Ty) {
        if let ExprKind::Name(n) = &e.kind
            && self.lookup(n).is_none()
            && n != "total"
            && builtins::lookup(n).is_some()
        {
            return (Node::Const(Const::String(n.clone())), Ty::STRING);
        }
        self.expr(e)
    }
}

/// The flags a regex literal may carry (those of Rust `regex`'s `(?flags)`).
const REGEX_FLAGS: &str = "imsxURu";
const REGEX_FLAGS_HELP: &str = "the flags are `i` (ignore case), `m` (`^` and `$` match at line ends), `s` (`.` matches \
    `\\n`), `x` (blanks and `#` comments ignored), `U` (lazy by default), `R` (`\\r\\n` line ends) and `u` (Unicode, \
    on by default)";

/// The builtins that search text with a regex, as `(text, pattern)`.
const REGEX_SEARCHES: [&str; 4] = ["matches", "find", "find_all", "count"];

/// Whether a compiled regex ends in a `$` that only matches at the very end of the text: not
/// escaped, not after something that already takes a final newline (`\n?$`, `\s*$`), and without
/// the multi-line flag (given as `m` after the literal, or inline).
fn ends_with_plain_dollar(pattern: &str) -> bool {
    let Some(before) = pattern.strip_suffix('$') else { return false };
    let escaped = before.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1;
    let allows_newline = ["\\n", "\\s"]
        .iter()
        .any(|class| ["?", "*", "+"].iter().any(|repeat| before.ends_with(&format!("{class}{repeat}"))));
    if escaped || allows_newline {
        return false;
    }
    let multi_line = pattern.match_indices("(?").any(|(at, _)| {
        pattern[at + 2..].bytes().take_while(|b| b.is_ascii_alphabetic() || *b == b'-').any(|b| b == b'm')
    });
    !multi_line
}

/// "a bool", "an object", "any value".
fn article(description: &str) -> String {
    if description.starts_with("any") {
        description.to_string()
    } else if description.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {description}")
    } else {
        format!("a {description}")
    }
}

fn round9(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `signature: name(a: string, ...)` for help texts.
fn signature(b: &builtins::Builtin) -> String {
    format!("signature: {}", builtins::signature(b))
}

fn item_span(item: &Item) -> Span {
    item.span()
}

/// Splits `a and b and c` into its parts (so a trace can name the part that failed).
fn conjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::Binary(BinOp::And, a, b) => {
            conjuncts(a, out);
            conjuncts(b, out);
        }
        _ => out.push(e),
    }
}

fn number_literal(e: &Expr) -> Option<f64> {
    match &e.kind {
        ExprKind::Number(n) => Some(*n),
        ExprKind::Unary(UnOp::Neg, x) => number_literal(x).map(|n| -n),
        _ => None,
    }
}

/// Where in the JSONPath text an error lies (offset and length) and what it is.
fn jsonpath_error(e: &jsonpath_rust::parser::errors::JsonPathError) -> (usize, usize, String) {
    use jsonpath_rust::parser::errors::JsonPathError;
    match e {
        JsonPathError::PestError(pe) => {
            let (at, len) = match pe.location {
                pest::error::InputLocation::Pos(p) => (p, 1),
                pest::error::InputLocation::Span((s, e)) => (s, e.saturating_sub(s)),
            };
            (at, len, pe.variant.message().to_string().replace("jp_query", "a path").replace("EOI", "end of path"))
        }
        other => (0, 1, other.to_string()),
    }
}

/// The value of a literal argument (a constant or a list of constants), for compile-time validation.
fn node_const(node: &Node) -> Option<Value> {
    match node {
        Node::Const(c) => crate::eval::const_value(c).ok(),
        Node::List(xs) => xs.iter().map(node_const).collect::<Option<Vec<_>>>().map(Value::list),
        _ => None,
    }
}

pub(crate) fn const_node(v: &Value) -> Node {
    match v {
        Value::Null | Value::Missing(_) | Value::Error(_) => Node::Const(Const::Null),
        Value::Bool(b) => Node::Const(Const::Bool(*b)),
        Value::Number(n) => Node::Const(Const::Number(*n)),
        Value::BigInt(n) => Node::Const(Const::Integer(n.as_str().to_string())),
        // A fraction has no literal: it is the call that makes it from its text.
        Value::Rational(r) => Node::Call {
            builtin: "rational".into(),
            args: vec![Node::Const(Const::String(r.text().into())), Node::Const(Const::Number(r.text().len() as f64))],
        },
        Value::String(s) => Node::Const(Const::String(s.to_string())),
        Value::List(xs) => Node::List(xs.iter().map(const_node).collect()),
        Value::Figure(f) => Node::Const(Const::Figure((**f).clone())),
        Value::Regex(r) => Node::Const(Const::Regex { source: r.as_str().to_string(), flags: String::new() }),
        Value::Object(_) => Node::Const(Const::Null),
    }
}

#[cfg(test)]
mod tests {
    use super::REGEX_FLAGS;

    #[test]
    fn every_accepted_regex_flag_compiles() {
        for flag in REGEX_FLAGS.chars() {
            assert!(crate::pattern::compile_regex("a", &flag.to_string()).is_ok(), "flag `{flag}`");
        }
    }
}
