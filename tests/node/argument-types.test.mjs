// Arguments of the wrong type, as a careless caller or a server passing on a client's JSON
// (`inspectPaymentHeader(req.body.payment)`) may hand them: every public function throws an
// X402Error (or rejects with one), never a bare TypeError, and never traps the wasm (a trap
// is a RuntimeError that may leave the module's memory half-updated).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wasm } from '../support/wasm-pkg.mjs';

const WRONG = [42, {}, Symbol('s'), null, undefined, [1, 'x'], 1n, true];
const alice = wasm.Keypair.fromSuri('//Alice');
const sig = new Uint8Array(64);

const functions = [
  ['decodePaymentHeader', (x) => wasm.decodePaymentHeader(x), 'MALFORMED_HEADER'],
  ['inspectPaymentHeader', (x) => wasm.inspectPaymentHeader(x), 'MALFORMED_HEADER'],
  ['parsePaymentResponse', (x) => wasm.parsePaymentResponse(x), 'MALFORMED_HEADER'],
  ['addressToPublicKey', (x) => wasm.addressToPublicKey(x), 'INVALID_ADDRESS'],
  ['verifySignature (address)', (x) => wasm.verifySignature(new Uint8Array(1), sig, x), 'INVALID_ADDRESS'],
  ['verifySignature (message)', (x) => wasm.verifySignature(x, sig, alice.address), 'INVALID_OPTIONS'],
  ['verifySignature (signature)', (x) => wasm.verifySignature(new Uint8Array(1), x, alice.address), 'INVALID_OPTIONS'],
  ['Keypair#sign', (x) => alice.sign(x), 'INVALID_OPTIONS'],
  ['Keypair#signPayload', (x) => alice.signPayload({}, x), 'INVALID_OPTIONS'],
];

for (const [name, call, code] of functions) {
  test(`${name}: a value of the wrong type → ${code}`, async () => {
    for (const value of WRONG) {
      await assert.rejects(async () => call(value), (e) => e.name === 'X402Error' && e.code === code, `${name}(${String(value?.toString?.() ?? value)})`);
    }
  });
}

test('a string where bytes belong is refused, not signed as something else', async () => {
  assert.throws(() => alice.sign('0x0102'), (e) => e.code === 'INVALID_OPTIONS');
  await assert.rejects(alice.signPayload({}, '0x0102'), (e) => e.code === 'INVALID_OPTIONS');
  assert.throws(() => wasm.verifySignature('abc', sig, alice.address), (e) => e.code === 'INVALID_OPTIONS');
});

test('the right types still work: Uint8Array, Buffer, byte arrays, strings', async () => {
  const message = [1, 2, 3];
  for (const form of [Uint8Array.from(message), Buffer.from(message), message]) {
    const signature = alice.sign(form);
    assert.equal(signature.length, 64);
    assert.equal(wasm.verifySignature(form, signature, alice.address), true);
    assert.equal(wasm.verifySignature(form, Uint8Array.from([1, ...signature]), alice.publicKey), true);
    assert.match((await alice.signPayload({}, form)).signature, /^0x01[0-9a-f]{128}$/);
  }
  assert.equal(wasm.verifySignature([1, 2, 4], alice.sign(message), alice.address), false);
  assert.equal(wasm.addressToPublicKey(alice.address), alice.publicKey);
  assert.equal(wasm.parsePaymentResponse('0x' + 'ab'.repeat(32)).txHash, '0x' + 'ab'.repeat(32));
  assert.throws(() => wasm.decodePaymentHeader('%%%'), (e) => e.code === 'MALFORMED_HEADER');
});
