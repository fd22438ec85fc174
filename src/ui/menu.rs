//! A toolbar button that opens a menu of actions (the Export and Copy menus): `aria-haspopup`,
//! `aria-expanded`, the menu named by the button's text, Esc closes it; an item's action closes
//! it too (the items set `open` to false).

use leptos::prelude::*;

#[component]
pub fn MenuButton(
    /// The button's text and the menu's accessible name.
    label: &'static str,
    /// `data-testid`s: `{testid}` on the wrapper, `{testid}-button`, `{testid}-menu`.
    testid: &'static str,
    title: &'static str,
    open: RwSignal<bool>,
    /// Whether the button is disabled (never, when not given).
    #[prop(optional, into)]
    disabled: Option<Signal<bool>>,
    /// The menu's items (`role="menuitem"` buttons).
    #[prop(into)]
    items: ViewFn,
    /// What follows the menu (its status line).
    children: Children,
) -> impl IntoView {
    view! {
        <span class="export" data-testid=testid
            on:keydown=move |ev| {
                if ev.key() == "Escape" && open.get_untracked() {
                    ev.prevent_default();
                    open.set(false);
                }
            }>
            <button type="button" data-testid=format!("{testid}-button") aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                disabled=move || disabled.is_some_and(|d| d.get())
                title=title
                on:click=move |_| open.update(|o| *o = !*o)>{label}</button>
            <Show when=move || open.get()>
                <span role="menu" aria-label=label data-testid=format!("{testid}-menu")>
                    {items.run()}
                </span>
            </Show>
            {children()}
        </span>
    }
}
