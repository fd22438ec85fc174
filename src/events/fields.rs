//! The fields panel: each listed field's top values among the filtered rows (core's
//! `EventStore::facets`, only for the open fields), with count and share, + / − filters, a
//! search over the field's values, "n more", and fields added by JSON path (read by the
//! background path indexer, with progress).

use crate::events::state::AppState;
use leptos::prelude::*;
use trailview_core::engine::{FacetCounts, FacetQuery, FacetSource, FacetValue};
use trailview_core::fields::{self, AddPath, FacetFilter, FacetOp, MORE, TOP};
use trailview_core::json_path::JsonPath;
use trailview_core::numbers::{fixed, thousands};

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

#[component]
pub fn FieldsPanel() -> impl IntoView {
    let st = expect_context::<AppState>();
    // Per field (by key): the search over its values, and whether "n more" is on.
    let searches = RwSignal::new(Vec::<(String, String)>::new());
    let more = RwSignal::new(Vec::<String>::new());
    let sources = Memo::new(move |_| st.field_paths.with(|p| fields::sources(p)));
    let counts = Memo::new(move |_| {
        st.version.track();
        st.index_tick.track();
        let open = st.fields_expanded.get();
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

    let field = move |src: FacetSource| {
        let key = fields::source_key(&src);
        let title = fields::source_title(&src);
        let dom_id = format!(
            "field-{}",
            key.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
        );
        let (k1, k2, k3, k4, k5) = (
            key.clone(),
            key.clone(),
            key.clone(),
            key.clone(),
            key.clone(),
        );
        let is_open = Memo::new(move |_| st.fields_expanded.with(|e| e.contains(&k1)));
        let c = Memo::new(move |_| {
            counts.with(|v| v.iter().find(|(k, _)| *k == k2).map(|(_, c)| c.clone()))
        });
        let values = move || c.with(|c| c.as_ref().map(|c| c.values.clone()).unwrap_or_default());
        let src_v = StoredValue::new(src.clone());
        let value_row = move |v: FacetValue| {
            let src = src_v.get_value();
            let label = fields::value_label(&src, &v.value);
            // Of the rows counted now (a row is kept while its count stays, the total may not).
            let count = v.count;
            let pct = move || {
                let rows = c.with(|c| c.as_ref().map_or(0, |c| c.rows));
                count as f64 * 100.0 / rows.max(1) as f64
            };
            let value = StoredValue::new(v.value);
            let go = move |op| apply(st, &src_v.get_value(), &value.get_value(), op);
            view! {
                <li class="facet-value" data-testid="facet-value" data-value=label.clone() data-count=v.count>
                    <span class="facet-label" title=label.clone()>{label.clone()}</span>
                    <span class="facet-count">{thousands(v.count)}</span>
                    <span class="facet-share">{move || { let p = pct(); format!("{}%", fixed(p, if p < 10.0 { 1 } else { 0 })) }}</span>
                    <button type="button" class="facet-op" data-testid="facet-for" aria-label=format!("Filter for {label}")
                        on:click=move |_| go(FacetOp::For)>"+"</button>
                    <button type="button" class="facet-op" data-testid="facet-out" aria-label=format!("Filter out {label}")
                        on:click=move |_| go(FacetOp::Out)>"−"</button>
                    <span class="facet-bar" aria-hidden="true"><span style:width=move || format!("{}%", fixed(pct(), 1))></span></span>
                </li>
            }
        };
        let path = match &src {
            FacetSource::Path(p) => Some(p.clone()),
            FacetSource::Field(_) => None,
        };
        let remove = path.map(|p| {
            let label = format!("Remove field {p}");
            view! { <button type="button" class="ghost field-remove" aria-label=label on:click=move |_| st.remove_field(&p)>"×"</button> }
        });
        let search_value = move || {
            searches.with(|v| {
                v.iter()
                    .find(|(k, _)| *k == k3)
                    .map(|(_, t)| t.clone())
                    .unwrap_or_default()
            })
        };
        let set_search = move |t: String| {
            searches.update(|v| {
                v.retain(|(k, _)| *k != k4);
                v.push((k4.clone(), t));
            })
        };
        let toggle_more = move |_| {
            more.update(|m| match m.iter().position(|k| *k == k5) {
                Some(i) => {
                    m.remove(i);
                }
                None => m.push(k5.clone()),
            })
        };
        let more_label = move || {
            let (distinct, shown) =
                c.with(|c| c.as_ref().map_or((0, 0), |c| (c.distinct, c.values.len())));
            if shown > TOP {
                Some("Show fewer".to_string())
            } else if distinct > shown {
                Some(format!("{} more", thousands(distinct.min(MORE) - shown)))
            } else {
                None
            }
        };
        let note = move || {
            c.with(|c| {
                let c = c.as_ref()?;
                let mut parts = Vec::new();
                if c.unread > 0 {
                    parts.push(format!(
                        "Reading from every event: {} of {} rows",
                        thousands(c.rows - c.unread),
                        thousands(c.rows)
                    ));
                }
                if c.absent > 0 {
                    parts.push(format!("{} without it", thousands(c.absent)));
                }
                if c.distinct == 0 && c.unread == 0 {
                    parts.push("No values".to_string());
                }
                (!parts.is_empty()).then(|| parts.join(" · "))
            })
        };
        let unread = move || {
            c.with(|c| {
                c.as_ref()
                    .filter(|c| c.unread > 0)
                    .map(|c| (c.rows - c.unread, c.rows))
            })
        };
        let key_t = key.clone();
        view! {
            <section class="field" data-testid="field" data-key=key.clone() aria-label=title.clone()>
                <h3>
                    <button type="button" class="field-toggle" data-testid="field-toggle" aria-expanded=move || is_open.get().to_string()
                        aria-controls=dom_id.clone() on:click=move |_| st.toggle_field(&key_t)>
                        <span class="twisty" aria-hidden="true">{move || if is_open.get() { "▾" } else { "▸" }}</span>
                        {title.clone()}
                    </button>
                    {remove}
                </h3>
                <div class="field-body" id=dom_id hidden=move || !is_open.get()>
                        <input type="search" class="field-search" data-testid="field-search" placeholder="search values"
                            aria-label=format!("Search {title} values") prop:value=search_value
                            on:input=move |ev| set_search(event_target_value(&ev)) />
                        {move || unread().map(|(d, t)| view! { <progress max=t value=d></progress> })}
                        <ul class="facet-values">
                            <For each=values key=|v| (v.value.clone(), v.count) children=value_row />
                        </ul>
                        {move || note().map(|n| view! { <p class="field-note" role="status">{n}</p> })}
                        {move || more_label().map(|l| view! { <button type="button" class="ghost facet-more" data-testid="facet-more" on:click=toggle_more.clone()>{l}</button> })}
                </div>
            </section>
        }
    };

    let new_path = RwSignal::new(String::new());
    let add_error = RwSignal::new(None::<String>);
    let add = move |ev: leptos::ev::SubmitEvent| {
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
        <aside class="fields" aria-label="Fields" data-testid="fields-panel">
            <h2>"Fields"</h2>
            <p class="fields-total">{move || format!("Top values of {} events", thousands(st.filtered.with(|f| f.len())))}</p>
            <For each=move || sources.get() key=fields::source_key children=field />
            <form class="add-field" on:submit=add>
                <input type="text" data-testid="add-field-path" aria-label="Add a field by JSON path" placeholder="JSON path, e.g. requestParameters.RegionId"
                    prop:value=move || new_path.get() on:input=move |ev| new_path.set(event_target_value(&ev)) />
                <button type="submit" data-testid="add-field">"Add field"</button>
                {move || add_error.get().map(|e| view! { <p class="field-note" role="alert">{e}</p> })}
            </form>
        </aside>
    }
}
