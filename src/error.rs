//! One error type for the whole client. Every variant carries a stable code that JavaScript
//! sees unchanged (`X402Error.code`), so callers can branch on it without parsing messages.

use core::fmt;

/// Everything that can stop a payment. Messages never contain secret material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
}

/// Stable, documented error codes (the strings are part of the public API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The 402 body is not a valid x402 version 1 answer.
    Malformed402,
    /// An `X-PAYMENT` header (or a settlement receipt) could not be decoded.
    MalformedHeader,
    /// No entry of `accepts[]` passes the caller's policy.
    NoAcceptableRequirements,
    /// The requested amount is above the caller's limit for that asset.
    AmountOverLimit,
    /// The network is not one the caller allows (or not known at all).
    NetworkNotAllowed,
    /// The asset (VFT program) has not been allowed by the caller.
    AssetNotAllowed,
    /// The recipient is not in the caller's allow-list.
    RecipientNotAllowed,
    /// An address or public key could not be parsed.
    InvalidAddress,
    /// The payment would fail on chain: below the existential deposit to a fresh account.
    BelowExistentialDeposit,
    /// The user, the extension or the `onBeforePayment` hook refused to sign.
    SignerRejected,
    /// The signer returned something that is not a valid signature of the payload.
    InvalidSignature,
    /// The server answered 402 again after being paid, or rejected the payment.
    PaymentRejectedByServer,
    /// The RPC node could not be reached or answered with an error.
    RpcError,
    /// The paid resource's server could not be reached (the wrapped fetch threw).
    NetworkError,
    /// The RPC node belongs to another chain than the requested network.
    WrongChain,
    /// Runtime metadata lacks something the payment needs (pallet, call, extension layout).
    UnsupportedRuntime,
    /// A secret (SURI, mnemonic, seed) could not be turned into a key.
    InvalidSecret,
    /// The request cannot be repeated (for example a one-shot stream body).
    RequestNotReplayable,
    /// A decoded payment does not pay what the requirements ask.
    PaymentMismatch,
    /// A self-check of an emitted header failed: a bug, never sent to the server.
    SelfCheckFailed,
    /// The caller passed options that make no sense.
    InvalidOptions,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 21] = [
        ErrorCode::Malformed402,
        ErrorCode::MalformedHeader,
        ErrorCode::NoAcceptableRequirements,
        ErrorCode::AmountOverLimit,
        ErrorCode::NetworkNotAllowed,
        ErrorCode::AssetNotAllowed,
        ErrorCode::RecipientNotAllowed,
        ErrorCode::InvalidAddress,
        ErrorCode::BelowExistentialDeposit,
        ErrorCode::SignerRejected,
        ErrorCode::InvalidSignature,
        ErrorCode::PaymentRejectedByServer,
        ErrorCode::RpcError,
        ErrorCode::NetworkError,
        ErrorCode::WrongChain,
        ErrorCode::UnsupportedRuntime,
        ErrorCode::InvalidSecret,
        ErrorCode::RequestNotReplayable,
        ErrorCode::PaymentMismatch,
        ErrorCode::SelfCheckFailed,
        ErrorCode::InvalidOptions,
    ];

    /// The code named by its string (a JS error thrown by a hook may carry one).
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == code)
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Malformed402 => "MALFORMED_402",
            ErrorCode::MalformedHeader => "MALFORMED_HEADER",
            ErrorCode::NoAcceptableRequirements => "NO_ACCEPTABLE_REQUIREMENTS",
            ErrorCode::AmountOverLimit => "AMOUNT_OVER_LIMIT",
            ErrorCode::NetworkNotAllowed => "NETWORK_NOT_ALLOWED",
            ErrorCode::AssetNotAllowed => "ASSET_NOT_ALLOWED",
            ErrorCode::RecipientNotAllowed => "RECIPIENT_NOT_ALLOWED",
            ErrorCode::InvalidAddress => "INVALID_ADDRESS",
            ErrorCode::BelowExistentialDeposit => "BELOW_EXISTENTIAL_DEPOSIT",
            ErrorCode::SignerRejected => "SIGNER_REJECTED",
            ErrorCode::InvalidSignature => "INVALID_SIGNATURE",
            ErrorCode::PaymentRejectedByServer => "PAYMENT_REJECTED_BY_SERVER",
            ErrorCode::RpcError => "RPC_ERROR",
            ErrorCode::NetworkError => "NETWORK_ERROR",
            ErrorCode::WrongChain => "WRONG_CHAIN",
            ErrorCode::UnsupportedRuntime => "UNSUPPORTED_RUNTIME",
            ErrorCode::InvalidSecret => "INVALID_SECRET",
            ErrorCode::RequestNotReplayable => "REQUEST_NOT_REPLAYABLE",
            ErrorCode::PaymentMismatch => "PAYMENT_MISMATCH",
            ErrorCode::SelfCheckFailed => "SELF_CHECK_FAILED",
            ErrorCode::InvalidOptions => "INVALID_OPTIONS",
        }
    }
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into() }
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
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
        let mut names: Vec<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len());
    }
}
