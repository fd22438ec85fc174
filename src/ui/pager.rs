//! Pager buttons both tables use: each goes where core's `page_step` says and is disabled where
//! that is nowhere.

use leptos::prelude::*;
use trailview_core::page::Page;
use trailview_core::table_query::{page_step, PageStep};

/// A button moving `step` from the current `page`; `go` gets the page index to show.
#[component]
pub fn PageButton(
    page: Signal<Page>,
    step: PageStep,
    go: Callback<usize>,
    #[prop(optional)] testid: Option<&'static str>,
    #[prop(optional)] label: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <button type="button" data-testid=testid aria-label=label
            disabled=move || page_step(&page.get(), step).is_none()
            on:click=move |_| {
                if let Some(i) = page_step(&page.get_untracked(), step) {
                    go.run(i);
                }
            }>
            {children()}
        </button>
    }
}
