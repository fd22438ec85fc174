//! The app's driver (`trailview::runtime::drive`) in headless Chromium: a source's own wait
//! before a call (an SLS `Incomplete` re-asked, an Insights poll interval) is the driver's.

#![cfg(target_arch = "wasm32")]

use std::cell::{Cell, RefCell};
use trailview::api::ApiClient;
use trailview::runtime::{drive, now_ms, Runner, Shown, Source};
use trailview_core::catalogue::{Operation, DESCRIBE_EXPORT_TASKS};
use trailview_core::dialect::ApiError;
use trailview_core::paging::{Retry, RunEnd, Step};
use wasm_bindgen_test::*;
use web_sys::AbortSignal;

wasm_bindgen_test_configure!(run_in_browser);

/// One call, made after the source's delay; when it was made.
struct Delayed {
    delay_ms: u32,
    called_at: RefCell<Vec<f64>>,
    done: Cell<bool>,
}

impl Source for Delayed {
    type Request = ();
    type Response = ();
    fn operation(&self) -> &'static Operation {
        &DESCRIBE_EXPORT_TASKS
    }
    fn step(&self) -> Step<()> {
        if self.done.get() {
            Step::Stop(RunEnd::Complete)
        } else {
            Step::Fetch(())
        }
    }
    async fn perform(
        &self,
        _client: &ApiClient,
        _request: &(),
        _signal: Option<&AbortSignal>,
    ) -> Result<(), ApiError> {
        self.called_at.borrow_mut().push(now_ms());
        Ok(())
    }
    fn delay_ms(&self) -> u32 {
        self.delay_ms
    }
    fn accept(&self, _response: ()) {
        self.done.set(true);
    }
    fn shown(&self) -> Option<Shown> {
        None
    }
    fn on_error(&self, _e: &ApiError, _salt: u64) -> Retry {
        Retry::GiveUp
    }
    fn gave_up(&self, _e: ApiError) {}
}

#[wasm_bindgen_test]
async fn the_driver_waits_a_sources_delay_before_its_call() {
    let runner = Runner::default();
    let ticket = runner.start();
    let source = Delayed {
        delay_ms: 600,
        called_at: RefCell::new(Vec::new()),
        done: Cell::new(false),
    };
    let client = ApiClient {
        base: String::new(),
        token: None,
    };
    let t0 = now_ms();
    assert_eq!(
        drive(&client, &ticket, &source).await,
        Some(RunEnd::Complete)
    );
    let at = source.called_at.borrow();
    assert_eq!(at.len(), 1);
    assert!(at[0] - t0 >= 590.0, "called after {} ms", at[0] - t0);
}
