//! The JavaScript surface. Only conversion lives here: JS values in, Rust calls, JS values
//! out. The protocol and chain logic stay in the plain-Rust modules.

mod errors;
mod keypair;
mod options;
mod signer;
mod transport;
mod types;
mod api;
mod fetch;
mod json;

pub use api::*;
pub use fetch::*;
pub use keypair::{verify_signature, Keypair};
