//! Opening trail files from disk: the "Open files" and "Open folder" buttons (each backed by an
//! `<input type=file>`), drag and drop onto the page (files and folders), and the load panel
//! (progress, Cancel, the files that failed, by name). Components wire signals; what a load
//! does and says is core's `file_load`.

use super::{cancel, load, FileJob, FilesState, JobSource};
use crate::events::query_bar::QueryForm;
use crate::events::state::AppState;
use js_sys::{Array, Promise, Reflect};
use leptos::prelude::*;
use leptos::task::spawn_local;
use trailview_core::fetch_policy::LoadMode;
use trailview_core::file_load::{accepts, LoadEnd};
use trailview_core::query_form::DEFAULT_CAP;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    File, FileSystemDirectoryEntry, FileSystemEntry, FileSystemFileEntry, HtmlInputElement,
};

/// A file's path inside a picked folder, else its name.
fn path_of(file: &File) -> String {
    Reflect::get(file, &JsValue::from_str("webkitRelativePath"))
        .ok()
        .and_then(|p| p.as_string())
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| file.name())
}

/// Load `files` (path, file), adding to the loaded events, at most the query bar's Max events.
fn open(st: AppState, fs: FilesState, cap: usize, files: Vec<(String, File)>) {
    if files.is_empty() {
        return;
    }
    let jobs = files
        .into_iter()
        .map(|(name, file)| FileJob {
            name,
            size: Some(file.size() as u64),
            events_hint: None,
            window: None,
            source: JobSource::Disk(file),
        })
        .collect();
    load(st, fs, jobs, cap, LoadMode::Add);
}

/// The files an input holds: all of them when picked one by one, only trail files (by name)
/// when a folder was picked.
/// What an input picked.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Picked {
    /// Files the user chose one by one: all are read (a wrong one is listed as failed).
    Files,
    /// A folder: only the trail files in it are read.
    Folder,
}

fn picked(input: &HtmlInputElement, what: Picked) -> Vec<(String, File)> {
    let Some(list) = input.files() else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.get(i))
        .map(|f| (path_of(&f), f))
        .filter(|(p, _)| what == Picked::Files || accepts(p))
        .collect()
}

/// Every trail file under a dropped entry (folders read recursively).
async fn dropped_files(entry: FileSystemEntry, out: &mut Vec<(String, File)>) {
    let mut stack = vec![entry];
    while let Some(e) = stack.pop() {
        if e.is_directory() {
            let dir: FileSystemDirectoryEntry = e.unchecked_into();
            let reader = dir.create_reader();
            // readEntries answers in chunks until it answers none.
            loop {
                let p = Promise::new(&mut |res, rej| {
                    let _ = reader.read_entries_with_callback_and_callback(&res, &rej);
                });
                let Ok(chunk) = JsFuture::from(p).await else {
                    break;
                };
                let chunk: Array = chunk.unchecked_into();
                if chunk.length() == 0 {
                    break;
                }
                stack.extend(chunk.iter().map(|c| c.unchecked_into::<FileSystemEntry>()));
            }
        } else if e.is_file() {
            let path = e.full_path().trim_start_matches('/').to_string();
            if !accepts(&path) {
                continue;
            }
            let fe: FileSystemFileEntry = e.unchecked_into();
            let p = Promise::new(&mut |res, rej| {
                fe.file_with_callback_and_callback(&res, &rej);
            });
            if let Ok(f) = JsFuture::from(p).await {
                out.push((path, f.unchecked_into()));
            }
        }
    }
}

fn cap_of(form: Option<QueryForm>) -> usize {
    form.and_then(|f| f.cap.get_untracked().trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_CAP)
}

/// "Open files" and "Open folder", and drag and drop of files and folders onto the page.
#[component]
pub fn OpenFiles() -> impl IntoView {
    let st = expect_context::<AppState>();
    let fs = expect_context::<FilesState>();
    let form = use_context::<QueryForm>();
    let files_input = NodeRef::<leptos::html::Input>::new();
    let folder_input = NodeRef::<leptos::html::Input>::new();
    folder_input.on_load(|i| {
        let _ = i.set_attribute("webkitdirectory", "");
    });
    let on_pick = move |ev: leptos::ev::Event, what: Picked| {
        let input: HtmlInputElement = event_target(&ev);
        let files = picked(&input, what);
        // The same files can be picked again.
        input.set_value("");
        open(st, fs, cap_of(form), files);
    };
    let dragging = RwSignal::new(false);
    let has_files = |ev: &web_sys::DragEvent| {
        ev.data_transfer().is_some_and(|dt| {
            dt.types()
                .iter()
                .any(|t| t.as_string().as_deref() == Some("Files"))
        })
    };
    let over = window_event_listener(leptos::ev::dragover, move |ev| {
        if has_files(&ev) {
            ev.prevent_default();
            dragging.set(true);
        }
    });
    let leave = window_event_listener(leptos::ev::dragleave, move |ev| {
        // Leaving the window (not one element for another).
        if ev.related_target().is_none() {
            dragging.set(false);
        }
    });
    let drop = window_event_listener(leptos::ev::drop, move |ev| {
        dragging.set(false);
        // Only files are the page's: text dropped into the search box is the box's.
        if !has_files(&ev) {
            return;
        }
        let Some(dt) = ev.data_transfer() else {
            return;
        };
        ev.prevent_default();
        // Entries must be taken now: the drop's data is gone after this handler.
        let items = dt.items();
        let mut entries = Vec::new();
        let mut files = Vec::new();
        for i in 0..items.length() {
            let Some(item) = items.get(i) else { continue };
            if item.kind() != "file" {
                continue;
            }
            match item.webkit_get_as_entry() {
                Ok(Some(e)) if e.is_directory() => entries.push(e),
                _ => {
                    if let Ok(Some(f)) = item.get_as_file() {
                        files.push((f.name(), f));
                    }
                }
            }
        }
        let cap = cap_of(form);
        spawn_local(async move {
            for e in entries {
                dropped_files(e, &mut files).await;
            }
            open(st, fs, cap, files);
        });
    });
    on_cleanup(move || {
        over.remove();
        leave.remove();
        drop.remove();
    });
    view! {
        <div class="open-files">
            <button type="button" data-testid="open-files" title="Open trail log files (.gz, .json.gz, .json, .ndjson) of either cloud; they are read in this browser, not uploaded"
                class="short-label" on:click=move |_| { if let Some(i) = files_input.get_untracked() { i.click() } }><span class="narrow-hidden">"Open "</span>"files"</button>
            <button type="button" data-testid="open-folder" title="Open every trail log file in a folder and its subfolders"
                class="short-label" on:click=move |_| { if let Some(i) = folder_input.get_untracked() { i.click() } }><span class="narrow-hidden">"Open "</span>"folder"</button>
            <input type="file" multiple accept=".gz,.json,.ndjson,.jsonl" class="file-input" tabindex="-1" aria-hidden="true"
                data-testid="file-input" node_ref=files_input on:change=move |ev| on_pick(ev, Picked::Files) />
            <input type="file" multiple class="file-input" tabindex="-1" aria-hidden="true"
                data-testid="folder-input" node_ref=folder_input on:change=move |ev| on_pick(ev, Picked::Folder) />
        </div>
        <Show when=move || dragging.get()>
            <div class="drop-overlay" data-testid="drop-overlay" aria-hidden="true">
                <p>"Drop trail files or folders to open them (read in this browser, not uploaded)"</p>
            </div>
        </Show>
    }
}

/// A load's progress, Cancel, and the files that failed (by name, with the error).
#[component]
pub fn FilesPanel() -> impl IntoView {
    let st = expect_context::<AppState>();
    let fs = expect_context::<FilesState>();
    let shown = Memo::new(move |_| fs.load.with(|l| l.is_some()));
    let summary = Memo::new(move |_| fs.load.with(|l| l.as_ref().map(|l| l.summary())));
    let state = Memo::new(move |_| {
        fs.load.with(|l| match l.as_ref().and_then(|l| l.end) {
            None => "running",
            Some(LoadEnd::Complete) => "done",
            Some(LoadEnd::Capped) => "capped",
            Some(LoadEnd::Cancelled) => "cancelled",
        })
    });
    let counts = Memo::new(move |_| {
        fs.load.with(|l| {
            l.as_ref().map_or((0, 0, 0, 0.0), |l| {
                (l.files_done(), l.files.len(), l.added, l.fraction())
            })
        })
    });
    let failures = Memo::new(move |_| {
        fs.load.with(|l| {
            l.as_ref().map_or(Vec::new(), |l| {
                l.failures()
                    .into_iter()
                    .map(|(n, e)| (n.to_string(), e.to_string()))
                    .collect::<Vec<_>>()
            })
        })
    });
    let running = move || state.get() == "running";
    view! {
        <Show when=move || shown.get()>
            <section class="files-load" data-testid="files-load" aria-label="Loading files">
                <div class="bar" aria-hidden="true">
                    <div class="fill" class:running=running style:width=move || format!("{}%", trailview_core::numbers::fixed(counts.get().3 * 100.0, 1))></div>
                </div>
                <span class="label" role="status" aria-live="polite" data-testid="files-progress"
                    data-state=move || state.get() data-files-done=move || counts.get().0
                    data-files=move || counts.get().1 data-events=move || counts.get().2>
                    {move || summary.get()}
                </span>
                <Show when=running>
                    <button type="button" data-testid="files-cancel" aria-label="Cancel loading files"
                        on:click=move |_| cancel(st, fs)>"Cancel"</button>
                </Show>
                <Show when=move || !running()>
                    <button type="button" class="dismiss" aria-label="Dismiss" data-testid="files-dismiss"
                        on:click=move |_| fs.load.set(None)>"×"</button>
                </Show>
                <Show when=move || !failures.with(|f| f.is_empty())>
                    <ul class="files-failed" data-testid="files-failed" aria-label="Files that failed">
                        <For each=move || failures.get() key=|f| f.clone() let((name, error))>
                            <li data-testid="file-failed" data-name=name.clone()>
                                <span class="file-name">{name.clone()}</span>": "<span class="file-error">{error}</span>
                            </li>
                        </For>
                    </ul>
                </Show>
            </section>
        </Show>
    }
}
