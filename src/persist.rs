//! Saved sessions in the browser's Origin Private File System: `sessions/<id>/` holds a
//! session's `manifest.json` and its snapshot chunks (`chunk-000000`, …), one file each, so
//! that saving a page's events appends a small file instead of rewriting a large one. A leaf
//! service: it knows no app state; what the bytes mean is `trailview_core::session`'s.

use js_sys::{Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    FileSystemDirectoryHandle, FileSystemFileHandle, FileSystemGetDirectoryOptions,
    FileSystemGetFileOptions, FileSystemRemoveOptions, FileSystemWritableFileStream,
};

pub const MANIFEST: &str = "manifest.json";

/// Why storage failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The browser's storage quota is used up (`QuotaExceededError`).
    Quota(String),
    /// No such file or session.
    NotFound(String),
    /// This browser (or page) has no Origin Private File System, or refused it.
    Other(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Quota(m) => write!(f, "the browser's storage quota is full ({m})"),
            StoreError::NotFound(m) => write!(f, "not found ({m})"),
            StoreError::Other(m) => write!(f, "{m}"),
        }
    }
}

/// A storage failure (a DOMException) as a [`StoreError`], by its name.
pub fn error(e: JsValue) -> StoreError {
    let name = Reflect::get(&e, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    let message = Reflect::get(&e, &"message".into())
        .ok()
        .and_then(|n| n.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "storage error".to_string());
    let text = if name.is_empty() {
        message
    } else {
        format!("{name}: {message}")
    };
    match name.as_str() {
        "QuotaExceededError" => StoreError::Quota(text),
        "NotFoundError" => StoreError::NotFound(text),
        _ => StoreError::Other(text),
    }
}

async fn wait<T: JsCast>(p: Promise) -> Result<T, StoreError> {
    JsFuture::from(p)
        .await
        .map_err(error)?
        .dyn_into::<T>()
        .map_err(|_| StoreError::Other("unexpected storage answer".into()))
}

async fn dir(
    parent: &FileSystemDirectoryHandle,
    name: &str,
    create: bool,
) -> Result<FileSystemDirectoryHandle, StoreError> {
    let o = FileSystemGetDirectoryOptions::new();
    o.set_create(create);
    wait(parent.get_directory_handle_with_options(name, &o)).await
}

/// What an insecure page (plain `http://` on another host than localhost) or an old browser
/// lacks.
pub const NO_OPFS: &str =
    "this page has no Origin Private File System (it needs HTTPS or localhost)";

/// `navigator.storage` and its `getDirectory`, looked up without assuming either exists: an
/// insecure context has no `navigator.storage` at all, older browsers no `getDirectory`. (The
/// typed bindings would throw a JS TypeError through the wasm instead.)
fn storage_get_directory() -> Result<(JsValue, js_sys::Function), StoreError> {
    let none = || StoreError::Other(NO_OPFS.into());
    let navigator = web_sys::window().ok_or_else(none)?.navigator();
    let storage = Reflect::get(&navigator, &"storage".into()).map_err(|_| none())?;
    if storage.is_undefined() || storage.is_null() {
        return Err(none());
    }
    let get = Reflect::get(&storage, &"getDirectory".into()).map_err(|_| none())?;
    let get = get.dyn_into::<js_sys::Function>().map_err(|_| none())?;
    Ok((storage, get))
}

/// Whether this page can save sessions at all (`Err`: why not, [`NO_OPFS`]).
pub fn available() -> Result<(), StoreError> {
    storage_get_directory().map(|_| ())
}

/// The `sessions` directory (made if missing).
async fn sessions() -> Result<FileSystemDirectoryHandle, StoreError> {
    let (storage, get) = storage_get_directory()?;
    // `call0` catches a throw (a page that refuses storage) as an `Err`.
    let p = get
        .call0(&storage)
        .map_err(error)?
        .dyn_into::<Promise>()
        .map_err(|_| StoreError::Other(NO_OPFS.into()))?;
    let root: FileSystemDirectoryHandle = wait(p).await?;
    dir(&root, "sessions", true).await
}

/// One session's directory, looked up once for many files (each lookup is a round trip to
/// the browser's storage).
pub struct Session(FileSystemDirectoryHandle);

impl Session {
    /// Session `id`'s directory; made if `create`, else `NotFound` when missing.
    pub async fn open(id: &str, create: bool) -> Result<Session, StoreError> {
        Ok(Session(dir(&sessions().await?, id, create).await?))
    }

    async fn file(&self, name: &str, create: bool) -> Result<FileSystemFileHandle, StoreError> {
        let o = FileSystemGetFileOptions::new();
        o.set_create(create);
        wait(self.0.get_file_handle_with_options(name, &o)).await
    }

    /// Write `bytes` as the file `name` (replacing it whole: the browser commits the file
    /// when it is closed, so a reader never sees half of it).
    pub async fn write(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let f = self.file(name, true).await?;
        let w: FileSystemWritableFileStream = wait(f.create_writable()).await?;
        let written = match w.write_with_u8_array(bytes) {
            Ok(p) => JsFuture::from(p).await.map(|_| ()).map_err(error),
            Err(e) => Err(error(e)),
        };
        if let Err(e) = written {
            let _ = JsFuture::from(w.abort()).await;
            return Err(e);
        }
        JsFuture::from(w.close()).await.map_err(error)?;
        Ok(())
    }

    /// The file `name`.
    pub async fn read(&self, name: &str) -> Result<Vec<u8>, StoreError> {
        let f = self.file(name, false).await?;
        let blob: web_sys::File = wait(f.get_file()).await?;
        let buf = JsFuture::from(blob.array_buffer()).await.map_err(error)?;
        Ok(Uint8Array::new(&buf).to_vec())
    }
}

impl Session {
    /// Start reading the file `name` now, so that it is read while the caller works on the
    /// previous one; the bytes when awaited.
    pub fn read_ahead(
        &self,
        name: &str,
    ) -> impl std::future::Future<Output = Result<Vec<u8>, StoreError>> {
        let (d, name) = (self.0.clone(), name.to_string());
        let p = wasm_bindgen_futures::future_to_promise(async move {
            let o = FileSystemGetFileOptions::new();
            let f: FileSystemFileHandle = JsFuture::from(d.get_file_handle_with_options(&name, &o))
                .await?
                .unchecked_into();
            let file: web_sys::File = JsFuture::from(f.get_file()).await?.unchecked_into();
            JsFuture::from(file.array_buffer()).await
        });
        async move {
            let buf = JsFuture::from(p).await.map_err(error)?;
            Ok(Uint8Array::new(&buf).to_vec())
        }
    }
}

/// Write `bytes` as the file `name` of `session` (made if missing).
pub async fn write(session: &str, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
    Session::open(session, true).await?.write(name, bytes).await
}

/// The file `name` of `session`.
pub async fn read(session: &str, name: &str) -> Result<Vec<u8>, StoreError> {
    Session::open(session, false).await?.read(name).await
}

/// The saved sessions' ids, sorted.
pub async fn list() -> Result<Vec<String>, StoreError> {
    let d = sessions().await?;
    let keys = d.keys();
    let mut out = Vec::new();
    loop {
        let step = JsFuture::from(keys.next().map_err(error)?)
            .await
            .map_err(error)?;
        if Reflect::get(&step, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true)
        {
            break;
        }
        if let Some(k) = Reflect::get(&step, &"value".into())
            .ok()
            .and_then(|v| v.as_string())
        {
            out.push(k);
        }
    }
    out.sort();
    Ok(out)
}

/// Remove a session and its files.
pub async fn delete(session: &str) -> Result<(), StoreError> {
    let o = FileSystemRemoveOptions::new();
    o.set_recursive(true);
    JsFuture::from(sessions().await?.remove_entry_with_options(session, &o))
        .await
        .map_err(error)?;
    Ok(())
}

/// The name of chunk `n`'s file.
pub fn chunk_name(n: u32) -> String {
    format!("chunk-{n:06}")
}

/// A Web Lock held by this tab (`navigator.locks`), released when dropped.
pub struct Held(js_sys::Function);

impl Drop for Held {
    fn drop(&mut self) {
        let _ = self.0.call0(&JsValue::NULL);
    }
}

/// What asking for a session's lock gave.
pub enum Lock {
    /// This tab holds it until the [`Held`] is dropped.
    Held(Held),
    /// Another tab holds it: that tab is saving (or restoring) the session.
    Elsewhere,
    /// This browser has no Web Locks: tabs are not kept apart.
    Unsupported,
}

/// Said once when the browser has no Web Locks.
pub const NO_LOCKS: &str =
    "this browser has no Web Locks, so two tabs saving the same session are not kept apart";

fn locks() -> Option<JsValue> {
    let navigator = web_sys::window()?.navigator();
    let l = Reflect::get(&navigator, &"locks".into()).ok()?;
    (l.is_object()).then_some(l)
}

fn method(on: &JsValue, name: &str) -> Option<js_sys::Function> {
    Reflect::get(on, &name.into()).ok()?.dyn_into().ok()
}

/// The lock of session `id`'s name.
pub fn lock_name(id: &str) -> String {
    format!("trailview-session-{id}")
}

/// Session `id`'s lock, if no other tab holds it (never waits for it).
pub async fn try_lock(id: &str) -> Lock {
    let (Some(locks), Some(request)) = (locks(), locks().and_then(|l| method(&l, "request")))
    else {
        return Lock::Unsupported;
    };
    let mut got: Option<js_sys::Function> = None;
    let acquired = Promise::new(&mut |res, _| got = Some(res));
    let Some(got) = got else {
        return Lock::Unsupported;
    };
    let cb = wasm_bindgen::closure::Closure::once_into_js(move |lock: JsValue| -> JsValue {
        if lock.is_null() {
            let _ = got.call1(&JsValue::NULL, &JsValue::NULL);
            return JsValue::UNDEFINED;
        }
        let mut release = None;
        let held = Promise::new(&mut |res, _| release = Some(res));
        let _ = got.call1(
            &JsValue::NULL,
            &release.map_or(JsValue::NULL, JsValue::from),
        );
        held.into()
    });
    let o = js_sys::Object::new();
    let _ = Reflect::set(&o, &"ifAvailable".into(), &JsValue::TRUE);
    match request.call3(&locks, &lock_name(id).into(), &o, &cb) {
        // The request's own promise settles when the lock is released: its rejection (none
        // expected) is caught here so that it is never an unhandled one.
        Ok(p) => {
            if let Ok(p) = p.dyn_into::<Promise>() {
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = JsFuture::from(p).await;
                });
            }
        }
        Err(_) => return Lock::Unsupported,
    }
    match JsFuture::from(acquired).await {
        Ok(f) => match f.dyn_into::<js_sys::Function>() {
            Ok(f) => Lock::Held(Held(f)),
            Err(_) => Lock::Elsewhere,
        },
        Err(_) => Lock::Elsewhere,
    }
}

/// The sessions whose lock is held in this origin (by any tab, this one included); `None`
/// without Web Locks.
pub async fn locked() -> Option<Vec<String>> {
    let locks = locks()?;
    let p: Promise = method(&locks, "query")?
        .call0(&locks)
        .ok()?
        .dyn_into()
        .ok()?;
    let snapshot = JsFuture::from(p).await.ok()?;
    let held: js_sys::Array = Reflect::get(&snapshot, &"held".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let prefix = lock_name("");
    Some(
        held.iter()
            .filter_map(|l| Reflect::get(&l, &"name".into()).ok()?.as_string())
            .filter_map(|n| n.strip_prefix(&prefix).map(str::to_string))
            .collect(),
    )
}
