//! Compare two marked events: the toolbar's "Compare" button (enabled with exactly two marked)
//! opens a modal dialog named "Compare" listing core's `diff` rows by JSON path, the first
//! marked event on the left. Changed parts are `<mark>`ed, added and removed paths tagged in
//! words; "Hide equal" (on at first) lists only what differs. Only the rows in the scroll
//! viewport are in the DOM (as in the JSON tree), each static markup built once, every value
//! a text node. Esc or Close closes it and focus goes back to the button.
//!
//! The button and the dialog are the app's; the rows ([`CompareView`], the JSON diff) are in
//! the module loaded later (`crate::later`, [`mount_rows`]): the first Compare loads it, a
//! failed load says why and offers Retry.

use crate::events::state::AppState;
use crate::format;
use crate::later::{self, Later, Loading, Module};
use crate::ui::viewport::Viewport;
use leptos::prelude::*;
use serde_json::Value;
use std::sync::Arc;
use trailview_core::diff::{Change, Diff, Equals, Marked};
use trailview_core::marks::compare_hint;
use trailview_core::schema::Field;
use trailview_core::tree::RowLayout;
use wasm_bindgen::prelude::*;

/// Row height in pixels (`.compare .cmp-row` in `style/main.css`).
const ROW: f64 = 24.0;
const OVERSCAN: usize = 10;
/// Viewport height assumed until it is measured.
const DEFAULT_HEIGHT: f64 = 480.0;

#[wasm_bindgen]
extern "C" {
    /// The module's `mount_compare` ([`mount_rows`] on its side).
    #[wasm_bindgen(method, catch)]
    fn mount_compare(
        this: &Later,
        parent: &web_sys::HtmlElement,
        first_raw: &str,
        second_raw: &str,
        first: &str,
        second: &str,
    ) -> Result<CompareRows, JsValue>;

    /// The rows mounted in the dialog (`CompareRows` in the module).
    type CompareRows;
    #[wasm_bindgen(method)]
    fn unmount(this: &CompareRows);
}

/// The two marked events: each one's JSON text and title (event name and time).
#[derive(Clone)]
struct Pair {
    first_raw: String,
    second_raw: String,
    first: String,
    second: String,
}

#[component]
pub fn CompareButton() -> impl IntoView {
    let st = expect_context::<AppState>();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let button = NodeRef::<leptos::html::Button>::new();
    let slot = NodeRef::<leptos::html::Div>::new();
    // The rows' module: `NotYet` while the dialog is closed.
    let rows = RwSignal::new(Loading::NotYet);
    let pair = StoredValue::new(None::<Pair>);
    let mounted = StoredValue::new_local(None::<CompareRows>);
    let marked = Memo::new(move |_| {
        st.version.track();
        st.marks.with(|m| st.store.with_value(|s| m.rows(s).len()))
    });
    // Load the module (at once after the first time) and mount the rows into the slot.
    let show = move || {
        rows.set(Loading::Loading);
        leptos::task::spawn_local(async move {
            let shown = async {
                let module: Later = later::load(Module::Views).await?.unchecked_into();
                let (Some(p), Some(slot)) = (pair.get_value(), slot.get_untracked()) else {
                    return Ok(None);
                };
                module
                    .mount_compare(&slot, &p.first_raw, &p.second_raw, &p.first, &p.second)
                    .map(Some)
            };
            let shown = shown.await;
            // Closed while loading, or shown by an earlier open's load: nothing more to show.
            if rows.get_untracked() != Loading::Loading || mounted.with_value(Option::is_some) {
                if let Ok(Some(r)) = shown {
                    r.unmount();
                }
                return;
            }
            match shown {
                Ok(Some(r)) => {
                    mounted.set_value(Some(r));
                    rows.set(Loading::Ready);
                    let hide = dialog
                        .get_untracked()
                        .and_then(|d| d.query_selector("[data-testid=hide-equal]").ok().flatten())
                        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
                    if let Some(h) = hide {
                        let _ = h.focus();
                    }
                }
                Ok(None) => {}
                Err(e) => rows.set(Loading::Failed(later::describe(
                    "Compare",
                    Module::Views,
                    &e,
                ))),
            }
        });
    };
    let open = move |_| {
        let tz = st.tz.get_untracked();
        let two = st.store.with_value(|s| {
            let (a, b) = st.marks.with_untracked(|m| m.pair(s))?;
            let title = |r: u32| {
                format!(
                    "{} {}",
                    s.field(r, Field::EventName),
                    format::time(s.time_ms(r), tz)
                )
            };
            Some(Pair {
                first_raw: s.raw(a),
                second_raw: s.raw(b),
                first: title(a),
                second: title(b),
            })
        });
        if two.is_none() {
            return;
        }
        pair.set_value(two);
        if let Some(d) = dialog.get_untracked() {
            let _ = d.show_modal();
        }
        show();
    };
    // Closed (by Esc, Close, or the browser): the rows go, focus goes back to the button.
    let closed = move || {
        rows.set(Loading::NotYet);
        pair.set_value(None);
        if let Some(r) = mounted.try_update_value(Option::take).flatten() {
            r.unmount();
        }
        if let Some(b) = button.get_untracked() {
            let _ = b.focus();
        }
    };
    let close = move || {
        if let Some(d) = dialog.get_untracked() {
            d.close();
        }
        // Now, not at the `close` event (a task later).
        closed();
    };
    let on_close = move |_| {
        if rows.get_untracked() != Loading::NotYet {
            closed();
        }
    };
    view! {
        <button type="button" data-testid="compare-button" node_ref=button
            // Shown once a row is marked (the toolbar keeps one line at 800 px until then).
            hidden=move || marked.get() == 0
            disabled=move || marked.get() != 2
            title=move || compare_hint(marked.get())
            on:click=open>"Compare"</button>
        <dialog class="compare" node_ref=dialog aria-label="Compare" data-testid="compare"
            on:close=on_close
            on:keydown=move |ev| {
                // The page's shortcuts are for the table behind the dialog.
                ev.stop_propagation();
                if ev.key() == "Escape" {
                    ev.prevent_default();
                    close();
                }
            }>
            {later::status(rows, "Compare", "compare", show)}
            <div class="cmp-body" node_ref=slot></div>
            <div class="cmp-close">
                <button type="button" data-testid="compare-close" on:click=move |_| close()>"Close"</button>
            </div>
        </dialog>
    }
}

/// The module's side of Compare: the rows of the two events (their JSON texts; a text that is
/// not JSON is compared as one string) mounted into `parent` until the handle is dropped.
pub fn mount_rows(
    parent: web_sys::HtmlElement,
    first_raw: &str,
    second_raw: &str,
    first: String,
    second: String,
) -> Box<dyn std::any::Any> {
    let doc = |raw: &str| {
        serde_json::from_str::<Value>(raw).unwrap_or_else(|_| Value::String(raw.to_string()))
    };
    let diff = Arc::new(Diff::new(doc(first_raw), doc(second_raw)));
    Box::new(leptos::mount::mount_to(parent, move || {
        view! { <CompareView diff=diff first=first second=second /> }
    }))
}

/// The two events' rows side by side by path, with "Hide equal".
#[component]
pub fn CompareView(
    diff: Arc<Diff>,
    /// The first (left) event's title.
    #[prop(into)]
    first: String,
    #[prop(into)] second: String,
) -> impl IntoView {
    let equals = RwSignal::new(Equals::Hidden);
    let counts = diff.counts();
    let diff = StoredValue::new(diff);
    let shown = Memo::new(move |_| {
        let e = equals.get();
        Arc::new(diff.with_value(|d| d.shown(e)))
    });
    let scroller = NodeRef::<leptos::html::Div>::new();
    let vp = Viewport::new(scroller, DEFAULT_HEIGHT);
    let layout = RowLayout {
        row: ROW,
        tall: ROW,
        tall_rows: &[],
    };
    let window = Memo::new(move |_| {
        let n = shown.with(|s| s.len());
        layout.window(vp.scroll_top.get(), vp.height.get(), n, OVERSCAN)
    });
    let n = move || shown.with(|s| s.len());
    view! {
        <div class="cmp-head">
            <h2>"Compare"</h2>
            <span class="cmp-counts" data-testid="compare-counts">{counts.text()}</span>
            <label class="cmp-hide">
                <input type="checkbox" data-testid="hide-equal"
                    prop:checked=move || equals.get() == Equals::Hidden
                    on:change=move |ev| equals.set(if event_target_checked(&ev) { Equals::Hidden } else { Equals::Shown }) />
                "Hide equal"
            </label>
        </div>
        <div class="cmp-table" role="table" aria-label="Paths of the two events"
            aria-rowcount=move || n() + 1>
            <div class="cmp-row cmp-header" role="row" aria-rowindex="1">
                <span role="columnheader" class="cmp-path">"Path"</span>
                <span role="columnheader" class="cmp-val" title=first.clone()>{format!("First: {first}")}</span>
                <span role="columnheader" class="cmp-val" title=second.clone()>{format!("Second: {second}")}</span>
            </div>
            <div class="cmp-scroll" node_ref=scroller tabindex="0" role="rowgroup" on:scroll=move |_| vp.measure()>
                <div class="cmp-sizer" style:height=move || format!("{}px", n() as f64 * ROW)>
                    <div role="none" style:transform=move || format!("translateY({}px)", window.get().0 as f64 * ROW)>
                        <For each=move || {
                                let (a, b) = window.get();
                                shown.with(|s| (a..b).map(|p| (p, s[p])).collect::<Vec<_>>())
                            }
                            key=|x| *x let:x>
                            {row(diff, x)}
                        </For>
                    </div>
                </div>
                <Show when=move || n() == 0>
                    <p class="empty" data-testid="compare-equal">"The two events are equal."</p>
                </Show>
            </div>
        </div>
    }
}

/// The `pos`-th listed row, diff row `i`: built once, no reactive parts.
fn row(diff: StoredValue<Arc<Diff>>, (pos, i): (usize, u32)) -> impl IntoView {
    let (path, change, cells) = diff.with_value(|d| {
        let i = i as usize;
        (d.path_text(i), d.rows()[i].change, d.cells(i))
    });
    let (title, key) = (path.clone(), path.clone());
    let tag =
        (change != Change::Equal).then(|| view! { <span class="tag">{change.label()}</span> });
    view! {
        <div role="row" class=format!("cmp-row {}", change.key()) aria-rowindex=pos + 2
            data-testid="compare-row" data-change=change.key() data-path=key>
            <span role="cell" class="cmp-path" title=title>{path}{tag}</span>
            {cell(cells.left)}
            {cell(cells.right)}
        </div>
    }
}

fn cell(m: Option<Marked>) -> AnyView {
    match m {
        None => view! { <span role="cell" class="cmp-val absent">"(absent)"</span> }.into_any(),
        Some(m) => {
            let title = m.text();
            let changed = (!m.changed.is_empty()).then(|| view! { <mark>{m.changed}</mark> });
            view! { <span role="cell" class="cmp-val" title=title>{m.before}{changed}{m.after}</span> }
                .into_any()
        }
    }
}
