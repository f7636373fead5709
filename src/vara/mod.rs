//! Everything specific to the Vara chain: addresses, networks, JSON-RPC, runtime metadata,
//! extrinsic payloads, the Sails token call, and nonce sequencing.

pub mod address;
pub mod args;
pub mod calls;
pub mod chain;
pub mod era;
pub mod events;
pub mod extrinsic;
pub mod hashing;
pub mod metadata;
pub mod metadata_hash;
pub mod network;
pub mod nonces;
pub mod pool;
pub mod rpc;
pub mod scale;
pub mod shared_lane;
pub mod signed_extrinsic;
pub mod types;
pub mod vft;
pub mod watch;
