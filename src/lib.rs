//! x402 payment client for the Vara Network.
//!
//! A 402 answer becomes typed requirements ([`proto::v1`], [`requirements`]), passes the
//! caller's [`policy`], becomes a Vara extrinsic payload read from runtime metadata
//! ([`vara`]), is signed ([`signer`]), self-checked ([`vara::check`]) and encoded into an
//! `X-PAYMENT` header ([`payment`]). The [`wasm`] module is the thin JavaScript layer.

pub mod amount;
pub mod error;
pub mod hexutil;
pub mod payment;
pub mod policy;
pub mod proto;
pub mod requirements;
pub mod signer;
pub mod vara;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

#[cfg(test)]
pub(crate) mod testutil;

pub use error::{Error, ErrorCode, Result};
