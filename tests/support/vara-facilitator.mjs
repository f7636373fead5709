// An in-process x402 v2 facilitator for the Vara `exact` scheme, on polkadot-js (an
// implementation independent of this package's Rust core, so it can judge what we sign).
// verify rebuilds the signed bytes from the payload's SignerPayloadJSON and checks the
// signature, as the reference x402-vara facilitator does; then it checks what the reference
// does not: the signed call pays payTo exactly the amount in the asset, on this network's
// chain, with a live era and an unused nonce. settle verifies again, submits the extrinsic and
// waits until it has executed in a block. Test support (tests, benchmark, Next.js example).
import { blake2AsU8a, decodeAddress, signatureVerify } from '@polkadot/util-crypto';
import { hexToBn, u8aToHex } from '@polkadot/util';
import { isNativeAsset } from './vara-exact-server.mjs';

class Invalid extends Error {
  constructor(reason, message, payer) {
    super(message);
    this.reason = reason;
    this.payer = payer;
  }
}
const fail = (reason, message) => { throw new Invalid(reason, message); };
const same = (a, b) => String(a).toLowerCase() === String(b).toLowerCase();

/** `accepted` must be the requirements the seller is verifying against (payment terms). */
function checkAccepted(payload, requirements) {
  if (payload?.x402Version !== 2) fail('invalid_x402_version', `x402Version ${payload?.x402Version}, expected 2`);
  if (requirements.scheme !== 'exact') fail('invalid_scheme', `scheme ${requirements.scheme}`);
  const a = payload.accepted ?? {};
  const terms = ['scheme', 'network', 'amount', 'payTo'].every((k) => a[k] === requirements[k]) && same(a.asset, requirements.asset);
  if (!terms) fail('payment_requirements_mismatch', 'accepted differs from the requirements');
}

/** The inner payload: `{ transaction: SignerPayloadJSON, signature: 0x + 65 bytes }`. */
function checkShape(inner) {
  const t = inner?.transaction;
  const fields = ['address', 'blockHash', 'era', 'genesisHash', 'method', 'nonce', 'specVersion', 'transactionVersion', 'tip'];
  if (!t || typeof t !== 'object' || !fields.every((f) => typeof t[f] === 'string') || !Array.isArray(t.signedExtensions)) {
    fail('invalid_payload', 'payload.transaction is not a SignerPayloadJSON');
  }
  if (typeof inner.signature !== 'string' || !/^0x[0-9a-fA-F]{130}$/.test(inner.signature)) {
    fail('invalid_payload', 'payload.signature is not 65 bytes of hex');
  }
  return { transaction: t, signature: inner.signature };
}

function checkSignature(api, transaction, signature) {
  let bytes;
  try {
    bytes = api.registry.createType('ExtrinsicPayload', transaction, { version: transaction.version }).toU8a({ method: true });
  } catch (e) {
    fail('invalid_payload', `cannot rebuild the signed payload: ${e.message}`);
  }
  const message = bytes.length > 256 ? blake2AsU8a(bytes) : bytes;
  if (!signatureVerify(message, signature, decodeAddress(transaction.address)).isValid) {
    fail('invalid_exact_vara_payload_signature', 'the signature does not match the payload and address');
  }
}

// (MultiAddress decodes as GenericMultiAddress: read `.type`/`.value`; it has no isId.)
const argsByName = (call) => Object.fromEntries(call.meta.args.map((a, i) => [a.name.toString(), call.args[i]]));

/** Native: balances.transferKeepAlive(payTo, amount). Token: gear.sendMessage(asset, Vft/Transfer(payTo, amount)). */
function checkCall(api, method, requirements) {
  let call;
  try {
    call = api.registry.createType('Call', method);
  } catch (e) {
    fail('invalid_exact_vara_payload_call', `undecodable call: ${e.message}`);
  }
  if (call.toHex() !== method.toLowerCase()) fail('invalid_exact_vara_payload_call', 'the call has trailing bytes');
  const name = `${call.section}.${call.method}`;
  const args = argsByName(call);
  const payTo = u8aToHex(decodeAddress(requirements.payTo));
  const amount = BigInt(requirements.amount);
  if (isNativeAsset(requirements.asset)) {
    if (name !== 'balances.transferKeepAlive') fail('invalid_exact_vara_payload_call', `${name} is not balances.transferKeepAlive`);
    if (args.dest.type !== 'Id' || args.dest.value.toHex() !== payTo) fail('invalid_exact_vara_payload_recipient', 'dest is not payTo');
    if (args.value.toBigInt() !== amount) fail('invalid_exact_vara_payload_amount', `value ${args.value.toBigInt()} ≠ ${amount}`);
    return;
  }
  if (name !== 'gear.sendMessage') fail('invalid_exact_vara_payload_call', `${name} is not gear.sendMessage`);
  if (!same(args.destination.toHex(), requirements.asset)) fail('invalid_exact_vara_payload_asset', 'the message goes to another program');
  if (args.value.toBigInt() !== 0n) fail('invalid_exact_vara_payload_call', 'a token transfer carries no VARA');
  const bytes = args.payload.toU8a(true);
  const sails = api.registry.createType('(String, String, [u8; 32], U256)', bytes);
  const [service, action, to, value] = sails;
  if (sails.encodedLength !== bytes.length || service.toString() !== 'Vft' || action.toString() !== 'Transfer') {
    fail('invalid_exact_vara_payload_call', 'the message is not a Sails Vft/Transfer');
  }
  if (to.toHex() !== payTo) fail('invalid_exact_vara_payload_recipient', 'the transfer is not to payTo');
  if (value.toBigInt() !== amount) fail('invalid_exact_vara_payload_amount', `value ${value.toBigInt()} ≠ ${amount}`);
}

/**
 * Not yet dead at the next block, and a nonce the account has not used. The nonce comes from
 * storage (System.Account), not system_accountNextIndex, which runs the runtime (slow).
 */
async function checkLiveness(api, transaction) {
  const [header, account] = await Promise.all([api.rpc.chain.getHeader(), api.query.system.account(transaction.address)]);
  const era = api.registry.createType('ExtrinsicEra', transaction.era);
  const nextBlock = header.number.toNumber() + 1;
  if (era.isMortalEra && era.asMortalEra.death(nextBlock) <= nextBlock) fail('invalid_exact_vara_payload_era', 'the transaction has expired');
  if (hexToBn(transaction.nonce).toNumber() < account.nonce.toNumber()) fail('invalid_exact_vara_payload_nonce', 'the nonce was already used');
}

/** The extrinsic a payment's `{ transaction, signature }` stands for, ready to submit. */
export function extrinsicOf(api, transaction, signature) {
  return api.tx(api.registry.createType('Call', transaction.method)).addSignature(transaction.address, signature, transaction);
}

/** Submits and resolves to the hash once the extrinsic executed in a block; rejects otherwise. */
export function submitAndWait(api, tx, timeoutMs = 30_000) {
  const txHash = tx.hash.toHex();
  return new Promise((resolve, reject) => {
    let done = false, unsub;
    const finish = (error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsub?.();
      if (error) reject(Object.assign(error, { txHash })); else resolve(txHash);
    };
    const timer = setTimeout(() => finish(new Invalid('settlement_timeout', 'not in a block in time')), timeoutMs);
    tx.send((result) => {
      if (result.status.isInvalid || result.status.isDropped || result.status.isUsurped) {
        finish(new Invalid('transaction_rejected', `the pool answered ${result.status.type}`));
      } else if (result.status.isInBlock || result.status.isFinalized) {
        const e = result.dispatchError;
        if (!e) return finish();
        const why = e.isModule ? (({ section, name }) => `${section}.${name}`)(api.registry.findMetaError(e.asModule)) : e.toString();
        finish(new Invalid('transaction_failed', `executed with an error: ${why}`));
      }
    }).then((u) => { unsub = u; if (done) u(); }, (e) => finish(new Invalid('transaction_rejected', e.message)));
  });
}

/** Submits and resolves to the hash once the node's pool accepted it (the reference's default). */
async function submitOnly(api, tx) {
  try {
    return (await api.rpc.author.submitExtrinsic(tx)).toHex();
  } catch (e) {
    throw new Invalid('transaction_rejected', e.message);
  }
}

/**
 * `networks`: CAIP-2 id → `{ api, genesisHash }`: a polkadot-js ApiPromise (or a function
 * returning one, to connect on first use) and the chain's expected genesis hash.
 * `waitForInclusion: false` answers settle once the pool accepted the extrinsic, as the
 * reference does (faster, but a payment that then fails in its block is reported settled).
 * Implements @x402/core's FacilitatorClient in process.
 */
export function createVaraFacilitator({ networks, waitForInclusion = true, inclusionTimeoutMs = 30_000 }) {
  async function check(paymentPayload, requirements) {
    const net = networks[requirements.network];
    if (!net) fail('invalid_network', `network ${requirements.network} is not served here`);
    checkAccepted(paymentPayload, requirements);
    const { transaction, signature } = checkShape(paymentPayload.payload);
    const api = await (typeof net.api === 'function' ? net.api() : net.api);
    try {
      if (!same(transaction.genesisHash, net.genesisHash)) fail('invalid_network', 'signed for another chain (genesis hash)');
      checkSignature(api, transaction, signature);
      checkCall(api, transaction.method, requirements);
      await checkLiveness(api, transaction);
    } catch (e) {
      e.payer = transaction.address;
      throw e;
    }
    return { api, transaction, signature };
  }

  const refusal = (e) => {
    if (!(e instanceof Invalid)) throw e;
    return { reason: e.reason, message: e.message, payer: e.payer };
  };

  return {
    async verify(paymentPayload, requirements) {
      try {
        const { transaction } = await check(paymentPayload, requirements);
        return { isValid: true, payer: transaction.address };
      } catch (e) {
        const { reason, message, payer } = refusal(e);
        return { isValid: false, invalidReason: reason, invalidMessage: message, payer };
      }
    },

    async settle(paymentPayload, requirements) {
      const network = requirements.network;
      let payer;
      try {
        const { api, transaction, signature } = await check(paymentPayload, requirements);
        payer = transaction.address;
        const tx = extrinsicOf(api, transaction, signature);
        const hash = waitForInclusion ? await submitAndWait(api, tx, inclusionTimeoutMs) : await submitOnly(api, tx);
        return { success: true, transaction: hash, network, payer };
      } catch (e) {
        const { reason, message } = refusal(e);
        return { success: false, errorReason: reason, errorMessage: message, transaction: e.txHash ?? '', network, payer: payer ?? e.payer };
      }
    },

    async getSupported() {
      return { kinds: Object.keys(networks).map((network) => ({ x402Version: 2, scheme: 'exact', network })), extensions: [], signers: {} };
    },
  };
}
