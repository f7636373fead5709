//! The caller's `AbortSignal` and our own timers, as promises a wait can race against.
//! Both promises only ever resolve (never reject), so an unused one cannot become an
//! unhandled rejection that crashes Node.
//!
//! The rule for every JS promise the wasm layer starts: it is awaited (a `JsFuture`, which
//! attaches both handlers at once and keeps them even when the future is dropped mid-await),
//! raced (`Promise.race` handles its losers), or handed to [`observe`]. A promise that is
//! dropped unobserved and later rejects (a stream cancelled after it errored, a request our
//! own controller aborted) kills a Node process run with the default `--unhandled-rejections`.

use super::errors::from_js;
use crate::error::{Error, ErrorCode, Result};
use crate::payment::Abort;
use js_sys::{Array, Function, Promise, Reflect};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// Marks a promise we do not await as handled, so that its rejection is not unhandled: a
/// `JsFuture` attaches both handlers at once and keeps them until the promise settles (617 B
/// less wasm than a shared no-op `catch` closure, measured).
pub fn observe(promise: &Promise) {
    drop(JsFuture::from(promise.clone()));
}

/// A promise that resolves after `ms`; the timer is cleared when this is dropped, so a
/// finished payment leaves nothing that keeps a Node process alive.
pub struct Timer {
    id: RefCell<JsValue>,
    promise: Promise,
    pub ms: u32,
}

impl Timer {
    pub fn new(ms: u32) -> Self {
        let id = RefCell::new(JsValue::UNDEFINED);
        let promise = Promise::new(&mut |resolve, _| {
            *id.borrow_mut() = set_timeout(&resolve, ms.min(i32::MAX as u32) as i32);
        });
        Timer { id, promise, ms }
    }

    /// A timer that does not keep a Node process alive (background work: the chain watcher).
    pub fn unref(ms: u32) -> Self {
        let timer = Timer::new(ms);
        if let Some(unref) =
            Reflect::get(&timer.id.borrow(), &"unref".into()).ok().and_then(|f| f.dyn_into::<Function>().ok())
        {
            let _ = unref.call0(&timer.id.borrow());
        }
        timer
    }

    pub fn promise(&self) -> &Promise {
        &self.promise
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        clear_timeout(&self.id.borrow());
    }
}

/// The caller's signal (or none). Cheap to clone.
#[derive(Clone, Default)]
pub struct Cancel {
    signal: Option<AbortSignal>,
    fired: Option<Promise>,
}

impl Cancel {
    pub fn new(signal: Option<AbortSignal>) -> Self {
        let fired = signal.as_ref().map(|s| {
            Promise::new(&mut |resolve, _| {
                if s.aborted() {
                    let _ = resolve.call0(&JsValue::UNDEFINED);
                } else {
                    let once = js_sys::Object::new();
                    let _ = Reflect::set(&once, &"once".into(), &JsValue::TRUE);
                    let add: Option<Function> =
                        Reflect::get(s, &"addEventListener".into()).ok().and_then(|f| f.dyn_into().ok());
                    if let Some(add) = add {
                        let _ = add.call3(s, &"abort".into(), &resolve, &once);
                    }
                }
            })
        });
        Cancel { signal, fired }
    }

    pub fn signal(&self) -> Option<&AbortSignal> {
        self.signal.as_ref()
    }

    pub fn is_aborted(&self) -> bool {
        self.signal.as_ref().is_some_and(|s| s.aborted())
    }

    fn error(&self) -> Error {
        let reason = self
            .signal
            .as_ref()
            .map(|s| s.reason())
            .filter(|r| !r.is_undefined())
            .map(|r| from_js(r, ErrorCode::Aborted).message)
            .unwrap_or_else(|| "aborted".into());
        Error::new(ErrorCode::Aborted, format!("the request was aborted ({reason}); nothing was signed after that"))
    }

    /// Awaits `promise` unless the signal fires or `timer` runs out first. A rejection
    /// becomes an error of code `failed`. `promise` is observed in every case: a request
    /// given up on here is aborted by its caller, and its promise then rejects.
    pub async fn wait(&self, promise: &Promise, timer: Option<&Timer>, failed: ErrorCode) -> Result<JsValue> {
        if let Err(e) = self.check() {
            observe(promise);
            return Err(e);
        }
        let racers = Array::of1(promise);
        if let Some(fired) = &self.fired {
            racers.push(fired);
        }
        if let Some(t) = timer {
            racers.push(t.promise());
        }
        let outcome = JsFuture::from(Promise::race(&racers)).await;
        self.check()?;
        if let Some(t) = timer {
            if timed_out(t).await {
                return Err(Error::new(ErrorCode::Timeout, format!("no answer within {} ms", t.ms)));
            }
        }
        outcome.map_err(|e| from_js(e, failed))
    }
}

/// Whether the timer has fired: its promise settles before a fresh one does only if so.
async fn timed_out(timer: &Timer) -> bool {
    let marker = JsValue::from_str("x402-pending");
    let probe = Promise::race(&Array::of2(timer.promise(), &Promise::resolve(&marker)));
    !JsFuture::from(probe).await.is_ok_and(|v| v == marker)
}

impl Abort for Cancel {
    async fn aborted(&self) -> Error {
        match &self.fired {
            Some(fired) => {
                let _ = JsFuture::from(fired.clone()).await;
                self.error()
            }
            None => core::future::pending().await,
        }
    }

    fn check(&self) -> Result<()> {
        if self.is_aborted() {
            return Err(self.error());
        }
        Ok(())
    }

    async fn sleep(&self, ms: u32) {
        let timer = Timer::new(ms);
        let _ = JsFuture::from(timer.promise().clone()).await;
    }

    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }
}
