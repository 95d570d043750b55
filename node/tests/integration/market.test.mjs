// The market on a real --dev node with a real @polkadot/api client: a producer's certified
// wind turbine asks, a consumer bids, the hook clears the interval (`pricing_*` RPC shows the
// book and the result); both meters' readings arrive, their values become final, and
// settlement changes each balance by exactly the amount it settled. The weather oracle
// forecasts a zone, and the weather moves its indicative prices and tariffs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rpc, rpcRaw, waitFor } from '../../../scripts/lib/chain.mjs';
import { certifiedWindTurbine, eventsOf, generalTransaction, readingCall, useDevSession, waitFinal } from './client.mjs';

/// A thousandth of a DAEG: prices below are in it per kWh.
const MILLI = 1_000_000_000n;

let api;
let keyring;
let node;
let helpers;
useDevSession((s) => { ({ api, keyring, node } = s); helpers = s; });

/// `who`'s total balance (free and held) at block `hash`.
async function total(who, hash) {
  const { data } = await (await api.at(hash)).query.system.account(who);
  return data.free.toBigInt() + data.reserved.toBigInt();
}

test('a producer asks, a consumer bids, the interval clears, readings arrive and both are settled exactly', async () => {
  const alice = keyring.addFromUri('//Alice');
  const producer = keyring.addFromUri('//DaegMarketProducer');
  const consumer = keyring.addFromUri('//DaegMarketConsumer');
  const certifier = keyring.addFromUri('//DaegMarketCertifier');
  const turbine = keyring.addFromUri('//DaegMarketTurbineMeter');
  const home = keyring.addFromUri('//DaegMarketHomeMeter');
  const ok = (r) => assert.equal(helpers.moduleError(r.dispatchError), null);

  for (const who of [producer, consumer, certifier]) {
    ok(await helpers.submit(api.tx.balances.transferKeepAlive(who.address, 10n ** 16n), alice));
  }
  ok(await helpers.asOperators(api.tx.production.appointCertifier(certifier.address).method));

  // Meters in zone 0, activated by the certifier; the turbine registered and certified.
  const producerMeter = (await api.query.consumption.nextMeterId()).toNumber();
  ok(await helpers.submit(api.tx.consumption.installMeter('Production', 0, 2_000_000, turbine.publicKey), producer));
  const consumerMeter = producerMeter + 1;
  // A 500 kW connection: 2 kWh in a 30-second interval is 240 kW (a reading beyond what the
  // connection carries would be refused).
  ok(await helpers.submit(api.tx.consumption.installMeter('Consumption', 0, 500_000, home.publicKey), consumer));
  ok(await helpers.submit(api.tx.consumption.activateMeter(producerMeter), certifier));
  ok(await helpers.submit(api.tx.consumption.activateMeter(consumerMeter), certifier));
  const facility = await certifiedWindTurbine(helpers, producer, certifier, producerMeter);

  // Orders for an interval whose gate is open: 2 kWh wanted at up to 0.3 DAEG, offered at
  // least 0.1 DAEG.
  const status = await rpc(node.rpcPort, 'pricing_status', []);
  const length = status.interval_length_ms;
  const t = status.first_open + 1;
  let r = await helpers.submit(api.tx.pricing.placeBid(consumerMeter, t, 2_000, 300n * MILLI), consumer);
  ok(r);
  assert.equal(eventsOf(r, 'pricing', 'OrderPlaced').length, 1);
  r = await helpers.submit(api.tx.pricing.placeAsk(facility, t, 2_000, 100n * MILLI), producer);
  ok(r);
  // An ask from a facility that is not the caller's is refused.
  r = await helpers.submit(api.tx.pricing.placeAsk(facility, t, 2_000, 100n * MILLI), consumer);
  assert.equal(helpers.moduleError(r.dispatchError), 'pricing.NotFacilityOwner');
  const depth = await rpc(node.rpcPort, 'pricing_depth', [t, 0]);
  assert.deepEqual(depth.bids, [{ price: Number(300n * MILLI), energy: 2_000, orders: 1 }]);
  assert.deepEqual(depth.asks, [{ price: Number(100n * MILLI), energy: 2_000, orders: 1 }]);
  // Before gate closure the book's indicative price is what clearing it now would give.
  const [, indicative] = (await rpc(node.rpcPort, 'pricing_indicative', [t])).find(([z]) => z === 0);
  assert.equal(indicative.price, Number(200n * MILLI));

  // The hook clears the interval at gate closure: 2 kWh trade at 0.2 DAEG (the midpoint of
  // the prices consistent with the trade).
  const clearing = await waitFor(`interval ${t} cleared`, async () => rpc(node.rpcPort, 'pricing_clearing', [t]),
    { timeoutMs: 120_000, everyMs: 2_000 });
  const [zone, result] = clearing.zones.find(([z]) => z === 0);
  assert.equal(zone, 0);
  assert.equal(result.price, Number(200n * MILLI));
  assert.deepEqual([result.bought, result.sold, result.demanded, result.offered], [2_000, 2_000, 2_000, 2_000]);
  assert.deepEqual(result, indicative, 'the hook cleared what was indicated');
  const [[, priced]] = await rpc(node.rpcPort, 'pricing_prices', [0, t, t]);
  assert.equal(priced.tariff, result.tariff);
  assert.ok(priced.tariff > priced.price, 'the tariff adds the grid fee');

  // Once the interval is over, both meters report it: the turbine fed in 2 kWh, the home
  // took 2 kWh (registers since their first reading, at the interval before).
  await waitFor(`interval ${t} over`, async () => (await api.query.timestamp.now()).toNumber() >= (t + 1) * length + 2_000,
    { timeoutMs: 120_000, everyMs: 1_000 });
  const since = (await api.rpc.chain.getHeader()).number.toNumber();
  const readings = [
    [turbine, producerMeter, (k) => ({ imported: 0, exported: 50_000 + 2_000 * k })],
    [home, consumerMeter, (k) => ({ imported: 70_000 + 2_000 * k, exported: 0 })],
  ];
  for (const [device, meter, registers] of readings) {
    for (const k of [0, 1]) {
      const interval = t - 1 + k;
      const call = readingCall(api, device, {
        meter, interval, ...registers(k), measuredAt: (interval + 1) * length + 1_000, counter: k + 1,
      });
      const answer = await rpcRaw(node.rpcPort, 'author_submitExtrinsic', [generalTransaction(call)]);
      assert.ok(answer.result, `reading accepted: ${JSON.stringify(answer)}`);
    }
  }
  await waitFinal(api, producerMeter, t);
  await waitFinal(api, consumerMeter, t);

  // Find each meter's settlement of interval t and the balance change in that block.
  const head = (await api.rpc.chain.getHeader()).number.toNumber();
  const settlements = await helpers.blockEvents(since, head,
    (e) => api.events.pricing.Settled.is(e) && e.data.interval.toNumber() === t);
  const settled = new Map(settlements.map(({ event, hash }) =>
    [event.data.meter.toNumber(), { hash, line: event.data.line, who: event.data.who.toString() }]));
  for (const [meter, who, sign] of [[producerMeter, producer.address, 1n], [consumerMeter, consumer.address, -1n]]) {
    const s = settled.get(meter);
    assert.ok(s, `meter ${meter} settled interval ${t}`);
    assert.equal(s.who, who);
    const header = await api.rpc.chain.getHeader(s.hash);
    const change = (await total(who, s.hash)) - (await total(who, header.parentHash));
    const net = s.line.soldRevenue.toBigInt() + s.line.longCredit.toBigInt()
      - s.line.boughtCost.toBigInt() - s.line.tariffCost.toBigInt() - s.line.shortCost.toBigInt();
    assert.equal(change, net, `${who}'s balance changed by what was settled`);
    // Exact delivery: 2 kWh at 0.2 DAEG, nothing else.
    assert.equal(net, sign * 400n * MILLI);
  }
  const line = settled.get(consumerMeter).line;
  assert.deepEqual([line.bought.toNumber(), line.tariffEnergy.toNumber(), line.long.toNumber()], [2_000, 0, 0]);

  // The consumer's statement for the day holds the purchase (and, later, tariffs for the
  // substitutes that follow the last reading).
  const day = Math.floor((t * length) / 86_400_000);
  const statements = await rpc(node.rpcPort, 'pricing_statements', [consumer.address, day, day]);
  assert.equal(statements.days.length, 1);
  assert.equal(statements.days[0][1].bought, 2_000);
  // Amounts are decimal strings: exact beyond JavaScript's 2^53.
  assert.equal(statements.days[0][1].bought_cost, String(400n * MILLI));
  assert.equal(statements.arrears, '0');
});

test('the weather oracle forecasts a zone and the weather moves its indicative prices and tariffs', async () => {
  const ferdie = keyring.addFromUri('//Ferdie');
  const bob = keyring.addFromUri('//Bob');
  const status = await rpc(node.rpcPort, 'pricing_status', []);
  const from = status.first_open + 1;
  const sunny = { irradiance: 800, windSpeed: 0, temperature: 20_000 };
  const coldAndWindy = { irradiance: 0, windSpeed: 12_000, temperature: -5_000 };

  // Only the appointed oracle (Ferdie on dev chains) may submit.
  let r = await helpers.submit(api.tx.pricing.submitForecast(1, from, [sunny]), bob);
  assert.equal(helpers.moduleError(r.dispatchError), 'pricing.NotWeatherOracle');
  r = await helpers.submit(api.tx.pricing.submitForecast(1, from, [{ ...sunny, windSpeed: 150_000 }]), ferdie);
  assert.equal(helpers.moduleError(r.dispatchError), 'pricing.ImplausibleWeather');
  // 45 °C is weather on Earth, but never at the dev chains' site (their climate: at most 42 °C).
  r = await helpers.submit(api.tx.pricing.submitForecast(1, from, [{ ...sunny, temperature: 45_000 }]), ferdie);
  assert.equal(helpers.moduleError(r.dispatchError), 'pricing.OutOfSeason');
  r = await helpers.submit(api.tx.pricing.submitForecast(1, from, [sunny, coldAndWindy]), ferdie);
  assert.equal(helpers.moduleError(r.dispatchError), null);
  const [submitted] = eventsOf(r, 'pricing', 'ForecastSubmitted');
  assert.equal(submitted.data.intervals.toNumber(), 2);

  // The dev model: reference 0.25; full sun −0.10, rated wind −0.08, +0.005 per degree below
  // 15 °C. Tariffs add the hour's grid fee (UTC: 0.05 at night, 0.12 17–21 h, else 0.08).
  const fee = (interval) => {
    const hour = Math.floor((interval * status.interval_length_ms) / 3_600_000) % 24;
    return hour < 6 || hour >= 22 ? 50n : hour >= 17 && hour < 21 ? 120n : 80n;
  };
  const expected = [[from, 170n, sunny], [from + 1, 270n, coldAndWindy], [from + 2, 250n, null]];
  const forecast = await rpc(node.rpcPort, 'pricing_forecast', [1, from, from + 2]);
  assert.deepEqual(forecast, expected.map(([i, price, w]) => [i, {
    weather: w && { irradiance: w.irradiance, wind_speed: w.windSpeed, temperature: w.temperature },
    price: Number(price * MILLI),
    tariff: Number((price + fee(i)) * MILLI),
  }]));
  // Nobody trades zone 1: its consumers' tariff is the weather's.
  const prices = await rpc(node.rpcPort, 'pricing_prices', [1, from, from + 2]);
  assert.deepEqual(prices.map(([, p]) => p.tariff), forecast.map(([, f]) => f.tariff));
});
