//! The VFT program of tests/vft on Sails 0.x: gear-foundation's `awesome-sails` 0.2 services,
//! addressed by name (`"Vft"`, `"Transfer"`) as the tokens deployed on Vara are. Nothing of
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

pub mod program {
    use awesome_sails::{
        access_control::{AccessControl, RolesStorage},
        vft::{
            Vft,
            utils::{Allowances, Balances},
        },
        vft_admin::VftAdmin,
        vft_metadata::{Metadata, VftMetadata},
    };
    use awesome_sails_storage::StorageRefCell;
    use awesome_sails_utils::pause::{PausableRef, Pause};
    use sails_rs::{cell::RefCell, prelude::*};

    /// Room for this many holders, allocated at deployment (as in the Sails 1.0 program).
    const HOLDERS: usize = 0b1111_1111_1111;

    pub struct Token {
        roles: RefCell<RolesStorage>,
        allowances: RefCell<Allowances>,
        balances: RefCell<Balances>,
        metadata: Metadata,
        pause: Pause,
    }

    impl Token {
        fn allowances(&self) -> PausableRef<'_, Allowances> {
            PausableRef::new(&self.pause, StorageRefCell::new(&self.allowances))
        }

        fn balances(&self) -> PausableRef<'_, Balances> {
            PausableRef::new(&self.pause, StorageRefCell::new(&self.balances))
        }
    }

    #[program]
    impl Token {
        /// The deployer becomes the admin (who may grant the minter role).
        pub fn new(name: String, symbol: String, decimals: u8) -> Self {
            let mut roles = RolesStorage::default();
            roles.grant_initial_admin(Syscall::message_source());
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

        pub fn access_control(&self) -> AccessControl<'_> {
            AccessControl::new(StorageRefCell::new(&self.roles))
        }

        pub fn vft(&self) -> Vft<'_> {
            Vft::new(self.allowances(), self.balances())
        }

        pub fn vft_metadata(&self) -> VftMetadata<&Metadata> {
            VftMetadata::new(&self.metadata)
        }

        pub fn vft_admin(&self) -> VftAdmin<'_> {
            VftAdmin::new(self.access_control(), self.allowances(), self.balances(), &self.pause, self.vft())
        }
    }
}
