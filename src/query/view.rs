//! The panel: an SLS editor and an Insights editor (examples, recent queries, range, Run /
//! Cancel), the run's progress and errors, and the result table (sort, column filters, CSV).
//! Text nodes only; the result table is drawn by one reactive closure over core's view.

use crate::events::status::error_details;
use crate::query::state::{offers_try_again, QueryState, Range};
use leptos::prelude::*;
use trailview_core::engines::editor::{
    examples, insights_progress, slices_progress, sls_progress, table_csv, Engine,
};
use trailview_core::engines::insights::MAX_LIMIT;
use trailview_core::fetch_policy::LoadMode;
use trailview_core::numbers::thousands;

/// Rows of the result table drawn at most (the CSV has them all).
const SHOWN_ROWS: usize = 500;

#[component]
pub fn QueryPanel() -> impl IntoView {
    let qs = expect_context::<QueryState>();
    let tab = move |e: Engine, id: &'static str| {
        view! {
            <button type="button" role="tab" data-testid=id aria-selected=move || (qs.engine.get() == e).to_string()
                class:active=move || qs.engine.get() == e on:click=move |_| qs.engine.set(e)>{e.label()}</button>
        }
    };
    view! {
        <section class="cloud-query" aria-label="Cloud query" data-testid="cloud-query">
            <div class="cq-tabs" role="tablist">
                {tab(Engine::Sls, "cq-tab-sls")}
                {tab(Engine::Insights, "cq-tab-insights")}
                <span class="cq-hint">"The query runs in the cloud's own engine; trail records come into the table below."</span>
            </div>
            <div hidden=move || qs.engine.get() != Engine::Sls><SlsEditor /></div>
            <div hidden=move || qs.engine.get() != Engine::Insights><InsightsEditor /></div>
            <Asking />
            <Status />
            <ResultGrid />
        </section>
    }
}

/// The examples and recent queries of `e`, each filling `query` when picked.
fn pickers(qs: QueryState, e: Engine, query: RwSignal<String>) -> impl IntoView {
    let on_example = move |ev: leptos::ev::Event| {
        let i: usize = event_target_value(&ev).parse().unwrap_or(usize::MAX);
        if let Some(x) = examples(e).get(i) {
            query.set(x.query.to_string());
        }
    };
    let history = qs.history(e);
    let on_recent = move |ev: leptos::ev::Event| {
        let i: usize = event_target_value(&ev).parse().unwrap_or(usize::MAX);
        if let Some(r) = history.with_untracked(|h| h.entries().get(i).cloned()) {
            query.set(r.query);
        }
    };
    view! {
        <select data-testid="cq-examples" aria-label="Examples" on:change=on_example prop:value="">
            <option value="">"Examples…"</option>
            {examples(e).iter().enumerate().map(|(i, x)| view! { <option value=i.to_string()>{x.label}</option> }).collect_view()}
        </select>
        <select data-testid="cq-recent" aria-label="Recent queries" on:change=on_recent prop:value="">
            <option value="">{move || format!("Recent ({})", history.with(|h| h.entries().len()))}</option>
            {move || history.with(|h| h.entries().iter().enumerate().map(|(i, r)| {
                let mut label: String = r.query.chars().take(80).collect();
                if !r.target.is_empty() { label = format!("{label} — {}", r.target); }
                view! { <option value=i.to_string()>{label}</option> }
            }).collect_view())}
        </select>
    }
}

fn range_select(qs: QueryState) -> impl IntoView {
    view! {
        <select data-testid="cq-range" aria-label="Range" prop:value=move || qs.range.get().key()
            on:change=move |ev| qs.range.set(Range::from_key(&event_target_value(&ev)))>
            {Range::ALL.into_iter().map(|r| view! { <option value=r.key()>{r.label()}</option> }).collect_view()}
        </select>
    }
}

fn run_buttons(qs: QueryState, e: Engine) -> impl IntoView {
    view! {
        <button type="button" class="primary" data-testid="cq-run" disabled=move || qs.running(e)
            on:click=move |_| qs.run(e)>"Run"</button>
        <button type="button" data-testid="cq-cancel" disabled=move || !qs.running(e)
            on:click=move |_| qs.cancel(e)>"Cancel"</button>
    }
}

#[component]
fn SlsEditor() -> impl IntoView {
    let qs = expect_context::<QueryState>();
    let stores = move || qs.logstores.with(|l| l.clone().unwrap_or_default());
    view! {
        <div class="cq-form">
            <label>"Project "<input data-testid="cq-project" prop:value=move || qs.project.get()
                on:change=move |ev| { qs.project.set(event_target_value(&ev)); qs.load_logstores(); } /></label>
            <label>"Logstore "<input data-testid="cq-logstore" list="cq-logstores" prop:value=move || qs.logstore.get()
                on:change=move |ev| qs.logstore.set(event_target_value(&ev)) /></label>
            <datalist id="cq-logstores">{move || stores().into_iter().map(|s| view! { <option value=s.clone()></option> }).collect_view()}</datalist>
            {move || qs.logstores.with(|l| l.as_ref().err().map(|e| view! { <span class="cq-warn">{format!("Logstores could not be listed: {e}")}</span> }))}
            {range_select(qs)}
            {pickers(qs, Engine::Sls, qs.sls_query)}
        </div>
        <textarea class="cq-query" data-testid="cq-sls-query" rows="3" spellcheck="false"
            aria-label="SLS query: search, or search | SQL"
            prop:value=move || qs.sls_query.get() on:input=move |ev| qs.sls_query.set(event_target_value(&ev))></textarea>
        <div class="cq-actions">{run_buttons(qs, Engine::Sls)}
            <span class="cq-hint">"Search: terms, field: value, AND / OR / NOT. SQL after |: pages by LIMIT, up to 1,000,000 rows."</span></div>
    }
}

#[component]
fn InsightsEditor() -> impl IntoView {
    let qs = expect_context::<QueryState>();
    view! {
        <div class="cq-form">
            <label>"Log groups "<input data-testid="cq-log-groups" size="40" prop:value=move || qs.log_groups.get()
                on:change=move |ev| qs.log_groups.set(event_target_value(&ev)) /></label>
            <label>"Limit "<input data-testid="cq-limit" type="number" min="1" max=MAX_LIMIT.to_string() prop:value=move || qs.limit.get()
                on:change=move |ev| qs.limit.set(event_target_value(&ev)) /></label>
            {range_select(qs)}
            {pickers(qs, Engine::Insights, qs.insights_query)}
        </div>
        <textarea class="cq-query" data-testid="cq-insights-query" rows="4" spellcheck="false"
            aria-label="Logs Insights query"
            prop:value=move || qs.insights_query.get() on:input=move |ev| qs.insights_query.set(event_target_value(&ev))></textarea>
        <div class="cq-actions">{run_buttons(qs, Engine::Insights)}
            <span class="cq-hint">"fields … | filter … | sort … | limit (≤ 10,000 rows a query). Billed by the bytes scanned."</span></div>
    }
}

/// The fetch's question, asked before a run while the table holds events.
#[component]
fn Asking() -> impl IntoView {
    let qs = expect_context::<QueryState>();
    move || {
        qs.asking.get().map(|_| view! {
            <div class="ask" role="group" aria-label="Replace or add" data-testid="cq-ask">
                <span>"The table holds events. Replace them with this query's, or add to them?"</span>
                <button type="button" data-testid="cq-replace" on:click=move |_| qs.confirm(Some(LoadMode::Replace))>"Replace"</button>
                <button type="button" data-testid="cq-add" on:click=move |_| qs.confirm(Some(LoadMode::Add))>"Add"</button>
                <button type="button" class="ghost" on:click=move |_| qs.confirm(None)>"Don't run"</button>
            </div>
        })
    }
}

#[component]
fn Status() -> impl IntoView {
    let qs = expect_context::<QueryState>();
    let progress = move || match qs.shown.get()? {
        Engine::Sls => qs.sls_run.with(|r| r.as_ref().map(sls_progress)),
        Engine::Insights => qs.insights_run.with(|r| {
            r.as_ref().map(|r| {
                qs.slices.with(|p| match p {
                    Some(p) => slices_progress(p, r),
                    None => insights_progress(r),
                })
            })
        }),
    };
    let events = move || {
        let b = qs.events.get();
        (b.came() > 0).then(|| {
            format!(
                "{} trail records came; {} new in the table ({} already there).",
                thousands(b.came()),
                thousands(b.added()),
                thousands(b.already())
            )
        })
    };
    view! {
        <p class="cq-status" role="status" data-testid="cq-status">{progress}</p>
        <p class="cq-events" data-testid="cq-events">{events}</p>
        {move || qs.notice.get().map(|n| view! { <p class="cq-notice" data-testid="cq-notice">{n}</p> })}
        {move || qs.truncated().map(|matched| view! {
            <p class="cq-notice" data-testid="cq-truncated">
                {format!("{} records matched, more than one query returns. ", thousands(matched as usize))}
                <button type="button" data-testid="cq-slices" on:click=move |_| qs.run_slices()>"Run as time slices"</button>
            </p>
        })}
        {move || qs.error.get().map(|e| {
            let again = offers_try_again(&e);
            view! {
                <div class="api-error" role="alert" data-testid="cq-error">
                    <strong>{if again { "Too many concurrent Logs Insights queries in this account: wait for some to finish, then try again." } else { "The query failed." }}</strong>
                    {error_details(e)}
                    {again.then(|| view! { <button type="button" data-testid="cq-try-again" on:click=move |_| qs.try_again()>"Try again"</button> })}
                </div>
            }
        })}
    }
}

/// The rows that are not trail records: sortable headers, a filter per column, CSV.
#[component]
fn ResultGrid() -> impl IntoView {
    let qs = expect_context::<QueryState>();
    let order = Memo::new(move |_| qs.table.with(|t| qs.table_view.with(|v| v.rows(t))));
    let download = move |_| {
        let csv = qs
            .table
            .with_untracked(|t| table_csv(t, &order.get_untracked()));
        let _ = crate::events::export::save_text(&csv, "query-result.csv");
    };
    // The header (with the filters' inputs) is drawn once per set of columns, so a page or a
    // poll arriving while the user types in a filter leaves the input, its text and focus alone.
    let columns = Memo::new(move |_| qs.table.with(|t| t.columns.clone()));
    let bar = move || {
        let shown = order.with(|o| o.len());
        let total = qs.table.with(|t| t.rows.len());
        format!(
            "Result table: {} of {} rows{}",
            thousands(shown),
            thousands(total),
            if shown > SHOWN_ROWS {
                format!(" (first {SHOWN_ROWS} drawn)")
            } else {
                String::new()
            }
        )
    };
    let body = move || {
        qs.table.with(|t| {
            order.with(|o| {
                o.iter()
                    .take(SHOWN_ROWS)
                    .filter_map(|&r| t.rows.get(r))
                    .map(|row| {
                        let cells = row
                            .iter()
                            .map(|c| view! { <td>{c.clone()}</td> })
                            .collect_view();
                        view! { <tr>{cells}</tr> }
                    })
                    .collect_view()
            })
        })
    };
    move || {
        let cols = columns.get();
        if cols.is_empty() {
            return None;
        }
        let head = cols.into_iter().enumerate().map(|(c, name)| {
            let arrow = move || qs.table_view.with(|v| match v.sort {
                Some((s, d)) if s == c => d.arrow(),
                _ => "",
            });
            view! {
                <th><button type="button" class="th-sort" on:click=move |_| qs.table_view.update(|v| v.toggle_sort(c))>{name.clone()}" "{arrow}</button>
                <input class="col-filter" aria-label=format!("Filter {name}") prop:value=move || qs.table_view.with(|v| trailview_core::table_query::column_filter(&v.filters, c))
                    on:change=move |ev| qs.table_view.update(|v| v.set_filter(c, event_target_value(&ev))) /></th>
            }
        }).collect_view();
        Some(view! {
            <div class="cq-table" data-testid="cq-table">
                <div class="cq-table-bar">
                    <span>{bar}</span>
                    <button type="button" data-testid="cq-csv" on:click=download>"Export CSV"</button>
                </div>
                <table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
            </div>
        })
    }
}
