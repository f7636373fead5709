// The Vara `exact` scheme as an @x402/core scheme client, so that @x402/fetch, @x402/axios and
// any x402Client pay on Vara: an adapter only. Requirements, limits, consent, the genesis
// check and signing all stay in the wasm core (createPaymentHeader), for v1 and v2 alike.
import { createPaymentHeader, releasePayment } from 'x402-vara-wasm';
import { checkOptions } from './options.js';
import { toSigner } from './signers.js';

/** CAIP-2 ids of the Vara networks (`polkadot:` + the first 16 bytes of the genesis hash). */
export const VARA_MAINNET = 'polkadot:fe1b4c55fd4d668101126434206571a7';
export const VARA_TESTNET = 'polkadot:525639f713f397dcf839bd022cd821f3';
/** The v2 `asset` of native VARA (compared case-insensitively); a VFT is its 0x program id. */
export const VARA_ASSET = 'vara';

// The core's own default for native payments (0.1 VARA), needed here only to take the lower
// of it and the SDK's cap when the caller set no maxAmount.VARA of their own.
const DEFAULT_MAX_NATIVE = 100_000_000_000n;

const fromBase64Json = (text) => JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(text), (c) => c.charCodeAt(0))));

const isNative = (asset) => asset == null || asset === '' || String(asset).toLowerCase() === VARA_ASSET;

/**
 * Our limits with the SDK's per-payment cap folded in: for the requirement's asset the lower
 * of the two wins. A token the caller did not allow in `maxAmount` stays refused.
 */
export function withSpendCap(options, asset, cap) {
  if (cap == null) return options;
  const native = isNative(asset);
  const limits = { ...(options.maxAmount ?? {}) };
  const key = Object.keys(limits).find((k) =>
    native ? ['vara', 'native'].includes(k.toLowerCase()) : k.toLowerCase() === String(asset).toLowerCase());
  if (!key && !native) return options;
  if (key && !/^\d+$/.test(String(limits[key]))) return options; // the core reports INVALID_OPTIONS
  const ours = key ? BigInt(limits[key]) : DEFAULT_MAX_NATIVE;
  if (key) delete limits[key];
  limits[native ? 'VARA' : asset] = String(BigInt(cap) < ours ? BigInt(cap) : ours);
  return { ...options, maxAmount: limits };
}

/**
 * `varaExactScheme(signer, options)` → an @x402/core `SchemeNetworkClient` for
 * `client.register('polkadot:…', …)` and `client.registerV1('vara-testnet', …)`.
 * `options` are this package's (`maxAmount`, `rpcUrls`, `genesisHashes`, `onBeforePayment`, …).
 */
export function varaExactScheme(signer, options = {}) {
  const payer = toSigner(signer);
  checkOptions(payer, options);
  return {
    scheme: 'exact',
    // The SDK sends what we build; when the seller refuses it (or it never arrives), its
    // nonce goes back to the payer's next payment. (@x402/fetch calls this for v2.)
    schemeHooks: {
      async onPaymentResponse({ paymentPayload, settleResponse, paymentRequired, error }) {
        if (error || paymentRequired || (settleResponse && !settleResponse.success)) releasePayment(paymentPayload);
      },
    },
    async createPaymentPayload(x402Version, requirements, context = {}) {
      const opts = withSpendCap(options, requirements?.asset, context.maxAmountPerPayment);
      // From the header, not `payload`: its JSON keeps the reference's key order, so what the
      // SDK re-encodes is byte for byte what our own wrapper sends.
      const { header } = await createPaymentHeader(requirements, payer, opts);
      const payload = fromBase64Json(header);
      // v1: the SDK sends the whole header object as is. v2: it adds `resource` and
      // `accepted` itself and merges the server's extensions with any we echo.
      if (x402Version === 1) return payload;
      return payload.extensions
        ? { x402Version: 2, payload: payload.payload, extensions: payload.extensions }
        : { x402Version: 2, payload: payload.payload };
    },
  };
}
