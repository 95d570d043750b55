// What the dashboard shows, folded from the chain's events and RPC answers. No I/O here: the
// folds are idempotent (a block seen twice, or re-read after a reorganisation, counts once),
// so the page can re-scan blocks freely.

/// The sources the production chart stacks, in order.
export const SOURCES = ['Solar', 'Wind', 'Hydro', 'Thermal', 'Microgrid', 'Storage'];

/// Intervals the charts span: two days of hours.
export const WINDOW = 48;

/// A number from a polkadot.js JSON value: large integers come as hex strings.
export function num(v) {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(BigInt(v));
  return 0;
}

/// `{ Charge: 500 }` → ['Charge', 500]; `'Idle'` → ['Idle', 0]: an enum as JSON.
export function variant(v) {
  if (typeof v === 'string') return [v[0].toUpperCase() + v.slice(1), 0];
  const [k, x] = Object.entries(v)[0];
  return [k[0].toUpperCase() + k.slice(1), x];
}

/// The events the "grid events" log lists, with how each reads.
const GRID_EVENTS = {
  'balancing.DemandResponseCalled': (d) => `demand response: ${kwh(d.event.requested)} kWh requested (${variant(d.event.trigger)[0]}), ${d.participants} participants`,
  'balancing.EmergencyDeclared': () => 'emergency declared',
  'balancing.EmergencyEnded': () => 'emergency ended',
  'balancing.MarketHalted': (d) => `market halted by ${variant(d.by)[0]}`,
  'balancing.MarketResumed': () => 'market resumed',
  'balancing.Islanded': () => 'islanded',
  'balancing.Reconnected': () => 'reconnected',
  'balancing.LoadShed': (d) => `load shed up to ${variant(d.upTo)[0]}: ${kwh(d.load)} kWh`,
  'balancing.StorageForced': () => 'storage forced to discharge',
  'balancing.BreakerTripped': (d) => `breaker tripped: ${variant(d.breaker)[0]}`,
  'balancing.PriceCapSet': (d) => (d.cap === null ? 'price cap lifted' : `price cap ${(num(d.cap) / 1e12).toFixed(3)}/kWh`),
  'consumption.MeterSuspendedForAnomalies': (d) => `meter ${d.meter} suspended for anomalies`,
  'production.LowOutput': (d) => `facility ${d.facility} low output`,
};

const kwh = (wh) => (num(wh) / 1000).toFixed(1);

export class GridModel {
  constructor() {
    /// meter id → { source } of the facility it measures, or { storage: true }.
    this.meters = new Map();
    /// interval → meter → { imported, exported, quality }.
    this.readings = new Map();
    /// interval → zone → the balancing report.
    this.reports = new Map();
    /// certificate id (JSON) → { energy, intensity }.
    this.certificates = new Map();
    /// `${interval}/${meter}` → a settlement line.
    this.settlements = new Map();
    /// key → a grid event.
    this.gridEvents = new Map();
    /// interval → zone → { price, tariff }.
    this.prices = new Map();
    /// interval → unit → { charge, capacity }.
    this.storage = new Map();
    /// zone → its status, as balancing_zones gives it.
    this.zones = [];
    /// The meter intervals held out of settlement (pricing_quarantined).
    this.quarantined = [];
    /// The residual mix's CO₂ intensity, g/kWh: what certified energy displaces.
    this.residualIntensity = 0;
    this.status = null;
    this.head = 0;
  }

  /// A facility's meter and source; a storage unit's meter.
  setFacility(meter, source) { this.meters.set(Number(meter), { source }); }
  setStorageMeter(meter) { this.meters.set(Number(meter), { storage: true }); }

  /// Folds one block's events, `[{ section, method, data }]` with named JSON data.
  addEvents(block, events) {
    this.head = Math.max(this.head, block);
    for (const { section, method, data } of events) {
      const key = `${section}.${method}`;
      if (key === 'consumption.IntervalRecorded') {
        const at = getOrSet(this.readings, num(data.interval), () => new Map());
        at.set(num(data.meter), { imported: num(data.imported), exported: num(data.exported), quality: variant(data.quality)[0] });
      } else if (key === 'balancing.ZoneBalanced') {
        getOrSet(this.reports, num(data.interval), () => new Map()).set(num(data.zone), data.report);
      } else if (key === 'production.CertificateIssued') {
        this.certificates.set(JSON.stringify(data.id), { energy: num(data.energy), intensity: num(data.intensity), source: variant(data.source)[0] });
      } else if (key === 'pricing.Settled') {
        this.settlements.set(`${num(data.interval)}/${num(data.meter)}`, { block, interval: num(data.interval), meter: num(data.meter), who: data.who, line: data.line, quality: data.quality });
      } else if (GRID_EVENTS[key]) {
        const zone = data.zone ?? null;
        const interval = data.interval ?? null;
        this.gridEvents.set(`${block}/${key}/${JSON.stringify(data)}`, { block, zone, interval, text: GRID_EVENTS[key](data) });
      }
    }
  }

  /// A zone's clearing price and tariff per interval, as pricing_prices gives them.
  setPrices(zone, rows) {
    for (const [interval, r] of rows) {
      getOrSet(this.prices, num(interval), () => new Map()).set(zone, { price: r.price === null ? null : num(r.price), tariff: num(r.tariff) });
    }
  }

  /// Every storage unit's expected charge at `interval` (balancing_units).
  setUnits(interval, units) {
    const at = getOrSet(this.storage, interval, () => new Map());
    for (const u of units) {
      this.setStorageMeter(u.meter);
      at.set(num(u.unit), { charge: num(u.charge), capacity: num(u.capacity) });
    }
  }

  /// The intervals the charts span: the last `count` up to the current one, from the first
  /// with meter values, balancing or storage (not the empty past before the community).
  window(count) {
    const current = this.status?.current ?? 0;
    const seen = [...this.readings.keys(), ...this.reports.keys(), ...this.storage.keys()];
    const earliest = seen.length ? Math.min(...seen) : current;
    const from = Math.max(0, current - count + 1, Math.min(earliest, current));
    return Array.from({ length: current - from + 1 }, (_, i) => from + i);
  }

  /// Metered production per source, Wh, in `interval`: what the facilities' meters exported
  /// (net of their own use), and what storage delivered.
  production(interval) {
    const out = Object.fromEntries(SOURCES.map((s) => [s, 0]));
    for (const [meter, r] of this.readings.get(interval) ?? []) {
      const m = this.meters.get(meter);
      if (m?.storage) out.Storage += r.exported;
      else if (m?.source && m.source in out) out[m.source] += r.exported;
    }
    return out;
  }

  /// Metered consumption, Wh, in `interval`: every meter's import but storage charging.
  consumption(interval) {
    let total = 0;
    for (const [meter, r] of this.readings.get(interval) ?? []) {
      if (!this.meters.get(meter)?.storage) total += r.imported;
    }
    return total;
  }

  /// Storage charging, Wh, in `interval`.
  charging(interval) {
    let total = 0;
    for (const [meter, r] of this.readings.get(interval) ?? []) {
      if (this.meters.get(meter)?.storage) total += r.imported;
    }
    return total;
  }

  /// How many meters have a value for `interval`, and how many of those are substitutes.
  readingCount(interval) {
    const at = [...(this.readings.get(interval)?.values() ?? [])];
    return { meters: at.length, substituted: at.filter((r) => r.quality !== 'Measured').length };
  }

  /// What balancing left over in `zone` at `interval`: short (+) or long (−) after the
  /// auction, and what nothing covered.
  imbalance(interval, zone) {
    const r = this.reports.get(interval)?.get(zone);
    if (!r) return null;
    return { net: num(r.short) - num(r.long), unserved: num(r.unserved), curtailed: num(r.curtailed), charged: num(r.charged), discharged: num(r.discharged), reduction: num(r.reductionRequested) };
  }

  /// A zone's price and tariff at `interval`, per kWh in DAEG.
  price(interval, zone) {
    const p = this.prices.get(interval)?.get(zone);
    return p ? { price: p.price === null ? null : p.price / 1e12, tariff: p.tariff / 1e12 } : null;
  }

  /// Storage units' state of charge at `interval`, 0–100 per unit.
  stateOfCharge(interval) {
    const out = new Map();
    for (const [unit, { charge, capacity }] of this.storage.get(interval) ?? []) {
      out.set(unit, capacity > 0 ? (100 * charge) / capacity : 0);
    }
    return out;
  }

  /// Storage unit ids seen.
  units() {
    return [...new Set([...this.storage.values()].flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  }

  /// Certified renewable energy, Wh, and the CO₂ it avoided against the residual mix, g.
  certified() {
    let energy = 0;
    let avoided = 0;
    for (const c of this.certificates.values()) {
      energy += c.energy;
      avoided += (c.energy * Math.max(0, this.residualIntensity - c.intensity)) / 1000;
    }
    return { count: this.certificates.size, energy, avoided };
  }

  /// The latest `count` settlement lines, newest first, with each one's net money
  /// (positive: paid to the account).
  recentSettlements(count) {
    return [...this.settlements.values()]
      .sort((a, b) => b.interval - a.interval || b.block - a.block || a.meter - b.meter)
      .slice(0, count)
      .map((s) => {
        const l = s.line;
        const net = num(l.soldRevenue) + num(l.longCredit) - num(l.boughtCost) - num(l.tariffCost) - num(l.shortCost);
        return { ...s, bought: num(l.bought) + num(l.tariffEnergy), sold: num(l.sold), net: net / 1e12 };
      });
  }

  /// The latest `count` grid events, newest first.
  recentGridEvents(count) {
    return [...this.gridEvents.values()].sort((a, b) => b.block - a.block).slice(0, count);
  }
}

function getOrSet(map, key, make) {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}
