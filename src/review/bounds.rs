//! The highest score a plan can give, found by interval arithmetic over the plan: each criterion,
//! group and ladder earns between 0 and its weight, bindings and builtins carry ranges (`ratio` is
//! in 0..=1, `round` and `clamp` keep or narrow a range, a comparison is 0 or 1), gates add the
//! values they may return and a `score` expression replaces the sum. A failing case scores the
//! rubric's `on_error`, so that is always possible too. The bound is safe (no case scores above
//! it) but may be loose; where a part of the score has no bound (a number read from the data, a
//! `len`) the answer says which part instead of giving a number.

use std::collections::HashMap;

use crate::builtins::{Ctx, lookup};
use crate::plan::{Const, GroupModePlan, Node, Plan, PlanItem};
use crate::syntax::ast::{BinOp, UnOp};
use crate::value::{Ty, Value};

/// The most a plan can score.
#[derive(Clone, Debug, PartialEq)]
pub enum Attainable {
    /// No case scores more than this.
    AtMost(f64),
    /// The score has no upper bound that the plan shows: what makes it so.
    Unbounded(String),
}

impl serde::Serialize for Attainable {
    /// The bound as a number, or `null` when there is none.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Attainable::AtMost(x) => serializer.serialize_f64(*x),
            Attainable::Unbounded(_) => serializer.serialize_none(),
        }
    }
}

/// Builtins whose number always lies in 0..=1 (similarities, precision / recall / F1).
const UNIT_RANGE: &[&str] = &[
    "ratio",
    "partial_ratio",
    "token_set_ratio",
    "token_sort_ratio",
    "best_match_f1",
    "best_match_precision",
    "best_match_recall",
    "multiset_f1",
    "multiset_precision",
    "multiset_recall",
    "set_f1",
    "set_precision",
    "set_recall",
];

/// Builtins that count something: 0 or more.
const COUNTS: &[&str] = &["len", "count", "tag_count", "ast_count"];

/// The values a number may take: `low..=high`, either end possibly infinite.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Range {
    low: f64,
    high: f64,
}

impl Range {
    const ANY: Range = Range { low: f64::NEG_INFINITY, high: f64::INFINITY };
    const UNIT: Range = Range { low: 0.0, high: 1.0 };

    fn exactly(x: f64) -> Range {
        Range { low: x, high: x }
    }

    /// Between 0 and `w` (a criterion of weight `w`; negative weights are penalties).
    fn up_to(w: f64) -> Range {
        Range { low: w.min(0.0), high: w.max(0.0) }
    }

    fn hull(self, other: Range) -> Range {
        Range { low: self.low.min(other.low), high: self.high.max(other.high) }
    }

    fn add(self, other: Range) -> Range {
        Range { low: self.low + other.low, high: self.high + other.high }
    }

    fn neg(self) -> Range {
        Range { low: -self.high, high: -self.low }
    }

    /// The smallest range holding `f(a, b)` for the four pairs of ends (right for `*`, and for `/`
    /// when the divisor does not span 0).
    fn corners(self, other: Range, f: fn(f64, f64) -> f64) -> Range {
        let xs = [f(self.low, other.low), f(self.low, other.high), f(self.high, other.low), f(self.high, other.high)];
        if xs.iter().any(|x| x.is_nan()) {
            return Range::ANY;
        }
        Range {
            low: xs.iter().copied().fold(f64::INFINITY, f64::min),
            high: xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }

    fn mul(self, other: Range) -> Range {
        // 0 times infinity is 0 here: a factor that is exactly 0 makes the product 0.
        self.corners(other, |a, b| if a == 0.0 || b == 0.0 { 0.0 } else { a * b })
    }

    fn div(self, other: Range) -> Range {
        if other.low <= 0.0 && other.high >= 0.0 {
            return Range::ANY;
        }
        self.corners(other, |a, b| a / b)
    }
}

/// The highest score `plan` can give.
pub fn max_attainable(plan: &Plan) -> Attainable {
    let mut bounds = Bounds { slots: HashMap::new(), lets: HashMap::new(), total: Range::exactly(0.0), depth: 0 };
    let mut scores = Range::exactly(plan.on_error);
    let mut unbounded: Option<String> = None;
    let mut note = |range: Range, what: &dyn Fn() -> String, scores: &mut Range| {
        if range.high == f64::INFINITY && unbounded.is_none() {
            unbounded = Some(what());
        }
        *scores = scores.hull(range);
    };
    let mut final_score = None;
    for item in &plan.items {
        match item {
            PlanItem::Let { slot, value, .. } => bounds.bind(*slot, value),
            PlanItem::Criterion(c) => {
                let earned = bounds.criterion(&c.lets, c.slot, c.weight);
                bounds.total = bounds.total.add(earned);
            }
            PlanItem::Group(g) => {
                g.lets.iter().for_each(|(slot, value)| bounds.bind(*slot, value));
                let members: Vec<Range> =
                    g.members.iter().map(|m| bounds.criterion(&m.lets, m.slot, m.weight)).collect();
                let weight = g.weight.unwrap_or_else(|| g.members.iter().fold(0.0, |a, m| a + m.weight));
                let earned = match g.mode {
                    GroupModePlan::Sum => members.iter().fold(Range::exactly(0.0), |a, m| a.add(*m)),
                    _ => Range::up_to(weight),
                };
                bounds.slots.insert(g.slot, earned);
                bounds.total = bounds.total.add(earned);
            }
            PlanItem::Ladder(l) => {
                let earned = l.steps.iter().fold(Range::exactly(0.0), |a, s| a.add(Range::up_to(s.weight)));
                bounds.slots.insert(l.slot, earned);
                bounds.total = bounds.total.add(earned);
            }
            PlanItem::Gate { value, text, at, .. } => {
                let range = bounds.range(value);
                note(range, &|| format!("the value of the gate `when {text}` at {at} has no upper bound"), &mut scores);
            }
            PlanItem::Score { value, at } => final_score = Some((bounds.range(value), at)),
        }
    }
    match final_score {
        Some((range, at)) => note(range, &|| format!("the score expression at {at} has no upper bound"), &mut scores),
        None => note(bounds.total, &|| "the sum of the weights has no upper bound".into(), &mut scores),
    }
    match unbounded {
        Some(why) => Attainable::Unbounded(why),
        None => Attainable::AtMost(scores.high),
    }
}

/// Ranges of the plan's slots as the items are walked in order.
struct Bounds<'p> {
    slots: HashMap<usize, Range>,
    /// What each binding was bound to, to see through it to a list (`mean(xs)`, `count(xs)`).
    lets: HashMap<usize, &'p Node>,
    /// The range of `total` at this point: the earned weights so far.
    total: Range,
    /// How many lists [`Bounds::elements`] is looking into.
    depth: usize,
}

/// How deep [`Bounds::resolve`] and [`Bounds::elements`] look.
const MAX_DEPTH: usize = 64;

impl<'p> Bounds<'p> {
    fn bind(&mut self, slot: usize, value: &'p Node) {
        let range = self.range(value);
        self.slots.insert(slot, range);
        self.lets.insert(slot, value);
    }

    fn criterion(&mut self, lets: &'p [(usize, Node)], slot: usize, weight: f64) -> Range {
        lets.iter().for_each(|(s, value)| self.bind(*s, value));
        let earned = Range::up_to(weight);
        self.slots.insert(slot, earned);
        earned
    }

    /// What a binding stands for, looking through bindings of bindings.
    fn resolve(&self, mut node: &'p Node) -> &'p Node {
        // Bindings only name earlier ones, so this ends; the bound is a guard all the same.
        for _ in 0..MAX_DEPTH {
            match node {
                Node::Slot(s) => match self.lets.get(s) {
                    Some(value) => node = value,
                    None => break,
                },
                _ => break,
            }
        }
        node
    }

    /// The range of a number-valued expression (a bool counts as 0 or 1, as a score or gate value
    /// does; anything else is not bounded).
    fn range(&mut self, node: &'p Node) -> Range {
        match node {
            Node::Const(Const::Number(x)) => Range::exactly(*x),
            Node::Const(Const::Bool(b)) => Range::exactly(if *b { 1.0 } else { 0.0 }),
            Node::Const(_) | Node::List(_) | Node::For { .. } => Range::ANY,
            Node::Object(_) | Node::CallFunction { .. } | Node::Function(_) => Range::ANY,
            Node::Slot(s) => self.slots.get(s).copied().unwrap_or(Range::ANY),
            Node::Total => self.total,
            Node::Path { .. } | Node::Member(..) | Node::Index(..) => Range::ANY,
            Node::Unary(UnOp::Not, _) | Node::Is { .. } => Range::UNIT,
            Node::Unary(UnOp::Neg, x) => self.range(x).neg(),
            Node::If { then, otherwise, .. } => self.range(then).hull(self.range(otherwise)),
            Node::Binary(op, a, b) => match op {
                BinOp::Add => self.range(a).add(self.range(b)),
                BinOp::Sub => self.range(a).add(self.range(b).neg()),
                BinOp::Mul => self.range(a).mul(self.range(b)),
                BinOp::Div if self.is_share(a, b) => Range::UNIT,
                BinOp::Div => self.range(a).div(self.range(b)),
                BinOp::Coalesce => self.range(a).hull(self.range(b)),
                BinOp::Or
                | BinOp::And
                | BinOp::Eq
                | BinOp::Ne
                | BinOp::Lt
                | BinOp::Le
                | BinOp::Gt
                | BinOp::Ge
                | BinOp::In
                | BinOp::NotIn => Range::UNIT,
            },
            Node::Call { builtin, args } => self.call(builtin, args),
        }
    }

    /// `count(for x in xs ...) / len(xs)`: the share of a list's elements that pass, so 0..=1
    /// (a comprehension has at most as many elements as its source, and `count` counts some of
    /// them).
    fn is_share(&self, numerator: &'p Node, denominator: &'p Node) -> bool {
        let (Node::Call { builtin: count, args: counted }, Node::Call { builtin: len, args: measured }) =
            (numerator, denominator)
        else {
            return false;
        };
        if count != "count" || len != "len" || counted.is_empty() || measured.len() != 1 {
            return false;
        }
        match self.resolve(&counted[0]) {
            Node::For { source, .. } => self.resolve(source) == self.resolve(&measured[0]),
            _ => false,
        }
    }

    /// The range of the elements of a list-valued expression.
    fn elements(&mut self, node: &'p Node) -> Range {
        // A plan read from a file may bind a comprehension over itself; past this depth there is
        // simply no bound.
        if self.depth >= MAX_DEPTH {
            return Range::ANY;
        }
        self.depth += 1;
        let range = self.elements_within(node);
        self.depth -= 1;
        range
    }

    fn elements_within(&mut self, node: &'p Node) -> Range {
        match self.resolve(node) {
            Node::List(items) if !items.is_empty() => {
                items.iter().map(|x| self.range(x)).reduce(Range::hull).unwrap_or(Range::ANY)
            }
            Node::For { slot, source, body, .. } => {
                let element = self.elements(source);
                let outer = self.slots.insert(*slot, element);
                let range = self.range(body);
                match outer {
                    Some(r) => self.slots.insert(*slot, r),
                    None => self.slots.remove(slot),
                };
                range
            }
            _ => Range::ANY,
        }
    }

    fn call(&mut self, name: &str, args: &'p [Node]) -> Range {
        let arg = |i: usize| args.get(i);
        match name {
            "min" | "max" | "mean" if args.len() == 1 => match self.resolve(&args[0]) {
                // The least of a written list is at most the least of its items' highest values
                // (and the greatest at least the greatest of their lowest).
                Node::List(items) if name != "mean" && !items.is_empty() => {
                    let pick: fn(f64, f64) -> f64 = if name == "min" { f64::min } else { f64::max };
                    let ranges: Vec<Range> = items.iter().map(|x| self.range(x)).collect();
                    ranges[1..]
                        .iter()
                        .fold(ranges[0], |a, r| Range { low: pick(a.low, r.low), high: pick(a.high, r.high) })
                }
                _ => self.elements(&args[0]),
            },
            "sum" => match arg(0).map(|a| self.resolve(a)) {
                Some(Node::List(items)) => items.iter().fold(Range::exactly(0.0), |a, x| a.add(self.range(x))),
                _ => Range::ANY,
            },
            "clamp" if args.len() == 3 => {
                let (x, low, high) = (self.range(&args[0]), self.range(&args[1]), self.range(&args[2]));
                Range { low: x.low.max(low.low).min(high.low), high: x.high.max(low.high).min(high.high) }
            }
            "abs" if args.len() == 1 => {
                let x = self.range(&args[0]);
                let low = if x.low >= 0.0 {
                    x.low
                } else if x.high <= 0.0 {
                    -x.high
                } else {
                    0.0
                };
                Range { low, high: x.low.abs().max(x.high.abs()) }
            }
            "round" | "floor" | "ceil" if !args.is_empty() => {
                let x = self.range(&args[0]);
                let digits = match arg(1) {
                    None => Some(Value::Number(0.0)),
                    Some(Node::Const(Const::Number(d))) => Some(Value::Number(*d)),
                    Some(_) => None,
                };
                match digits {
                    // Rounding never lowers a number below its floor nor raises it above its ceiling.
                    None => Range { low: x.low.floor(), high: x.high.ceil() },
                    Some(d) => Range { low: monotone(name, x.low, &d), high: monotone(name, x.high, &d) },
                }
            }
            _ if UNIT_RANGE.contains(&name) => Range::UNIT,
            _ if COUNTS.contains(&name) => Range { low: 0.0, high: f64::INFINITY },
            _ if lookup(name).is_some_and(|b| b.returns == Ty::BOOL) => Range::UNIT,
            _ => Range::ANY,
        }
    }
}

/// A rounding builtin applied to one end of a range (they never decrease, so the ends map to the
/// ends); infinite ends stay infinite, and a failure (bad digits) gives no bound.
fn monotone(name: &str, x: f64, digits: &Value) -> f64 {
    if x.is_infinite() {
        return x;
    }
    let Some(builtin) = lookup(name) else { return f64::NAN };
    let args = if name == "round" { vec![Value::Number(x), digits.clone()] } else { vec![Value::Number(x)] };
    match (builtin.eval)(&args, &mut Ctx::default()) {
        Value::Number(y) => y,
        _ => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check;
    use crate::diagnostic::SourceFile;

    fn max(body: &str) -> Attainable {
        let src = format!("rubric t \"t\" {{\n{body}\n}}\n");
        let c = check::compile(&SourceFile::new("t.rubric", src));
        max_attainable(&c.plan.unwrap_or_else(|| panic!("{:?}", c.diagnostics)))
    }

    fn at_most(body: &str) -> f64 {
        match max(body) {
            Attainable::AtMost(x) => x,
            other => panic!("{body}: {other:?}"),
        }
    }

    const TWO: &str = "criterion a +0.7 { sample.a == 1 }\ncriterion b +0.5 { sample.b == 1 }";

    #[test]
    fn the_sum_of_positive_weights_without_a_score() {
        assert_eq!(at_most(TWO), 1.2);
        assert_eq!(at_most("criterion a +1 { sample.a == 1 }\ncriterion p -0.5 { sample.p == 1 }"), 1.0);
    }

    #[test]
    fn a_score_expression_caps_or_rescales_the_sum() {
        assert_eq!(at_most(&format!("{TWO}\nscore clamp(total, 0, 1)")), 1.0);
        assert_eq!(at_most(&format!("{TWO}\nscore min([total, 1])")), 1.0);
        assert_eq!(at_most(&format!("{TWO}\nscore round(total / 1.2, 2)")), 1.0);
        assert_eq!(at_most(&format!("{TWO}\nscore total / 2")), 0.6);
        assert_eq!(at_most(&format!("{TWO}\nscore if a > 0 then 0.25 else b")), 0.5);
        assert_eq!(at_most(&format!("{TWO}\nscore ratio(sample.x, \"y\") * 0.5 + 0.5")), 1.0);
    }

    #[test]
    fn gates_add_their_values() {
        assert_eq!(at_most(&format!("when sample.x == 1 => 3\n{TWO}")), 3.0);
        assert_eq!(at_most(&format!("when sample.x == 1 => 0\n{TWO}\nscore clamp(total, 0, 1)")), 1.0);
    }

    #[test]
    fn groups_count_their_weight_and_ladders_their_steps() {
        assert_eq!(
            at_most("group g +0.4 all { criterion a +1 { sample.a == 1 } criterion b +1 { sample.b == 1 } }"),
            0.4
        );
        assert_eq!(at_most("group g { criterion a +1 { sample.a == 1 } criterion b +0.5 { sample.b == 1 } }"), 1.5);
        assert_eq!(at_most("ladder l { step s +0.25: sample.a == 1\n step t +0.5: sample.b == 1 }"), 0.75);
    }

    #[test]
    fn a_share_of_a_list_is_at_most_one() {
        let share = "let xs = sample.xs ?? []\nlet ok = for x in xs: x == 1\nscore count(ok) / len(xs)";
        assert_eq!(at_most(share), 1.0);
        assert_eq!(at_most("let xs = sample.xs ?? []\nscore mean(for x in xs: ratio(x, \"a\"))"), 1.0);
    }

    #[test]
    fn numbers_from_the_data_are_not_bounded_and_the_answer_says_where() {
        assert_eq!(
            max("score len(sample.output_text)"),
            Attainable::Unbounded("the score expression at t.rubric:2:7 has no upper bound".into())
        );
        assert!(matches!(max(&format!("when sample.x == 1 => sample.y ?? 0\n{TWO}")), Attainable::Unbounded(why)
            if why.starts_with("the value of the gate `when sample.x == 1` at t.rubric:2:1")));
        let other_list = "let xs = sample.xs ?? []\nlet ok = for x in xs: x == 1\nscore count(ok) / len(sample.ys)";
        assert!(matches!(max(other_list), Attainable::Unbounded(_)));
    }

    #[test]
    fn a_comprehension_over_itself_in_a_plan_file_does_not_recurse_forever() {
        let mut plan = check::compile(&SourceFile::new(
            "t.rubric",
            "rubric t {\n  let xs = for x in sample.xs: x\n  score mean(xs)\n}\n".to_string(),
        ))
        .plan
        .expect("compiles");
        let PlanItem::Let { slot, value, .. } = &mut plan.items[0] else { panic!("{:?}", plan.items[0]) };
        let Node::For { source, .. } = value else { panic!("{value:?}") };
        **source = Node::Slot(*slot);
        assert_eq!(
            max_attainable(&plan),
            Attainable::Unbounded("the score expression at t.rubric:3:9 has no upper bound".into())
        );
    }

    #[test]
    fn on_error_is_a_possible_score() {
        assert_eq!(at_most(&format!("on_error 2\n{TWO}")), 2.0);
    }

    #[test]
    fn the_listed_builtins_exist_and_return_numbers() {
        for name in UNIT_RANGE.iter().chain(COUNTS) {
            let b = lookup(name).unwrap_or_else(|| panic!("no builtin `{name}`"));
            assert_eq!(b.returns, Ty::NUMBER, "{name}");
        }
    }

    #[test]
    fn shipped_rubrics_are_bounded_by_one() {
        for g in ["chipstack", "runloop", "harvey", "tax", "nova_tool", "chem"] {
            let path = format!("{}/rubrics/{g}.rubric", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(&path).expect("a shipped rubric");
            let plan = check::compile(&SourceFile::new(path.as_str(), text)).plan.expect("compiles");
            assert_eq!(max_attainable(&plan), Attainable::AtMost(1.0), "{g}");
        }
    }
}
