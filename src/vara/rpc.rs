//! JSON-RPC 2.0 over HTTP POST. The transport is supplied by the platform (the JS `fetch` in
//! wasm, anything in native tests), so this module holds no I/O of its own.

use crate::error::{err, Error, ErrorCode, Result};
use crate::json::Value;
use core::cell::Cell;

/// Sends one HTTP POST with a JSON body and returns the response body.
#[allow(async_fn_in_trait)]
pub trait Transport {
    async fn post_json(&self, url: &str, body: String) -> Result<String>;
}

#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub method: &'static str,
    pub params: Value,
}

impl Call {
    pub fn new(method: &'static str, params: Value) -> Self {
        Call { method, params }
    }
}

/// `{"id", "jsonrpc": "2.0", "method", "params"}` (keys sorted, as they always were).
fn request(id: usize, call: &Call) -> Value {
    Value::object([
        ("jsonrpc", "2.0".into()),
        ("id", id.into()),
        ("method", call.method.into()),
        ("params", call.params.clone()),
    ])
}

fn rpc_error(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::RpcError, message)
}

/// A JSON-RPC client for one endpoint; remembers whether the node accepts batches.
#[derive(Debug)]
pub struct RpcClient {
    pub url: String,
    batch_supported: Cell<bool>,
    /// Round trips made (for the benchmarks' "requests per payment").
    pub round_trips: Cell<u32>,
}

impl RpcClient {
    pub fn new(url: impl Into<String>) -> Self {
        RpcClient { url: url.into(), batch_supported: Cell::new(true), round_trips: Cell::new(0) }
    }

    /// Runs several calls in one round trip when the node supports batches, one by one
    /// otherwise. Results come back in the order of `calls`.
    pub async fn batch<T: Transport>(&self, transport: &T, calls: &[Call]) -> Result<Vec<Value>> {
        if calls.len() > 1 && self.batch_supported.get() {
            let body: Vec<Value> = calls.iter().enumerate().map(|(id, c)| request(id, c)).collect();
            let text = self.post(transport, crate::json::to_text(&body)).await?;
            match crate::json::from_text::<Value>(&text) {
                Ok(Value::Array(answers)) => return collect_batch(calls, answers),
                // A node without batch support answers with one error object: remember it.
                Ok(Value::Object(_)) => self.batch_supported.set(false),
                // Anything else (a proxy's error page) says nothing about batches: fall back
                // this once, and batch again next time.
                _ => {}
            }
        }
        let mut results = Vec::with_capacity(calls.len());
        for c in calls {
            results.push(self.call(transport, c).await?);
        }
        Ok(results)
    }

    pub async fn call<T: Transport>(&self, transport: &T, call: &Call) -> Result<Value> {
        let body = request(0, call);
        let text = self.post(transport, crate::json::to_text(&body)).await?;
        let answer: Value = crate::json::from_text(&text).map_err(|why| unreadable(&self.url, call.method, &why))?;
        result_of(call.method, answer)
    }

    async fn post<T: Transport>(&self, transport: &T, body: String) -> Result<String> {
        self.round_trips.set(self.round_trips.get() + 1);
        transport.post_json(&self.url, body).await
    }
}

/// Names the node, the method and why its answer could not be read; the reason is cut short
/// because a parser's message may quote the node's text.
fn unreadable(url: &str, method: &str, why: &str) -> Error {
    let why: String = why.chars().take(160).collect();
    rpc_error(format!("{url} answered {method} with non-JSON or JSON this client cannot hold ({why})"))
}

pub(crate) fn collect_batch(calls: &[Call], answers: Vec<Value>) -> Result<Vec<Value>> {
    let mut results = vec![None; calls.len()];
    for answer in answers {
        let id =
            answer.get("id").and_then(Value::as_u64).ok_or_else(|| rpc_error("batch answer without an id"))? as usize;
        let call = calls.get(id).ok_or_else(|| rpc_error("batch answer with an unknown id"))?;
        // Two answers to one call: which one is true cannot be told, so neither is used.
        if results[id].is_some() {
            return Err(rpc_error(format!("two answers to {}", call.method)));
        }
        results[id] = Some(result_of(call.method, answer)?);
    }
    results
        .into_iter()
        .enumerate()
        .map(|(i, r)| r.ok_or_else(|| rpc_error(format!("no answer to {}", calls[i].method))))
        .collect()
}

/// The most of a node's error message an error repeats (a server's reason is cut alike).
const MAX_NODE_MESSAGE_CHARS: usize = 300;

pub(crate) fn result_of(method: &str, mut answer: Value) -> Result<Value> {
    if let Some(e) = answer.get("error") {
        let message = e.get("message").and_then(Value::as_str).unwrap_or("unknown error");
        let message = match message.char_indices().nth(MAX_NODE_MESSAGE_CHARS) {
            Some((i, _)) => &message[..i],
            None => message,
        };
        return err(ErrorCode::RpcError, format!("{method} failed: {message}"));
    }
    match answer.get_mut("result") {
        Some(v) => Ok(v.take()),
        None => err(ErrorCode::RpcError, format!("{method}: answer has no result")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json;
    use core::cell::RefCell;

    /// A scripted transport: records requests, answers from a list. No node runs in unit
    /// tests; the end-to-end tests use a real chain.
    struct Scripted {
        answers: RefCell<Vec<String>>,
        seen: RefCell<Vec<String>>,
    }

    impl Transport for Scripted {
        async fn post_json(&self, _url: &str, body: String) -> Result<String> {
            self.seen.borrow_mut().push(body);
            Ok(self.answers.borrow_mut().remove(0))
        }
    }

    fn block_on<F: core::future::Future>(f: F) -> F::Output {
        crate::testutil::block_on(f)
    }

    #[test]
    fn batches_in_one_round_trip_and_orders_by_id() {
        let t = Scripted {
            answers: RefCell::new(vec![
                r#"[{"jsonrpc":"2.0","id":1,"result":"b"},{"jsonrpc":"2.0","id":0,"result":"a"}]"#.into(),
            ]),
            seen: RefCell::new(vec![]),
        };
        let rpc = RpcClient::new("http://node");
        let out = block_on(rpc.batch(&t, &[Call::new("x", json!([])), Call::new("y", json!([]))])).unwrap();
        assert_eq!(out, vec![json!("a"), json!("b")]);
        assert_eq!(rpc.round_trips.get(), 1);
    }

    #[test]
    fn refuses_a_batch_answering_one_call_twice() {
        let t = Scripted {
            answers: RefCell::new(vec![r#"[{"jsonrpc":"2.0","id":0,"result":"a"},{"jsonrpc":"2.0","id":1,"result":"b"},{"jsonrpc":"2.0","id":1,"result":"c"}]"#.into()]),
            seen: RefCell::new(vec![]),
        };
        let e =
            block_on(RpcClient::new("http://node").batch(&t, &[Call::new("x", json!([])), Call::new("y", json!([]))]))
                .unwrap_err();
        assert_eq!(e.code, ErrorCode::RpcError);
        assert!(e.message.contains("two answers to y"), "{}", e.message);
    }

    #[test]
    fn falls_back_when_batches_are_refused_and_reports_errors() {
        let t = Scripted {
            answers: RefCell::new(vec![
                r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"batch"}}"#.into(),
                r#"{"jsonrpc":"2.0","id":0,"result":1}"#.into(),
                r#"{"jsonrpc":"2.0","id":0,"error":{"code":1,"message":"boom"}}"#.into(),
            ]),
            seen: RefCell::new(vec![]),
        };
        let rpc = RpcClient::new("http://node");
        let e = block_on(rpc.batch(&t, &[Call::new("x", json!([])), Call::new("y", json!([]))])).unwrap_err();
        assert_eq!(e.code, ErrorCode::RpcError);
        assert!(e.message.contains("y failed: boom"), "{}", e.message);
        assert_eq!(t.seen.borrow().len(), 3);
    }
}
