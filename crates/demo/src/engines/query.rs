//! The documented subset of the engines' query languages the demo understands, over an event's
//! JSON: a tokenizer, one boolean expression parser (`and` / `or` / `not`, parentheses) with
//! an atom per language, and the evaluation. What it does not understand is a syntax error, in
//! the engine's own words ([`super::sls`], [`super::insights`]).
//!
//! - SLS search: `*`, full-text terms, `field: value` (a trailing `*` is a prefix), `AND` /
//!   `OR` / `NOT` (a space is `AND`).
//! - SLS SQL: `SELECT` fields / `*` / `count(*)` [`AS` alias] [`FROM log`] [`WHERE` `=`, `!=`,
//!   `<>`, `like` over fields] [`GROUP BY` fields] [`ORDER BY` column [`ASC` | `DESC`]]
//!   [`LIMIT` [offset,] count].
//! - Insights: `fields a, b`, `filter` with `=`, `!=`, `like` ("text" or /regex-free pattern/),
//!   `sort field [asc | desc]`, `limit n`.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    Word(String),
    /// `"..."`.
    DQuote(String),
    /// `'...'`.
    SQuote(String),
    /// `/.../` (Insights' `like`).
    Slashed(String),
    Sym(&'static str),
}

/// A syntax error: what and at which character (0-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub at: usize,
    pub what: String,
}

fn err<T>(at: usize, what: impl Into<String>) -> Result<T, SyntaxError> {
    Err(SyntaxError {
        at,
        what: what.into(),
    })
}

/// Tokens with their start offsets. `slashes`: whether `/.../` is a token (Insights).
pub fn tokenize(s: &str, slashes: bool) -> Result<Vec<(usize, Tok)>, SyntaxError> {
    let b: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let quoted = |i: &mut usize, q: char| -> Result<String, SyntaxError> {
            let mut v = String::new();
            *i += 1;
            while *i < b.len() {
                match b[*i] {
                    '\\' if *i + 1 < b.len() => {
                        v.push(b[*i + 1]);
                        *i += 2;
                    }
                    ch if ch == q => {
                        // SQL doubles a quote to escape it.
                        if q == '\'' && b.get(*i + 1) == Some(&'\'') {
                            v.push('\'');
                            *i += 2;
                            continue;
                        }
                        *i += 1;
                        return Ok(v);
                    }
                    ch => {
                        v.push(ch);
                        *i += 1;
                    }
                }
            }
            err(start, format!("unterminated {q}"))
        };
        let tok = match c {
            '"' => Tok::DQuote(quoted(&mut i, '"')?),
            '\'' => Tok::SQuote(quoted(&mut i, '\'')?),
            '/' if slashes => Tok::Slashed(quoted(&mut i, '/')?),
            '(' | ')' | ',' | ':' | '=' | '|' | ';' => {
                i += 1;
                Tok::Sym(match c {
                    '(' => "(",
                    ')' => ")",
                    ',' => ",",
                    ':' => ":",
                    '=' => "=",
                    '|' => "|",
                    _ => ";",
                })
            }
            '!' if b.get(i + 1) == Some(&'=') => {
                i += 2;
                Tok::Sym("!=")
            }
            '<' if b.get(i + 1) == Some(&'>') => {
                i += 2;
                Tok::Sym("!=")
            }
            _ if c.is_alphanumeric() || "_.@*-$".contains(c) => {
                while i < b.len() && (b[i].is_alphanumeric() || "_.@*-$".contains(b[i])) {
                    i += 1;
                }
                Tok::Word(b[start..i].iter().collect())
            }
            _ => return err(start, format!("unexpected character '{c}'")),
        };
        out.push((start, tok));
    }
    Ok(out)
}

/// A comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    /// SQL `like` (`%` and `_`), or Insights' substring.
    Like(String),
    /// SLS `field: value`: equal ignoring case, or a prefix with a trailing `*`.
    Match,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    All,
    /// Full text: the event's JSON contains it (ignoring case).
    Term(String),
    Cmp {
        field: String,
        op: Op,
        value: String,
    },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
}

/// A cursor over tokens.
pub struct Parser<'a> {
    pub toks: &'a [(usize, Tok)],
    pub pos: usize,
    pub len: usize,
}

impl<'a> Parser<'a> {
    pub fn new(toks: &'a [(usize, Tok)], len: usize) -> Parser<'a> {
        Parser { toks, pos: 0, len }
    }

    pub fn peek(&self) -> Option<&'a Tok> {
        self.toks.get(self.pos).map(|(_, t)| t)
    }

    pub fn at(&self) -> usize {
        self.toks.get(self.pos).map_or(self.len, |(a, _)| *a)
    }

    pub fn bump(&mut self) -> Option<&'a Tok> {
        let t = self.peek();
        self.pos += t.is_some() as usize;
        t
    }

    /// The next token is the keyword `kw` (any case): consume it.
    pub fn keyword(&mut self, kw: &str) -> bool {
        match self.peek() {
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw) => {
                self.pos += 1;
                true
            }
            _ => false,
        }
    }

    pub fn sym(&mut self, s: &str) -> bool {
        match self.peek() {
            Some(Tok::Sym(x)) if *x == s => {
                self.pos += 1;
                true
            }
            _ => false,
        }
    }

    /// A comparison's operator: `=`, `!=` or `like` (named `like_word` in the error, as each
    /// engine writes it); `Like`'s pattern is filled in by the caller.
    pub fn comparison(&mut self, like_word: &str) -> Result<Op, SyntaxError> {
        if self.sym("=") {
            Ok(Op::Eq)
        } else if self.sym("!=") {
            Ok(Op::Ne)
        } else if self.keyword("like") {
            Ok(Op::Like(String::new()))
        } else {
            Err(SyntaxError {
                at: self.at(),
                what: format!("expected =, != or {like_word}"),
            })
        }
    }

    pub fn done(&self) -> bool {
        self.pos >= self.toks.len()
    }

    /// `or_expr`, with `atom` for the language's comparisons and `implicit_and` for SLS
    /// search (a space between two conditions is `AND`). `stop` ends the expression at a
    /// keyword (SQL's `GROUP`, `ORDER`, `LIMIT`).
    pub fn expr(
        &mut self,
        atom: &dyn Fn(&mut Parser<'a>) -> Result<Expr, SyntaxError>,
        implicit_and: bool,
        stop: &[&str],
    ) -> Result<Expr, SyntaxError> {
        let mut left = self.and_expr(atom, implicit_and, stop)?;
        while self.keyword("or") {
            let right = self.and_expr(atom, implicit_and, stop)?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn stops(&self, stop: &[&str]) -> bool {
        match self.peek() {
            None | Some(Tok::Sym(")")) | Some(Tok::Sym("|")) => true,
            Some(Tok::Word(w)) => {
                w.eq_ignore_ascii_case("or") || stop.iter().any(|s| w.eq_ignore_ascii_case(s))
            }
            _ => false,
        }
    }

    fn and_expr(
        &mut self,
        atom: &dyn Fn(&mut Parser<'a>) -> Result<Expr, SyntaxError>,
        implicit_and: bool,
        stop: &[&str],
    ) -> Result<Expr, SyntaxError> {
        let mut left = self.not_expr(atom, implicit_and)?;
        loop {
            if self.keyword("and") || (implicit_and && !self.stops(stop)) {
                let right = self.not_expr(atom, implicit_and)?;
                left = Expr::And(Box::new(left), Box::new(right));
            } else {
                return Ok(left);
            }
        }
    }

    fn not_expr(
        &mut self,
        atom: &dyn Fn(&mut Parser<'a>) -> Result<Expr, SyntaxError>,
        implicit_and: bool,
    ) -> Result<Expr, SyntaxError> {
        if self.keyword("not") {
            return Ok(Expr::Not(Box::new(self.not_expr(atom, implicit_and)?)));
        }
        if self.sym("(") {
            let e = self.expr(atom, implicit_and, &[])?;
            if !self.sym(")") {
                return err(self.at(), "expected ')'");
            }
            return Ok(e);
        }
        atom(self)
    }
}

/// A field of an event's JSON by a dotted path (`userIdentity.userName`), as text.
pub fn field_text(event: &Value, path: &str) -> Option<String> {
    let mut v = event;
    for part in path.split('.') {
        v = v.get(part)?;
    }
    Some(match v {
        Value::String(s) => s.clone(),
        Value::Null => return None,
        other => other.to_string(),
    })
}

/// SQL `like`: `%` any run, `_` one character (ignoring case, as the demo is lenient).
pub fn like(pattern: &str, text: &str) -> bool {
    // The classic wildcard match that backtracks only to the last `%`: O(pattern × text) for
    // any pattern (a recursive split at every `%` is exponential on `%%%…x` or `%_%_…`).
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('%') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if *c == '_' || *c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '%')
}

impl Expr {
    /// Whether `event` (parsed) matches; `raw` is its JSON text (full-text terms). `field`
    /// maps a query's field name to the event's path.
    pub fn matches(&self, event: &Value, raw: &str, field: &dyn Fn(&str) -> String) -> bool {
        match self {
            Expr::All => true,
            Expr::Term(t) => raw.to_lowercase().contains(&t.to_lowercase()),
            Expr::Cmp {
                field: f,
                op,
                value,
            } => {
                let got = field_text(event, &field(f));
                match op {
                    Op::Eq => got.as_deref() == Some(value.as_str()),
                    Op::Ne => got.as_deref() != Some(value.as_str()),
                    Op::Like(p) => got.is_some_and(|g| like(p, &g)),
                    Op::Match => got.is_some_and(|g| match value.strip_suffix('*') {
                        Some(prefix) => g.to_lowercase().starts_with(&prefix.to_lowercase()),
                        None => g.eq_ignore_ascii_case(value),
                    }),
                }
            }
            Expr::And(a, b) => a.matches(event, raw, field) && b.matches(event, raw, field),
            Expr::Or(a, b) => a.matches(event, raw, field) || b.matches(event, raw, field),
            Expr::Not(a) => !a.matches(event, raw, field),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns() {
        assert!(like("Delete%", "DeleteBucket"));
        assert!(like("%bucket", "DeleteBucket"));
        assert!(like("D_lete%", "delete"));
        assert!(!like("Delete", "DeleteBucket"));
        assert!(like("%", ""));
        assert!(like("a%b%c", "aXXbYYc"));
        assert!(!like("a%b%c", "aXXbYY"));
        assert!(like("%_%", "x"));
        assert!(!like("_", ""));
        // A hostile pattern answers at once (it was exponential).
        let long = "a".repeat(400);
        let started = std::time::Instant::now();
        assert!(!like(&format!("{}x", "%".repeat(40)), &long));
        assert!(!like(&format!("{}x", "%_".repeat(40)), &long));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn tokens() {
        let t = tokenize(r#"a.b != 'it''s' and "x y" <> /re/"#, true).unwrap();
        let toks: Vec<Tok> = t.into_iter().map(|(_, t)| t).collect();
        assert_eq!(
            toks,
            [
                Tok::Word("a.b".into()),
                Tok::Sym("!="),
                Tok::SQuote("it's".into()),
                Tok::Word("and".into()),
                Tok::DQuote("x y".into()),
                Tok::Sym("!="),
                Tok::Slashed("re".into()),
            ]
        );
        assert_eq!(tokenize("a 'open", false).unwrap_err().at, 2);
        assert_eq!(tokenize("a # b", false).unwrap_err().at, 2);
    }
}
