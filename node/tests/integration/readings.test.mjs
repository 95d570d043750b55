// Device-signed meter readings on a real --dev node: submitted as general (authorized)
// transactions without any account, refused by the transaction pool with one code per cause,
// and stored (or flagged) with the right values.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, rpcRaw } from '../../../scripts/lib/chain.mjs';
import { useDevSession, generalTransaction, intervalRecord, readingCall } from './client.mjs';

let node;
let api;
let keyring;
let helpers;
useDevSession((s) => { ({ node, api, keyring } = s); helpers = s; });

// The runtime's codes for refused readings (daeg_primitives::consumption::ReadingError).
const CODE = { UnknownMeter: 1, BadSignature: 3, FutureInterval: 4, Replay: 7, RegisterDecreased: 10, OverCapacity: 14 };

/// Submits a general transaction; resolves to the JSON-RPC answer.
const send = (call) => rpcRaw(node.rpcPort, 'author_submitExtrinsic', [generalTransaction(call)]);

function assertRefused(answer, code, what) {
  assert.ok(answer.error, `${what}: refused (got ${JSON.stringify(answer)})`);
  assert.equal(answer.error.code, 1010, `${what}: an invalid transaction`);
  assert.match(String(answer.error.data), new RegExp(`Custom error: ${code}\\b`), what);
}

test('signed readings enter without an account; impossible ones are refused, abnormal ones flagged', async () => {
  const owner = keyring.addFromUri('//Alice');
  const device = keyring.addFromUri('//DaegReadingsDevice');
  const stranger = keyring.addFromUri('//DaegNotTheDevice');
  const id = (await api.query.consumption.nextMeterId()).toNumber();
  const maxPower = 10_000; // W

  let r = await helpers.submit(api.tx.consumption.installMeter('Bidirectional', 0, maxPower, device.publicKey), owner);
  assert.equal(r.dispatchError, undefined);
  r = await helpers.asOperators(api.tx.consumption.activateMeter(id).method);

  const events = [];
  const unsubscribe = await api.query.system.events((records) => {
    for (const { event } of records) if (event.section === 'consumption') events.push(event);
  });

  const length = (await api.query.grid.intervalLength()).toNumber();
  const now = (await api.query.timestamp.now()).toNumber();
  const c = Math.floor(now / length); // the current interval
  const at = (interval, counter, imported, exported = 0) => ({
    meter: id, interval, imported, exported, measuredAt: (interval + 1) * length + 1_000, counter,
  });
  // The connection carries 10 kW: 83 Wh in a 30-second interval.
  const capacity = Math.floor(maxPower * length / 3_600_000);

  // The baseline, a plain reading (1 Wh: the meter's trend) and a jump to 80 Wh (within the
  // connection, but 80 times the trend), all at once: the pool orders them by counter, whatever
  // order they arrive in.
  const baseline = readingCall(api, device, at(c - 4, 1, 5_000, 100));
  const plain = readingCall(api, device, at(c - 3, 2, 5_001, 103));
  const jump = readingCall(api, device, at(c - 2, 3, 5_081, 103));
  for (const call of [jump, plain, baseline]) {
    const answer = await send(call);
    assert.ok(answer.result, `accepted into the pool: ${JSON.stringify(answer)}`);
  }
  await waitFor('the three readings on chain', async () => {
    const m = await api.query.consumption.meters(id);
    return m.unwrap().readings.counter.toNumber() === 3 || null;
  }, { timeoutMs: 60_000 });

  const record = (interval) => intervalRecord(api, id, interval);
  assert.deepEqual(await record(c - 3), {
    interval: c - 3, imported: 1, exported: 3, quality: 'Measured', anomaly: null,
  });
  assert.deepEqual(await record(c - 2), {
    interval: c - 2, imported: 80, exported: 0, quality: 'Measured', anomaly: 'Jump',
  });
  const state = (await api.query.consumption.meters(id)).unwrap().readings;
  assert.equal(state.strikes.toNumber(), 1);
  assert.equal(state.last.unwrap().imported.toNumber(), 5_081);

  await waitFor('the anomaly event', async () =>
    events.some((e) => e.method === 'ReadingAnomaly' && e.data.meter.toNumber() === id) || null);
  assert.ok(events.some((e) => e.method === 'MeterBaseline' && e.data.interval.toNumber() === c - 4));
  unsubscribe();

  // Refused, each with its own code.
  assertRefused(await send(readingCall(api, stranger, at(c - 1, 4, 5_100, 103))), CODE.BadSignature, 'forged signature');
  assertRefused(await send(readingCall(api, device, at(c - 3, 2, 5_001, 103))), CODE.Replay, 'replayed reading');
  // More than the 10 kW connection carries in an interval: impossible, never stored.
  assertRefused(await send(readingCall(api, device, at(c - 1, 4, 5_081 + capacity + 1, 103))), CODE.OverCapacity, 'over capacity');
  assertRefused(await send(readingCall(api, device, at(c - 1, 4, 5_000, 103))), CODE.RegisterDecreased, 'decreasing register');
  assertRefused(await send(readingCall(api, device, at(c + 5, 4, 6_000, 103))), CODE.FutureInterval, 'future interval');
  const unknown = readingCall(api, device, { ...at(c - 1, 1, 1), meter: 999_999 });
  assertRefused(await send(unknown), CODE.UnknownMeter, 'unknown meter');

  // Nothing refused reached the chain.
  assert.equal((await api.query.consumption.meters(id)).unwrap().readings.counter.toNumber(), 3);
});
