//! Text clipped, with an ellipsis, only in the boxes it overflows. The stylesheet clips every
//! box and lets the text of a box with class `fits` (set here) overflow unclipped: a clip on
//! every table cell cost each page update at 100k events ~1-3 ms of main-thread CPU (each clip
//! is a paint property node and puts the cell's text in a paint chunk of its own: pre-paint,
//! paint and layerize), and about one cell in seven overflows. A box never decided (no canvas,
//! no `ResizeObserver`, not laid out yet) stays clipped.
//!
//! Whether a text fits is decided when it is written, from its width as a canvas measures it
//! in the box's font, against the box's width: reading the laid-out text instead
//! (`scrollWidth`) forced a layout in script and, for every cell whose class then changed, a
//! second one in the frame (+1.6 ms, more than the clips saved). A text fits when it ends at
//! least [`MARGIN`] before its box's end edge: text that only runs into its end padding is
//! shown whole.

use leptos::prelude::*;
use std::collections::HashMap;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, Element, ResizeObserver};

/// Pixels kept between a text that fits and its box's end edge: room for rounding between a
/// canvas measure and the page's text.
const MARGIN: f64 = 3.0;
/// Widths remembered (text and font), before the memory is cleared.
const MEMO: usize = 20_000;
/// Texts longer than this (bytes) are measured each time, not remembered.
const MEMO_TEXT: usize = 200;

/// The boxes written since the last decision, decided together once the update's effects are
/// done.
#[derive(Clone, Copy)]
pub struct Cuts {
    state: StoredValue<State, LocalStorage>,
}

#[derive(Default)]
struct State {
    ctx: Option<CanvasRenderingContext2d>,
    /// The widths (border box) of the boxes at each position, as laid out; empty until measured.
    widths: Vec<f64>,
    /// The canvas font and start padding of each style key, from the computed style of the
    /// first box written with that key.
    fonts: Vec<(String, Font)>,
    /// Text widths by (font index, text).
    memo: HashMap<(usize, String), f64>,
    pending: Vec<Written>,
    scheduled: bool,
}

struct Font {
    css: String,
    pad: f64,
    /// The widest of the digits `0`-`9`, once measured: a canvas cannot ask for the table's
    /// tabular digits, so every digit is measured as this one (proportional digits, as in
    /// macOS' system font, are narrower on a canvas than tabular ones on the page).
    digit: Option<char>,
}

struct Written {
    el: Element,
    pos: usize,
    font: usize,
    text: String,
}

impl Default for Cuts {
    fn default() -> Self {
        Cuts::new()
    }
}

impl Cuts {
    pub fn new() -> Cuts {
        let ctx = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.create_element("canvas").ok())
            .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok())
            .and_then(|c| c.get_context("2d").ok().flatten())
            .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok());
        Cuts {
            state: StoredValue::new_local(State {
                ctx,
                ..State::default()
            }),
        }
    }

    /// `el` (the box at `pos` in its row of boxes) now shows `text`; `style` names its font
    /// (boxes with the same key share one: the first one's computed font is used).
    pub fn wrote(self, el: &Element, pos: usize, style: &str, text: &str) {
        let first = self
            .state
            .try_update_value(|s| {
                let font = match s.fonts.iter().position(|(k, _)| k == style) {
                    Some(i) => i,
                    None => {
                        // Not styled (not in the page): decided when written again.
                        let Some(f) = font_of(el) else {
                            return false;
                        };
                        s.fonts.push((style.to_string(), f));
                        s.fonts.len() - 1
                    }
                };
                s.pending.push(Written {
                    el: el.clone(),
                    pos,
                    font,
                    text: text.to_string(),
                });
                !std::mem::replace(&mut s.scheduled, true)
            })
            .unwrap_or(false);
        if first {
            // After the effects already queued (the other rows' writes of this update), before
            // the frame: its one layout sees the classes.
            leptos::task::spawn_local(async move { self.decide() });
        }
    }

    /// The boxes' widths by position, as laid out, changed: every box must be written again.
    pub fn set_widths(self, widths: Vec<f64>) {
        self.state.update_value(|s| s.widths = widths);
    }

    fn decide(self) {
        self.state.try_update_value(|s| {
            s.scheduled = false;
            let pending = std::mem::take(&mut s.pending);
            if s.memo.len() > MEMO {
                s.memo.clear();
            }
            // In the order written (a box written twice ends with its last text); the canvas
            // changes font only to measure a text not remembered, rare after the first page.
            let mut font = usize::MAX;
            for w in pending {
                let fits = match (&s.ctx, s.widths.get(w.pos)) {
                    (Some(ctx), Some(&width)) => {
                        let f = &mut s.fonts[w.font].1;
                        let mut set_font = |css: &str| {
                            if font != w.font {
                                font = w.font;
                                ctx.set_font(css);
                            }
                        };
                        let digit = match f.digit {
                            Some(d) => d,
                            None => {
                                set_font(&f.css);
                                *f.digit.insert(widest_digit(ctx))
                            }
                        };
                        let pad = f.pad;
                        let key = (
                            w.font,
                            w.text
                                .chars()
                                .map(|c| if c.is_ascii_digit() { digit } else { c })
                                .collect::<String>(),
                        );
                        let measured = match s.memo.get(&key) {
                            Some(&t) => t,
                            None => {
                                set_font(&s.fonts[w.font].1.css);
                                let t = ctx.measure_text(&key.1).map_or(f64::MAX, |m| m.width());
                                if key.1.len() <= MEMO_TEXT {
                                    s.memo.insert(key, t);
                                }
                                t
                            }
                        };
                        pad + measured <= width - MARGIN
                    }
                    // Not laid out yet (decided again when it is), or no canvas: clipped.
                    _ => false,
                };
                // No change, no mutation: an unchanged class costs no style work.
                let _ = w.el.class_list().toggle_with_force("fits", fits);
            }
        });
    }
}

/// The digit that is widest in the canvas' current font.
fn widest_digit(ctx: &CanvasRenderingContext2d) -> char {
    ('0'..='9')
        .map(|d| {
            (
                d,
                ctx.measure_text(&d.to_string()).map_or(0.0, |m| m.width()),
            )
        })
        .fold(('0', -1.0), |a, b| if b.1 > a.1 { b } else { a })
        .0
}

/// `el`'s font as a canvas font (the shorthand's longhands: the computed `font` is empty when
/// a longhand it cannot say is set, such as `font-variant-numeric`) and its start padding.
fn font_of(el: &Element) -> Option<Font> {
    let cs = web_sys::window()?.get_computed_style(el).ok().flatten()?;
    let p = |name: &str| cs.get_property_value(name).unwrap_or_default();
    let size = p("font-size");
    if size.is_empty() {
        return None;
    }
    Some(Font {
        css: format!(
            "{} {} {size} {}",
            p("font-style"),
            p("font-weight"),
            p("font-family")
        ),
        pad: px(&p("padding-left")),
        digit: None,
    })
}

/// A computed length in pixels (`"8px"`); 0 if it is not one.
fn px(v: &str) -> f64 {
    v.trim_end_matches("px").parse().unwrap_or(0.0)
}

/// A `ResizeObserver` that calls `on_resize` while the calling component lives: for boxes whose
/// width changes without their text changing (a column resized, the window, a panel opened).
pub struct Resized {
    observer: Option<ResizeObserver>,
    _on_resize: Closure<dyn Fn()>,
}

impl Resized {
    pub fn new(on_resize: impl Fn() + 'static) -> StoredValue<Resized, LocalStorage> {
        let cb = Closure::<dyn Fn()>::new(on_resize);
        let observer = ResizeObserver::new(cb.as_ref().unchecked_ref()).ok();
        StoredValue::new_local(Resized {
            observer,
            _on_resize: cb,
        })
    }

    pub fn observe(&self, el: &Element) {
        if let Some(o) = &self.observer {
            o.observe(el);
        }
    }

    pub fn unobserve(&self, el: &Element) {
        if let Some(o) = &self.observer {
            o.unobserve(el);
        }
    }
}

impl Drop for Resized {
    /// Disposed with its component: no call reaches the dropped closure.
    fn drop(&mut self) {
        if let Some(o) = &self.observer {
            o.disconnect();
        }
    }
}
