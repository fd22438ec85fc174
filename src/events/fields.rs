//! The fields panel: each listed field's top values among the filtered rows (core's
//! `EventStore::facets`, only for the open fields), with count and share, + / − filters, a
//! search over the field's values, "n more", and fields added by JSON path (read by the
//! background path indexer, with progress).
//!
//! Always mounted, hidden while closed (then nothing is counted). The field sections are
//! written by one render effect with plain DOM calls (text nodes and attributes only, never
//! HTML; value rows kept and rewritten in place, only what changed) and read back by one click
//! and one input listener on the list. Measured: with a `For`
//! over fields and one over values (a reactive closure per count, share and button) this
//! change (panel, shortcuts, core) added 29.2 KiB to the gzipped bundle; written this way, 20.

use crate::events::state::AppState;
use leptos::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use trailview_core::engine::{FacetCounts, FacetQuery, FacetSource, FacetValue};
use trailview_core::fields::{self, AddPath, FacetFilter, FacetOp, MORE, TOP};
use trailview_core::json_path::JsonPath;
use trailview_core::numbers::{fixed, thousands};
use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

/// Apply a value's + / −: the tree's chip, or a term in the search box (Cloud, Account).
fn apply(st: AppState, src: &FacetSource, value: &str, op: FacetOp) {
    match fields::facet_filter(src, value, op) {
        FacetFilter::Path(pf) => st.add_path_filter(pf),
        FacetFilter::Search(term) => {
            let s = fields::append_term(&st.search.get_untracked(), &term);
            st.set_search(s);
        }
    }
}

fn el(doc: &Document, tag: &str, attrs: &[(&str, &str)], text: &str) -> Element {
    let e = doc.create_element(tag).expect("an element");
    for (k, v) in attrs {
        let _ = e.set_attribute(k, v);
    }
    if !text.is_empty() {
        e.set_text_content(Some(text));
    }
    e
}

fn add(parent: &Element, child: &Element) {
    let _ = parent.append_child(child);
}

fn part(sec: &Element, sel: &str) -> Option<Element> {
    sec.query_selector(sel).ok().flatten()
}

/// Sections made in this page so far: each section's body gets an id of its own from it (a
/// key's text would not do: `a.b` and `a-b` would share one).
static SECTIONS: AtomicUsize = AtomicUsize::new(0);

/// A field's section, closed and empty; `n` numbers its body's id.
fn section(doc: &Document, s: &FacetSource, key: &str, n: usize) -> Element {
    let title = fields::source_title(s);
    let id = format!("field-body-{n}");
    let sec = el(
        doc,
        "section",
        &[
            ("class", "field"),
            ("data-testid", "field"),
            ("data-key", key),
            ("aria-label", &title),
        ],
        "",
    );
    let h = el(doc, "h3", &[], "");
    let toggle = el(
        doc,
        "button",
        &[
            ("type", "button"),
            ("class", "field-toggle"),
            ("data-testid", "field-toggle"),
            ("data-act", "toggle"),
            ("aria-controls", &id),
            ("aria-expanded", "false"),
        ],
        "",
    );
    add(
        &toggle,
        &el(
            doc,
            "span",
            &[("class", "twisty"), ("aria-hidden", "true")],
            "▸",
        ),
    );
    let _ = toggle.append_with_str_1(&title);
    add(&h, &toggle);
    if let FacetSource::Path(p) = s {
        let label = format!("Remove field {p}");
        add(
            &h,
            &el(
                doc,
                "button",
                &[
                    ("type", "button"),
                    ("class", "ghost field-remove"),
                    ("data-act", "remove"),
                    ("aria-label", &label),
                ],
                "×",
            ),
        );
    }
    add(&sec, &h);
    let body = el(
        doc,
        "div",
        &[("class", "field-body"), ("id", &id), ("hidden", "")],
        "",
    );
    let label = format!("Search {title} values");
    add(
        &body,
        &el(
            doc,
            "input",
            &[
                ("type", "search"),
                ("class", "field-search"),
                ("data-testid", "field-search"),
                ("placeholder", "search values"),
                ("aria-label", &label),
            ],
            "",
        ),
    );
    add(&body, &el(doc, "progress", &[("hidden", "")], ""));
    add(&body, &el(doc, "ul", &[("class", "facet-values")], ""));
    add(
        &body,
        &el(doc, "p", &[("class", "field-note"), ("role", "status")], ""),
    );
    add(
        &body,
        &el(
            doc,
            "button",
            &[
                ("type", "button"),
                ("class", "ghost facet-more"),
                ("data-testid", "facet-more"),
                ("data-act", "more"),
                ("hidden", ""),
            ],
            "",
        ),
    );
    add(&sec, &body);
    sec
}

/// A listed value as its row shows it: what the row's DOM was last written with, so an update
/// writes only what changed (a rewrite costs the browser style and layout work even when the
/// text is the same).
#[derive(Clone, PartialEq)]
struct ValueRow {
    label: String,
    count: usize,
    share: String,
    /// The bar's fill as a `width` in per cent of the bar. A `scaleX` transform (each bar a
    /// layer of its own) measured slower in separate runs of the two builds: main-thread CPU
    /// per update at 100k, 23.5 / 32.1 ms (filter set / cleared) against 21.6 / 24.5 ms with
    /// the width; runs differ by more than that set difference, the cleared one is larger.
    fill: String,
}

impl ValueRow {
    fn new(s: &FacetSource, v: &FacetValue, rows: usize) -> Self {
        let pct = v.count as f64 * 100.0 / rows.max(1) as f64;
        ValueRow {
            label: fields::value_label(s, &v.value),
            count: v.count,
            share: format!("{}%", fixed(pct, if pct < 10.0 { 1 } else { 0 })),
            fill: format!("{}%", fixed(pct, 1)),
        }
    }
}

/// What a section's DOM shows, kept beside it.
#[derive(Default)]
struct Shown {
    /// `None` until first written.
    open: Option<bool>,
    rows: Vec<ValueRow>,
    /// The note, the progress (value, max, hidden) and the "n more" button's text.
    tail: Option<(String, (usize, usize), String)>,
}

/// An empty value row: label, count, share, + / − (numbered `i`, the value's place), its bar.
fn value_li(doc: &Document, i: usize) -> Element {
    let li = el(
        doc,
        "li",
        &[("class", "facet-value"), ("data-testid", "facet-value")],
        "",
    );
    add(&li, &el(doc, "span", &[("class", "facet-label")], ""));
    add(&li, &el(doc, "span", &[("class", "facet-count")], ""));
    add(&li, &el(doc, "span", &[("class", "facet-share")], ""));
    let i = i.to_string();
    for (act, text) in [("for", "+"), ("out", "−")] {
        let testid = format!("facet-{act}");
        add(
            &li,
            &el(
                doc,
                "button",
                &[
                    ("type", "button"),
                    ("class", "facet-op"),
                    ("data-act", act),
                    ("data-i", &i),
                    ("data-testid", &testid),
                ],
                text,
            ),
        );
    }
    let bar = el(
        doc,
        "span",
        &[("class", "facet-bar"), ("aria-hidden", "true")],
        "",
    );
    add(&bar, &el(doc, "span", &[], ""));
    add(&li, &bar);
    li
}

/// Writes `new` into a value row that shows `old` (or nothing yet): only the parts that differ.
fn write_li(li: &Element, old: Option<&ValueRow>, new: &ValueRow) {
    let kids = li.children();
    let kid = |k: u32| kids.item(k);
    if old.map(|o| &o.label) != Some(&new.label) {
        let _ = li.set_attribute("data-value", &new.label);
        if let Some(l) = kid(0) {
            let _ = l.set_attribute("title", &new.label);
            l.set_text_content(Some(&new.label));
        }
        for (k, name) in [(3, "Filter for "), (4, "Filter out ")] {
            if let Some(b) = kid(k) {
                let _ = b.set_attribute("aria-label", &format!("{name}{}", new.label));
            }
        }
    }
    if old.map(|o| o.count) != Some(new.count) {
        let _ = li.set_attribute("data-count", &new.count.to_string());
        if let Some(c) = kid(1) {
            c.set_text_content(Some(&thousands(new.count)));
        }
    }
    if old.map(|o| &o.share) != Some(&new.share) {
        if let Some(c) = kid(2) {
            c.set_text_content(Some(&new.share));
        }
    }
    if old.map(|o| &o.fill) != Some(&new.fill) {
        let fill = kid(5)
            .and_then(|b| b.first_element_child())
            .and_then(|f| f.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(f) = fill {
            let _ = f.style().set_property("width", &new.fill);
        }
    }
}

/// Bring a section up to date: open or closed, and an open field's values and notes. The value
/// rows are kept and rewritten in place (only what changed); a focused + / − (a keyboard
/// user's) stays on the same value's button, or, if that value is gone, moves to the field's
/// toggle.
fn update(
    doc: &Document,
    sec: &Element,
    shown: &mut Shown,
    s: &FacetSource,
    open: bool,
    c: Option<&FacetCounts>,
) {
    let flag = |e: Option<Element>, name: &str, on: bool| {
        if let Some(e) = e {
            let _ = e.toggle_attribute_with_force(name, on);
        }
    };
    if shown.open != Some(open) {
        shown.open = Some(open);
        if let Some(t) = part(sec, ".field-toggle") {
            let _ = t.set_attribute("aria-expanded", if open { "true" } else { "false" });
        }
        if let Some(t) = part(sec, ".twisty") {
            t.set_text_content(Some(if open { "▾" } else { "▸" }));
        }
        flag(part(sec, ".field-body"), "hidden", !open);
    }
    let rows: Vec<ValueRow> = match c {
        Some(c) if open => c
            .values
            .iter()
            .map(|v| ValueRow::new(s, v, c.rows))
            .collect(),
        _ => Vec::new(),
    };
    if rows != shown.rows {
        let Some(ul) = part(sec, "ul") else {
            return;
        };
        let focused = doc
            .active_element()
            .filter(|a| ul.contains(Some(a)))
            .and_then(|a| {
                let act = a.get_attribute("data-act")?;
                let value = a
                    .closest("li")
                    .ok()
                    .flatten()?
                    .get_attribute("data-value")?;
                Some((act, value))
            });
        let items = ul.children();
        for (i, row) in rows.iter().enumerate() {
            match items.item(i as u32) {
                Some(li) => write_li(&li, shown.rows.get(i), row),
                None => {
                    let li = value_li(doc, i);
                    write_li(&li, None, row);
                    add(&ul, &li);
                }
            }
        }
        while ul.child_element_count() as usize > rows.len() {
            if let Some(last) = ul.last_element_child() {
                last.remove();
            }
        }
        if let Some((act, value)) = focused {
            let at = rows.iter().position(|r| r.label == value);
            let target = at
                .and_then(|i| items.item(i as u32))
                .and_then(|li| part(&li, &format!("button[data-act={act}]")))
                .or_else(|| part(sec, ".field-toggle"));
            if let Some(b) = target.and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = b.focus();
            }
        }
        shown.rows = rows;
    }
    let Some(c) = c.filter(|_| open) else {
        return;
    };
    let mut notes = Vec::new();
    if c.unread > 0 {
        notes.push(format!(
            "Reading from every event: {} of {} rows",
            thousands(c.rows - c.unread),
            thousands(c.rows)
        ));
    }
    if c.absent > 0 {
        notes.push(format!("{} without it", thousands(c.absent)));
    }
    if c.distinct == 0 && c.unread == 0 {
        notes.push("No values".into());
    }
    let count = c.values.len();
    let more = if count > TOP {
        "Show fewer".to_string()
    } else if c.distinct > count {
        format!("{} more", thousands(c.distinct.min(MORE) - count))
    } else {
        String::new()
    };
    let tail = (notes.join(" · "), (c.rows - c.unread, c.rows), more);
    if shown.tail.as_ref() == Some(&tail) {
        return;
    }
    let (note_text, (done, total), more) = &tail;
    let note = part(sec, ".field-note");
    if let Some(n) = &note {
        n.set_text_content(Some(note_text));
    }
    flag(note, "hidden", note_text.is_empty());
    if let Some(p) = part(sec, "progress") {
        let _ = p.set_attribute("max", &total.to_string());
        let _ = p.set_attribute("value", &done.to_string());
        let _ = p.toggle_attribute_with_force("hidden", done == total);
    }
    let b = part(sec, ".facet-more");
    if let Some(b) = &b {
        b.set_text_content(Some(more));
    }
    flag(b, "hidden", more.is_empty());
    shown.tail = Some(tail);
}

/// `list[key] = value`.
fn set_entry(list: &mut Vec<(String, String)>, key: &str, value: String) {
    list.retain(|(k, _)| k != key);
    list.push((key.to_string(), value));
}

#[component]
pub fn FieldsPanel() -> impl IntoView {
    let st = expect_context::<AppState>();
    // Per field (by key): the search over its values; the fields whose "n more" is on.
    let searches = RwSignal::new(Vec::<(String, String)>::new());
    let more = RwSignal::new(Vec::<String>::new());
    let sources = Memo::new(move |_| st.field_paths.with(|p| fields::sources(p)));
    let counts = Memo::new(move |_| {
        st.version.track();
        st.index_tick.track();
        // Hidden: nothing is counted.
        let open = if st.fields_open.get() {
            st.fields_expanded.get()
        } else {
            Vec::new()
        };
        let queries: Vec<FacetQuery> = sources.with(|v| {
            v.iter()
                .filter(|s| open.contains(&fields::source_key(s)))
                .map(|s| {
                    let key = fields::source_key(s);
                    FacetQuery {
                        source: s.clone(),
                        search: searches.with(|v| {
                            v.iter()
                                .find(|(k, _)| *k == key)
                                .map(|(_, t)| t.clone())
                                .unwrap_or_default()
                        }),
                        limit: if more.with(|m| m.contains(&key)) {
                            MORE
                        } else {
                            TOP
                        },
                    }
                })
                .collect()
        });
        let c = st
            .filtered
            .with(|rows| st.store.with_value(|s| s.facets(rows, &queries)));
        queries
            .iter()
            .map(|q| fields::source_key(&q.source))
            .zip(c)
            .collect::<Vec<(String, FacetCounts)>>()
    });

    let list = NodeRef::<leptos::html::Div>::new();
    // The sections made so far, by key (a search box keeps its focus and text across updates).
    let made = StoredValue::new_local(Vec::<(String, Element, Shown)>::new());
    Effect::new(move |_| {
        let Some(root) = list.get() else {
            return;
        };
        let Some(doc) = root.owner_document() else {
            return;
        };
        let open = st.fields_expanded.get();
        sources.with(|srcs| {
            counts.with(|counts| {
                made.update_value(|made| {
                    made.retain(|(k, e, _)| {
                        let keep = srcs.iter().any(|s| fields::source_key(s) == *k);
                        if !keep {
                            e.remove();
                        }
                        keep
                    });
                    for s in srcs {
                        let key = fields::source_key(s);
                        let at = match made.iter().position(|(k, _, _)| *k == key) {
                            Some(i) => i,
                            None => {
                                let n = SECTIONS.fetch_add(1, Ordering::Relaxed);
                                let e = section(&doc, s, &key, n);
                                let _ = root.append_child(&e);
                                made.push((key.clone(), e, Shown::default()));
                                made.len() - 1
                            }
                        };
                        let (_, sec, shown) = &mut made[at];
                        let c = counts.iter().find(|(k, _)| *k == key).map(|(_, c)| c);
                        update(&doc, sec, shown, s, open.contains(&key), c);
                    }
                })
            })
        });
    });
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(b) = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|e| e.closest("[data-act]").ok().flatten())
        else {
            return;
        };
        let Some(key) = b
            .closest("[data-key]")
            .ok()
            .flatten()
            .and_then(|s| s.get_attribute("data-key"))
        else {
            return;
        };
        let Some(src) = fields::source_from_key(&key) else {
            return;
        };
        match b.get_attribute("data-act").as_deref() {
            Some("toggle") => st.toggle_field(&key),
            Some("more") => more.update(|m| match m.iter().position(|k| *k == key) {
                Some(i) => {
                    m.remove(i);
                }
                None => m.push(key.clone()),
            }),
            Some("remove") => {
                if let FacetSource::Path(p) = &src {
                    st.remove_field(p);
                }
            }
            Some(act @ ("for" | "out")) => {
                let i: usize = b
                    .get_attribute("data-i")
                    .and_then(|i| i.parse().ok())
                    .unwrap_or(usize::MAX);
                let value = counts.with_untracked(|c| {
                    c.iter()
                        .find(|(k, _)| *k == key)
                        .and_then(|(_, c)| c.values.get(i))
                        .map(|v| v.value.clone())
                });
                let op = if act == "for" {
                    FacetOp::For
                } else {
                    FacetOp::Out
                };
                if let Some(v) = value {
                    apply(st, &src, &v, op);
                }
            }
            _ => {}
        }
    };
    let on_input = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(key) = input
            .closest("[data-key]")
            .ok()
            .flatten()
            .and_then(|s| s.get_attribute("data-key"))
        {
            searches.update(|v| set_entry(v, &key, input.value()));
        }
    };

    let new_path = RwSignal::new(String::new());
    let add_error = RwSignal::new(None::<String>);
    let add_field = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = new_path.get_untracked();
        let msg = match JsonPath::parse(text.trim()) {
            None => Some(format!("Not a JSON path: {text}")),
            Some(p) => match st.add_field(p) {
                AddPath::Added => {
                    new_path.set(String::new());
                    None
                }
                AddPath::Listed => Some("That field is listed already.".into()),
                AddPath::Full => Some(format!(
                    "At most {} added fields: remove one first.",
                    fields::MAX_ADDED_PATHS
                )),
            },
        };
        add_error.set(msg);
    };
    view! {
        <aside class="fields" aria-label="Fields" data-testid="fields-panel" hidden=move || !st.fields_open.get()>
            <h2>"Fields"</h2>
            <p class="fields-total">{move || format!("Top values of {} events", thousands(st.filtered.with(|f| f.len())))}</p>
            <div node_ref=list on:click=on_click on:input=on_input></div>
            <form class="add-field" on:submit=add_field>
                <input type="text" data-testid="add-field-path" aria-label="Add a field by JSON path" placeholder="JSON path, e.g. requestParameters.RegionId"
                    prop:value=move || new_path.get() on:input=move |ev| new_path.set(event_target_value(&ev)) />
                <button type="submit" data-testid="add-field">"Add field"</button>
                <p class="field-note" role="alert">{move || add_error.get()}</p>
            </form>
        </aside>
    }
}
