//! The file workers (`crates/worker`, built by Trunk as `trailview-worker_loader.js`): one per
//! core, at most 4, started on the first load and kept. A job goes to the worker with the fewest
//! jobs; its answer comes back as a promise keyed by the job's id. A worker posts `{ready}` once
//! its wasm runs; jobs sent to it before are held until then (the worker would lose them).

use js_sys::{Array, Function, Object, Promise, Reflect};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, Worker};

/// What a worker reads.
pub enum Input {
    /// A `File`/`Blob` (posted as a handle) or an `ArrayBuffer` (transferred: this side loses it).
    Body(JsValue),
    /// Objects the worker downloads through the proxy itself, all at once; it answers for the
    /// group in one message (see `crates/worker`).
    Gets(Vec<crate::api::ObjectGet>),
}

/// The worker's entry script, beside `index.html` (Trunk's loader shim: unhashed).
const WORKER_URL: &str = "./trailview-worker_loader.js";

struct Slot {
    worker: Worker,
    ready: bool,
    /// It failed (its script did not load, or it crashed): it takes no more jobs.
    dead: bool,
    /// Messages (and what they transfer) waiting for `ready`.
    held: Vec<(JsValue, Array)>,
    /// Jobs sent and not answered.
    busy: Vec<u32>,
    /// Kept alive as long as the worker.
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Closure<dyn Fn(web_sys::Event)>,
}

#[derive(Default)]
struct Inner {
    slots: Vec<Slot>,
    /// Job id → (its worker, the promise's resolve and reject).
    pending: HashMap<u32, (usize, Function, Function)>,
    next_id: u32,
}

/// The workers. Cheap to clone (one pool shared).
#[derive(Clone)]
pub struct Pool(Rc<RefCell<Inner>>);

impl Pool {
    /// Start `n` workers. `Err` when the browser refuses to start one.
    pub fn start(n: usize) -> Result<Pool, String> {
        let pool = Pool(Rc::new(RefCell::new(Inner::default())));
        for w in 0..n.max(1) {
            let worker = Worker::new(WORKER_URL).map_err(|e| {
                format!(
                    "the file reader (a Web Worker) could not start: {}",
                    js_text(&e)
                )
            })?;
            let on_message = {
                let pool = pool.clone();
                Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| {
                    pool.on_message(w, ev.data())
                })
            };
            let on_error = {
                let pool = pool.clone();
                Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| {
                    let text = ev
                        .dyn_ref::<web_sys::ErrorEvent>()
                        .map(|e| e.message())
                        .filter(|m| !m.is_empty())
                        .unwrap_or_else(|| "it stopped".to_string());
                    pool.fail_worker(w, &format!("the file reader (a Web Worker) failed: {text}"))
                })
            };
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            pool.0.borrow_mut().slots.push(Slot {
                worker,
                ready: false,
                dead: false,
                held: Vec::new(),
                busy: Vec::new(),
                _on_message: on_message,
                _on_error: on_error,
            });
        }
        Ok(pool)
    }

    /// Every worker is alive (none failed).
    pub fn healthy(&self) -> bool {
        let inner = self.0.borrow();
        !inner.slots.is_empty() && inner.slots.iter().all(|s| !s.dead)
    }

    /// Some job is sent and not answered.
    pub fn busy(&self) -> bool {
        !self.0.borrow().pending.is_empty()
    }

    /// Stop every worker (what they are doing is dropped); their jobs fail.
    pub fn terminate(&self) {
        let mut inner = self.0.borrow_mut();
        for s in &inner.slots {
            s.worker.terminate();
            // A message the worker posted before it stopped may still be queued here: with the
            // handlers detached it reaches nothing, instead of a closure dropped below.
            s.worker.set_onmessage(None);
            s.worker.set_onerror(None);
        }
        let pending: Vec<_> = inner.pending.drain().collect();
        inner.slots.clear();
        drop(inner);
        for (_, (_, _, reject)) in pending {
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str("cancelled"));
        }
    }

    fn on_message(&self, w: usize, data: JsValue) {
        if get(&data, "ready").is_truthy() {
            let held = {
                let mut inner = self.0.borrow_mut();
                let Some(slot) = inner.slots.get_mut(w) else {
                    return;
                };
                slot.ready = true;
                std::mem::take(&mut slot.held)
            };
            let inner = self.0.borrow();
            if let Some(slot) = inner.slots.get(w) {
                for (msg, transfer) in held {
                    let _ = slot.worker.post_message_with_transfer(&msg, &transfer);
                }
            }
            return;
        }
        let Some(id) = get(&data, "id").as_f64().map(|n| n as u32) else {
            return;
        };
        let resolve = {
            let mut inner = self.0.borrow_mut();
            if let Some(slot) = inner.slots.get_mut(w) {
                slot.busy.retain(|j| *j != id);
            }
            inner.pending.remove(&id).map(|(_, resolve, _)| resolve)
        };
        if let Some(resolve) = resolve {
            let _ = resolve.call1(&JsValue::NULL, &data);
        }
    }

    /// Worker `w` failed: its jobs fail with `why`, and it takes no more.
    fn fail_worker(&self, w: usize, why: &str) {
        let rejects: Vec<Function> = {
            let mut inner = self.0.borrow_mut();
            let ids: Vec<u32> = inner
                .slots
                .get_mut(w)
                .map(|s| {
                    s.ready = false;
                    s.dead = true;
                    s.held.clear();
                    std::mem::take(&mut s.busy)
                })
                .unwrap_or_default();
            ids.iter()
                .filter_map(|id| inner.pending.remove(id).map(|(_, _, r)| r))
                .collect()
        };
        for r in rejects {
            let _ = r.call1(&JsValue::NULL, &JsValue::from_str(why));
        }
    }

    /// Read a file, or download and read a group of objects, in a worker. The worker's answer
    /// (for a file `{bytes, events, batch}` or `{error}`; for objects `{files: [...]}` with
    /// those or `{http}` / `{network}` per object: see `crates/worker`), or why there is none.
    pub async fn read(&self, input: &Input) -> Result<JsValue, String> {
        let msg = Object::new();
        let transfer = Array::new();
        match input {
            Input::Body(body) => {
                if body.is_instance_of::<js_sys::ArrayBuffer>() {
                    transfer.push(body);
                }
                let _ = Reflect::set(&msg, &"body".into(), body);
            }
            Input::Gets(gets) => {
                let list = Array::new();
                for g in gets {
                    let get = Object::new();
                    let _ = Reflect::set(&get, &"url".into(), &g.url.as_str().into());
                    if let Some(a) = &g.authorization {
                        let _ = Reflect::set(&get, &"authorization".into(), &a.as_str().into());
                    }
                    let names: Array = g
                        .request_id_headers
                        .iter()
                        .map(|n| JsValue::from_str(n))
                        .collect();
                    let _ = Reflect::set(&get, &"requestIdHeaders".into(), &names);
                    list.push(&get);
                }
                let _ = Reflect::set(&msg, &"gets".into(), &list);
            }
        }
        let mut resolve_reject = None;
        let promise = Promise::new(&mut |resolve, reject| resolve_reject = Some((resolve, reject)));
        let Some((resolve, reject)) = resolve_reject else {
            return Err("no promise".to_string());
        };
        {
            let mut inner = self.0.borrow_mut();
            let Some(w) = (0..inner.slots.len())
                .filter(|w| !inner.slots[*w].dead)
                .min_by_key(|w| inner.slots[*w].busy.len())
            else {
                return Err("the file readers were stopped".to_string());
            };
            let id = inner.next_id;
            inner.next_id = inner.next_id.wrapping_add(1);
            let _ = Reflect::set(&msg, &"id".into(), &JsValue::from_f64(id as f64));
            inner.pending.insert(id, (w, resolve, reject));
            let slot = &mut inner.slots[w];
            slot.busy.push(id);
            if slot.ready {
                if let Err(e) = slot.worker.post_message_with_transfer(&msg, &transfer) {
                    slot.busy.retain(|j| *j != id);
                    inner.pending.remove(&id);
                    return Err(js_text(&e));
                }
            } else {
                slot.held.push((msg.into(), transfer));
            }
        }
        JsFuture::from(promise).await.map_err(|e| js_text(&e))
    }
}

/// `o[k]`. The key's JavaScript string is made once per name and kept: the answers of a load
/// are read thousands of times a second, and each new key string is a text decode.
pub fn get(o: &JsValue, k: &'static str) -> JsValue {
    thread_local! {
        static KEYS: RefCell<HashMap<&'static str, JsValue>> = RefCell::new(HashMap::new());
    }
    KEYS.with(|keys| {
        let mut keys = keys.borrow_mut();
        let key = keys.entry(k).or_insert_with(|| JsValue::from_str(k));
        Reflect::get(o, key).unwrap_or(JsValue::UNDEFINED)
    })
}

/// What the browser said, as text.
pub fn js_text(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}
