//! The selected event as a collapsible JSON tree (WAI-ARIA tree pattern).
//!
//! The event is parsed once when selected. Collapsed parts are not rendered at all; arrays of
//! more than [`GROUP`] items are split into ranges that expand one at a time; strings longer
//! than [`LONG`] characters are cut with "show more". Every key and value is a text node.
//! Keyboard: ↑/↓ move, → expands or enters, ← collapses or goes to the parent, Home/End,
//! Enter/Space toggle.

use leptos::prelude::*;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::Arc;
use trailview_core::json_path::{canonical, JsonPath};
use wasm_bindgen::JsCast;

pub const GROUP: usize = 100;
pub const LONG: usize = 240;

/// A filter request from a leaf: (path, value, exclude).
pub type FilterRequest = (JsonPath, Value, bool);

#[derive(Clone, Copy)]
struct Ctx {
    doc: StoredValue<Arc<Value>>,
    expanded: RwSignal<HashSet<String>>,
    on_filter: Callback<FilterRequest>,
}

enum Kind {
    Object(Vec<String>),
    Array(usize),
    Leaf(Value),
}

/// The most tree rows "Expand all" puts in the DOM. Past it the tree is expanded level by level
/// until the budget runs out: rendering every node of a 100,000-node event would freeze the tab
/// for tens of seconds (measured by `cargo xtask bench`).
pub const EXPAND_ALL_BUDGET: usize = 5_000;

enum Pending<'a> {
    Node(&'a Value, JsonPath),
    Group(&'a [Value], JsonPath, usize),
}

/// The keys "Expand all" opens, breadth first (shallow levels first), keeping the rendered rows
/// within `budget`. Returns the keys and whether everything could be opened.
fn expand_all_keys(doc: &Value, budget: usize) -> (HashSet<String>, bool) {
    let mut out = HashSet::new();
    let mut rendered = 1usize; // the root row
    let mut queue = std::collections::VecDeque::from([Pending::Node(doc, JsonPath::root())]);
    while let Some(item) = queue.pop_front() {
        let (key, rows) = match &item {
            Pending::Node(Value::Object(m), path) => (path.to_string(), m.len()),
            Pending::Node(Value::Array(a), path) if a.len() > GROUP => {
                (path.to_string(), a.len().div_ceil(GROUP))
            }
            Pending::Node(Value::Array(a), path) => (path.to_string(), a.len()),
            Pending::Node(..) => continue,
            Pending::Group(items, path, start) => {
                (group_key(path, *start), (items.len() - start).min(GROUP))
            }
        };
        if rendered + rows > budget {
            return (out, false);
        }
        rendered += rows;
        out.insert(key);
        match item {
            Pending::Node(Value::Object(m), path) => {
                queue.extend(m.iter().map(|(k, c)| Pending::Node(c, path.key(k))));
            }
            Pending::Node(Value::Array(a), path) if a.len() > GROUP => {
                queue.extend(
                    (0..a.len())
                        .step_by(GROUP)
                        .map(|st| Pending::Group(a, path.clone(), st)),
                );
            }
            Pending::Node(Value::Array(a), path) => {
                queue.extend(
                    a.iter()
                        .enumerate()
                        .map(|(i, c)| Pending::Node(c, path.index(i))),
                );
            }
            Pending::Group(items, path, start) => {
                let end = (start + GROUP).min(items.len());
                queue.extend((start..end).map(|i| Pending::Node(&items[i], path.index(i))));
            }
            Pending::Node(..) => {}
        }
    }
    (out, true)
}

fn group_key(path: &JsonPath, start: usize) -> String {
    format!("{path}#{start}")
}

/// The default view: the root and its direct children open.
fn default_expanded(v: &Value) -> HashSet<String> {
    let mut s = HashSet::from([String::new()]);
    if let Value::Object(m) = v {
        for (k, c) in m {
            if matches!(c, Value::Object(_)) || matches!(c, Value::Array(a) if a.len() <= GROUP) {
                s.insert(JsonPath::root().key(k).to_string());
            }
        }
    }
    s
}

fn copy_text(text: String) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(&text);
    }
}

#[component]
pub fn JsonTree(
    doc: Arc<Value>,
    on_filter: Callback<FilterRequest>,
    /// What the root is called ("event", "job", ...).
    #[prop(into, default = "event".to_string())]
    root_label: String,
) -> impl IntoView {
    let expanded = RwSignal::new(default_expanded(&doc));
    let doc_for_all = doc.clone();
    let partial = RwSignal::new(false);
    let ctx = Ctx {
        doc: StoredValue::new(doc),
        expanded,
        on_filter,
    };
    let tree_ref = NodeRef::<leptos::html::Ul>::new();
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if let Some(tree) = tree_ref.get() {
            if keyboard(&tree, &ev, expanded) {
                ev.prevent_default();
            }
        }
    };
    view! {
        <div class="json-tree-panel">
            <div class="tree-tools">
                <button type="button" data-testid="expand-all" on:click=move |_| {
                    let (keys, complete) = expand_all_keys(&doc_for_all, EXPAND_ALL_BUDGET);
                    expanded.set(keys);
                    partial.set(!complete);
                }>"Expand all"</button>
                <button type="button" data-testid="collapse-all" on:click=move |_| {
                    expanded.set(HashSet::from([String::new()]));
                    partial.set(false);
                }>
                    "Collapse all"
                </button>
                <Show when=move || partial.get()>
                    <span class="tree-note" data-testid="expand-partial">
                        {format!("Large document: expanded level by level up to {EXPAND_ALL_BUDGET} rows; open deeper parts one by one.")}
                    </span>
                </Show>
            </div>
            <ul role="tree" aria-label="Event JSON" class="json-tree" data-testid="json-tree" node_ref=tree_ref on:keydown=on_keydown>
                {node(ctx, JsonPath::root(), Some(root_label), 1)}
            </ul>
        </div>
    }
}

/// Move focus or toggle per the WAI-ARIA tree pattern. Returns whether the key was handled.
fn keyboard(
    tree: &web_sys::HtmlElement,
    ev: &web_sys::KeyboardEvent,
    expanded: RwSignal<HashSet<String>>,
) -> bool {
    let Ok(list) = tree.query_selector_all("[role=treeitem]") else {
        return false;
    };
    let items: Vec<web_sys::HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<web_sys::HtmlElement>().ok())
        .collect();
    if items.is_empty() {
        return false;
    }
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .and_then(|a| a.closest("[role=treeitem]").ok().flatten());
    let pos = active
        .as_ref()
        .and_then(|a| items.iter().position(|i| i.is_same_node(Some(a))));
    let focus = |i: usize| {
        if let Some(el) = items.get(i) {
            let _ = el.focus();
        }
    };
    let Some(pos) = pos else {
        focus(0);
        return true;
    };
    let cur = &items[pos];
    let state = cur.get_attribute("aria-expanded");
    let key = cur.get_attribute("data-key").unwrap_or_default();
    let toggle = |open: bool| {
        expanded.update(|s| {
            if open {
                s.insert(key.clone());
            } else {
                s.remove(&key);
            }
        })
    };
    match ev.key().as_str() {
        "ArrowDown" => focus((pos + 1).min(items.len() - 1)),
        "ArrowUp" => focus(pos.saturating_sub(1)),
        "Home" => focus(0),
        "End" => focus(items.len() - 1),
        "ArrowRight" => match state.as_deref() {
            Some("false") => toggle(true),
            Some("true") => focus((pos + 1).min(items.len() - 1)),
            _ => {}
        },
        "ArrowLeft" => match state.as_deref() {
            Some("true") => toggle(false),
            _ => {
                let parent = cur
                    .parent_element()
                    .and_then(|p| p.closest("[role=treeitem]").ok().flatten());
                if let Some(p) = parent.and_then(|p| p.dyn_into::<web_sys::HtmlElement>().ok()) {
                    let _ = p.focus();
                }
            }
        },
        "Enter" | " " => match state.as_deref() {
            Some(s) => toggle(s == "false"),
            None => return false,
        },
        _ => return false,
    }
    true
}

fn label_view(label: &Option<String>) -> AnyView {
    match label {
        Some(l) => {
            view! { <span class="key">{l.clone()}</span><span class="punct">": "</span> }.into_any()
        }
        None => ().into_any(),
    }
}

fn node(ctx: Ctx, path: JsonPath, label: Option<String>, level: u32) -> AnyView {
    let kind = ctx.doc.with_value(|d| {
        path.lookup(d).map(|v| match v {
            Value::Object(m) => Kind::Object(m.keys().cloned().collect()),
            Value::Array(a) => Kind::Array(a.len()),
            other => Kind::Leaf(other.clone()),
        })
    });
    match kind {
        None => ().into_any(),
        Some(Kind::Leaf(v)) => leaf(ctx, path, label, v, level),
        Some(Kind::Object(keys)) => {
            let summary = format!("{{{}}}", keys.len());
            let p = path.clone();
            container(
                ctx,
                path.clone(),
                path.to_string(),
                label,
                summary,
                level,
                move || {
                    keys.iter()
                        .map(|k| node(ctx, p.key(k), Some(k.clone()), level + 1))
                        .collect_view()
                        .into_any()
                },
            )
        }
        Some(Kind::Array(n)) => {
            let summary = format!("[{n}]");
            let p = path.clone();
            container(
                ctx,
                path.clone(),
                path.to_string(),
                label,
                summary,
                level,
                move || {
                    if n > GROUP {
                        (0..n)
                            .step_by(GROUP)
                            .map(|start| {
                                let end = (start + GROUP).min(n);
                                let p2 = p.clone();
                                container(
                                    ctx,
                                    p.clone(),
                                    group_key(&p, start),
                                    Some(format!("[{start} … {}]", end - 1)),
                                    format!("{} items", end - start),
                                    level + 1,
                                    move || {
                                        (start..end)
                                            .map(|i| {
                                                node(
                                                    ctx,
                                                    p2.index(i),
                                                    Some(i.to_string()),
                                                    level + 2,
                                                )
                                            })
                                            .collect_view()
                                            .into_any()
                                    },
                                )
                            })
                            .collect_view()
                            .into_any()
                    } else {
                        (0..n)
                            .map(|i| node(ctx, p.index(i), Some(i.to_string()), level + 1))
                            .collect_view()
                            .into_any()
                    }
                },
            )
        }
    }
}

fn container(
    ctx: Ctx,
    path: JsonPath,
    key: String,
    label: Option<String>,
    summary: String,
    level: u32,
    children: impl Fn() -> AnyView + Send + Sync + 'static,
) -> AnyView {
    let k = key.clone();
    let open = Memo::new(move |_| ctx.expanded.with(|s| s.contains(&k)));
    let k2 = StoredValue::new(key.clone());
    let toggle = move |_| {
        let k = k2.get_value();
        ctx.expanded.update(|s| {
            if !s.remove(&k) {
                s.insert(k);
            }
        })
    };
    let path_s = path.to_string();
    let path_copy = path_s.clone();
    let value_copy = move || {
        ctx.doc.with_value(|d| {
            path.lookup(d)
                .map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
        })
    };
    view! {
        <li role="treeitem" class="node" prop:ariaLevel=level.to_string() aria-expanded=move || open.get().to_string()
            data-path=path_s data-key=key tabindex="-1">
            <div class="row">
                <button type="button" class="twisty" tabindex="-1" aria-hidden="true" on:click=toggle>
                    {move || if open.get() { "▾" } else { "▸" }}
                </button>
                <span class="label" on:click=toggle>{label_view(&label)}<span class="summary">{summary}</span></span>
                <span class="actions">
                    <button type="button" tabindex="-1" data-testid="copy-path" title="Copy path" on:click=move |_| copy_text(path_copy.clone())>"path"</button>
                    <button type="button" tabindex="-1" data-testid="copy-value" title="Copy value (JSON)" on:click=move |_| {
                        if let Some(v) = value_copy() { copy_text(v) }
                    }>"copy"</button>
                </span>
            </div>
            <Show when=move || open.get()>
                <ul role="group">{children()}</ul>
            </Show>
        </li>
    }
    .into_any()
}

fn leaf(ctx: Ctx, path: JsonPath, label: Option<String>, v: Value, level: u32) -> AnyView {
    let (class, text) = match &v {
        Value::String(s) => ("str", s.clone()),
        Value::Number(n) => ("num", n.to_string()),
        Value::Bool(b) => ("bool", b.to_string()),
        Value::Null => ("null", "null".to_string()),
        _ => ("other", canonical(&v)),
    };
    let is_str = class == "str";
    let long = is_str && text.chars().count() > LONG;
    let more = RwSignal::new(false);
    let total_chars = text.chars().count();
    let shown = {
        let text = text.clone();
        move || {
            if long && !more.get() {
                text.chars().take(LONG).collect::<String>()
            } else {
                text.clone()
            }
        }
    };
    let path_s = path.to_string();
    let copy_path = path_s.clone();
    let copy_value = text.clone();
    let (p_for, v_for) = (path.clone(), v.clone());
    let (p_out, v_out) = (path, v);
    view! {
        <li role="treeitem" class="node leaf" prop:ariaLevel=level.to_string() data-path=path_s.clone() data-key=path_s tabindex="-1">
            <div class="row">
                <span class="twisty-space" aria-hidden="true"></span>
                {label_view(&label)}
                <span class=format!("value {class}")>
                    {is_str.then_some("\"")}{shown}{move || (long && !more.get()).then_some("…")}{is_str.then_some("\"")}
                </span>
                {long.then(|| view! {
                    <button type="button" class="more" tabindex="-1" data-testid="show-more" on:click=move |_| more.update(|m| *m = !*m)>
                        {move || if more.get() { "show less".to_string() } else { format!("show more ({total_chars} chars)") }}
                    </button>
                })}
                <span class="actions">
                    <button type="button" tabindex="-1" data-testid="filter-for" title="Filter for this value"
                        on:click=move |_| ctx.on_filter.run((p_for.clone(), v_for.clone(), false))>"+"</button>
                    <button type="button" tabindex="-1" data-testid="filter-out" title="Filter out this value"
                        on:click=move |_| ctx.on_filter.run((p_out.clone(), v_out.clone(), true))>"−"</button>
                    <button type="button" tabindex="-1" data-testid="copy-value" title="Copy value" on:click=move |_| copy_text(copy_value.clone())>"copy"</button>
                    <button type="button" tabindex="-1" data-testid="copy-path" title="Copy path" on:click=move |_| copy_text(copy_path.clone())>"path"</button>
                </span>
            </div>
        </li>
    }
    .into_any()
}
