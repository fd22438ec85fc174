//! The selected event as a collapsible JSON tree (WAI-ARIA tree pattern), virtualised.
//!
//! The document is indexed once (`core::tree::TreeIndex`); expansion is a bit per node and the
//! visible rows a flat list, so "expand all" on a 100,000-node event is a fill and a walk. Only
//! the rows in the scroll viewport (plus a few either side) are in the DOM, each a flat
//! `role=treeitem` with `aria-level`, `aria-setsize`, `aria-posinset`. Arrays of more than
//! [`GROUP`] items are split into ranges; strings longer than [`LONG`] characters are cut, with
//! "show more" opening the whole text in a taller row. Every key and value is a text node.
//!
//! Focus stays on the tree (`aria-activedescendant` names the active row), so it survives rows
//! leaving the DOM. Keyboard: ↑/↓ move, → opens or enters, ← closes or goes to the parent,
//! Page Up/Down, Home/End, Enter/Space toggle.

use crate::ui::viewport::Viewport;
use leptos::prelude::*;
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use trailview_core::json_path::{canonical, JsonPath};
use trailview_core::tree::{Expansion, Kind, Label, Nav, RowLayout, TreeIndex};

pub use trailview_core::tree::GROUP;
pub const LONG: usize = 240;

/// Row height in pixels (matches `.json-tree .node` in `style/main.css`).
const ROW: f64 = 20.0;
/// Height of a row whose long string is open.
const TALL: f64 = 220.0;
/// Indentation per level in pixels (matches the CSS).
const INDENT: f64 = 14.0;
/// Rows rendered beyond each edge of the viewport.
const OVERSCAN: usize = 12;
/// Viewport height assumed until it can be measured (e.g. while the pane is hidden).
const DEFAULT_HEIGHT: f64 = 800.0;

/// A filter request from a leaf: (path, value, exclude).
pub type FilterRequest = (JsonPath, Value, bool);

fn layout(tall_rows: &[usize]) -> RowLayout<'_> {
    RowLayout {
        row: ROW,
        tall: TALL,
        tall_rows,
    }
}

static NEXT_TREE: AtomicUsize = AtomicUsize::new(0);

#[derive(Clone, Copy)]
struct Ctx {
    doc: StoredValue<Arc<Value>>,
    index: StoredValue<Arc<TreeIndex>>,
    open: RwSignal<Expansion>,
    more: RwSignal<Vec<u32>>,
    active: RwSignal<u32>,
    on_filter: Option<Callback<FilterRequest>>,
    on_column: Option<Callback<JsonPath>>,
    on_field: Option<Callback<JsonPath>>,
    root_label: StoredValue<String>,
    uid: usize,
    tree: NodeRef<leptos::html::Div>,
    /// Rows matching "Find in event" (ascending), and which one is current.
    matches: Memo<Arc<Vec<u32>>>,
    current: Memo<Option<u32>>,
}

impl Ctx {
    fn row_id(&self, id: u32) -> String {
        format!("jt{}-{id}", self.uid)
    }
    fn toggle(&self, id: u32) {
        self.open.update(|o| o.toggle(id));
    }
    fn focus_tree(&self) {
        if let Some(t) = self.tree.get_untracked() {
            let _ = t.focus();
        }
    }
}

fn copy_text(text: String) {
    leptos::task::spawn_local(async move {
        let _ = crate::ui::clipboard::write(text).await;
    });
}

#[component]
pub fn JsonTree(
    doc: Arc<Value>,
    /// Called by a leaf's "filter for" / "filter out"; without it those buttons are not shown.
    #[prop(optional, into)]
    on_filter: Option<Callback<FilterRequest>>,
    /// Called by a leaf's "add as column" (key `o`); without it that button is not shown.
    #[prop(optional, into)]
    on_column: Option<Callback<JsonPath>>,
    /// Called by a leaf's "add as field" (and `a` on the active row); without it, not shown.
    #[prop(optional, into)]
    on_field: Option<Callback<JsonPath>>,
    /// What the root is called ("event", "job", ...).
    #[prop(into, default = "event".to_string())]
    root_label: String,
) -> impl IntoView {
    let index = Arc::new(TreeIndex::build(&doc));
    let open = RwSignal::new(index.default_expansion());
    let tree = NodeRef::<leptos::html::Div>::new();
    let doc = StoredValue::new(doc);
    let index = StoredValue::new(index);
    let find = RwSignal::new(String::new());
    let find_pos = RwSignal::new(0usize);
    let matches = Memo::new(move |_| {
        find.with(|q| Arc::new(index.with_value(|ix| doc.with_value(|d| ix.find(d, q)))))
    });
    let current = Memo::new(move |_| matches.with(|m| m.get(find_pos.get()).copied()));
    let ctx = Ctx {
        doc,
        index,
        open,
        more: RwSignal::new(Vec::new()),
        active: RwSignal::new(0),
        on_filter,
        on_column,
        on_field,
        root_label: StoredValue::new(root_label),
        uid: NEXT_TREE.fetch_add(1, Ordering::Relaxed),
        tree,
        matches,
        current,
    };
    let vp = Viewport::new(tree, DEFAULT_HEIGHT);

    let visible = Memo::new(move |_| {
        let ix = ctx.index.get_value();
        open.with(|o| Arc::new(ix.visible(o)))
    });
    // Indices (in `visible`) of rows whose long string is open: they are taller.
    let tall_rows = Memo::new(move |_| {
        visible.with(|v| {
            ctx.more.with(|m| {
                let mut t: Vec<usize> =
                    m.iter().filter_map(|id| v.binary_search(id).ok()).collect();
                t.sort_unstable();
                t
            })
        })
    });
    let window = Memo::new(move |_| {
        let (top, h) = (vp.scroll_top.get(), vp.height.get());
        tall_rows.with(|t| {
            let l = layout(t);
            visible.with(|v| {
                let (a, b) = l.window(top, h, v.len(), OVERSCAN);
                (v[a..b].to_vec(), l.offset(a))
            })
        })
    });
    let total = Memo::new(move |_| tall_rows.with(|t| visible.with(|v| layout(t).total(v.len()))));
    let min_width = Memo::new(move |_| {
        let ix = ctx.index.get_value();
        window.with(|(ids, _)| {
            let depth = ids.iter().map(|&i| ix.node(i).depth).max().unwrap_or(0);
            depth as f64 * INDENT + 320.0
        })
    });

    // Keep the active row in view after keyboard moves.
    let reveal = move |id: u32| {
        let Some(pos) = visible.with_untracked(|v| v.binary_search(&id).ok()) else {
            return;
        };
        let (top, bottom) = tall_rows.with_untracked(|t| {
            let l = layout(t);
            (l.offset(pos), l.offset(pos + 1))
        });
        vp.reveal(top, bottom, 0.0);
    };

    let page_rows = move || ((vp.height.get_untracked() / ROW) as usize).saturating_sub(1);
    // The row buttons are out of the tab order (the tree is one tab stop, WAI-ARIA): their
    // actions are keys on the active row instead.
    let row_action = move |key: &str| -> bool {
        let id = ctx.active.get_untracked();
        let ix = ctx.index.get_value();
        let value = || ctx.doc.with_value(|d| ix.value(d, id).cloned());
        match key {
            "+" | "=" | "-" | "_" => {
                let (Some(f), Some(v)) = (ctx.on_filter, value()) else {
                    return false;
                };
                if ix.node(id).is_container() {
                    return false;
                }
                let exclude = matches!(key, "-" | "_");
                f.run((ix.path(id), v, exclude));
                true
            }
            "o" => {
                let Some(f) = ctx.on_column else {
                    return false;
                };
                if ix.node(id).is_container() {
                    return false;
                }
                f.run(ix.path(id));
                true
            }
            "c" => {
                if let Some(v) = value() {
                    copy_text(match v {
                        Value::String(s) => s,
                        v if v.is_object() || v.is_array() => {
                            serde_json::to_string_pretty(&v).unwrap_or_default()
                        }
                        v => v.to_string(),
                    });
                }
                true
            }
            "p" => {
                copy_text(ix.path(id).to_string());
                true
            }
            "a" => match ctx.on_field {
                Some(f) if id != 0 => {
                    f.run(ix.path(id));
                    true
                }
                _ => false,
            },
            _ => false,
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if !ev.ctrl_key() && !ev.meta_key() && !ev.alt_key() && row_action(&ev.key()) {
            ev.prevent_default();
            return;
        }
        let nav = match ev.key().as_str() {
            "ArrowDown" => Nav::Down,
            "ArrowUp" => Nav::Up,
            "PageDown" => Nav::PageDown(page_rows()),
            "PageUp" => Nav::PageUp(page_rows()),
            "Home" => Nav::Home,
            "End" => Nav::End,
            "ArrowRight" => Nav::Right,
            "ArrowLeft" => Nav::Left,
            "Enter" | " " => Nav::Toggle,
            _ => return,
        };
        ev.prevent_default();
        let ix = ctx.index.get_value();
        let out = visible.with_untracked(|v| {
            open.with_untracked(|o| ix.navigate(v, o, ctx.active.get_untracked(), nav))
        });
        if let Some((id, is_open)) = out.set_open {
            open.update(|o| o.set(id, is_open));
        }
        ctx.active.set(out.active);
        reveal(out.active);
    };

    // Find: open the way to a match, make it the active row and scroll to it.
    let go_match = move |k: usize| {
        let n = matches.with_untracked(|m| m.len());
        if n == 0 {
            return;
        }
        let k = k % n;
        find_pos.set(k);
        let Some(id) = matches.with_untracked(|m| m.get(k).copied()) else {
            return;
        };
        let ix = ctx.index.get_value();
        open.update(|o| ix.reveal(o, id));
        ctx.active.set(id);
        reveal(id);
    };
    let on_find_input = move |ev: leptos::ev::Event| {
        find.set(event_target_value(&ev));
        go_match(0);
    };
    let on_find_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" {
            ev.prevent_default();
            let n = matches.with_untracked(|m| m.len()).max(1);
            let k = find_pos.get_untracked();
            go_match(if ev.shift_key() { k + n - 1 } else { k + 1 });
        }
    };
    let find_count = move || {
        let n = matches.with(|m| m.len());
        match (find.with(|q| q.trim().is_empty()), n) {
            (true, _) => String::new(),
            (false, 0) => "no match".to_string(),
            (false, n) => format!("{} of {n}", find_pos.get().min(n - 1) + 1),
        }
    };

    let expand_all = move |_| {
        let ix = ctx.index.get_value();
        open.set(ix.all_expanded());
    };
    let collapse_all = move |_| {
        let ix = ctx.index.get_value();
        let c = ix.collapsed();
        ctx.active.update(|a| *a = ix.visible_ancestor(*a, &c));
        open.set(c);
    };
    let label = ctx.root_label.with_value(|l| {
        let mut c = l.chars();
        // The labels are the app's own words ("event", "job"): ASCII case keeps Unicode's
        // upper-case tables out of the bundle.
        let first: String = c
            .next()
            .map(|f| f.to_ascii_uppercase())
            .into_iter()
            .collect();
        format!("{first}{} JSON", c.as_str())
    });

    view! {
        <div class="json-tree-panel">
            <div class="tree-tools">
                <button type="button" data-testid="expand-all" on:click=expand_all>"Expand all"</button>
                <button type="button" data-testid="collapse-all" on:click=collapse_all>"Collapse all"</button>
                <span class="tree-find">
                    <input type="search" data-testid="tree-find" placeholder="Find in event"
                        aria-label="Find keys or values in this event (Enter: next, Shift+Enter: previous)"
                        on:input=on_find_input on:keydown=on_find_key />
                    <span class="tree-find-count" data-testid="tree-find-count" aria-live="polite">{find_count}</span>
                </span>
                <span class="tree-note" data-testid="tree-count">
                    {move || {
                        let n = ctx.index.with_value(|ix| ix.len());
                        let shown = visible.with(|v| v.len());
                        format!("{shown} of {n} rows shown")
                    }}
                </span>
            </div>
            <p class="tree-keys" id=format!("tree-keys-{}", ctx.uid)>
                {match (ctx.on_filter.is_some(), ctx.on_column.is_some()) {
                    (true, true) => "Keys: ↑↓ move, ←→ close/open, + filter for, − filter out, a add as field, o add as column, c copy value, p copy path",
                    (true, false) => "Keys: ↑↓ move, ←→ close/open, + filter for, − filter out, a add as field, c copy value, p copy path",
                    _ => "Keys: ↑↓ move, ←→ close/open, c copy value, p copy path",
                }}
            </p>
            <div role="tree" aria-label=label class="json-tree" data-testid="json-tree" tabindex="0"
                aria-describedby=format!("tree-keys-{}", ctx.uid)
                aria-keyshortcuts=match (ctx.on_filter.is_some(), ctx.on_column.is_some()) {
                    (true, true) => "+ - a o c p",
                    (true, false) => "+ - a c p",
                    _ => "c p",
                }
                node_ref=tree on:keydown=on_keydown on:scroll=move |_| vp.measure()
                aria-activedescendant=move || {
                    let a = ctx.active.get();
                    window.with(|(ids, _)| ids.contains(&a)).then(|| ctx.row_id(a))
                }>
                <div class="tree-sizer" style:height=move || format!("{}px", total.get())
                    style:min-width=move || format!("{}px", min_width.get())>
                    <div class="tree-rows" style:transform=move || format!("translateY({}px)", window.with(|w| w.1))>
                        <For each=move || window.get().0 key=|id| *id let:id>
                            {row(ctx, id)}
                        </For>
                    </div>
                </div>
            </div>
        </div>
    }
}

fn label_view(ctx: Ctx, label: &Label) -> AnyView {
    let text = match label {
        Label::Root => ctx.root_label.get_value(),
        Label::Key(k) => k.to_string(),
        Label::Index(i) => i.to_string(),
        Label::Range(a, b) => format!("[{a} … {}]", b - 1),
    };
    let punct = (!matches!(label, Label::Root | Label::Range(..))).then_some(": ");
    view! { <span class="key">{text}</span><span class="punct">{punct}</span> }.into_any()
}

/// One visible row.
fn row(ctx: Ctx, id: u32) -> AnyView {
    let ix = ctx.index.get_value();
    let node = ix.node(id).clone();
    let path = ix.path(id);
    let path_s = path.to_string();
    let key = ix.key(id);
    let level = (node.depth + 1).to_string();
    let set_size = ix.set_size(id).to_string();
    let pos = node.pos.to_string();
    let depth = node.depth.to_string();
    let is_active = move || ctx.active.get() == id;
    let activate = move |_| {
        ctx.active.set(id);
        ctx.focus_tree();
    };
    let dom_id = ctx.row_id(id);
    let copy_path = path_s.clone();

    if node.is_container() {
        let open = Memo::new(move |_| ctx.open.with(|o| o.is_open(id)));
        let summary = match node.kind {
            Kind::Object(n) => format!("{{{n}}}"),
            Kind::Array(n) => format!("[{n}]"),
            _ => format!("{} items", node.children),
        };
        let is_group = matches!(node.kind, Kind::Group);
        let toggle = move |_| ctx.toggle(id);
        let copy_value = move |_| {
            let text = ctx.doc.with_value(|d| {
                ix.value(d, id)
                    .map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
            });
            if let Some(t) = text {
                copy_text(t)
            }
        };
        view! {
            <div role="treeitem" id=dom_id class="node" class:active=is_active style:--depth=depth.clone()
                class:match=move || ctx.matches.with(|m| m.binary_search(&id).is_ok())
                class:current-match=move || ctx.current.get() == Some(id)
                prop:ariaLevel=level aria-setsize=set_size aria-posinset=pos
                aria-expanded=move || open.get().to_string()
                data-path=path_s data-key=key on:click=activate>
                <button type="button" class="twisty" tabindex="-1" aria-hidden="true" on:click=toggle>
                    {move || if open.get() { "▾" } else { "▸" }}
                </button>
                <span class="label" on:click=toggle>{label_view(ctx, &node.label)}<span class="summary">{summary}</span></span>
                <span class="actions">
                    <button type="button" tabindex="-1" data-testid="copy-path" title="Copy path" on:click=move |_| copy_text(copy_path.clone())>"path"</button>
                    {(!is_group).then(|| view! {
                        <button type="button" tabindex="-1" data-testid="copy-value" title="Copy value (JSON)" on:click=copy_value>"copy"</button>
                    })}
                </span>
            </div>
        }
        .into_any()
    } else {
        let v = ctx
            .doc
            .with_value(|d| ix.value(d, id).cloned())
            .unwrap_or(Value::Null);
        leaf(
            ctx,
            id,
            node.label,
            path,
            v,
            (dom_id, level, set_size, pos, depth, key, path_s, copy_path),
        )
    }
}

type RowAttrs = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

fn leaf(ctx: Ctx, id: u32, label: Label, path: JsonPath, v: Value, attrs: RowAttrs) -> AnyView {
    let (dom_id, level, set_size, pos, depth, key, path_s, copy_path) = attrs;
    let (class, text) = match &v {
        Value::String(s) => ("str", s.clone()),
        Value::Number(n) => ("num", n.to_string()),
        Value::Bool(b) => ("bool", b.to_string()),
        Value::Null => ("null", "null".to_string()),
        _ => ("other", canonical(&v)),
    };
    let is_str = class == "str";
    let total_chars = text.chars().count();
    let long = is_str && total_chars > LONG;
    let more = Memo::new(move |_| ctx.more.with(|m| m.contains(&id)));
    let short: String = if long {
        text.chars().take(LONG).collect()
    } else {
        String::new()
    };
    let copy_value = text.clone();
    let shown = move || {
        if long && !more.get() {
            short.clone()
        } else {
            text.clone()
        }
    };
    let toggle_more = move |_| {
        ctx.more.update(|m| match m.iter().position(|&x| x == id) {
            Some(i) => {
                m.swap_remove(i);
            }
            None => m.push(id),
        })
    };
    let path_for_column = path.clone();
    let add_field = ctx.on_field.map(|f| {
        let p = path.clone();
        view! {
            <button type="button" tabindex="-1" data-testid="add-as-field" title="Add as a field (fields panel)"
                on:click=move |_| f.run(p.clone())>"field"</button>
        }
    });
    let filters = ctx.on_filter.map(|f| {
        let (p_for, v_for) = (path.clone(), v.clone());
        let (p_out, v_out) = (path, v);
        view! {
            <button type="button" tabindex="-1" data-testid="filter-for" title="Filter for this value"
                on:click=move |_| f.run((p_for.clone(), v_for.clone(), false))>"+"</button>
            <button type="button" tabindex="-1" data-testid="filter-out" title="Filter out this value"
                on:click=move |_| f.run((p_out.clone(), v_out.clone(), true))>"−"</button>
        }
    });
    view! {
        <div role="treeitem" id=dom_id class="node leaf" class:active=move || ctx.active.get() == id
            class:match=move || ctx.matches.with(|m| m.binary_search(&id).is_ok())
            class:current-match=move || ctx.current.get() == Some(id)
            class:tall=move || more.get() style:--depth=depth
            prop:ariaLevel=level aria-setsize=set_size aria-posinset=pos
            data-path=path_s data-key=key
            on:click=move |_| { ctx.active.set(id); ctx.focus_tree(); }>
            <span class="twisty-space" aria-hidden="true"></span>
            {label_view(ctx, &label)}
            <span class=format!("value {class}")>
                {is_str.then_some("\"")}{shown}{move || (long && !more.get()).then_some("…")}{is_str.then_some("\"")}
            </span>
            {long.then(|| view! {
                <button type="button" class="more" tabindex="-1" data-testid="show-more" on:click=toggle_more>
                    {move || if more.get() { "show less".to_string() } else { format!("show more ({total_chars} chars)") }}
                </button>
            })}
            <span class="actions">
                {filters}
                {add_field}
                {ctx.on_column.map(|f| {
                    let p = path_for_column.clone();
                    view! {
                        <button type="button" tabindex="-1" data-testid="add-column" title="Add as a column of the table"
                            on:click=move |_| f.run(p.clone())>"col"</button>
                    }
                })}
                <button type="button" tabindex="-1" data-testid="copy-value" title="Copy value" on:click=move |_| copy_text(copy_value.clone())>"copy"</button>
                <button type="button" tabindex="-1" data-testid="copy-path" title="Copy path" on:click=move |_| copy_text(copy_path.clone())>"path"</button>
            </span>
        </div>
    }
    .into_any()
}
