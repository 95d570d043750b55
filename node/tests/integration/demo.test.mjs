// The main job end to end: the demo (scripts/demo/demo.mjs) runs its community on a dev chain
// at 120× real time, with its Modbus meters, meter oracle and trader, for a simulated day.
// While it runs, a real browser (Debian chromium driven by playwright-core) opens the
// dashboard it serves: the charts render and the values shown change between two moments.
// After the day: every interval whose book crossed traded, every meter has a reading (or a
// flagged substitute) for every interval, settlement moved exactly the money it reported, and
// storage both charged and discharged. The demo runs a copy of the demo scenario whose meter
// breaker thresholds differ: the chain's breakers follow the file (the simulation's own test,
// sim/src/simulate/world.rs, shows the same for the simulation).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { REPO, rpc, sleep, workDir } from '../../../scripts/lib/chain.mjs';
import { client } from '../../../scripts/lib/client.mjs';
import { runDemo } from '../../../scripts/demo/demo.mjs';

const CHROMIUM = process.env.DAEG_CHROMIUM ?? '/usr/bin/chromium';
/// Intervals in the simulated day (one hour each).
const DAY = 24;

/// A promise with its resolve and reject.
function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

test('the demo community runs a simulated day, and its dashboard shows it live', { timeout: 45 * 60_000 }, async (t) => {
  const abort = new AbortController();
  const early = deferred();
  const dayDone = deferred();
  dayDone.promise.catch(() => {});
  /// Interval → zone → whether its book crossed (best bid at or above best ask) while open.
  const crossed = new Map();
  /// `meter/interval` → the quality of its value, read once the interval is final (the
  /// meters' history keeps a day and an hour: the day's first intervals are gone by its end).
  const values = new Map();
  let startBlock = null;
  let startPot = null;

  const scenarioDir = workDir('demo-scenario');
  mkdirSync(scenarioDir, { recursive: true });
  const scenario = join(scenarioDir, 'community.toml');
  const demoScenario = readFileSync(join(REPO, 'scenarios', 'community.toml'), 'utf8');
  const edited = demoScenario.replace('anomalous_share_percent = 30', 'anomalous_share_percent = 35').replace('min_meters = 5', 'min_meters = 7');
  assert.notEqual(edited, demoScenario, 'the scenario has the thresholds this test changes');
  writeFileSync(scenario, edited);

  const run = runDemo(['--dir', workDir('demo'), '--scenario', scenario, '--dashboard-port', '0', '--rpc-port', '0'], {
    signal: abort.signal,
    onInterval: async (ctx) => {
      const { node, status, first, community } = ctx;
      if (startBlock === null) {
        startBlock = (await ctx.api.rpc.chain.getHeader()).number.toNumber();
        startPot = BigInt(status.pot);
      }
      // The first open interval's book is complete (orders go in an interval ahead).
      const open = status.first_open;
      if (!crossed.has(open)) {
        const zones = new Map();
        for (const z of community.zones) {
          const depth = await rpc(node.rpcPort, 'pricing_depth', [open, z.id]);
          zones.set(z.id, depth.bids.length > 0 && depth.asks.length > 0 && BigInt(depth.bids[0].price) >= BigInt(depth.asks[0].price));
        }
        crossed.set(open, zones);
      }
      // Values are final an interval after their own; read each interval's two later.
      const final = status.current - 3;
      if (final > first && final <= first + DAY) {
        for (const meter of ctx.registered.members.flatMap((m) => m.meters)) {
          for (const r of await rpc(node.rpcPort, 'consumption_intervals', [meter.id, final, final])) {
            values.set(`${meter.id}/${r.record.interval}`, r.record);
          }
        }
      }
      if (status.current >= first + 3) early.resolve(ctx);
      if ((status.next_to_settle ?? 0) > first + DAY + 1 && final >= first + DAY) dayDone.resolve(ctx);
      // The day settles about three intervals after its end unless a meter never reports
      // (then only at the settlement deadline, 96 intervals on): say which, rather than wait.
      if (status.current > first + DAY + 8) {
        const silent = ctx.registered.members.flatMap((m) => m.meters)
          .filter((meter) => ![...values].some(([k, r]) => k.startsWith(`${meter.id}/`) && r.quality === 'Measured'))
          .map((meter) => `${meter.id} (${meter.label})`);
        dayDone.reject(new Error(`the day is not settled at interval ${status.current} (next to settle ${status.next_to_settle}); meters never measured: ${silent.join(', ') || 'none'}`));
      }
    },
  });
  const ended = run.then(() => { throw new Error('the demo ended early'); });
  ended.catch(() => {});

  try {
    await t.test('the dashboard renders charts that follow the chain', async () => {
      assert.ok(existsSync(CHROMIUM), `chromium at ${CHROMIUM} (scripts/setup.sh installs it)`);
      const ctx = await Promise.race([early.promise, ended]);
      const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        const errors = [];
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
        await page.goto(ctx.dashboard);
        await page.waitForSelector('#state[data-state="live"]', { timeout: 120_000 });

        /// What the page shows: the key figures' texts, and per chart its canvas size, its
        /// drawn (non-blank) pixels and its series' latest non-empty values.
        const snapshot = () => page.evaluate(() => {
          const kpis = Object.fromEntries([...document.querySelectorAll('[id^="kpi-"]')].map((e) => [e.id, e.textContent]));
          const charts = {};
          for (const el of document.querySelectorAll('.chart')) {
            const canvas = el.querySelector('canvas');
            let drawn = 0;
            if (canvas) {
              const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
              for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) drawn++;
            }
            charts[el.id] = { width: canvas?.width ?? 0, height: canvas?.height ?? 0, drawn };
          }
          return { kpis, charts, zones: document.querySelectorAll('.zone').length, settlements: document.querySelectorAll('#settlements tbody tr').length };
        });
        const plotted = () => page.evaluate(() => Object.fromEntries(Object.entries(window.daegDashboard.charts).map(([name, c]) => [
          name, c.data.slice(1).map((series) => series.filter((v) => v !== null && v !== undefined && !Number.isNaN(v)).length),
        ])));

        // Wait until every chart has points to draw (storage needs its units, imbalance a
        // balanced interval, production a metered one).
        await page.waitForFunction(() => Object.values(window.daegDashboard?.charts ?? {}).length === 4
          && Object.values(window.daegDashboard.charts).every((c) => c.data.slice(1).some((s) => s.some((v) => v !== null && v !== undefined))),
        null, { timeout: 240_000, polling: 1_000 });
        const before = await snapshot();
        const pointsBefore = await plotted();
        for (const [id, c] of Object.entries(before.charts)) {
          assert.ok(c.width > 300 && c.height > 150, `${id} has a canvas: ${JSON.stringify(c)}`);
          assert.ok(c.drawn > 2_000, `${id} drew something: ${c.drawn} pixels`);
        }
        assert.equal(before.zones, ctx.community.zones.length, 'a status badge per zone');
        assert.match(before.kpis['kpi-grid-time'], /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
        assert.match(before.kpis['kpi-readings'], /^\d+ \(\d+ substituted\)$/);

        // A simulated hour later (30 s), the page has moved on with the chain.
        await page.waitForFunction((interval) => document.getElementById('kpi-interval').textContent !== interval,
          before.kpis['kpi-interval'], { timeout: 90_000, polling: 1_000 });
        await sleep(8_000);
        const after = await snapshot();
        const pointsAfter = await plotted();
        for (const k of ['kpi-grid-time', 'kpi-interval', 'kpi-block']) {
          assert.notEqual(after.kpis[k], before.kpis[k], `${k} changed: ${before.kpis[k]} → ${after.kpis[k]}`);
        }
        assert.ok(Number(after.kpis['kpi-interval']) > Number(before.kpis['kpi-interval']));
        const grew = Object.keys(pointsAfter).filter((name) =>
          pointsAfter[name].reduce((a, b) => a + b, 0) > pointsBefore[name].reduce((a, b) => a + b, 0));
        assert.ok(grew.length >= 3, `the charts gained points: ${JSON.stringify({ pointsBefore, pointsAfter })}`);
        assert.deepEqual(errors, [], 'no errors in the page');
      } finally {
        await browser.close();
      }
    });

    await t.test('a simulated day: trades, readings, settlement and storage', async () => {
      const ctx = await Promise.race([dayDone.promise, ended]);
      const { api, node, registered, first } = ctx;
      const day = Array.from({ length: DAY }, (_, k) => first + 1 + k);
      const helpers = client(api, null);

      // The operators set the breakers the scenario file says.
      const breakers = (await api.query.balancing.breakers()).toJSON();
      assert.deepEqual(breakers, { capIntervals: 4, imbalanceShare: null, anomalousShare: 350_000_000, minMeters: 7 });

      // Every interval whose book crossed traded in that zone.
      let checked = 0;
      for (const interval of day) {
        for (const [zone, didCross] of crossed.get(interval) ?? []) {
          if (!didCross) continue;
          const [[, r]] = await rpc(node.rpcPort, 'pricing_prices', [zone, interval, interval]);
          assert.ok(r.price !== null && BigInt(r.bought) + BigInt(r.sold) > 0n, `zone ${zone} traded in interval ${interval}: ${JSON.stringify(r)}`);
          checked++;
        }
      }
      assert.ok(checked >= DAY, `crossing books were checked in every interval (${checked})`);

      // Every meter has a value for every interval: measured, or a flagged substitute.
      const meters = registered.members.flatMap((m) => m.meters);
      const qualities = new Map();
      for (const meter of meters) {
        for (const interval of day) {
          const record = values.get(`${meter.id}/${interval}`);
          assert.ok(record, `meter ${meter.id} (${meter.key}) has interval ${interval}`);
          assert.ok(['Measured', 'Interpolated', 'Substituted'].includes(record.quality), `a known quality: ${record.quality}`);
          qualities.set(record.quality, (qualities.get(record.quality) ?? 0) + 1);
        }
      }
      assert.ok((qualities.get('Measured') ?? 0) > 0.9 * meters.length * DAY, `mostly measured: ${JSON.stringify([...qualities])}`);

      // Settlement moved exactly the money it reported: the pot changed by what it collected
      // less what it paid, and each member's balance by what it was paid less what was
      // collected from it, its fees and its feed-in premium.
      const head = (await api.rpc.chain.getHeader()).number.toNumber();
      const atStart = await api.rpc.chain.getBlockHash(startBlock);
      const atHead = await api.rpc.chain.getBlockHash(head);
      const potAtHead = BigInt((await rpc(node.rpcPort, 'pricing_status', [atHead.toHex()])).pot);
      const potAtStart = BigInt((await rpc(node.rpcPort, 'pricing_status', [atStart.toHex()])).pot);
      assert.equal(potAtStart, startPot);
      const flows = new Map();
      const add = (who, amount) => flows.set(who, (flows.get(who) ?? 0n) + amount);
      let collected = 0n;
      let paid = 0n;
      let settledLines = 0;
      for (const { event } of await helpers.blockEvents(startBlock + 1, head, () => true)) {
        const d = event.data;
        if (api.events.pricing.Payment.is(event)) {
          collected += d.collected.toBigInt();
          paid += d.paid.toBigInt();
          add(d.who.toString(), d.paid.toBigInt() - d.collected.toBigInt());
        } else if (api.events.pricing.PotFunded.is(event)) {
          collected += d.amount.toBigInt();
        } else if (api.events.transactionPayment.TransactionFeePaid.is(event)) {
          add(d.who.toString(), -d.actualFee.toBigInt());
        } else if (api.events.production.PremiumPaid.is(event)) {
          add(d.producer.toString(), d.amount.toBigInt());
        } else if (api.events.pricing.Settled.is(event)) {
          settledLines++;
        }
      }
      assert.ok(settledLines >= meters.length * (DAY - 2), `the day was settled: ${settledLines} lines`);
      assert.ok(collected > 0n && paid > 0n, `money moved both ways: collected ${collected}, paid ${paid}`);
      assert.equal(potAtHead - potAtStart, collected - paid, 'the pot changed by what settlement collected less what it paid');
      const total = async (who, at) => {
        const { data } = await (await api.at(at)).query.system.account(who);
        return data.free.toBigInt() + data.reserved.toBigInt();
      };
      for (const m of registered.members) {
        const who = m.account.address;
        const change = (await total(who, atHead)) - (await total(who, atStart));
        assert.equal(change, flows.get(who) ?? 0n, `${m.name}'s balance changed by exactly its settlement, fees and premium`);
      }

      // Storage charged and discharged: scheduled both ways, and the batteries' meters
      // measured energy in and out.
      const batteryMeters = new Set(registered.members.filter((m) => m.storage).map((m) => m.meters.find((x) => x.key === m.storage.meter).id));
      let imported = 0;
      let exported = 0;
      for (const id of batteryMeters) {
        for (const interval of day) {
          imported += Number(values.get(`${id}/${interval}`).imported);
          exported += Number(values.get(`${id}/${interval}`).exported);
        }
      }
      assert.ok(imported > 0, `storage charged: ${imported} Wh`);
      assert.ok(exported > 0, `storage discharged: ${exported} Wh`);
    });
  } finally {
    abort.abort();
    await run.catch(() => {});
  }
});
