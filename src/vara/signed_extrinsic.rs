//! A signed extrinsic built outside this client (an extension's `signedTransaction`, a
//! polkadot-api signer's `signTx`), decoded and held to the payload it was asked to sign:
//! same payer, call, era, nonce, tip and `CheckMetadataHash` mode, field by field. A wallet
//! may only add its signature; anything else it changed is refused and named.
//!
//! Trust boundary: the bytes come from the caller's signer, which may be buggy or may have
//! been told something else by the user; nothing in them is used before it matches.

use crate::error::{Error, ErrorCode, Result};
use crate::vara::address::{AccountId, VARA_SS58_PREFIX};
use crate::vara::era::Era;
use crate::vara::extrinsic::{UnsignedPayload, EXTRINSIC_VERSION};
use crate::vara::metadata::{Extra, RuntimeFacts};
use parity_scale_codec::{Compact, Decode};

/// The parts of a v4 signed extrinsic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedParts {
    pub address: AccountId,
    /// The `MultiSignature`, type byte first.
    pub signature: Vec<u8>,
    pub era: Option<Era>,
    pub nonce: Option<u32>,
    pub tip: Option<u128>,
    /// `CheckMetadataHash`'s mode byte.
    pub mode: Option<u8>,
    pub call: Vec<u8>,
}

fn bad(why: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidSignature, format!("the signed transaction the signer returned {}", why.into()))
}

fn take<'a>(input: &mut &'a [u8], n: usize) -> Result<&'a [u8]> {
    if input.len() < n {
        return Err(bad("ends early"));
    }
    let (head, rest) = input.split_at(n);
    *input = rest;
    Ok(head)
}

fn compact<T>(input: &mut &[u8], what: &str) -> Result<T>
where
    Compact<T>: Decode,
{
    Compact::<T>::decode(input).map(|c| c.0).map_err(|_| bad(format!("has no valid {what}")))
}

/// Decodes a v4 signed extrinsic, with or without its length prefix, against the runtime's
/// signed extensions.
pub fn decode(bytes: &[u8], facts: &RuntimeFacts) -> Result<SignedParts> {
    let mut input = bytes;
    // Length-prefixed (as nodes take it) when the prefix is exactly the rest's length.
    let mut probe = bytes;
    if let Ok(len) = Compact::<u32>::decode(&mut probe) {
        if len.0 as usize == probe.len() {
            input = probe;
        }
    }
    let input = &mut input;
    let version = take(input, 1)?[0];
    if version != 0x80 | EXTRINSIC_VERSION {
        return Err(bad(format!("is not a signed v4 extrinsic (version byte 0x{version:02x})")));
    }
    if take(input, 1)?[0] != 0 {
        return Err(bad("pays from an address that is not an account id (MultiAddress::Id)"));
    }
    let address = AccountId(take(input, 32)?.try_into().expect("32 bytes"));
    let kind = take(input, 1)?[0];
    let body_len = match kind {
        0 | 1 => 64,
        2 => 65,
        _ => return Err(bad(format!("has an unknown signature type 0x{kind:02x}"))),
    };
    let signature = [&[kind][..], take(input, body_len)?].concat();
    let mut parts = SignedParts { address, signature, era: None, nonce: None, tip: None, mode: None, call: Vec::new() };
    for ext in &facts.extensions {
        match ext.extra {
            Extra::None => {}
            Extra::Era => parts.era = Some(Era::decode(input).map_err(|_| bad("has no valid era"))?),
            Extra::Nonce => parts.nonce = Some(compact::<u32>(input, "nonce")?),
            Extra::Tip => parts.tip = Some(compact::<u128>(input, "tip")?),
            Extra::MetadataHashMode => parts.mode = Some(take(input, 1)?[0]),
        }
    }
    parts.call = input.to_vec();
    Ok(parts)
}

/// Checks that `parts` is `asked`, signed: every field the extrinsic carries must be the one
/// asked for. The signature itself is checked by the caller, over the bytes of `asked`.
pub fn check_matches(parts: &SignedParts, asked: &UnsignedPayload, facts: &RuntimeFacts) -> Result<()> {
    let changed = |what: &str, got: String, want: String| {
        Err(bad(format!("changed the {what} (signed {got}, asked {want}): refused")))
    };
    if parts.address != asked.address {
        let ss58 = |a: &AccountId| a.to_ss58(VARA_SS58_PREFIX);
        return changed("payer", ss58(&parts.address), ss58(&asked.address));
    }
    if parts.call != asked.method {
        return changed("call", crate::hexutil::encode(&parts.call), crate::hexutil::encode(&asked.method));
    }
    let era_of = |e: Option<Era>| e.map(|e| crate::hexutil::encode(&e.encode())).unwrap_or_default();
    let has = |extra: Extra| facts.extensions.iter().any(|e| e.extra == extra);
    if has(Extra::Era) && parts.era != Some(asked.era) {
        return changed("era", era_of(parts.era), era_of(Some(asked.era)));
    }
    if has(Extra::Nonce) && parts.nonce != Some(asked.nonce) {
        return changed("nonce", format!("{:?}", parts.nonce), asked.nonce.to_string());
    }
    if has(Extra::Tip) && parts.tip != Some(asked.tip) {
        return changed("tip", format!("{:?}", parts.tip), asked.tip.to_string());
    }
    let asked_mode = asked.metadata_hash.is_some() as u8;
    if has(Extra::MetadataHashMode) && parts.mode != Some(asked_mode) {
        let hint = if asked_mode == 0 {
            "; this payment was built without the metadata hash (options.metadataHash)"
        } else {
            ""
        };
        return Err(bad(format!(
            "uses CheckMetadataHash mode {:?} where mode {asked_mode} was asked{hint}: refused",
            parts.mode.unwrap_or_default()
        )));
    }
    Ok(())
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::testutil::{recent_facts, sample_unsigned};

    #[test]
    fn our_own_extrinsic_decodes_to_what_was_asked() {
        let facts = recent_facts();
        let asked = sample_unsigned(&facts);
        for signature in [[&[1u8][..], &[7u8; 64]].concat(), [&[2u8][..], &[7u8; 65]].concat()] {
            let bytes = asked.signed_extrinsic(&facts, &signature);
            for input in [&bytes[..], &bytes[2..]] {
                let parts = decode(input, &facts).unwrap();
                assert_eq!(parts.signature, signature);
                assert_eq!(parts.mode, Some(0));
                check_matches(&parts, &asked, &facts).unwrap();
            }
        }
    }

    #[test]
    fn every_changed_field_is_named() {
        let facts = recent_facts();
        let asked = sample_unsigned(&facts);
        let signature = [&[1u8][..], &[7u8; 64]].concat();
        type Change = fn(&mut UnsignedPayload);
        let changes: [(&str, Change); 6] = [
            ("payer", |u| u.address = AccountId([9; 32])),
            ("call", |u| u.method.push(0)),
            ("era", |u| u.era = Era::Immortal),
            ("nonce", |u| u.nonce += 1),
            ("tip", |u| u.tip = 5),
            ("mode", |u| u.metadata_hash = Some([3; 32])),
        ];
        for (what, change) in changes {
            let mut other = asked.clone();
            change(&mut other);
            let parts = decode(&other.signed_extrinsic(&facts, &signature), &facts).unwrap();
            let e = check_matches(&parts, &asked, &facts).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidSignature);
            assert!(e.message.contains(what), "{what}: {}", e.message);
        }
    }

    #[test]
    fn malformed_extrinsics_are_refused() {
        let facts = recent_facts();
        let asked = sample_unsigned(&facts);
        let good = asked.signed_extrinsic(&facts, &[&[1u8][..], &[7u8; 64]].concat());
        let mut unsigned = good.clone();
        unsigned[2] = 0x04; // unsigned v4
        let mut index_address = good.clone();
        index_address[3] = 1;
        let mut bad_type = good.clone();
        bad_type[36] = 3;
        for bytes in [vec![], good[..40].to_vec(), unsigned, index_address, bad_type] {
            assert_eq!(decode(&bytes, &facts).unwrap_err().code, ErrorCode::InvalidSignature);
        }
    }
}
