//! Interned strings: each distinct value of a field once, with its lowercase form.

use std::collections::HashMap;

/// A dictionary of the distinct strings of one field. Id 0 is the empty string (absent).
#[derive(Debug, Clone)]
pub(super) struct Dict {
    pub(super) ids: HashMap<Box<str>, u32>,
    pub(super) strings: Vec<Box<str>>,
    /// Lowercase forms, for case-insensitive matching.
    pub(super) lower: Vec<Box<str>>,
}

impl Dict {
    pub(super) fn new() -> Self {
        let mut d = Dict {
            ids: HashMap::new(),
            strings: Vec::new(),
            lower: Vec::new(),
        };
        d.intern("");
        d
    }
    pub(super) fn intern(&mut self, s: &str) -> u32 {
        self.intern_with(s, |s| s.to_lowercase())
    }
    /// Intern compact JSON (a path column's value); its lowercase form is the value as the
    /// search box matches it: a string without its quotes and escapes, anything else as JSON.
    pub(super) fn intern_json(&mut self, json: &str) -> u32 {
        self.intern_with(json, |j| match serde_json::from_str::<String>(j) {
            Ok(s) => s.to_lowercase(),
            Err(_) => j.to_lowercase(),
        })
    }
    fn intern_with(&mut self, s: &str, lower: impl FnOnce(&str) -> String) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.strings.len() as u32;
        self.ids.insert(s.into(), id);
        self.strings.push(s.into());
        self.lower.push(lower(s).into());
        id
    }
    pub(super) fn len(&self) -> usize {
        self.strings.len()
    }
}
