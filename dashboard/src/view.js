// The dashboard's page: key figures, four uPlot charts and two logs, redrawn from a GridModel.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { SOURCES, WINDOW } from './model.js';

const COLORS = {
  Solar: '#f2b705', Wind: '#3d9be9', Hydro: '#1f6f8b', Thermal: '#c0392b', Microgrid: '#8e44ad', Storage: '#27ae60',
};
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2'];

const $ = (id) => document.getElementById(id);
const fmt = (x, digits = 1) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/// The page, bound to `model`; `zoneNames` names zones by id where known.
export class Dashboard {
  constructor(model, { zoneNames = [] } = {}) {
    this.model = model;
    this.zoneNames = zoneNames;
    this.charts = {};
    this.shape = null;
    addEventListener('resize', () => this.resize());
  }

  zoneName(z) { return this.zoneNames[z] ?? `zone ${z}`; }

  /// The zones shown: the named ones if the page was given names, else all the chain has.
  shownZones() {
    return this.zoneNames.length ? this.model.zones.filter((z) => this.zoneNames[z.zone]) : this.model.zones;
  }

  setState(text) {
    $('state').textContent = text;
    $('state').dataset.state = text.split(':')[0];
  }

  /// Redraws everything.
  render() {
    const m = this.model;
    if (!m.status) return;
    const s = m.status;
    const intervals = m.window(WINDOW);
    const xs = intervals.map((i) => (i * s.interval_length_ms) / 1000);
    const zones = this.shownZones().map((z) => z.zone);
    const units = m.units();
    // The charts are rebuilt when their series change (a zone or unit appears).
    const shape = JSON.stringify({ zones, units });
    if (shape !== this.shape) {
      this.shape = shape;
      this.build(zones, units);
    }

    // Key figures: the last interval whose readings are in.
    const last = s.current - 1;
    const produced = Object.values(m.production(last)).reduce((a, b) => a + b, 0);
    const consumed = m.consumption(last);
    const readings = m.readingCount(last);
    const cert = m.certified();
    this.kpi('grid-time', new Date(s.now_ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC');
    this.kpi('interval', String(s.current));
    this.kpi('block', `#${m.head}`);
    this.kpi('production', `${fmt(produced / 1000)} kWh`);
    this.kpi('consumption', `${fmt(consumed / 1000)} kWh`);
    this.kpi('readings', `${readings.meters} (${readings.substituted} substituted)`);
    this.kpi('certificates', `${cert.count} · ${fmt(cert.energy / 1000)} kWh`);
    this.kpi('co2', `${fmt(cert.avoided / 1000)} kg`);
    this.kpi('pot', `${fmt(Number(BigInt(s.pot)) / 1e12, 2)} DAEG`);

    // Production by source, stacked (each series is the sum up to it, drawn top first).
    // Intervals whose readings are not in yet are gaps, not zeros.
    const metered = intervals.map((i) => m.readings.has(i));
    const bySource = intervals.map((i) => m.production(i));
    const stacked = [];
    let running = intervals.map(() => 0);
    for (const src of SOURCES) {
      running = running.map((v, k) => v + bySource[k][src] / 1000);
      stacked.push(running.map((v, k) => (metered[k] ? v : null)));
    }
    this.charts.production.setData([xs, ...stacked.slice().reverse(), intervals.map((i, k) => (metered[k] ? m.consumption(i) / 1000 : null))]);

    this.charts.prices.setData([xs, ...zones.flatMap((z) => [
      intervals.map((i) => m.price(i, z)?.price ?? null),
      intervals.map((i) => m.price(i, z)?.tariff ?? null),
    ])]);
    this.charts.storage.setData([xs, ...units.map((u) => intervals.map((i) => m.stateOfCharge(i).get(u) ?? null))]);
    this.charts.imbalance.setData([xs, ...zones.flatMap((z) => [
      intervals.map((i) => (m.imbalance(i, z) ? m.imbalance(i, z).net / 1000 : null)),
      intervals.map((i) => (m.imbalance(i, z) ? (m.imbalance(i, z).unserved - m.imbalance(i, z).curtailed) / 1000 : null)),
    ])]);

    $('zones').replaceChildren(...this.shownZones().map((z) => {
      const st = z.status;
      const flags = [st.emergency && 'emergency', st.halted && 'halted', st.islanded && 'islanded', st.forced_discharge && 'storage forced', st.shed && 'load shed'].filter(Boolean);
      const p = m.price(s.current, z.zone);
      const el = document.createElement('div');
      el.className = `zone ${flags.length ? 'alert' : 'ok'}`;
      el.dataset.zone = z.zone;
      el.innerHTML = `<b></b><span class="flags"></span><span class="tariff"></span>`;
      el.querySelector('b').textContent = this.zoneName(z.zone);
      el.querySelector('.flags').textContent = flags.length ? flags.join(', ') : 'normal';
      el.querySelector('.tariff').textContent = p ? `price ${fmt(p.price, 3)} · tariff ${fmt(p.tariff, 3)} /kWh` : '';
      return el;
    }));
    this.table('grid-events', m.recentGridEvents(12).map((e) => [`#${e.block}`, e.interval ?? '', e.zone === null ? '' : this.zoneName(e.zone), e.text]));
    this.kpi('quarantined', String(m.quarantined.length));
    this.table('quarantined', m.quarantined.slice(-12).map(([interval, meter, q]) => [
      interval, meter, `${q.owner.slice(0, 8)}…`, fmt(q.record.imported / 1000, 2), fmt(q.record.exported / 1000, 2), q.record.anomaly ?? '',
    ]));
    this.table('settlements', m.recentSettlements(12).map((x) => [x.interval, x.meter, `${x.who.slice(0, 8)}…`, fmt(x.bought / 1000, 2), fmt(x.sold / 1000, 2), fmt(x.net, 4), x.quality ?? '']));
  }

  kpi(name, text) {
    $(`kpi-${name}`).textContent = text;
  }

  table(id, rows) {
    $(id).querySelector('tbody').replaceChildren(...rows.map((cells) => {
      const tr = document.createElement('tr');
      for (const c of cells) {
        const td = document.createElement('td');
        td.textContent = String(c);
        tr.append(td);
      }
      return tr;
    }));
  }

  build(zones, units) {
    for (const c of Object.values(this.charts)) c.destroy();
    const zoneColor = (z) => PALETTE[z % PALETTE.length];
    const kwhAxis = (label) => [{}, { label, size: 60 }];
    const make = (id, series, label, extra = {}) => {
      const el = $(id);
      el.replaceChildren();
      return new uPlot({ width: el.clientWidth || 600, height: 240, series: [{}, ...series], axes: kwhAxis(label), scales: { x: { time: true } }, ...extra }, [[], ...series.map(() => [])], el);
    };
    this.charts.production = make('chart-production', [
      ...SOURCES.slice().reverse().map((src) => ({ label: src, stroke: COLORS[src], fill: `${COLORS[src]}cc`, width: 1 })),
      { label: 'Consumption', stroke: '#222', width: 2 },
    ], 'kWh per interval');
    this.charts.prices = make('chart-prices', zones.flatMap((z) => [
      { label: `${this.zoneName(z)} price`, stroke: zoneColor(z), width: 2, paths: uPlot.paths.stepped({ align: 1 }) },
      { label: `${this.zoneName(z)} tariff`, stroke: zoneColor(z), width: 1, dash: [6, 4], paths: uPlot.paths.stepped({ align: 1 }) },
    ]), 'DAEG per kWh');
    this.charts.storage = make('chart-storage', units.map((u, k) => ({ label: `unit ${u}`, stroke: PALETTE[k % PALETTE.length], width: 2 })),
      'state of charge %', { scales: { x: { time: true }, y: { range: [0, 100] } } });
    this.charts.imbalance = make('chart-imbalance', zones.flatMap((z) => [
      { label: `${this.zoneName(z)} short (+) / long (−)`, stroke: zoneColor(z), fill: `${zoneColor(z)}33`, width: 1, paths: uPlot.paths.bars({ size: [0.6, 40] }) },
      { label: `${this.zoneName(z)} unserved − curtailed`, stroke: zoneColor(z), width: 2, dash: [2, 2] },
    ]), 'kWh after the auction');
  }

  resize() {
    for (const [name, c] of Object.entries(this.charts)) {
      c.setSize({ width: $(`chart-${name}`).clientWidth, height: 240 });
    }
  }
}
