//! Transaction mortality (`CheckMortality`): a transaction is valid for `period` blocks
//! starting at its checkpoint block, after which it can never be included.

use crate::error::{err, ErrorCode, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    Immortal,
    Mortal { period: u64, phase: u64 },
}

impl Era {
    /// A mortal era starting at `current` block; the period is rounded up to a power of two
    /// within 4..=65536 and the phase quantized, exactly as Substrate and polkadot-js do.
    pub fn mortal(period: u64, current: u64) -> Self {
        let period = period.checked_next_power_of_two().unwrap_or(1 << 16).clamp(4, 1 << 16);
        let phase = current % period;
        let quantize = (period >> 12).max(1);
        Era::Mortal { period, phase: phase / quantize * quantize }
    }

    pub fn encode(&self) -> Vec<u8> {
        match *self {
            Era::Immortal => vec![0],
            Era::Mortal { period, phase } => {
                let quantize = (period >> 12).max(1);
                let low = (period.trailing_zeros() as u64).saturating_sub(1).clamp(1, 15);
                let encoded = (low | ((phase / quantize) << 4)) as u16;
                encoded.to_le_bytes().to_vec()
            }
        }
    }

    /// Decodes from the front of `input`, advancing it.
    pub fn decode(input: &mut &[u8]) -> Result<Self> {
        let Some((&first, rest)) = input.split_first() else { return err(ErrorCode::MalformedHeader, "era missing") };
        if first == 0 {
            *input = rest;
            return Ok(Era::Immortal);
        }
        let Some((&second, rest)) = rest.split_first() else { return err(ErrorCode::MalformedHeader, "era truncated") };
        *input = rest;
        let encoded = u16::from_le_bytes([first, second]) as u64;
        let period = 2u64 << (encoded % (1 << 4));
        let quantize = (period >> 12).max(1);
        let phase = (encoded >> 4) * quantize;
        if period < 4 || phase >= period {
            return err(ErrorCode::MalformedHeader, "invalid mortal era");
        }
        Ok(Era::Mortal { period, phase })
    }

    /// The first block the transaction is valid in, given any block inside its window.
    pub fn birth(&self, current: u64) -> u64 {
        match *self {
            Era::Immortal => 0,
            Era::Mortal { period, phase } => (current.max(phase) - phase) / period * period + phase,
        }
    }

    pub fn period(&self) -> Option<u64> {
        match *self {
            Era::Immortal => None,
            Era::Mortal { period, .. } => Some(period),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector_from_the_wire_notes() {
        // Block 1,234,567 with period 64 → 0x7500 (see shared/x402-vara-wire.md §7).
        assert_eq!(Era::mortal(64, 1_234_567).encode(), vec![0x75, 0x00]);
    }

    #[test]
    fn round_trips_and_rounds_periods() {
        for (period, block) in [(64, 1_234_567), (4, 0), (100, 99_999), (65_536, 7_000_000), (1, 3)] {
            let era = Era::mortal(period, block);
            let bytes = era.encode();
            assert_eq!(Era::decode(&mut &bytes[..]).unwrap(), era, "{period} {block}");
            assert!(era.birth(block) <= block && block < era.birth(block) + era.period().unwrap());
        }
        assert_eq!(Era::mortal(100, 0).period(), Some(128));
        assert_eq!(Era::mortal(1, 0).period(), Some(4));
        assert_eq!(Era::Immortal.encode(), vec![0]);
        assert_eq!(Era::decode(&mut &[0u8][..]).unwrap(), Era::Immortal);
        assert!(Era::decode(&mut &[0x75u8][..]).is_err());
    }

    #[test]
    fn a_period_past_the_largest_power_of_two_is_the_longest_era() {
        // No power of two above 2^63 fits a u64: such a period is the longest era, not the shortest.
        assert_eq!(Era::mortal(u64::MAX, 5).period(), Some(1 << 16));
        assert_eq!(Era::mortal((1 << 63) + 1, 5).period(), Some(1 << 16));
    }

    #[test]
    fn eras_no_runtime_makes_are_refused() {
        // A period of 2 (low nibble 0), and a phase at or past its period (4, phase 5).
        for bytes in [[0x10u8, 0x00], [0x51, 0x00], [0x41, 0x00]] {
            assert!(Era::decode(&mut &bytes[..]).is_err(), "{bytes:02x?}");
        }
        assert_eq!(Era::decode(&mut &[0x31u8, 0x00][..]).unwrap(), Era::Mortal { period: 4, phase: 3 });
    }
}
