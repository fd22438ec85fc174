//! One source's jobs on the shared time axis (SVG): a lighter bar for the data window, a solid
//! bar for the execution, coloured by status; report deliveries show their next runs as marks.
//! Wheel zooms around the pointer, drag pans; hover or focus shows the fields; a click on an
//! execution selects the job, a click on a data window opens the Events view on that range.

use crate::format;
use crate::jobs::{JobsState, JumpRange, View, TIMELINE_WIDTH};
use crate::state::{AppState, Tz};
use leptos::prelude::*;
use trailview_core::jobs::{Job, Source, StatusClass};
use trailview_core::timeline::{assign_lanes, clear_labels_over, Axis};

const LANE_H: f64 = 12.0;
const AXIS_H: f64 = 18.0;
const MAX_RUN_MARKS: usize = 200;
/// Approximate width of a label character and of the "now" label, in viewBox units (9px font).
const CHAR_W: f64 = 5.2;
const NOW_LABEL_W: f64 = 18.0;

/// The zone's offset from UTC at `t` (local time in the browser), for the axis' ticks.
fn offset_ms(tz: Tz, t: i64) -> i64 {
    match tz {
        Tz::Utc => 0,
        Tz::Local => {
            -(js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(t as f64)).get_timezone_offset()
                as i64)
                * 60_000
        }
    }
}

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

fn tooltip_lines(job: &Job, now: i64, tz: Tz) -> Vec<String> {
    let format_api_time = |t: i64| format::time(Some(t), tz);
    let mut v = vec![
        format!("{} {}", job.id, job.name),
        format!("Status: {}", job.status),
    ];
    if let Some(c) = job.created_ms {
        v.push(format!("Created: {}", format_api_time(c)));
    }
    if let Some((a, b)) = job.exec {
        v.push(if job.open {
            format!(
                "Running since {} ({} s)",
                format_api_time(a),
                (now - a) / 1000
            )
        } else {
            format!("Ran: {} → {}", format_api_time(a), format_api_time(b))
        });
    }
    if let Some((a, b)) = job.window {
        v.push(format!(
            "Data: {} → {}",
            format_api_time(a),
            format_api_time(b)
        ));
    }
    if let Some(c) = &job.crontab {
        v.push(format!("Crontab: {c}"));
    }
    if let Some(e) = &job.schedule_error {
        v.push(format!("Crontab not understood: {e}"));
    }
    if !job.detail.is_empty() {
        v.push(job.detail.clone());
    }
    v
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

#[component]
pub fn Timeline(source: Source) -> impl IntoView {
    let js = expect_context::<JobsState>();
    let jump = expect_context::<JumpRange>();
    let tz = use_context::<AppState>().map(|st| st.tz);
    let tz = move || tz.map_or(Tz::Utc, |t| t.get());
    let ss = js.source(source);
    let hovered = RwSignal::new(None::<usize>);
    let drag = StoredValue::new(None::<(f64, Axis)>);

    // Lanes depend on the jobs and (through the minimum gap) on the zoom.
    let layout = Memo::new(move |_| {
        let axis = js.axis.get()?;
        let jobs = ss.jobs.get();
        // Redraw every tick only while something runs (its bar grows); else once a minute.
        let now = js.now.get();
        let now = if jobs.iter().any(|j| j.open) {
            now
        } else {
            now / 60_000 * 60_000
        };
        let gap = (axis.span() as f64 / TIMELINE_WIDTH * 3.0) as i64;
        let (lanes, n) = if source == Source::Cdn {
            ((0..jobs.len()).collect(), jobs.len())
        } else {
            let ext: Vec<(i64, i64)> = jobs
                .iter()
                .map(|j| j.extent().unwrap_or((now, now)))
                .collect();
            assign_lanes(&ext, gap)
        };
        Some((axis, now, jobs, lanes, n))
    });

    let on_wheel = move |ev: web_sys::WheelEvent| {
        ev.prevent_default();
        let x = svg_x(&ev);
        let factor = if ev.delta_y() > 0.0 { 1.25 } else { 0.8 };
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
            if dx.abs() > 2.0 {
                js.axis.set(Some(a0.pan(-dx)));
            }
        }
    };
    let on_up = move |_| drag.set_value(None);

    // The tooltip redraws on its own, so hovering never rebuilds the bars (and focus stays
    // where it is). It sits under the sticky axis, so it shows wherever the lanes are scrolled.
    let tooltip = move || {
        let i = hovered.get()?;
        layout.with(|l| {
                    let (axis, now, jobs, _, _) = l.as_ref()?;
                    let job = jobs.get(i)?;
                    let x = job
                        .exec
                        .or(job.window)
                        .and_then(|(a, b)| axis.bar(a, b, 3.0))
                        .map(|(x, _)| x)
                        .unwrap_or(0.0);
                    // Beside the bar, opening towards the middle so it stays inside the panel.
                    let pct = (x / TIMELINE_WIDTH * 100.0).clamp(0.0, 100.0);
                    let (left, right) = if pct < 50.0 {
                        (Some(format!("{pct:.1}%")), None)
                    } else {
                        (None, Some(format!("{:.1}%", 100.0 - pct)))
                    };
                    Some(view! {
                        <div class="timeline-tooltip" id="timeline-tooltip" role="tooltip" data-testid="timeline-tooltip" style:left=left style:right=right>
                            {tooltip_lines(job, *now, tz()).into_iter().map(|l| view! { <div>{l}</div> }).collect_view()}
                        </div>
                    })
                })
    };

    view! {
        <div class="timeline-wrap">
            {move || {
                let Some((axis, now, jobs, lanes, n)) = layout.get() else {
                    return view! { <p class="empty">"Loading…"</p> }.into_any();
                };
                let height = AXIS_H + (n.max(1) as f64) * LANE_H + 4.0;
                let now_x = axis.now_x(now);
                let mut ticks = axis.ticks(90.0, offset_ms(tz(), axis.t0 + axis.span() / 2));
                if let Some(x) = now_x {
                    clear_labels_over(&mut ticks, x, NOW_LABEL_W, CHAR_W);
                }
                let bars = jobs.iter().enumerate().map(|(i, job)| {
                    // Lanes fill bottom-up, so the latest jobs sit right under the axis.
                    let lane = if source == Source::Cdn { lanes[i] } else { n - 1 - lanes[i] };
                    let y = AXIS_H + lane as f64 * LANE_H;
                    let class = format!("job status-{}", job.class.key());
                    let sel_id = job.id.clone();
                    let is_selected = move || ss.selected.with(|s| s.as_deref() == Some(sel_id.as_str()));
                    let window = job.window.and_then(|(a, b)| axis.bar(a, b, 2.0)).map(|(x, w)| {
                        let (a, b) = job.window.unwrap_or_default();
                        view! {
                            <rect class="window" data-testid="timeline-window" x=x y=y + 1.0 width=w height=LANE_H - 2.0
                                on:click=move |ev| {
                                    ev.stop_propagation();
                                    jump.0.set(Some((a, b)));
                                    js.view.set(View::Events);
                                }>
                            </rect>
                        }
                    });
                    let exec = job.exec.and_then(|(a, b)| axis.bar(a, b, 3.0)).map(|(x, w)| view! {
                        <rect class="exec" x=x y=y + 3.0 width=w height=LANE_H - 6.0></rect>
                    });
                    let created = (job.source == Source::Cdn).then(|| job.created_ms.and_then(|c| axis.now_x(c)).map(|x| view! {
                        <rect class="created" x=x - 1.0 y=y + 2.0 width=2.0 height=LANE_H - 4.0></rect>
                    })).flatten();
                    let disabled = (job.class == StatusClass::Disabled).then(|| view! {
                        <line class="disabled-line" x1=0 x2=TIMELINE_WIDTH y1=y + LANE_H / 2.0 y2=y + LANE_H / 2.0></line>
                    });
                    let runs = if job.source == Source::Cdn {
                        let runs: Vec<i64> = job
                            .next_runs(now.max(axis.t0), MAX_RUN_MARKS)
                            .into_iter()
                            .take_while(|t| *t <= axis.t1)
                            .collect();
                        Some(runs.into_iter().map(|t| {
                            let x = axis.x(t);
                            view! { <rect class="run" x=x - 1.0 y=y + 1.0 width=2.0 height=LANE_H - 2.0></rect> }
                        }).collect_view())
                    } else {
                        None
                    };
                    // The hover / click area: the job's own extent (lanes hold several jobs);
                    // a report task owns its whole lane.
                    let hit = if job.source == Source::Cdn {
                        (0.0, TIMELINE_WIDTH)
                    } else {
                        job.extent().and_then(|(a, b)| axis.bar(a, b, 4.0)).unwrap_or((0.0, 0.0))
                    };
                    let id = job.id.clone();
                    // The status is named, not only coloured: in the bar's name here, in the
                    // tooltip (which describes the bar while it shows) and in the table.
                    let label = format!("{} {}, status: {}", job.id, job.name, job.status);
                    view! {
                        <g class=class class:selected=is_selected data-testid="timeline-bar" data-id=job.id.clone() data-status=job.class.key()
                            tabindex="0" role="button" aria-label=label
                            aria-describedby=move || (hovered.get() == Some(i)).then_some("timeline-tooltip")
                            on:mouseenter=move |_| hovered.set(Some(i))
                            on:mouseleave=move |_| hovered.set(None)
                            on:focus=move |_| hovered.set(Some(i))
                            on:blur=move |_| hovered.set(None)
                            on:click=move |_| ss.selected.set(Some(id.clone()))
                            on:keydown={
                                let id = job.id.clone();
                                move |ev: web_sys::KeyboardEvent| if ev.key() == "Enter" || ev.key() == " " {
                                    ev.prevent_default();
                                    ss.selected.set(Some(id.clone()));
                                }
                            }>
                            <rect class="hit" x=hit.0 y=y width=hit.1 height=LANE_H></rect>
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
                            {ticks.iter().map(|t| view! {
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
                            {ticks.into_iter().map(|t| view! {
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
