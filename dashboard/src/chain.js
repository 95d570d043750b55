// The dashboard's link to a DAEG node: @polkadot/api over WebSocket for blocks, events and
// storage, and the node's own JSON-RPC methods (pricing_*, balancing_*) through the same
// connection. Feeds a GridModel and calls `onUpdate` after each block.

import { ApiPromise, WsProvider } from '@polkadot/api';
import { num, WINDOW } from './model.js';

/// Blocks read back on connecting: two simulated days of the demo (6 s blocks, 30 s intervals).
const BACKFILL_BLOCKS = 240;

/// An event's fields by (camelCase) name, as JSON.
function named(data) {
  const names = data.names ?? data.map((_, i) => String(i));
  return Object.fromEntries(names.map((n, i) => [n, data[i].toJSON()]));
}

/// Connects to `url` and keeps `model` current; resolves to `{ api, close }` once the recent
/// past is folded in. `onState` hears 'connecting', 'backfilling', 'live' and errors.
export async function follow(url, model, { onUpdate = () => {}, onState = () => {} } = {}) {
  onState('connecting');
  const provider = new WsProvider(url);
  const api = await ApiPromise.create({ provider, noInitWarn: true });
  const call = (method, params = []) => provider.send(method, params);

  async function foldBlock(number, hash) {
    const records = await api.query.system.events.at(hash);
    model.addEvents(number, records.map(({ event }) => ({ section: event.section, method: event.method, data: named(event.data) })));
  }

  async function readFacilities(at) {
    const entries = at ? await api.query.production.facilities.entriesAt(at) : await api.query.production.facilities.entries();
    for (const [, f] of entries) {
      if (f.isSome) model.setFacility(num(f.unwrap().spec.meter.toJSON()), f.unwrap().spec.source.type);
    }
  }

  /// The market's status and storage at block `hash` (latest if none): storage state of
  /// charge is kept per interval, so reading it at past blocks fills the chart's history.
  async function readState(hash) {
    const at = hash ? [hash] : [];
    const status = await call('pricing_status', at);
    const units = await call('balancing_units', [null, ...at]);
    model.setUnits(status.current, units);
    return status;
  }

  async function refresh() {
    model.status = await readState();
    const from = Math.max(0, model.status.current - WINDOW + 1);
    const to = model.status.current + 1;
    model.zones = await call('balancing_zones', []);
    model.quarantined = await call('pricing_quarantined', []);
    for (const z of model.zones) model.setPrices(z.zone, await call('pricing_prices', [z.zone, from, to]));
  }

  onState('backfilling');
  model.residualIntensity = num((await api.query.consumption.residualIntensity()).toJSON());
  await readFacilities();
  const head = (await api.rpc.chain.getHeader()).number.toNumber();
  let done = Math.max(0, head - BACKFILL_BLOCKS);
  let lastInterval = null;
  for (let n = done + 1; n <= head; n++) {
    const hash = (await api.rpc.chain.getBlockHash(n)).toHex();
    await foldBlock(n, hash);
    // Storage once per interval: the first block of each keeps the chart's history.
    const current = (await call('pricing_status', [hash])).current;
    if (current !== lastInterval) {
      lastInterval = current;
      await readState(hash);
    }
  }
  done = head;
  await refresh();
  onUpdate();
  onState('live');

  // New blocks in order; a block missed while busy is read from its number.
  let busy = Promise.resolve();
  const unsubscribe = await api.rpc.chain.subscribeNewHeads((header) => {
    const number = header.number.toNumber();
    busy = busy.then(async () => {
      try {
        for (let n = Math.min(done + 1, number); n <= number; n++) {
          await foldBlock(n, (await api.rpc.chain.getBlockHash(n)).toHex());
        }
        done = Math.max(done, number);
        const before = model.status?.current;
        await refresh();
        if (model.status.current !== before) await readFacilities();
        onUpdate();
      } catch (e) {
        onState(`error: ${e.message ?? e}`);
      }
    });
  });
  return { api, close: async () => { unsubscribe(); await api.disconnect(); } };
}
