//! One error type for the whole client. Every variant carries a stable code that JavaScript
//! sees unchanged (`X402Error.code`), so callers can branch on it without parsing messages.

use core::fmt;

/// Everything that can stop a payment. Messages never contain secret material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    /// What the platform threw, when this error wraps one (a JS `TypeError: fetch failed`):
    /// handed back to the caller as the error's `cause`.
    pub cause: Option<Cause>,
    /// Structured facts for the caller (a budget's window and what is left): the error's
    /// `details` in JS.
    pub details: Option<Details>,
}

/// JSON facts attached to an error; never compared.
#[derive(Debug, Clone)]
pub struct Details(pub crate::json::Value);

impl PartialEq for Details {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Details {}

/// An opaque platform error kept for the caller; never compared, never shown by `Debug`.
#[derive(Clone)]
pub struct Cause(pub std::rc::Rc<dyn core::any::Any>);

impl PartialEq for Cause {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Cause {}

impl fmt::Debug for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cause(..)")
    }
}

/// Stable, documented error codes (the strings are part of the public API). One list: the
/// enum, its strings and `ALL` are generated from it so they cannot drift apart.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $name:ident => $text:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[doc = $doc])* $name,)*
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$name,)*];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$name => $text,)*
                }
            }
        }
    };
}

error_codes! {
    /// The 402 answer is not a valid x402 answer (body or `PAYMENT-REQUIRED` header).
    Malformed402 => "MALFORMED_402",
    /// A payment header (or a settlement receipt) could not be decoded.
    MalformedHeader => "MALFORMED_HEADER",
    /// No entry of `accepts[]` passes the caller's policy.
    NoAcceptableRequirements => "NO_ACCEPTABLE_REQUIREMENTS",
    /// The requested amount is above the caller's limit for that asset.
    AmountOverLimit => "AMOUNT_OVER_LIMIT",
    /// The requested amount is zero: a zero transfer still costs the payer a fee.
    ZeroAmount => "ZERO_AMOUNT",
    /// The network is not one the caller allows (or not known at all).
    NetworkNotAllowed => "NETWORK_NOT_ALLOWED",
    /// The asset (VFT program) has not been allowed by the caller.
    AssetNotAllowed => "ASSET_NOT_ALLOWED",
    /// The asset's program does not answer as a VFT token (no `Vft/BalanceOf` in either Sails dialect).
    UnsupportedAsset => "UNSUPPORTED_ASSET",
    /// The recipient is not in the caller's allow-list.
    RecipientNotAllowed => "RECIPIENT_NOT_ALLOWED",
    /// An address or public key could not be parsed.
    InvalidAddress => "INVALID_ADDRESS",
    /// The payment would fail on chain: below the existential deposit to a fresh account.
    BelowExistentialDeposit => "BELOW_EXISTENTIAL_DEPOSIT",
    /// The payer's free balance cannot cover the amount, the fee and the existential deposit.
    InsufficientBalance => "INSUFFICIENT_BALANCE",
    /// The user, the extension or the `onBeforePayment` hook refused to sign.
    SignerRejected => "SIGNER_REJECTED",
    /// The signer returned something that is not a valid signature of the payload.
    InvalidSignature => "INVALID_SIGNATURE",
    /// The in-wasm key was freed (`free()`); it can no longer sign.
    KeyFreed => "KEY_FREED",
    /// The server answered 402 again after being paid, or rejected the payment.
    PaymentRejectedByServer => "PAYMENT_REJECTED_BY_SERVER",
    /// The server took the payment but answered with an error (settlement failed).
    SettlementFailed => "SETTLEMENT_FAILED",
    /// The chain executed the payment, but the seller did not serve the resource: retrying
    /// would pay again (the error carries the ledger entry and the receipt).
    PaidNotServed => "PAID_NOT_SERVED",
    /// A budget's cap would be passed (what is left and when the window reopens are in
    /// `details`).
    BudgetExceeded => "BUDGET_EXCEEDED",
    /// The seller redirected the paid request to another origin: the payment was not sent
    /// there.
    CrossOriginRedirect => "CROSS_ORIGIN_REDIRECT",
    /// The RPC node could not be reached or answered with an error.
    RpcError => "RPC_ERROR",
    /// The paid resource's server could not be reached (the wrapped fetch threw).
    NetworkError => "NETWORK_ERROR",
    /// A step took longer than `timeoutMs`.
    Timeout => "TIMEOUT",
    /// The caller's `AbortSignal` fired.
    Aborted => "ABORTED",
    /// The RPC node belongs to another chain than the requested network.
    WrongChain => "WRONG_CHAIN",
    /// Runtime metadata lacks something the payment needs, or contradicts the known layout.
    UnsupportedRuntime => "UNSUPPORTED_RUNTIME",
    /// A secret (SURI, mnemonic, seed) could not be turned into a key.
    InvalidSecret => "INVALID_SECRET",
    /// The request cannot be repeated (for example a one-shot stream body).
    RequestNotReplayable => "REQUEST_NOT_REPLAYABLE",
    /// A decoded payment does not pay what the requirements ask.
    PaymentMismatch => "PAYMENT_MISMATCH",
    /// A self-check of an emitted header failed: a bug, never sent to the server.
    SelfCheckFailed => "SELF_CHECK_FAILED",
    /// The caller passed options that make no sense.
    InvalidOptions => "INVALID_OPTIONS",
    /// The fleet coordinator (`options.coordinator`, Redis) could not be reached or did not
    /// answer in time: the payment was not handed to anyone (never a fall-back to local
    /// nonces).
    CoordinatorError => "COORDINATOR_ERROR",
    /// A synchronous function was called before the wasm was loaded (`await ready()`).
    NotReady => "NOT_READY",
    /// No Polkadot wallet extension is installed (or not the one named).
    WalletNotFound => "WALLET_NOT_FOUND",
    /// The wallet offers no account that can pay on Vara (or not the one named).
    NoUsableAccount => "NO_USABLE_ACCOUNT",
}

impl ErrorCode {
    /// The code named by its string (a JS error thrown by a hook may carry one).
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == code)
    }
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into(), cause: None, details: None }
    }

    pub fn with_details(mut self, details: crate::json::Value) -> Self {
        self.details = Some(Details(details));
        self
    }

    pub fn with_cause(mut self, cause: Option<Cause>) -> Self {
        self.cause = cause;
        self
    }

    /// The same error with a new message (the cause is kept).
    pub fn reworded(self, message: impl Into<String>) -> Self {
        Error { message: message.into(), ..self }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Shorthand used across the crate: `err(ErrorCode::X, format!(..))`.
pub fn err<T>(code: ErrorCode, message: impl Into<String>) -> Result<T> {
    Err(Error::new(code, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_string() {
        for &code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
        let mut names: Vec<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn the_typescript_union_lists_every_code() {
        let declarations = include_str!("wasm/types.rs");
        let union = declarations.split("export type X402ErrorCode =").nth(1).unwrap().split(';').next().unwrap();
        let quoted: Vec<&str> = union.split('"').skip(1).step_by(2).collect();
        let mut codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        codes.sort();
        let mut quoted_sorted = quoted.clone();
        quoted_sorted.sort();
        assert_eq!(quoted_sorted, codes);
    }
}
