//! Step three: the scoring plan. A checked rubric lowered to a versioned, serialisable form with
//! every name resolved to a slot, every path and regex validated, and a source map from criteria to
//! `file:line:col`. The engine runs from a plan alone; the same rubric always gives the same bytes.

use serde::{Deserialize, Serialize};

use crate::syntax::ast::{BinOp, TypeName, UnOp};
use crate::value::figure::Figure;

/// Identifies the plan format; bumped on any incompatible change.
pub const FORMAT: &str = "rubric-plan/1";

/// The format of a plan that holds an exact integer constant ([`Const::Integer`]), which readers
/// of [`FORMAT`] do not know. Other plans keep [`FORMAT`], so their bytes do not change.
pub const FORMAT_WITH_INTEGERS: &str = "rubric-plan/2";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format: String,
    /// Version of rubric that wrote the plan.
    pub compiler: String,
    pub rubric: String,
    pub description: Option<String>,
    /// Where the rubric came from (file name as given).
    pub source: String,
    /// Score of a case whose data is broken.
    pub on_error: f64,
    /// Declared maximum score, if any.
    pub max: Option<f64>,
    /// Number of value slots (bindings, criterion results, comprehension variables).
    pub slots: usize,
    /// The author-defined functions, in source order (absent from plans without any, so those
    /// keep the bytes they had before functions existed). A function calls only earlier ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<FunctionPlan>,
    pub items: Vec<PlanItem>,
}

/// `fn NAME(PARAMS) = BODY`: the body reads its parameters from their slots.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunctionPlan {
    pub name: String,
    pub params: Vec<FunctionParamPlan>,
    pub body: Node,
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunctionParamPlan {
    pub name: String,
    pub slot: usize,
    /// The type an argument must have, when the author wrote one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ty: Option<TypeName>,
}

/// A function given where a builtin takes one (`sort(xs, key: my_key)`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FunctionRef {
    Builtin(String),
    /// An index into [`Plan::functions`].
    Defined(usize),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanItem {
    Let { name: String, slot: usize, value: Node },
    Criterion(CriterionPlan),
    Group(GroupPlan),
    Ladder(LadderPlan),
    Gate { condition: Node, value: Node, text: String, at: String },
    Score { value: Node, at: String },
}

/// A criterion: its body is the conjunction of `checks` (split at top-level `and`s so the trace can
/// say which part failed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CriterionPlan {
    pub id: String,
    pub label: Option<String>,
    pub weight: f64,
    /// The slot that holds the earned weight once evaluated.
    pub slot: usize,
    pub lets: Vec<(usize, Node)>,
    pub checks: Vec<Check>,
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub node: Node,
    /// The source text of this part, for reasons.
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupModePlan {
    Sum,
    Normalized,
    All,
    Any,
    AtLeast(usize),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupPlan {
    pub id: String,
    pub label: Option<String>,
    pub weight: Option<f64>,
    pub mode: GroupModePlan,
    pub slot: usize,
    pub lets: Vec<(usize, Node)>,
    pub members: Vec<CriterionPlan>,
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LadderPlan {
    pub id: String,
    pub label: Option<String>,
    pub slot: usize,
    pub steps: Vec<StepPlan>,
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepPlan {
    pub id: String,
    pub label: Option<String>,
    pub weight: f64,
    pub check: Check,
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Const {
    Null,
    Bool(bool),
    Number(f64),
    /// An integer beyond ±2^53 in decimal (a double would round it).
    Integer(String),
    String(String),
    Figure(Figure),
    Regex {
        source: String,
        flags: String,
    },
}

/// An expression with names resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Node {
    Const(Const),
    List(Vec<Node>),
    /// `{key: value, ...}`, keys in source order.
    Object(Vec<(String, Node)>),
    /// A binding, criterion result or comprehension variable.
    Slot(usize),
    /// The sum of the earned weights of the criteria evaluated so far.
    Total,
    /// A JSONPath over the case (`$.sample...`). Singular paths yield a value or missing; others a list.
    Path {
        path: String,
        singular: bool,
    },
    Member(Box<Node>, String),
    Index(Box<Node>, Box<Node>),
    Call {
        builtin: String,
        args: Vec<Node>,
    },
    /// A call of an author-defined function (an index into [`Plan::functions`]).
    CallFunction {
        function: usize,
        args: Vec<Node>,
    },
    /// A function passed to a builtin parameter that applies it (`key: my_key`).
    Function(FunctionRef),
    Unary(UnOp, Box<Node>),
    Binary(BinOp, Box<Node>, Box<Node>),
    Is {
        value: Box<Node>,
        negated: bool,
        ty: TypeName,
    },
    If {
        condition: Box<Node>,
        then: Box<Node>,
        otherwise: Box<Node>,
    },
    For {
        slot: usize,
        source: Box<Node>,
        filter: Option<Box<Node>>,
        body: Box<Node>,
    },
}

/// Plans nested deeper than this are written compact (see [`Plan::to_json`]).
const PRETTY_PLAN_DEPTH: usize = 100;

/// Deepest JSON nesting accepted in a plan file.
const MAX_PLAN_DEPTH: usize = 100_000;

/// Bracket nesting of JSON text (strings skipped).
fn json_depth(text: &str) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for b in text.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

impl Plan {
    /// The most the criteria can earn together: the sum of positive weights (a group counts its
    /// own weight, or its members' when it has none; a ladder all its steps).
    pub fn max_attainable(&self) -> f64 {
        let positive = |w: f64| if w > 0.0 { w } else { 0.0 };
        let mut reachable = 0.0;
        for item in &self.items {
            match item {
                PlanItem::Criterion(c) => reachable += positive(c.weight),
                PlanItem::Group(g) => match g.weight {
                    Some(w) => reachable += positive(w),
                    None => reachable += g.members.iter().map(|m| positive(m.weight)).sum::<f64>(),
                },
                PlanItem::Ladder(l) => reachable += l.steps.iter().map(|s| positive(s.weight)).sum::<f64>(),
                _ => {}
            }
        }
        reachable
    }

    /// The plan as pretty JSON (what `rubric compile` writes). Deterministic. Pretty printing
    /// indents every level, so a plan nested deeper than [`PRETTY_PLAN_DEPTH`] (a chain of
    /// thousands of operators) would grow with the square of its depth (a 9,000-term sum: 1.6 GB);
    /// such a plan is written compact.
    pub fn to_json(&self) -> String {
        let compact = serde_json::to_string(self).expect("plans serialise");
        let mut s = if json_depth(&compact) <= PRETTY_PLAN_DEPTH {
            serde_json::to_string_pretty(self).expect("plans serialise")
        } else {
            compact
        };
        s.push('\n');
        s
    }

    pub fn from_json(text: &str) -> Result<Plan, String> {
        // Plans nest as deep as the rubric's expressions (bounded by the parser), deeper than
        // serde_json's default limit of 128; refuse only absurd depths, which no rubric produces.
        if json_depth(text) > MAX_PLAN_DEPTH {
            return Err(format!("not a rubric plan: nested deeper than {MAX_PLAN_DEPTH} levels"));
        }
        let mut de = serde_json::Deserializer::from_str(text);
        de.disable_recursion_limit();
        let plan = <Plan as serde::Deserialize>::deserialize(&mut de)
            .and_then(|p| de.end().map(|_| p))
            .map_err(|e| format!("not a rubric plan: {e}"))?;
        if plan.format != FORMAT && plan.format != FORMAT_WITH_INTEGERS {
            return Err(format!(
                "plan format `{}` is not supported (expected `{FORMAT}` or `{FORMAT_WITH_INTEGERS}`)",
                plan.format
            ));
        }
        Ok(plan)
    }

    /// The format this plan's contents need: [`FORMAT_WITH_INTEGERS`] when it holds an exact
    /// integer constant, else [`FORMAT`].
    pub fn needed_format(&self) -> &'static str {
        let mut integers = false;
        self.visit_nodes(|node| integers |= matches!(node, Node::Const(Const::Integer(_))));
        if integers { FORMAT_WITH_INTEGERS } else { FORMAT }
    }

    /// The highest value slot the plan uses (bindings, criterion results, loop variables,
    /// function parameters), if any: a plan must declare more `slots` than that.
    pub fn highest_slot(&self) -> Option<usize> {
        let mut highest: Option<usize> = None;
        let mut note = |slot: usize| highest = Some(highest.map_or(slot, |h| h.max(slot)));
        for item in &self.items {
            match item {
                PlanItem::Let { slot, .. } => note(*slot),
                PlanItem::Criterion(c) => {
                    note(c.slot);
                    c.lets.iter().for_each(|(s, _)| note(*s));
                }
                PlanItem::Group(g) => {
                    note(g.slot);
                    g.lets.iter().for_each(|(s, _)| note(*s));
                    for c in &g.members {
                        note(c.slot);
                        c.lets.iter().for_each(|(s, _)| note(*s));
                    }
                }
                PlanItem::Ladder(l) => note(l.slot),
                PlanItem::Gate { .. } | PlanItem::Score { .. } => {}
            }
        }
        self.functions.iter().flat_map(|f| &f.params).for_each(|p| note(p.slot));
        self.visit_nodes(|node| match node {
            Node::Slot(s) | Node::For { slot: s, .. } => note(*s),
            _ => {}
        });
        highest
    }

    /// Calls `visit` on every node of the plan: the items' expressions, the function bodies and
    /// everything inside them.
    fn visit_nodes(&self, mut visit: impl FnMut(&Node)) {
        fn criterion(c: &CriterionPlan) -> Vec<&Node> {
            c.lets.iter().map(|(_, n)| n).chain(c.checks.iter().map(|k| &k.node)).collect()
        }
        let nodes = self.items.iter().flat_map(|item| -> Vec<&Node> {
            match item {
                PlanItem::Let { value, .. } | PlanItem::Score { value, .. } => vec![value],
                PlanItem::Gate { condition, value, .. } => vec![condition, value],
                PlanItem::Criterion(c) => criterion(c),
                PlanItem::Group(g) => {
                    g.lets.iter().map(|(_, n)| n).chain(g.members.iter().flat_map(criterion)).collect()
                }
                PlanItem::Ladder(l) => l.steps.iter().map(|s| &s.check.node).collect(),
            }
        });
        let mut pending: Vec<&Node> = nodes.chain(self.functions.iter().map(|f| &f.body)).collect();
        while let Some(node) = pending.pop() {
            visit(node);
            match node {
                Node::Const(_) | Node::Slot(_) | Node::Total | Node::Path { .. } | Node::Function(_) => {}
                Node::List(xs) | Node::Call { args: xs, .. } | Node::CallFunction { args: xs, .. } => {
                    pending.extend(xs)
                }
                Node::Object(fields) => pending.extend(fields.iter().map(|(_, v)| v)),
                Node::Member(x, _) | Node::Unary(_, x) | Node::Is { value: x, .. } => pending.push(x),
                Node::Index(a, b) | Node::Binary(_, a, b) => pending.extend([&**a, &**b]),
                Node::If { condition, then, otherwise } => pending.extend([&**condition, &**then, &**otherwise]),
                Node::For { source, filter, body, .. } => {
                    pending.extend([&**source, &**body]);
                    pending.extend(filter.as_deref());
                }
            }
        }
    }
}
