// The seller's side of the Vara `exact` scheme for @x402/core's x402ResourceServer (and so
// @x402/express): turns a route's price into v2 requirements. Native VARA is the asset
// "vara" (12 decimals); a VFT is its 0x program id. Test support, shared with the benchmark
// and the Next.js example; no chain access here (that is the facilitator's job).

export const VARA_MAINNET = 'polkadot:fe1b4c55fd4d668101126434206571a7';
export const VARA_TESTNET = 'polkadot:525639f713f397dcf839bd022cd821f3';
export const VARA_ASSET = 'vara';
export const VARA_DECIMALS = 12;

const PROGRAM_ID = /^0x[0-9a-fA-F]{64}$/;

export const isNativeAsset = (asset) => typeof asset === 'string' && asset.toLowerCase() === VARA_ASSET;

/** "0.03", "0.03 VARA" or a number → planck. A "$" price has no meaning for VARA. */
export function varaToPlanck(price) {
  const text = String(price).trim().replace(/\s*VARA$/i, '');
  const m = /^(\d+)(?:\.(\d{1,12}))?$/.exec(text);
  if (!m) throw new Error(`not a VARA amount: ${JSON.stringify(price)} (write "0.01" or "0.01 VARA"; USD prices need a token)`);
  return (BigInt(m[1]) * 10n ** 12n + BigInt((m[2] ?? '').padEnd(12, '0'))).toString();
}

export class VaraExactServer {
  scheme = 'exact';
  // No on-wire asset transfer methods: the SDK's plumbing value, one flow (verify, serve, settle).
  defaultAssetTransferMethod = 'default';
  paymentFlows = { default: { supported: ['authorization'], default: 'authorization' } };

  /** A VARA amount, or `{ amount, asset }` with asset "vara" or a VFT program id (atomic units). */
  async parsePrice(price, network) {
    if (!network.startsWith('polkadot:')) throw new Error(`not a Vara network: ${network}`);
    if (price && typeof price === 'object') {
      const { amount, asset, extra } = price;
      if (!/^\d+$/.test(String(amount))) throw new Error(`amount must be an integer in atomic units, got ${amount}`);
      if (isNativeAsset(asset)) return { amount: String(amount), asset: VARA_ASSET, extra: { name: 'VARA', decimals: VARA_DECIMALS, ...extra } };
      if (!PROGRAM_ID.test(asset ?? '')) throw new Error(`asset must be "vara" or a VFT program id, got ${asset}`);
      return { amount: String(amount), asset: asset.toLowerCase(), extra: { ...extra } };
    }
    return { amount: varaToPlanck(price), asset: VARA_ASSET, extra: { name: 'VARA', decimals: VARA_DECIMALS } };
  }

  /** VARA has 12; a token's decimals are the program's business (the route's `extra` says them). */
  getAssetDecimals(asset) {
    return isNativeAsset(asset) ? VARA_DECIMALS : undefined;
  }

  async enhancePaymentRequirements(requirements) {
    return requirements;
  }
}
