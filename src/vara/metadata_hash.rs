//! The RFC-78 metadata digest that `CheckMetadataHash` mode 1 signs: a merkle root of the
//! runtime's types plus the chain's "extra info" (spec name and version, SS58 prefix, token
//! decimals and symbol). A runtime built with the `metadata-hash` feature has the same digest
//! baked in; when a signer signs it, the chain refuses the transaction unless the metadata it
//! was built from is the runtime's own, so a node that hands out edited metadata cannot make
//! the signed call mean something else.
//!
//! Computed by the `merkleized-metadata` crate (what the runtime's build uses) from metadata
//! V15 (`Metadata_metadata_at_version(15)`), once per runtime version. Size and time against
//! `@polkadot-api/merkleize-metadata` are in docs/size.md.

use crate::error::{Error, ErrorCode, Result};
use crate::vara::address::VARA_SS58_PREFIX;
use crate::vara::network::{Endpoint, Network};
use frame_metadata::v15::{CustomMetadata, ExtrinsicMetadata, OuterEnums, RuntimeMetadataV15};
use frame_metadata::RuntimeMetadata;
use merkleized_metadata::{generate_metadata_digest, ExtraInfo};
use parity_scale_codec::Decode;
use scale_info::{form::PortableForm, PortableRegistry, TypeDef};
use std::collections::BTreeSet;

/// How deep `merkleized-metadata`'s recursive walks may go (Vara's runtimes: under 100, see
/// the tests): a node's metadata nested deeper is refused before it can exhaust the stack.
const MAX_WALK_DEPTH: usize = 1024;

/// Whether payments sign with `CheckMetadataHash` mode 1 (when the runtime has it at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// On the public Vara networks (their runtimes are built with the hash), off elsewhere: a
    /// dev runtime built without the feature refuses mode 1.
    #[default]
    Auto,
    Always,
    Never,
}

impl Mode {
    /// Whether mode 1 is asked of signers on `endpoint`, for a runtime with the extension.
    pub fn wanted(self, endpoint: &Endpoint) -> bool {
        match self {
            Mode::Auto => crate::hexutil::encode(&endpoint.genesis_hash) == endpoint.network.genesis_hash_hex(),
            Mode::Always => true,
            Mode::Never => false,
        }
    }
}

/// The digest and the runtime it is of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub hash: [u8; 32],
    pub spec_name: String,
    pub spec_version: u32,
}

fn unsupported(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::UnsupportedRuntime, message)
}

/// What the runtime's build puts beside the types for `network` (gear's `build.rs`: `VARA` on
/// mainnet, `TVARA` on the testnet, 12 decimals; SS58 137).
pub fn extra_info(network: Network, spec_name: String, spec_version: u32) -> ExtraInfo {
    ExtraInfo {
        spec_version,
        spec_name,
        base58_prefix: VARA_SS58_PREFIX,
        decimals: network.decimals(),
        token_symbol: network.token_symbol().into(),
    }
}

/// The digest of metadata V15 bytes (as `Metadata_metadata_at_version(15)` returns them,
/// without the `Option` and length prefix) for `network`. The spec name and version are read
/// from the metadata's `System.Version` constant, as the runtime's build reads them. Only the
/// type registry and the extrinsic description are decoded for the crate (the pallets are
/// skipped by the lean reader): the digest uses nothing else, and the decoders of the rest
/// would cost the wasm bytes (docs/size.md).
pub fn digest(metadata: &[u8], network: Network) -> Result<Digest> {
    let parts = crate::vara::metadata::v15_parts(metadata)?;
    let types = PortableRegistry::decode(&mut &parts.registry[..])
        .map_err(|_| unsupported("the metadata's type registry does not decode"))?;
    let extrinsic = ExtrinsicMetadata::<PortableForm>::decode(&mut &parts.extrinsic[..])
        .map_err(|_| unsupported("the metadata's extrinsic description does not decode"))?;
    let version = parts.system_version.ok_or_else(|| unsupported("the metadata has no System.Version constant"))?;
    // RuntimeVersion starts with spec_name, impl_name, authoring_version, spec_version.
    let (spec_name, _impl, _authoring, spec_version) = <(String, String, u32, u32)>::decode(&mut &version[..])
        .map_err(|_| unsupported("System.Version does not decode"))?;
    check_walk_depth(&types, &extrinsic)?;
    let none = 0u32.into();
    let v15 = RuntimeMetadataV15 {
        types,
        pallets: Vec::new(),
        extrinsic,
        ty: none,
        apis: Vec::new(),
        outer_enums: OuterEnums { call_enum_ty: none, event_enum_ty: none, error_enum_ty: none },
        custom: CustomMetadata { map: Default::default() },
    };
    let info = extra_info(network, spec_name.clone(), spec_version);
    let hash = generate_metadata_digest(&RuntimeMetadata::V15(v15), info)
        .map_err(|e| unsupported(format!("the metadata cannot be merkleized: {e}")))?
        .hash();
    Ok(Digest { hash, spec_name, spec_version })
}

/// The types a recursive walk of `ty` visits next, as `merkleized-metadata` walks them.
fn children(registry: &PortableRegistry, ty: u32) -> Result<Vec<u32>> {
    let t = registry
        .types
        .get(ty as usize)
        .ok_or_else(|| unsupported(format!("the metadata refers to a type {ty} it does not have")))?;
    Ok(match &t.ty.type_def {
        TypeDef::Composite(c) => c.fields.iter().map(|f| f.ty.id).collect(),
        TypeDef::Variant(v) => v.variants.iter().flat_map(|v| v.fields.iter().map(|f| f.ty.id)).collect(),
        TypeDef::Sequence(s) => vec![s.type_param.id],
        TypeDef::Array(a) => vec![a.type_param.id],
        TypeDef::Tuple(t) => t.fields.iter().map(|f| f.id).collect(),
        TypeDef::Compact(c) => vec![c.type_param.id],
        TypeDef::BitSequence(b) => vec![b.bit_order_type.id, b.bit_store_type.id],
        TypeDef::Primitive(_) => vec![],
    })
}

/// Refuses metadata whose types, walked depth first from the extrinsic's as the crate walks
/// them (recursively), nest deeper than [`MAX_WALK_DEPTH`]. Iterative here, so the check
/// itself cannot overflow.
fn check_walk_depth(registry: &PortableRegistry, extrinsic: &ExtrinsicMetadata<PortableForm>) -> Result<()> {
    let mut roots = vec![extrinsic.call_ty.id, extrinsic.address_ty.id, extrinsic.signature_ty.id];
    roots.extend(extrinsic.signed_extensions.iter().flat_map(|e| [e.ty.id, e.additional_signed.id]));
    let mut visited = BTreeSet::new();
    for root in roots {
        if !visited.insert(root) {
            continue;
        }
        let mut stack = vec![(children(registry, root)?, 0usize)];
        while let Some((next, i)) = stack.last_mut() {
            let Some(&ty) = next.get(*i) else {
                stack.pop();
                continue;
            };
            *i += 1;
            if visited.insert(ty) {
                if stack.len() >= MAX_WALK_DEPTH {
                    return Err(unsupported(format!("the metadata's types nest deeper than {MAX_WALK_DEPTH} levels")));
                }
                stack.push((children(registry, ty)?, 0));
            }
        }
    }
    Ok(())
}

/// The metadata bytes inside a `Metadata_metadata_at_version` answer (`Option<Vec<u8>>`):
/// `None` when the runtime does not serve that version.
pub fn from_versioned_answer(answer: &[u8]) -> Result<Option<Vec<u8>>> {
    Option::<Vec<u8>>::decode(&mut &answer[..])
        .map_err(|_| Error::new(ErrorCode::RpcError, "unexpected answer to Metadata_metadata_at_version"))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use parity_scale_codec::Encode;

    const RECENT: &[u8] = include_bytes!("../../tests/fixtures/vara-recent.metadata.scale");
    const V14: &[u8] = include_bytes!("../../tests/fixtures/vara-1000.metadata.scale");

    #[test]
    fn the_recent_runtime_digest() {
        // @polkadot-api/merkleize-metadata 1.3.0 over the same bytes (tests/node/wallets.test.mjs
        // compares every fixture with it at run time).
        let d = digest(RECENT, Network::VaraTestnet).unwrap();
        assert_eq!((d.spec_name.as_str(), d.spec_version), ("vara-testnet", 20000));
        assert_eq!(hex::encode(d.hash), "2ea68f32dde694ab02346f0e7d88c9a0a76e956f881af0497a5149ac88c6945c");
        // The token symbol is part of it.
        assert_ne!(digest(RECENT, Network::Vara).unwrap().hash, d.hash);
    }

    #[test]
    fn only_v15_is_digested() {
        let e = digest(V14, Network::VaraTestnet).unwrap_err();
        assert_eq!(e.code, ErrorCode::UnsupportedRuntime);
        assert!(e.message.contains("V14"), "{}", e.message);
        assert_eq!(digest(&RECENT[..1000], Network::VaraTestnet).unwrap_err().code, ErrorCode::UnsupportedRuntime);
        assert_eq!(digest(b"not metadata", Network::VaraTestnet).unwrap_err().code, ErrorCode::UnsupportedRuntime);
    }

    #[test]
    fn metadata_nested_deeper_than_any_runtime_is_refused() {
        use frame_metadata::RuntimeMetadataPrefixed;
        use scale_info::{Field, Path, PortableType, Type, TypeDefComposite};
        let RuntimeMetadataPrefixed(_, RuntimeMetadata::V15(mut v15)) =
            RuntimeMetadataPrefixed::decode(&mut &RECENT[..]).unwrap()
        else {
            panic!("V15")
        };
        check_walk_depth(&v15.types, &v15.extrinsic).unwrap();
        // A chain of 5,000 structs, each holding the next, as a signed extension's type.
        let first = v15.types.types.len() as u32;
        for i in 0..5_000u32 {
            let fields = if i == 4_999 { vec![] } else { vec![Field::new(None, (first + i + 1).into(), None, vec![])] };
            let def = scale_info::TypeDef::Composite(TypeDefComposite::new(fields));
            v15.types.types.push(PortableType { id: first + i, ty: Type::new(Path::default(), vec![], def, vec![]) });
        }
        v15.extrinsic.signed_extensions[0].ty = first.into();
        let e = check_walk_depth(&v15.types, &v15.extrinsic).unwrap_err();
        assert_eq!(e.code, ErrorCode::UnsupportedRuntime);
        assert!(e.message.contains("nest deeper"), "{}", e.message);
    }

    #[test]
    fn versioned_answers() {
        assert_eq!(from_versioned_answer(&[0]).unwrap(), None);
        let some = Some(RECENT.to_vec()).encode();
        assert_eq!(from_versioned_answer(&some).unwrap().as_deref(), Some(RECENT));
        assert_eq!(from_versioned_answer(&[1, 8]).unwrap_err().code, ErrorCode::RpcError);
    }

    #[test]
    fn auto_means_the_public_networks() {
        let public = Endpoint::new(Network::Vara, &[], None).unwrap();
        let local = Endpoint::new(Network::VaraTestnet, &[], Some(&format!("0x{}", "45".repeat(32)))).unwrap();
        assert!(Mode::Auto.wanted(&public));
        assert!(!Mode::Auto.wanted(&local));
        assert!(Mode::Always.wanted(&local));
        assert!(!Mode::Never.wanted(&public));
    }
}
