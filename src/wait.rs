//! Waiting for shared state to change, on a single-threaded executor (the JS event loop in
//! wasm, a polling loop in native tests). Several payments from one account run as separate
//! futures; they take turns through a [`Signal`] instead of a lock held across `await`s.

use core::cell::RefCell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

/// Wakes every waiter when the state it guards has changed; each waiter re-checks its own
/// condition. Cheap enough for the few dozen payments a process has in flight.
#[derive(Default)]
pub struct Signal {
    waiters: RefCell<Vec<Waker>>,
}

impl Signal {
    pub fn notify_all(&self) {
        let waiters = core::mem::take(&mut *self.waiters.borrow_mut());
        for w in waiters {
            w.wake();
        }
    }

    /// Resolves to the first `Some` that `check` returns, re-checking after every notification.
    pub fn until<T, F: FnMut() -> Option<T>>(&self, check: F) -> Until<'_, F> {
        Until { signal: self, check }
    }
}

pub struct Until<'a, F> {
    signal: &'a Signal,
    check: F,
}

impl<T, F: FnMut() -> Option<T> + Unpin> Future for Until<'_, F> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        if let Some(v) = (self.check)() {
            return Poll::Ready(v);
        }
        self.signal.waiters.borrow_mut().push(cx.waker().clone());
        Poll::Pending
    }
}

/// Runs `main` until it finishes or `stop` does first; `stop`'s output ends the race.
pub async fn race<T, A: Future<Output = T>, B: Future<Output = T>>(main: A, stop: B) -> T {
    let mut main = core::pin::pin!(main);
    let mut stop = core::pin::pin!(stop);
    core::future::poll_fn(move |cx| {
        if let Poll::Ready(v) = main.as_mut().poll(cx) {
            return Poll::Ready(v);
        }
        stop.as_mut().poll(cx)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::cell::Cell;

    #[test]
    fn waiters_resume_when_their_condition_holds() {
        let signal = Signal::default();
        let flag = Cell::new(false);
        let mut fut = core::pin::pin!(signal.until(|| flag.get().then_some(7)));
        let waker = crate::testutil::noop_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        flag.set(true);
        signal.notify_all();
        assert_eq!(fut.as_mut().poll(&mut cx), Poll::Ready(7));
    }

    #[test]
    fn race_returns_whichever_finishes_first() {
        let out = crate::testutil::block_on(race(core::future::pending::<u8>(), async { 3 }));
        assert_eq!(out, 3);
        let out = crate::testutil::block_on(race(async { 1 }, core::future::pending::<u8>()));
        assert_eq!(out, 1);
    }
}
