//! What an app is told after a payment was handed to a seller: the seller's word (status,
//! receipt claim) judged by the chain's verdict so far. One rule for the fetch wrapper, the
//! Axios shim, the @x402 scheme and any other transport.
//!
//! - The chain executed it: a 2xx is served; anything else is `PAID_NOT_SERVED` (a retry
//!   would pay again), never "rejected" or "not settled".
//! - The chain proved it dead because another payment of ours used its nonce (a refused
//!   payment its seller cashed, a front-runner): the seller never held a valid payment, so
//!   it is signed again with a fresh nonce and sent once more.
//! - Still pending: a 2xx is served (the watcher confirms it later); a refusal is reported
//!   with the block until which the payment may still execute.

use crate::error::ErrorCode;
use crate::ledger::{Answer, Verdict};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// Hand the seller's response to the app, its receipt attached.
    Serve,
    /// Sign the request's payment again with a fresh nonce and send it once more.
    Resend,
    /// An error of this code, with this message (details are added by the caller).
    Fail { code: ErrorCode, message: String },
}

fn answered(answer: &Answer) -> String {
    match answer.status {
        Some(402) => "answered 402 again".into(),
        Some(s) => format!("answered HTTP {s}"),
        None => "did not answer".into(),
    }
}

fn reason(answer: &Answer) -> String {
    answer.reason.as_deref().filter(|r| !r.is_empty()).map(|r| format!(": {r}")).unwrap_or_default()
}

/// The rule. `valid_until` is the last block the payment can be included in; `may_resend` is
/// false once a request has been re-signed (a request is re-signed at most once).
pub fn decide(answer: &Answer, verdict: Option<&Verdict>, valid_until: Option<u64>, may_resend: bool) -> Report {
    let served = answer.status.is_some_and(|s| (200..300).contains(&s));
    let claimed = answer.claimed_success;
    let fail = |code, message: String| Report::Fail { code, message };
    match verdict {
        Some(v) if v.paid() => {
            if served {
                return Report::Serve;
            }
            let block = v.block_number.map(|b| format!(" in block {b}")).unwrap_or_default();
            fail(
                ErrorCode::PaidNotServed,
                format!(
                    "the chain executed the payment{block}, but the seller {}{}: retrying would pay again (see the ledger entry)",
                    answered(answer),
                    reason(answer)
                ),
            )
        }
        Some(v) if v.status == "failed" => {
            if served {
                return Report::Serve;
            }
            fail(
                ErrorCode::SettlementFailed,
                format!(
                    "the chain included the payment but its transfer failed (only the fee was taken), and the seller {}{}",
                    answered(answer),
                    reason(answer)
                ),
            )
        }
        Some(v) => {
            if served {
                return Report::Serve;
            }
            if v.reason.as_deref() == Some("nonce-used") && may_resend {
                return Report::Resend;
            }
            let claim = if claimed == Some(true) { " (its receipt claimed success; the chain disagrees)" } else { "" };
            let (code, what) = refusal(answer);
            fail(code, format!("{what}{claim}{}; the chain proved the payment dead: nothing was paid", reason(answer)))
        }
        None => {
            if served {
                return Report::Serve;
            }
            let until = valid_until
                .map(|b| format!("; it may still execute until block {b}, whoever holds it can submit it"))
                .unwrap_or_default();
            if claimed == Some(true) && answer.status.is_some_and(|s| s != 402) {
                // The seller says it settled and then failed: its word, returned with the
                // receipt; the watcher confirms or refutes it.
                return Report::Serve;
            }
            let claim = if claimed == Some(true) {
                " (its receipt claims success: the seller's word, not the chain's)"
            } else {
                ""
            };
            let (code, what) = refusal(answer);
            fail(code, format!("{what}{claim}{}{until}", reason(answer)))
        }
    }
}

/// How a seller's refusal is named when the chain has not seen the payment execute.
fn refusal(answer: &Answer) -> (ErrorCode, String) {
    match answer.status {
        Some(s) if answer.claimed_success == Some(false) => {
            (ErrorCode::SettlementFailed, format!("the server reports that settling the payment failed (HTTP {s})"))
        }
        Some(402) => (ErrorCode::PaymentRejectedByServer, "the server answered 402 again after payment".into()),
        Some(s) => (ErrorCode::SettlementFailed, format!("the server did not settle the payment (HTTP {s})")),
        None => (ErrorCode::NetworkError, "the server did not answer the paid request".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: Option<u16>, claimed: Option<bool>) -> Answer {
        Answer { status, claimed_success: claimed, claimed_tx_hash: None, reason: None }
    }

    fn code(r: Report) -> Option<ErrorCode> {
        match r {
            Report::Fail { code, .. } => Some(code),
            _ => None,
        }
    }

    #[test]
    fn an_executed_payment_is_never_reported_as_refused() {
        let executed = Verdict::included(true, 9, "0x09".into(), 1);
        for status in [Some(402), Some(500), Some(404), None] {
            for claimed in [None, Some(true), Some(false)] {
                let r = decide(&answer(status, claimed), Some(&executed), Some(70), true);
                assert_eq!(code(r), Some(ErrorCode::PaidNotServed), "{status:?} {claimed:?}");
            }
        }
        assert_eq!(decide(&answer(Some(200), None), Some(&executed), Some(70), true), Report::Serve);
    }

    #[test]
    fn a_payment_dead_by_our_own_nonce_is_resent_once() {
        let dead = Verdict::dead("nonce-used");
        assert_eq!(decide(&answer(Some(402), None), Some(&dead), None, true), Report::Resend);
        assert_eq!(
            code(decide(&answer(Some(402), None), Some(&dead), None, false)),
            Some(ErrorCode::PaymentRejectedByServer)
        );
        let era = Verdict::dead("era-ended");
        let r = decide(&answer(Some(500), Some(true)), Some(&era), None, true);
        match r {
            Report::Fail { code, message } => {
                assert_eq!(code, ErrorCode::SettlementFailed);
                assert!(message.contains("nothing was paid") && message.contains("chain disagrees"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn pending_refusals_say_until_when_the_payment_can_execute() {
        match decide(&answer(Some(402), Some(true)), None, Some(123), true) {
            Report::Fail { code, message } => {
                assert_eq!(code, ErrorCode::PaymentRejectedByServer);
                assert!(message.contains("until block 123") && message.contains("seller's word"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(code(decide(&answer(None, None), None, Some(5), true)), Some(ErrorCode::NetworkError));
        assert_eq!(decide(&answer(Some(500), Some(true)), None, Some(5), true), Report::Serve);
        assert_eq!(
            code(decide(&answer(Some(500), Some(false)), None, Some(5), true)),
            Some(ErrorCode::SettlementFailed)
        );
        assert_eq!(decide(&answer(Some(204), None), None, None, true), Report::Serve);
    }
}
