//! Keyboard first: the one window keydown listener (core's `shortcuts::action` says what a
//! key does) and the `?` dialog listing every shortcut.

use crate::events::state::AppState;
use leptos::prelude::*;
use trailview_core::shortcuts::{self, Action, EscapeDoes, KeyPress, Step, Target};
use wasm_bindgen::JsCast;

/// Where a key was pressed, from its target element.
fn target_kind(ev: &web_sys::KeyboardEvent) -> Target {
    let Some(el) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return Target::Other;
    };
    if el.is_content_editable() {
        return Target::Text;
    }
    match el.tag_name().as_str() {
        "INPUT" | "TEXTAREA" | "SELECT" => Target::Text,
        "BUTTON" | "A" | "SUMMARY" => Target::Control,
        _ if el.has_attribute("role") || el.tab_index() >= 0 => Target::Control,
        _ => Target::Other,
    }
}

fn focus(selector: &str) -> bool {
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    el.is_some_and(|e| e.focus().is_ok())
}

/// Show or hide the fields panel from the keyboard (f, Esc): a panel closing with the focus
/// inside it hands the focus to its "Fields" toggle (a hidden element cannot keep it).
fn toggle_fields(st: AppState) {
    let doc = web_sys::window().and_then(|w| w.document());
    let inside = st.fields_open.get_untracked()
        && doc.as_ref().is_some_and(|d| {
            let panel = d
                .query_selector("[data-testid=fields-panel]")
                .ok()
                .flatten();
            let active: Option<web_sys::Node> = d.active_element().map(Into::into);
            panel.is_some_and(|p| p.contains(active.as_ref()))
        });
    st.toggle_fields();
    if inside {
        focus("[data-testid=fields-toggle]");
    }
}

/// Focus the open event's JSON tree (from the next frame on, when it is drawn).
pub fn focus_event_tree() {
    request_animation_frame(|| {
        focus("#event-detail [role=tree]");
    });
}

/// Move the selection one row (across pages), select it and show it.
fn step_row(st: AppState, s: Step) {
    let size = st.page_size.get_untracked().max(1);
    let start = st.page_info.with_untracked(|p| p.start);
    let sel = st.selected.get_untracked();
    let (current, len) = st
        .filtered
        .with_untracked(|f| (sel.and_then(|r| f.iter().position(|&x| x == r)), f.len()));
    let Some(to) = shortcuts::step(current, start, len, s) else {
        return;
    };
    let Some(go) = st.row_nav.get_value() else {
        return;
    };
    if to / size != st.page.get_untracked() {
        // After the new page's own scroll to its top (an effect).
        st.page.set(to / size);
        request_animation_frame(move || go.run(to % size));
    } else {
        go.run(to % size);
    }
}

#[component]
pub fn Shortcuts() -> impl IntoView {
    let st = expect_context::<AppState>();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let before = StoredValue::new_local(None::<web_sys::HtmlElement>);
    let show_help = move || {
        let Some(d) = dialog.get_untracked() else {
            return;
        };
        let active = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        before.set_value(active);
        let _ = d.show_modal();
    };
    let on_close = move |_| {
        if let Some(e) = before.get_value() {
            let _ = e.focus();
        }
    };
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        // Not while the list is open (its own Esc closes it), nor in the Jobs view. The dialog's
        // own state, not a flag its `close` event clears: that event is a task queued after the
        // dialog has closed, and a key pressed right after can come first.
        let jobs = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
            .is_some_and(|b| b.class_list().contains("view-jobs"));
        // Nor from inside a dialog (Compare has its own keys).
        let in_dialog = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("dialog[open]").ok().flatten())
            .is_some();
        let list_open = dialog.get_untracked().is_some_and(|d| d.open());
        if list_open || jobs || in_dialog {
            return;
        }
        let press = KeyPress {
            key: &ev.key(),
            command: ev.ctrl_key() || ev.meta_key() || ev.alt_key(),
            target: target_kind(&ev),
            handled: ev.default_prevented(),
        };
        let Some(action) = shortcuts::action(&press) else {
            return;
        };
        match action {
            Action::FocusSearch => {
                focus("[data-testid=search]");
            }
            Action::NextRow => step_row(st, Step::Next),
            Action::PreviousRow => step_row(st, Step::Previous),
            Action::OpenRow => {
                if st.selected.get_untracked().is_none() {
                    step_row(st, Step::Next);
                }
                focus_event_tree();
            }
            Action::Escape => {
                let search = st.search.get_untracked();
                match shortcuts::escape(
                    st.selected.get_untracked().is_some(),
                    &search,
                    st.fields_open.get_untracked(),
                ) {
                    Some(EscapeDoes::CloseEvent) => st.selected.set(None),
                    Some(EscapeDoes::ClearSearch) => st.set_search(String::new()),
                    Some(EscapeDoes::CloseFields) => toggle_fields(st),
                    None => return,
                }
            }
            Action::ToggleFields => toggle_fields(st),
            Action::Help => show_help(),
        }
        ev.prevent_default();
    });
    on_cleanup(move || handle.remove());
    view! {
        <dialog class="shortcuts" node_ref=dialog aria-labelledby="shortcuts-title" data-testid="shortcuts" on:close=on_close>
            <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
            <p class="hint">"Not while typing in a box, nor with Ctrl, Alt or ⌘."</p>
            <dl>
                {shortcuts::SHORTCUTS
                    .iter()
                    .map(|(k, what)| view! { <div><dt><kbd>{*k}</kbd></dt><dd>{*what}</dd></div> })
                    .collect_view()}
            </dl>
            <form method="dialog"><button type="submit" data-testid="shortcuts-close">"Close"</button></form>
        </dialog>
    }
}
