// Balancing on a real --dev node with a real @polkadot/api client: a provider registers a
// storage unit; a zone left long after the auction charges it, a load above the zone's peak
// threshold discharges it (`balancing_schedule`, `balancing_reports`, `balancing_units`), and the
// dispatch enters the book filled at the zone's price. Then the grid operators halt the zone's
// market through their 2-of-3 multisig (one operator alone cannot): crossing orders no longer
// trade and the zone's tariff is the emergency tariff (`pricing_prices`), until the multisig
// resumes it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rpc, waitFor } from '../../../scripts/lib/chain.mjs';
import { certifiedWindTurbine, eventsOf, useDevSession } from './client.mjs';

/// A thousandth of a DAEG: prices below are in it per kWh.
const MILLI = 1_000_000_000n;

let api;
let keyring;
let node;
let helpers;
useDevSession((s) => { ({ api, keyring, node } = s); helpers = s; });

const ok = (r) => assert.equal(helpers.moduleError(r.dispatchError), null);

/// Waits until the hook has cleared `interval`; resolves to the block number it was cleared in.
async function cleared(interval) {
  await waitFor(`interval ${interval} cleared`, async () => rpc(node.rpcPort, 'pricing_clearing', [interval]),
    { timeoutMs: 180_000, everyMs: 2_000 });
  return (await api.rpc.chain.getHeader()).number.toNumber();
}

/// Zone 0 as `balancing_zones` shows it.
async function zone0() {
  return (await rpc(node.rpcPort, 'balancing_zones', [])).find((z) => z.zone === 0);
}

test('storage charges from a surplus and discharges at a peak; the multisig halts and resumes a market', async () => {
  const alice = keyring.addFromUri('//Alice');
  const provider = keyring.addFromUri('//DaegBalancingProvider');
  const factory = keyring.addFromUri('//DaegBalancingFactory');
  const producer = keyring.addFromUri('//DaegBalancingProducer');
  const certifier = keyring.addFromUri('//DaegBalancingCertifier');
  const [batteryKey, factoryKey, turbineKey] = ['Battery', 'Factory', 'Turbine']
    .map((name) => keyring.addFromUri(`//DaegBalancing${name}Meter`));

  for (const who of [provider, factory, producer, certifier]) {
    ok(await helpers.submit(api.tx.balances.transferKeepAlive(who.address, 10n ** 16n), alice));
  }
  ok(await helpers.asOperators(api.tx.production.appointCertifier(certifier.address).method));

  // Three meters in zone 0, activated by the certifier: a battery's, a factory's and a wind
  // turbine's (registered and certified, so it may ask).
  const battery = (await api.query.consumption.nextMeterId()).toNumber();
  ok(await helpers.submit(api.tx.consumption.installMeter('Storage', 0, 60_000, batteryKey.publicKey), provider));
  ok(await helpers.submit(api.tx.consumption.installMeter('Consumption', 0, 300_000, factoryKey.publicKey), factory));
  ok(await helpers.submit(api.tx.consumption.installMeter('Production', 0, 2_000_000, turbineKey.publicKey), producer));
  const [factoryMeter, turbineMeter] = [battery + 1, battery + 2];
  for (const meter of [battery, factoryMeter, turbineMeter]) {
    ok(await helpers.submit(api.tx.consumption.activateMeter(meter), certifier));
  }
  const facility = await certifiedWindTurbine(helpers, producer, certifier, turbineMeter);

  // The battery: 10 kWh holding 5 kWh, 60 kW each way (500 Wh in a 30 s interval), 90 %
  // round trip. A consumption meter cannot measure a unit.
  const spec = { meter: battery, capacity: 10_000, maxCharge: 60_000, maxDischarge: 60_000, efficiency: 900_000_000, charge: 5_000 };
  let r = await helpers.submit(api.tx.balancing.registerUnit({ ...spec, meter: factoryMeter }), factory);
  assert.equal(helpers.moduleError(r.dispatchError), 'balancing.MeterNotBidirectional');
  r = await helpers.submit(api.tx.balancing.registerUnit(spec), provider);
  ok(r);
  const [registered] = eventsOf(r, 'balancing', 'UnitRegistered');
  const unit = registered.data.unit.toNumber();
  assert.deepEqual(await rpc(node.rpcPort, 'balancing_units', [0]), [{
    unit, owner: provider.address, zone: 0, meter: battery, capacity: 10_000, charge: 5_000,
    max_charge: 60_000, max_discharge: 60_000, efficiency: 900_000_000,
  }]);

  // Interval t: 1.5 kWh offered, 0.5 kWh wanted: the zone is left 1 kWh long. Interval t + 1:
  // 2 kWh traded, above the zone's peak threshold (250 kW × 80 % over 30 s = 1,666 Wh).
  const status = await rpc(node.rpcPort, 'pricing_status', []);
  const t = status.first_open + 2;
  const since = (await api.rpc.chain.getHeader()).number.toNumber();
  for (const [interval, wanted, offered] of [[t, 500, 1_500], [t + 1, 2_000, 2_000]]) {
    ok(await helpers.submit(api.tx.pricing.placeBid(factoryMeter, interval, wanted, 300n * MILLI), factory));
    ok(await helpers.submit(api.tx.pricing.placeAsk(facility, interval, offered, 100n * MILLI), producer));
  }
  await cleared(t);
  const until1 = await cleared(t + 1);

  // The surplus charged what the unit can draw in an interval; the peak's 334 Wh came from it.
  assert.deepEqual(await rpc(node.rpcPort, 'balancing_schedule', [t]), [[unit, { Charge: 500 }]]);
  assert.deepEqual(await rpc(node.rpcPort, 'balancing_schedule', [t + 1]), [[unit, { Discharge: 334 }]]);
  const [[, surplus], [, peak]] = await rpc(node.rpcPort, 'balancing_reports', [0, t, t + 1]);
  assert.deepEqual(
    [surplus.demanded, surplus.offered, surplus.bought, surplus.sold, surplus.long, surplus.charged, surplus.curtailed, surplus.peak],
    [500, 1_500, 500, 500, 1_000, 500, 500, 0],
  );
  assert.deepEqual(
    [peak.demanded, peak.short, peak.long, peak.peak, peak.discharged, peak.over_peak, peak.reduction_requested],
    [2_000, 0, 0, 334, 334, 0, 0],
  );
  // 5,000 + 90 % of 500 − 334.
  const [{ charge }] = await rpc(node.rpcPort, 'balancing_units', [0]);
  assert.equal(charge, 5_116);

  // The dispatch entered each interval's book filled at the zone's price, against the
  // battery's meter: a purchase at t, a sale at t + 1.
  const entered = (await helpers.blockEvents(since, until1, (e) => api.events.pricing.DispatchEntered.is(e)))
    .map(({ event }) => event);
  assert.deepEqual(
    entered.map((e) => [e.data.id.interval.toNumber(), e.data.owner.toString(), e.data.side.type, e.data.energy.toNumber()]),
    [[t, provider.address, 'Buy', 500], [t + 1, provider.address, 'Sell', 334]],
  );
  for (const e of entered) {
    const interval = e.data.id.interval.toNumber();
    const orders = (await api.query.pricing.book.entries(interval)).flatMap(([, page]) => page.unwrap());
    const order = orders.find((o) => o.origin.isDispatched);
    const [[, result]] = await rpc(node.rpcPort, 'pricing_prices', [0, interval, interval]);
    assert.ok(result.price, `interval ${interval} has a price`);
    assert.deepEqual(
      [order.owner.toString(), order.meter.toNumber(), order.filled.toNumber(), order.price.toString()],
      [provider.address, battery, e.data.energy.toNumber(), String(result.price)],
    );
  }

  // Halting zone 0's market: one operator alone cannot, and Alice's approval alone changes
  // nothing; with Bob's the multisig halts it.
  r = await helpers.submit(api.tx.balancing.haltMarket(0), alice);
  assert.equal(helpers.moduleError(r.dispatchError), 'BadOrigin');
  const halt = api.tx.balancing.haltMarket(0).method;
  r = await helpers.asOperators(halt, { check: async () => assert.equal((await zone0()).status.halted, null) });
  assert.equal(eventsOf(r, 'balancing', 'MarketHalted').length, 1);
  assert.equal((await zone0()).status.halted, 'Operators');

  // Crossing orders no longer trade, and the zone's consumers pay the emergency tariff.
  const t2 = (await rpc(node.rpcPort, 'pricing_status', [])).first_open + 1;
  ok(await helpers.submit(api.tx.pricing.placeBid(factoryMeter, t2, 1_000, 300n * MILLI), factory));
  ok(await helpers.submit(api.tx.pricing.placeAsk(facility, t2, 1_000, 100n * MILLI), producer));
  await cleared(t2);
  const [[, emergency]] = await rpc(node.rpcPort, 'pricing_prices', [0, t2, t2]);
  assert.deepEqual([emergency.price, emergency.bought, emergency.sold], [null, 0, 0]);
  assert.equal(emergency.tariff, Number(600n * MILLI));

  // One operator cannot resume it either; the multisig can, and the tariff is the market's again.
  r = await helpers.submit(api.tx.balancing.resumeMarket(0), alice);
  assert.equal(helpers.moduleError(r.dispatchError), 'BadOrigin');
  assert.equal((await zone0()).status.halted, 'Operators');
  r = await helpers.asOperators(api.tx.balancing.resumeMarket(0).method);
  assert.equal(eventsOf(r, 'balancing', 'MarketResumed').length, 1);
  assert.equal((await zone0()).status.halted, null);
  const next = (await rpc(node.rpcPort, 'pricing_status', [])).first_open;
  const [[, resumed]] = await rpc(node.rpcPort, 'pricing_prices', [0, next, next]);
  assert.notEqual(resumed.tariff, Number(600n * MILLI));
});
