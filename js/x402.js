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

/**
 * USD-pegged VFTs on Vara, for @x402/core's spend controls (its default "$1" cap, as for USDC
 * on other chains). Program ids: the Vara bridge's Developer Hub list (gear-foundation/vara-wiki,
 * src/addresses/bridge-addresses.js at dfd3366, 2026-04-20); names and decimals: the bridge's
 * deployment tool (gear-tech/gear-bridges, tools/vft-tool/src/main.rs at 1554abe, "Bridged
 * USD Coin"/WUSDC and "Bridged Tether USD"/WUSDT, 6 decimals).
 */
export const VARA_DEFAULT_ASSETS = Object.freeze({
  [VARA_MAINNET]: Object.freeze([
    { asset: '0xd1de816d7dce6439504552686ab333e5b7302b1549763656b30af1f8a5871b6a', decimals: 6, symbol: 'WUSDC' },
    { asset: '0x4255ff4a87a4c13dc39f74ace8c4948bbef2f75fb639d66639a1cfcc99e6243e', decimals: 6, symbol: 'WUSDT' },
  ]),
  [VARA_TESTNET]: Object.freeze([
    { asset: '0x9f332e61589e0850dce6d8e6070ea5618de33d9f134a4a35d6d1164dc9002f48', decimals: 6, symbol: 'WUSDC' },
    { asset: '0x464511231a1afe9108a689ed3dbbb047ca308d6f5dfb86453e4df5612a2d668a', decimals: 6, symbol: 'WUSDT' },
  ]),
});

// v1 names the networks; v2 gives their CAIP-2 ids.
const CAIP2 = { vara: VARA_MAINNET, 'vara-testnet': VARA_TESTNET };

/** The default (USD-pegged) asset entry for `asset` on `network` (v1 name or CAIP-2), if any. */
export function findDefaultAsset(asset, network) {
  const table = VARA_DEFAULT_ASSETS[CAIP2[network] ?? network];
  return table?.find((entry) => entry.asset === String(asset ?? '').toLowerCase());
}

// The core's own default for native payments (0.1 VARA), needed here only to take the lower
// of it and the SDK's cap when the caller set no maxAmount.VARA of their own.
const DEFAULT_MAX_NATIVE = 100_000_000_000n;

const fromBase64Json = (text) => JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(text), (c) => c.charCodeAt(0))));

const isNative = (asset) => asset == null || asset === '' || String(asset).toLowerCase() === VARA_ASSET;

/**
 * Our limits with the SDK's per-payment cap folded in: for the requirement's asset the lower
 * of the two wins. A token the caller did not list in `maxAmount` is paid up to the SDK's cap:
 * the SDK hands one only for its default (USD) assets and for `allowedAssets` entries with a
 * `maxAmountPerPayment`, both the caller's choice. Without a cap such a token stays refused.
 */
export function withSpendCap(options, asset, cap) {
  if (cap == null || !/^\d+$/.test(String(cap))) return options;
  const native = isNative(asset);
  const limits = { ...(options.maxAmount ?? {}) };
  const key = Object.keys(limits).find((k) =>
    native ? ['vara', 'native'].includes(k.toLowerCase()) : k.toLowerCase() === String(asset).toLowerCase());
  if (key && !/^\d+$/.test(String(limits[key]))) return options; // the core reports INVALID_OPTIONS
  const ours = key ? BigInt(limits[key]) : native ? DEFAULT_MAX_NATIVE : BigInt(cap);
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
    // The SDK caps these at its "$1" default (spendControls.maxAmountPerPayment).
    findDefaultAsset,
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
