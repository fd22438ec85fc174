//! Saved views: named links ([`ViewState`](crate::view_state::ViewState) queries) kept in
//! the browser, exported as a versioned JSON file and imported from one. The list is the same
//! text in storage and in a file; reading either is strict (a clear error for anything that is
//! not such a list), a kept list this app cannot read (damaged, or written by a newer version)
//! is never written over ([`Kept`], [`start_change`]), and an import merges without losing
//! any entry already kept.

use crate::view_state::MAX_URL_LEN;
use serde::{Deserialize, Serialize};

/// What the file says it is.
const FORMAT: &str = "trailview-saved-views";
/// The version of the file this app writes and reads.
const VERSION: u64 = 1;
/// Longest name, in characters.
pub const MAX_NAME_CHARS: usize = 80;
/// At most this many views are kept (an import past it is refused).
pub const MAX_VIEWS: usize = 200;
/// Largest file an import reads.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;

/// One saved view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedView {
    pub name: String,
    /// The view's query string ([`ViewState::to_query`](crate::view_state::ViewState::to_query)).
    pub query: String,
    /// When it was saved, epoch ms.
    pub created: i64,
}

/// The saved views, in the order they were saved.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SavedViews {
    views: Vec<SavedView>,
}

#[derive(Serialize, Deserialize)]
struct File {
    format: String,
    version: u64,
    views: Vec<SavedView>,
}

/// Why a change or an import was refused (the message the user sees).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewsError {
    EmptyName,
    NameTooLong,
    /// Another view has this name.
    Taken(String),
    NotFound(String),
    Full,
    /// The file is not a saved-views file (not JSON, or not this shape).
    NotAViewsFile(String),
    /// A saved-views file of another version.
    Version(u64),
    /// An entry of the file is not a view this app can open.
    BadEntry(usize, String),
    TooBig,
}

impl std::fmt::Display for ViewsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ViewsError::EmptyName => f.write_str("Give the view a name."),
            ViewsError::NameTooLong => {
                write!(f, "A view's name has at most {MAX_NAME_CHARS} characters.")
            }
            ViewsError::Taken(n) => write!(f, "A view named \"{n}\" exists already."),
            ViewsError::NotFound(n) => write!(f, "There is no view named \"{n}\"."),
            ViewsError::Full => write!(f, "At most {MAX_VIEWS} views are kept: delete some first."),
            ViewsError::NotAViewsFile(why) => {
                write!(f, "This file is not a trailview saved-views file ({why}).")
            }
            ViewsError::Version(v) => write!(
                f,
                "This saved-views file is version {v}; this app reads version {VERSION}."
            ),
            ViewsError::BadEntry(i, why) => {
                write!(f, "View {} of the file cannot be read: {why}.", i + 1)
            }
            ViewsError::TooBig => write!(
                f,
                "The file is larger than {} MB: not a saved-views file.",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Merged {
    /// Views added (some under a new name).
    pub added: usize,
    /// Views already kept (same name, same link): skipped.
    pub same: usize,
    /// Views whose name was taken by another link: added as "name (2)", …
    pub renamed: usize,
}

impl std::fmt::Display for Merged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = |k: usize| if k == 1 { "view" } else { "views" };
        write!(f, "Imported {} {}", self.added, n(self.added))?;
        if self.renamed > 0 {
            write!(f, " ({} renamed: the name was taken)", self.renamed)?;
        }
        if self.same > 0 {
            write!(f, "; {} already kept", self.same)?;
        }
        f.write_str(".")
    }
}

/// A name as kept: trimmed, checked.
fn clean_name(name: &str) -> Result<String, ViewsError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ViewsError::EmptyName);
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ViewsError::NameTooLong);
    }
    Ok(name.to_string())
}

fn check_entry(v: &SavedView) -> Result<(), String> {
    clean_name(&v.name).map_err(|e| e.to_string())?;
    if v.name != v.name.trim() {
        return Err("its name starts or ends with a space".into());
    }
    if v.query.len() > MAX_URL_LEN {
        return Err(format!("its link is over {MAX_URL_LEN} characters"));
    }
    Ok(())
}

impl SavedViews {
    pub fn list(&self) -> &[SavedView] {
        &self.views
    }

    pub fn get(&self, name: &str) -> Option<&SavedView> {
        self.views.iter().find(|v| v.name == name)
    }

    fn taken(&self, name: &str) -> bool {
        self.views.iter().any(|v| v.name == name)
    }

    /// Saves `query` under `name` (trimmed; names are unique).
    pub fn add(&mut self, name: &str, query: &str, created: i64) -> Result<(), ViewsError> {
        let name = clean_name(name)?;
        if self.taken(&name) {
            return Err(ViewsError::Taken(name));
        }
        if self.views.len() >= MAX_VIEWS {
            return Err(ViewsError::Full);
        }
        self.views.push(SavedView {
            name,
            query: query.to_string(),
            created,
        });
        Ok(())
    }

    /// Renames `from` to `to` (trimmed; unique). Renaming to its own name changes nothing.
    pub fn rename(&mut self, from: &str, to: &str) -> Result<(), ViewsError> {
        let to = clean_name(to)?;
        let i = self
            .views
            .iter()
            .position(|v| v.name == from)
            .ok_or_else(|| ViewsError::NotFound(from.to_string()))?;
        if to != from && self.taken(&to) {
            return Err(ViewsError::Taken(to));
        }
        self.views[i].name = to;
        Ok(())
    }

    pub fn delete(&mut self, name: &str) -> Result<(), ViewsError> {
        let before = self.views.len();
        self.views.retain(|v| v.name != name);
        if self.views.len() == before {
            return Err(ViewsError::NotFound(name.to_string()));
        }
        Ok(())
    }

    /// The list as a file (and as the browser keeps it): versioned JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&File {
            format: FORMAT.into(),
            version: VERSION,
            views: self.views.clone(),
        })
        .unwrap_or_default()
    }

    /// Reads a file strictly: its format, version and every entry are checked, names are
    /// unique.
    pub fn from_json(text: &str) -> Result<SavedViews, ViewsError> {
        if text.len() > MAX_FILE_BYTES {
            return Err(ViewsError::TooBig);
        }
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| ViewsError::NotAViewsFile(format!("not JSON: {e}")))?;
        if v.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(ViewsError::NotAViewsFile(format!(
                "no \"format\": \"{FORMAT}\""
            )));
        }
        match v.get("version").and_then(|v| v.as_u64()) {
            Some(VERSION) => {}
            Some(other) => return Err(ViewsError::Version(other)),
            None => return Err(ViewsError::NotAViewsFile("no version".into())),
        }
        let file: File =
            serde_json::from_value(v).map_err(|e| ViewsError::NotAViewsFile(format!("{e}")))?;
        if file.views.len() > MAX_VIEWS {
            return Err(ViewsError::Full);
        }
        let mut out = SavedViews::default();
        for (i, view) in file.views.into_iter().enumerate() {
            check_entry(&view).map_err(|why| ViewsError::BadEntry(i, why))?;
            if out.taken(&view.name) {
                return Err(ViewsError::BadEntry(
                    i,
                    format!("the name \"{}\" is given twice", view.name),
                ));
            }
            out.views.push(view);
        }
        Ok(out)
    }

    /// Adds `other`'s views to these: one with the same name and link is kept once; one whose
    /// name is taken by another link is added as "name (2)" (or the next free number). No view
    /// already kept is changed or lost; past [`MAX_VIEWS`] the import is refused whole.
    pub fn merge(&mut self, other: &SavedViews) -> Result<Merged, ViewsError> {
        let mut next = self.clone();
        let mut m = Merged::default();
        for v in &other.views {
            let base: String = v.name.chars().take(MAX_NAME_CHARS - 8).collect();
            let renamed = |n: &str| {
                n.strip_prefix(&base)
                    .and_then(|r| r.strip_prefix(" ("))
                    .and_then(|r| r.strip_suffix(')'))
                    .is_some_and(|k| k.parse::<u32>().is_ok())
            };
            let kept_before = next
                .views
                .iter()
                .any(|x| x.query == v.query && (x.name == v.name || renamed(&x.name)));
            match next.get(&v.name) {
                _ if kept_before => m.same += 1,
                None => {
                    next.views.push(v.clone());
                    m.added += 1;
                }
                Some(_) => {
                    let name = (2..)
                        .map(|k| format!("{base} ({k})"))
                        .find(|n| !next.taken(n))
                        .expect("a free name");
                    next.views.push(SavedView { name, ..v.clone() });
                    m.added += 1;
                    m.renamed += 1;
                }
            }
        }
        if next.views.len() > MAX_VIEWS {
            return Err(ViewsError::Full);
        }
        *self = next;
        Ok(m)
    }
}

/// The saved views as this browser keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kept {
    /// Nothing kept yet, or a list this app reads.
    List(SavedViews),
    /// A text this app cannot read (damaged, or written by a newer version): shown as no
    /// views, never written over.
    Unreadable(ViewsError),
}

impl Kept {
    /// Reads what the browser keeps (`None` or empty: nothing yet).
    pub fn read(text: Option<&str>) -> Kept {
        match text.filter(|t| !t.trim().is_empty()) {
            None => Kept::List(SavedViews::default()),
            Some(t) => match SavedViews::from_json(t) {
                Ok(l) => Kept::List(l),
                Err(e) => Kept::Unreadable(e),
            },
        }
    }

    /// The views to list (none for an unreadable text).
    pub fn views(self) -> SavedViews {
        match self {
            Kept::List(l) => l,
            Kept::Unreadable(_) => SavedViews::default(),
        }
    }

    /// What the menu says about an unreadable kept list before any change; `aside` names where
    /// a change would keep it.
    pub fn notice(&self, aside: &str) -> Option<String> {
        match self {
            Kept::List(_) => None,
            Kept::Unreadable(why) => Some(format!(
                "The saved views kept in this browser cannot be read: {why} They are left as \
                 they are; the next change keeps them aside, unchanged, under \"{aside}\" and \
                 starts a new list."
            )),
        }
    }
}

/// Where a change to the saved views starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// The kept list as it is now (another tab's saves included).
    List(SavedViews),
    /// The kept text cannot be read: it is moved aside first, unchanged, and the change starts
    /// from an empty list; the message says so.
    SetAside(String),
}

/// Where a change starts: `kept` is the browser's saved-views text read again at the change
/// (so a save in another tab is not lost), `aside` what the place for an unreadable list holds
/// (`aside_name` names it). An unreadable kept list is never written over: it is moved aside,
/// or, when the place aside is taken, the change is refused with a message.
pub fn start_change(
    kept: Option<&str>,
    aside: Option<&str>,
    aside_name: &str,
) -> Result<Start, String> {
    match Kept::read(kept) {
        Kept::List(l) => Ok(Start::List(l)),
        Kept::Unreadable(why) if aside.is_none_or(|a| a.trim().is_empty()) => {
            Ok(Start::SetAside(format!(
                "The saved views kept in this browser could not be read ({}); they are kept \
                 aside, unchanged, under \"{aside_name}\", and a new list was started.",
                why.to_string().trim_end_matches('.')
            )))
        }
        Kept::Unreadable(why) => Err(format!(
            "Nothing was saved: the saved views kept in this browser cannot be read ({}), and \
                 \"{aside_name}\" already holds a list kept aside earlier, so neither is written \
                 over. Move or delete one of them in the browser's storage to save views again.",
            why.to_string().trim_end_matches('.')
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn two() -> SavedViews {
        let mut s = SavedViews::default();
        s.add(" Failed deletes ", "v=1&q=Delete", 1).unwrap();
        s.add("alice", "v=1&q=alice", 2).unwrap();
        s
    }

    #[test]
    fn add_rename_delete_keep_names_unique() {
        let mut s = two();
        assert_eq!(s.list()[0].name, "Failed deletes");
        assert_eq!(
            s.add("alice", "v=1", 3),
            Err(ViewsError::Taken("alice".into()))
        );
        assert_eq!(s.add("  ", "v=1", 3), Err(ViewsError::EmptyName));
        assert_eq!(
            s.add(&"x".repeat(MAX_NAME_CHARS + 1), "v=1", 3),
            Err(ViewsError::NameTooLong)
        );
        assert_eq!(
            s.rename("alice", "Failed deletes"),
            Err(ViewsError::Taken("Failed deletes".into()))
        );
        s.rename("alice", "alice").unwrap();
        s.rename("alice", " bob ").unwrap();
        assert_eq!(s.get("bob").unwrap().query, "v=1&q=alice");
        assert_eq!(
            s.rename("nobody", "x"),
            Err(ViewsError::NotFound("nobody".into()))
        );
        s.delete("bob").unwrap();
        assert_eq!(s.delete("bob"), Err(ViewsError::NotFound("bob".into())));
        assert_eq!(s.list().len(), 1);
        assert_eq!(
            ViewsError::Taken("a".into()).to_string(),
            "A view named \"a\" exists already."
        );
    }

    #[test]
    fn a_file_reads_back_and_bad_files_are_named() {
        let s = two();
        let text = s.to_json();
        assert!(
            text.contains("\"format\": \"trailview-saved-views\""),
            "{text}"
        );
        assert_eq!(SavedViews::from_json(&text), Ok(s));
        let err = |t: &str| SavedViews::from_json(t).unwrap_err().to_string();
        assert!(err("hello").starts_with("This file is not a trailview saved-views file (not JSON"));
        assert!(err("{\"views\": []}").contains("no \"format\""));
        assert_eq!(
            err("{\"format\":\"trailview-saved-views\",\"version\":7,\"views\":[]}"),
            "This saved-views file is version 7; this app reads version 1."
        );
        assert!(err(
            "{\"format\":\"trailview-saved-views\",\"version\":1,\"views\":[{\"name\":1}]}"
        )
        .starts_with("This file is not a trailview saved-views file"));
        assert_eq!(
            err("{\"format\":\"trailview-saved-views\",\"version\":1,\"views\":[{\"name\":\" \",\"query\":\"\",\"created\":0}]}"),
            "View 1 of the file cannot be read: Give the view a name.."
        );
        let twice = "{\"format\":\"trailview-saved-views\",\"version\":1,\"views\":[\
            {\"name\":\"a\",\"query\":\"\",\"created\":0},{\"name\":\"a\",\"query\":\"\",\"created\":0}]}";
        assert!(err(twice).contains("given twice"));
    }

    #[test]
    fn an_unreadable_kept_list_is_never_written_over() {
        let newer = "{\"format\":\"trailview-saved-views\",\"version\":2,\"views\":[]}";
        for text in ["{\"format\": \"trailview-saved-views\", \"vers", newer] {
            let kept = Kept::read(Some(text));
            assert!(matches!(kept, Kept::Unreadable(_)), "{text}");
            assert_eq!(kept.clone().views(), SavedViews::default());
            let note = kept.notice("bak").unwrap();
            assert!(
                note.contains("cannot be read") && note.contains("\"bak\""),
                "{note}"
            );
            // Nothing aside yet: the text goes aside, the change starts from an empty list.
            match start_change(Some(text), None, "bak") {
                Ok(Start::SetAside(msg)) => {
                    assert!(
                        msg.contains("kept aside, unchanged, under \"bak\""),
                        "{msg}"
                    );
                }
                other => panic!("{other:?}"),
            }
            assert!(matches!(
                start_change(Some(text), Some(""), "bak"),
                Ok(Start::SetAside(_))
            ));
            // Something aside already: refused, so neither is lost.
            let refused = start_change(Some(text), Some("older"), "bak").unwrap_err();
            assert!(refused.starts_with("Nothing was saved"), "{refused}");
        }
        assert!(start_change(Some(newer), None, "bak")
            .is_ok_and(|s| matches!(s, Start::SetAside(m) if m.contains("version 2"))));
        // A readable list (or none) is changed as it is kept now, whatever lies aside.
        let s = two();
        assert_eq!(
            start_change(Some(&s.to_json()), Some("older"), "bak"),
            Ok(Start::List(s))
        );
        assert_eq!(
            start_change(None, None, "bak"),
            Ok(Start::List(SavedViews::default()))
        );
        assert_eq!(Kept::read(Some("  ")), Kept::List(SavedViews::default()));
        assert_eq!(Kept::read(None).notice("bak"), None);
    }

    #[test]
    fn merging_keeps_every_view_and_renames_clashes() {
        let mut s = two();
        let mut other = SavedViews::default();
        other.add("alice", "v=1&q=alice", 9).unwrap();
        other.add("Failed deletes", "v=1&q=other", 9).unwrap();
        other.add("new", "v=1&q=new", 9).unwrap();
        let m = s.merge(&other).unwrap();
        assert_eq!(
            m,
            Merged {
                added: 2,
                same: 1,
                renamed: 1
            }
        );
        assert_eq!(
            m.to_string(),
            "Imported 2 views (1 renamed: the name was taken); 1 already kept."
        );
        let names: Vec<&str> = s.list().iter().map(|v| v.name.as_str()).collect();
        assert_eq!(
            names,
            ["Failed deletes", "alice", "Failed deletes (2)", "new"]
        );
        assert_eq!(s.get("Failed deletes").unwrap().query, "v=1&q=Delete");
    }

    fn views() -> impl Strategy<Value = SavedViews> {
        prop::collection::vec(
            (
                prop_oneof!["[a-zA-Z0-9 ]{1,12}", any::<String>()],
                any::<String>(),
                any::<i64>(),
            ),
            0..6,
        )
        .prop_map(|v| {
            let mut s = SavedViews::default();
            for (name, query, created) in v {
                let _ = s.add(&name, &query, created);
            }
            s
        })
    }

    proptest! {
        /// Any list reads back from its file as itself.
        #[test]
        fn files_round_trip(s in views()) {
            prop_assert_eq!(SavedViews::from_json(&s.to_json()), Ok(s));
        }

        /// A merge loses none of the views kept, adds every view of the file (under its name
        /// or a new one), and merging the same file again adds nothing.
        #[test]
        fn merges_lose_nothing(a in views(), b in views()) {
            let mut m = a.clone();
            let r = m.merge(&b).unwrap();
            prop_assert_eq!(&m.list()[..a.list().len()], a.list());
            prop_assert_eq!(r.added + r.same, b.list().len());
            for v in b.list() {
                prop_assert!(m.list().iter().any(|x| x.query == v.query && x.created == v.created
                    && (x.name == v.name || x.name.contains(" ("))));
            }
            let again = m.clone();
            let r2 = m.merge(&b).unwrap();
            prop_assert_eq!(r2.same, b.list().len());
            prop_assert_eq!(m, again);
        }

        /// Any text is read without a panic.
        #[test]
        fn any_text_is_read_or_refused(t in any::<String>()) {
            let _ = SavedViews::from_json(&t);
        }
    }
}
