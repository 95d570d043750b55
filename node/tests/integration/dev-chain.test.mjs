// The real node on --dev, driven by a real @polkadot/api client.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, rpcRaw } from '../../../scripts/lib/chain.mjs';
import { useDevSession } from './client.mjs';

let node;
let api;
let keyring;
let submit;
let moduleError;
let asOperators;
useDevSession((s) => { ({ node, api, keyring, submit, moduleError, asOperators } = s); });

test('blocks are produced and finalized', async () => {
  const first = await node.heads();
  const later = await waitFor('two more finalized blocks', async () => {
    const h = await node.heads();
    return h.finalized >= first.finalized + 2 && h.best > first.best ? h : null;
  }, { timeoutMs: 60_000 });
  assert.ok(later.best >= later.finalized);
});

test('metadata describes the DAEG runtime and its token', async () => {
  const pallets = api.runtimeMetadata.asLatest.pallets.map((p) => p.name.toString());
  for (const p of ['System', 'Aura', 'Grandpa', 'Balances', 'TransactionPayment', 'Sudo', 'Multisig', 'Utility', 'Consumption']) {
    assert.ok(pallets.includes(p), `pallet ${p} in metadata`);
  }
  assert.equal(api.runtimeVersion.specName.toString(), 'daeg');
  const props = api.registry.getChainProperties();
  assert.equal(props.tokenSymbol.unwrap()[0].toString(), 'DAEG');
  assert.equal(props.tokenDecimals.unwrap()[0].toNumber(), 12);
  assert.equal(api.consts.balances.existentialDeposit.toBigInt(), 1_000_000_000n);
});

test('a transfer moves exactly the amount, and the sender also pays the fee charged', async () => {
  const alice = keyring.addFromUri('//Alice');
  const dest = keyring.addFromUri('//DaegTransferTest').address;
  const amount = 123_456_789_000n;

  const { blockHash, events, dispatchError } = await submit(api.tx.balances.transferKeepAlive(dest, amount), alice);
  assert.equal(dispatchError, undefined);

  const header = await api.rpc.chain.getHeader(blockHash);
  const before = await api.at(header.parentHash);
  const after = await api.at(blockHash);
  const free = async (at, who) => (await at.query.system.account(who)).data.free.toBigInt();

  const feeEvent = events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event));
  assert.ok(feeEvent, 'TransactionFeePaid event');
  const [who, actualFee, tip] = feeEvent.event.data;
  assert.equal(who.toString(), alice.address);
  assert.ok(actualFee.toBigInt() > 0n, 'a fee was charged');

  assert.equal(await free(after, dest) - await free(before, dest), amount);
  assert.equal(
    await free(before, alice.address) - await free(after, alice.address),
    amount + actualFee.toBigInt() + tip.toBigInt(),
  );
});

test('one operator alone cannot use Root; the 2-of-3 operators multisig can', async () => {
  const alice = keyring.addFromUri('//Alice');
  const target = keyring.addFromUri('//DaegRootTarget').address;
  const newFree = 777_000_000_000_000n;
  const rootCall = api.tx.balances.forceSetBalance(target, newFree);
  const sudoCall = api.tx.sudo.sudo(rootCall);
  const free = async () => (await api.query.system.account(target)).data.free.toBigInt();

  // Alice alone, directly and through sudo.
  let r = await submit(rootCall, alice);
  assert.equal(moduleError(r.dispatchError), 'BadOrigin');
  r = await submit(sudoCall, alice);
  assert.equal(moduleError(r.dispatchError), 'sudo.RequireSudo');
  assert.equal(await free(), 0n);

  // Two of the three operators.
  r = await asOperators(sudoCall.method, {
    check: async () => assert.equal(await free(), 0n, 'one approval is not enough'),
  });
  assert.equal((await api.query.sudo.key()).unwrap().toString(), r.multisig, 'the multisig is the sudo key');
  const sudid = r.events.find(({ event }) => api.events.sudo.Sudid.is(event));
  assert.ok(sudid && sudid.event.data.sudoResult.isOk, 'Sudid with Ok');
  const afterBlock = await api.at(r.blockHash);
  assert.equal((await afterBlock.query.system.account(target)).data.free.toBigInt(), newFree);
});

test('an owner installs a meter; only the operators multisig activates it', async () => {
  const owner = keyring.addFromUri('//Alice');
  const device = keyring.addFromUri('//DaegMeterDevice1');
  const id = (await api.query.consumption.nextMeterId()).toNumber();
  const deposit = api.consts.consumption.meterDeposit.toBigInt();
  const reserved = async () => (await api.query.system.account(owner.address)).data.reserved.toBigInt();
  const reservedBefore = await reserved();

  let r = await submit(api.tx.consumption.installMeter('Bidirectional', 1, 11_000, device.publicKey), owner);
  assert.equal(r.dispatchError, undefined);
  const installed = r.events.find(({ event }) => api.events.consumption.MeterInstalled.is(event));
  assert.ok(installed, 'MeterInstalled');
  assert.equal(installed.event.data.meter.toNumber(), id);
  assert.equal(await reserved() - reservedBefore, deposit, 'the deposit is held');
  const status = async () => (await api.query.consumption.meters(id)).unwrap().status.toString();
  assert.equal(await status(), 'Installed');

  // The owner, who is also an operator, cannot activate alone.
  r = await submit(api.tx.consumption.activateMeter(id), owner);
  assert.equal(moduleError(r.dispatchError), 'BadOrigin');
  assert.equal(await status(), 'Installed');

  // The operators' multisig can, directly (it is the grid-emergency origin) without sudo.
  r = await asOperators(api.tx.consumption.activateMeter(id).method, {
    check: async () => assert.equal(await status(), 'Installed'),
  });
  assert.ok(r.events.some(({ event }) => api.events.consumption.MeterActivated.is(event)));
  assert.equal(await status(), 'Active');
});

test('bad RPC input gets JSON-RPC errors, and the node keeps serving', async () => {
  const port = node.rpcPort;
  // Unknown method.
  let r = await rpcRaw(port, 'energy_doesNotExist', []);
  assert.equal(r.error?.code, -32601);
  // Wrong parameters.
  r = await rpcRaw(port, 'chain_getBlockHash', ['not a number']);
  assert.equal(r.error?.code, -32602);
  // A malformed extrinsic.
  r = await rpcRaw(port, 'author_submitExtrinsic', ['0x0102']);
  assert.ok(r.error && typeof r.error.code === 'number', 'submitting garbage is an error');
  // Malformed JSON.
  const res = await fetch(`http://127.0.0.1:${port}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc": "2.0", "id": 1, "meth',
  });
  const body = await res.json();
  assert.equal(body.error?.code, -32700);
  // Still alive and producing blocks.
  const h1 = await node.heads();
  await waitFor('another block', async () => (await node.heads()).best > h1.best, { timeoutMs: 30_000 });
});
