//! The toolbar's "Copy" menu: the selected event as pretty JSON, and the marked rows (else the
//! selected one) as CSV or a Markdown table (core's writers: the table's visible columns, the
//! CSV's guard against formulas), to the clipboard; a status says what was copied or that the
//! browser refused.

use crate::events::state::AppState;
use crate::ui::clipboard::write;
use crate::ui::menu::MenuButton;
use leptos::prelude::*;
use trailview_core::export::{copied_text, rows_text, Copied};

#[component]
pub fn CopyMenu() -> impl IntoView {
    let st = expect_context::<AppState>();
    let open = RwSignal::new(false);
    // (copied, text)
    let status = RwSignal::new(None::<(bool, String)>);
    let copy = move |text: String, done: String| {
        leptos::task::spawn_local(async move {
            status.set(Some(match write(text).await {
                Ok(()) => (true, done),
                Err(e) => (false, format!("The browser refused the clipboard: {e}")),
            }));
        });
    };
    let copy_json = move |_| {
        open.set(false);
        let raw = st.selected.get_untracked().and_then(|row| {
            st.store
                .with_value(|s| ((row as usize) < s.len()).then(|| s.raw(row)))
        });
        let Some(raw) = raw else {
            return status.set(Some((false, "Select an event to copy it as JSON.".into())));
        };
        let text = serde_json::from_str::<serde_json::Value>(&raw)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or(raw);
        copy(text, "Copied the event as JSON".into());
    };
    let copy_rows = move |how: Copied| {
        open.set(false);
        let selected = st.selected.get_untracked();
        let rows = st.store.with_value(|s| {
            st.marks
                .with_untracked(|m| st.order.with_untracked(|o| m.rows_to_copy(s, o, selected)))
        });
        if rows.is_empty() {
            return status.set(Some((
                false,
                "Mark rows (or select one) to copy them.".into(),
            )));
        }
        let cols = st.visible_columns.get_untracked();
        let text = st.store.with_value(|s| rows_text(s, &rows, &cols, how));
        copy(text, copied_text(rows.len(), how));
    };
    let item = move |how: Copied| {
        view! {
            <button type="button" role="menuitem" data-testid=format!("copy-{}", how.label().to_ascii_lowercase())
                on:click=move |_| copy_rows(how)>{format!("Copy rows as {}", how.label())}</button>
        }
    };
    view! {
        <MenuButton label="Copy" testid="copy" open
            title="Copy the selected event, or the marked rows, to the clipboard"
            items=move || view! {
                <button type="button" role="menuitem" data-testid="copy-json" on:click=copy_json>"Copy JSON"</button>
                {item(Copied::Csv)}
                {item(Copied::Markdown)}
            }>
            {move || status.get().map(|(ok, text)| view! {
                <span role=if ok { "status" } else { "alert" } data-testid="copy-status"
                    data-state=if ok { "done" } else { "error" }>{text}</span>
            })}
        </MenuButton>
    }
}
