//! The Vara `exact` scheme's payload: what a client signs and a facilitator settles, the same
//! object in x402 version 1 (`X-PAYMENT`) and version 2 (`PAYMENT-SIGNATURE`).

use crate::vara::extrinsic::SignerPayloadJson;
use serde::{Deserialize, Serialize};

/// The only scheme Vara defines.
pub const SCHEME_EXACT: &str = "exact";

/// polkadot-js's SignerPayloadJSON and its signature: a facilitator rebuilds the signed bytes
/// from `transaction` (as the reference does with polkadot-js) and submits the extrinsic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExactVaraPayload {
    pub transaction: SignerPayloadJson,
    /// The `MultiSignature` in hex: `0x01` (sr25519) or `0x00` (ed25519) and 64 bytes, or
    /// `0x02` (ecdsa) and 65.
    pub signature: String,
}
