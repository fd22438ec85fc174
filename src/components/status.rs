//! Fetch progress, notices and API errors (Code, Message and RequestId, always as text).

use crate::state::{AppState, FetchState};
use leptos::prelude::*;
use trailview_core::engine::thousands;
use trailview_core::wire::ApiError;

#[component]
pub fn Progress() -> impl IntoView {
    let st = expect_context::<AppState>();
    let label = move || {
        let p = st.progress.get();
        let state = st.fetch_state.get();
        let what = match state {
            FetchState::Idle => {
                return "No events loaded yet. Choose a time range and fetch.".to_string()
            }
            FetchState::Running => "Fetching",
            FetchState::Done if st.cap_reached.get() => "Stopped at the cap (more events match)",
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
        format!(
            "{what}: {} · {} · {:.0} events/s · {:.1} s{retries}",
            plural(p.events, "event", "events"),
            plural(p.pages, "page", "pages"),
            p.rate(),
            p.elapsed_ms / 1000.0
        )
    };
    view! {
        <div
            class="progress"
            data-testid="progress"
            data-state=move || st.fetch_state.get().key()
            data-events=move || st.progress.get().events
            data-pages=move || st.progress.get().pages
            role="status"
            aria-live="polite"
        >
            <div class="bar" aria-hidden="true">
                <div
                    class="fill"
                    class:running=move || st.fetch_state.get() == FetchState::Running
                    style:width=move || format!("{:.1}%", st.progress.get().fraction(st.cap.get()) * 100.0)
                ></div>
            </div>
            <span class="label">{label}</span>
            {move || st.notice.get().map(|n| view! { <span class="notice" data-testid="notice">{n}</span> })}
        </div>
    }
}

/// The error of the last fetch, if any. Every field is rendered as text.
#[component]
pub fn ErrorBanner() -> impl IntoView {
    let st = expect_context::<AppState>();
    move || {
        st.error.get().map(|e| {
            let body = match e {
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
            };
            view! {
                <div class="api-error" role="alert" data-testid="api-error">
                    <strong>"The request failed. Events loaded before it are kept."</strong>
                    {body}
                    <button class="dismiss" type="button" aria-label="Dismiss" on:click=move |_| st.error.set(None)>"×"</button>
                </div>
            }
        })
    }
}
