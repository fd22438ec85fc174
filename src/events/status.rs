//! Fetch progress, notices and API errors (Code, Message and RequestId, always as text).

use crate::events::fetch;
use crate::events::persist::PersistStatus;
use crate::events::state::{AppState, FetchState};
use crate::format;
use leptos::prelude::*;
use trailview_core::dialect::ApiError;
use trailview_core::fetch_policy::{failed_text, Direction, EventsRun};
use trailview_core::numbers::thousands;

/// "covers 2026-11-30 10:00:00 → 2026-12-01 00:32:00 (40% of the range)", as far as known.
fn coverage_text(run: &EventsRun, tz: crate::events::state::Tz) -> Option<String> {
    let (a, b) = run.covered()?;
    let pct = run.fraction() * 100.0;
    Some(if pct >= 100.0 {
        format!(
            "all of {} → {}",
            format::time(Some(a), tz),
            format::time(Some(b), tz)
        )
    } else {
        format!(
            "covers {} → {} ({}% of the range)",
            format::time(Some(a), tz),
            format::time(Some(b), tz),
            trailview_core::numbers::fixed(pct, 0)
        )
    })
}

#[component]
pub fn Progress() -> impl IntoView {
    let st = expect_context::<AppState>();
    let label = move || {
        let state = st.fetch_state.get();
        let tz = st.tz.get();
        // With AWS in the last fetch, this line is the Alibaba Cloud part's.
        let aws = st.aws_run.with(Option::is_some);
        let cloud = if aws { "Alibaba Cloud: " } else { "" };
        st.run.with(|run| {
            let Some(run) = run.as_ref() else {
                if aws {
                    return "Alibaba Cloud: not in this query.".to_string();
                }
                // No fetch's run: the events came from files, a Cloud query or a restored
                // AWS-only session.
                st.version.track();
                return st
                    .origin
                    .with(|o| o.loaded_text(st.store.with_value(|s| s.len())));
            };
            let p = run.progress;
            let what = match state {
                FetchState::Idle => "Ready",
                FetchState::Running => "Fetching",
                FetchState::Done if run.can_load_more() => "Stopped at the cap (more events match)",
                FetchState::Done => "Done",
                FetchState::Cancelled => "Cancelled",
                FetchState::Error => "Stopped by an error",
            };
            let retries = match p.retries {
                0 => String::new(),
                1 => " · 1 retry".to_string(),
                n => format!(" · {n} retries"),
            };
            let plural = |n: usize, one: &str, many: &str| {
                format!("{} {}", thousands(n), if n == 1 { one } else { many })
            };
            let covered = coverage_text(run, tz)
                .map(|c| format!(" · {c}"))
                .unwrap_or_default();
            format!(
                "{cloud}{what}: {} · {} · {} events/s · {} s{retries}{covered}",
                plural(p.events, "event", "events"),
                plural(p.pages, "page", "pages"),
                trailview_core::numbers::fixed(p.rate(), 0),
                trailview_core::numbers::fixed(p.elapsed_ms / 1000.0, 1)
            )
        })
    };
    let progress = move || {
        st.run
            .with(|r| r.as_ref().map(|r| r.progress).unwrap_or_default())
    };
    view! {
        <div
            class="progress"
            data-testid="progress"
            data-state=move || st.fetch_state.get().key()
            data-events=move || progress().events
            data-pages=move || progress().pages
            role="status"
            aria-live="polite"
        >
            <div class="bar" aria-hidden="true" title="Share of the time range covered">
                <div
                    class="fill"
                    class:running=move || st.fetch_state.get() == FetchState::Running
                    style:width=move || format!("{}%", trailview_core::numbers::fixed(st.run.with(|r| r.as_ref().map_or(0.0, |r| r.fraction())) * 100.0, 1))
                ></div>
            </div>
            <span class="label">{label}</span>
            {move || st.notice.get().map(|n| view! { <span class="notice" data-testid="notice">{n}</span> })}
            <PersistStatus />
        </div>
        <AwsProgress />
    }
}

/// The AWS part of the last fetch (CloudTrail LookupEvents), when it read AWS: its own status
/// line and retry notice.
#[component]
fn AwsProgress() -> impl IntoView {
    let st = expect_context::<AppState>();
    // One live region, there from the start, whose text changes: a region rebuilt on every
    // page is not announced reliably.
    let summary = Memo::new(move |_| {
        st.aws_run
            .with(|r| r.as_ref().map(|r| (r.running(), r.events, r.summary())))
    });
    view! {
        <div class="progress aws" data-testid="aws-progress" role="status" aria-live="polite"
            hidden=move || summary.with(Option::is_none)
            data-state=move || summary.with(|s| match s { None => "none", Some((true, ..)) => "running", Some(_) => "stopped" })
            data-events=move || summary.with(|s| s.as_ref().map_or(0, |s| s.1))>
            <span class="label">{move || summary.with(|s| s.as_ref().map(|s| format!("AWS: {}", s.2)).unwrap_or_default())}</span>
            <span class="notice">{move || st.aws_notice.get().unwrap_or_default()}</span>
        </div>
    }
}

/// Above the table when the loaded events do not cover the whole range asked for: which part
/// they cover, and "Load older" (or "Load newer") to continue from where the fetch stopped.
#[component]
pub fn Coverage() -> impl IntoView {
    let st = expect_context::<AppState>();
    move || {
        let state = st.fetch_state.get();
        if state == FetchState::Running {
            return None;
        }
        let tz = st.tz.get();
        st.run.with(|run| {
            let run = run.as_ref()?;
            if !run.can_load_more() {
                return None;
            }
            let q = &run.query;
            let (text, button) = match (run.covered(), q.direction) {
                (Some((a, b)), Direction::Backward) => (
                    format!(
                        "Showing the newest events of the range, from {} to {}. Events from {} to {} are not loaded.",
                        format::time(Some(a), tz),
                        format::time(Some(b), tz),
                        format::time(Some(q.start_ms), tz),
                        format::time(Some(a), tz),
                    ),
                    "Load older",
                ),
                (Some((a, b)), Direction::Forward) => (
                    format!(
                        "Showing the oldest events of the range, from {} to {}. Events from {} to {} are not loaded.",
                        format::time(Some(a), tz),
                        format::time(Some(b), tz),
                        format::time(Some(b), tz),
                        format::time(Some(q.end_ms), tz),
                    ),
                    "Load newer",
                ),
                (None, Direction::Backward) => ("No events loaded yet.".to_string(), "Load older"),
                (None, Direction::Forward) => ("No events loaded yet.".to_string(), "Load newer"),
            };
            let more = thousands(run.batch);
            let resume = fetch::can_resume(st).then(|| view! {
                <button type="button" data-testid="resume" on:click=move |_| fetch::resume(st)
                    title="Continue the stopped fetch from where it stopped, up to its cap">"Resume"</button>
            });
            Some(view! {
                <div class="coverage" data-testid="coverage" role="status">
                    <span>{text}</span>
                    {resume}
                    <button type="button" data-testid="load-more" on:click=move |_| fetch::load_more(st)
                        title=format!("Continue where the fetch stopped, for up to {more} more events")>{button}</button>
                </div>
            })
        })
    }
}

/// The error of the last fetch, if any, for each cloud: the Alibaba Cloud part's (and a trail
/// file load's) and the AWS part's. Every field is rendered as text.
#[component]
pub fn ErrorBanner() -> impl IntoView {
    let st = expect_context::<AppState>();
    view! {
        {error_banner(st, st.error, "", "api-error", Part::Aliyun)}
        {error_banner(st, st.aws_error, "AWS: ", "aws-api-error", Part::Aws)}
    }
}

/// Which part of the fetch a banner is about: its count of what is kept is that part's.
#[derive(Clone, Copy)]
enum Part {
    /// The Alibaba Cloud part, or a trail file load (no run: the table's rows).
    Aliyun,
    Aws,
}

fn error_banner(
    st: AppState,
    error: RwSignal<Option<ApiError>>,
    cloud: &'static str,
    testid: &'static str,
    part: Part,
) -> impl IntoView {
    move || {
        error.get().map(|e| {
            let body = error_details(e);
            view! {
                <div class="api-error" role="alert" data-testid=testid>
                    <strong>{move || {
                        st.version.track();
                        let loaded = match part {
                            Part::Aliyun => st.run.with(|r| r.as_ref().map(|r| r.progress.events))
                                .unwrap_or_else(|| st.store.with_value(|s| s.len())),
                            Part::Aws => st.aws_run.with(|r| r.as_ref().map_or(0, |r| r.events)),
                        };
                        format!("{cloud}{}", failed_text(loaded))
                    }}</strong>
                    {body}
                    <button class="dismiss" type="button" aria-label="Dismiss" on:click=move |_| error.set(None)>"×"</button>
                </div>
            }
        })
    }
}

/// An API error's details as the banners show them: a service's code, message and request id
/// (and its status, host id, https Recommend link), or what else went wrong. Text nodes only.
pub fn error_details(e: ApiError) -> AnyView {
    match e {
        ApiError::Service(s) => {
            let recommend = s.recommend.clone().filter(|r| r.starts_with("https://"));
            view! {
                <dl class="kv">
                    <dt>"Code"</dt><dd data-testid="error-code">{s.code.clone()}</dd>
                    <dt>"Message"</dt><dd data-testid="error-message">{s.message.clone()}</dd>
                    <dt>"RequestId"</dt><dd data-testid="error-request-id">{s.request_id.clone().unwrap_or_else(|| "—".into())}</dd>
                    <dt>"HTTP status"</dt><dd>{s.http_status}</dd>
                    {s.host_id.clone().map(|h| view! { <dt>"HostId"</dt><dd>{h}</dd> })}
                    {recommend.map(|r| view! { <dt>"Recommend"</dt><dd><a href=r.clone() target="_blank" rel="noopener noreferrer">{r.clone()}</a></dd> })}
                </dl>
            }
            .into_any()
        }
        ApiError::Malformed { http_status, detail, excerpt } => view! {
            <p>{if (200..300).contains(&http_status) {
                format!("The proxy answered HTTP {http_status} with a body trailview could not read: {detail}")
            } else {
                format!("The proxy answered {detail}:")
            }}</p>
            <pre class="excerpt">{excerpt}</pre>
        }
        .into_any(),
        ApiError::Network(m) => view! { <p>{format!("Network error: {m}")}</p> }.into_any(),
        ApiError::Refused(m) => view! { <p data-testid="error-refused">{format!("Not sent: {m}")}</p> }.into_any(),
    }
}
