//! Component tests in headless Chromium (wasm-bindgen-test) of the table toolbar's Export menu:
//! the menu's items, the file handed to the browser (all filtered rows, not the page), Cancel.

#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use serde_json::json;
use std::sync::{Arc, Mutex};
use trailview::events::state::AppState;
use trailview::events::table::EventsTable;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

fn one(root: &HtmlElement, sel: &str) -> HtmlElement {
    root.query_selector(sel)
        .unwrap()
        .unwrap_or_else(|| panic!("no {sel}"))
        .unchecked_into()
}

fn has(root: &HtmlElement, sel: &str) -> bool {
    root.query_selector(sel).unwrap().is_some()
}

async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

fn event(i: usize) -> String {
    json!({
        "eventId": format!("E-{i:06}"),
        "eventName": if i.is_multiple_of(2) { "DescribeInstances" } else { "DeleteBucket" },
        "serviceName": "Ecs",
        "eventTime": format!("2024-05-01T{:02}:{:02}:{:02}Z", i / 3600 % 24, i / 60 % 60, i % 60),
        "userIdentity": {"userName": if i == 3 { "=HYPERLINK(\"http://example.com\",\"x\")".to_string() } else { format!("user{}", i % 7) }, "type": "ram-user"},
        "sourceIpAddress": "203.0.113.9", "eventRW": "Read", "acsRegion": "cn-hangzhou",
        "errorCode": ""
    })
    .to_string()
}

/// `event(i)` with a 1,500-character request parameter: a JSON export of 40,000 of them is
/// ~70 MB, many slices however fast the writer is (the test must see it running to cancel it).
fn big_event(i: usize) -> String {
    let mut e: serde_json::Value = serde_json::from_str(&event(i)).unwrap();
    e["requestParameters"] = json!({ "note": format!("{i:06}").repeat(250) });
    e.to_string()
}

fn mount_table(events: Vec<String>) -> (HtmlElement, AppState) {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el: HtmlElement = doc.create_element("div").unwrap().unchecked_into();
    doc.body().unwrap().append_child(&el).unwrap();
    let st = Arc::new(Mutex::new(None::<AppState>));
    let st2 = st.clone();
    leptos::mount::mount_to(el.clone(), move || {
        let s = AppState::new();
        s.store.update_value(|store| {
            for e in &events {
                store.push(e);
            }
        });
        s.version.update(|v| *v += 1);
        provide_context(s);
        *st2.lock().unwrap() = Some(s);
        view! { <EventsTable /> }
    })
    .forget();
    let s = st.lock().unwrap().expect("mounted");
    (el, s)
}

/// Keeps each Blob the page makes an object URL of in `window.__exported` (the download itself
/// goes on as usual).
fn record_downloads() {
    let f = js_sys::Function::new_no_args(
        "if (!window.__exported) { window.__exported = []; const orig = URL.createObjectURL; \
         URL.createObjectURL = (b) => { window.__exported.push(b); return orig.call(URL, b); }; } \
         window.__exported.length = 0;",
    );
    f.call0(&JsValue::NULL).unwrap();
}

fn exported() -> Vec<web_sys::Blob> {
    let w = web_sys::window().unwrap();
    let arr: js_sys::Array = js_sys::Reflect::get(&w, &"__exported".into())
        .unwrap()
        .unchecked_into();
    arr.iter().map(|b| b.unchecked_into()).collect()
}

async fn text_of(blob: &web_sys::Blob) -> String {
    wasm_bindgen_futures::JsFuture::from(blob.text())
        .await
        .unwrap()
        .as_string()
        .unwrap()
}

async fn wait_for(el: &HtmlElement, sel: &str) {
    for _ in 0..500 {
        if has(el, sel) {
            return;
        }
        sleep(10).await;
    }
    panic!("no {sel} after 5 s");
}

#[wasm_bindgen_test]
async fn export_menu_writes_every_filtered_row() {
    record_downloads();
    let (el, s) = mount_table((0..300).map(event).collect());
    sleep(0).await;
    s.set_search("DeleteBucket".into());
    sleep(0).await;
    assert_eq!(s.filtered.get_untracked().len(), 150);

    let button = one(&el, "[data-testid=export-button]");
    assert_eq!(button.text_content().as_deref(), Some("Export"));
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    assert!(!has(&el, "[role=menu]"));
    button.click();
    sleep(0).await;
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    let items: Vec<String> = ["csv", "json", "ndjson"]
        .iter()
        .map(|k| {
            let item = one(
                &el,
                &format!("[role=menu] [role=menuitem][data-testid=export-{k}]"),
            );
            item.text_content().unwrap()
        })
        .collect();
    assert_eq!(items, ["CSV", "JSON", "NDJSON"]);

    one(&el, "[data-testid=export-csv]").click();
    wait_for(&el, "[data-testid=export-status][data-state=done]").await;
    assert!(
        !has(&el, "[role=menu]"),
        "choosing a format closes the menu"
    );
    let status = one(&el, "[data-testid=export-status]")
        .text_content()
        .unwrap();
    assert_eq!(
        status,
        "Saved 150 rows as trailview-actiontrail-2024-05-01T00-00Z--2024-05-01T00-05Z.csv"
    );
    let files = exported();
    assert_eq!(files.len(), 1);
    let csv = text_of(&files[0]).await;
    let lines: Vec<&str> = csv.split_terminator("\r\n").collect();
    assert_eq!(
        lines.len(),
        151,
        "the header and every filtered row, not one page"
    );
    assert!(lines[0].starts_with("Time (UTC),Event,"));
    assert!(lines[1..].iter().all(|l| l.contains(",DeleteBucket,")));
    assert!(
        lines
            .iter()
            .any(|l| l.contains(",\"'=HYPERLINK(\"\"http://example.com\"\",\"\"x\"\")\",")),
        "the formula is neutralised and quoted"
    );
}

#[wasm_bindgen_test]
async fn cancel_stops_an_export_and_saves_nothing() {
    record_downloads();
    let (el, s) = mount_table((0..40_000).map(big_event).collect());
    sleep(0).await;
    assert_eq!(s.filtered.get_untracked().len(), 40_000);
    one(&el, "[data-testid=export-button]").click();
    sleep(0).await;
    one(&el, "[data-testid=export-json]").click();
    wait_for(&el, "[data-testid=export-status][data-state=running]").await;
    let status = one(&el, "[data-testid=export-status]");
    assert!(
        status.text_content().unwrap().contains(" of 40,000 rows"),
        "{:?}",
        status.text_content()
    );
    let button = one(&el, "[data-testid=export-button]");
    assert!(button.has_attribute("disabled"), "one export at a time");
    one(&el, "[data-testid=export-cancel]").click();
    sleep(200).await;
    assert!(!has(&el, "[data-testid=export-status]"));
    assert!(exported().is_empty(), "nothing was saved");
    assert!(!button.has_attribute("disabled"));
}
