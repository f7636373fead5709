//! The few facts a payment needs from runtime metadata (V14 or V15): pallet and call indices
//! with their argument types, the signed extensions in order, and two constants.
//! Nothing here is hard-coded per runtime: a runtime upgrade that moves a pallet is followed.

use crate::error::{err, Error, ErrorCode, Result};
use crate::vara::args::Budget;
use frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed};
use parity_scale_codec::Decode;
use scale_info::{form::PortableForm, PortableRegistry, TypeDef};

/// A call located in metadata: `[pallet_index, call_index]` and its named arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallInfo {
    pub pallet: String,
    pub name: String,
    pub pallet_index: u8,
    pub call_index: u8,
    /// (argument name, type id in the registry), in encoding order.
    pub args: Vec<(String, u32)>,
}

/// What a signed extension contributes to the extrinsic ("extra") and to the signed payload
/// only ("additional signed"). Extensions that carry no data contribute nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extra {
    None,
    Era,
    Nonce,
    Tip,
    /// `CheckMetadataHash`: one mode byte (0 = disabled, 1 = enabled).
    MetadataHashMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Additional {
    None,
    SpecVersion,
    TxVersion,
    GenesisHash,
    /// The hash of the era's checkpoint block (the genesis hash when immortal).
    EraBlockHash,
    /// `CheckMetadataHash`: `Option<[u8; 32]>`.
    MetadataHash,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedExtension {
    pub identifier: String,
    pub extra: Extra,
    pub additional: Additional,
}

/// Everything read from one runtime's metadata.
#[derive(Debug, Clone)]
pub struct RuntimeFacts {
    pub metadata_version: u32,
    pub registry: PortableRegistry,
    pub transfer_keep_alive: CallInfo,
    /// Absent on a runtime without the Gear pallet (then only native payments work).
    pub send_message: Option<CallInfo>,
    pub extensions: Vec<SignedExtension>,
    pub existential_deposit: u128,
    /// `GearGas.BlockGasLimit`: the "max" gas limit the reference client uses.
    pub block_gas_limit: Option<u64>,
}

impl RuntimeFacts {
    pub fn extension_names(&self) -> Vec<String> {
        self.extensions.iter().map(|e| e.identifier.clone()).collect()
    }

    pub fn has_metadata_hash_extension(&self) -> bool {
        self.extensions.iter().any(|e| e.extra == Extra::MetadataHashMode)
    }
}

/// A pallet as the two metadata versions both describe it.
struct PalletView {
    name: String,
    index: u8,
    call_ty: Option<u32>,
    constants: Vec<(String, Vec<u8>)>,
}

fn unsupported(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::UnsupportedRuntime, message)
}

/// Decodes `state_getMetadata` bytes and extracts the facts.
pub fn decode(bytes: &[u8]) -> Result<RuntimeFacts> {
    let prefixed = RuntimeMetadataPrefixed::decode(&mut &bytes[..])
        .map_err(|e| unsupported(format!("runtime metadata does not decode: {e}")))?;
    macro_rules! view {
        ($m:expr) => {{
            let pallets = $m
                .pallets
                .iter()
                .map(|p| PalletView {
                    name: p.name.clone(),
                    index: p.index,
                    call_ty: p.calls.as_ref().map(|c| c.ty.id),
                    constants: p.constants.iter().map(|c| (c.name.clone(), c.value.clone())).collect(),
                })
                .collect::<Vec<_>>();
            let exts = $m
                .extrinsic
                .signed_extensions
                .iter()
                .map(|e| (e.identifier.clone(), e.ty.id, e.additional_signed.id))
                .collect::<Vec<_>>();
            (pallets, exts)
        }};
    }
    let version = prefixed.1.version();
    let (registry, (pallets, exts)) = match prefixed.1 {
        RuntimeMetadata::V14(m) => {
            let v = view!(m);
            (m.types, v)
        }
        RuntimeMetadata::V15(m) => {
            let v = view!(m);
            (m.types, v)
        }
        _ => return Err(unsupported(format!("metadata V{version} is not supported (V14 and V15 are)"))),
    };

    let transfer_keep_alive = find_call(&registry, &pallets, "Balances", "transfer_keep_alive")?
        .ok_or_else(|| unsupported("the runtime has no Balances.transfer_keep_alive"))?;
    let send_message = find_call(&registry, &pallets, "Gear", "send_message")?;
    let extensions = exts
        .into_iter()
        .map(|(id, ty, additional)| classify_extension(&registry, id, ty, additional))
        .collect::<Result<Vec<_>>>()?;
    let existential_deposit = constant(&pallets, "Balances", "ExistentialDeposit")
        .ok_or_else(|| unsupported("the runtime has no Balances.ExistentialDeposit"))?;
    let block_gas_limit = constant::<u64>(&pallets, "GearGas", "BlockGasLimit");
    Ok(RuntimeFacts {
        metadata_version: version,
        registry,
        transfer_keep_alive,
        send_message,
        extensions,
        existential_deposit,
        block_gas_limit,
    })
}

fn constant<T: Decode>(pallets: &[PalletView], pallet: &str, name: &str) -> Option<T> {
    let p = pallets.iter().find(|p| p.name == pallet)?;
    let (_, value) = p.constants.iter().find(|(n, _)| n == name)?;
    T::decode(&mut &value[..]).ok()
}

fn find_call(
    registry: &PortableRegistry,
    pallets: &[PalletView],
    pallet: &str,
    call: &str,
) -> Result<Option<CallInfo>> {
    let Some(p) = pallets.iter().find(|p| p.name == pallet) else { return Ok(None) };
    let Some(call_ty) = p.call_ty else { return Ok(None) };
    let ty = registry.resolve(call_ty).ok_or_else(|| unsupported(format!("{pallet} call type {call_ty} missing")))?;
    let TypeDef::Variant(variants) = &ty.type_def else {
        return err(ErrorCode::UnsupportedRuntime, format!("{pallet} calls are not an enum"));
    };
    let Some(v) = variants.variants.iter().find(|v| v.name == call) else { return Ok(None) };
    let args = v
        .fields
        .iter()
        .map(|f| {
            f.name
                .clone()
                .map(|n| (n, f.ty.id))
                .ok_or_else(|| unsupported(format!("{pallet}.{call} has an unnamed argument")))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(CallInfo { pallet: pallet.into(), name: call.into(), pallet_index: p.index, call_index: v.index, args }))
}

/// Maps an extension to its data. Known identifiers have a documented encoding; any other
/// extension must carry no data at all, or the payment would be built on a guess.
fn classify_extension(
    registry: &PortableRegistry,
    identifier: String,
    ty: u32,
    additional: u32,
) -> Result<SignedExtension> {
    let (extra, add) = match identifier.as_str() {
        "CheckSpecVersion" => (Extra::None, Additional::SpecVersion),
        "CheckTxVersion" => (Extra::None, Additional::TxVersion),
        "CheckGenesis" => (Extra::None, Additional::GenesisHash),
        "CheckMortality" | "CheckEra" => (Extra::Era, Additional::EraBlockHash),
        "CheckNonce" => (Extra::Nonce, Additional::None),
        "ChargeTransactionPayment" => (Extra::Tip, Additional::None),
        "CheckMetadataHash" => (Extra::MetadataHashMode, Additional::MetadataHash),
        _ => {
            if !is_zero_sized(registry, ty, &mut Budget::new(), 0)
                || !is_zero_sized(registry, additional, &mut Budget::new(), 0)
            {
                return err(
                    ErrorCode::UnsupportedRuntime,
                    format!("signed extension {identifier} carries data this client does not know how to fill"),
                );
            }
            (Extra::None, Additional::None)
        }
    };
    Ok(SignedExtension { identifier, extra, additional: add })
}

/// True when values of this type encode to no bytes (unit structs, empty tuples, PhantomData).
/// A walk past its budget (a type that contains itself, or a wide and deep one) is not.
pub fn is_zero_sized(registry: &PortableRegistry, ty: u32, budget: &mut Budget, depth: u32) -> bool {
    if budget.visit(ty, depth).is_err() {
        return false;
    }
    let Some(t) = registry.resolve(ty) else { return false };
    match &t.type_def {
        TypeDef::Composite(c) => c.fields.iter().all(|f| is_zero_sized(registry, f.ty.id, budget, depth + 1)),
        TypeDef::Tuple(t) => t.fields.iter().all(|f| is_zero_sized(registry, f.id, budget, depth + 1)),
        TypeDef::Array(a) => a.len == 0 || is_zero_sized(registry, a.type_param.id, budget, depth + 1),
        _ => false,
    }
}

pub type Registry = PortableRegistry;
pub type Form = PortableForm;
