//! The event table: the search box (with its syntax help and the query's warnings), per-column
//! filters, filter chips from the JSON tree and the time window, the time histogram, sortable
//! headers and pagination. Only the current page is rendered.

use crate::events::state::{AppState, PAGE_SIZES};
use crate::format;
use crate::ui::cut::{Cuts, Resized};
use crate::ui::pager::PageButton;
use crate::ui::viewport::Viewport;
use leptos::prelude::*;
use trailview_core::columns::{ColumnId, Shown};
use trailview_core::engine::{EventStore, Sort};
use trailview_core::marks::mark_label;
use trailview_core::numbers::thousands;
use trailview_core::schema::{Column, Field};
use trailview_core::table_query::{PageStep, SortOrder};
use wasm_bindgen::JsCast;

/// The text of one cell.
pub fn cell_text(s: &EventStore, row: u32, col: &ColumnId, tz: crate::events::state::Tz) -> String {
    trailview_core::export::cell_text(s, row, col, |ms| format::time(ms, tz))
}

/// The path columns among `cols` are numbered in order (`data-pcol`, `--pcol-N`): their widths
/// are CSS variables like the built-in columns'.
fn pcol_index(cols: &[ColumnId], k: usize) -> Option<usize> {
    matches!(cols[k], ColumnId::Path(_)).then(|| {
        cols[..k]
            .iter()
            .filter(|c| matches!(c, ColumnId::Path(_)))
            .count()
    })
}

/// A column's name in test ids: a built-in column's key, `path-<path>` for a path column.
fn test_key(col: &ColumnId) -> String {
    match col {
        ColumnId::Builtin(c) => c.key().to_string(),
        ColumnId::Path(p) => format!("path-{p}"),
    }
}

/// The CSS variable that holds a visible column's width.
fn width_var(cols: &[ColumnId], k: usize) -> String {
    match pcol_index(cols, k) {
        Some(n) => format!("--pcol-{n}"),
        None => format!("--col-{}", cols[k].key()),
    }
}

/// Height of a body row in pixels (`table.events tbody tr` in `style/main.css`).
pub const ROW_H: f64 = 25.0;
/// Rows rendered beyond each edge of the scroll viewport.
const OVERSCAN: usize = 5;
/// Viewport height assumed until it is measured.
const DEFAULT_VIEW_H: f64 = 900.0;
/// The header rows (titles, column filters), for aria-rowcount / aria-rowindex.
const HEADER_ROWS: usize = 2;

/// The element children of `el`, in order.
fn kids(el: &web_sys::Element) -> impl Iterator<Item = web_sys::Element> {
    let list = el.children();
    (0..list.length()).filter_map(move |i| list.item(i))
}

/// Which font a body cell has, for ui::cut: its column's, emphasised on a failed result.
fn cell_style(col_key: &str, err: bool) -> String {
    if err {
        format!("{col_key}!")
    } else {
        col_key.to_string()
    }
}

/// The page rows to render for a scroll position: those under the viewport (the sticky header
/// is covered by the overscan) plus [`OVERSCAN`] either side, as `start..end`.
pub fn visible_window(scroll_top: f64, view_h: f64, rows: usize) -> (usize, usize) {
    let first = (scroll_top.max(0.0) / ROW_H) as usize;
    let last = ((scroll_top.max(0.0) + view_h) / ROW_H).ceil() as usize;
    let start = first.saturating_sub(OVERSCAN).min(rows);
    let end = (last + OVERSCAN).min(rows);
    (start, end.max(start))
}

/// `children`: more controls at the start of the table's toolbar (the app puts the trail files'
/// Open files and bucket source there).
#[component]
pub fn EventsTable(#[prop(optional)] children: Option<Children>) -> impl IntoView {
    let st = expect_context::<AppState>();

    // The column being dragged to a new place, and whether a header edge is being dragged
    // (which must not start a column drag).
    let dragged = StoredValue::new(None::<ColumnId>);
    let resizing = StoredValue::new(false);
    // Cells clip their text only where it overflows (ui::cut): decided when a row writes a
    // cell and, for every rendered cell, when a column's width changes (its header resized).
    let cuts = Cuts::new();
    let head_ref = NodeRef::<leptos::html::Tr>::new();
    let body_ref = NodeRef::<leptos::html::Tbody>::new();
    let resized = Resized::new(move || {
        let (Some(head), Some(body)) = (
            head_ref.try_get_untracked().flatten(),
            body_ref.try_get_untracked().flatten(),
        ) else {
            return;
        };
        cuts.set_widths(
            kids(&head)
                .map(|th| th.get_bounding_client_rect().width())
                .collect(),
        );
        for tr in kids(&body) {
            for (k, td) in kids(&tr).enumerate().skip(1) {
                let key = td.get_attribute("data-col").unwrap_or_default();
                let style = cell_style(&key, td.class_list().contains("err"));
                cuts.wrote(&td, k, &style, &td.text_content().unwrap_or_default());
            }
        }
    });
    let header = move |(k, col): (usize, ColumnId)| {
        let cols = st.visible_columns.get_untracked();
        let pcol = pcol_index(&cols, k);
        let var = width_var(&cols, k);
        let c_sort = col.clone();
        let order = Memo::new(move |_| {
            st.sort.with(|s| match s {
                Some(Sort { column, order }) if *column == c_sort => Some(*order),
                _ => None,
            })
        });
        let order = move || order.get();
        let aria = move || order().map_or("none", SortOrder::aria);
        let arrow = move || order().map_or("", SortOrder::arrow);
        let c_title = col.clone();
        let title = move || {
            if c_title == ColumnId::Builtin(Column::Time) {
                format!("Time ({})", format::zone_label(st.tz.get()))
            } else {
                c_title.title().to_string()
            }
        };
        let th = NodeRef::<leptos::html::Th>::new();
        let (c_click, c_drag, c_drop, c_key) = (col.clone(), col.clone(), col.clone(), col.clone());
        let start = StoredValue::new((0.0f64, 0.0f64));
        let on_down = move |ev: leptos::ev::PointerEvent| {
            let w = th
                .get_untracked()
                .map_or(100.0, |t| t.get_bounding_client_rect().width());
            start.set_value((ev.client_x() as f64, w));
            resizing.set_value(true);
            if let Some(t) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            {
                let _ = t.set_pointer_capture(ev.pointer_id());
            }
            ev.prevent_default();
            ev.stop_propagation();
        };
        let c_move = col.clone();
        let on_move = move |ev: leptos::ev::PointerEvent| {
            if !resizing.get_value() {
                return;
            }
            let (x0, w0) = start.get_value();
            let w = w0 + ev.client_x() as f64 - x0;
            st.change_layout(|l| {
                l.set_width(&c_move, w);
            });
        };
        let on_up = move |_| resizing.set_value(false);
        let on_key = move |ev: leptos::ev::KeyboardEvent| {
            let step = if ev.shift_key() { 50.0 } else { 10.0 };
            let delta = match ev.key().as_str() {
                "ArrowLeft" => -step,
                "ArrowRight" => step,
                _ => return,
            };
            ev.prevent_default();
            let w = th
                .get_untracked()
                .map_or(100.0, |t| t.get_bounding_client_rect().width());
            st.change_layout(|l| {
                l.set_width(&c_key, w + delta);
            });
        };
        Effect::new(move |_| {
            if let Some(t) = th.get() {
                resized.with_value(|r| r.observe(&t));
            }
        });
        on_cleanup(move || {
            if let Some(t) = th.try_get_untracked().flatten() {
                resized.try_with_value(|r| r.unobserve(&t));
            }
        });
        let resize_label = format!("Resize {}", col.title());
        view! {
            <th scope="col" role="columnheader" aria-sort=aria data-col=col.key() data-pcol=pcol
                node_ref=th draggable="true"
                on:dragstart=move |ev| {
                    if resizing.get_value() {
                        ev.prevent_default();
                        return;
                    }
                    dragged.set_value(Some(c_drag.clone()));
                    if let Some(dt) = ev.data_transfer() {
                        let _ = dt.set_data("text/plain", c_drag.title());
                        dt.set_effect_allowed("move");
                    }
                }
                on:dragover=move |ev| {
                    if dragged.with_value(|d| d.is_some()) {
                        ev.prevent_default();
                    }
                }
                on:drop=move |ev| {
                    ev.prevent_default();
                    if let Some(from) = dragged.get_value() {
                        st.change_layout(|l| {
                            l.move_to(&from, Some(&c_drop));
                        });
                    }
                    dragged.set_value(None);
                }
                on:dragend=move |_| dragged.set_value(None)
                data-width-var=var>
                <button type="button" class="sort" data-testid=format!("sort-{}", test_key(&col)) on:click=move |_| st.toggle_sort(c_click.clone())>
                    {title}<span class="arrow" aria-hidden="true">{arrow}</span>
                </button>
                <span class="col-resize" role="separator" tabindex="0" aria-orientation="vertical"
                    aria-label=resize_label aria-valuemin=trailview_core::columns::MIN_WIDTH
                    aria-valuemax=trailview_core::columns::MAX_WIDTH
                    data-testid="col-resize"
                    on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_up
                    on:keydown=on_key></span>
            </th>
        }
    };
    let filter_cell = move |(k, col): (usize, ColumnId)| {
        let pcol = pcol_index(&st.visible_columns.get_untracked(), k);
        if col == ColumnId::Builtin(Column::Time) {
            // No filter here (the time range is the query's); the header cell still says so,
            // for screen readers (an empty header cell is announced as nothing).
            return view! {
                <th class="colfilter" role="columnheader" data-col=col.key()>
                    <span class="visually-hidden">"No filter on time"</span>
                </th>
            }
            .into_any();
        }
        let c_value = col.clone();
        let value = move || {
            st.col_filters.with(|v| {
                v.iter()
                    .find(|(c, _)| *c == c_value)
                    .map(|(_, t)| t.clone())
                    .unwrap_or_default()
            })
        };
        let label = format!("Filter {}", col.title());
        let testid = format!("colfilter-{}", test_key(&col));
        let key = col.key();
        view! {
            <th class="colfilter" role="columnheader" data-col=key data-pcol=pcol>
                <input
                    type="search"
                    data-testid=testid
                    aria-label=label
                    placeholder="filter"
                    prop:value=value
                    on:input=move |ev| st.set_col_filter(col.clone(), event_target_value(&ev))
                />
            </th>
        }
        .into_any()
    };
    let numbered = move || {
        st.visible_columns
            .get()
            .into_iter()
            .enumerate()
            .collect::<Vec<_>>()
    };
    // Column widths: CSS variables on the table, so a drag on a header edge restyles one
    // variable rather than every cell.
    let table_ref = NodeRef::<leptos::html::Table>::new();
    Effect::new(move |prev: Option<Vec<(String, Option<u16>)>>| {
        let Some(t) = table_ref.get() else {
            return prev.unwrap_or_default();
        };
        let cols = st.visible_columns.get();
        let now: Vec<(String, Option<u16>)> = st.layout.with(|l| {
            (0..cols.len())
                .map(|k| {
                    let w = l
                        .specs()
                        .iter()
                        .find(|s| s.id == cols[k])
                        .and_then(|s| s.width);
                    (width_var(&cols, k), w)
                })
                .collect()
        });
        let style = web_sys::HtmlElement::style(&t);
        // `<var>-grow: 0` keeps a flexible column (Event, User) at the width the user set.
        for (var, _) in prev.iter().flatten() {
            if !now.iter().any(|(v, w)| v == var && w.is_some()) {
                let _ = style.remove_property(var);
                let _ = style.remove_property(&format!("{var}-grow"));
            }
        }
        for (var, w) in &now {
            if let Some(w) = w {
                let _ = style.set_property(var, &format!("{w}px"));
                let _ = style.set_property(&format!("{var}-grow"), "0");
            }
        }
        // A header edge's value is its column's width as drawn (the stylesheet's, until the
        // user drags it): measured once laid out.
        request_animation_frame(move || {
            let Some(t) = table_ref.get_untracked() else {
                return;
            };
            let Ok(handles) = t.query_selector_all(".col-resize") else {
                return;
            };
            for i in 0..handles.length() {
                let Some(h) = handles
                    .item(i)
                    .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
                else {
                    continue;
                };
                if let Some(th) = h.parent_element() {
                    let w = th.get_bounding_client_rect().width().round();
                    let _ = h.set_attribute("aria-valuenow", &format!("{w}"));
                }
            }
        });
        now
    });

    // Row slots, one per position on the page that is in (or near) the scroll viewport: only
    // those rows are in the DOM, whatever the page size. A new page, filter or sort updates the
    // text of the slots' cells in place; scrolling adds and removes slots at the edges.
    let page_rows = Memo::new(move |_| {
        st.version.track();
        st.page_rows()
    });
    let row_count = Memo::new(move |_| page_rows.with(|r| r.len()));
    let scroller = NodeRef::<leptos::html::Div>::new();
    let vp = Viewport::new(scroller, DEFAULT_VIEW_H);
    let window =
        Memo::new(move |_| visible_window(vp.scroll_top.get(), vp.height.get(), row_count.get()));
    // The page position of the selected event, if it is on this page.
    let sel_index = Memo::new(move |_| {
        let sel = st.selected.get()?;
        page_rows.with(|r| r.iter().position(|&x| x == sel))
    });
    let rows = Rows {
        st,
        cuts,
        page_rows,
        vp,
        scroller,
        window,
        sel_index,
    };
    st.row_nav
        .set_value(Some(Callback::new(move |i: usize| rows.go_to(i))));
    // A new page (or a new filter or sort, which go back to page 1) starts at its top.
    Effect::new(move |prev: Option<usize>| {
        let p = st.page.get();
        // Only when scrolled (by what the last scroll event said): touching scrollTop makes
        // the browser lay out on the spot, twice per page change.
        if prev.is_some() && vp.scroll_top.get_untracked() > 0.0 {
            vp.scroll_to(0.0);
        }
        p
    });

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

    // What the query has that was not understood (or names a path no event has). Reads
    // `filtered` first: compiling the query is what reads a path (synchronously on a small
    // store); `path_indexing` ends when the background read of a large store does.
    let warnings = Memo::new(move |_| {
        st.filtered.track();
        st.path_indexing.track();
        let q = st.search.get();
        st.store
            .with_value(|s| s.query_warnings(&q))
            .into_iter()
            .map(|w| w.to_string())
            .collect::<Vec<_>>()
    });
    let help_open = RwSignal::new(false);
    let help_button = NodeRef::<leptos::html::Button>::new();
    let close_help = move || {
        help_open.set(false);
        if let Some(b) = help_button.get_untracked() {
            let _ = b.focus();
        }
    };

    let go = Callback::new(move |p: usize| st.page.set(p));
    let total = move || {
        st.version.track();
        st.store.with_value(|s| s.len())
    };

    view! {
        <section class="table-panel" aria-label="Events">
            <div class="toolbar">
                {children.map(|c| c())}
                <input
                    class="search"
                    type="search"
                    data-testid="search"
                    placeholder="Search loaded events…  (user:alice, a OR b, -Read, event:Describe*, userIdentity.userName:bob)"
                    aria-label="Search loaded events"
                    aria-describedby="search-warning"
                    prop:value=move || st.search.get()
                    on:input=move |ev| st.set_search(event_target_value(&ev))
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" && !st.search.get_untracked().is_empty() {
                            ev.prevent_default();
                            st.set_search(String::new());
                        }
                    }
                />
                <button
                    type="button"
                    class="search-help"
                    data-testid="search-help"
                    node_ref=help_button
                    aria-label="Search syntax"
                    title="Search syntax"
                    aria-expanded=move || help_open.get().to_string()
                    aria-controls="search-help-panel"
                    on:click=move |_| help_open.update(|o| *o = !*o)
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" && help_open.get_untracked() {
                            ev.prevent_default();
                            close_help();
                        }
                    }
                >"?"</button>
                <span
                    class="count"
                    data-testid="count-info"
                    data-filtered=move || st.filtered.with(|f| f.len())
                    data-total=total
                >
                    {move || format!("{} of {}", thousands(st.filtered.with(|f| f.len())), thousands(total()))}
                    <span class="count-unit">" events"</span>
                </span>
                <button type="button" class="ghost" data-testid="chart-toggle"
                    aria-pressed=move || (st.chart.get() == Shown::Visible).to_string()
                    title="Show or hide the events-over-time chart"
                    on:click=move |_| st.toggle_chart()>"Chart"</button>
                <crate::events::columns::ColumnMenu/>
                <crate::events::export::ExportMenu/>
                <crate::events::copy::CopyMenu/>
                <crate::events::compare::CompareButton/>
            </div>
            <div id="search-warning" class="search-warning" role="status" data-testid="search-warning">
                {move || warnings.get().into_iter().map(|w| view! { <p>{w}</p> }).collect_view()}
            </div>
            <div
                id="search-help-panel"
                class="search-help-panel"
                data-testid="search-help-panel"
                hidden=move || !help_open.get()
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        ev.prevent_default();
                        close_help();
                    }
                }
            >
                <dl>
                    {trailview_core::query::HELP
                        .iter()
                        .map(|(ex, what)| view! { <div><dt><code>{*ex}</code></dt><dd>{*what}</dd></div> })
                        .collect_view()}
                </dl>
            </div>
            <div class="chips">
                <crate::events::histogram::TimeWindowChip/>
                {chips}
                {move || st.path_indexing.get().map(|p| {
                    let pct = p.done as f64 * 100.0 / p.total.max(1) as f64;
                    view! {
                        <span class="indexing" role="status" data-testid="path-indexing" data-done=p.done data-total=p.total>
                            <progress max=p.total value=p.done></progress>
                            {format!("Reading {} from every event: {} of {} ({}%); rows not read yet are hidden", p.path, thousands(p.done), thousands(p.total), trailview_core::numbers::fixed(pct, 0))}
                        </span>
                    }
                })}
            </div>
            <div class="hist-slot" hidden=move || st.chart.get() == Shown::Hidden>
                <crate::events::histogram::TimeHistogram/>
            </div>
            <div class="table-scroll" node_ref=scroller on:scroll=move |_| vp.measure()>
                <table data-testid="events-table" class="events" role="table" aria-label="Loaded events"
                    node_ref=table_ref aria-rowcount=move || row_count.get() + HEADER_ROWS>
                    <thead role="rowgroup">
                        <tr role="row" aria-rowindex="1" node_ref=head_ref>
                            <th scope="col" role="columnheader" data-col="mark" title="Mark events to compare or copy (x, or Ctrl/⌘+click a row)">
                                <span class="visually-hidden">"Marked"</span>
                            </th>
                            {move || numbered().into_iter().map(header).collect_view()}
                        </tr>
                        <tr class="filters" role="row" aria-rowindex="2">
                            <th class="colfilter" role="columnheader" data-col="mark"><span class="visually-hidden">"No filter on marks"</span></th>
                            {move || numbered().into_iter().map(filter_cell).collect_view()}
                        </tr>
                    </thead>
                    <tbody role="rowgroup" node_ref=body_ref on:mouseover=cell_tooltip
                        style:padding-top=move || format!("{}px", window.get().0 as f64 * ROW_H)
                        style:padding-bottom=move || format!("{}px", (row_count.get() - window.get().1.min(row_count.get())) as f64 * ROW_H)>
                        <For each=move || { let (a, b) = window.get(); a..b } key=|i| *i let:i>
                            {row_slot(rows, i)}
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
                <PageButton page=st.page_info.into() step=PageStep::First go=go testid="page-first" label="First page">"«"</PageButton>
                <PageButton page=st.page_info.into() step=PageStep::Previous go=go testid="page-prev" label="Previous page">"‹"</PageButton>
                <span data-testid="page-info" class="page-info">{move || st.page_info.get().label()}</span>
                <PageButton page=st.page_info.into() step=PageStep::Next go=go testid="page-next" label="Next page">"›"</PageButton>
                <PageButton page=st.page_info.into() step=PageStep::Last go=go testid="page-last" label="Last page">"»"</PageButton>
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
    /// Marked (to compare or copy), and its checkbox's name.
    marked: bool,
    mark_label: String,
    /// The visible columns, in order, and their cells' text.
    cols: Vec<ColumnId>,
    cells: Vec<String>,
}

/// What each row slot needs of the table.
#[derive(Clone, Copy)]
struct Rows {
    st: AppState,
    cuts: Cuts,
    page_rows: Memo<Vec<u32>>,
    vp: Viewport,
    scroller: NodeRef<leptos::html::Div>,
    window: Memo<(usize, usize)>,
    sel_index: Memo<Option<usize>>,
}

impl Rows {
    /// Select the page's `i`-th row and move focus to it, scrolling it into view first if it
    /// is not rendered (its slot exists from the next frame).
    fn go_to(self, i: usize) {
        let Some(row) = self.page_rows.with_untracked(|r| r.get(i).copied()) else {
            return;
        };
        self.st.selected.set(Some(row));
        // The sticky header covers the first ~2 rows' height of the viewport.
        let header = HEADER_ROWS as f64 * ROW_H + 8.0;
        self.vp
            .reveal(i as f64 * ROW_H, (i + 1) as f64 * ROW_H, header);
        let focus = move || {
            let sel = format!("tr[aria-rowindex='{}']", i + 1 + HEADER_ROWS);
            let el = self
                .scroller
                .try_get_untracked()
                .flatten()
                .and_then(|s| s.query_selector(&sel).ok().flatten());
            if let Some(el) = el.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = el.focus();
                true
            } else {
                false
            }
        };
        if !focus() {
            request_animation_frame(move || {
                focus();
            });
        }
    }

    /// Keyboard on a row: ↑/↓ move (and select), PageUp/PageDown by a screenful, Home/End,
    /// Space selects, Enter selects and opens (focuses the event's JSON tree). Returns whether the key was handled.
    fn key(self, i: usize, key: &str) -> bool {
        let n = self.page_rows.with_untracked(|r| r.len());
        if n == 0 {
            return false;
        }
        let screen = ((self.vp.height.get_untracked() / ROW_H) as usize)
            .saturating_sub(HEADER_ROWS + 1)
            .max(1);
        let to = match key {
            "ArrowDown" => (i + 1).min(n - 1),
            "ArrowUp" => i.saturating_sub(1),
            "PageDown" => (i + screen).min(n - 1),
            "PageUp" => i.saturating_sub(screen),
            "Home" => 0,
            "End" => n - 1,
            "Enter" | " " => i,
            _ => return false,
        };
        self.go_to(to);
        if key == "Enter" {
            // Enter opens the row: its JSON tree takes the focus (as the page's Enter does).
            crate::events::keys::focus_event_tree();
        }
        true
    }
}

/// The `i`-th row of the page. Its cells are written by one effect per row rather than one
/// reactive closure per cell and attribute: a page change then wakes ~100 effects instead of
/// ~900 (each a task for the reactive executor), which was most of its script time.
fn row_slot(rows: Rows, i: usize) -> impl IntoView {
    let Rows { st, page_rows, .. } = rows;
    let data = Memo::new(move |_| {
        let tz = st.tz.get();
        let row = page_rows.with(|r| r.get(i).copied())?;
        let cols = st.visible_columns.get();
        let marks = st.marks.get();
        Some(st.store.with_value(|s| RowData {
            row,
            id: s.event_id(row).to_string(),
            failed: !s.field(row, Field::ErrorCode).is_empty(),
            marked: marks.contains(s, row),
            mark_label: mark_label(
                s.field(row, Field::EventName),
                &format::time(s.time_ms(row), tz),
            ),
            cells: cols.iter().map(|c| cell_text(s, row, c, tz)).collect(),
            cols,
        }))
    });
    let tr = NodeRef::<leptos::html::Tr>::new();
    // Writes only what differs from what this effect wrote last (never reads the DOM back:
    // each read copies a string out of the browser).
    Effect::new(move |prev: Option<Option<RowData>>| {
        let el = tr.get()?;
        let d = data.get()?;
        let mut old = prev.flatten();
        if old.as_ref().is_some_and(|o| o.cols != d.cols) || el.child_element_count() == 0 {
            // Other columns: new cells (and every text written below).
            el.set_text_content(None);
            let doc = web_sys::window().and_then(|w| w.document());
            // The mark column first: a checkbox out of the tab order (`x` on a row marks it).
            if let Some(doc) = doc.as_ref() {
                if let (Ok(td), Ok(cb)) = (doc.create_element("td"), doc.create_element("input")) {
                    let _ = td.set_attribute("role", "cell");
                    let _ = td.set_attribute("data-col", "mark");
                    let _ = cb.set_attribute("type", "checkbox");
                    let _ = cb.set_attribute("tabindex", "-1");
                    let _ = cb.set_attribute("data-testid", "mark");
                    let _ = td.append_child(&cb);
                    let _ = el.append_child(&td);
                }
            }
            for (k, c) in d.cols.iter().enumerate() {
                if let Some(td) = doc.as_ref().and_then(|doc| doc.create_element("td").ok()) {
                    let _ = td.set_attribute("role", "cell");
                    let _ = td.set_attribute("data-col", c.key());
                    if let Some(n) = pcol_index(&d.cols, k) {
                        let _ = td.set_attribute("data-pcol", &n.to_string());
                    }
                    let _ = el.append_child(&td);
                }
            }
            if let Some(o) = old.as_mut() {
                o.cells.clear();
            }
        }
        let old = old.as_ref();
        if old.map(|o| &o.id) != Some(&d.id) {
            let _ = el.set_attribute("data-event-id", &d.id);
        }
        let cells = el.children();
        if let Some(cb) = cells
            .item(0)
            .and_then(|td| td.first_element_child())
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            // Always (a click toggles the box itself before the marks say so).
            cb.set_checked(d.marked);
            if old.map(|o| &o.mark_label) != Some(&d.mark_label) {
                let _ = cb.set_attribute("aria-label", &d.mark_label);
            }
        }
        if old.map(|o| o.marked) != Some(d.marked) {
            let _ = el.class_list().toggle_with_force("marked", d.marked);
        }
        if old.map(|o| o.failed) != Some(d.failed) {
            let _ = el.class_list().toggle_with_force("failed", d.failed);
        }
        for (k, text) in d.cells.iter().enumerate() {
            if old.and_then(|o| o.cells.get(k)) == Some(text) {
                continue;
            }
            // After the mark column.
            if let Some(td) = cells.item(k as u32 + 1) {
                // Change the cell's text node in place (a new node per write costs the browser
                // a new layout object).
                match td.first_child().filter(|t| {
                    t.node_type() == web_sys::Node::TEXT_NODE && t.next_sibling().is_none()
                }) {
                    Some(t) => t.set_node_value(Some(text)),
                    None => td.set_text_content(Some(text)),
                }
                if d.cols[k] == ColumnId::Builtin(Column::Result) {
                    let _ = td.class_list().toggle_with_force("err", d.failed);
                }
                let err = d.failed && d.cols[k] == ColumnId::Builtin(Column::Result);
                rows.cuts
                    .wrote(&td, k + 1, &cell_style(d.cols[k].key(), err), text);
            }
        }
        Some(d)
    });
    let row = move || data.with(|d| d.as_ref().map(|d| d.row));
    let selected = Memo::new(move |_| row().is_some() && st.selected.get() == row());
    let select = move || {
        if let Some(r) = row() {
            st.selected.set(Some(r));
        }
    };
    // One row of the table is in the tab order (the selected one, else the first rendered);
    // arrow keys move between rows.
    let tab_index = move || {
        let (start, end) = rows.window.get();
        let here = match rows.sel_index.get() {
            // The selected row, while it is rendered; else the first rendered row.
            Some(s) if (start..end).contains(&s) => s == i,
            _ => start == i,
        };
        if here {
            "0"
        } else {
            "-1"
        }
    };
    view! {
        <tr
            node_ref=tr
            role="row"
            aria-rowindex=i + 1 + HEADER_ROWS
            data-testid="event-row"
            class:selected=move || selected.get()
            aria-selected=move || selected.get().to_string()
            tabindex=tab_index
            on:click=move |ev: leptos::ev::MouseEvent| {
                let on_box = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                    .is_some();
                match (on_box || ev.ctrl_key() || ev.meta_key(), row()) {
                    (true, Some(r)) => st.toggle_mark(r),
                    (false, _) => select(),
                    _ => {}
                }
            }
            on:keydown=move |ev| {
                let key = ev.key();
                if key == "x" && !ev.ctrl_key() && !ev.meta_key() && !ev.alt_key() {
                    if let Some(r) = row() {
                        st.toggle_mark(r);
                    }
                    ev.prevent_default();
                } else if rows.key(i, &key) {
                    ev.prevent_default();
                }
            }
        >
        </tr>
    }
}

/// Shows a cut cell's full text (one without `fits`, ui::cut) as its tooltip, set on hover (one listener on the
/// table body instead of a `title` per cell kept up to date on every page).
fn cell_tooltip(ev: leptos::ev::MouseEvent) {
    let Some(td) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("td").ok().flatten())
    else {
        return;
    };
    if !td.class_list().contains("fits") {
        let _ = td.set_attribute("title", &td.text_content().unwrap_or_default());
    } else {
        let _ = td.remove_attribute("title");
    }
}
