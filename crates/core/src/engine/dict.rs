//! Interned strings: each distinct value of a field once, with its lowercase form.

use super::hash_index::HashIndex;

/// A dictionary of the distinct strings of one field. Id 0 is the empty string (absent).
#[derive(Debug, Clone)]
pub(super) struct Dict {
    /// String → id (the strings are `strings`', not copied; it grows without a pause).
    index: HashIndex,
    pub(super) strings: Vec<Box<str>>,
    /// Lowercase forms, for case-insensitive matching.
    pub(super) lower: Vec<Box<str>>,
}

impl Dict {
    pub(super) fn new() -> Self {
        let mut d = Dict {
            index: HashIndex::default(),
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
    /// The id of `s`, if it is in the dictionary.
    pub(super) fn get(&self, s: &str) -> Option<u32> {
        self.find(self.index.hash(s), s)
    }
    /// The id of `s`, hashing to `h`.
    fn find(&self, h: u32, s: &str) -> Option<u32> {
        self.index.find(h, |id| &*self.strings[id as usize] == s)
    }
    fn intern_with(&mut self, s: &str, lower: impl FnOnce(&str) -> String) -> u32 {
        let h = self.index.hash(s);
        if let Some(id) = self.find(h, s) {
            return id;
        }
        let id = self.strings.len() as u32;
        self.index.insert(h, id);
        self.strings.push(s.into());
        self.lower.push(lower(s).into());
        id
    }
    pub(super) fn len(&self) -> usize {
        self.strings.len()
    }
}
