//! Lowering: a plan's nodes become executable expressions, with paths, regexes and builtins
//! resolved once per program.

use std::sync::Arc;

use super::path::CompiledPath;
use super::score::positive_zero;
use crate::builtins::{self, Builtin};
use crate::plan::{Check, Const, CriterionPlan, FunctionPlan, FunctionRef, GroupModePlan, Node, PlanItem};
use crate::syntax::ast::{BinOp, TypeName, UnOp};
use crate::value::{Map, Str, Value};

/// The value of a plan constant.
pub fn const_value(c: &Const) -> Result<Value, String> {
    Ok(match c {
        Const::Null => Value::Null,
        Const::Bool(b) => Value::Bool(*b),
        Const::Number(n) => Value::Number(*n),
        Const::Integer(digits) => {
            crate::value::bigint::BigInt::parse(digits).ok_or_else(|| format!("`{digits}` is not an integer"))?
        }
        Const::String(s) => Value::str(s),
        Const::Figure(f) => Value::Figure(Arc::new(f.clone())),
        Const::Regex { source, flags } => Value::Regex(Arc::new(crate::pattern::compile_regex(source, flags)?)),
    })
}

/// The longest source text a trace quotes; longer ones are cut (with `…`).
const QUOTE_MAX: usize = 100;

/// Source text (a check, a gate's condition) as a trace quotes it: on one line, with each run of
/// blanks and line breaks outside string and regex literals made one space, comments dropped,
/// and very long texts cut.
pub(super) fn quotable(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut blank = false;
    let mut chars = source.trim().chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() || c == '\u{FEFF}' {
            blank = true;
            continue;
        }
        if c == '/' && chars.peek() == Some(&'/') {
            chars.by_ref().take_while(|&c| c != '\n').for_each(drop);
            blank = true;
            continue;
        }
        if blank && !out.is_empty() {
            out.push(' ');
        }
        blank = false;
        // A `/` after an operand divides; anywhere else it starts a regex.
        let after_operand = out.ends_with(|p: char| p.is_alphanumeric() || matches!(p, '_' | ')' | ']' | '"' | '%'));
        out.push(c);
        let literal_end = match c {
            '"' => '"',
            '/' if !after_operand => '/',
            '\\' => {
                out.extend(chars.next());
                continue;
            }
            _ => continue,
        };
        // A literal is copied as written (a regex ends at its line's end at the latest).
        while let Some(d) = chars.next_if(|&d| d != '\n' || literal_end == '"') {
            out.push(d);
            if d == '\\' {
                out.extend(chars.next());
            } else if d == literal_end {
                break;
            }
        }
    }
    crate::value::shorten(&out, QUOTE_MAX)
}

/// An author-defined function, ready to call: the body reads each parameter from its slot.
#[derive(Debug)]
pub(super) struct FunctionEx {
    pub(super) name: Arc<str>,
    pub(super) params: Vec<ParamEx>,
    pub(super) body: Ex,
}

#[derive(Debug)]
pub(super) struct ParamEx {
    pub(super) name: Arc<str>,
    pub(super) slot: usize,
    pub(super) ty: Option<TypeName>,
}

/// A function handed to a builtin parameter that applies it.
#[derive(Debug)]
pub(super) enum Callee {
    Builtin(&'static Builtin),
    Defined(Arc<FunctionEx>),
}

/// An executable expression.
#[derive(Debug)]
pub(super) enum Ex {
    Const(Value),
    List(Vec<Ex>),
    Object(Vec<(Str, Ex)>),
    Slot(usize),
    Total,
    Path(Arc<CompiledPath>),
    Member(Box<Ex>, Arc<str>),
    Index(Box<Ex>, Box<Ex>),
    /// A builtin, its arguments, and which of them (bit `i` for argument `i`) are bindings that
    /// the call may move onto its argument stack and back rather than clone (see [`call`]).
    Call(&'static Builtin, Vec<Ex>, u64),
    /// A call of an author-defined function.
    CallFunction(Arc<FunctionEx>, Vec<Ex>),
    /// A function argument of a builtin (applied by [`call`], never evaluated as a value).
    Function(Callee),
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
pub(super) struct CheckEx {
    pub(super) ex: Ex,
    pub(super) text: String,
    /// "`TEXT` is false", made once: the reason of every case that fails this check.
    pub(super) false_reason: Arc<str>,
}

#[derive(Debug)]
pub(super) struct CriterionEx {
    pub(super) id: Arc<str>,
    pub(super) label: Option<Arc<str>>,
    pub(super) weight: f64,
    pub(super) slot: usize,
    pub(super) lets: Vec<(usize, Ex)>,
    pub(super) checks: Vec<CheckEx>,
}

#[derive(Debug)]
pub(super) enum ItemEx {
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

pub(super) fn uses_environment(ex: &Ex) -> bool {
    match ex {
        Ex::Const(_) | Ex::Function(Callee::Builtin(_)) => false,
        // (a function's body may read bindings defined above it)
        Ex::Slot(_)
        | Ex::Total
        | Ex::Path(_)
        | Ex::For { .. }
        | Ex::Quantifier { .. }
        | Ex::CallFunction(..)
        | Ex::Function(Callee::Defined(_)) => true,
        Ex::List(xs) | Ex::Call(_, xs, _) => xs.iter().any(uses_environment),
        Ex::Object(entries) => entries.iter().any(|(_, x)| uses_environment(x)),
        Ex::Member(a, _) | Ex::Unary(_, a) | Ex::Is(a, _, _) => uses_environment(a),
        Ex::Index(a, b) | Ex::Binary(_, a, b) => uses_environment(a) || uses_environment(b),
        Ex::If(a, b, c) => uses_environment(a) || uses_environment(b) || uses_environment(c),
    }
}

pub(super) struct Lowerer<'a> {
    pub(super) paths: &'a mut Vec<Arc<CompiledPath>>,
    /// The functions lowered so far (a function calls only earlier ones).
    pub(super) functions: Vec<Arc<FunctionEx>>,
}

impl Lowerer<'_> {
    /// Lowers the next function of the plan and makes it callable by the ones after it.
    pub(super) fn function(&mut self, f: &FunctionPlan) -> Result<(), String> {
        let body = self.expr(&f.body)?;
        let params =
            f.params.iter().map(|p| ParamEx { name: Arc::from(p.name.as_str()), slot: p.slot, ty: p.ty }).collect();
        self.functions.push(Arc::new(FunctionEx { name: Arc::from(f.name.as_str()), params, body }));
        Ok(())
    }

    fn defined(&self, index: usize) -> Result<Arc<FunctionEx>, String> {
        self.functions
            .get(index)
            .cloned()
            .ok_or_else(|| format!("the plan calls function {index}, which is not defined before the call"))
    }

    pub(super) fn item(&mut self, item: &PlanItem) -> Result<ItemEx, String> {
        Ok(match item {
            PlanItem::Let { name, slot, value } => {
                ItemEx::Let { name: name.clone(), slot: *slot, value: self.expr(value)? }
            }
            PlanItem::Criterion(c) => ItemEx::Criterion(self.criterion(c)?),
            PlanItem::Group(g) => ItemEx::Group {
                id: g.id.as_str().into(),
                label: g.label.as_deref().map(Arc::from),
                weight: g.weight.map(positive_zero),
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
                            weight: positive_zero(s.weight),
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
                text: quotable(text),
                at: at.clone(),
            },
            PlanItem::Score { value, .. } => ItemEx::Score { value: self.expr(value)? },
        })
    }

    fn check(&mut self, c: &Check) -> Result<CheckEx, String> {
        let text = quotable(&c.text);
        let false_reason = format!("`{text}` is false").into();
        Ok(CheckEx { ex: self.expr(&c.node)?, text, false_reason })
    }

    fn criterion(&mut self, c: &CriterionPlan) -> Result<CriterionEx, String> {
        Ok(CriterionEx {
            id: c.id.as_str().into(),
            label: c.label.as_deref().map(Arc::from),
            weight: positive_zero(c.weight),
            slot: c.slot,
            lets: c.lets.iter().map(|(s, e)| Ok((*s, self.expr(e)?))).collect::<Result<_, String>>()?,
            checks: c.checks.iter().map(|k| self.check(k)).collect::<Result<_, String>>()?,
        })
    }

    pub(super) fn expr(&mut self, n: &Node) -> Result<Ex, String> {
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
            Node::Object(entries) => {
                let entries: Vec<(Str, Ex)> =
                    entries.iter().map(|(k, v)| Ok((Str::new(k), self.expr(v)?))).collect::<Result<_, String>>()?;
                if entries.iter().all(|(_, x)| matches!(x, Ex::Const(_))) {
                    let fields = entries
                        .into_iter()
                        .map(|(k, x)| (k, if let Ex::Const(v) = x { v } else { Value::Null }))
                        .collect();
                    Ex::Const(Value::Object(Map::from_fields(fields)))
                } else {
                    Ex::Object(entries)
                }
            }
            Node::CallFunction { function, args } => {
                let f = self.defined(*function)?;
                if f.params.len() != args.len() {
                    return Err(format!(
                        "the plan calls `{}` with {} arguments, but it takes {}",
                        f.name,
                        args.len(),
                        f.params.len()
                    ));
                }
                Ex::CallFunction(f, args.iter().map(|a| self.expr(a)).collect::<Result<_, _>>()?)
            }
            Node::Function(FunctionRef::Defined(index)) => Ex::Function(Callee::Defined(self.defined(*index)?)),
            Node::Function(FunctionRef::Builtin(name)) => Ex::Function(Callee::Builtin(
                builtins::lookup(name)
                    .ok_or_else(|| format!("the plan names `{name}`, which this rubric version does not have"))?,
            )),
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
                // A plan written before a builtin gained an optional parameter passes fewer
                // arguments: the missing ones take their defaults.
                let defaults_missing =
                    f.params.get(args.len()..).is_some_and(|rest| rest.iter().all(|p| p.default.is_some()));
                if args.len() > f.params.len() || !defaults_missing {
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
                    let mut args: Vec<Ex> = args.iter().map(|a| self.expr(a)).collect::<Result<_, _>>()?;
                    let defaults =
                        f.params[args.len()..].iter().filter_map(|p| p.default.map(|d| Ex::Const(d.value())));
                    args.extend(defaults);
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

/// The arguments of a call that are bindings no later argument reads (bit `i` for argument `i`):
/// [`call`] moves their values onto its stack and back instead of cloning them, which for a shared
/// list, object or long string saves two atomic operations on its count. (Arguments are evaluated
/// in order and a builtin sees only its arguments, so nothing else can read the binding meanwhile.)
pub(super) fn movable_bindings(args: &[Ex]) -> u64 {
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
pub(super) fn reads_slot(ex: &Ex, slot: usize) -> bool {
    let reads = |e: &Ex| reads_slot(e, slot);
    match ex {
        Ex::Const(_) | Ex::Total | Ex::Path(_) | Ex::Function(Callee::Builtin(_)) => false,
        // (a function's body may read any binding defined above it)
        Ex::CallFunction(..) | Ex::Function(Callee::Defined(_)) => true,
        Ex::Slot(s) => *s == slot,
        Ex::List(xs) | Ex::Call(_, xs, _) => xs.iter().any(reads),
        Ex::Object(entries) => entries.iter().any(|(_, x)| reads(x)),
        Ex::Member(a, _) | Ex::Unary(_, a) | Ex::Is(a, _, _) => reads(a),
        Ex::Index(a, b) | Ex::Binary(_, a, b) => reads(a) || reads(b),
        Ex::If(a, b, c) => reads(a) || reads(b) || reads(c),
        Ex::For { slot: bound, source, filter, body } | Ex::Quantifier { slot: bound, source, filter, body, .. } => {
            *bound == slot || reads(source) || filter.as_deref().is_some_and(reads) || reads(body)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::quotable;

    #[test]
    fn quoted_text_is_one_line_without_comments() {
        assert_eq!(quotable("if a then 0\n    else (b + c) // why\n  "), "if a then 0 else (b + c)");
    }
    #[test]
    fn quoted_text_keeps_literals_as_written() {
        assert_eq!(quotable("contains(x,  \"a  // b\")"), "contains(x, \"a  // b\")");
        assert_eq!(quotable("matches(x,  /a  b\\/ c/i)  and  y / 2"), "matches(x, /a  b\\/ c/i) and y / 2");
    }
    #[test]
    fn long_quoted_text_is_cut() {
        let q = quotable(&format!("f({})", "x, ".repeat(60)));
        assert_eq!(q.chars().count(), 100);
        assert!(q.ends_with('…'));
    }
}
