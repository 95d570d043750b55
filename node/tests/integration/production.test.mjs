// Producers, facilities and certification on a real --dev node with a real @polkadot/api
// client: the grid operators' multisig appoints a certifier, a producer registers a facility,
// the certifier activates its meter and certifies it; the meter's final values become the
// facility's production metrics (`production_*` RPC); the producer plans maintenance and the
// operators set the source's maintenance interval, which the status RPCs reflect.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rpc } from '../../../scripts/lib/chain.mjs';
import { useDevSession, eventsOf, submitRecentReadings, waitFinal } from './client.mjs';

let api;
let keyring;
let node;
let helpers;
useDevSession((s) => { ({ api, keyring, node } = s); helpers = s; });

test('the operators appoint a certifier, who certifies a producer\'s facility; its metered output is its production', async () => {
  const alice = keyring.addFromUri('//Alice'); // the producer
  const bob = keyring.addFromUri('//Bob');
  const certifier = keyring.addFromUri('//DaegCertifier');
  const device = keyring.addFromUri('//DaegWindTurbineMeter');

  // The certifier pays its own fees.
  let r = await helpers.submit(api.tx.balances.transferKeepAlive(certifier.address, 10n ** 15n), alice);
  assert.equal(r.dispatchError, undefined);

  // One operator alone cannot appoint a certifier; the 2-of-3 multisig does.
  r = await helpers.submit(api.tx.production.appointCertifier(certifier.address), alice);
  assert.equal(helpers.moduleError(r.dispatchError), 'BadOrigin');
  r = await helpers.asOperators(api.tx.production.appointCertifier(certifier.address).method);
  assert.equal(eventsOf(r, 'production', 'CertifierAppointed')[0].data.certifier.toString(), certifier.address);
  assert.ok((await api.query.production.certifiers(certifier.address)).isSome);

  // The producer's meter, activated by the certifier (certifiers may activate meters).
  const meter = (await api.query.consumption.nextMeterId()).toNumber();
  r = await helpers.submit(api.tx.consumption.installMeter('Production', 0, 2_000_000, device.publicKey), alice);
  assert.equal(r.dispatchError, undefined);
  r = await helpers.submit(api.tx.consumption.activateMeter(meter), certifier);
  assert.equal(r.dispatchError, undefined);
  assert.equal((await api.query.consumption.meters(meter)).unwrap().status.toString(), 'Active');

  // The producer registers a 2 MW wind turbine measured by that meter; a deposit is held.
  const facility = (await api.query.production.nextFacilityId()).toNumber();
  const reservedBefore = (await api.query.system.account(alice.address)).data.reserved.toBigInt();
  const spec = {
    source: 'Wind', capacity: 2_000_000, zone: 0,
    location: { latMicroDeg: 54_321_000, lonMicroDeg: 10_123_000 }, commissioned: 20_000, meter,
  };
  r = await helpers.submit(api.tx.production.registerFacility(spec), alice);
  assert.equal(r.dispatchError, undefined);
  assert.equal(eventsOf(r, 'production', 'FacilityRegistered').length, 1);
  const held = (await api.query.system.account(alice.address)).data.reserved.toBigInt() - reservedBefore;
  assert.equal(held, api.consts.production.facilityDeposit.toBigInt(), 'the facility deposit is held');
  let stored = (await api.query.production.facilities(facility)).unwrap();
  assert.equal(stored.certification.toString(), 'Pending');
  assert.equal(stored.spec.capacity.toNumber(), 2_000_000);

  // Someone who is not a certifier cannot certify; the certifier can, until a day from now.
  const until = (await api.query.timestamp.now()).toNumber() + 86_400_000;
  r = await helpers.submit(api.tx.production.certify(facility, until), bob);
  assert.equal(helpers.moduleError(r.dispatchError), 'production.NotCertifier');
  r = await helpers.submit(api.tx.production.certify(facility, until), certifier);
  assert.equal(r.dispatchError, undefined);
  const certified = eventsOf(r, 'production', 'FacilityCertified')[0];
  assert.equal(certified.data.facility.toNumber(), facility);
  assert.equal(certified.data.untilMs.toNumber(), until);
  stored = (await api.query.production.facilities(facility)).unwrap();
  assert.ok(stored.certification.isCertified);
  assert.equal(stored.certification.asCertified.by.toString(), certifier.address);

  // A suspension names its reason.
  r = await helpers.submit(api.tx.production.suspend(facility, 'blade inspection'), certifier);
  assert.equal(r.dispatchError, undefined);
  stored = (await api.query.production.facilities(facility)).unwrap();
  assert.equal(stored.certification.asSuspended.reason.toUtf8(), 'blade inspection');
  r = await helpers.submit(api.tx.production.certify(facility, until), certifier);
  assert.equal(r.dispatchError, undefined, 'certified again after the inspection');

  // The turbine's meter reports 500 Wh per interval; once final, that is its production.
  const length = (await api.query.grid.intervalLength()).toNumber();
  const first = await submitRecentReadings(helpers, device, meter,
    [0, 1, 2, 3].map((k) => ({ imported: 0, exported: 10_000 + 500 * k })));
  const last = first + 3;
  await waitFinal(api, meter, last);

  const at = (await api.rpc.chain.getBlockHash()).toHex();
  const finalized = (await (await api.at(at)).query.consumption.meters(meter)).unwrap().readings.finalized.toNumber();
  const dayOf = (i) => Math.floor((i * length) / 86_400_000);
  const report = await rpc(node.rpcPort, 'production_facilityReport', [facility, dayOf(first), dayOf(finalized), at]);
  // Three measured intervals of 500 Wh, then substitutes at the meter's trend (500 Wh too).
  assert.equal(report.intervals, finalized - first);
  assert.equal(report.energy, 500 * report.intervals);
  assert.equal(report.estimated, finalized - last);
  assert.equal(report.availability, 1_000_000, 'output in every interval');
  // 2 MW for 30 s is 16,667 Wh: 500 Wh is 3 % of it (30,000 ppm, give or take rounding).
  assert.ok(Math.abs(report.capacity_factor - 30_000) <= 1, `capacity factor ${report.capacity_factor}`);
  let total = 0;
  for (const day of new Set([dayOf(first + 1), dayOf(finalized)])) {
    const rows = await rpc(node.rpcPort, 'production_dayTotals', [day, at]);
    for (const [source, zone, energy] of rows) {
      assert.deepEqual([source, zone], ['Wind', 0]);
      total += energy;
    }
  }
  assert.equal(total, report.energy, 'the source and zone totals hold the same production');

  // Its status: it may sell; all its final export is metered renewable energy, of which
  // certificates cover at most that much (they are issued per complete hour).
  let status = await rpc(node.rpcPort, 'production_facilityStatus', [facility, at]);
  assert.equal(status.may_sell, true);
  assert.equal(status.low_output, false);
  const metered = (await (await api.at(at)).query.production.operation(facility)).unwrap().meteredRenewable.toNumber();
  assert.equal(status.metered_renewable, metered);
  assert.ok(status.metered_renewable >= report.energy, 'every final value counts');
  assert.ok(status.certified <= status.metered_renewable);
  assert.equal(status.last_maintained, 20_000, 'commissioning day');
  assert.equal(status.maintenance_due, null, 'no interval set for wind yet');

  // The producer plans a gearbox overhaul from tomorrow; it shows in the status.
  const start = (await api.query.timestamp.now()).toNumber() + 86_400_000 + 60_000;
  const window = { startMs: start, endMs: start + 8 * 3_600_000 };
  r = await helpers.submit(api.tx.production.declareMaintenance(facility, { startMs: start - 120_000, endMs: start }), bob);
  assert.equal(helpers.moduleError(r.dispatchError), 'production.NotOwner');
  r = await helpers.submit(api.tx.production.declareMaintenance(facility, window), alice);
  assert.equal(eventsOf(r, 'production', 'MaintenanceDeclared').length, 1);
  status = await rpc(node.rpcPort, 'production_facilityStatus', [facility]);
  assert.deepEqual(status.maintenance, [{ start_ms: window.startMs, end_ms: window.endMs }]);

  // The operators require wind turbines to be maintained yearly: commissioned on day 20,000
  // (2024) and never maintained since, this one is overdue.
  r = await helpers.asOperators(api.tx.production.setSourceParameters('Wind',
    { typicalCapacityFactor: 300_000, maintenanceIntervalDays: 365 }).method);
  assert.equal(eventsOf(r, 'production', 'SourceParametersSet').length, 1);
  status = await rpc(node.rpcPort, 'production_facilityStatus', [facility]);
  assert.equal(status.maintenance_due, 20_365);
  const overdue = await rpc(node.rpcPort, 'production_overdueMaintenance', []);
  assert.deepEqual(overdue.find(([f]) => f === facility), [facility, 20_365]);
});
