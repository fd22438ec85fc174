//! The event table: free-text search, per-column filters, filter chips from the JSON tree,
//! sortable headers and pagination. Only the current page is rendered.

use crate::format;
use crate::state::{AppState, PAGE_SIZES};
use leptos::prelude::*;
use trailview_core::engine::{thousands, Column, EventStore, Field, Sort};

/// The text of one cell.
pub fn cell_text(s: &EventStore, row: u32, col: Column, tz: crate::state::Tz) -> String {
    match col {
        Column::Time => format::time(s.time_ms(row), tz),
        Column::Result => match s.field(row, Field::ErrorCode) {
            "" => "OK".to_string(),
            code => code.to_string(),
        },
        c => s
            .field(row, c.field().expect("non-time columns are fields"))
            .to_string(),
    }
}

#[component]
pub fn EventsTable() -> impl IntoView {
    let st = expect_context::<AppState>();

    let header = move |col: Column| {
        let aria = move || match st.sort.get() {
            Some(Sort { column, descending }) if column == col => {
                if descending {
                    "descending"
                } else {
                    "ascending"
                }
            }
            _ => "none",
        };
        let arrow = move || match aria() {
            "ascending" => "▲",
            "descending" => "▼",
            _ => "",
        };
        let title = move || {
            if col == Column::Time {
                format!("Time ({})", format::zone_label(st.tz.get()))
            } else {
                col.title().to_string()
            }
        };
        view! {
            <th scope="col" role="columnheader" aria-sort=aria data-col=col.key()>
                <button type="button" class="sort" data-testid=format!("sort-{}", col.key()) on:click=move |_| st.toggle_sort(col)>
                    {title}<span class="arrow" aria-hidden="true">{arrow}</span>
                </button>
            </th>
        }
    };
    let filter_cell = move |col: Column| {
        if col == Column::Time {
            return view! { <th class="colfilter" role="columnheader" data-col=col.key()></th> }
                .into_any();
        }
        let value = move || {
            st.col_filters.with(|v| {
                v.iter()
                    .find(|(c, _)| *c == col)
                    .map(|(_, t)| t.clone())
                    .unwrap_or_default()
            })
        };
        view! {
            <th class="colfilter" role="columnheader" data-col=col.key()>
                <input
                    type="search"
                    data-testid=format!("colfilter-{}", col.key())
                    aria-label=format!("Filter {}", col.title())
                    placeholder="filter"
                    prop:value=value
                    on:input=move |ev| st.set_col_filter(col, event_target_value(&ev))
                />
            </th>
        }
        .into_any()
    };

    // Row slots, one per position on the page (added or removed only when the page's row count
    // changes): a new page, filter or sort updates the text of the cells in place instead of
    // building the rows again (rebuilding ~450 elements and their listeners was most of a
    // keystroke's time at 100k events).
    let page_rows = Memo::new(move |_| {
        st.version.track();
        st.page_rows()
    });
    let row_count = Memo::new(move |_| page_rows.with(|r| r.len()));

    let chips = move || {
        st.path_filters
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, f)| {
                let op = if f.exclude { "≠" } else { "=" };
                let text = format!("{} {op} {}", f.path, trailview_core::json_path::canonical(&f.value));
                view! {
                    <span class="chip" class:exclude=f.exclude data-testid="filter-chip">
                        <span class="chip-text" title=text.clone()>{text.clone()}</span>
                        <button type="button" data-testid="filter-chip-remove" aria-label=format!("Remove filter {text}")
                            on:click=move |_| st.remove_path_filter(i)>"×"</button>
                    </span>
                }
            })
            .collect_view()
    };

    let go = move |p: usize| st.page.set(p);
    let total = move || {
        st.version.track();
        st.store.with_value(|s| s.len())
    };

    view! {
        <section class="table-panel" aria-label="Events">
            <div class="toolbar">
                <input
                    class="search"
                    type="search"
                    data-testid="search"
                    placeholder="Search loaded events…  (terms AND-ed; user:alice, -Read, \"two words\")"
                    aria-label="Search loaded events"
                    prop:value=move || st.search.get()
                    on:input=move |ev| st.set_search(event_target_value(&ev))
                />
                <span
                    class="count"
                    data-testid="count-info"
                    data-filtered=move || st.filtered.with(|f| f.len())
                    data-total=total
                >
                    {move || format!("{} of {} events", thousands(st.filtered.with(|f| f.len())), thousands(total()))}
                </span>
            </div>
            <div class="chips">
                {chips}
                {move || st.path_indexing.get().map(|p| {
                    let pct = p.done as f64 * 100.0 / p.total.max(1) as f64;
                    view! {
                        <span class="indexing" role="status" data-testid="path-indexing" data-done=p.done data-total=p.total>
                            <progress max=p.total value=p.done></progress>
                            {format!("Reading {} from every event: {} of {} ({pct:.0}%); rows not read yet are hidden", p.path, thousands(p.done), thousands(p.total))}
                        </span>
                    }
                })}
            </div>
            <div class="table-scroll">
                <table data-testid="events-table" class="events" role="table" aria-label="Loaded events">
                    <thead role="rowgroup">
                        <tr role="row">{Column::ALL.into_iter().map(header).collect_view()}</tr>
                        <tr class="filters" role="row">{Column::ALL.into_iter().map(filter_cell).collect_view()}</tr>
                    </thead>
                    <tbody role="rowgroup" on:mouseover=cell_tooltip>
                        <For each=move || 0..row_count.get() key=|i| *i let:i>
                            {row_slot(st, page_rows, i)}
                        </For>
                    </tbody>
                </table>
                <Show when=move || st.page_info.get().total == 0>
                    <p class="empty">{move || if total() == 0 { "No events loaded." } else { "No loaded event matches these filters." }}</p>
                </Show>
            </div>
            <nav class="pager" aria-label="Pages">
                <label>
                    "Rows per page "
                    <select data-testid="page-size" on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).parse() {
                            st.page_size.set(n);
                            st.page.set(0);
                        }
                    }>
                        {PAGE_SIZES.into_iter().map(|n| view! { <option value=n selected=move || st.page_size.get() == n>{n}</option> }).collect_view()}
                    </select>
                </label>
                <button type="button" data-testid="page-first" aria-label="First page" disabled=move || st.page_info.get().is_first() on:click=move |_| go(0)>"«"</button>
                <button type="button" data-testid="page-prev" aria-label="Previous page" disabled=move || st.page_info.get().is_first()
                    on:click=move |_| go(st.page_info.get_untracked().index.saturating_sub(1))>"‹"</button>
                <span data-testid="page-info" class="page-info">{move || st.page_info.get().label()}</span>
                <button type="button" data-testid="page-next" aria-label="Next page" disabled=move || st.page_info.get().is_last()
                    on:click=move |_| go(st.page_info.get_untracked().index + 1)>"›"</button>
                <button type="button" data-testid="page-last" aria-label="Last page" disabled=move || st.page_info.get().is_last()
                    on:click=move |_| go(st.page_info.get_untracked().count - 1)>"»"</button>
            </nav>
        </section>
    }
}

/// What one table row shows.
#[derive(Clone, PartialEq)]
struct RowData {
    row: u32,
    id: String,
    failed: bool,
    cells: Vec<String>,
}

/// The `i`-th row of the page. Its cells are written by one effect per row rather than one
/// reactive closure per cell and attribute: a page change then wakes ~100 effects instead of
/// ~900 (each a task for the reactive executor), which was most of its script time.
fn row_slot(st: AppState, page_rows: Memo<Vec<u32>>, i: usize) -> impl IntoView {
    let data = Memo::new(move |_| {
        let tz = st.tz.get();
        let row = page_rows.with(|r| r.get(i).copied())?;
        Some(st.store.with_value(|s| {
            RowData {
                row,
                id: s.event_id(row).to_string(),
                failed: !s.field(row, Field::ErrorCode).is_empty(),
                cells: Column::ALL
                    .iter()
                    .map(|&c| cell_text(s, row, c, tz))
                    .collect(),
            }
        }))
    });
    let tr = NodeRef::<leptos::html::Tr>::new();
    Effect::new(move |_| {
        let Some(el) = tr.get() else { return };
        data.with(|d| {
            let Some(d) = d else { return };
            let _ = el.set_attribute("data-event-id", &d.id);
            let _ = el.class_list().toggle_with_force("failed", d.failed);
            let cells = el.children();
            for (k, text) in d.cells.iter().enumerate() {
                if let Some(td) = cells.item(k as u32) {
                    if td.text_content().as_deref() != Some(text.as_str()) {
                        td.set_text_content(Some(text));
                    }
                    if Column::ALL[k] == Column::Result {
                        let _ = td.class_list().toggle_with_force("err", d.failed);
                    }
                }
            }
        })
    });
    let row = move || data.with(|d| d.as_ref().map(|d| d.row));
    let selected = Memo::new(move |_| row().is_some() && st.selected.get() == row());
    let select = move || {
        if let Some(r) = row() {
            st.selected.set(Some(r));
        }
    };
    view! {
        <tr
            node_ref=tr
            role="row"
            data-testid="event-row"
            class:selected=move || selected.get()
            aria-selected=move || selected.get().to_string()
            tabindex="0"
            on:click=move |_| select()
            on:keydown=move |ev| {
                if ev.key() == "Enter" || ev.key() == " " {
                    ev.prevent_default();
                    select();
                }
            }
        >
            {Column::ALL.into_iter().map(|c| view! { <td role="cell" data-col=c.key()></td> }).collect_view()}
        </tr>
    }
}

/// Shows a truncated cell's full text as its tooltip, set on hover (one listener on the table
/// body instead of a `title` per cell kept up to date on every page).
fn cell_tooltip(ev: leptos::ev::MouseEvent) {
    use wasm_bindgen::JsCast;
    let Some(td) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("td").ok().flatten())
    else {
        return;
    };
    if td.scroll_width() > td.client_width() {
        let _ = td.set_attribute("title", &td.text_content().unwrap_or_default());
    } else {
        let _ = td.remove_attribute("title");
    }
}
