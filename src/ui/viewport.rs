//! The scroll position and height of a scrolling element, for the components that render only
//! the rows in view (the event table, the JSON tree).

use leptos::html::Div;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Viewport {
    pub scroll_top: RwSignal<f64>,
    pub height: RwSignal<f64>,
    el: NodeRef<Div>,
}

impl Viewport {
    /// Tracks `el`: measured after the first frame and on window resizes; call
    /// [`Viewport::measure`] from its `on:scroll`. `default_height` stands until a measurement
    /// (e.g. while the element is hidden and measures 0).
    pub fn new(el: NodeRef<Div>, default_height: f64) -> Viewport {
        let v = Viewport {
            scroll_top: RwSignal::new(0.0),
            height: RwSignal::new(default_height),
            el,
        };
        request_animation_frame(move || v.measure());
        let resize = window_event_listener(leptos::ev::resize, move |_| v.measure());
        on_cleanup(move || resize.remove());
        v
    }

    pub fn measure(&self) {
        // `try_`: a frame callback may run after the component is gone (hidden tabs hold them).
        if let Some(el) = self.el.try_get_untracked().flatten() {
            self.scroll_top.try_set(el.scroll_top() as f64);
            let h = el.client_height() as f64;
            if h > 0.0 {
                self.height.try_set(h);
            }
        }
    }

    /// Scroll to `top`. The position is recorded now (so the rows for it render at once);
    /// the element is scrolled in the next animation frame, after the content's new height
    /// (which may grow with the same change, e.g. rows opened to reveal a match) is applied:
    /// scrolling now would be clamped to the old height.
    pub fn scroll_to(&self, top: f64) {
        self.scroll_top.try_set(top);
        let v = *self;
        request_animation_frame(move || {
            if let Some(el) = v.el.try_get_untracked().flatten() {
                el.set_scroll_top(top as i32);
            }
            v.measure();
        });
    }

    /// Scroll the least that brings content `top..bottom` into view, when the viewport's top
    /// `covered` pixels are hidden behind a sticky header (content coordinates below it).
    pub fn reveal(&self, top: f64, bottom: f64, covered: f64) {
        let (st, h) = (self.scroll_top.get_untracked(), self.height.get_untracked());
        if top < st {
            self.scroll_to(top);
        } else if bottom > st + h - covered {
            self.scroll_to(bottom - h + covered);
        }
    }
}
