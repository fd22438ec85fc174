//! Component tests in headless Chromium for the Jobs view's timeline: one bar per job, lanes
//! that keep overlapping jobs apart, the tooltip on focus, a click selecting the job, a click on
//! a data window opening the Events view, report tasks' scheduled runs and disabled tasks.

#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use trailview::events::state::Tz;
use trailview::jobs::state::{JobsState, TIMELINE_WIDTH};
use trailview::jobs::timeline::Timeline;
use trailview::jobs::OpenRange;
use trailview_core::jobs::{Job, Source};
use trailview_core::timeline::Axis;
use trailview_core::wire::{CdnDeliverTask, DeliveryHistoryJob};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

const H: i64 = 3_600_000;

fn container() -> HtmlElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el: HtmlElement = doc.create_element("div").unwrap().unchecked_into();
    doc.body().unwrap().append_child(&el).unwrap();
    el
}

fn all(root: &HtmlElement, sel: &str) -> Vec<web_sys::Element> {
    let list = root.query_selector_all(sel).unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().unchecked_into())
        .collect()
}

/// A real (bubbling) click, as Leptos delegates click handlers to the document.
fn click(el: &web_sys::Element) {
    js_sys::Function::new_with_args(
        "el",
        "el.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }))",
    )
    .call1(&wasm_bindgen::JsValue::NULL, el)
    .unwrap();
}

async fn settle() {
    for _ in 0..3 {
        leptos::task::tick().await;
    }
}

fn backfill(id: i64, status: i64, created: i64, minutes: i64) -> Job {
    let t = trailview_core::time::format_api_time;
    Job::from_backfill(
        &DeliveryHistoryJob {
            job_id: Some(id),
            trail_name: Some("trail-name".into()),
            home_region: Some("cn-hangzhou".into()),
            job_status: Some(status),
            created_time: Some(t(created)),
            updated_time: Some(t(created + minutes * 60_000)),
            start_time: Some(t(created - 24 * H)),
            end_time: Some(t(created)),
            regions: Vec::new(),
        },
        created + 100 * H,
    )
}

/// The range a data window asked the host to open.
type Opened = (i64, i64);

fn mount(
    source: Source,
    jobs: Vec<Job>,
    axis: Axis,
    now: i64,
) -> (HtmlElement, JobsState, RwSignal<Option<Opened>>) {
    let el = container();
    let js = JobsState::new(String::new(), Tz::Utc);
    // The range a data window asks the host to open.
    let opened = RwSignal::new(None);
    let open = OpenRange(Callback::new(move |r| opened.set(Some(r))));
    js.source(source).jobs.set(jobs);
    js.axis.set(Some(axis));
    js.now.set(now);
    leptos::mount::mount_to(el.clone(), move || {
        provide_context(js);
        provide_context(open);
        view! { <Timeline source=source /> }
    })
    .forget();
    (el, js, opened)
}

#[wasm_bindgen_test]
async fn a_bar_per_job_in_separate_lanes_with_tooltip_select_and_jump() {
    let t0 = 1_717_200_000_000;
    // Two overlapping data windows and a third far later.
    let jobs = vec![
        backfill(1, 2, t0, 30),
        backfill(2, 3, t0 + H, 20),
        backfill(3, 2, t0 + 60 * H, 10),
    ];
    let axis = Axis::new(t0 - 30 * H, t0 + 70 * H, TIMELINE_WIDTH);
    let (el, js, jump) = mount(Source::Backfill, jobs, axis, t0 + 65 * H);
    settle().await;
    let bars = all(&el, "[data-testid=timeline-bar]");
    assert_eq!(bars.len(), 3);
    let y = |b: &web_sys::Element| {
        b.query_selector("rect.hit")
            .unwrap()
            .unwrap()
            .get_attribute("y")
            .unwrap()
    };
    assert_ne!(
        y(&bars[0]),
        y(&bars[1]),
        "overlapping jobs get different lanes"
    );
    assert_eq!(y(&bars[0]), y(&bars[2]), "a later job reuses a free lane");
    assert_eq!(
        bars[1].get_attribute("data-status").as_deref(),
        Some("failed")
    );
    assert_eq!(all(&el, "[data-testid=timeline-now]").len(), 1);
    // Focus shows the fields.
    bars[1]
        .dispatch_event(&web_sys::Event::new("focus").unwrap())
        .unwrap();
    settle().await;
    let tip = all(&el, "[data-testid=timeline-tooltip]");
    assert_eq!(tip.len(), 1);
    let text = tip[0].text_content().unwrap();
    assert!(
        text.contains("Status: Failed") && text.contains("Data: "),
        "{text}"
    );
    // Click selects.
    click(&bars[2]);
    settle().await;
    assert_eq!(js.backfill.selected.get_untracked().as_deref(), Some("3"));
    // A data window opens the Events view on that range.
    let win = all(&el, "[data-testid=timeline-window]");
    assert_eq!(win.len(), 3);
    click(&win[0]);
    settle().await;
    assert_eq!(jump.get_untracked(), Some((t0 - 24 * H, t0)));
}

#[wasm_bindgen_test]
async fn report_tasks_show_next_runs_and_disabled() {
    let now = 1_717_200_000_000; // 2024-06-01T00:00:00Z
    let task = |id: i64, status: &str, cron: &str| {
        Job::from_cdn(&CdnDeliverTask {
            deliver_id: Some(id),
            status: Some(status.into()),
            crontab: Some(cron.into()),
            frequency: Some("h".into()),
            name: Some(format!("task {id}")),
            ..Default::default()
        })
    };
    let jobs = vec![
        task(1, "enable", "0 0 */6 * * ?"),
        task(2, "disable", "0 0 * * * ?"),
    ];
    let axis = Axis::new(now - H, now + 24 * H, TIMELINE_WIDTH);
    let (el, _, _) = mount(Source::Cdn, jobs, axis, now);
    settle().await;
    let bars = all(&el, "[data-testid=timeline-bar]");
    assert_eq!(bars.len(), 2);
    // Every 6 hours after now within 24 h: 06, 12, 18, 24.
    assert_eq!(bars[0].query_selector_all("rect.run").unwrap().length(), 4);
    assert_eq!(bars[1].query_selector_all("rect.run").unwrap().length(), 0);
    assert_eq!(
        bars[1]
            .query_selector_all(".disabled-line")
            .unwrap()
            .length(),
        1
    );
    assert_eq!(
        bars[1].get_attribute("data-status").as_deref(),
        Some("disabled")
    );
}

#[wasm_bindgen_test]
async fn the_axis_and_tooltip_stay_in_view_while_lanes_scroll() {
    let doc = web_sys::window().unwrap().document().unwrap();
    if doc.get_element_by_id("app-css-jobs").is_none() {
        let style = doc.create_element("style").unwrap();
        style.set_id("app-css-jobs");
        style.set_text_content(Some(include_str!("../style/main.css")));
        doc.head().unwrap().append_child(&style).unwrap();
    }
    let t0 = 1_717_200_000_000;
    // 80 jobs that all overlap: 80 lanes, far taller than the timeline's box.
    let jobs: Vec<Job> = (0..80)
        .map(|i| backfill(i, 2, t0 + i * 60_000, 30))
        .collect();
    let axis = Axis::new(t0 - 30 * H, t0 + 10 * H, TIMELINE_WIDTH);
    let (el, _, _) = mount(Source::Backfill, jobs, axis, t0 + 5 * H);
    settle().await;
    let wrap: HtmlElement = el
        .query_selector(".timeline-wrap")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(
        wrap.scroll_height() > wrap.client_height() + 100,
        "lanes overflow"
    );
    wrap.set_scroll_top(wrap.scroll_height());
    settle().await;
    let head = el.query_selector(".timeline-head").unwrap().unwrap();
    let (wr, hr) = (
        wrap.get_bounding_client_rect(),
        head.get_bounding_client_rect(),
    );
    assert!(
        (hr.top() - wr.top()).abs() < 1.0,
        "axis at the top of the box after scrolling ({} vs {})",
        hr.top(),
        wr.top()
    );
    assert!(!all(&el, ".timeline-head .tick-label").is_empty());
    // The last bar's tooltip shows under the axis, inside the box.
    let bars = all(&el, "[data-testid=timeline-bar]");
    bars[bars.len() - 1]
        .dispatch_event(&web_sys::Event::new("focus").unwrap())
        .unwrap();
    settle().await;
    let tip = el
        .query_selector("[data-testid=timeline-tooltip]")
        .unwrap()
        .unwrap();
    let tr = tip.get_bounding_client_rect();
    assert!(
        tr.top() >= hr.bottom() - 1.0 && tr.top() < wr.bottom(),
        "tooltip in view"
    );
}

#[wasm_bindgen_test]
async fn column_filters_show_what_the_table_applies_after_a_tab_switch() {
    let t0 = 1_717_200_000_000;
    let el = container();
    let js = JobsState::new(String::new(), Tz::Utc);
    js.backfill.jobs.set(vec![
        backfill(1, 2, t0, 30),
        backfill(2, 3, t0 + H, 20),
        backfill(3, 2, t0 + 2 * H, 10),
    ]);
    js.axis
        .set(Some(Axis::new(t0 - H, t0 + 3 * H, TIMELINE_WIDTH)));
    js.now.set(t0 + 3 * H);
    let open = OpenRange(Callback::new(|_| {}));
    leptos::mount::mount_to(el.clone(), move || {
        provide_context(js);
        provide_context(open);
        view! { <trailview::jobs::view::JobsView /> }
    })
    .forget();
    settle().await;
    let input = |el: &HtmlElement| -> web_sys::HtmlInputElement {
        el.query_selector("[data-testid=jobs-filter-id]")
            .unwrap()
            .unwrap()
            .unchecked_into()
    };
    let count = |el: &HtmlElement| {
        el.query_selector("[data-testid=jobs-count]")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap()
    };
    let box_ = input(&el);
    box_.set_value("2");
    box_.dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    settle().await;
    assert_eq!(count(&el), "1 of 3 jobs");
    js.tab.set(Source::Cdn);
    settle().await;
    js.tab.set(Source::Backfill);
    settle().await;
    assert_eq!(count(&el), "1 of 3 jobs");
    assert_eq!(
        input(&el).value(),
        "2",
        "the box shows the filter in effect"
    );
}

/// The answer trailview-proxy gives a write when it runs with `read_only = true`, read as the
/// app reads it.
fn read_only_answer() -> trailview_core::dialect::ApiError {
    use trailview_core::dialect::{read_response, AlibabaError, Dialect, Source as ErrorSource};
    let w = AlibabaError::new(
        403,
        trailview_core::dialect::READ_ONLY_CODE,
        "trailview-proxy is read-only: ActionTrail CreateDeliveryHistoryJob changes the account and is not forwarded.",
    )
    .from(ErrorSource::Proxy)
    .write("REQ-RO");
    read_response::<serde_json::Value>(Dialect::AlibabaRpc, w.http_status, None, &w.body)
        .unwrap_err()
}

#[wasm_bindgen_test]
async fn a_read_only_proxys_refusal_is_a_sentence_in_the_backfill_form() {
    use trailview::jobs::view::BackfillForm;
    let el = container();
    let js = JobsState::new(String::new(), Tz::Utc);
    leptos::mount::mount_to(el.clone(), move || {
        provide_context(js);
        view! { <BackfillForm /> }
    })
    .forget();
    settle().await;
    js.create.error.set(Some(read_only_answer()));
    settle().await;
    let shown = el
        .query_selector("[data-testid=backfill-read-only]")
        .unwrap()
        .expect("the read-only sentence");
    let text = shown.text_content().unwrap_or_default();
    assert!(text.contains("this proxy is read-only"), "{text}");
    assert!(text.contains("HTTP 403 Forbidden.ReadOnly"), "{text}");
    assert_eq!(shown.get_attribute("role").as_deref(), Some("alert"));
    assert!(
        all(&el, "[data-testid=job-error]").is_empty(),
        "not the raw error"
    );
    // Any other refusal is shown as the error it is.
    let other = trailview_core::dialect::ApiError::Service(trailview_core::dialect::ServiceError {
        http_status: 403,
        code: "Forbidden.RAM".into(),
        message: "User not authorized to operate on the specified resource.".into(),
        ..Default::default()
    });
    js.create.error.set(Some(other));
    settle().await;
    assert!(all(&el, "[data-testid=backfill-read-only]").is_empty());
    let code = el
        .query_selector("[data-testid=job-error-code]")
        .unwrap()
        .expect("the raw error");
    assert_eq!(code.text_content().as_deref(), Some("Forbidden.RAM"));
    el.remove();
}
