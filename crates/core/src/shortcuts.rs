//! The app's keyboard shortcuts: which key does what, when a key is not a shortcut (typing,
//! modifiers), what Escape closes, and where j / k move the selection. The app has one window
//! listener that asks [`action`].

/// What a shortcut does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    FocusSearch,
    NextRow,
    PreviousRow,
    OpenRow,
    Escape,
    ToggleFields,
    Help,
}

/// Where the key was pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// An input, textarea, select or contenteditable: keys are text.
    Text,
    /// A button, link or other control with its own Enter / Space (and its own keys: a table
    /// row, the JSON tree).
    Control,
    Other,
}

/// One keydown, as the listener reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyPress<'a> {
    /// `KeyboardEvent.key`.
    pub key: &'a str,
    /// Ctrl, Meta or Alt held (Shift is part of the key: `?`).
    pub command: bool,
    pub target: Target,
    /// A component handled the key already (`defaultPrevented`).
    pub handled: bool,
}

/// The shortcut a key press is, if any. Never while typing, with Ctrl / Meta / Alt, or for a
/// key a component handled; Enter only where it has no meaning of its own.
pub fn action(k: &KeyPress) -> Option<Action> {
    if k.command || k.handled || k.target == Target::Text {
        return None;
    }
    Some(match k.key {
        "/" => Action::FocusSearch,
        "j" => Action::NextRow,
        "k" => Action::PreviousRow,
        "Enter" if k.target == Target::Other => Action::OpenRow,
        "Escape" => Action::Escape,
        "f" => Action::ToggleFields,
        "?" => Action::Help,
        _ => return None,
    })
}

/// Every shortcut, for the `?` dialog: (keys, what they do).
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("/", "Focus the search box"),
    ("j / k", "Select the next / previous event (across pages)"),
    ("Enter", "Open the selected event's JSON tree (focus it)"),
    (
        "Esc",
        "Close the open event, else clear the search, else close the fields panel; in the search box, clear it",
    ),
    ("f", "Show or hide the fields panel"),
    ("?", "This list"),
    ("↑ ↓ Page Up/Down Home End", "On a table row: move between rows"),
    (
        "x",
        "On a table row: mark or unmark it (Ctrl/⌘+click too); two marked: Compare",
    ),
    (
        "+ − c p",
        "On the JSON tree: filter for / out, copy value, copy path; a: add as a field",
    ),
];

/// What Escape does, by what is open: the open event first, then the search, then the fields
/// panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EscapeDoes {
    CloseEvent,
    ClearSearch,
    CloseFields,
}

pub fn escape(event_open: bool, search: &str, fields_open: bool) -> Option<EscapeDoes> {
    if event_open {
        Some(EscapeDoes::CloseEvent)
    } else if !search.is_empty() {
        Some(EscapeDoes::ClearSearch)
    } else if fields_open {
        Some(EscapeDoes::CloseFields)
    } else {
        None
    }
}

/// A j / k step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Next,
    Previous,
}

/// The position (in the filtered rows) the selection moves to: from `current` (the selected
/// row's position, if it passes the filters) one step, within `0..len`; with nothing selected,
/// the first row of the page shown (`page_start`). `None` without rows.
pub fn step(current: Option<usize>, page_start: usize, len: usize, s: Step) -> Option<usize> {
    if len == 0 {
        return None;
    }
    let to = match (current, s) {
        (None, _) => page_start,
        (Some(i), Step::Next) => i + 1,
        (Some(i), Step::Previous) => i.saturating_sub(1),
    };
    Some(to.min(len - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(key: &str, target: Target) -> Option<Action> {
        action(&KeyPress {
            key,
            command: false,
            target,
            handled: false,
        })
    }

    #[test]
    fn keys_map_to_actions_outside_text() {
        assert_eq!(press("/", Target::Other), Some(Action::FocusSearch));
        assert_eq!(press("j", Target::Control), Some(Action::NextRow));
        assert_eq!(press("k", Target::Other), Some(Action::PreviousRow));
        assert_eq!(press("f", Target::Other), Some(Action::ToggleFields));
        assert_eq!(press("?", Target::Other), Some(Action::Help));
        assert_eq!(press("Escape", Target::Control), Some(Action::Escape));
        assert_eq!(press("Enter", Target::Other), Some(Action::OpenRow));
        assert_eq!(
            press("Enter", Target::Control),
            None,
            "a button's Enter is its own"
        );
        assert_eq!(press("J", Target::Other), None);
        assert_eq!(press("x", Target::Other), None);
    }

    #[test]
    fn never_while_typing_with_modifiers_or_when_handled() {
        for key in ["/", "j", "k", "Enter", "Escape", "f", "?"] {
            assert_eq!(press(key, Target::Text), None, "{key} in an input");
            let k = KeyPress {
                key,
                command: true,
                target: Target::Other,
                handled: false,
            };
            assert_eq!(action(&k), None, "Ctrl/Meta/Alt+{key}");
            let k = KeyPress {
                handled: true,
                command: false,
                ..k
            };
            assert_eq!(action(&k), None, "{key} a component handled");
        }
    }

    #[test]
    fn escape_closes_the_innermost_first() {
        assert_eq!(escape(true, "x", true), Some(EscapeDoes::CloseEvent));
        assert_eq!(escape(false, "x", true), Some(EscapeDoes::ClearSearch));
        assert_eq!(escape(false, "", true), Some(EscapeDoes::CloseFields));
        assert_eq!(escape(false, "", false), None);
    }

    #[test]
    fn steps_stay_in_the_rows_and_cross_pages() {
        assert_eq!(step(None, 50, 120, Step::Next), Some(50));
        assert_eq!(step(None, 0, 120, Step::Previous), Some(0));
        assert_eq!(step(Some(49), 0, 120, Step::Next), Some(50));
        assert_eq!(step(Some(50), 50, 120, Step::Previous), Some(49));
        assert_eq!(step(Some(119), 100, 120, Step::Next), Some(119));
        assert_eq!(step(Some(0), 0, 120, Step::Previous), Some(0));
        assert_eq!(step(None, 0, 0, Step::Next), None);
        assert_eq!(step(None, 500, 3, Step::Next), Some(2));
    }
}
