// Signers for the wasm client, each an object `{ address, signPayload(payload, bytes) }`:
// the shape of a Polkadot extension's signer, which the wasm calls and then verifies.
// No protocol logic lives here.
import { addressToPublicKey, ready } from 'x402-vara-wasm';
import { x402Error } from './errors.js';

function rejected(error) {
  return x402Error('SIGNER_REJECTED', `the signer refused: ${error && error.message ? error.message : String(error)}`, { cause: error });
}

/** An injected extension signer (`injected.signer`, or `web3FromAddress(a).signer`). */
export function fromInjectedSigner(signer, address) {
  if (!signer || typeof signer.signPayload !== 'function') {
    throw x402Error('INVALID_OPTIONS', 'the injected signer has no signPayload (signRaw cannot pay: the chain would refuse it)');
  }
  if (typeof address !== 'string') throw x402Error('INVALID_OPTIONS', 'fromInjectedSigner needs the account address');
  return {
    address,
    async signPayload(payload) {
      let answer;
      try {
        answer = await signer.signPayload({ ...payload, address });
      } catch (error) {
        throw rejected(error);
      }
      // Hardware (Ledger) accounts sign with CheckMetadataHash enabled; the hash they used is
      // needed to check the signature, and only some extensions report it.
      const out = { signature: answer && answer.signature };
      if (answer && answer.metadataHash) out.metadataHash = answer.metadataHash;
      return out;
    },
  };
}

/**
 * Connects to an injected Polkadot extension (Polkadot{.js}, Talisman, SubWallet) through
 * `window.injectedWeb3` and returns a signer for `address` (matched by public key, whatever
 * its SS58 prefix) or, without one, the first sr25519 account.
 */
export async function connectExtension({ appName, source, address, injectedWeb3 = globalThis.injectedWeb3 } = {}) {
  if (!appName) throw x402Error('INVALID_OPTIONS', 'connectExtension needs an appName (shown by the extension)');
  const sources = Object.keys(injectedWeb3 || {});
  const name = source ?? sources[0];
  if (!name || !injectedWeb3[name]) {
    throw x402Error('SIGNER_REJECTED', source ? `extension ${source} is not installed (installed: ${sources.join(', ') || 'none'})` : 'no Polkadot extension is installed');
  }
  let injected;
  try {
    injected = await injectedWeb3[name].enable(appName);
  } catch (error) {
    throw rejected(error);
  }
  const accounts = await injected.accounts.get();
  const sr25519 = (a) => !a.type || a.type === 'sr25519';
  let account;
  if (address) {
    await ready(); // addressToPublicKey runs in the wasm (loaded lazily in browsers)
    const wanted = addressToPublicKey(address);
    account = accounts.find((a) => { try { return addressToPublicKey(a.address) === wanted; } catch { return false; } });
  } else {
    account = accounts.find(sr25519);
  }
  if (!account) throw rejected(new Error(address ? `account ${address} is not in ${name}` : `${name} shares no sr25519 account`));
  if (!sr25519(account)) throw x402Error('INVALID_OPTIONS', `account ${account.address} is ${account.type}: only sr25519 accounts can pay on Vara here`);
  return { source: name, accounts, signer: fromInjectedSigner(injected.signer, account.address) };
}

/** A polkadot-js keyring pair (sr25519), e.g. `keyring.addFromUri('//Alice')`. */
export function fromKeyringPair(pair) {
  if (!pair || typeof pair.sign !== 'function') throw x402Error('INVALID_OPTIONS', 'fromKeyringPair needs a keyring pair ({ address, sign })');
  if (pair.type && pair.type !== 'sr25519') throw x402Error('INVALID_OPTIONS', `only sr25519 accounts can pay on Vara here, got ${pair.type}`);
  return fromSignBytes(pair.address, (bytes) => pair.sign(bytes));
}

/** A callback that signs the exact payload bytes and returns a 64- or 65-byte signature (bytes or hex). */
export function fromSignBytes(address, sign) {
  if (typeof sign !== 'function') throw x402Error('INVALID_OPTIONS', 'fromSignBytes needs a sign(bytes) function');
  return {
    address,
    async signPayload(_payload, bytes) {
      let signature;
      try {
        signature = await sign(bytes);
      } catch (error) {
        throw rejected(error);
      }
      // The wasm accepts 64 or 65 bytes, as bytes or hex, and checks the signature.
      return { signature };
    },
  };
}

/** Accepts every signer form the package knows and returns one the wasm takes. */
export function toSigner(signer) {
  if (!signer || typeof signer !== 'object') {
    throw x402Error('INVALID_OPTIONS', 'a signer is required: a Keypair, an extension signer { address, signPayload } or a keyring pair { address, sign }');
  }
  if (typeof signer.signPayload === 'function') return signer;
  if (typeof signer.sign === 'function' && signer.address) return fromKeyringPair(signer);
  throw x402Error('INVALID_OPTIONS', 'unknown signer: pass a Keypair, an extension signer { address, signPayload } or a keyring pair { address, sign }');
}
