//! x402 payment client for the Vara Network.
//!
//! A 402 answer becomes typed requirements ([`proto`], [`requirements`]), passes the
//! caller's [`policy`], becomes a Vara extrinsic payload read from runtime metadata
//! ([`vara`]), takes its turn among the payer's payments ([`vara::nonces`]), is signed
//! ([`signer`]), self-checked ([`inspect`]) and encoded into the version's header
//! ([`payment`], [`scheme`]). The [`wasm`] module is the thin JavaScript layer.

pub mod amount;
pub mod budget;
pub mod coordinator;
pub mod error;
pub mod fleet;
pub mod fleet_budget;
/// Fuzz targets' entry points (native only; see fuzz/ and tests/fuzz_regressions.rs).
#[cfg(not(target_arch = "wasm32"))]
#[doc(hidden)]
pub mod fuzzing;
pub mod hexutil;
pub mod inspect;
pub mod json;
pub mod ledger;
pub mod options;
pub mod payment;
pub mod policy;
pub mod proto;
pub mod report;
pub mod requirements;
pub mod scheme;
pub mod signer;
pub mod vara;
pub mod wait;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

#[cfg(test)]
pub(crate) mod testutil;

pub use error::{Error, ErrorCode, Result};
