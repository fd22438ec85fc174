//! trailview's Web Worker: the app (`src/files/`) posts it trail files and it answers with event
//! batches, so that decompressing and parsing never run on the main thread.
//!
//! Message in: `{id, body}` where `body` is a `Blob` (a `File` from disk) or an `ArrayBuffer`,
//! or `{id, gets: [{url, authorization, requestIdHeaders}, ...]}`: GetObjects through the proxy
//! that the app's `api` module built, downloaded here (all of them at once) so that the main
//! thread does no per-file network work. A file is read whole (the app judges its cap while
//! merging).
//! A file's answer: `{bytes, events, batch}` with `batch` an `ArrayBuffer` (transferred) of
//! [`trailview_core::engine::BatchWriter`]'s bytes; `{error}` with the core's [`FileError`]
//! text; for a download, `{http: {status, requestId, body}}` when the proxy answered other than
//! 2xx, or `{network}` when it did not answer (the app reads both as the API error they are,
//! and retries the transient ones). The reply to `body` is its file's answer with the `id`; to
//! `gets`, `{id, files: [answer, ...]}` in the same order, posted once the last file is read:
//! a trail file is typically a few kilobytes, and a message per file cost the main thread more
//! than merging the file. `{ready: true}` is posted once the module runs (messages sent before
//! it would be lost).
//!
//! Gzip is told by its magic bytes, not the name (a body the browser already decoded because of
//! `Content-Encoding: gzip` is not decoded twice). A downloaded body of up to 256 KB is
//! inflated by the core's gunzip; a larger one, and a file from disk, goes through the browser's
//! `DecompressionStream`; when that refuses the data (a multi-member file, a corrupt or cut
//! file) the core's gunzip reads the original bytes and names what is wrong.

use js_sys::{Array, Object, Reflect, Uint8Array};
use trailview_core::engine::BatchWriter;
use trailview_core::trail_files::{is_gzip, read_file, FileError, Limits};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, DedicatedWorkerGlobalScope, Headers, MessageEvent, ReadableStream,
    ReadableStreamDefaultReader, ReadableStreamReadResult, ReadableWritablePair, RequestInit,
    Response,
};

#[wasm_bindgen]
extern "C" {
    /// The Compression Streams API's decoder (web-sys has it only as an unstable API).
    type DecompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<DecompressionStream, JsValue>;
}

fn main() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| {
        let scope = reply_to.clone();
        wasm_bindgen_futures::spawn_local(async move { handle(&scope, ev.data()).await });
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let ready = Object::new();
    set(&ready, "ready", &JsValue::TRUE);
    let _ = scope.post_message(&ready);
}

fn set(o: &Object, k: &str, v: &JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(k), v);
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

/// One file's batch.
struct Read {
    batch: Vec<u8>,
    bytes: f64,
    events: usize,
}

async fn handle(scope: &DedicatedWorkerGlobalScope, msg: JsValue) {
    let id = get(&msg, "id");
    let gets = get(&msg, "gets");
    if !js_sys::Array::is_array(&gets) {
        let (reply, transfer) = answer(read(get(&msg, "body")).await);
        set(&reply, "id", &id);
        if let Err(e) = scope.post_message_with_transfer(&reply, &transfer) {
            // The app waits for an answer per message: one it can read.
            let (failed, _) = answer(Err(unposted(&e)));
            set(&failed, "id", &id);
            let _ = scope.post_message(&failed);
        }
        return;
    }
    let gets = Array::from(&gets);
    let n = gets.length();
    let group = std::rc::Rc::new(Group {
        reply: Object::new(),
        files: Array::new_with_length(n),
        transfer: Array::new(),
        left: std::cell::Cell::new(n),
    });
    set(&group.reply, "id", &id);
    set(&group.reply, "files", &group.files);
    if n == 0 {
        let _ = scope.post_message(&group.reply);
        return;
    }
    for k in 0..n {
        let (group, scope, g) = (group.clone(), scope.clone(), gets.get(k));
        wasm_bindgen_futures::spawn_local(async move {
            let (file, transfer) = match download(&scope, &g).await {
                Ok(body) => answer(read(body).await),
                Err(failed) => {
                    let file = Object::new();
                    set(&file, failed.0, &failed.1);
                    (file, Array::new())
                }
            };
            group.files.set(k, file.into());
            for t in transfer.iter() {
                group.transfer.push(&t);
            }
            group.left.set(group.left.get() - 1);
            if group.left.get() == 0 {
                if let Err(e) = scope.post_message_with_transfer(&group.reply, &group.transfer) {
                    // The app waits for an answer per message: each file's events become an
                    // error (a download's failure stays as it is, to be retried).
                    let files = Array::new();
                    for old in group.files.iter() {
                        if get(&old, "batch").is_undefined() {
                            files.push(&old);
                        } else {
                            files.push(&answer(Err(unposted(&e))).0);
                        }
                    }
                    set(&group.reply, "files", &files);
                    let _ = scope.post_message(&group.reply);
                }
            }
        });
    }
}

/// Why an answer could not be posted, as a file's error.
fn unposted(e: &JsValue) -> String {
    format!(
        "the file reader could not hand its events over: {}",
        js_text(e)
    )
}

/// The reply to a `gets` message, filled in as its downloads end.
struct Group {
    reply: Object,
    files: Array,
    transfer: Array,
    /// Downloads not yet answered.
    left: std::cell::Cell<u32>,
}

/// A file's answer, and what posting it transfers (its batch's buffer).
fn answer(read: Result<Read, String>) -> (Object, Array) {
    let file = Object::new();
    match read {
        Ok(r) => {
            let out = Uint8Array::new_with_length(r.batch.len() as u32);
            out.copy_from(&r.batch);
            drop(r.batch);
            let buf = out.buffer();
            set(&file, "batch", &buf);
            set(&file, "bytes", &JsValue::from_f64(r.bytes));
            set(&file, "events", &JsValue::from_f64(r.events as f64));
            (file, Array::of1(&buf))
        }
        Err(e) => {
            set(&file, "error", &JsValue::from_str(&e));
            (file, Array::new())
        }
    }
}

/// What the browser said, as text.
fn js_text(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "the browser could not read the file".to_string())
}

/// A download that did not give the object: the answer's key (`http` or `network`) and value.
struct Failed(&'static str, JsValue);

/// GET `g.url` (with its `Authorization`), the body's bytes when 2xx.
async fn download(scope: &DedicatedWorkerGlobalScope, g: &JsValue) -> Result<JsValue, Failed> {
    let network = |e: JsValue| Failed("network", JsValue::from_str(&js_text(&e)));
    let url = get(g, "url").as_string().unwrap_or_default();
    let init = RequestInit::new();
    init.set_method("GET");
    if let Some(auth) = get(g, "authorization").as_string() {
        let headers = Headers::new().map_err(network)?;
        headers.set("Authorization", &auth).map_err(network)?;
        init.set_headers(&headers);
    }
    let resp: Response = JsFuture::from(scope.fetch_with_str_and_init(&url, &init))
        .await
        .map_err(network)?
        .unchecked_into();
    if resp.ok() {
        return JsFuture::from(resp.array_buffer().map_err(network)?)
            .await
            .map_err(network);
    }
    let http = Object::new();
    set(&http, "status", &JsValue::from_f64(resp.status() as f64));
    let names = Array::from(&get(g, "requestIdHeaders"));
    let request_id = names
        .iter()
        .filter_map(|n| n.as_string())
        .find_map(|n| resp.headers().get(&n).ok().flatten());
    if let Some(id) = request_id {
        set(&http, "requestId", &JsValue::from_str(&id));
    }
    // The error body (the storage's XML error, or some other server's page).
    let text = match resp.text() {
        Ok(p) => JsFuture::from(p).await.unwrap_or_default(),
        Err(_) => JsValue::from_str(""),
    };
    set(&http, "body", &text);
    Err(Failed("http", http.into()))
}

/// Downloaded bodies up to this size (compressed) are inflated by the core's gunzip, in this
/// module's memory, instead of through a `DecompressionStream`: a trail file is typically a
/// few kilobytes, and for those the browser's stream machinery (a Blob, a decoder, a reader and
/// a promise per chunk) costs far more than the inflate itself. Larger bodies stream through
/// the browser's native decoder.
/// The same size as core's `file_load::GROUP_MAX_BYTES`: the app groups the downloads that
/// are inflated here.
const INFLATE_IN_WASM_MAX: u32 = trailview_core::file_load::GROUP_MAX_BYTES as u32;

async fn read(body: JsValue) -> Result<Read, String> {
    let limits = Limits::default();
    if let Some(buf) = body
        .dyn_ref::<js_sys::ArrayBuffer>()
        .filter(|b| b.byte_length() <= INFLATE_IN_WASM_MAX)
    {
        let bytes = Uint8Array::new(buf).to_vec();
        // The core tells gzip by its magic bytes and inflates it (within the size limit),
        // multi-member files included; anything else is read as it is.
        let batch = read_file(&bytes, &limits).map_err(|e| e.to_string())?;
        return Ok(to_batch(&batch, bytes.len() as f64));
    }
    let blob: Blob = match body.dyn_ref::<Blob>() {
        Some(b) => b.clone(),
        None => {
            Blob::new_with_buffer_source_sequence(&Array::of1(&body)).map_err(|e| js_text(&e))?
        }
    };
    let size = blob.size();
    let too_large = || {
        FileError::TooLarge {
            limit: limits.max_bytes,
        }
        .to_string()
    };
    if size > limits.max_bytes as f64 {
        return Err(too_large());
    }
    // Bytes in memory (a download) are looked at directly; a file's first bytes are read.
    let head = match body.dyn_ref::<js_sys::ArrayBuffer>() {
        Some(buf) => {
            Uint8Array::new_with_byte_offset_and_length(buf, 0, buf.byte_length().min(2)).to_vec()
        }
        None => {
            let head = blob
                .slice_with_f64_and_f64(0.0, 2.0)
                .map_err(|e| js_text(&e))?;
            let head = JsFuture::from(head.array_buffer())
                .await
                .map_err(|e| js_text(&e))?;
            Uint8Array::new(&head).to_vec()
        }
    };
    let text = if is_gzip(&head) {
        match gunzip_in_browser(&blob, limits.max_bytes).await {
            Ok(text) => text,
            Err(Stream::TooLarge) => return Err(too_large()),
            // The core reads the bytes as they are: multi-member data, or a named error.
            Err(Stream::Refused) => {
                read_all(&blob.stream(), limits.max_bytes)
                    .await
                    .map_err(|e| match e {
                        Stream::TooLarge => too_large(),
                        Stream::Refused => "the browser could not read the file".to_string(),
                    })?
            }
        }
    } else {
        read_all(&blob.stream(), limits.max_bytes)
            .await
            .map_err(|e| match e {
                Stream::TooLarge => too_large(),
                // A file changed or removed since it was picked, a disk error.
                Stream::Refused => "the browser could not read the file".to_string(),
            })?
    };
    let batch = read_file(&text, &limits).map_err(|e| e.to_string())?;
    drop(text);
    Ok(to_batch(&batch, size))
}

/// A file's records as the batch the main thread merges.
fn to_batch(batch: &trailview_core::trail_files::Batch, bytes: f64) -> Read {
    let mut w = BatchWriter::new();
    for r in &batch.records {
        w.push(r.get());
    }
    Read {
        events: w.len(),
        batch: w.finish(),
        bytes,
    }
}

enum Stream {
    /// More than the limit for one file.
    TooLarge,
    /// The stream failed (the decoder refused the data, or the file could not be read).
    Refused,
}

async fn gunzip_in_browser(blob: &Blob, max: usize) -> Result<Vec<u8>, Stream> {
    let Ok(ds) = DecompressionStream::new("gzip") else {
        return Err(Stream::Refused);
    };
    let pair: &ReadableWritablePair = ds.unchecked_ref();
    read_all(&blob.stream().pipe_through(pair), max).await
}

/// Every byte of `stream`, at most `max`.
async fn read_all(stream: &ReadableStream, max: usize) -> Result<Vec<u8>, Stream> {
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut out: Vec<u8> = Vec::new();
    loop {
        let r: ReadableStreamReadResult = JsFuture::from(reader.read())
            .await
            .map_err(|_| Stream::Refused)?
            .unchecked_into();
        if r.get_done().unwrap_or(false) {
            return Ok(out);
        }
        let chunk: Uint8Array = r.get_value().unchecked_into();
        let n = chunk.length() as usize;
        if out.len() + n > max {
            let _ = reader.cancel();
            return Err(Stream::TooLarge);
        }
        let at = out.len();
        if out.capacity() < at + n {
            out.reserve((at + n).max(out.capacity() * 2).min(max) - at);
        }
        out.resize(at + n, 0);
        chunk.copy_to(&mut out[at..]);
    }
}
