//! Helpers for native unit tests.

use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

/// A waker that does nothing: tests re-poll on their own.
pub fn noop_waker() -> Waker {
    fn noop(_: *const ()) {}
    fn clone(_: *const ()) -> RawWaker {
        RawWaker::new(core::ptr::null(), &VTABLE)
    }
    static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, noop, noop, noop);
    unsafe { Waker::from_raw(RawWaker::new(core::ptr::null(), &VTABLE)) }
}

/// Polls a future that never waits on real I/O (scripted transports) to completion.
pub fn block_on<F: core::future::Future>(f: F) -> F::Output {
    let waker = noop_waker();
    let mut cx = Context::from_waker(&waker);
    let mut f = core::pin::pin!(f);
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// The signed-extension facts of the recent Vara runtime (tests/fixtures, ends with
/// `CheckMetadataHash`).
#[cfg(not(target_arch = "wasm32"))]
pub fn recent_facts() -> crate::vara::metadata::RuntimeFacts {
    crate::vara::metadata::decode(include_bytes!("../tests/fixtures/vara-recent.metadata.scale")).expect("the fixture")
}

/// A native transfer from //Alice's sr25519 key, at nonce 7, mode 0.
#[cfg(not(target_arch = "wasm32"))]
pub fn sample_unsigned(facts: &crate::vara::metadata::RuntimeFacts) -> crate::vara::extrinsic::UnsignedPayload {
    use crate::vara::address::AccountId;
    let alice = AccountId::parse("0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d").expect("a key");
    let bob = AccountId::parse("kGim5ByTuPokQf21odiQskRXcVEwaunk5PwC4dmGz8M6zuwkq").expect("an address");
    crate::vara::extrinsic::UnsignedPayload {
        address: alice,
        method: crate::vara::calls::native_transfer(facts, &bob.0, 10_000_000_000, crate::vara::calls::Layout::Pinned)
            .expect("a call"),
        era: crate::vara::era::Era::mortal(64, 1_234_566),
        block_hash: [0x11; 32],
        block_number: 1_234_566,
        genesis_hash: [0x52; 32],
        nonce: 7,
        tip: 0,
        spec_version: 20000,
        transaction_version: 1,
        signed_extensions: facts.extension_names(),
        metadata_hash: None,
        has_mode: facts.has_metadata_hash_extension(),
    }
}
