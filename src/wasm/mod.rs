//! The JavaScript surface. Only conversion lives here: JS values in, Rust calls, JS values
//! out. The protocol and chain logic stay in the plain-Rust modules.

mod api;
mod body;
mod cancel;
mod errors;
mod fetch;
mod json;
mod keypair;
mod options;
mod signer;
mod transport;
mod types;

pub use api::*;
pub use fetch::*;
pub use keypair::{address_to_public_key, verify_signature, Keypair};
