//! The JavaScript surface. Only conversion lives here: JS values in, Rust calls, JS values
//! out. The protocol and chain logic stay in the plain-Rust modules.
//!
//! Two wasm modules are built from this crate: the payment client (feature `payments`: the
//! default npm entry) and the in-wasm key (feature `keypair`: `x402-vara-wasm/keypair`), so an
//! app that signs with an extension never ships the key's code.

mod args;
mod errors;
#[cfg(feature = "payments")]
mod json;

#[cfg(feature = "payments")]
mod accounts;
#[cfg(feature = "payments")]
mod api;
#[cfg(feature = "payments")]
mod body;
#[cfg(feature = "payments")]
mod books;
#[cfg(feature = "payments")]
mod cancel;
#[cfg(feature = "payments")]
mod coordinator;
#[cfg(feature = "payments")]
mod fetch;
#[cfg(feature = "payments")]
mod options;
#[cfg(feature = "payments")]
mod paid_request;
#[cfg(feature = "payments")]
mod retries;
#[cfg(feature = "payments")]
mod signer;
#[cfg(feature = "payments")]
mod transport;
#[cfg(feature = "payments")]
mod types;

#[cfg(feature = "keypair")]
mod keypair;

#[cfg(feature = "payments")]
pub use accounts::{address_to_public_key, verify_signature};
#[cfg(feature = "payments")]
pub use api::*;
#[cfg(feature = "payments")]
pub use books::JsLedger;
#[cfg(feature = "payments")]
pub use fetch::*;
#[cfg(feature = "keypair")]
pub use keypair::Keypair;
