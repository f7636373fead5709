// Exact decimal formatting of planck amounts (BigInt; no float division): 10000000000 → "0.01".
// (The Next.js and Vite examples each carry this file: each example stands alone.)
export function formatUnits(amount, decimals = 12) {
  const value = BigInt(amount);
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  const base = 10n ** BigInt(decimals);
  const fraction = (abs % base).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${sign}${abs / base}${fraction ? `.${fraction}` : ''}`;
}
