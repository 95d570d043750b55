// The community's day-to-day: for each interval, a whole interval before its gate closes,
// every member places its order and the weather oracle forecasts each zone; once an interval
// is cleared, the dispatchable units get their setpoints. What the orders, the forecast and the
// setpoints are is the community's (sim/src/community, through community.mjs): the simulation
// runs the same. The meters' power file (what each simulated meter measures per interval) is
// kept ahead of grid time.

import { writeFileSync, renameSync } from 'node:fs';
import { DAY_MS, rpc } from '../lib/chain.mjs';
import { dispatch, plan } from './community.mjs';
import { meterOf } from './register.mjs';

const MILLI = 1_000_000_000n;

export class Trader {
  /// `registered`: `registerCommunity`'s result; `community`: its scenario (`{ scenario,
  /// households }`); `powersPath`: the meters' power file.
  constructor({ api, keyring, helpers, node, registered, community, intervalMs, powersPath, log = () => {} }) {
    Object.assign(this, { api, helpers, node, community, intervalMs, powersPath, log });
    this.members = registered.members;
    this.oracle = keyring.addFromUri('//Ferdie');
    this.plans = new Map();
    this.traded = new Set();
    this.dispatched = new Set();
    this.measured = new Set();
    this.powers = {};
    // Each meter's name by its id, and the name of the meter each unit's schedule moves.
    this.meterNames = new Map(this.members.flatMap((m) => m.meters.map((meter) => [meter.id, `${m.name}/${meter.key}`])));
    this.unitMeter = new Map(this.members.filter((m) => m.storage).map((m) => [m.storage.id, `${m.name}/${m.storage.meter}`]));
    this.meterIds = new Map([...this.meterNames].map(([id, name]) => [name, id]));
  }

  /// The plan of `interval` (fetched a day at a time).
  plan(interval) {
    if (!this.plans.has(interval)) {
      for (const p of plan(this.community, interval * this.intervalMs, this.intervalMs, Math.max(1, Math.round(DAY_MS / this.intervalMs)))) {
        this.plans.set(p.interval, p);
      }
    }
    return this.plans.get(interval);
  }

  /// Orders and weather forecasts for `interval`.
  async trade(interval) {
    const { api } = this;
    const p = this.plan(interval);
    const jobs = [];
    // The members' orders, as the community model places them (sim/src/community).
    const byMember = new Map();
    for (const o of p.orders) {
      const m = this.members.find((x) => x.name === o.member);
      const price = BigInt(o.priceMilli) * MILLI;
      const tx = o.side === 'bid'
        ? api.tx.pricing.placeBid(meterOf(m, o.meter).id, interval, o.energyWh, price)
        : api.tx.pricing.placeAsk(m.plant.id, interval, o.energyWh, price);
      byMember.set(m, [...(byMember.get(m) ?? []), tx]);
    }
    for (const [m, txs] of byMember) jobs.push(this.helpers.submitAll(txs, m.account));
    // The weather oracle's forecast, for every zone.
    const zones = [...new Set(this.members.map((m) => m.zone))];
    jobs.push(this.helpers.submitAll([api.tx.utility.batchAll(zones.map((z) => api.tx.pricing.submitForecast(z, interval, [p.forecast])))], this.oracle));
    const results = await Promise.allSettled(jobs);
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length) this.log(`interval ${interval}: ${failed.length} order batches failed: ${failed[0].reason.message}`);
    this.traded.add(interval);
  }

  /// The dispatchable units' setpoints for cleared `interval`: balancing's schedule of the
  /// storage units and what the plants' asks sold, as the community dispatches them.
  async dispatch(interval) {
    const scheduled = {};
    for (const [unit, action] of await rpc(this.node.rpcPort, 'balancing_schedule', [interval])) {
      const meter = this.unitMeter.get(unit);
      if (meter !== undefined) scheduled[meter] = action;
    }
    const sold = {};
    const pages = await this.api.query.pricing.book.entries(interval);
    for (const o of pages.flatMap(([, page]) => page.unwrap())) {
      const meter = this.meterNames.get(o.meter.toNumber());
      if (o.origin.isFacility && meter !== undefined) sold[meter] = (sold[meter] ?? 0) + o.filled.toNumber();
    }
    for (const [meter, watts] of Object.entries(dispatch(this.community, this.intervalMs, { scheduled, sold }))) {
      (this.powers[this.meterIds.get(meter)] ??= {})[interval] = watts;
    }
    this.dispatched.add(interval);
  }

  /// What every planned meter measures in `interval`.
  measure(interval) {
    const p = this.plan(interval);
    for (const m of this.members) {
      for (const meter of m.meters) {
        const planned = p.meters[`${m.name}/${meter.key}`];
        if (planned) (this.powers[meter.id] ??= {})[interval] = planned[1];
      }
    }
    this.measured.add(interval);
  }

  /// Writes the power file atomically, keeping the last day of intervals.
  writePowers(current) {
    const keep = current - Math.round(DAY_MS / this.intervalMs);
    for (const byInterval of Object.values(this.powers)) {
      for (const i of Object.keys(byInterval)) if (Number(i) < keep) delete byInterval[i];
    }
    writeFileSync(`${this.powersPath}.tmp`, JSON.stringify(this.powers));
    renameSync(`${this.powersPath}.tmp`, this.powersPath);
  }

  /// One step: measure ahead, trade the next interval, dispatch the cleared ones.
  async step(status) {
    const current = status.current;
    for (let i = current; i <= status.first_open + 1; i++) if (!this.measured.has(i)) this.measure(i);
    this.writePowers(current);
    // Orders go to the interval after the first open one, a whole interval before its gate
    // closes: the first open one may close while its orders are on their way.
    const next = status.first_open + 1;
    if (!this.traded.has(next)) await this.trade(next);
    for (let t = current; t < (status.next_to_clear ?? current); t++) {
      if (!this.dispatched.has(t) && (await rpc(this.node.rpcPort, 'pricing_clearing', [t]))) await this.dispatch(t);
    }
    this.writePowers(current);
  }
}
