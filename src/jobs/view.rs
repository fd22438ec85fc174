//! The Jobs view: three sources as tabs (backfill jobs, report deliveries, export tasks), each
//! a timeline on the shared axis above a filter / sort / paginate table, the selected job as a
//! JSON tree, and the backfill form.

use crate::jobs::state::{JobsState, LoadState, SourceState};
use crate::jobs::timeline::{Legend, Timeline};
use crate::jobs::OpenRange;
use crate::ui::json_tree::JsonTree;
use crate::ui::pager::PageButton;
use leptos::prelude::*;
use std::sync::Arc;
use trailview_core::dialect::ApiError;
use trailview_core::jobs::{query_rows, read_only_refusal, JobColumn, JobRow, Source};
use trailview_core::page::Page;
use trailview_core::table_query::{
    column_filter, cycle_sort, page_of, set_column_filter, PageStep,
};

const PAGE_SIZE: usize = 50;

/// Code, Message and RequestId of a failed call, as text.
#[component]
pub fn JobError(err: ApiError) -> impl IntoView {
    let body = match err {
        ApiError::Service(s) => view! {
            <dl class="kv">
                <dt>"Code"</dt><dd data-testid="job-error-code">{s.code.clone()}</dd>
                <dt>"Message"</dt><dd data-testid="job-error-message">{s.message.clone()}</dd>
                <dt>"RequestId"</dt><dd>{s.request_id.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"HTTP status"</dt><dd>{s.http_status}</dd>
            </dl>
        }
        .into_any(),
        ApiError::Malformed {
            http_status,
            detail,
            excerpt,
        } => view! {
            <p>{format!("HTTP {http_status}: a response trailview could not read: {detail}")}</p>
            <pre class="excerpt">{excerpt}</pre>
        }
        .into_any(),
        ApiError::Network(m) => view! { <p>{format!("Network error: {m}")}</p> }.into_any(),
        ApiError::Refused(m) => {
            view! { <p data-testid="error-refused">{format!("Not sent: {m}")}</p> }.into_any()
        }
    };
    view! { <div class="api-error job-error" role="alert" data-testid="job-error">{body}</div> }
}

/// The Jobs view is shown. The first time (nothing loaded yet), loads every source and starts
/// "now" ticking for the timelines.
pub fn on_shown(js: JobsState) {
    let first = Source::ALL
        .into_iter()
        .all(|s| js.source(s).state.get_untracked() == LoadState::Idle);
    if first {
        js.load_all();
        let _ = set_interval_with_handle(
            move || js.now.set(js_sys::Date::now() as i64),
            std::time::Duration::from_secs(2),
        );
    }
}

#[component]
pub fn JobsView() -> impl IntoView {
    let js = expect_context::<JobsState>();
    let zoom = move |f: f64| {
        let now = js.now.get_untracked();
        js.axis.update(|a| {
            if let Some(a) = a {
                *a = a.zoom_at_now(f, now)
            }
        })
    };
    let pan = move |f: f64| {
        js.axis.update(|a| {
            if let Some(a) = a {
                *a = a.pan_by(f)
            }
        })
    };
    view! {
        // The view's one `main` landmark: the events view's <main> stays mounted but hidden
        // (display: none, out of the accessibility tree) while this one is shown.
        <main class="jobs-view" data-testid="jobs-view" aria-label="Jobs">
            <div class="jobs-bar">
                <div class="tabs" role="tablist">
                    {Source::ALL.into_iter().map(|s| {
                        let ss = js.source(s);
                        view! {
                            <button type="button" role="tab" data-testid=format!("jobs-source-{}", s.key())
                                data-state=move || ss.state.get().key()
                                data-count=move || ss.jobs.with(|j| j.len())
                                aria-selected=move || (js.tab.get() == s).to_string()
                                class:active=move || js.tab.get() == s
                                on:click=move |_| js.choose_tab(s)>
                                {s.label()}
                                <span class="count" data-state=move || ss.state.get().key()>
                                    {move || match ss.state.get() {
                                        LoadState::Loading => format!(" {}…", ss.jobs.with(|j| j.len())),
                                        LoadState::Error => " !".to_string(),
                                        _ => format!(" {}", ss.jobs.with(|j| j.len())),
                                    }}
                                </span>
                            </button>
                        }
                    }).collect_view()}
                </div>
                <div class="zoom">
                    <button type="button" data-testid="timeline-zoom-in" title="Zoom in" aria-label="Zoom in" on:click=move |_| zoom(0.5)>"+"</button>
                    <button type="button" data-testid="timeline-zoom-out" title="Zoom out" aria-label="Zoom out" on:click=move |_| zoom(2.0)>"−"</button>
                    <button type="button" title="Earlier" aria-label="Earlier" on:click=move |_| pan(-0.25)>"◀"</button>
                    <button type="button" title="Later" aria-label="Later" on:click=move |_| pan(0.25)>"▶"</button>
                    <button type="button" data-testid="timeline-fit" title="Fit all jobs" on:click=move |_| js.fit()>"Fit"</button>
                    <button type="button" data-testid="jobs-reload" on:click=move |_| {
                        js.axis.set(None);
                        js.load_all();
                    }>"Reload"</button>
                </div>
                <Legend />
            </div>
            {move || {
                let s = js.tab.get();
                view! { <SourcePanel ss=js.source(s) /> }
            }}
        </main>
    }
}

#[component]
fn SourcePanel(ss: SourceState) -> impl IntoView {
    let js = expect_context::<JobsState>();
    let open = expect_context::<OpenRange>();
    let source = ss.source;
    let rows = Memo::new(move |_| {
        let now = if source == Source::Cdn {
            js.now.get() / 60_000 * 60_000
        } else {
            0
        };
        let tz = js.tz.get();
        let fmt = move |t: i64| crate::format::time(Some(t), tz);
        ss.jobs.with(|jobs| {
            jobs.iter()
                .map(|j| JobRow::new(j, now, &fmt))
                .collect::<Vec<_>>()
        })
    });
    let filtered = Memo::new(move |_| {
        let q = ss.query.get();
        rows.with(|r| query_rows(r, &q))
    });
    let page = Memo::new(move |_| Page::new(filtered.with(|f| f.len()), PAGE_SIZE, ss.page.get()));
    // Selecting a job (a row or a bar) also shows its page.
    let select = move |id: String| {
        let row = ss
            .jobs
            .with_untracked(|jobs| jobs.iter().position(|j| j.id == id));
        if let Some(p) = row.and_then(|i| filtered.with_untracked(|f| page_of(f, &i, PAGE_SIZE))) {
            ss.page.set(p);
        }
        ss.selected.set(Some(id));
    };
    let detail = Memo::new(move |_| {
        let id = ss.selected.get()?;
        ss.jobs.with(|jobs| {
            jobs.iter()
                .find(|j| j.id == id)
                .map(|j| Arc::new(j.raw.clone()))
        })
    });
    let go = Callback::new(move |p: usize| ss.page.set(p));
    let set_col = move |c: JobColumn, v: String| {
        ss.query.update(|q| set_column_filter(&mut q.columns, c, v));
        ss.page.set(0);
    };
    let toggle_sort = move |c: JobColumn| {
        ss.query.update(|q| {
            q.sort = cycle_sort(q.sort, c);
        });
        ss.page.set(0);
    };
    view! {
        <div class="jobs-panel" data-testid=format!("jobs-panel-{}", source.key())>
            {move || ss.error.get().map(|e| view! { <JobError err=e /> })}
            {move || ss.content_error.get().map(|e| view! {
                <div class="api-error" role="alert" data-testid="job-content-error">
                    <p>{format!("The report list's Content could not be read: {}", e.detail)}</p>
                    <pre class="excerpt">{e.raw}</pre>
                </div>
            })}
            {move || ss.notice.get().map(|n| view! { <p class="notice">{n}</p> })}
            {(source == Source::Backfill).then(|| view! { <BackfillForm /> })}
            <Timeline source=source on_select=Callback::new(select) />
            <div class="jobs-main">
                <div class="jobs-table-panel">
                    <div class="toolbar">
                        <input class="search" type="search" data-testid="jobs-search" placeholder="Search all columns"
                            prop:value=move || ss.query.with(|q| q.text.clone())
                            on:input=move |ev| { ss.query.update(|q| q.text = event_target_value(&ev)); ss.page.set(0); } />
                        <span class="count" data-testid="jobs-count">{move || {
                            let (f, t) = (filtered.with(|f| f.len()), rows.with(|r| r.len()));
                            if f == t { format!("{t} jobs") } else { format!("{f} of {t} jobs") }
                        }}</span>
                    </div>
                    <div class="table-scroll">
                        <table class="jobs">
                            <thead>
                                <tr>
                                    {JobColumn::ALL.into_iter().map(|c| view! {
                                        <th data-col=c.key()>
                                            <button type="button" class="sort" on:click=move |_| toggle_sort(c)>
                                                {c.label(source)}
                                                <span class="arrow">{move || match ss.query.with(|q| q.sort) {
                                                    Some((x, o)) if x == c => o.arrow(),
                                                    _ => "",
                                                }}</span>
                                            </button>
                                        </th>
                                    }).collect_view()}
                                </tr>
                                <tr class="filters">
                                    {JobColumn::ALL.into_iter().map(|c| view! {
                                        <th><input type="text" aria-label=format!("Filter {}", c.label(source))
                                            data-testid=format!("jobs-filter-{}", c.key())
                                            prop:value=move || ss.query.with(|q| column_filter(&q.columns, c))
                                            on:input=move |ev| set_col(c, event_target_value(&ev)) /></th>
                                    }).collect_view()}
                                </tr>
                            </thead>
                            <tbody>
                                {move || {
                                    let p = page.get();
                                    let idx: Vec<usize> = filtered.with(|f| f[p.start..p.end].to_vec());
                                    let sel = ss.selected.get();
                                    rows.with(|rows| ss.jobs.with(|jobs| idx.into_iter().map(|i| {
                                        let job = &jobs[i];
                                        let id = job.id.clone();
                                        let is_sel = sel.as_deref() == Some(job.id.as_str());
                                        let status_class = format!("status status-{}", job.class.key());
                                        let window = job.window;
                                        view! {
                                            <tr data-testid="job-row" data-id=job.id.clone() data-status=job.class.key()
                                                class:selected=is_sel tabindex="0" aria-selected=is_sel.to_string()
                                                on:click={let id = id.clone(); move |_| select(id.clone())}
                                                on:keydown=move |ev: web_sys::KeyboardEvent| if (ev.key() == "Enter" || ev.key() == " ")
                                                    // Not a key meant for a control inside the row (the data-window link).
                                                    && ev.target() == ev.current_target() {
                                                    ev.prevent_default();
                                                    select(id.clone());
                                                }>
                                                {JobColumn::ALL.into_iter().enumerate().map(|(k, c)| {
                                                    let text = rows[i].cells[k].clone();
                                                    match c {
                                                        JobColumn::Status => view! { <td data-col="status"><span class=status_class.clone()>{text}</span></td> }.into_any(),
                                                        JobColumn::Window if window.is_some() => {
                                                            let (a, b) = window.unwrap_or_default();
                                                            view! { <td data-col="window"><button type="button" class="link" data-testid="open-window" title="Open these events"
                                                                on:click=move |ev| {
                                                                    ev.stop_propagation();
                                                                    open.run((a, b));
                                                                }>{text}</button></td> }.into_any()
                                                        }
                                                        _ => { let title = text.clone(); view! { <td data-col=c.key() title=title>{text}</td> }.into_any() }
                                                    }
                                                }).collect_view()}
                                            </tr>
                                        }
                                    }).collect_view()))
                                }}
                            </tbody>
                        </table>
                        {move || (filtered.with(|f| f.is_empty()) && ss.state.get() != LoadState::Loading).then(|| view! { <p class="empty">"No jobs."</p> })}
                    </div>
                    <div class="pager">
                        <span class="page-info">{move || {
                            let p = page.get();
                            format!("Page {} of {}", p.index + 1, p.count)
                        }}</span>
                        <PageButton page=page.into() step=PageStep::Previous go=go>"Previous"</PageButton>
                        <PageButton page=page.into() step=PageStep::Next go=go>"Next"</PageButton>
                    </div>
                </div>
                <aside class="detail" aria-label="Selected job" data-testid="job-detail">
                    {move || match detail.get() {
                        None => view! { <p class="empty">"Select a job (row or bar) to see it as JSON."</p> }.into_any(),
                        Some(v) => view! { <JsonTree doc=v root_label="job" /> }.into_any(),
                    }}
                </aside>
            </div>
        </div>
    }
}

/// The backfill form: a trail name, Create, and what came of it (a read-only proxy's refusal as
/// a sentence, any other failure as the error).
#[component]
pub fn BackfillForm() -> impl IntoView {
    let js = expect_context::<JobsState>();
    let c = js.create;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        js.create_backfill();
    };
    view! {
        <form class="backfill-form" on:submit=submit aria-label="Create a backfill job">
            <label>
                <span>"Backfill trail"</span>
                <input type="text" data-testid="backfill-trail" prop:value=move || c.trail.get()
                    on:input=move |ev| c.trail.set(event_target_value(&ev)) />
            </label>
            <button type="submit" class="primary" data-testid="backfill-submit" disabled=move || c.busy.get()>
                {move || if c.busy.get() { "Creating…" } else { "Create delivery history job" }}
            </button>
            <span class="hint">"Redelivers the trail's last 90 days of events. One job can run at a time."</span>
            {move || c.message.get().map(|m| view! { <span class="notice" data-testid="backfill-message">{m}</span> })}
            {move || c.error.get().map(|e| match read_only_refusal(&e) {
                Some(m) => view! {
                    <p class="api-error job-error" role="alert" data-testid="backfill-read-only">{m}</p>
                }
                .into_any(),
                None => view! { <JobError err=e /> }.into_any(),
            })}
        </form>
    }
}
