//! Whether a payment has reached the node's transaction pool: the sign that its turn in the
//! payer's lane is over (its nonce is used), long before a seller that waits for execution
//! answers. One batch: the pool's pending extrinsics and the payer's account (the payment
//! may already be in a block).
//!
//! The exact extrinsic is looked for (by hash), not counted: chopsticks' own
//! `system_accountNextIndex` adds every pending extrinsic of the account, even one that
//! reuses a nonce or leaves a gap, so a count could say "there" for a payment that is not.

use crate::error::{Error, ErrorCode, Result};
use crate::hexutil;
use crate::json::Value;
use crate::vara::address::AccountId;
use crate::vara::chain::ChainClient;
use crate::vara::hashing::blake2_256;
use crate::vara::network::Endpoint;
use crate::vara::rpc::{Call, Transport};
use crate::vara::watch::{account_key, account_nonce};

/// How often the payment behind a handed one asks the node whether it is pooled.
pub const POOL_POLL_MS: u32 = 100;

/// Whether the extrinsic `tx_hash` (nonce `nonce` of `payer`) is pending in the node's pool,
/// or the payer's nonce on chain is already past it.
pub async fn reached<T: Transport>(
    chain: &ChainClient,
    t: &T,
    endpoint: &Endpoint,
    payer: &AccountId,
    nonce: u32,
    tx_hash: &[u8; 32],
) -> Result<bool> {
    let calls = [
        Call::new("author_pendingExtrinsics", Value::Array(vec![])),
        Call::new("state_getStorage", Value::Array(vec![account_key(payer).into()])),
    ];
    chain
        .on_any_endpoint_of(t, endpoint, &calls, |a| {
            if account_nonce(&a[1])? > nonce {
                return Ok(true);
            }
            let pending = a[0].as_array().ok_or_else(bad)?;
            for x in pending {
                let bytes = x.as_str().and_then(|s| hexutil::decode(s).ok()).ok_or_else(bad)?;
                if blake2_256(&bytes) == *tx_hash {
                    return Ok(true);
                }
            }
            Ok(false)
        })
        .await
}

fn bad() -> Error {
    Error::new(ErrorCode::RpcError, "unexpected answer to author_pendingExtrinsics")
}

/// The payer's next nonce as the node counts it (its pool included), and the best block.
pub async fn next_index<T: Transport>(
    chain: &ChainClient,
    t: &T,
    endpoint: &Endpoint,
    payer: &AccountId,
) -> Result<(u32, u64)> {
    let calls = [
        Call::new("system_accountNextIndex", Value::Array(vec![payer.to_ss58(endpoint.network.ss58_prefix()).into()])),
        Call::new("chain_getHeader", Value::Array(vec![])),
    ];
    chain
        .on_any_endpoint_of(t, endpoint, &calls, |a| {
            let next = crate::vara::chain::next_index(&a[0])?;
            let (best, _) = crate::vara::chain::header_of(&a[1])?;
            Ok((next, best as u64))
        })
        .await
}
