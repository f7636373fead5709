//! Asking a signer to sign one payment, and holding its answer to what was asked before
//! anything uses it. A bare signature is checked over the bytes asked for; a whole signed
//! extrinsic (an extension's `signedTransaction`, a polkadot-api `signTx`) is decoded, must
//! carry exactly the payer, call, era, nonce, tip and `CheckMetadataHash` mode asked for, and
//! its signature is then checked the same way. A wallet that signed in another mode than the
//! one asked (mode 0 bytes where mode 1 was asked, or the reverse) is refused and told why.

use super::{multisignature, verify_multisignature, Answer, SignRequest, Signer};
use crate::error::{Error, ErrorCode, Result};
use crate::vara::address::VARA_SS58_PREFIX;
use crate::vara::extrinsic::UnsignedPayload;
use crate::vara::metadata::RuntimeFacts;
use crate::vara::signed_extrinsic;

/// Asks `signer` to sign `asked` (its `metadata_hash` says the mode) and returns the checked
/// `MultiSignature` (type byte first). `metadata` goes to signers that decode it.
pub async fn sign_checked<S: Signer>(
    signer: &S,
    asked: &UnsignedPayload,
    facts: &RuntimeFacts,
    metadata: Option<&[u8]>,
) -> Result<Vec<u8>> {
    let signing_bytes = asked.signing_bytes(facts)?;
    let request = SignRequest {
        payload: &asked.to_json(VARA_SS58_PREFIX),
        signing_bytes: &signing_bytes,
        call: &asked.method,
        extensions: &asked.extension_parts(facts),
        metadata,
        block_number: asked.block_number,
    };
    let answer = signer.sign_request(&request).await?;
    check(answer, asked, facts, signer.kind(), &signing_bytes)
}

/// Checks a signer's answer against the payload asked for (see the module comment).
pub fn check(
    answer: Answer,
    asked: &UnsignedPayload,
    facts: &RuntimeFacts,
    kind: Option<super::SigKind>,
    signing_bytes: &[u8],
) -> Result<Vec<u8>> {
    let signature = match answer {
        Answer::Signature(outcome) => {
            if let Some(hash) = outcome.metadata_hash {
                check_reported_hash(hash, asked)?;
            }
            multisignature(&outcome.signature, kind, &asked.address, signing_bytes)?
        }
        Answer::Extrinsic { extrinsic, .. } => {
            let parts = signed_extrinsic::decode(&extrinsic, facts)?;
            signed_extrinsic::check_matches(&parts, asked, facts)?;
            parts.signature
        }
    };
    verify_multisignature(&asked.address, signing_bytes, &signature)
        .map_err(|e| explain(e, asked, facts, &signature))?;
    Ok(signature)
}

/// A wallet that says which metadata hash it signed with must have signed the one asked.
fn check_reported_hash(hash: [u8; 32], asked: &UnsignedPayload) -> Result<()> {
    match asked.metadata_hash {
        Some(ours) if ours == hash => Ok(()),
        Some(_) => Err(Error::new(
            ErrorCode::InvalidSignature,
            "the signer signed with another metadata hash than this runtime's: its metadata for the chain is out of date (update it in the wallet)",
        )),
        None => Err(Error::new(
            ErrorCode::InvalidSignature,
            "the signer signed with CheckMetadataHash enabled, which this payment was not built for: pass options.metadataHash: true on a runtime built with the metadata hash",
        )),
    }
}

/// Says why a signature does not verify when the reason can be told: the wallet signed the
/// other `CheckMetadataHash` mode, or mode 1 with another digest.
fn explain(e: Error, asked: &UnsignedPayload, facts: &RuntimeFacts, signature: &[u8]) -> Error {
    if !asked.has_mode {
        return e;
    }
    let verifies_as = |metadata_hash: Option<[u8; 32]>| {
        let other = UnsignedPayload { metadata_hash, ..asked.clone() };
        other.signing_bytes(facts).is_ok_and(|b| verify_multisignature(&asked.address, &b, signature).is_ok())
    };
    let why = match asked.metadata_hash {
        Some(_) if verifies_as(None) => {
            "the signer signed with CheckMetadataHash disabled (mode 0) where mode 1 was asked: the wallet ignores the metadata hash (update it, or pass options.metadataHash: false)"
        }
        Some(_) => "mode 1 was asked with this runtime's metadata hash; if the wallet computes its own, its metadata for the chain may be out of date",
        None => return e,
    };
    let message = format!("{}: {why}", e.message);
    e.reworded(message)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::super::{SigKind, SignOutcome};
    use super::*;
    use crate::testutil::{recent_facts, sample_unsigned};
    use sp_core::Pair as _;

    fn alice() -> sp_core::sr25519::Pair {
        sp_core::sr25519::Pair::from_string("//Alice", None).unwrap()
    }

    fn signed(pair: &sp_core::sr25519::Pair, u: &UnsignedPayload, facts: &RuntimeFacts) -> Vec<u8> {
        [&[1u8][..], &pair.sign(&u.signing_bytes(facts).unwrap()).0].concat()
    }

    #[test]
    fn signatures_and_extrinsics_of_the_asked_payload_pass() {
        let facts = recent_facts();
        for hash in [None, Some([7u8; 32])] {
            let asked = UnsignedPayload { metadata_hash: hash, ..sample_unsigned(&facts) };
            let bytes = asked.signing_bytes(&facts).unwrap();
            let sig = signed(&alice(), &asked, &facts);
            let outcome = SignOutcome { signature: sig[1..].to_vec(), metadata_hash: hash };
            assert_eq!(check(Answer::Signature(outcome), &asked, &facts, None, &bytes).unwrap(), sig);
            let extrinsic = asked.signed_extrinsic(&facts, &sig);
            let answer = Answer::Extrinsic { extrinsic, signature: None };
            assert_eq!(check(answer, &asked, &facts, Some(SigKind::Sr25519), &bytes).unwrap(), sig);
        }
    }

    #[test]
    fn mode_0_bytes_are_refused_when_mode_1_was_asked() {
        let facts = recent_facts();
        let mode0 = sample_unsigned(&facts);
        let mode1 = UnsignedPayload { metadata_hash: Some([7u8; 32]), ..mode0.clone() };
        let bytes = mode1.signing_bytes(&facts).unwrap();
        // A wallet that ignores mode and metadataHash: its signature is over the mode-0 bytes.
        let sig = signed(&alice(), &mode0, &facts);
        let answer = Answer::Signature(SignOutcome { signature: sig.clone(), metadata_hash: None });
        let e = check(answer, &mode1, &facts, None, &bytes).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidSignature);
        assert!(e.message.contains("mode 0"), "{}", e.message);
        // …and as a signed transaction it says mode 0 itself.
        let answer = Answer::Extrinsic { extrinsic: mode0.signed_extrinsic(&facts, &sig), signature: None };
        let e = check(answer, &mode1, &facts, None, &bytes).unwrap_err();
        assert!(e.message.contains("mode Some(0)") || e.message.contains("mode 0"), "{}", e.message);
        // A wallet that reports a metadata hash other than the one asked.
        let answer = Answer::Signature(SignOutcome { signature: sig, metadata_hash: Some([8u8; 32]) });
        assert!(check(answer, &mode1, &facts, None, &bytes).unwrap_err().message.contains("out of date"));
    }

    #[test]
    fn mode_1_is_refused_when_mode_0_was_asked() {
        let facts = recent_facts();
        let mode0 = sample_unsigned(&facts);
        let mode1 = UnsignedPayload { metadata_hash: Some([7u8; 32]), ..mode0.clone() };
        let sig = signed(&alice(), &mode1, &facts);
        let bytes = mode0.signing_bytes(&facts).unwrap();
        let answer = Answer::Signature(SignOutcome { signature: sig.clone(), metadata_hash: Some([7u8; 32]) });
        assert!(check(answer, &mode0, &facts, None, &bytes).unwrap_err().message.contains("metadataHash: true"));
        let answer = Answer::Extrinsic { extrinsic: mode1.signed_extrinsic(&facts, &sig), signature: None };
        assert_eq!(check(answer, &mode0, &facts, None, &bytes).unwrap_err().code, ErrorCode::InvalidSignature);
    }
}
