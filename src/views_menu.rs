//! The "Views" menu: the current view saved under a name, the saved views listed (open,
//! rename, delete), exported as one JSON file and imported from one. Core's `saved_views`
//! holds the list and its rules; it is kept in this browser (`storage`, key `saved-views`).
//! Every change re-reads the kept list (a save in another tab is not lost; the `storage` event
//! refreshes the list shown), and a kept list this app cannot read is never written over.

use crate::link::Link;
use leptos::prelude::*;
use trailview_core::saved_views::{start_change, Kept, SavedViews, Start, MAX_FILE_BYTES};
use wasm_bindgen::JsCast;

const KEY: &str = "saved-views";
/// Where a kept list this app cannot read is moved before a change starts a new one.
const ASIDE_KEY: &str = "saved-views.bak";
const FILE_NAME: &str = "trailview-views.json";

/// Keeps the list in this browser; false when the browser refused (storage full).
fn keep(list: &SavedViews) -> bool {
    let text = if list.list().is_empty() {
        String::new()
    } else {
        list.to_json()
    };
    crate::storage::save(KEY, &text)
}

fn kept() -> Kept {
    Kept::read(crate::storage::load(KEY).as_deref())
}

#[component]
pub fn ViewsMenu() -> impl IntoView {
    let link = expect_context::<Link>();
    let open = RwSignal::new(false);
    let aside_name = crate::storage::key_name(ASIDE_KEY);
    let first = kept();
    let message = RwSignal::new(first.notice(&aside_name));
    let list = RwSignal::new(first.views());
    let name = RwSignal::new(String::new());
    let button = NodeRef::<leptos::html::Button>::new();
    // Another tab changed the saved views: list them as kept now.
    let key_name = crate::storage::key_name(KEY);
    let on_storage = window_event_listener(leptos::ev::storage, move |ev| {
        // `key` is null when another tab cleared the storage.
        if ev.key().is_none_or(|k| k == key_name) {
            let k = kept();
            message.set(k.notice(&crate::storage::key_name(ASIDE_KEY)));
            list.set(k.views());
        }
    });
    on_cleanup(move || on_storage.remove());
    // The view being renamed and the name typed for it.
    let renaming = RwSignal::new(None::<String>);
    let new_name = RwSignal::new(String::new());

    // Applies a change to the list as kept now (another tab may have saved since it was
    // shown): kept when it succeeds (true), else its message shown. A kept list this app
    // cannot read is moved aside first, or the change refused, never written over.
    let change = move |f: &dyn Fn(&mut SavedViews) -> Result<String, String>| {
        let aside = crate::storage::load(ASIDE_KEY);
        let start = start_change(
            crate::storage::load(KEY).as_deref(),
            aside.as_deref(),
            &crate::storage::key_name(ASIDE_KEY),
        );
        let (mut next, set_aside) = match start {
            Ok(Start::List(l)) => (l, None),
            Ok(Start::SetAside(why)) => (SavedViews::default(), Some(why)),
            Err(e) => {
                message.set(Some(e));
                return false;
            }
        };
        match f(&mut next) {
            Ok(done) => {
                if set_aside.is_some() {
                    let text = crate::storage::load(KEY).unwrap_or_default();
                    if !crate::storage::save(ASIDE_KEY, &text) {
                        message.set(Some(
                            "Nothing was saved: the saved views kept in this browser cannot be read and could not be kept aside (storage refused)."
                                .into(),
                        ));
                        return false;
                    }
                }
                if !keep(&next) {
                    if set_aside.is_some() {
                        // The unreadable list is still where it was: put the aside key back as
                        // it was, or every later change would refuse to move it aside again.
                        crate::storage::save(ASIDE_KEY, aside.as_deref().unwrap_or_default());
                    }
                    message.set(Some(
                        "Nothing was saved: the browser refused to keep the change (its storage is full or disabled)."
                            .into(),
                    ));
                    return false;
                }
                list.set(next);
                message.set(Some(match set_aside {
                    Some(why) => format!("{done} {why}"),
                    None => done,
                }));
                true
            }
            Err(e) => {
                // The list as kept now (another tab's changes shown too).
                list.set(next);
                message.set(Some(e));
                false
            }
        }
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let query = match link.query.get_untracked() {
            Ok(q) => q,
            Err(e) => {
                message.set(Some(e.to_string()));
                return;
            }
        };
        let n = name.get_untracked();
        let saved = change(&|l| {
            l.add(&n, &query, js_sys::Date::now() as i64)
                .map(|()| format!("Saved \"{}\".", n.trim()))
                .map_err(|e| e.to_string())
        });
        if saved {
            name.set(String::new());
        }
    };
    let export = move |_| {
        let text = list.with_untracked(|l| l.to_json());
        message.set(Some(
            match crate::events::export::save_text(&text, FILE_NAME) {
                Ok(()) => format!("Exported to {FILE_NAME}."),
                Err(_) => "The browser refused the download.".into(),
            },
        ));
    };
    let import = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        if file.size() > MAX_FILE_BYTES as f64 {
            message.set(Some(
                trailview_core::saved_views::ViewsError::TooBig.to_string(),
            ));
            return;
        }
        let promise = file.text();
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(promise)
                .await
                .ok()
                .and_then(|t| t.as_string())
                .unwrap_or_default();
            let _ = change(&|l| {
                let theirs = SavedViews::from_json(&text).map_err(|e| e.to_string())?;
                l.merge(&theirs)
                    .map(|m| m.to_string())
                    .map_err(|e| e.to_string())
            });
        });
    };

    let row = move |view_name: String, query: String| {
        let n = view_name.clone();
        let is_renaming = {
            let n = n.clone();
            move || renaming.with(|r| r.as_deref() == Some(n.as_str()))
        };
        let open_it = move |_| {
            link.show.run(query.clone());
            open.set(false);
        };
        let start_rename = {
            let n = n.clone();
            move |_| {
                new_name.set(n.clone());
                renaming.set(Some(n.clone()));
            }
        };
        let delete = {
            let n = n.clone();
            move |_| {
                change(&|l| {
                    l.delete(&n)
                        .map(|()| format!("Deleted \"{n}\"."))
                        .map_err(|e| e.to_string())
                });
            }
        };
        let rename = {
            let n = n.clone();
            move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                let to = new_name.get_untracked();
                let renamed = change(&|l| {
                    l.rename(&n, &to)
                        .map(|()| format!("Renamed to \"{}\".", to.trim()))
                        .map_err(|e| e.to_string())
                });
                if renamed {
                    renaming.set(None);
                }
            }
        };
        let label = view_name.clone();
        view! {
            <li data-testid="saved-view">
                {move || if is_renaming() {
                    view! {
                        <form class="rename" on:submit=rename.clone()>
                            <input type="text" aria-label=format!("New name for {label}") data-testid="rename-input"
                                prop:value=move || new_name.get() on:input=move |ev| new_name.set(event_target_value(&ev)) />
                            <button type="submit">"Save name"</button>
                            <button type="button" on:click=move |_| renaming.set(None)>"Cancel"</button>
                        </form>
                    }.into_any()
                } else {
                    view! {
                        <span class="name">{label.clone()}</span>
                        <button type="button" aria-label=format!("Open {label}") on:click=open_it.clone()>"Open"</button>
                        <button type="button" aria-label=format!("Rename {label}") on:click=start_rename.clone()>"Rename"</button>
                        <button type="button" aria-label=format!("Delete {label}") on:click=delete.clone()>"Delete"</button>
                    }.into_any()
                }}
            </li>
        }
    };

    view! {
        <div class="views-menu">
            <button type="button" class="ghost" data-testid="views-toggle" node_ref=button aria-expanded=move || open.get().to_string()
                aria-controls="views-panel" on:click=move |_| open.update(|o| *o = !*o)>"Views"</button>
            <Show when=move || open.get()>
                <div class="views-panel" id="views-panel" role="region" aria-label="Saved views" data-testid="views-panel"
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" {
                        ev.prevent_default();
                        ev.stop_propagation();
                        open.set(false);
                        if let Some(b) = button.get_untracked() {
                            let _ = b.focus();
                        }
                    }>
                    <form class="save-view" on:submit=save>
                        <input type="text" aria-label="View name" data-testid="view-name" placeholder="Name this view"
                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                        <button type="submit" class="primary">"Save view"</button>
                    </form>
                    <ul class="saved-views" aria-label="Saved views list">
                        {move || list.with(|l| l.list().iter()
                            .map(|v| row(v.name.clone(), v.query.clone()))
                            .collect_view())}
                    </ul>
                    {move || list.with(|l| l.list().is_empty()).then(|| view! { <p class="empty">"No saved views yet."</p> })}
                    <div class="file-buttons">
                        <button type="button" on:click=export>"Export views"</button>
                        <label class="import">"Import views"
                            <input type="file" accept=".json,application/json" data-testid="import-views" on:change=import />
                        </label>
                    </div>
                    {move || message.get().map(|m| view! { <p role="status" data-testid="views-message">{m}</p> })}
                </div>
            </Show>
        </div>
    }
}
