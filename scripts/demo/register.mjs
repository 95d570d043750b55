// Registers the demo community on a running chain with real transactions: the operators'
// multisig sets up the grid as the scenario says (zones, microgrids, links, breakers, the
// tariff, carbon intensities) and appoints a certifier; each member installs its meters, registers its plant, storage unit and
// flexible load; the certifier activates the meters and certifies the plants. Members act in parallel, each with
// its own nonce sequence, so registration takes a handful of blocks.

import { DAY_MS } from '../lib/chain.mjs';

const DAEG = 1_000_000_000_000n;

/// The account of `name`, and the device key of its meter `key`.
export const memberUri = (name) => `//Daeg/Community/${name}`;
export const meterUri = (name, key) => `//Daeg/Community/${name}/${key}`;

/// Member `m`'s meter `key`.
export const meterOf = (m, key) => m.meters.find((meter) => meter.key === key);

/// The first event `section.method` of each result, in order.
const firstOf = (results, section, method) => results.map((r) =>
  r.events.map(({ event }) => event).find((e) => e.section === section && e.method === method));

/// Registers `community` (`describe()`); resolves to its members with their accounts, meter
/// ids, facility and unit ids. `gridNowMs` is the chain's grid time (`pricing_status.now_ms`);
/// `log` reports progress.
export async function registerCommunity({ api, keyring, helpers, community, gridNowMs, log = () => {} }) {
  const alice = keyring.addFromUri('//Alice');
  const certifier = keyring.addFromUri(memberUri('certifier'));
  const members = community.members.map((m) => ({
    ...m,
    account: keyring.addFromUri(memberUri(m.name)),
    meters: m.meters.map((meter) => ({ ...meter, device: keyring.addFromUri(meterUri(m.name, meter.key)) })),
  }));

  log(`${community.name}: funding ${members.length} members and the certifier`);
  await helpers.submitAll([api.tx.utility.batchAll([
    ...members.map((m) => api.tx.balances.transferKeepAlive(m.account.address, 1_000n * DAEG)),
    api.tx.balances.transferKeepAlive(certifier.address, 100n * DAEG),
  ])], alice);

  log('the operators set up the grid: zones, microgrids, links, breakers, the tariff, carbon intensities, a certifier');
  const { grid } = community;
  const setup = [
    api.tx.production.appointCertifier(certifier.address),
    ...community.zones.map((z) => api.tx.grid.setZone(z.id, {
      capacity: z.capacityW, peakShare: grid.peakShare, parent: z.parent,
    })),
    api.tx.grid.setLinks(community.links.map((l) => ({ a: l.a, b: l.b, aToB: l.aToBW, bToA: l.bToAW }))),
    api.tx.balancing.setBreakers(grid.breakers),
    api.tx.pricing.setTariff(grid.tariff),
    ...grid.carbon.map(([source, grams]) => api.tx.consumption.setCarbonIntensity(source, grams)),
  ];
  await helpers.asOperators(api.tx.utility.batchAll(setup).method);

  log('members install their meters');
  await Promise.all(members.map(async (m) => {
    const results = await helpers.submitAll(m.meters.map((meter) =>
      api.tx.consumption.installMeter(meter.kind, m.zone, meter.maxW, meter.device.publicKey)), m.account);
    firstOf(results, 'consumption', 'MeterInstalled').forEach((e, i) => { m.meters[i].id = e.data.meter.toNumber(); });
  }));
  const meters = members.flatMap((m) => m.meters);
  log(`the certifier activates ${meters.length} meters`);
  await helpers.submitAll(meters.map((meter) => api.tx.consumption.activateMeter(meter.id)), certifier);

  const producers = members.filter((m) => m.plant);
  log(`${producers.length} producers register their plants`);
  const commissioned = Math.floor(gridNowMs / DAY_MS) - grid.commissionedDaysBeforeStart;
  await Promise.all(producers.map(async (m) => {
    const [r] = await helpers.submitAll([api.tx.production.registerFacility({
      source: m.plant.source, capacity: m.plant.capacityW, zone: m.zone,
      location: grid.site, commissioned, meter: meterOf(m, m.plant.meter).id,
    })], m.account);
    m.plant.id = firstOf([r], 'production', 'FacilityRegistered')[0].data.facility.toNumber();
  }));
  // Certified for the scenario's term of grid time, however fast the demo's clock runs.
  const until = gridNowMs + grid.certifiedDays * DAY_MS;
  await helpers.submitAll(producers.map((m) => api.tx.production.certify(m.plant.id, until)), certifier);

  const providers = members.filter((m) => m.storage);
  log(`${providers.length} storage units and ${members.filter((m) => m.flexible).length} flexible loads join balancing`);
  await Promise.all(members.filter((m) => m.storage || m.flexible).map(async (m) => {
    const txs = [];
    const s = m.storage;
    if (s) {
      txs.push(api.tx.balancing.registerUnit({
        meter: meterOf(m, s.meter).id, capacity: s.capacityWh, maxCharge: s.powerW,
        maxDischarge: s.powerW, efficiency: s.efficiencyPpb, charge: s.startWh,
      }));
    }
    if (m.flexible) {
      txs.push(api.tx.balancing.enroll(meterOf(m, m.flexible.meter).id, {
        power: m.flexible.powerW, maxHoursPerDay: m.flexible.maxHours,
      }));
    }
    const results = await helpers.submitAll(txs, m.account);
    if (s) s.id = firstOf(results, 'balancing', 'UnitRegistered')[0].data.unit.toNumber();
  }));
  return { members, certifier };
}
