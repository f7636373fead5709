// Options are checked when a client is made, as the fetch wrapper checks them: at once in
// Node; in a browser as soon as the wasm is loaded (`ready()`), else on the first payment.
import { wrapFetchWithPayment } from 'x402-vara-wasm';

const never = () => Promise.reject(new Error('not used: the wrapper only checks the options'));

/** Throws the fetch wrapper's INVALID_OPTIONS (or signer) error for what it would refuse. */
export function checkOptions(payer, options) {
  wrapFetchWithPayment(never, payer, options);
}
