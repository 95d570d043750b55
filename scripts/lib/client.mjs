// Transaction helpers for a real @polkadot/api client: used by the integration tests and the
// demo community, so that both sign, submit and act as the grid operators the same way.

import assert from 'node:assert/strict';
import { createKeyMulti, encodeAddress } from '@polkadot/util-crypto';

/// Transaction helpers bound to `api` and `keyring`.
export function client(api, keyring) {
  /// Signs and sends `tx` (with signer `options` such as a nonce), resolving when it is in a
  /// block with that block's hash and events.
  function submit(tx, signer, options = {}) {
    return new Promise((resolve, reject) => {
      let unsub;
      tx.signAndSend(signer, options, (result) => {
        if (result.status.isInBlock) {
          unsub?.();
          resolve({ blockHash: result.status.asInBlock, events: result.events, dispatchError: result.dispatchError });
        } else if (result.isError) {
          unsub?.();
          reject(new Error(`transaction failed: ${result.status.type}`));
        }
      }).then((u) => { unsub = u; }, reject);
    });
  }

  /// The module error `section.name` of a failed dispatch, or null.
  function moduleError(dispatchError) {
    if (!dispatchError) return null;
    if (dispatchError.isModule) {
      const m = api.registry.findMetaError(dispatchError.asModule);
      return `${m.section}.${m.name}`;
    }
    return dispatchError.type;
  }

  /// Sends `txs` signed by `signer` with consecutive nonces, all at once; resolves to their
  /// results once every one is in a block, and throws if one failed.
  async function submitAll(txs, signer) {
    const first = (await api.rpc.system.accountNextIndex(signer.address)).toNumber();
    const results = await Promise.all(txs.map((tx, i) => submit(tx, signer, { nonce: first + i })));
    for (const r of results) {
      const error = moduleError(r.dispatchError);
      if (error) throw new Error(`a transaction of ${signer.address} failed: ${error}`);
    }
    return results;
  }

  /// The events of blocks `from` to `to` that `is` accepts, each with its block's hash.
  async function blockEvents(from, to, is) {
    const found = [];
    for (let n = from; n <= to; n++) {
      const hash = await api.rpc.chain.getBlockHash(n);
      for (const { event } of await (await api.at(hash)).query.system.events()) {
        if (is(event)) found.push({ event, hash });
      }
    }
    return found;
  }

  /// Accounts sorted as pallet-multisig wants them (by public key bytes).
  function sortedAddresses(addrs) {
    return addrs.slice().sort((a, b) =>
      Buffer.compare(Buffer.from(keyring.decodeAddress(a)), Buffer.from(keyring.decodeAddress(b))));
  }

  /// Dispatches `call` as the grid operators' 2-of-3 multisig: Alice opens, Bob approves.
  /// Resolves to Bob's (executing) submission; asserts nothing happened after Alice's.
  async function asOperators(call, { check } = {}) {
    const [alice, bob, charlie] = ['//Alice', '//Bob', '//Charlie'].map((s) => keyring.addFromUri(s));
    const multisig = encodeAddress(createKeyMulti([alice.address, bob.address, charlie.address], 2), 42);
    const maxWeight = (await api.tx(call).paymentInfo(multisig)).weight;

    let r = await submit(api.tx.multisig.asMulti(2, sortedAddresses([bob.address, charlie.address]), null, call, maxWeight), alice);
    assert.equal(r.dispatchError, undefined);
    assert.ok(r.events.some(({ event }) => api.events.multisig.NewMultisig.is(event)));
    if (check) await check();

    const when = (await api.query.multisig.multisigs(multisig, call.hash)).unwrap().when;
    r = await submit(api.tx.multisig.asMulti(2, sortedAddresses([alice.address, charlie.address]), when, call, maxWeight), bob);
    assert.equal(r.dispatchError, undefined);
    const executed = r.events.find(({ event }) => api.events.multisig.MultisigExecuted.is(event));
    assert.ok(executed, 'MultisigExecuted');
    assert.ok(executed.event.data.result.isOk, `the call succeeded: ${executed.event.data.result}`);
    return { ...r, multisig };
  }

  return { submit, submitAll, blockEvents, moduleError, sortedAddresses, asOperators };
}
