//! A VFT (Vara Fungible Token) program assembled from gear-foundation's `awesome-sails`
//! services, as a token issuer would deploy one: `Vft` (transfers, balances), `VftMetadata`
//! (name, symbol, decimals), `VftAdmin` with `AccessControl` (mint, burn, pause). Nothing of
//! the token's logic is written here; this file only wires the published services together.

#![no_std]

#[cfg(target_arch = "wasm32")]
pub use program::*;

/// The optimised wasm that gear-wasm-builder produced from this crate (for gtest).
#[cfg(not(target_arch = "wasm32"))]
pub use code::WASM_BINARY_OPT as WASM_BINARY;

#[cfg(not(target_arch = "wasm32"))]
mod code {
    include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));
}

/// Also built natively: the services' interface ids and entry ids come from here in tests.
pub mod program {
    use awesome_sails::{
        vft::{
            Vft,
            utils::{Allowances, Balances},
        },
        vft_admin::{AccessControl, RolesStorage, VftAdmin, init_roles_storage},
        vft_metadata::{Metadata, VftMetadata},
    };
    use awesome_sails_utils::pause::{PausableRef, Pause};
    use sails_rs::{cell::RefCell, prelude::*};

    pub struct Token {
        roles: RefCell<RolesStorage>,
        allowances: RefCell<Allowances>,
        balances: RefCell<Balances>,
        metadata: Metadata,
        pause: Pause,
    }

    impl Token {
        fn allowances(&self) -> PausableRef<'_, Allowances> {
            PausableRef::new(&self.pause, &self.allowances)
        }

        fn balances(&self) -> PausableRef<'_, Balances> {
            PausableRef::new(&self.pause, &self.balances)
        }
    }

    /// Room for this many holders, allocated at deployment (awesome-sails' balances map takes
    /// no holder until a shard is allocated; its default shards are sized for mainnet tokens
    /// and allocated message by message, which a test token does not need).
    const HOLDERS: usize = 0b1111_1111_1111;

    #[program]
    impl Token {
        /// The deployer becomes the admin (who may grant the minter role).
        pub fn new(name: String, symbol: String, decimals: u8) -> Self {
            let mut roles = RolesStorage::default();
            init_roles_storage(&mut roles, Syscall::message_source()).expect("the built-in roles fit");
            let mut balances = Balances::try_new(vec![HOLDERS]).expect("a valid shard size");
            balances.allocate_next_shard();
            Self {
                roles: RefCell::new(roles),
                allowances: Default::default(),
                balances: RefCell::new(balances),
                metadata: Metadata::new(name, symbol, decimals),
                pause: Default::default(),
            }
        }

        pub fn access_control(&self) -> AccessControl<'_, &RefCell<RolesStorage>> {
            AccessControl::new(&self.roles)
        }

        pub fn vft(&self) -> Vft<'_> {
            Vft::new(self.allowances(), self.balances())
        }

        pub fn vft_metadata(&self) -> VftMetadata<&Metadata> {
            VftMetadata::new(&self.metadata)
        }

        pub fn vft_admin(
            &self,
        ) -> VftAdmin<'_, &RefCell<RolesStorage>, PausableRef<'_, Allowances>, PausableRef<'_, Balances>> {
            VftAdmin::new(self.access_control(), self.allowances(), self.balances(), &self.pause, self.vft())
        }
    }
}
