// Signers for the wasm client, each an object `{ address, signPayload(payload, bytes) }`:
// the shape of a Polkadot extension's signer, which the wasm calls and then verifies.
// No protocol logic lives here.

const SR25519 = 0x01;

function toHex(bytes) {
  let out = '0x';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

function rejected(error) {
  const e = new Error(`the signer refused: ${error && error.message ? error.message : String(error)}`);
  e.name = 'X402Error';
  e.code = 'SIGNER_REJECTED';
  return e;
}

/** An injected extension signer (`injected.signer`, or `web3FromAddress(a).signer`). */
export function fromInjectedSigner(signer, address) {
  if (!signer || typeof signer.signPayload !== 'function') {
    throw new TypeError('the injected signer has no signPayload (signRaw cannot pay: the chain would refuse it)');
  }
  return {
    address,
    async signPayload(payload) {
      let answer;
      try {
        answer = await signer.signPayload({ ...payload, address });
      } catch (error) {
        throw rejected(error);
      }
      // Ledger accounts sign with CheckMetadataHash enabled and say which hash they used.
      const out = { signature: answer.signature };
      if (answer.signedTransaction && answer.metadataHash) out.metadataHash = answer.metadataHash;
      return out;
    },
  };
}

/**
 * Connects to an injected Polkadot extension (Polkadot{.js}, Talisman, SubWallet) through
 * `window.injectedWeb3` and returns a signer for `address` (or the first account).
 */
export async function connectExtension({ appName, source, address, injectedWeb3 = globalThis.injectedWeb3 } = {}) {
  if (!appName) throw new TypeError('connectExtension needs an appName (shown by the extension)');
  const sources = Object.keys(injectedWeb3 || {});
  const name = source ?? sources[0];
  if (!name || !injectedWeb3[name]) {
    const e = new Error(source ? `extension ${source} is not installed` : 'no Polkadot extension is installed');
    e.name = 'X402Error';
    e.code = 'SIGNER_REJECTED';
    throw e;
  }
  let injected;
  try {
    injected = await injectedWeb3[name].enable(appName);
  } catch (error) {
    throw rejected(error);
  }
  const accounts = await injected.accounts.get();
  const account = address ? accounts.find((a) => a.address === address) : accounts[0];
  if (!account) throw rejected(new Error(address ? `account ${address} is not in ${name}` : `${name} shares no account`));
  return { source: name, accounts, signer: fromInjectedSigner(injected.signer, account.address) };
}

/** A polkadot-js keyring pair (sr25519), e.g. `keyring.addFromUri('//Alice')`. */
export function fromKeyringPair(pair) {
  if (pair.type && pair.type !== 'sr25519') throw new TypeError(`only sr25519 accounts can pay on Vara here, got ${pair.type}`);
  return fromSignBytes(pair.address, (bytes) => pair.sign(bytes));
}

/** A callback that signs the exact payload bytes and returns a 64- or 65-byte signature. */
export function fromSignBytes(address, sign) {
  return {
    address,
    async signPayload(_payload, bytes) {
      let signature;
      try {
        signature = await sign(bytes);
      } catch (error) {
        throw rejected(error);
      }
      if (typeof signature === 'string') return { signature };
      return { signature: toHex(signature.length === 64 ? [SR25519, ...signature] : signature) };
    },
  };
}

/** Accepts every signer form the package knows and returns one the wasm takes. */
export function toSigner(signer) {
  if (!signer) throw new TypeError('a signer is required');
  if ('__x402KeyId' in signer || typeof signer.signPayload === 'function') return signer;
  if (typeof signer.sign === 'function' && signer.address) return fromKeyringPair(signer);
  throw new TypeError('unknown signer: pass a Keypair, an extension signer or a keyring pair');
}
