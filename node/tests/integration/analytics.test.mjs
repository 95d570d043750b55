// Final values, consumption analytics, preferences and carbon footprints on a real --dev node,
// through a real @polkadot/api client and the node's `consumption_*` JSON-RPC methods.
//
// On the dev chain intervals last 30 seconds and the lateness window is six of them, so a
// reading's interval becomes final about three and a half minutes after it ends.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS, HOUR_MS, waitFor, rpc } from '../../../scripts/lib/chain.mjs';
import { useDevSession, submitRecentReadings, waitFinal } from './client.mjs';

let node;
let api;
let keyring;
let helpers;
useDevSession((s) => { ({ node, api, keyring } = s); helpers = s; });

const RESIDUAL_G_PER_KWH = 400;
const WH_PER_INTERVAL = 20;

test('readings become final values, day totals, a profile and a footprint', async () => {
  const alice = keyring.addFromUri('//Alice');
  const device = keyring.addFromUri('//DaegAnalyticsDevice');
  const id = (await api.query.consumption.nextMeterId()).toNumber();
  let r = await helpers.submit(api.tx.consumption.installMeter('Consumption', 0, 10_000, device.publicKey), alice);
  assert.equal(r.dispatchError, undefined);
  await helpers.asOperators(api.tx.consumption.activateMeter(id).method);
  await helpers.asOperators(api.tx.consumption.setCarbonIntensity(null, RESIDUAL_G_PER_KWH).method);
  assert.equal((await api.query.consumption.residualIntensity()).toNumber(), RESIDUAL_G_PER_KWH);

  // A baseline and four measured intervals of 20 Wh, all still within the lateness window.
  const length = (await api.query.grid.intervalLength()).toNumber();
  const first = await submitRecentReadings(helpers, device, id,
    [0, 1, 2, 3, 4].map((k) => ({ imported: 1_000 + WH_PER_INTERVAL * k, exported: 0 })));
  const last = first + 4;
  await waitFor('the readings on chain', async () =>
    (await api.query.consumption.meters(id)).unwrap().readings.counter.toNumber() === 5);

  // The meter falls silent: its overdue intervals get provisional substitutes at its trend.
  const overdue = await waitFor('a provisional substitute', async () => {
    const rows = await rpc(node.rpcPort, 'consumption_intervals', [id, last + 1, last + 1]);
    return rows.length === 1 ? rows[0] : null;
  }, { timeoutMs: 90_000 });
  assert.equal(overdue.record.quality, 'Substituted');
  assert.equal(overdue.record.imported, WH_PER_INTERVAL, 'the substitute follows the trend');
  assert.equal(overdue.is_final, false);

  // Three and a half minutes later the measured intervals are final.
  await waitFinal(api, id, last + 1);

  // Every query below at one block, so that the pass cannot move on between them.
  const at = (await api.rpc.chain.getBlockHash()).toHex();
  const rows = await rpc(node.rpcPort, 'consumption_intervals', [id, first, last + 1, at]);
  assert.deepEqual(rows.map((x) => x.record.interval), [first + 1, first + 2, first + 3, last, last + 1]);
  for (const row of rows.slice(0, 4)) {
    assert.equal(row.record.quality, 'Measured');
    assert.equal(row.record.imported, WH_PER_INTERVAL);
    assert.equal(row.is_final, true);
  }
  assert.equal(rows[4].record.quality, 'Substituted', 'the silent interval stays estimated when final');
  assert.equal(rows[4].is_final, true);

  // The day report counts final intervals only (summed over days in case midnight passed).
  const meter = (await (await api.at(at)).query.consumption.meters(id)).unwrap();
  const finalized = meter.readings.finalized.toNumber();
  const days = [...new Set(Array.from({ length: finalized - first }, (_, k) =>
    Math.floor(((first + 1 + k) * length) / DAY_MS)))];
  let imported = 0; let intervals = 0; let estimated = 0;
  for (const day of days) {
    const report = await rpc(node.rpcPort, 'consumption_meterReport', [id, { Day: day }, at]);
    assert.ok(report, `a report for day ${day}`);
    imported += report.imported; intervals += report.intervals; estimated += report.estimated;
    // 20 Wh in 30 s is 2.4 kW at every interval: the load is flat, the load factor 100 %.
    assert.equal(report.peak_import_power, WH_PER_INTERVAL * HOUR_MS / length);
    assert.equal(report.load_factor, 1_000_000);
  }
  assert.equal(intervals, finalized - first, 'every final interval since the baseline counted');
  assert.equal(estimated, finalized - last, 'the silent intervals counted as estimates');
  assert.equal(imported, WH_PER_INTERVAL * intervals);
  const day = days[0];
  const account = await rpc(node.rpcPort, 'consumption_accountReport', [alice.address, { Day: day }, at]);
  const mine = await rpc(node.rpcPort, 'consumption_meterReport', [id, { Day: day }, at]);
  assert.equal(account.imported, mine.imported, "Alice's only meter is the account");
  const month = await rpc(node.rpcPort, 'consumption_meterReport', [id, { Month: monthOf(day) }, at]);
  assert.equal(month.imported, imported, 'the month holds the same final values');

  // The typical day learnt the measured intervals (per hour: 120 intervals of 30 s).
  const profile = await rpc(node.rpcPort, 'consumption_dailyProfile', [id, at]);
  assert.equal(profile.length, 24);
  const hour = Math.floor(((first + 1) * length) / HOUR_MS) % 24;
  assert.ok(profile[hour].samples >= 1, 'the hour of the readings has samples');
  assert.equal(profile[hour].imported, WH_PER_INTERVAL * HOUR_MS / length);

  // No purchases yet: the whole day's consumption is at the residual mix.
  const footprint = await rpc(node.rpcPort, 'consumption_carbonFootprint', [alice.address, day, at]);
  assert.equal(footprint.consumed, account.imported);
  assert.deepEqual(footprint.bought, []);
  assert.equal(footprint.residual, account.imported);
  assert.equal(footprint.co2, Math.floor(account.imported * RESIDUAL_G_PER_KWH / 1_000));

  assert.equal(await rpc(node.rpcPort, 'consumption_meterReport', [999_999, { Day: day }]), null);
});

test('consumers set preferences; only the operators assign a priority class', async () => {
  const alice = keyring.addFromUri('//Alice');
  const bob = keyring.addFromUri('//Bob');
  const prefs = { maxPrice: 300, greenOnly: true, flexibleLoad: { power: 2_000, maxHoursPerDay: 3 } };

  // Alice owns the meter installed above (tests in a file share the node, in order).
  let r = await helpers.submit(api.tx.consumption.setPreferences(prefs), alice);
  assert.equal(r.dispatchError, undefined);
  const stored = (await api.query.consumption.preferences(alice.address)).unwrap();
  assert.equal(stored.maxPrice.unwrap().toNumber(), 300);
  assert.equal(stored.greenOnly.isTrue, true);
  assert.equal(stored.flexibleLoad.unwrap().maxHoursPerDay.toNumber(), 3);

  r = await helpers.submit(api.tx.consumption.setPreferences(prefs), bob);
  assert.equal(helpers.moduleError(r.dispatchError), 'consumption.NoMeter');

  r = await helpers.submit(api.tx.consumption.setPriorityClass(alice.address, 'Critical'), alice);
  assert.equal(helpers.moduleError(r.dispatchError), 'BadOrigin', 'a consumer cannot declare itself critical');
  await helpers.asOperators(api.tx.consumption.setPriorityClass(alice.address, 'Critical').method);
  assert.equal((await api.query.consumption.priorities(alice.address)).unwrap().toString(), 'Critical');
});

/// The month (since January 1970) of a day (since 1970-01-01).
function monthOf(day) {
  const d = new Date(day * DAY_MS);
  return (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth();
}
