//! A minimal JSON writer (keeps field order, no intermediate values).

use std::fmt::Write as _;

pub(super) fn esc(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep: Option<&str> = match b {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            b'\n' => Some("\\n"),
            b'\r' => Some("\\r"),
            b'\t' => Some("\\t"),
            0..=0x1f => None,
            _ => continue,
        };
        out.push_str(&s[start..i]);
        match rep {
            Some(r) => out.push_str(r),
            None => {
                let _ = write!(out, "\\u{:04x}", b);
            }
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

pub(super) struct Obj<'a> {
    pub(super) out: &'a mut String,
    pub(super) first: bool,
}

pub(super) fn obj(out: &mut String, f: impl FnOnce(&mut Obj)) {
    out.push('{');
    let mut o = Obj { out, first: true };
    f(&mut o);
    o.out.push('}');
}

impl Obj<'_> {
    pub(super) fn key(&mut self, k: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        esc(self.out, k);
        self.out.push(':');
    }
    pub(super) fn s(&mut self, k: &str, v: &str) {
        self.key(k);
        esc(self.out, v);
    }
    pub(super) fn raw(&mut self, k: &str, v: &str) {
        self.key(k);
        self.out.push_str(v);
    }
    pub(super) fn n(&mut self, k: &str, v: i64) {
        self.key(k);
        let _ = write!(self.out, "{v}");
    }
    pub(super) fn b(&mut self, k: &str, v: bool) {
        self.raw(k, if v { "true" } else { "false" });
    }
    pub(super) fn o(&mut self, k: &str, f: impl FnOnce(&mut Obj)) {
        self.key(k);
        obj(self.out, f);
    }
    pub(super) fn arr<S: AsRef<str>>(&mut self, k: &str, items: impl IntoIterator<Item = S>) {
        self.key(k);
        self.out.push('[');
        for (i, it) in items.into_iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            esc(self.out, it.as_ref());
        }
        self.out.push(']');
    }
}
