//! A validated payment requirement: the wire entry checked and turned into typed values.

use crate::amount::{parse_decimal, to_u128, U256};
use crate::error::{err, ErrorCode, Result};
use crate::proto::v1::{PaymentRequirements, SCHEME_EXACT};
use crate::vara::address::AccountId;
use crate::vara::network::Network;

/// What is paid with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Asset {
    /// Native VARA, transferred with `Balances.transfer_keep_alive`.
    Native,
    /// A VFT (Sails fungible token) program, paid with `Gear.send_message` → `Vft/Transfer`.
    Vft(AccountId),
}

impl Asset {
    /// The `asset` field of requirements and headers: absent for VARA, the program id otherwise.
    pub fn wire(&self) -> Option<String> {
        match self {
            Asset::Native => None,
            Asset::Vft(id) => Some(id.to_hex()),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Requirement {
    pub network: Network,
    pub asset: Asset,
    pub amount: U256,
    pub pay_to: AccountId,
    pub wire: PaymentRequirements,
}

impl Requirement {
    pub fn from_wire(wire: &PaymentRequirements) -> Result<Self> {
        if wire.scheme != SCHEME_EXACT {
            return err(
                ErrorCode::Malformed402,
                format!("unsupported scheme {:?} (Vara defines only \"exact\")", wire.scheme),
            );
        }
        let network = Network::parse(&wire.network)?;
        let asset = match wire.asset.as_deref() {
            None | Some("") => Asset::Native,
            Some(hex) => Asset::Vft(AccountId::from_hex(hex).map_err(|_| {
                crate::error::Error::new(
                    ErrorCode::InvalidAddress,
                    format!("asset must be a 0x-prefixed 32-byte program id, got {hex:?}"),
                )
            })?),
        };
        let amount = parse_decimal(&wire.max_amount_required, "maxAmountRequired")?;
        if asset == Asset::Native {
            to_u128(amount, "maxAmountRequired")?;
        }
        let pay_to = AccountId::parse(&wire.pay_to)
            .map_err(|e| crate::error::Error::new(ErrorCode::InvalidAddress, format!("payTo: {}", e.message)))?;
        Ok(Requirement { network, asset, amount, pay_to, wire: wire.clone() })
    }

    /// Native amount as u128 (validated at construction for `Asset::Native`).
    pub fn native_amount(&self) -> u128 {
        self.amount.low_u128()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn wire() -> PaymentRequirements {
        PaymentRequirements {
            scheme: "exact".into(),
            network: "vara-testnet".into(),
            max_amount_required: "1000000000000".into(),
            resource: "http://127.0.0.1/paid".into(),
            description: String::new(),
            mime_type: "application/json".into(),
            output_schema: None,
            pay_to: "kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW".into(),
            max_timeout_seconds: 60,
            asset: None,
            extra: None,
        }
    }

    #[test]
    fn accepts_native_and_token_requirements() {
        let r = Requirement::from_wire(&wire()).unwrap();
        assert_eq!((r.network, r.asset, r.native_amount()), (Network::VaraTestnet, Asset::Native, 1_000_000_000_000));
        let token = PaymentRequirements {
            asset: Some(format!("0x{}", "11".repeat(32))),
            max_amount_required: U256::MAX.to_string(),
            ..wire()
        };
        let r = Requirement::from_wire(&token).unwrap();
        assert!(matches!(r.asset, Asset::Vft(_)));
        assert_eq!(r.amount, U256::MAX);
    }

    #[test]
    fn every_bad_field_has_its_code() {
        let cases = [
            (PaymentRequirements { scheme: "upto".into(), ..wire() }, ErrorCode::Malformed402),
            (PaymentRequirements { network: "base".into(), ..wire() }, ErrorCode::NetworkNotAllowed),
            (PaymentRequirements { max_amount_required: "1.5".into(), ..wire() }, ErrorCode::Malformed402),
            (
                PaymentRequirements { max_amount_required: (U256::from(u128::MAX) + 1).to_string(), ..wire() },
                ErrorCode::Malformed402,
            ),
            (PaymentRequirements { pay_to: "bob".into(), ..wire() }, ErrorCode::InvalidAddress),
            (PaymentRequirements { pay_to: "0x1234".into(), ..wire() }, ErrorCode::InvalidAddress),
            (
                PaymentRequirements {
                    asset: Some("kGkLEU3e3XXkJp2WK4eNpVmSab5xUNL9QtmLPh8QfCL2EgotW".into()),
                    ..wire()
                },
                ErrorCode::InvalidAddress,
            ),
            (PaymentRequirements { asset: Some("0x12".into()), ..wire() }, ErrorCode::InvalidAddress),
        ];
        for (w, code) in cases {
            assert_eq!(Requirement::from_wire(&w).unwrap_err().code, code, "{w:?}");
        }
    }
}
