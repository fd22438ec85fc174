//! Export of the filtered rows (all of them, in the table's order) as CSV, JSON or NDJSON: the
//! table toolbar's "Export" menu. Core's `ExportWriter` writes the file a chunk at a time; each
//! slice of ~8 ms of work becomes one Blob part and the browser gets a turn between slices
//! (progress and Cancel stay live); the parts make one Blob, saved through a temporary
//! `<a download>`.

use crate::events::state::AppState;
use crate::ui::menu::MenuButton;
use leptos::prelude::*;
use trailview_core::export::{file_name, progress_text, ExportWriter, Format};
use wasm_bindgen::{JsCast, JsValue};

/// Work per slice before the browser gets a turn.
const SLICE_MS: f64 = 8.0;
/// Rows per `next_chunk` call (the slice's clock is read between calls).
const CHUNK_ROWS: usize = 256;

#[derive(Clone, PartialEq)]
enum Phase {
    Idle,
    /// Rows written, rows in all.
    Running(usize, usize),
    Finished(String),
    Failed(String),
}

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// One Blob part holding `text`'s UTF-8 bytes (a Blob, not a JS string, so that the browser
/// may keep a large file out of the page's heap). The Blob copies the bytes straight out of
/// the wasm memory: no JavaScript copy of each part is made first (megabytes of ArrayBuffers a
/// slice, which the garbage collector then has to sweep in long pauses).
fn blob_part(text: &str) -> Result<web_sys::Blob, JsValue> {
    // SAFETY: the view is read only by the Blob constructor, which copies it before anything
    // can allocate in (and so move) the wasm memory; the view is dropped right after.
    let view = unsafe { js_sys::Uint8Array::view(text.as_bytes()) };
    web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&view))
}

/// Hands `text` to the browser as a download named `name`.
pub fn save_text(text: &str, name: &str) -> Result<(), JsValue> {
    save(&js_sys::Array::of1(&blob_part(text)?.into()), name)
}

/// Hands `parts` to the browser as one download named `name`.
fn save(parts: &js_sys::Array, name: &str) -> Result<(), JsValue> {
    let blob = web_sys::Blob::new_with_blob_sequence(parts)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let a: web_sys::HtmlElement = document.create_element("a")?.unchecked_into();
    a.set_attribute("href", &url)?;
    a.set_attribute("download", name)?;
    a.click();
    // The download has taken the Blob's URL by the next turn; a while later is safe everywhere.
    leptos::task::spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(10_000).await;
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    Ok(())
}

/// Writes the filtered rows in slices; stops when `runs` no longer says `id` (Cancel).
async fn export(
    st: AppState,
    format: Format,
    id: u64,
    runs: StoredValue<u64>,
    phase: RwSignal<Phase>,
) {
    let rows = st.filtered.get_untracked();
    let columns = st.visible_columns.get_untracked();
    let (mut writer, name) = st.store.with_value(|s| {
        let name = file_name(s, &rows, format);
        (ExportWriter::new(format, s, rows, columns), name)
    });
    let parts = js_sys::Array::new();
    loop {
        let start = now();
        let mut text = String::new();
        let mut finished = false;
        while !finished && now() - start < SLICE_MS {
            match st.store.with_value(|s| writer.next_chunk(s, CHUNK_ROWS)) {
                Ok(Some(chunk)) => text.push_str(&chunk),
                Ok(None) => finished = true,
                Err(e) => return phase.set(Phase::Failed(e.to_string())),
            }
        }
        if !text.is_empty() {
            match blob_part(&text) {
                Ok(b) => {
                    parts.push(&b);
                }
                Err(_) => {
                    return phase.set(Phase::Failed("The browser refused the file's data.".into()))
                }
            }
        }
        if finished {
            break;
        }
        phase.set(Phase::Running(writer.done(), writer.total()));
        // A timer, not an animation frame: a hidden tab still finishes its export.
        gloo_timers::future::TimeoutFuture::new(0).await;
        if runs.get_value() != id {
            return;
        }
    }
    match save(&parts, &name) {
        Ok(()) => phase.set(Phase::Finished(writer.finished_text(&name))),
        Err(_) => phase.set(Phase::Failed("The browser refused the download.".into())),
    }
}

/// The toolbar's "Export" button and its menu (CSV / JSON / NDJSON), with the export's progress
/// and Cancel.
#[component]
pub fn ExportMenu() -> impl IntoView {
    let st = expect_context::<AppState>();
    let open = RwSignal::new(false);
    let phase = RwSignal::new(Phase::Idle);
    let runs = StoredValue::new(0u64);
    let running = move || matches!(phase.get(), Phase::Running(..));
    let start = move |format: Format| {
        open.set(false);
        runs.update_value(|r| *r += 1);
        let id = runs.get_value();
        phase.set(Phase::Running(0, st.filtered.with_untracked(|f| f.len())));
        leptos::task::spawn_local(export(st, format, id, runs, phase));
    };
    let cancel = move |_| {
        runs.update_value(|r| *r += 1);
        phase.set(Phase::Idle);
    };
    let item = move |format: Format| {
        view! {
            <button type="button" role="menuitem" data-testid=format!("export-{}", format.extension())
                on:click=move |_| start(format)>{format.label()}</button>
        }
    };
    view! {
        <MenuButton label="Export" testid="export" open
            title="Export the filtered rows (all pages)"
            disabled=Signal::derive(move || running() || st.filtered.with(|f| f.is_empty()))
            items=move || Format::ALL.into_iter().map(item).collect_view()>
            {move || match phase.get() {
                Phase::Idle => ().into_any(),
                Phase::Running(done, total) => view! {
                    <span role="status" data-testid="export-status" data-state="running" data-done=done data-total=total>
                        <progress max=total value=done></progress>
                        {progress_text(done, total)}
                        <button type="button" data-testid="export-cancel" on:click=cancel>"Cancel"</button>
                    </span>
                }.into_any(),
                Phase::Finished(text) => view! {
                    <span role="status" data-testid="export-status" data-state="done">{text}</span>
                }.into_any(),
                Phase::Failed(text) => view! {
                    <span role="alert" data-testid="export-status" data-state="error">{text}</span>
                }.into_any(),
            }}
        </MenuButton>
    }
}
