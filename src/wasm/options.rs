//! Options objects from JavaScript: the data part read strictly by [`ClientOptions`], the
//! functions (`onBeforePayment`, `selectRequirements`, `rpcFetch`) taken as they are.

use super::json;
use crate::budget::Budget;
use crate::coordinator::Coordinator;
use crate::error::{Error, ErrorCode, Result};
use crate::fleet_budget::FleetBudget;
use crate::ledger::Ledger;
use crate::options::ClientOptions;
use js_sys::{Function, Object, Reflect};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

pub struct JsOptions {
    pub core: ClientOptions,
    /// `signal`: stops the payment (the fetch wrapper uses the request's own signal).
    pub signal: Option<web_sys::AbortSignal>,
    pub rpc_fetch: Option<Function>,
    pub on_before_payment: Option<Function>,
    pub select_requirements: Option<Function>,
    /// Where payments are recorded (`ledger`, else the realm's default ledger).
    pub ledger: Rc<Ledger>,
    /// The budget the `budget` object names (shared by every options object naming it).
    pub budget: Option<Rc<Budget>>,
    /// `coordinator`: the fleet's, when payments from one account are shared with other
    /// processes.
    pub coordinator: Option<Coordinator>,
    /// The fleet's side of `budget`, when `coordinator` is given too.
    pub fleet_budget: Option<Rc<FleetBudget>>,
}

fn function(object: &JsValue, name: &str) -> Option<Function> {
    Reflect::get(object, &name.into()).ok().and_then(|f| f.dyn_into().ok())
}

impl JsOptions {
    pub fn from_js(value: &JsValue) -> Result<Self> {
        if value.is_undefined() || value.is_null() {
            return Ok(JsOptions {
                core: ClientOptions::default(),
                signal: None,
                rpc_fetch: None,
                on_before_payment: None,
                select_requirements: None,
                ledger: super::books::default_ledger(),
                budget: None,
                coordinator: None,
                fleet_budget: None,
            });
        }
        if !value.is_object() || value.is_function() || js_sys::Array::is_array(value) {
            return Err(Error::new(ErrorCode::InvalidOptions, "options must be a plain object"));
        }
        let hooks: Vec<String> = Object::keys(value.unchecked_ref::<Object>())
            .iter()
            .filter_map(|k| k.as_string())
            .filter(|k| Reflect::get(value, &k.into()).is_ok_and(|v| v.is_function()))
            .collect();
        // The ledger and the coordinator are objects of their own (a ledger's toJSON would
        // copy every entry; a coordinator holds a Redis client): read apart.
        let ledger_value = Reflect::get(value, &"ledger".into()).unwrap_or(JsValue::UNDEFINED);
        let coordinator_value = Reflect::get(value, &"coordinator".into()).unwrap_or(JsValue::UNDEFINED);
        let data = if ledger_value.is_undefined() && coordinator_value.is_undefined() {
            json::from_js(value, ErrorCode::InvalidOptions, "options")?
        } else {
            let copy = Object::assign(&Object::new(), value.unchecked_ref());
            let _ = Reflect::delete_property(&copy, &"ledger".into());
            let _ = Reflect::delete_property(&copy, &"coordinator".into());
            json::from_js(&copy, ErrorCode::InvalidOptions, "options")?
        };
        let coordinator = super::coordinator::coordinator_of(&coordinator_value)?;
        let signal = Reflect::get(value, &"signal".into()).unwrap_or(JsValue::UNDEFINED);
        let signal = if signal.is_undefined() || signal.is_null() {
            None
        } else {
            Some(
                signal
                    .dyn_into::<web_sys::AbortSignal>()
                    .map_err(|_| Error::new(ErrorCode::InvalidOptions, "options.signal must be an AbortSignal"))?,
            )
        };
        let core = ClientOptions::from_json(&data, &hooks)?;
        let ledger = super::books::ledger_of(&ledger_value)?;
        let budget = match &core.budget {
            Some(limits) => {
                let object = Reflect::get(value, &"budget".into()).unwrap_or(JsValue::UNDEFINED);
                Some(super::books::budget_for(&object, limits, &ledger)?)
            }
            None => None,
        };
        let fleet_budget = match (&budget, &coordinator) {
            (Some(budget), Some(coordinator)) => Some(super::books::fleet_budget_for(budget, coordinator, &ledger)?),
            _ => None,
        };
        Ok(JsOptions {
            core,
            ledger,
            budget,
            coordinator,
            fleet_budget,
            signal,
            rpc_fetch: function(value, "rpcFetch"),
            on_before_payment: function(value, "onBeforePayment"),
            select_requirements: function(value, "selectRequirements"),
        })
    }
}
