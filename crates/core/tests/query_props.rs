//! Property tests of the search query language: the parser on arbitrary text, the old
//! whitespace-and-quotes behaviour kept for plain queries, and the boolean operators' meaning
//! on a real store (`a OR b` is the union, `NOT a` the complement, `a b` the intersection).

use proptest::prelude::*;
use serde_json::json;
use trailview_core::engine::{EventStore, Filter};
use trailview_core::query::{parse, Expr, Pattern, Scope, Term};
use trailview_core::schema::{Field, FIELDS};

/// The search box before operators existed: whitespace-separated terms, `"quoted phrases"`,
/// `-term`, `alias:term`; all AND-ed, case-insensitive substrings. One change on purpose: a
/// quoted `-` or `:` is now literal (`"-x"` was a negation, `"user:x"` a field term).
fn old_semantics(text: &str) -> Expr {
    let mut terms: Vec<Vec<(char, bool)>> = Vec::new();
    let mut cur = Vec::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    terms.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push((c, quoted)),
        }
    }
    if !cur.is_empty() {
        terms.push(cur);
    }
    let text = |t: &[(char, bool)]| t.iter().map(|c| c.0).collect::<String>();
    Expr::and(
        terms
            .into_iter()
            .filter_map(|t| {
                let (neg, t) = match t.split_first() {
                    Some((('-', false), x)) if !x.is_empty() => (true, x.to_vec()),
                    _ => (false, t),
                };
                let colon = t.iter().position(|c| c.1 || c.0 == ':');
                let (scope, needle) = match colon {
                    Some(k) if !t[k].1 && Field::from_alias(&text(&t[..k])).is_some() => (
                        Scope::Field(Field::from_alias(&text(&t[..k])).unwrap()),
                        text(&t[k + 1..]),
                    ),
                    _ => (Scope::Any, text(&t)),
                };
                if needle.is_empty() {
                    return None; // `user:` while typing (the old engine matched everything)
                }
                let e = Expr::Term(Term {
                    scope,
                    pattern: Pattern::Contains(needle.to_lowercase()),
                });
                Some(if neg { e.negate() } else { e })
            })
            .collect(),
    )
}

fn plain_word() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9._é王-]{1,8}",
        (
            "(user|service|event|ip|rw|result|region|ak|principal)",
            "[a-z0-9.-]{0,6}"
        )
            .prop_map(|(f, v)| format!("{f}:{v}")),
        "\"[a-z .:-]{0,8}\"",
    ]
}

fn events() -> Vec<String> {
    let names = [
        "DescribeInstances",
        "RunInstances",
        "DeleteBucket",
        "GetObject",
        "",
    ];
    let users = ["alice", "Bob", "王芳", "carol", ""];
    let errs = ["", "NoSuchBucket", "Forbidden"];
    let svcs = ["Ecs", "Oss", "Ram"];
    let regions = ["cn-hangzhou", "us-west-1"];
    (0..60)
        .map(|i| {
            let mut e = json!({
                "eventId": format!("ev-{i}"), "requestId": format!("rq-{}", i % 9),
                "eventName": names[i % names.len()], "serviceName": svcs[i % 3],
                "userIdentity": {"userName": users[(i / 2) % users.len()], "type": "ram-user"},
                "sourceIpAddress": format!("10.0.{}.{}", i % 4, i % 7),
            });
            if i % 4 == 1 {
                e["errorCode"] = json!(errs[i % errs.len()]);
            }
            if i % 3 != 0 {
                e["requestParameters"] = json!({"RegionId": regions[i % 2], "Tags": [i % 5]});
            }
            e.to_string()
        })
        .collect()
}

/// Sub-queries without parentheses (so wrapping one in `( … )` keeps its meaning).
fn operand() -> impl Strategy<Value = String> {
    let word = prop::sample::select(vec![
        "alice",
        "ecs",
        "instances",
        "ev-1*",
        "user:b*",
        "event:*Instances",
        "result:ok",
        "requestParameters.RegionId:cn*",
        "requestParameters.Tags[0]:3",
        "userIdentity.userName:王*",
        "rq-3",
        "-oss",
        "NOT bucket",
        "10.0.?.?",
        "OR",
        "foo:bar",
    ]);
    prop::collection::vec(word, 1..4).prop_map(|w| w.join(" "))
}

fn rows(s: &mut EventStore, text: &str) -> Vec<u32> {
    let f = Filter {
        text: text.into(),
        ..Default::default()
    };
    let cf = s.compile_with(&f, usize::MAX);
    s.filter(&s.order(None), &cf)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics_and_warns_in_words(text in "[ a-zA-Z0-9:.\\-\"()|*?\\[\\]\\\\王é]{0,40}") {
        let q = parse(&text);
        for w in &q.warnings {
            prop_assert!(!w.to_string().is_empty());
        }
        prop_assert_eq!(&parse(&text), &q, "deterministic");
        let _ = q.expr.paths();
        let _ = q.expr.to_string();
    }

    #[test]
    fn plain_queries_mean_what_they_meant_before(
        words in prop::collection::vec((any::<bool>(), plain_word()), 0..5),
        gaps in prop::collection::vec("[ \t]{1,3}", 5),
    ) {
        let mut text = String::new();
        for (i, (neg, w)) in words.iter().enumerate() {
            if i > 0 {
                text.push_str(&gaps[i]);
            }
            if *neg {
                text.push('-');
            }
            text.push_str(w);
        }
        // Words that are now keywords, or end a field name that is now a path, are not plain.
        prop_assume!(!text.split_whitespace().any(|w| ["OR", "AND", "NOT"].contains(&w)));
        prop_assume!(!text.contains(['*', '?', '(', ')', '|']));
        // `-""` was a search for "-"; now it is an empty (ignored) negated phrase.
        prop_assume!(!text.contains("-\"\""));
        let q = parse(&text);
        prop_assert!(q.warnings.is_empty(), "{:?}: {:?}", text, q.warnings);
        prop_assert_eq!(q.expr, old_semantics(&text), "{:?}", text);
    }

    #[test]
    fn operators_are_union_complement_and_intersection(a in operand(), b in operand()) {
        let mut s = EventStore::new();
        for e in events() {
            s.push(&e);
        }
        let all: Vec<u32> = (0..s.len() as u32).collect();
        let ra = rows(&mut s, &a);
        let rb = rows(&mut s, &b);
        let ignored = |q: &str| parse(q).expr == Expr::True;
        if !ignored(&a) && !ignored(&b) {
            let union: Vec<u32> = all.iter().copied().filter(|r| ra.contains(r) || rb.contains(r)).collect();
            prop_assert_eq!(rows(&mut s, &format!("({a}) OR ({b})")), union.clone());
            prop_assert_eq!(rows(&mut s, &format!("({a})|({b})")), union);
        }
        let both: Vec<u32> = ra.iter().copied().filter(|r| rb.contains(r)).collect();
        prop_assert_eq!(rows(&mut s, &format!("({a}) ({b})")), both.clone());
        prop_assert_eq!(rows(&mut s, &format!("({a}) AND ({b})")), both);
        if !ignored(&a) {
            let not: Vec<u32> = all.iter().copied().filter(|r| !ra.contains(r)).collect();
            prop_assert_eq!(rows(&mut s, &format!("NOT ({a})")), not.clone());
            prop_assert_eq!(rows(&mut s, &format!("-({a})")), not);
        }
    }
}

#[test]
fn every_field_alias_is_a_field_and_every_field_path_too() {
    for f in FIELDS {
        for a in f.aliases() {
            let q = parse(&format!("{a}:x"));
            assert!(matches!(q.expr, Expr::Term(Term { scope: Scope::Field(g), .. }) if g == f));
        }
        let q = parse(&format!("{}:x", f.path()));
        assert!(
            matches!(q.expr, Expr::Term(Term { scope: Scope::Field(g), .. }) if g == f),
            "{}",
            f.path()
        );
    }
}
