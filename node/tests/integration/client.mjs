// Helpers for tests that drive a real node with a real @polkadot/api client.

import assert from 'node:assert/strict';
import { before, after } from 'node:test';
import { ApiPromise, WsProvider, Keyring } from '@polkadot/api';
import { compactAddLength, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { client } from '../../../scripts/lib/client.mjs';
import { rpcRaw, startDevNode, waitFor } from '../../../scripts/lib/chain.mjs';

/// Starts a --dev node and connects a client to it: `{ node, api, keyring, ...client helpers,
/// stop }`, `stop()` disconnecting and stopping the node.
export async function devSession() {
  await cryptoWaitReady();
  const node = await startDevNode();
  const api = await ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${node.rpcPort}`), noInitWarn: true });
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  return {
    node, api, keyring, ...client(api, keyring),
    async stop() {
      await api.disconnect();
      await node.stop();
    },
  };
}

/// A dev chain for one test file: started before its tests and stopped after them; `use`
/// receives the session (`node`, `api`, `keyring` and the client helpers) once it runs.
export function useDevSession(use) {
  let session;
  before(async () => {
    session = await devSession();
    use(session);
  });
  after(async () => {
    await session?.stop();
  });
}

/// Registers a 2 MW wind turbine of `producer`'s in zone 0 measured by `meter` and has
/// `certifier` certify it for a day; resolves to its facility id.
export async function certifiedWindTurbine({ api, submit, moduleError }, producer, certifier, meter) {
  const ok = (r) => assert.equal(moduleError(r.dispatchError), null);
  const facility = (await api.query.production.nextFacilityId()).toNumber();
  ok(await submit(api.tx.production.registerFacility({
    source: 'Wind', capacity: 2_000_000, zone: 0,
    location: { latMicroDeg: 54_321_000, lonMicroDeg: 10_123_000 }, commissioned: 20_000, meter,
  }), producer));
  const until = (await api.query.timestamp.now()).toNumber() + 86_400_000;
  ok(await submit(api.tx.production.certify(facility, until), certifier));
  return facility;
}

/// The events of `section.method` in a submission's result.
export const eventsOf = (r, section, method) =>
  r.events.filter(({ event }) => event.section === section && event.method === method).map(({ event }) => event);

/// A general (extrinsic format v5) transaction carrying `call`, with the runtime's extensions'
/// explicit parts empty: immortal era, nonce 0, no tip, metadata-hash check off.
export function generalTransaction(call) {
  const explicit = new Uint8Array([0x00, 0x00, 0x00, 0x00]);
  return u8aToHex(compactAddLength(u8aConcat(new Uint8Array([0x45, 0x00]), explicit, call.toU8a())));
}

/// Reading `fields` of a meter and its signature by `device` for this chain.
export function signedReading(api, device, fields) {
  const reading = api.createType('DaegPrimitivesConsumptionReading', fields);
  const payload = u8aConcat(
    compactAddLength(stringToU8a('daeg/reading/v1')),
    compactAddLength(api.genesisHash.toU8a()),
    reading.toU8a(),
  );
  return [reading, device.sign(payload)];
}

/// The call submitting reading `fields` of a meter, signed by `device`.
export function readingCall(api, device, fields) {
  return api.tx.consumption.submitReading(...signedReading(api, device, fields)).method;
}

/// A meter's record of `interval` on chain, as JSON. The history is a ring of
/// `HistoryMs / interval length` slots, interval `i` in slot `i % slots`.
export async function intervalRecord(api, meter, interval) {
  const length = (await api.query.grid.intervalLength()).toNumber();
  const slots = Math.floor(api.consts.consumption.historyMs.toNumber() / length);
  return (await api.query.consumption.history(meter, interval % slots)).unwrap().toJSON();
}

/// Submits readings of `meter` signed by `device` for the intervals ending just now: the
/// `registers.length` intervals before the current one, oldest first, with counters from 1;
/// `registers[k]` is `{ imported, exported }`. Resolves to the first interval (the baseline).
export async function submitRecentReadings({ api, node }, device, meter, registers) {
  const length = (await api.query.grid.intervalLength()).toNumber();
  const c = Math.floor((await api.query.timestamp.now()).toNumber() / length);
  const first = c - registers.length;
  for (const [k, { imported, exported }] of registers.entries()) {
    const interval = first + k;
    const call = readingCall(api, device, {
      meter, interval, imported, exported, measuredAt: (interval + 1) * length + 1_000, counter: k + 1,
    });
    const answer = await rpcRaw(node.rpcPort, 'author_submitExtrinsic', [generalTransaction(call)]);
    assert.ok(answer.result, `reading ${k} accepted: ${JSON.stringify(answer)}`);
  }
  return first;
}

/// Waits until `meter`'s values up to `interval` are final (about 3.5 minutes on the dev chain).
export function waitFinal(api, meter, interval) {
  return waitFor(`meter ${meter} final up to interval ${interval}`, async () =>
    (await api.query.consumption.meters(meter)).unwrap().readings.finalized.toNumber() >= interval,
  { timeoutMs: 360_000, everyMs: 2_000 });
}
