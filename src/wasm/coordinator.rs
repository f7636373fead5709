//! `options.coordinator` (from `x402-vara-wasm/redis`) adapted to [`SharedStore`]: its
//! `load(key)` and `swap(key, version, text, ttlMs)` return promises; a rejection (Redis down,
//! a timeout) is `COORDINATOR_ERROR`. The rules stay in Rust (`crate::coordinator`).

use super::errors::from_js;
use crate::coordinator::{Coordinator, Loaded, SharedStore, StoreFuture, LEASE_MS};
use crate::error::{Error, ErrorCode, Result};
use js_sys::{Function, Promise, Reflect};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

struct JsStore {
    object: JsValue,
    load: Function,
    swap: Function,
}

thread_local! {
    /// This process's (this wasm instance's) name in the coordinator's records.
    static PROCESS: String = crate::proto::v2::new_payment_id().map(|id| id.replace("pay_", "p")).unwrap_or_default();
}

fn failed(e: JsValue) -> Error {
    let e = from_js(e, ErrorCode::CoordinatorError);
    if e.code == ErrorCode::CoordinatorError {
        e
    } else {
        Error::new(ErrorCode::CoordinatorError, e.message).with_cause(e.cause)
    }
}

async fn call(f: &Function, this: &JsValue, args: &js_sys::Array) -> Result<JsValue> {
    let promise = f.apply(this, args).map_err(failed)?;
    JsFuture::from(Promise::resolve(&promise)).await.map_err(failed)
}

fn bad(what: &str) -> Error {
    Error::new(ErrorCode::CoordinatorError, format!("the coordinator's {what} answered something else than expected"))
}

impl SharedStore for JsStore {
    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Loaded> {
        Box::pin(async move {
            let v = call(&self.load, &self.object, &js_sys::Array::of1(&key.into())).await?;
            let field = |k: &str| Reflect::get(&v, &k.into()).unwrap_or(JsValue::UNDEFINED);
            let text = field("text");
            let text = if text.is_null() || text.is_undefined() {
                None
            } else {
                Some(text.as_string().ok_or_else(|| bad("load"))?)
            };
            let version = field("version").as_f64().ok_or_else(|| bad("load"))? as u64;
            let now_ms = field("nowMs").as_f64().ok_or_else(|| bad("load"))?;
            Ok(Loaded { text, version, now_ms })
        })
    }

    fn swap<'a>(&'a self, key: &'a str, version: u64, text: &'a str, ttl_ms: u64) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let args = js_sys::Array::of4(&key.into(), &(version as f64).into(), &text.into(), &(ttl_ms as f64).into());
            Ok(call(&self.swap, &self.object, &args).await?.is_truthy())
        })
    }
}

/// `options.coordinator`, when given: an object with `load` and `swap` methods, `prefix`
/// and `leaseMs`.
pub fn coordinator_of(value: &JsValue) -> Result<Option<Coordinator>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let method = |k: &str| Reflect::get(value, &k.into()).ok().and_then(|f| f.dyn_into::<Function>().ok());
    let (Some(load), Some(swap)) = (method("load"), method("swap")) else {
        return Err(Error::new(
            ErrorCode::InvalidOptions,
            "options.coordinator must be a coordinator (redisCoordinator(client) from x402-vara-wasm/redis)",
        ));
    };
    let prefix =
        Reflect::get(value, &"prefix".into()).ok().and_then(|p| p.as_string()).unwrap_or_else(|| "x402-vara".into());
    let lease_ms = Reflect::get(value, &"leaseMs".into()).ok().and_then(|l| l.as_f64());
    let lease_ms = match lease_ms {
        None => LEASE_MS,
        // Below a second, a lease can end while its holder signs or polls the pool, and the
        // waiting payments re-queue each other without end (seen at 100 ms).
        Some(l) if (1_000.0..=600_000.0).contains(&l) => l as u32,
        Some(_) => {
            return Err(Error::new(
                ErrorCode::InvalidOptions,
                "options.coordinator.leaseMs must be within 1000..=600000",
            ))
        }
    };
    Ok(Some(Coordinator {
        store: Rc::new(JsStore { object: value.clone(), load, swap }),
        prefix,
        lease_ms,
        process: PROCESS.with(Clone::clone),
    }))
}
