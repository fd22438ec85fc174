//! One source's jobs on the shared time axis (SVG): a lighter bar for the data window, a solid
//! bar for the execution, coloured by status; report deliveries show their next runs as marks.
//! Wheel zooms around the pointer, drag pans; hover or focus shows the fields; a click on an
//! execution selects the job, a click on a data window opens the Events view on that range.
//! Every shape, label and tooltip line comes from `trailview_core::timeline::layout`.

use crate::format;
use crate::jobs::state::{JobsState, TIMELINE_WIDTH};
use crate::jobs::OpenRange;
use leptos::prelude::*;
use trailview_core::jobs::{Source, StatusClass};
use trailview_core::timeline::{
    layout, layout_now, wheel_zoom_factor, Axis, TooltipAnchor, AXIS_H, DRAG_MIN_PX,
};

fn svg_x(ev: &web_sys::MouseEvent) -> f64 {
    use wasm_bindgen::JsCast;
    let Some(el) = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return 0.0;
    };
    let r = el.get_bounding_client_rect();
    if r.width() <= 0.0 {
        return 0.0;
    }
    (ev.client_x() as f64 - r.left()) / r.width() * TIMELINE_WIDTH
}

#[component]
pub fn Legend() -> impl IntoView {
    view! {
        <ul class="legend" aria-label="Legend">
            {StatusClass::ALL.into_iter().map(|c| view! {
                <li><span class=format!("swatch status-{}", c.key())></span>{c.label()}</li>
            }).collect_view()}
            <li><span class="swatch window"></span>"Data window"</li>
            <li><span class="swatch run"></span>"Next scheduled run"</li>
            <li><span class="swatch now"></span>"Now"</li>
        </ul>
    }
}

/// `on_select` hears which job a bar selects (the jobs panel also shows its page); without it
/// the bar sets the source's selection.
#[component]
pub fn Timeline(
    source: Source,
    #[prop(optional)] on_select: Option<Callback<String>>,
) -> impl IntoView {
    let js = expect_context::<JobsState>();
    let open = expect_context::<OpenRange>();
    let tz = move || js.tz.get();
    let ss = js.source(source);
    let select = move |id: String| match on_select {
        Some(f) => f.run(id),
        None => ss.selected.set(Some(id)),
    };
    let hovered = RwSignal::new(None::<usize>);
    let drag = StoredValue::new(None::<(f64, Axis)>);

    // "Now" changes every tick only while a job runs; else once a minute.
    let now = Memo::new(move |_| {
        let now = js.now.get();
        ss.jobs.with(|jobs| layout_now(jobs, now))
    });
    let shapes = Memo::new(move |_| {
        let axis = js.axis.get()?;
        let tz = tz();
        let fmt = move |t: i64| format::time(Some(t), tz);
        let offset = format::offset_ms(tz, axis.t0 + axis.span() / 2);
        let now = now.get();
        ss.jobs
            .with(|jobs| Some(layout(source, jobs, axis, now, offset, &fmt)))
    });

    let on_wheel = move |ev: web_sys::WheelEvent| {
        ev.prevent_default();
        let x = svg_x(&ev);
        let factor = wheel_zoom_factor(ev.delta_y());
        js.axis.update(|a| {
            if let Some(a) = a {
                *a = a.zoom(factor, x);
            }
        });
    };
    let on_down = move |ev: web_sys::MouseEvent| {
        if let Some(a) = js.axis.get_untracked() {
            drag.set_value(Some((svg_x(&ev), a)));
        }
    };
    let on_move = move |ev: web_sys::MouseEvent| {
        if let Some((x0, a0)) = drag.get_value() {
            if ev.buttons() & 1 == 0 {
                drag.set_value(None);
                return;
            }
            let dx = svg_x(&ev) - x0;
            if dx.abs() > DRAG_MIN_PX {
                js.axis.set(Some(a0.pan(-dx)));
            }
        }
    };
    let on_up = move |_| drag.set_value(None);

    // The tooltip redraws on its own, so hovering never rebuilds the bars (and focus stays
    // where it is). It sits under the sticky axis, so it shows wherever the lanes are scrolled.
    let tooltip = move || {
        let i = hovered.get()?;
        shapes.with(|l| {
            let bar = l.as_ref()?.bars.get(i)?;
            let (left, right) = match bar.tooltip_at {
                TooltipAnchor::Left(p) => (Some(format!("{}%", trailview_core::numbers::fixed(p, 1))), None),
                TooltipAnchor::Right(p) => (None, Some(format!("{}%", trailview_core::numbers::fixed(p, 1)))),
            };
            Some(view! {
                <div class="timeline-tooltip" id="timeline-tooltip" role="tooltip" data-testid="timeline-tooltip" style:left=left style:right=right>
                    {bar.tooltip.iter().map(|l| view! { <div>{l.clone()}</div> }).collect_view()}
                </div>
            })
        })
    };

    view! {
        <div class="timeline-wrap">
            {move || {
                let Some(l) = shapes.get() else {
                    return view! { <p class="empty">"Loading…"</p> }.into_any();
                };
                let (axis, height, now_x) = (l.axis, l.height, l.now_x);
                let bars = l.bars.into_iter().enumerate().map(|(i, bar)| {
                    let sel_id = bar.id.clone();
                    let is_selected = move || ss.selected.with(|s| s.as_deref() == Some(sel_id.as_str()));
                    let window = bar.window.map(|(r, range)| view! {
                        <rect class="window" data-testid="timeline-window" x=r.x y=r.y width=r.w height=r.h
                            on:click=move |ev| {
                                ev.stop_propagation();
                                open.run(range);
                            }>
                        </rect>
                    });
                    let exec = bar.exec.map(|r| view! {
                        <rect class="exec" x=r.x y=r.y width=r.w height=r.h></rect>
                    });
                    let created = bar.created.map(|r| view! {
                        <rect class="created" x=r.x y=r.y width=r.w height=r.h></rect>
                    });
                    let disabled = bar.disabled_y.map(|y| view! {
                        <line class="disabled-line" x1=0 x2=TIMELINE_WIDTH y1=y y2=y></line>
                    });
                    let runs = (!bar.runs.is_empty()).then(|| bar.runs.iter().map(|r| view! {
                        <rect class="run" x=r.x y=r.y width=r.w height=r.h></rect>
                    }).collect_view());
                    let hit = bar.hit;
                    let id = bar.id.clone();
                    view! {
                        <g class=format!("job status-{}", bar.status.key()) class:selected=is_selected data-testid="timeline-bar" data-id=bar.id.clone() data-status=bar.status.key()
                            tabindex="0" role="button" aria-label=bar.label
                            aria-describedby=move || (hovered.get() == Some(i)).then_some("timeline-tooltip")
                            on:mouseenter=move |_| hovered.set(Some(i))
                            on:mouseleave=move |_| hovered.set(None)
                            on:focus=move |_| hovered.set(Some(i))
                            on:blur=move |_| hovered.set(None)
                            on:click={
                                let id = id.clone();
                                move |_| select(id.clone())
                            }
                            on:keydown=move |ev: web_sys::KeyboardEvent| if ev.key() == "Enter" || ev.key() == " " {
                                ev.prevent_default();
                                select(id.clone());
                            }>
                            <rect class="hit" x=hit.x y=hit.y width=hit.w height=hit.h></rect>
                            {disabled}{window}{exec}{created}{runs}
                        </g>
                    }
                }).collect_view();
                // The axis is its own SVG in a sticky header, so its labels stay in view while
                // the lanes scroll; both share the x scale (same viewBox width, same width).
                let lanes_h = height - AXIS_H;
                view! {
                    <div class="timeline-head">
                        <svg class="timeline timeline-axis" viewBox=format!("0 0 {TIMELINE_WIDTH} {AXIS_H}")
                            preserveAspectRatio="xMinYMin meet" aria-hidden="true"
                            on:wheel=on_wheel on:mousedown=on_down on:mousemove=on_move on:mouseup=on_up>
                            {l.ticks.iter().map(|t| view! {
                                <line class="tick" x1=t.x x2=t.x y1=AXIS_H - 4.0 y2=AXIS_H></line>
                                {(!t.label.is_empty()).then(|| view! {
                                    <text class="tick-label" x=t.x + 2.0 y=AXIS_H - 6.0>{t.label.clone()}</text>
                                })}
                            }).collect_view()}
                            {now_x.map(|x| view! {
                                <line class="now" x1=x x2=x y1=0 y2=AXIS_H></line>
                                <text class="now-label" x=x + 2.0 y=9>"now"</text>
                            })}
                        </svg>
                        {tooltip}
                    </div>
                    <svg class="timeline" data-testid="timeline" data-source=source.key()
                        data-t0=axis.t0 data-t1=axis.t1
                        viewBox=format!("0 {AXIS_H} {TIMELINE_WIDTH} {lanes_h}")
                        preserveAspectRatio="xMinYMin meet"
                        on:wheel=on_wheel on:mousedown=on_down on:mousemove=on_move on:mouseup=on_up>
                        <g class="ticks">
                            {l.ticks.into_iter().map(|t| view! {
                                <line class="tick" x1=t.x x2=t.x y1=AXIS_H y2=height></line>
                            }).collect_view()}
                        </g>
                        {bars}
                        {now_x.map(|x| view! {
                            <line class="now" data-testid="timeline-now" x1=x x2=x y1=AXIS_H y2=height></line>
                        })}
                    </svg>
                }.into_any()
            }}
        </div>
    }
}
