//! The Sails payload of a VFT (Vara Fungible Token) transfer: `Vft/Transfer(to, value)`.
//! Sails routes a message by two SCALE strings (service, method) before the arguments.

use crate::amount::U256;
use crate::error::{err, ErrorCode, Result};
use parity_scale_codec::{Decode, Encode};

pub const SERVICE: &str = "Vft";
pub const METHOD: &str = "Transfer";

pub fn transfer_payload(to: &[u8; 32], value: U256) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + SERVICE.len() + 1 + METHOD.len() + 64);
    SERVICE.encode_to(&mut out);
    METHOD.encode_to(&mut out);
    out.extend_from_slice(to);
    out.extend_from_slice(&value.to_little_endian());
    out
}

/// Reads `(to, value)` back from a payload, refusing anything but `Vft/Transfer`.
pub fn decode_transfer(payload: &[u8]) -> Result<([u8; 32], U256)> {
    let input = &mut &payload[..];
    let service = String::decode(input).ok();
    let method = String::decode(input).ok();
    if service.as_deref() != Some(SERVICE) || method.as_deref() != Some(METHOD) {
        return err(ErrorCode::MalformedHeader, "the token payload is not a Sails Vft/Transfer");
    }
    let to = <[u8; 32]>::decode(input)
        .map_err(|_| crate::error::Error::new(ErrorCode::MalformedHeader, "Vft/Transfer: `to` truncated"))?;
    let value = <[u8; 32]>::decode(input)
        .map_err(|_| crate::error::Error::new(ErrorCode::MalformedHeader, "Vft/Transfer: `value` truncated"))?;
    if !input.is_empty() {
        return err(ErrorCode::MalformedHeader, "Vft/Transfer payload has trailing bytes");
    }
    Ok((to, U256::from_little_endian(&value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_layout_is_sails() {
        let p = transfer_payload(&[0xaa; 32], U256::from(1_000_000u64));
        assert_eq!(&p[..4], b"\x0cVft");
        assert_eq!(&p[4..13], b"\x20Transfer");
        assert_eq!(&p[13..45], &[0xaa; 32]);
        assert_eq!(&p[45..48], &[0x40, 0x42, 0x0f]); // 1_000_000 little-endian
        assert!(p[48..].iter().all(|b| *b == 0));
        assert_eq!(p.len(), 77);
        assert_eq!(decode_transfer(&p).unwrap(), ([0xaa; 32], U256::from(1_000_000u64)));
    }

    #[test]
    fn refuses_other_calls() {
        let mut other = Vec::new();
        "Vft".encode_to(&mut other);
        "Approve".encode_to(&mut other);
        other.extend_from_slice(&[0; 64]);
        assert!(decode_transfer(&other).is_err());
        let mut p = transfer_payload(&[1; 32], U256::one());
        p.push(0);
        assert!(decode_transfer(&p).is_err());
    }
}
