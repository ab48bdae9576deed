//! The abstract syntax tree. Every node carries the byte span of its source.

use serde::{Deserialize, Serialize};

pub use crate::diagnostic::Span;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Text {
    pub value: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rubric {
    pub name: Ident,
    pub description: Option<Text>,
    pub items: Vec<Item>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Item {
    Setting(Setting),
    Let(Let),
    Function(Function),
    Criterion(Criterion),
    Group(Group),
    Ladder(Ladder),
    Gate(Gate),
    Score(Expr),
}

impl Item {
    /// The source span of the whole item (for `score`, of its expression).
    pub fn span(&self) -> Span {
        match self {
            Item::Setting(s) => s.span,
            Item::Let(l) => l.span,
            Item::Function(f) => f.span,
            Item::Criterion(c) => c.span,
            Item::Group(g) => g.span,
            Item::Ladder(l) => l.span,
            Item::Gate(g) => g.span,
            Item::Score(e) => e.span,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Setting {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Let {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// `fn NAME(PARAM, PARAM: TYPE) = BODY`: a function of its parameters and of the names defined
/// above it (so it cannot call itself, directly or through another function).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Function {
    pub name: Ident,
    pub params: Vec<FunctionParam>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FunctionParam {
    pub name: Ident,
    /// The type the argument must have, when written (`r: string`).
    pub ty: Option<TypeName>,
}

/// A weight as written (`+0.05`, `-1`), kept as text too so a plan and a formatter reproduce it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Weight {
    pub value: f64,
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Criterion {
    pub id: Ident,
    pub weight: Weight,
    pub label: Option<Text>,
    pub lets: Vec<Let>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum GroupMode {
    /// No weight: the members' earned weights add up. With a weight: the weight times the fraction
    /// of the members' positive weight that was earned.
    Sum,
    /// The weight when every member is met.
    All,
    /// The weight when at least one member is met.
    Any,
    /// The weight when at least this many members are met.
    AtLeast(usize),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum GroupMember {
    Let(Let),
    Criterion(Criterion),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Group {
    pub id: Ident,
    pub weight: Option<Weight>,
    pub label: Option<Text>,
    pub mode: GroupMode,
    pub members: Vec<GroupMember>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    pub id: Ident,
    pub weight: Weight,
    pub label: Option<Text>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ladder {
    pub id: Ident,
    pub label: Option<Text>,
    pub steps: Vec<Step>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Gate {
    pub condition: Expr,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BinOp {
    Or,
    And,
    Coalesce,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Coalesce => "??",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::NotIn => "not in",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnOp {
    Not,
    Neg,
}

/// The type named in `x is T`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TypeName {
    Missing,
    Null,
    Bool,
    Number,
    String,
    List,
    Object,
    Error,
    Figure,
    Regex,
}

impl TypeName {
    pub fn parse(s: &str) -> Option<TypeName> {
        Some(match s {
            "missing" => TypeName::Missing,
            "null" => TypeName::Null,
            "bool" => TypeName::Bool,
            "number" => TypeName::Number,
            "string" => TypeName::String,
            "list" => TypeName::List,
            "object" => TypeName::Object,
            "error" => TypeName::Error,
            "figure" => TypeName::Figure,
            "regex" => TypeName::Regex,
            _ => return None,
        })
    }
    pub fn ty(self) -> crate::value::Ty {
        use crate::value::Ty;
        match self {
            TypeName::Missing => Ty::MISSING,
            TypeName::Null => Ty::NULL,
            TypeName::Bool => Ty::BOOL,
            TypeName::Number => Ty::NUMBER,
            TypeName::String => Ty::STRING,
            TypeName::List => Ty::LIST,
            TypeName::Object => Ty::OBJECT,
            TypeName::Error => Ty::ERROR,
            TypeName::Figure => Ty::FIGURE,
            TypeName::Regex => Ty::REGEX,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            TypeName::Missing => "missing",
            TypeName::Null => "null",
            TypeName::Bool => "bool",
            TypeName::Number => "number",
            TypeName::String => "string",
            TypeName::List => "list",
            TypeName::Object => "object",
            TypeName::Error => "error",
            TypeName::Figure => "figure",
            TypeName::Regex => "regex",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Arg {
    pub name: Option<Ident>,
    pub value: Expr,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Number(f64),
    Str(String),
    /// `/source/flags`
    Regex {
        source: String,
        flags: String,
    },
    /// `$248,333` or `26.67%`, as written.
    Figure(String),
    List(Vec<Expr>),
    /// `{name: value, "any key": value}`: keys in source order.
    Object(Vec<(Text, Expr)>),
    /// A binding, a criterion id, `total` or a builtin's name.
    Name(String),
    /// A JSONPath rooted at `sample`, `item` or `case`, as written.
    Path(String),
    Member(Box<Expr>, Ident),
    Index(Box<Expr>, Box<Expr>),
    Call {
        name: Ident,
        args: Vec<Arg>,
    },
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Is {
        value: Box<Expr>,
        negated: bool,
        ty: TypeName,
    },
    If {
        condition: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    Comprehension {
        var: Ident,
        source: Box<Expr>,
        filter: Option<Box<Expr>>,
        body: Box<Expr>,
    },
}
