//! The few facts a payment needs from runtime metadata (V14 or V15): pallet and call indices
//! with their argument types, the signed extensions in order, and two constants.
//! Nothing here is hard-coded per runtime: a runtime upgrade that moves a pallet is followed.

use crate::error::{err, Error, ErrorCode, Result};
use crate::vara::args::Budget;
use crate::vara::scale::Reader;
use crate::vara::types::{TypeDef, Types};
use parity_scale_codec::Decode;

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
    pub registry: Types,
    pub transfer_keep_alive: CallInfo,
    /// Absent on a runtime without the Gear pallet (then only native payments work).
    pub send_message: Option<CallInfo>,
    pub extensions: Vec<SignedExtension>,
    pub existential_deposit: u128,
    /// `GearGas.BlockGasLimit`: the "max" gas limit the reference client uses.
    pub block_gas_limit: Option<u64>,
    /// `System.Events`' value type, for reading what became of an extrinsic.
    pub events_ty: Option<u32>,
}

impl RuntimeFacts {
    pub fn extension_names(&self) -> Vec<String> {
        self.extensions.iter().map(|e| e.identifier.clone()).collect()
    }

    pub fn has_metadata_hash_extension(&self) -> bool {
        self.extensions.iter().any(|e| e.extra == Extra::MetadataHashMode)
    }
}

/// A pallet as both metadata versions describe it (only what payments need).
struct PalletView {
    name: String,
    index: u8,
    call_ty: Option<u32>,
    constants: Vec<(String, Vec<u8>)>,
    /// The type of a plain storage value named `Events` (System's `Vec<EventRecord>`).
    events_ty: Option<u32>,
}

fn unsupported(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::UnsupportedRuntime, message)
}

/// Reads one pallet, skipping its storage, event and error descriptions.
fn read_pallet(r: &mut Reader<'_>, version: u8) -> Result<PalletView> {
    let name = r.string()?.to_string();
    let mut events_ty = None;
    r.option(|r| {
        r.bytes()?; // prefix
        for _ in 0..r.len()? {
            let entry = r.bytes()?;
            r.u8()?; // modifier
            match r.u8()? {
                0 => {
                    let ty = r.compact()?;
                    if entry == b"Events" {
                        events_ty = Some(ty);
                    }
                }
                1 => {
                    r.bytes()?; // hashers (one byte each)
                    r.compact()?;
                    r.compact()?;
                }
                _ => return Err(r.error("an unknown storage entry type")),
            }
            r.bytes()?; // default
            r.skip_strings()?;
        }
        Ok(())
    })?;
    let call_ty = r.option(|r| r.compact())?;
    r.option(|r| r.compact())?; // event
    let constants = r.vec(|r| {
        let name = r.string()?.to_string();
        r.compact()?;
        let value = r.bytes()?.to_vec();
        r.skip_strings()?;
        Ok((name, value))
    })?;
    r.option(|r| r.compact())?; // error
    let index = r.u8()?;
    if version >= 15 {
        r.skip_strings()?;
    }
    Ok(PalletView { name, index, call_ty, constants, events_ty })
}

/// Decodes `state_getMetadata` bytes (V14 or V15) and extracts the facts. Only the type
/// registry, the pallets and the extrinsic description are read; the rest is never touched.
pub fn decode(bytes: &[u8]) -> Result<RuntimeFacts> {
    let r = &mut Reader::new(bytes, "runtime metadata");
    if r.take(4)? != b"meta" {
        return Err(unsupported("runtime metadata does not start with the `meta` magic"));
    }
    let version = r.u8()?;
    if !(14..=15).contains(&version) {
        return Err(unsupported(format!("metadata V{version} is not supported (V14 and V15 are)")));
    }
    let registry = Types::read(r)?;
    let pallets = r.vec(|r| read_pallet(r, version))?;
    if version == 14 {
        r.compact()?; // the extrinsic type
        r.u8()?; // extrinsic version
    } else {
        r.u8()?;
        for _ in 0..4 {
            r.compact()?; // address, call, signature and extra types
        }
    }
    let exts = r.vec(|r| Ok((r.string()?.to_string(), r.compact()?, r.compact()?)))?;

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
    let events_ty = pallets.iter().find(|p| p.name == "System").and_then(|p| p.events_ty);
    Ok(RuntimeFacts {
        metadata_version: version as u32,
        registry,
        transfer_keep_alive,
        send_message,
        extensions,
        existential_deposit,
        block_gas_limit,
        events_ty,
    })
}

/// The parts of metadata V15 the RFC-78 digest is computed from (see vara::metadata_hash):
/// the type registry and the extrinsic description (as SCALE, for the crate that digests
/// them), and the `System.Version` constant. The pallets between them are skipped.
pub struct V15Parts<'a> {
    pub registry: &'a [u8],
    /// The extrinsic description and what follows it.
    pub extrinsic: &'a [u8],
    pub system_version: Option<Vec<u8>>,
}

pub fn v15_parts(bytes: &[u8]) -> Result<V15Parts<'_>> {
    let r = &mut Reader::new(bytes, "runtime metadata");
    if r.take(4)? != b"meta" {
        return Err(unsupported("runtime metadata does not start with the `meta` magic"));
    }
    let version = r.u8()?;
    if version != 15 {
        return Err(unsupported(format!(
            "the metadata hash is computed from metadata V15; the node served V{version}"
        )));
    }
    let start = r.rest();
    Types::read(r)?;
    let registry = &start[..start.len() - r.rest().len()];
    let pallets = r.vec(|r| read_pallet(r, version))?;
    let system_version = pallets
        .iter()
        .find(|p| p.name == "System")
        .and_then(|p| p.constants.iter().find(|(n, _)| n == "Version"))
        .map(|(_, v)| v.clone());
    Ok(V15Parts { registry, extrinsic: r.rest(), system_version })
}

fn constant<T: Decode>(pallets: &[PalletView], pallet: &str, name: &str) -> Option<T> {
    let p = pallets.iter().find(|p| p.name == pallet)?;
    let (_, value) = p.constants.iter().find(|(n, _)| n == name)?;
    T::decode(&mut &value[..]).ok()
}

fn find_call(registry: &Types, pallets: &[PalletView], pallet: &str, call: &str) -> Result<Option<CallInfo>> {
    let Some(p) = pallets.iter().find(|p| p.name == pallet) else { return Ok(None) };
    let Some(call_ty) = p.call_ty else { return Ok(None) };
    let ty = registry.resolve(call_ty).ok_or_else(|| unsupported(format!("{pallet} call type {call_ty} missing")))?;
    let TypeDef::Variant(variants) = ty else {
        return err(ErrorCode::UnsupportedRuntime, format!("{pallet} calls are not an enum"));
    };
    let Some(v) = variants.iter().find(|v| v.name == call) else { return Ok(None) };
    let args = v
        .fields
        .iter()
        .map(|(name, ty)| {
            name.clone()
                .map(|n| (n, *ty))
                .ok_or_else(|| unsupported(format!("{pallet}.{call} has an unnamed argument")))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(CallInfo { pallet: pallet.into(), name: call.into(), pallet_index: p.index, call_index: v.index, args }))
}

/// Maps an extension to its data. Known identifiers have a documented encoding; any other
/// extension must carry no data at all, or the payment would be built on a guess.
fn classify_extension(registry: &Types, identifier: String, ty: u32, additional: u32) -> Result<SignedExtension> {
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
pub fn is_zero_sized(registry: &Types, ty: u32, budget: &mut Budget, depth: u32) -> bool {
    if budget.visit(ty, depth).is_err() {
        return false;
    }
    let Some(t) = registry.resolve(ty) else { return false };
    match t {
        TypeDef::Composite(fields) | TypeDef::Tuple(fields) => {
            fields.iter().all(|f| is_zero_sized(registry, *f, budget, depth + 1))
        }
        TypeDef::Array { len, ty } => *len == 0 || is_zero_sized(registry, *ty, budget, depth + 1),
        _ => false,
    }
}
