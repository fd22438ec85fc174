//! The search box's query language, parsed into an [`Expr`] of terms plus [`Warning`]s for
//! whatever was not understood. Evaluation is the engine's (`EventStore::compile`): each term is
//! checked once per distinct dictionary string, never per row.
//!
//! - Words are AND-ed; `AND` may be written. `a OR b` (also `a | b`) binds tighter than AND, so
//!   `user:alice event:Delete* OR event:Stop*` is alice AND (Delete* OR Stop*). `NOT term` and
//!   `-term` exclude; parentheses group; `user:(alice OR bob)` scopes a group to a field.
//!   Keywords are upper case: `or`, `and`, `not` are ordinary words.
//! - A word matches when some searchable field (or the event / request id) contains it,
//!   case-insensitively. `"two words"` is one literal term.
//! - `field:value` restricts to one field, by alias ([`Field::aliases`]) or by JSON path as the
//!   tree copies it (`userIdentity.userName:bob`, `requestParameters.Tags[0]:a`,
//!   `referencedResources["ACS::ECS::Instance"]:i-1`, a known top-level key such as
//!   `apiVersion:2014`): the value at that path contains `value` (string values unquoted,
//!   others as compact JSON).
//! - `*` (any run of characters) and `?` (one character) make a term match a whole value:
//!   `event:Describe*` starts with Describe, `*bucket` ends with bucket. An empty or absent value
//!   never matches a wildcard, so `user:*` means "has a user name". Quoted characters are
//!   literal.

use crate::json_path::{JsonPath, Segment};
use crate::schema::{Field, FIELDS};
use std::fmt;

/// Where a term looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every indexed field, and the event and request ids.
    Any,
    Field(Field),
    /// The value at a JSON path that is not an indexed field.
    Path(JsonPath),
}

/// One piece of a wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Lowercase literal text.
    Lit(String),
    /// `?`: exactly one character.
    One,
    /// `*`: any run of characters, also none.
    Star,
}

/// What a term matches, on lowercase text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    /// The value contains this (lowercase) text.
    Contains(String),
    /// The whole value matches these pieces (no two `Star`s in a row).
    Glob(Vec<Piece>),
}

impl Pattern {
    /// Whether lowercase `text` matches. Wildcard patterns never match an empty value.
    pub fn matches(&self, text: &str) -> bool {
        match self {
            Pattern::Contains(n) => text.contains(n.as_str()),
            Pattern::Glob(p) => !text.is_empty() && glob(p, text),
        }
    }

    /// [`Pattern::matches`] on a field's lowercase value, where an empty value reads as
    /// `empty_as` if given (the result column shows an empty error code as "OK").
    pub fn matches_value(&self, lower: &str, empty_as: Option<&str>) -> bool {
        let s = match (lower.is_empty(), empty_as) {
            (true, Some(alt)) => alt,
            _ => lower,
        };
        self.matches(s)
    }

    /// The longest literal text every match contains (for prefilters; "" if none).
    pub fn longest_literal(&self) -> &str {
        match self {
            Pattern::Contains(n) => n,
            Pattern::Glob(p) => p
                .iter()
                .filter_map(|x| match x {
                    Piece::Lit(s) => Some(s.as_str()),
                    _ => None,
                })
                .max_by_key(|s| s.len())
                .unwrap_or(""),
        }
    }
}

/// Whether the pieces match all of `s`: the classic two-pointer wildcard match, backtracking
/// to the last `*` only (linear for patterns without `*`, O(len · pieces) at worst).
fn glob(p: &[Piece], s: &str) -> bool {
    let next_char = |i: usize| s[i..].chars().next().map_or(1, char::len_utf8);
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if let Some(piece) = p.get(pi) {
            match piece {
                Piece::Star => {
                    star = Some((pi + 1, si));
                    pi += 1;
                    continue;
                }
                Piece::One if si < s.len() => {
                    si += next_char(si);
                    pi += 1;
                    continue;
                }
                Piece::Lit(l) if s[si..].starts_with(l.as_str()) => {
                    si += l.len();
                    pi += 1;
                    continue;
                }
                _ => {}
            }
        } else if si == s.len() {
            return true;
        }
        // Mismatch: let the last `*` take one more character.
        match star {
            Some((sp, ss)) if ss < s.len() => {
                let ss = ss + next_char(ss);
                star = Some((sp, ss));
                pi = sp;
                si = ss;
            }
            _ => return false,
        }
    }
}

/// A condition on one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub scope: Scope,
    pub pattern: Pattern,
}

/// A parsed query. `And` / `Or` hold at least two items and never a constant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// Every event (an empty query).
    True,
    /// No event.
    False,
    Term(Term),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

impl Expr {
    /// `items` AND-ed, flattened and simplified.
    pub fn and(items: Vec<Expr>) -> Expr {
        let mut out = Vec::new();
        for e in items {
            match e {
                Expr::True => {}
                Expr::False => return Expr::False,
                Expr::And(xs) => out.extend(xs),
                e => out.push(e),
            }
        }
        match out.len() {
            0 => Expr::True,
            1 => out.pop().expect("one item"),
            _ => Expr::And(out),
        }
    }

    /// `items` OR-ed, flattened and simplified.
    pub fn or(items: Vec<Expr>) -> Expr {
        let mut out = Vec::new();
        for e in items {
            match e {
                Expr::False => {}
                Expr::True => return Expr::True,
                Expr::Or(xs) => out.extend(xs),
                e => out.push(e),
            }
        }
        match out.len() {
            0 => Expr::False,
            1 => out.pop().expect("one item"),
            _ => Expr::Or(out),
        }
    }

    /// The negation, simplified.
    pub fn negate(self) -> Expr {
        match self {
            Expr::True => Expr::False,
            Expr::False => Expr::True,
            Expr::Not(x) => *x,
            e => Expr::Not(Box::new(e)),
        }
    }

    /// The distinct JSON paths of the expression's path terms, in order of appearance.
    pub fn paths(&self) -> Vec<JsonPath> {
        fn walk(e: &Expr, out: &mut Vec<JsonPath>) {
            match e {
                Expr::Term(Term {
                    scope: Scope::Path(p),
                    ..
                }) if !out.contains(p) => out.push(p.clone()),
                Expr::Not(x) => walk(x, out),
                Expr::And(xs) | Expr::Or(xs) => xs.iter().for_each(|x| walk(x, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }
}

/// A compact S-expression, for tests and debugging: `(and "alice" (or event:glob"describe*"
/// path:a.b"x") (not "read"))`.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Expr::True => f.write_str("true"),
            Expr::False => f.write_str("false"),
            Expr::Term(t) => {
                match &t.scope {
                    Scope::Any => {}
                    Scope::Field(fl) => write!(f, "{}:", fl.aliases()[0])?,
                    Scope::Path(p) => write!(f, "path:{p}")?,
                }
                match &t.pattern {
                    Pattern::Contains(n) => write!(f, "{n:?}"),
                    Pattern::Glob(ps) => {
                        let s: String = ps
                            .iter()
                            .map(|p| match p {
                                Piece::Lit(l) => l.as_str(),
                                Piece::One => "?",
                                Piece::Star => "*",
                            })
                            .collect();
                        write!(f, "glob{s:?}")
                    }
                }
            }
            Expr::Not(x) => write!(f, "(not {x})"),
            Expr::And(xs) | Expr::Or(xs) => {
                f.write_str(if matches!(self, Expr::And(_)) {
                    "(and"
                } else {
                    "(or"
                })?;
                for x in xs {
                    write!(f, " {x}")?;
                }
                f.write_str(")")
            }
        }
    }
}

/// Something in the query that was not understood, or cannot match; shown under the search box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// `name:value` where `name` is neither a field alias nor a JSON path: searched as `text`.
    UnknownField { name: String, text: String },
    /// `a*b:value`: field names take no wildcards; searched as `text`.
    WildcardInField { name: String, text: String },
    /// `OR` / `AND` / `NOT` without a term where one is needed: ignored.
    Dangling(&'static str),
    /// `(` without its `)`: the group runs to the end.
    MissingClose,
    /// `()`: ignored.
    EmptyGroup,
    /// A path term whose path no loaded event has (known once every event is read).
    NoSuchPath(String),
    /// Groups or `NOT`s nested deeper than [`MAX_DEPTH`]: the search is not applied.
    TooDeep,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Warning::UnknownField { name, text } => write!(
                f,
                "Unknown field \"{name}\": searched for the text \"{text}\". Fields are {}, or a \
                 JSON path such as userIdentity.userName; quote text with a colon.",
                field_list()
            ),
            Warning::WildcardInField { name, text } => write!(
                f,
                "Field names take no wildcards (\"{name}\"): searched for the text \"{text}\"."
            ),
            Warning::Dangling(op) => {
                write!(f, "\"{op}\" needs a term on each side: ignored.")
            }
            Warning::MissingClose => f.write_str("Missing \")\": the group runs to the end."),
            Warning::EmptyGroup => f.write_str("Empty \"()\": ignored."),
            Warning::NoSuchPath(p) => write!(f, "No loaded event has {p}."),
            Warning::TooDeep => write!(
                f,
                "Parentheses or NOTs nested more than {MAX_DEPTH} deep: this search is not applied."
            ),
        }
    }
}

/// The first alias of every field: `event, service, user, …`.
pub fn field_list() -> String {
    FIELDS
        .iter()
        .map(|f| f.aliases()[0])
        .collect::<Vec<_>>()
        .join(", ")
}

/// Top-level keys of ActionTrail events that are usable as a one-word path (`apiVersion:2014`);
/// matched case-insensitively. Any other key works in a dotted path or as `["key"]`.
pub const KNOWN_KEYS: &[&str] = &[
    "eventId",
    "eventVersion",
    "eventSource",
    "eventType",
    "eventName",
    "eventTime",
    "eventRW",
    "eventCategory",
    "acsRegion",
    "serviceName",
    "apiVersion",
    "requestId",
    "sourceIpAddress",
    "userAgent",
    "userIdentity",
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "errorCode",
    "errorMessage",
    "resourceType",
    "resourceName",
    "referencedResources",
    "isGlobal",
    "recipientAccountId",
    "sharedEventId",
    "vpcId",
];

/// A parsed query with what was not understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub expr: Expr,
    pub warnings: Vec<Warning>,
}

/// Parse the search box's text. Never fails: anything not understood is read in the closest
/// sensible way and reported in [`Query::warnings`].
/// Deeper nesting of groups and `NOT` than this is not searched (the parser and the filter
/// recurse once a level; an 8 KB paste of parentheses must not overflow the stack).
pub const MAX_DEPTH: usize = 64;

/// How deep `toks` nest: open groups plus the `NOT`s applied at that point.
fn nesting(toks: &[Tok]) -> usize {
    // What each open group added (itself and the NOTs in front of it), given back at its `)`.
    let mut open: Vec<usize> = Vec::new();
    let (mut depth, mut nots, mut max) = (0usize, 0usize, 0usize);
    for t in toks {
        match t {
            Tok::Open | Tok::ScopeOpen(_) => {
                open.push(1 + nots);
                depth += 1 + nots;
                nots = 0;
            }
            Tok::Close => {
                depth -= open.pop().unwrap_or(0);
                nots = 0;
            }
            Tok::Not => nots += 1,
            _ => nots = 0,
        }
        max = max.max(depth + nots);
    }
    max
}

pub fn parse(text: &str) -> Query {
    let toks = lex(text);
    if nesting(&toks) > MAX_DEPTH {
        return Query {
            expr: Expr::True,
            warnings: vec![Warning::TooDeep],
        };
    }
    let mut p = Parser {
        toks,
        pos: 0,
        warnings: Vec::new(),
    };
    let mut items = Vec::new();
    loop {
        items.push(p.seq(&Scope::Any));
        // `seq` stops at `)` only inside a group, and the lexer makes `)` a token only then.
        if p.peek().is_none() {
            break;
        }
        p.pos += 1;
    }
    Query {
        expr: Expr::and(items),
        warnings: p.warnings,
    }
}

// ---------------------------------------------------------------------------------------------
// Lexer.

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(Word),
    /// `field:(`: a group whose plain words search that field.
    ScopeOpen(Word),
    Open,
    Close,
    Or,
    And,
    Not,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Word {
    /// Written with a leading `-`.
    neg: bool,
    /// The characters, each with whether it was quoted (literal).
    chars: Vec<(char, bool)>,
    /// Index in `chars` of the field separator: the first `:` outside quotes and brackets, if
    /// nothing before it was quoted.
    colon: Option<usize>,
}

impl Word {
    fn text(chars: &[(char, bool)]) -> String {
        chars.iter().map(|c| c.0).collect()
    }
}

fn lex(text: &str) -> Vec<Tok> {
    let cs: Vec<char> = text.chars().collect();
    let n = cs.len();
    let mut out = Vec::new();
    // Open groups: `)` closes one only while there is one; otherwise it is an ordinary character.
    let mut depth = 0usize;
    let ends_word =
        |c: char, depth: usize| c.is_whitespace() || c == '|' || (c == ')' && depth > 0);
    let mut i = 0;
    while i < n {
        let c = cs[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        match c {
            '|' => {
                out.push(Tok::Or);
                i += 1;
                continue;
            }
            '(' => {
                out.push(Tok::Open);
                depth += 1;
                i += 1;
                continue;
            }
            ')' if depth > 0 => {
                out.push(Tok::Close);
                depth -= 1;
                i += 1;
                continue;
            }
            _ => {}
        }
        let mut w = Word::default();
        if c == '-' && i + 1 < n && !ends_word(cs[i + 1], depth) {
            i += 1;
            if cs[i] == '(' {
                out.push(Tok::Not);
                continue;
            }
            w.neg = true;
        }
        let mut quoted = false;
        let mut scope_open = false;
        while i < n {
            let c = cs[i];
            if ends_word(c, depth) {
                break;
            }
            match c {
                '"' => {
                    quoted = true;
                    i += 1;
                    while i < n && cs[i] != '"' {
                        w.chars.push((cs[i], true));
                        i += 1;
                    }
                    i += 1; // the closing quote (or the end)
                    continue;
                }
                '(' if w.colon.is_some_and(|k| k + 1 == w.chars.len()) => {
                    scope_open = true;
                    depth += 1;
                    i += 1;
                    break;
                }
                '[' if cs.get(i + 1) == Some(&'"') && w.colon.is_none() && !quoted => {
                    // A path's bracketed JSON string key (`a["x.y: z"]`), up to its closing quote.
                    w.chars.push(('[', false));
                    w.chars.push(('"', false));
                    i += 2;
                    while i < n {
                        let c = cs[i];
                        w.chars.push((c, false));
                        i += 1;
                        if c == '\\' && i < n {
                            w.chars.push((cs[i], false));
                            i += 1;
                        } else if c == '"' {
                            break;
                        }
                    }
                    continue;
                }
                ':' if w.colon.is_none() && !quoted => w.colon = Some(w.chars.len()),
                _ => {}
            }
            w.chars.push((c, false));
            i += 1;
        }
        if scope_open {
            out.push(Tok::ScopeOpen(w));
            continue;
        }
        if w.chars.is_empty() {
            continue; // `""`
        }
        let keyword = if !w.neg && !quoted {
            match Word::text(&w.chars).as_str() {
                "OR" => Some(Tok::Or),
                "AND" => Some(Tok::And),
                "NOT" => Some(Tok::Not),
                _ => None,
            }
        } else {
            None
        };
        out.push(keyword.unwrap_or(Tok::Word(w)));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Parser: seq := or (AND? or)* ; or := unary (OR unary)* ; unary := NOT unary | group | word.

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    warnings: Vec<Warning>,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn at_operand(&self) -> bool {
        matches!(
            self.peek(),
            Some(Tok::Word(_) | Tok::ScopeOpen(_) | Tok::Open | Tok::Not)
        )
    }

    fn warn(&mut self, w: Warning) {
        if !self.warnings.contains(&w) {
            self.warnings.push(w);
        }
    }

    /// Terms up to the end or a `)` (not consumed), AND-ed.
    fn seq(&mut self, scope: &Scope) -> Expr {
        let mut items = Vec::new();
        while let Some(t) = self.peek() {
            match t {
                Tok::Close => break,
                Tok::And => {
                    self.pos += 1;
                    if items.is_empty() || !self.at_operand() {
                        self.warn(Warning::Dangling("AND"));
                    }
                }
                Tok::Or => {
                    self.pos += 1;
                    self.warn(Warning::Dangling("OR"));
                }
                _ => items.extend(self.or(scope)),
            }
        }
        Expr::and(items)
    }

    /// `None` if every operand was ignored.
    fn or(&mut self, scope: &Scope) -> Option<Expr> {
        let mut alts: Vec<Expr> = self.unary(scope).into_iter().collect();
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            if self.at_operand() {
                alts.extend(self.unary(scope));
            } else {
                self.warn(Warning::Dangling("OR"));
            }
        }
        (!alts.is_empty()).then(|| Expr::or(alts))
    }

    /// One operand (the caller has checked [`Parser::at_operand`]); `None` if it is ignored
    /// (an empty group, a field without a value yet), also under a `NOT`.
    fn unary(&mut self, scope: &Scope) -> Option<Expr> {
        let tok = self.toks[self.pos].clone();
        self.pos += 1;
        match tok {
            Tok::Not => {
                if self.at_operand() {
                    self.unary(scope).map(Expr::negate)
                } else {
                    self.warn(Warning::Dangling("NOT"));
                    None
                }
            }
            Tok::Open => self.group(scope),
            Tok::ScopeOpen(w) => {
                let k = w.colon.expect("a scope has its colon");
                let name = Word::text(&w.chars[..k]);
                let inner = match self.resolve(&name, &Word::text(&w.chars)) {
                    Some(s) => s,
                    None => scope.clone(),
                };
                let e = self.group(&inner)?;
                Some(if w.neg { e.negate() } else { e })
            }
            Tok::Word(w) => self.term(&w, scope),
            Tok::Close | Tok::Or | Tok::And => unreachable!("not an operand"),
        }
    }

    /// After `(`: its terms up to the matching `)`; `None` if there are none.
    fn group(&mut self, scope: &Scope) -> Option<Expr> {
        let start = self.pos;
        let e = self.seq(scope);
        let empty = self.pos == start;
        if self.peek() == Some(&Tok::Close) {
            self.pos += 1;
        } else {
            self.warn(Warning::MissingClose);
        }
        if empty {
            self.warn(Warning::EmptyGroup);
            return None;
        }
        Some(e)
    }

    fn term(&mut self, w: &Word, scope: &Scope) -> Option<Expr> {
        let (scope, value) = match w.colon {
            Some(k) => {
                let name = Word::text(&w.chars[..k]);
                match self.resolve(&name, &Word::text(&w.chars)) {
                    Some(s) => (s, &w.chars[k + 1..]),
                    None => (scope.clone(), &w.chars[..]),
                }
            }
            None => (scope.clone(), &w.chars[..]),
        };
        if value.is_empty() {
            // `user:` while typing: no condition yet.
            return None;
        }
        let t = Expr::Term(Term {
            scope,
            pattern: pattern(value),
        });
        Some(if w.neg { t.negate() } else { t })
    }

    /// What `name:` restricts to; `None` (the word is searched as text, `text`) if it is no
    /// field, warning when it looks like a mistyped one.
    fn resolve(&mut self, name: &str, text: &str) -> Option<Scope> {
        if name.is_empty() {
            return None;
        }
        if let Some(f) = Field::from_alias(name) {
            return Some(Scope::Field(f));
        }
        let unbracketed = name.split('[').next().unwrap_or("");
        if unbracketed.contains(['*', '?']) {
            self.warn(Warning::WildcardInField {
                name: name.into(),
                text: text.into(),
            });
            return None;
        }
        if let Some(s) = path_scope(name) {
            return Some(s);
        }
        let identifier = name
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_alphanumeric() || c == '_');
        if identifier {
            self.warn(Warning::UnknownField {
                name: name.into(),
                text: text.into(),
            });
        }
        None
    }
}

/// `name` as a JSON path: dotted or bracketed (`a.b`, `a[0]`, `["k"]`), or one known top-level
/// key. An indexed field's path (in any case) is that field.
fn path_scope(name: &str) -> Option<Scope> {
    let first = name.chars().next()?;
    if !(first.is_alphabetic() || first == '_' || first == '$' || first == '[') {
        return None;
    }
    let mut path = JsonPath::parse(name)?;
    if path.0.is_empty() {
        return None;
    }
    if path.0.len() == 1 && !name.contains('[') {
        let Segment::Key(k) = &path.0[0] else {
            return None;
        };
        let known = KNOWN_KEYS.iter().find(|x| x.eq_ignore_ascii_case(k))?;
        path = JsonPath(vec![Segment::Key((*known).to_string())]);
    }
    let s = path.to_string();
    Some(
        match FIELDS
            .into_iter()
            .find(|f| f.path().eq_ignore_ascii_case(&s))
        {
            Some(f) => Scope::Field(f),
            None => Scope::Path(path),
        },
    )
}

/// A term's value: a wildcard pattern if it has an unquoted `*` or `?`, else a substring.
fn pattern(value: &[(char, bool)]) -> Pattern {
    let wild = |&(c, q): &(char, bool)| !q && (c == '*' || c == '?');
    if !value.iter().any(wild) {
        return Pattern::Contains(Word::text(value).to_lowercase());
    }
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let flush = |lit: &mut String, pieces: &mut Vec<Piece>| {
        if !lit.is_empty() {
            pieces.push(Piece::Lit(std::mem::take(lit).to_lowercase()));
        }
    };
    for &(c, q) in value {
        match (c, q) {
            ('*', false) => {
                flush(&mut lit, &mut pieces);
                if pieces.last() != Some(&Piece::Star) {
                    pieces.push(Piece::Star);
                }
            }
            ('?', false) => {
                flush(&mut lit, &mut pieces);
                pieces.push(Piece::One);
            }
            (c, _) => lit.push(c),
        }
    }
    flush(&mut lit, &mut pieces);
    match pieces.as_slice() {
        // `*x*` is "contains x" (neither matches an empty value): the faster form.
        [Piece::Star, Piece::Lit(x), Piece::Star] => Pattern::Contains(x.clone()),
        _ => Pattern::Glob(pieces),
    }
}

/// The search box's syntax, one line per item, for the help panel.
pub const HELP: &[(&str, &str)] = &[
    (
        "alice ecs",
        "both words (AND), in any column or the event id",
    ),
    ("a OR b, a | b", "either (OR binds tighter than AND)"),
    ("-read, NOT read", "without"),
    ("\"two words\"", "a phrase, taken literally"),
    (
        "user:alice",
        "one field: event, service, user, ip, rw, region, result, …",
    ),
    (
        "userIdentity.userName:bob",
        "a JSON path, as \"Copy path\" gives it",
    ),
    (
        "event:Describe*, user:b?b",
        "wildcards match the whole value (* any, ? one character)",
    ),
    ("(a OR b) -c, user:(alice OR bob)", "grouping"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn p(q: &str) -> String {
        parse(q).expr.to_string()
    }
    fn w(q: &str) -> Vec<Warning> {
        parse(q).warnings
    }

    #[test]
    fn plain_words_fields_and_phrases() {
        assert_eq!(p(""), "true");
        assert_eq!(p("  "), "true");
        assert_eq!(p("Alice"), r#""alice""#);
        assert_eq!(p("alice ecs"), r#"(and "alice" "ecs")"#);
        assert_eq!(p("user:Bob"), r#"user:"bob""#);
        assert_eq!(p("USER:bob"), r#"user:"bob""#);
        assert_eq!(p("\"no such\""), r#""no such""#);
        assert_eq!(p("user:\"a b\""), r#"user:"a b""#);
        assert_eq!(p("-read"), r#"(not "read")"#);
        assert_eq!(p("-"), r#""-""#);
        assert_eq!(p("--x"), r#"(not "-x")"#);
        assert_eq!(p("cn-hangzhou"), r#""cn-hangzhou""#);
        assert_eq!(p("\"\""), "true");
        assert_eq!(
            p("user:"),
            "true",
            "a field without a value is no condition yet"
        );
        assert_eq!(p("-user:"), "true");
        // Lowercase keywords are words.
        assert_eq!(p("a or b"), r#"(and "a" "or" "b")"#);
        assert_eq!(p("\"OR\""), r#""or""#);
        assert!(w("alice ecs user:bob \"x y\" -z").is_empty());
    }

    #[test]
    fn colons_that_are_not_fields() {
        // IPv6, times, a leading colon: text, silently.
        assert_eq!(p("2001:db8::1"), r#""2001:db8::1""#);
        assert_eq!(p("ip:2001:db8::1"), r#"ip:"2001:db8::1""#);
        assert_eq!(p("12:30"), r#""12:30""#);
        assert_eq!(p(":x"), r#"":x""#);
        assert_eq!(p("\"acs:ram::1\""), r#""acs:ram::1""#);
        assert!(w("2001:db8::1 12:30 :x \"acs:ram::1\" cn-x:y").is_empty());
        // An unknown word before a colon is reported, and searched as text.
        let q = parse("foo:bar");
        assert_eq!(q.expr.to_string(), r#""foo:bar""#);
        assert_eq!(
            q.warnings,
            vec![Warning::UnknownField {
                name: "foo".into(),
                text: "foo:bar".into()
            }]
        );
        assert!(q.warnings[0].to_string().contains("Unknown field \"foo\""));
        assert_eq!(
            w("us*r:bob"),
            vec![Warning::WildcardInField {
                name: "us*r".into(),
                text: "us*r:bob".into()
            }]
        );
    }

    #[test]
    fn paths() {
        assert_eq!(p("userIdentity.userName:bob"), r#"user:"bob""#);
        assert_eq!(p("useridentity.USERNAME:bob"), r#"user:"bob""#);
        assert_eq!(p("eventName:Run*"), r#"event:glob"run*""#);
        assert_eq!(
            p("requestParameters.RegionId:cn"),
            r#"path:requestParameters.RegionId"cn""#
        );
        assert_eq!(
            p("requestParameters.Tags[1]:3"),
            r#"path:requestParameters.Tags[1]"3""#
        );
        assert_eq!(p("apiversion:2014"), r#"path:apiVersion"2014""#);
        assert_eq!(p("x.y:1"), r#"path:x.y"1""#);
        // The tree's path syntax, with dots, colons and spaces inside a bracketed key.
        let q = parse(r#"referencedResources["ACS::ECS:: Instance"][0]:I-1"#);
        assert!(q.warnings.is_empty());
        let Expr::Term(t) = q.expr else {
            panic!("{:?}", q.expr)
        };
        assert_eq!(
            t.scope,
            Scope::Path(
                JsonPath::root()
                    .key("referencedResources")
                    .key("ACS::ECS:: Instance")
                    .index(0)
            )
        );
        assert_eq!(t.pattern, Pattern::Contains("i-1".into()));
        assert_eq!(p(r#"["weird key"]:v"#), r#"path:["weird key"]"v""#);
        let q = parse("-requestParameters.A:x requestParameters.A:y OR b.c:z");
        assert_eq!(
            q.expr.paths(),
            vec![
                JsonPath::parse("requestParameters.A").unwrap(),
                JsonPath::parse("b.c").unwrap()
            ]
        );
    }

    #[test]
    fn boolean_operators_and_precedence() {
        assert_eq!(p("a OR b"), r#"(or "a" "b")"#);
        assert_eq!(p("a | b"), r#"(or "a" "b")"#);
        assert_eq!(p("a|b"), r#"(or "a" "b")"#);
        assert_eq!(p("a b OR c"), r#"(and "a" (or "b" "c"))"#);
        assert_eq!(p("a OR b c"), r#"(and (or "a" "b") "c")"#);
        assert_eq!(p("a AND b OR c"), r#"(and "a" (or "b" "c"))"#);
        assert_eq!(p("a OR b OR c"), r#"(or "a" "b" "c")"#);
        assert_eq!(p("NOT a b"), r#"(and (not "a") "b")"#);
        assert_eq!(p("NOT a OR b"), r#"(or (not "a") "b")"#);
        assert_eq!(p("NOT NOT a"), r#""a""#);
        assert_eq!(p("NOT -a"), r#""a""#);
        assert_eq!(p("(a OR b) c"), r#"(and (or "a" "b") "c")"#);
        assert_eq!(p("-(a OR b)"), r#"(not (or "a" "b"))"#);
        assert_eq!(p("NOT (a b)"), r#"(not (and "a" "b"))"#);
        assert_eq!(p("((a))"), r#""a""#);
        assert_eq!(
            p("user:(alice OR bob) x"),
            r#"(and (or user:"alice" user:"bob") "x")"#
        );
        assert_eq!(
            p("-user:(alice ip:1)"),
            r#"(not (and user:"alice" ip:"1"))"#
        );
        assert!(w("a OR b | c AND d NOT e (f) -(g) user:(h)").is_empty());
        // Parentheses inside a word, or a `)` with nothing open, are text.
        assert_eq!(p("f(x) y)"), r#"(and "f(x)" "y)")"#);
    }

    #[test]
    fn what_is_not_understood_is_reported() {
        assert_eq!(p("a OR"), r#""a""#);
        assert_eq!(w("a OR"), vec![Warning::Dangling("OR")]);
        assert_eq!(w("OR a"), vec![Warning::Dangling("OR")]);
        assert_eq!(p("a OR OR b"), r#"(or "a" "b")"#);
        assert_eq!(w("a OR OR b"), vec![Warning::Dangling("OR")]);
        assert_eq!(w("a AND"), vec![Warning::Dangling("AND")]);
        assert_eq!(w("AND a"), vec![Warning::Dangling("AND")]);
        assert_eq!(p("a NOT"), r#""a""#);
        assert_eq!(w("a NOT"), vec![Warning::Dangling("NOT")]);
        assert_eq!(p("(a OR b"), r#"(or "a" "b")"#);
        assert_eq!(w("(a OR b"), vec![Warning::MissingClose]);
        assert_eq!(p("() a"), r#""a""#);
        assert_eq!(w("() a"), vec![Warning::EmptyGroup]);
        assert_eq!(w("(NOT)"), vec![Warning::Dangling("NOT")]);
        assert_eq!(
            p("-() a"),
            r#""a""#,
            "an ignored group stays ignored under NOT"
        );
        assert_eq!(p("NOT user: a"), r#""a""#);
        assert_eq!(p("a OR ()"), r#""a""#);
        assert_eq!(
            w("foo:1 foo:1"),
            vec![Warning::UnknownField {
                name: "foo".into(),
                text: "foo:1".into()
            }],
            "each warning once"
        );
        assert_eq!(w("| |").len(), 1);
    }

    #[test]
    fn wildcards() {
        assert_eq!(p("user:ali*"), r#"user:glob"ali*""#);
        assert_eq!(p("**a**"), r#""a""#, "*a* is contains a");
        assert_eq!(p("*a*b*"), r#"glob"*a*b*""#);
        assert_eq!(p("a?c"), r#"glob"a?c""#);
        assert_eq!(p("\"a*\""), r#""a*""#, "quoted: literal");
        assert_eq!(p("\"ab\"*"), r#"glob"ab*""#);
        let g = |q: &str| match parse(q).expr {
            Expr::Term(t) => t.pattern,
            e => panic!("{e:?}"),
        };
        let m = |q: &str, s: &str| g(q).matches(s);
        assert!(m("ali*", "alice") && m("ali*", "ali") && !m("ali*", "malice"));
        assert!(m("*ce", "alice") && !m("*ce", "alicex"));
        assert!(m("*li*", "alice") && m("a*c*e", "alice") && !m("a*z*e", "alice"));
        assert!(m("a?ice", "alice") && !m("a?ice", "aice") && m("???", "王芳x"));
        assert!(
            m("*", "x") && !m("*", ""),
            "an empty value matches no wildcard"
        );
        assert!(m("*aab", "aaaab") && m("a*b*b", "abbb") && !m("a*b*b", "ab"));
        assert!(m("Describe*", "describeinstances"));
        assert_eq!(g("*ab*c?").longest_literal(), "ab");
        assert_eq!(g("x").longest_literal(), "x");
        assert!(g("result:o*").matches_value("", Some("ok")));
        assert!(!g("o*").matches_value("", None));
    }

    #[test]
    fn nesting_too_deep_is_refused_not_overflowed() {
        for q in [
            format!("{}a{}", "(".repeat(4000), ")".repeat(4000)),
            format!("{}a", "NOT ".repeat(4000)),
            format!("{}a", "-(".repeat(2000)),
            format!("{}a", "user:(".repeat(100)),
        ] {
            let parsed = parse(&q);
            assert_eq!(parsed.warnings, vec![Warning::TooDeep], "{}", &q[..20]);
            assert_eq!(parsed.expr, Expr::True);
        }
        let ok = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(parse(&ok).warnings.is_empty());
        // Many negated groups side by side are flat, not deep.
        for flat in [
            "-(a) ".repeat(200),
            "NOT user:(a) ".repeat(200),
            "NOT a ".repeat(200),
        ] {
            assert!(parse(&flat).warnings.is_empty(), "{}", &flat[..12]);
        }
    }
}
