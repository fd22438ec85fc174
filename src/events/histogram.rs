//! The time histogram above the table (SVG) and the chip of its time window. The buckets, the
//! counts (one pass over the filtered rows' times), the axis, the selection and every text
//! come from `trailview_core::histogram`; this wires them to signals and the DOM.
//!
//! Drag across the bars (or focus it: ←/→ move a cursor, Shift extends, Enter applies) to show
//! only that window's events; the histogram then zooms to the window. Esc or a double click
//! zooms back out. The chip shows the window, removes it, and "Fetch this range" asks the server
//! for it through the query bar ([`QueryForm::open_range`], as the Jobs view's data windows do).

use crate::events::query_bar::QueryForm;
use crate::events::state::{AppState, Tz};
use crate::format;
use leptos::prelude::*;
use trailview_core::columns::Shown;
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

/// Sets (or, with `None`, removes) an attribute.
fn set(el: &web_sys::Element, name: &str, value: Option<&str>) {
    let _ = match value {
        Some(v) => el.set_attribute(name, v),
        None => el.remove_attribute(name),
    };
}

fn child(el: &web_sys::Element, sel: &str) -> Option<web_sys::Element> {
    el.query_selector(sel).ok().flatten()
}

/// The markup is static; two effects write what changes into it (the bars, axis and names on
/// a new count; the cursor, selection and tooltip on a pointer or key move): a handful of
/// attribute writes instead of a reactive closure per attribute, which keeps the bundle small.
#[component]
pub fn TimeHistogram() -> impl IntoView {
    let st = expect_context::<AppState>();
    // The counts of the rows the table shows over the range drawn: the window zoomed to, else
    // every loaded time; buckets on the display zone's wall clock at the range's start. Nothing
    // while the chart is hidden (the Chart toggle): no pass over the rows, no redraw.
    let hist = Memo::new(move |_| {
        if st.chart.get() == Shown::Hidden {
            return None;
        }
        let tz = st.tz.get();
        let (a, b) = match st.time_window.get() {
            Some(w) => (w.start, w.end),
            None => {
                st.version.track();
                let (a, b) = st.store.with_value(|s| s.time_span())?;
                (a, b + 1)
            }
        };
        let g = Grid::for_range(a, b, format::offset_ms(tz, a));
        Some(
            st.filtered
                .with(|rows| st.store.with_value(|s| s.histogram(rows, g))),
        )
    });
    let grid = move || hist.with_untracked(|h| h.as_ref().map(|h| h.grid));
    let fmt = move |t: i64| format::time(Some(t), st.tz.get_untracked());

    // The keyboard's (or a drag's) selection, for the grid it was made on.
    let sel = RwSignal::new(None::<(Grid, Selection)>);
    let current = move || {
        let g = grid()?;
        sel.get_untracked()
            .filter(|(sg, _)| *sg == g)
            .map(|(_, s)| s)
    };
    let hover = RwSignal::new(None::<usize>);
    // A drag: the bucket it started on, and whether it has left it.
    let drag = StoredValue::new(None::<(usize, bool)>);

    let apply = move |s: Selection| {
        if let Some(g) = grid() {
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
        let Some(g) = grid() else {
            return;
        };
        let key = ev.key();
        let extend = if ev.shift_key() {
            Extend::Extend
        } else {
            Extend::Move
        };
        let handled = match key.as_str() {
            "Enter" => {
                if let Some(s) = current() {
                    apply(s);
                }
                true
            }
            // Esc is the chart's only while it has something to clear; else it goes on to the
            // page's shortcuts (close the event, the panel).
            "Escape" => {
                let busy = current().is_some() || st.time_window.get_untracked().is_some();
                zoom_out();
                busy
            }
            k => match current()
                .map_or_else(|| Selection::start(k, g.bars), |s| s.key(k, extend, g.bars))
            {
                Some(s) => {
                    sel.set(Some((g, s)));
                    true
                }
                None => false,
            },
        };
        if handled {
            // The histogram's keys: not the page's shortcuts, not a scroll.
            ev.prevent_default();
            ev.stop_propagation();
        }
    };
    let on_down = move |ev: web_sys::PointerEvent| {
        let Some(g) = grid() else {
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
        let Some(g) = grid() else {
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

    let root = NodeRef::<leptos::html::Div>::new();
    // The bars, the axis, the caption and the image's name and data attributes. A filter change
    // keeps the grid: the box and the axis are written only when the grid or the zone changes.
    Effect::new(move |prev: Option<Option<(Grid, Tz)>>| {
        let tz = st.tz.get();
        let el = root.get()?;
        let el: &web_sys::Element = &el;
        hist.with(|h| {
            set(el, "hidden", h.is_none().then_some(""));
            let (Some(h), Some(svg)) = (h, child(el, "svg")) else {
                return None;
            };
            let g = h.grid;
            let same_grid = prev.flatten() == Some((g, tz));
            set(
                &svg,
                "aria-label",
                Some(&h.aria_label(&fmt, &format::zone_label(tz))),
            );
            set(&svg, "data-total", Some(&h.total().to_string()));
            let (ok, failed) = h.paths(PLOT_H);
            for (sel, d) in [("path.ok", ok), ("path.failed", failed)] {
                if let Some(p) = child(el, sel) {
                    set(&p, "d", Some(&d));
                }
            }
            if let Some(c) = child(el, ".hist-scale") {
                c.set_text_content(Some(&format!(
                    "{} bars, tallest {}",
                    g.width_label(),
                    trailview_core::numbers::thousands(h.max() as usize)
                )));
            }
            if same_grid {
                return Some((g, tz));
            }
            set(&svg, "viewBox", Some(&format!("0 0 {} {PLOT_H}", g.bars)));
            set(
                &svg,
                "data-grid",
                Some(&format!("{} {} {}", g.origin, g.width, g.bars)),
            );
            if let (Some(axis), Some(doc)) = (child(el, ".hist-axis"), el.owner_document()) {
                axis.set_text_content(None);
                for t in g.ticks(AXIS_W, TICK_MIN, format::offset_ms(tz, g.origin)) {
                    if let Ok(span) = doc.create_element("span") {
                        span.set_class_name("tick");
                        span.set_text_content(Some(&t.label));
                        if let Ok(span) = span.dyn_into::<web_sys::HtmlElement>() {
                            let _ = span.style().set_property(
                                "left",
                                &format!("{}%", fixed(t.x / AXIS_W * 100.0, 2)),
                            );
                            let _ = axis.append_child(&span);
                        }
                    }
                }
            }
            Some((g, tz))
        })
    });
    // The hovered bar, the selection and the tooltip (a bucket's or the selection's range and
    // counts).
    Effect::new(move |_| {
        let (hovered, selected) = (hover.get(), sel.get());
        st.tz.track();
        let Some(el) = root.get() else { return };
        let el: &web_sys::Element = &el;
        hist.with(|h| {
            let Some(h) = h else { return };
            let g = h.grid;
            let chosen = selected.filter(|(sg, _)| *sg == g).map(|(_, s)| s.range());
            let rect = |cls: &str, r: Option<(usize, usize)>| {
                if let Some(e) = child(el, cls) {
                    set(&e, "visibility", r.is_none().then_some("hidden"));
                    if let Some((a, b)) = r {
                        set(&e, "x", Some(&a.to_string()));
                        set(&e, "width", Some(&(b - a + 1).to_string()));
                    }
                }
            };
            rect("rect.sel", chosen);
            rect("rect.hover", hovered.map(|i| (i, i)));
            let tip = match (hovered, chosen) {
                (Some(i), _) if drag.get_value().is_none() => Some((i, i)),
                (_, c) => c,
            };
            let (Some(svg), Some(t)) = (child(el, "svg"), child(el, ".hist-tooltip")) else {
                return;
            };
            set(&svg, "aria-describedby", tip.map(|_| TOOLTIP_ID));
            set(&t, "hidden", tip.is_none().then_some(""));
            if let Some((a, b)) = tip {
                t.set_text_content(Some(&h.describe(a, b, &fmt)));
                let mid = (a + b + 1) as f64 / 2.0 / g.bars as f64 * 100.0;
                if let Ok(t) = t.dyn_into::<web_sys::HtmlElement>() {
                    let _ = t
                        .style()
                        .set_property("left", &format!("{}%", fixed(mid.clamp(12.0, 88.0), 1)));
                }
            }
        });
    });

    view! {
        <div class="histogram" data-testid="histogram" node_ref=root hidden>
            <div class="hist-caption">
                <span class="hist-legend"><span class="swatch ok"></span>"OK "<span class="swatch failed"></span>"Failed"</span>
                <span class="hist-scale"></span>
                <span class="hint">"Drag, or ←/→ (Shift extends) and Enter, to show a time window; Esc or double-click zooms out"</span>
            </div>
            <div class="hist-plot">
                <svg role="img" tabindex="0" data-testid="histogram-svg" aria-label="Events over time"
                    preserveAspectRatio="none"
                    on:keydown=on_key
                    on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_up
                    on:pointerleave=move |_| hover.set(None)
                    on:blur=move |_| sel.set(None)
                    on:dblclick=move |_| zoom_out()>
                    <rect class="sel" y="0" height=PLOT_H visibility="hidden"></rect>
                    <path class="ok"></path>
                    <path class="failed"></path>
                    <rect class="hover" y="0" height=PLOT_H visibility="hidden"></rect>
                </svg>
                <div class="hist-axis" aria-hidden="true"></div>
                <div class="hist-tooltip" id=TOOLTIP_ID role="tooltip" data-testid="histogram-tooltip" hidden></div>
            </div>
        </div>
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
