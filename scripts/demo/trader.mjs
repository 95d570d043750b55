// The community's day-to-day: for each interval, a whole interval before its gate closes,
// every member places its order (homes and businesses bid their forecast load, PV homes and
// plants ask their forecast output, the gas peaker offers its capacity) and the weather oracle
// forecasts each zone; once an interval is cleared, the dispatchable units get their setpoints
// (storage its balancing schedule, the peaker what it sold). The meters' power file (what each
// simulated meter measures per interval) is kept ahead of grid time.

import { writeFileSync, renameSync } from 'node:fs';
import { rpc } from '../lib/chain.mjs';
import { plan } from './community.mjs';
import { meterOf } from './register.mjs';

const MILLI = 1_000_000_000n;
const HOUR_MS = 3_600_000;

export class Trader {
  /// `registered`: `registerCommunity`'s result; `powersPath`: the meters' power file.
  constructor({ api, keyring, helpers, node, registered, households, intervalMs, powersPath, log = () => {} }) {
    Object.assign(this, { api, helpers, node, households, intervalMs, powersPath, log });
    this.members = registered.members;
    this.oracle = keyring.addFromUri('//Ferdie');
    this.plans = new Map();
    this.traded = new Set();
    this.dispatched = new Set();
    this.measured = new Set();
    this.powers = {};
    // Which meter id each unit's schedule moves.
    this.unitMeter = new Map(this.members.filter((m) => m.storage).map((m) => [m.storage.id, meterOf(m, m.storage.meter).id]));
    this.peaker = this.members.find((m) => m.plant?.dispatchable);
  }

  /// The plan of `interval` (fetched a day at a time).
  plan(interval) {
    if (!this.plans.has(interval)) {
      for (const p of plan(this.households, interval * this.intervalMs, this.intervalMs, Math.max(1, Math.round(86_400_000 / this.intervalMs)))) {
        this.plans.set(p.interval, p);
      }
    }
    return this.plans.get(interval);
  }

  /// Power (W) that moves `wh` in an interval.
  watts(wh) {
    return (wh * HOUR_MS) / this.intervalMs;
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
    // The weather oracle: the profiles' weather is the forecast, for every zone.
    const w = p.weather;
    const weather = {
      irradiance: Math.round(w.ghiWM2), windSpeed: Math.round(w.windMS * 1_000), temperature: Math.round(w.tempC * 1_000),
    };
    const zones = [...new Set(this.members.map((m) => m.zone))];
    jobs.push(this.helpers.submitAll([api.tx.utility.batchAll(zones.map((z) => api.tx.pricing.submitForecast(z, interval, [weather])))], this.oracle));
    const results = await Promise.allSettled(jobs);
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length) this.log(`interval ${interval}: ${failed.length} order batches failed: ${failed[0].reason.message}`);
    this.traded.add(interval);
  }

  /// The dispatchable units' setpoints for cleared `interval`.
  async dispatch(interval) {
    const set = (meter, watts) => { (this.powers[meter] ??= {})[interval] = Math.round(watts); };
    for (const [unit, action] of await rpc(this.node.rpcPort, 'balancing_schedule', [interval])) {
      const meter = this.unitMeter.get(unit);
      if (meter === undefined || action === 'Idle') continue;
      if (action.Charge !== undefined) set(meter, this.watts(action.Charge));
      if (action.Discharge !== undefined) set(meter, -this.watts(action.Discharge));
    }
    if (this.peaker) {
      const pages = await this.api.query.pricing.book.entries(interval);
      const sold = pages.flatMap(([, page]) => page.unwrap())
        .filter((o) => o.owner.toString() === this.peaker.account.address && o.origin.isFacility)
        .reduce((sum, o) => sum + o.filled.toNumber(), 0);
      set(meterOf(this.peaker, this.peaker.plant.meter).id, -this.watts(sold));
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
    const keep = current - Math.round(86_400_000 / this.intervalMs);
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
