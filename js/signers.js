// Signers for the wasm client, each an object `{ address, type?, signPayload(payload, bytes) }`:
// the shape of a Polkadot extension's signer, which the wasm calls and then checks (a
// polkadot-api PolkadotSigner needs no adapter: the wasm takes it as it is). No protocol logic
// lives here: which account kinds pay, and what a wallet said when it cannot, does.
import { addressToPublicKey, ready } from 'x402-vara-wasm';
import { x402Error, isX402Error } from './errors.js';

/** The account kinds Vara's MultiSignature takes. */
const KEY_TYPES = ['sr25519', 'ed25519', 'ecdsa'];
const VARA_GENESIS = [
  '0xfe1b4c55fd4d668101126434206571a7838a8b6b93a6d1b95d607e78e6c53763',
  '0x525639f713f397dcf839bd022cd821f367ebcf179de7b9253531f8adbe5436d6',
];
const WALLETS = 'Polkadot{.js}, Talisman or SubWallet';

function rejected(error) {
  // An X402Error already says what happened.
  if (isX402Error(error)) return error;
  return x402Error('SIGNER_REJECTED', `the signer refused: ${error && error.message ? error.message : String(error)}`, { cause: error });
}

/** Why an injected account cannot pay on Vara, or null when it can. */
function unusable(account) {
  const type = account.type ?? 'sr25519'; // extensions before types were reported: sr25519
  if (!KEY_TYPES.includes(type)) return `${type} accounts cannot sign Vara transactions`;
  if (account.genesisHash && !VARA_GENESIS.includes(String(account.genesisHash).toLowerCase())) {
    return `bound to another chain (genesis ${account.genesisHash})`;
  }
  return null;
}

const describe = (a) => `${a.name ? `${a.name} ` : ''}${a.address} (${a.type ?? 'sr25519'})`;

/** An injected extension signer (`injected.signer`, or `web3FromAddress(a).signer`). */
export function fromInjectedSigner(signer, address, type) {
  if (!signer || typeof signer.signPayload !== 'function') {
    throw x402Error('INVALID_OPTIONS', 'the injected signer has no signPayload (signRaw cannot pay: the chain would refuse it)');
  }
  if (typeof address !== 'string') throw x402Error('INVALID_OPTIONS', 'fromInjectedSigner needs the account address');
  return {
    address,
    ...(type ? { type } : {}),
    async signPayload(payload) {
      let answer;
      try {
        // withSignedTransaction: wallets that change the payload (Ledger accounts sign with
        // their own metadata hash) return the transaction they signed; Talisman refuses
        // Ledger signing without it. The wasm decodes and checks it.
        answer = await signer.signPayload({ ...payload, address, withSignedTransaction: true });
      } catch (error) {
        throw rejected(error);
      }
      const out = { signature: answer && answer.signature };
      if (answer && answer.signedTransaction) out.signedTransaction = answer.signedTransaction;
      if (answer && answer.metadataHash) out.metadataHash = answer.metadataHash;
      return out;
    },
  };
}

/** Resolves once the page has loaded: extensions inject `window.injectedWeb3` by then. */
function pageLoaded() {
  const doc = globalThis.document;
  if (!doc || doc.readyState === 'complete') return Promise.resolve();
  return new Promise((resolve) => globalThis.addEventListener('load', () => resolve(), { once: true }));
}

/**
 * Connects to an injected Polkadot extension (Polkadot{.js}, Talisman, SubWallet) through
 * `window.injectedWeb3` and returns a signer for `address` (matched by public key, whatever
 * its SS58 prefix) or, without one, the first account that can pay (sr25519, ed25519 or
 * ecdsa). No extension: WALLET_NOT_FOUND. No account that can pay: NO_USABLE_ACCOUNT, naming
 * what the wallet shares. The user refusing to connect: SIGNER_REJECTED.
 */
export async function connectExtension({ appName, source, address, injectedWeb3 } = {}) {
  if (!appName) throw x402Error('INVALID_OPTIONS', 'connectExtension needs an appName (shown by the extension)');
  if (!injectedWeb3) {
    await pageLoaded();
    injectedWeb3 = globalThis.injectedWeb3;
  }
  const sources = Object.keys(injectedWeb3 || {});
  const name = source ?? sources[0];
  if (!name || !injectedWeb3[name]) {
    throw x402Error('WALLET_NOT_FOUND', source
      ? `the wallet extension "${source}" is not installed or not enabled in this browser (installed: ${sources.join(', ') || 'none'})`
      : `no Polkadot wallet extension is installed in this browser: install ${WALLETS}, or pay with a key (x402-vara-wasm/keypair)`);
  }
  let injected;
  try {
    injected = await injectedWeb3[name].enable(appName);
  } catch (error) {
    throw x402Error('SIGNER_REJECTED', `${name} did not connect to this site: ${error && error.message ? error.message : String(error)}`, { cause: error });
  }
  const accounts = await injected.accounts.get();
  const others = sources.filter((s) => s !== name);
  const elsewhere = others.length ? `; also installed: ${others.join(', ')} (pass source)` : '';
  const shared = accounts.length ? `it shares ${accounts.map(describe).join(', ')}` : 'it shares no account with this site';
  let account;
  if (address) {
    await ready(); // addressToPublicKey runs in the wasm (loaded lazily in browsers)
    const wanted = addressToPublicKey(address);
    account = accounts.find((a) => { try { return addressToPublicKey(a.address) === wanted; } catch { return false; } });
    if (!account) throw x402Error('NO_USABLE_ACCOUNT', `account ${address} is not in ${name}: ${shared}${elsewhere}`);
    const why = unusable({ ...account, genesisHash: null });
    if (why) throw x402Error('NO_USABLE_ACCOUNT', `account ${address} in ${name} cannot pay: ${why}; Vara takes sr25519, ed25519 and ecdsa accounts`);
  } else {
    account = accounts.find((a) => !unusable(a));
    if (!account) {
      const reasons = accounts.map((a) => `${describe(a)}: ${unusable(a)}`).join('; ');
      throw x402Error('NO_USABLE_ACCOUNT', `${name} offers no account that can pay on Vara (${accounts.length ? reasons : 'it shares no account with this site'}): create or import an sr25519, ed25519 (Ledger) or ecdsa account in ${name} and allow this site to see it${elsewhere}`);
    }
  }
  const type = account.type && KEY_TYPES.includes(account.type) ? account.type : undefined;
  return { source: name, accounts, account, signer: fromInjectedSigner(injected.signer, account.address, type) };
}

/** A polkadot-js keyring pair (sr25519, ed25519 or ecdsa), e.g. `keyring.addFromUri('//Alice')`. */
export function fromKeyringPair(pair) {
  if (!pair || typeof pair.sign !== 'function') throw x402Error('INVALID_OPTIONS', 'fromKeyringPair needs a keyring pair ({ address, sign })');
  const type = pair.type ?? 'sr25519';
  if (!KEY_TYPES.includes(type)) throw x402Error('INVALID_OPTIONS', `${type} accounts cannot pay on Vara: sr25519, ed25519 and ecdsa accounts can`);
  // withType: the signature leads with its MultiSignature type byte (ecdsa signs blake2-256 of the bytes).
  return fromSignBytes(pair.address, (bytes) => pair.sign(bytes, { withType: true }), { type });
}

/** A callback that signs the exact payload bytes and returns the signature (bytes or hex): 64
 *  bytes for sr25519 and ed25519, 65 (`r ‖ s ‖ v`, over blake2-256 of the bytes) for ecdsa, or
 *  one more with the type byte. `type` says which; without it a 64-byte one is sr25519 or
 *  ed25519, whichever verifies. */
export function fromSignBytes(address, sign, { type } = {}) {
  if (typeof sign !== 'function') throw x402Error('INVALID_OPTIONS', 'fromSignBytes needs a sign(bytes) function');
  if (type !== undefined && !KEY_TYPES.includes(type)) throw x402Error('INVALID_OPTIONS', `type must be one of ${KEY_TYPES.join(', ')}, got ${type}`);
  return {
    address,
    ...(type ? { type } : {}),
    async signPayload(_payload, bytes) {
      let signature;
      try {
        signature = await sign(bytes);
      } catch (error) {
        throw rejected(error);
      }
      // The wasm checks the signature against the payer's key.
      return { signature };
    },
  };
}

/** Accepts every signer form the package knows and returns one the wasm takes. */
export function toSigner(signer) {
  const forms = 'pass a Keypair, an extension signer { address, signPayload }, a keyring pair { address, sign } or a polkadot-api PolkadotSigner { publicKey, signTx }';
  if (!signer || typeof signer !== 'object') throw x402Error('INVALID_OPTIONS', `a signer is required: ${forms}`);
  if (typeof signer.signPayload === 'function') return signer;
  if (typeof signer.signTx === 'function' && signer.publicKey) return signer;
  if (typeof signer.sign === 'function' && signer.address) return fromKeyringPair(signer);
  throw x402Error('INVALID_OPTIONS', `unknown signer: ${forms}`);
}
