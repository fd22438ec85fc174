//! The time histogram above the table (SVG) and the chip of its time window. The buckets, the
//! counts (one pass over the filtered rows' times), the axis, the selection and every text
//! come from `trailview_core::histogram`; this wires them to signals and the DOM.
//!
//! Drag across the bars (or focus it: ←/→ move a cursor, Shift extends, Enter applies) to show
//! only that window's events; the histogram then zooms to the window. Esc or a double click
//! zooms back out. The chip shows the window, removes it, and "Fetch this range" asks the server
//! for it through the query bar ([`QueryForm::open_range`], as the Jobs view's data windows do).

use crate::events::query_bar::QueryForm;
use crate::events::state::AppState;
use crate::format;
use leptos::prelude::*;
use trailview_core::histogram::{Extend, Grid, Selection};
use trailview_core::numbers::fixed;
use wasm_bindgen::JsCast;

/// The bars' box height (viewBox units); the width is one unit per bar.
const PLOT_H: f64 = 100.0;
/// The axis is laid out over this many units, labels at least `TICK_MIN` apart.
const AXIS_W: f64 = 1000.0;
const TICK_MIN: f64 = 110.0;
const TOOLTIP_ID: &str = "histogram-tooltip";

/// Where the pointer is across the element the event is for: 0 at its left edge, 1 at its right.
fn fraction(ev: &web_sys::MouseEvent) -> f64 {
    ev.current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|el| el.get_bounding_client_rect())
        .filter(|r| r.width() > 0.0)
        .map_or(0.0, |r| (ev.client_x() as f64 - r.left()) / r.width())
}

#[component]
pub fn TimeHistogram() -> impl IntoView {
    let st = expect_context::<AppState>();
    // The range drawn: the window zoomed to, else every loaded time; buckets on the display
    // zone's wall clock at the range's start (`Grid::for_range`).
    let grid = Memo::new(move |_| {
        let tz = st.tz.get();
        let (a, b) = match st.time_window.get() {
            Some(w) => (w.start, w.end),
            None => {
                st.version.track();
                let (a, b) = st.store.with_value(|s| s.time_span())?;
                (a, b + 1)
            }
        };
        Some(Grid::for_range(a, b, format::offset_ms(tz, a)))
    });
    let hist = Memo::new(move |_| {
        let g = grid.get()?;
        Some(
            st.filtered
                .with(|rows| st.store.with_value(|s| s.histogram(rows, g))),
        )
    });
    let shapes = Memo::new(move |_| hist.with(|h| h.as_ref().map(|h| h.paths(PLOT_H))));
    let fmt = move |t: i64| format::time(Some(t), st.tz.get_untracked());

    // The keyboard's (or a drag's) selection, for the grid it was made on.
    let sel = RwSignal::new(None::<(Grid, Selection)>);
    let current = move || {
        let g = grid.get()?;
        sel.get().filter(|(sg, _)| *sg == g).map(|(_, s)| s)
    };
    let hover = RwSignal::new(None::<usize>);
    // A drag: the bucket it started on, and whether it has left it.
    let drag = StoredValue::new(None::<(usize, bool)>);

    let apply = move |s: Selection| {
        if let Some(g) = grid.get_untracked() {
            let (a, b) = s.range();
            if let Some(w) = g.window(a, b, st.time_window.get_untracked()) {
                st.set_time_window(Some(w));
            }
        }
        sel.set(None);
    };
    let zoom_out = move || {
        sel.set(None);
        if st.time_window.get_untracked().is_some() {
            st.set_time_window(None);
        }
    };

    let on_key = move |ev: web_sys::KeyboardEvent| {
        let Some(g) = grid.get_untracked() else {
            return;
        };
        let key = ev.key();
        let now = sel
            .get_untracked()
            .filter(|(sg, _)| *sg == g)
            .map(|(_, s)| s);
        let extend = if ev.shift_key() {
            Extend::Extend
        } else {
            Extend::Move
        };
        let handled = match key.as_str() {
            "Enter" => {
                if let Some(s) = now {
                    apply(s);
                }
                true
            }
            "Escape" => {
                zoom_out();
                true
            }
            k => {
                match now.map_or_else(|| Selection::start(k, g.bars), |s| s.key(k, extend, g.bars))
                {
                    Some(s) => {
                        sel.set(Some((g, s)));
                        true
                    }
                    None => false,
                }
            }
        };
        if handled {
            // The histogram's keys: not the page's shortcuts, not a scroll.
            ev.prevent_default();
            ev.stop_propagation();
        }
    };
    let on_down = move |ev: web_sys::PointerEvent| {
        let Some(g) = grid.get_untracked() else {
            return;
        };
        if ev.button() != 0 {
            return;
        }
        if let Some(t) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            let _ = t.set_pointer_capture(ev.pointer_id());
        }
        let i = g.bar_at(fraction(&ev));
        drag.set_value(Some((i, false)));
        sel.set(Some((g, Selection::at(i))));
    };
    let on_move = move |ev: web_sys::PointerEvent| {
        let Some(g) = grid.get_untracked() else {
            return;
        };
        let i = g.bar_at(fraction(&ev));
        if hover.get_untracked() != Some(i) {
            hover.set(Some(i));
        }
        if let Some((a, moved)) = drag.get_value() {
            if moved || i != a {
                drag.set_value(Some((a, true)));
                sel.set(Some((
                    g,
                    Selection {
                        anchor: a,
                        cursor: i,
                    },
                )));
            }
        }
    };
    let on_up = move |_: web_sys::PointerEvent| {
        // A drag across buckets applies them; a click leaves the cursor there (Enter applies).
        if let Some((_, true)) = drag.get_value() {
            if let Some(s) = current() {
                apply(s);
            }
        }
        drag.set_value(None);
    };

    let tip = Memo::new(move |_| {
        let (a, b) = match (hover.get(), current()) {
            (Some(i), _) if drag.get_value().is_none() => (i, i),
            (_, Some(s)) => s.range(),
            _ => return None,
        };
        st.tz.track();
        let g = grid.get()?;
        let text = hist.with(|h| h.as_ref().map(|h| h.describe(a, b, &fmt)))?;
        let mid = (a + b + 1) as f64 / 2.0 / g.bars as f64 * 100.0;
        Some((text, mid))
    });
    let label = move || {
        let tz = st.tz.get();
        hist.with(|h| {
            h.as_ref()
                .map(|h| h.aria_label(&fmt, &format::zone_label(tz)))
        })
    };
    let ticks = move || {
        let g = grid.get()?;
        let tz = st.tz.get();
        Some(
            g.ticks(AXIS_W, TICK_MIN, format::offset_ms(tz, g.origin))
                .into_iter()
                .map(|t| (fixed(t.x / AXIS_W * 100.0, 2), t.label))
                .collect::<Vec<_>>(),
        )
    };

    view! {
        <Show when=move || grid.with(|g| g.is_some())>
            <div class="histogram" data-testid="histogram">
                <div class="hist-caption">
                    <span class="hist-legend"><span class="swatch ok"></span>"OK "<span class="swatch failed"></span>"Failed"</span>
                    <span>{move || hist.with(|h| h.as_ref().map(|h| format!("{} bars, tallest {}", h.grid.width_label(), trailview_core::numbers::thousands(h.max() as usize))))}</span>
                    <span class="hint">"Drag, or ←/→ (Shift extends) and Enter, to show a time window; Esc or double-click zooms out"</span>
                </div>
                <div class="hist-plot">
                    <svg role="img" tabindex="0" data-testid="histogram-svg"
                        aria-label=label
                        aria-describedby=move || tip.with(|t| t.is_some()).then_some(TOOLTIP_ID)
                        data-total=move || hist.with(|h| h.as_ref().map_or(0, |h| h.total()))
                        data-bars=move || grid.get().map_or(0, |g| g.bars)
                        data-origin=move || grid.get().map_or(0, |g| g.origin)
                        data-width=move || grid.get().map_or(0, |g| g.width)
                        viewBox=move || format!("0 0 {} {PLOT_H}", grid.get().map_or(1, |g| g.bars))
                        preserveAspectRatio="none"
                        on:keydown=on_key
                        on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_up
                        on:pointerleave=move |_| hover.set(None)
                        on:blur=move |_| sel.set(None)
                        on:dblclick=move |_| zoom_out()>
                        {move || current().map(|s| {
                            let (a, b) = s.range();
                            view! { <rect class="sel" x=a y="0" width={b - a + 1} height=PLOT_H></rect> }
                        })}
                        <path class="ok" d=move || shapes.with(|s| s.as_ref().map(|s| s.0.clone()))></path>
                        <path class="failed" d=move || shapes.with(|s| s.as_ref().map(|s| s.1.clone()))></path>
                        {move || hover.get().map(|i| view! { <rect class="hover" x=i y="0" width="1" height=PLOT_H></rect> })}
                    </svg>
                    <div class="hist-axis" aria-hidden="true">
                        {move || ticks().unwrap_or_default().into_iter().map(|(x, l)| view! {
                            <span class="tick" style:left=format!("{x}%")>{l}</span>
                        }).collect_view()}
                    </div>
                    {move || tip.get().map(|(text, mid)| view! {
                        <div class="hist-tooltip" id=TOOLTIP_ID role="tooltip" data-testid="histogram-tooltip"
                            style:left=format!("{}%", fixed(mid.clamp(12.0, 88.0), 1))>{text}</div>
                    })}
                </div>
            </div>
        </Show>
    }
}

/// The time window's chip (beside the table's other filter chips): the window in the display
/// zone, "Fetch this range" (when the page has a query bar) and remove.
#[component]
pub fn TimeWindowChip() -> impl IntoView {
    let st = expect_context::<AppState>();
    let form = use_context::<QueryForm>();
    move || {
        let w = st.time_window.get()?;
        let tz = st.tz.get();
        let text = format!(
            "time {} – {} ({})",
            format::time(Some(w.start), tz),
            format::time(Some(w.end), tz),
            format::zone_label(tz)
        );
        let fetch = form.map(|f| {
            view! {
                <button type="button" class="chip-action" data-testid="time-window-fetch"
                    title="Fetch this range from the server (the query bar's range becomes it)"
                    on:click=move |_| {
                        let (a, b) = w.fetch_range();
                        f.open_range(st, a, b);
                    }>"Fetch this range"</button>
            }
        });
        Some(view! {
            <span class="chip" data-testid="time-window-chip" data-start=w.start data-end=w.end>
                <span class="chip-text" title=text.clone()>{text.clone()}</span>
                {fetch}
                <button type="button" data-testid="time-window-remove" aria-label=format!("Remove filter {text}")
                    on:click=move |_| st.set_time_window(None)>"×"</button>
            </span>
        })
    }
}
