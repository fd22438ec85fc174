//! The toolbar's "Columns" button and its menu: each column a checkbox named by its title,
//! moved left or right by buttons (headers are also dragged, and resized at their right edge,
//! in the table), JSON paths added as columns and removed, and a reset. Every change is core's
//! `ColumnLayout`; the state keeps it in this browser.

use crate::events::state::AppState;
use leptos::prelude::*;
use trailview_core::columns::{ColumnId, Shown, Side};
use wasm_bindgen::JsCast;

#[component]
pub fn ColumnMenu() -> impl IntoView {
    let st = expect_context::<AppState>();
    let open = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let path = RwSignal::new(String::new());
    let button = NodeRef::<leptos::html::Button>::new();
    let close = move || {
        open.set(false);
        error.set(None);
        if let Some(b) = button.get_untracked() {
            let _ = b.focus();
        }
    };
    let add = move || {
        let text = path.get_untracked();
        match st.add_path_column(&text) {
            Ok(_) => {
                path.set(String::new());
                error.set(None);
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    // One row per column, keyed by the column: a move reorders the rows (and keeps focus on
    // the button that was pressed, on the column that moved), never reuses a row for another.
    let list = NodeRef::<leptos::html::Ul>::new();
    let row = move |id: ColumnId| {
        let title = id.title().to_string();
        let (c_toggle, c_left, c_right, c_remove, c_shown) =
            (id.clone(), id.clone(), id.clone(), id.clone(), id.clone());
        let toggle = move |_| {
            let next = match st.layout.with_untracked(|l| l.shown(&c_toggle)) {
                Some(Shown::Visible) => Shown::Hidden,
                _ => Shown::Visible,
            };
            match st.set_column_shown(&c_toggle, next) {
                Ok(()) => error.set(None),
                Err(e) => error.set(Some(e.to_string())),
            }
        };
        let checked = move || {
            st.layout
                .with(|l| l.shown(&c_shown) == Some(Shown::Visible))
        };
        // After a move the row is elsewhere: focus the same button on it again.
        let refocus = move |label: String| {
            request_animation_frame(move || {
                let sel = format!("button[aria-label=\"{}\"]", label.replace('"', "\\\""));
                if let Some(b) = list
                    .get_untracked()
                    .and_then(|l| l.query_selector(&sel).ok().flatten())
                    .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = b.focus();
                }
            });
        };
        let (left_label, right_label) =
            (format!("Move {title} left"), format!("Move {title} right"));
        let (l2, r2) = (left_label.clone(), right_label.clone());
        let is_path = matches!(id, ColumnId::Path(_));
        view! {
            <li data-testid="column-item">
                <label>
                    <input type="checkbox" prop:checked=checked on:change=toggle/>
                    {title.clone()}
                </label>
                <button type="button" class="ghost" aria-label=left_label
                    on:click=move |_| { st.step_column(&c_left, Side::Left); refocus(l2.clone()); }>"←"</button>
                <button type="button" class="ghost" aria-label=right_label
                    on:click=move |_| { st.step_column(&c_right, Side::Right); refocus(r2.clone()); }>"→"</button>
                {is_path.then(|| view! {
                    <button type="button" class="ghost" aria-label=format!("Remove column {title}")
                        on:click=move |_| st.remove_path_column(&c_remove)>"×"</button>
                })}
            </li>
        }
    };
    view! {
        <span class="columns-menu" data-testid="columns"
            on:keydown=move |ev| {
                if ev.key() == "Escape" && open.get_untracked() {
                    ev.prevent_default();
                    ev.stop_propagation();
                    close();
                }
            }>
            <button type="button" node_ref=button data-testid="columns-button"
                aria-expanded=move || open.get().to_string() aria-controls="columns-panel"
                on:click=move |_| open.update(|o| *o = !*o)>"Columns"</button>
            <Show when=move || open.get()>
                <div id="columns-panel" class="columns-panel" role="group" aria-label="Columns" data-testid="columns-panel">
                    <ul node_ref=list>
                        <For each=move || st.layout.with(|l| l.specs().iter().map(|s| s.id.clone()).collect::<Vec<_>>())
                            key=|id| id.clone() let:id>
                            {row(id)}
                        </For>
                    </ul>
                    <form class="add-column" on:submit=move |ev| { ev.prevent_default(); add(); }>
                        <input type="text" data-testid="column-path" aria-label="JSON path to add as a column"
                            placeholder="requestParameters.RegionId"
                            prop:value=move || path.get() on:input=move |ev| path.set(event_target_value(&ev))/>
                        <button type="submit" data-testid="column-add">"Add column"</button>
                    </form>
                    <p class="hint">"Drag a header to move it, its right edge to resize it."</p>
                    {move || error.get().map(|e| view! { <p class="column-error" role="alert" data-testid="column-error">{e}</p> })}
                    <button type="button" class="ghost" data-testid="columns-reset" on:click=move |_| st.reset_columns()>"Reset columns"</button>
                </div>
            </Show>
        </span>
    }
}
