//! The syntax tree of a query, with byte spans into the query text so that
//! every later error can point at its place.

/// A byte range in the query text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from start to end.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
}

/// A whole query: a search expression, then stages.
#[derive(Clone, Debug)]
pub struct Query {
    /// The search expression before the first `|`; `None` means everything.
    pub search: Option<Search>,
    /// The stages in order.
    pub stages: Vec<Stage>,
}

/// A search-expression node (SPEC §4).
#[derive(Clone, Debug)]
pub enum Search {
    /// Both sides match.
    And(Box<Search>, Box<Search>),
    /// Either side matches.
    Or(Box<Search>, Box<Search>),
    /// The inner term does not match.
    Not(Box<Search>),
    /// `field=value` or `field!=value`.
    Field {
        /// The field name.
        name: FieldName,
        /// True for `!=`.
        negated: bool,
        /// The pattern text, with `*` and `?` wildcards.
        pattern: String,
        /// Where the term is.
        span: Span,
    },
    /// A bare keyword or a quoted phrase, matched against `_raw`.
    Keyword {
        /// The keyword text.
        text: String,
        /// Where the term is.
        span: Span,
    },
}

/// A field name as written, with its place.
#[derive(Clone, Debug)]
pub struct FieldName {
    /// The name (for `%"odd name"`, the text inside the quotes).
    pub name: String,
    /// True when written as `%"..."`: never split into a path.
    pub quoted: bool,
    /// Where it is.
    pub span: Span,
}

/// A stage after a `|`.
#[derive(Clone, Debug)]
pub struct Stage {
    /// What the stage does.
    pub kind: StageKind,
    /// The whole stage text.
    pub span: Span,
}

/// The stages the grammar knows.
#[derive(Clone, Debug)]
pub enum StageKind {
    /// `where COND`.
    Where(Expr),
    /// `eval F = E, ...`.
    Eval(Vec<(FieldName, Expr)>),
    /// `EXPR as F`.
    As(Expr, FieldName),
    /// `fields a, b` or `fields - a, b`.
    Fields {
        /// True for the dropping form.
        drop: bool,
        /// The names.
        names: Vec<FieldName>,
    },
    /// Aggregation: `count`, `sum(x) as s`, ... `by k, ...`.
    Aggregate {
        /// The aggregate calls in order.
        aggs: Vec<AggCall>,
        /// The group keys.
        by: Vec<FieldName>,
    },
    /// `sort by K, ...`.
    Sort(Vec<SortKey>),
    /// `limit N`.
    Limit(u64, Span),
    /// `top N f, ... [by k [asc|desc], ...]`.
    Top {
        /// How many rows.
        n: u64,
        /// The fields whose values are ranked.
        fields: Vec<FieldName>,
        /// The ranking keys (empty: rank by count).
        by: Vec<SortKey>,
    },
    /// A bare function stage such as `num(x)`.
    Func(Expr),
    /// Any other stage: its name and its tokens, read by the stage's own
    /// builder (see `src/stages/registry.rs`).
    Generic(GenericStage),
}

/// A stage given as a name and a token list.
#[derive(Clone, Debug)]
pub struct GenericStage {
    /// The stage name as written.
    pub name: String,
    /// Where the name is.
    pub name_span: Span,
    /// The tokens after the name.
    pub args: Vec<Token>,
}

/// One token of a generic stage.
#[derive(Clone, Debug)]
pub struct Token {
    /// What it is.
    pub kind: Tok,
    /// Where it is.
    pub span: Span,
}

/// Token kinds of a generic stage.
#[derive(Clone, Debug)]
pub enum Tok {
    /// A bare word: a name, a keyword such as `as` or `nodrop`, a path.
    Word(String),
    /// A double- or single-quoted string, escapes applied.
    Str(String),
    /// A `/regex/` literal (its source).
    Regex(String),
    /// A number literal as written (`10`, `1.5`, `5m`).
    Num(String),
    /// A `%"quoted field name"`.
    Name(String),
    /// `key=value`.
    KeyVal(String, Box<Token>),
    /// `name(arg, ...)`.
    Call(String, Vec<Token>),
    /// `( ... )` with its raw inner text (a sub-query, a clause).
    Paren(String),
    /// `,`.
    Comma,
}

/// One aggregate call.
#[derive(Clone, Debug)]
pub struct AggCall {
    /// The function name, lower-cased.
    pub func: String,
    /// Where the function name is.
    pub func_span: Span,
    /// The arguments (none for plain `count`).
    pub args: Vec<Expr>,
    /// `as NAME`.
    pub alias: Option<FieldName>,
    /// The whole call.
    pub span: Span,
}

/// Sort direction as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortMark {
    /// No sign or suffix.
    None,
    /// `+` or `asc`.
    Asc,
    /// `asc` suffix.
    Desc,
    /// `-` prefix.
    Minus,
}

/// One sort key.
#[derive(Clone, Debug)]
pub struct SortKey {
    /// The field.
    pub field: FieldName,
    /// How it was marked.
    pub mark: SortMark,
}

/// An expression with its place.
#[derive(Clone, Debug)]
pub struct Expr {
    /// The node.
    pub kind: ExprKind,
    /// Where it is.
    pub span: Span,
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    /// `!` / `not`.
    Not,
    /// `-`.
    Neg,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `or`, `||`.
    Or,
    /// `and`, `&&`.
    And,
    /// `=`, `==`.
    Eq,
    /// `!=`, `<>`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
    /// `%`.
    Rem,
}

/// Expression nodes.
#[derive(Clone, Debug)]
pub enum ExprKind {
    /// A boolean literal.
    Bool(bool),
    /// An integer literal (suffixes already applied).
    Int(i64),
    /// A float literal.
    Float(f64),
    /// A string literal, escapes applied.
    Str(String),
    /// A field reference.
    Field(FieldName),
    /// A function call.
    Call {
        /// The name as written.
        name: String,
        /// Where the name is.
        name_span: Span,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// A unary operation.
    Unary(UnOp, Box<Expr>),
    /// A binary operation.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `x in (...)` / `x not in (...)`.
    In {
        /// The tested value.
        expr: Box<Expr>,
        /// The list.
        list: Vec<Expr>,
        /// True for `not in`.
        negated: bool,
    },
    /// `x matches "wild*card"` (or a field holding the pattern).
    MatchesWildcard {
        /// The tested value.
        expr: Box<Expr>,
        /// The pattern.
        pattern: Box<Expr>,
        /// True for `not matches`.
        negated: bool,
    },
    /// `x matches /regex/`.
    MatchesRegex {
        /// The tested value.
        expr: Box<Expr>,
        /// The regex source.
        regex: String,
        /// Where the regex literal is.
        regex_span: Span,
        /// True for `not matches`.
        negated: bool,
    },
    /// A `/regex/` literal given as a function argument (`replace(x, /re/, "y")`).
    Regex(String),
    /// `c ? a : b`.
    Ternary(Box<Expr>, Box<Expr>, Box<Expr>),
}
