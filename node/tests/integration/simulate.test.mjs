// The research simulation mode end to end: `daeg-sim run` runs 30 days of the demo
// community through the real runtime, then scripts/plot_simulation.py draws its plots. The
// results must be whole (a row per interval, every meter read in every interval, prices in
// every zone) and plausible (the community trades, PV produces, storage cycles, certificates
// avoid CO₂), and the plots real PNG files.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, simBinary, workDir } from '../../../scripts/lib/chain.mjs';
import { describe } from '../../../scripts/demo/community.mjs';

const DAYS = 30;
const HOUSEHOLDS = 30;

test(`simulation mode runs ${DAYS} days of the community and plots them`, { timeout: 30 * 60_000 }, () => {
  const out = workDir('simulate');
  const stdout = execFileSync(simBinary(), ['run', '--days', String(DAYS), '--households', String(HOUSEHOLDS),
    '--start', '2025-05-01', '--out', out, '--quiet'], { maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] });
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  assert.deepEqual(JSON.parse(stdout.toString()), summary, 'the summary printed is the one written');

  const community = describe({ households: HOUSEHOLDS });
  const meters = community.members.reduce((n, m) => n + m.meters.length, 0);
  const [header, ...rows] = readFileSync(join(out, 'intervals.csv'), 'utf8').trim().split('\n');
  const cols = header.split(',');
  const col = (row, name) => row.split(',')[cols.indexOf(name)];
  assert.equal(rows.length, DAYS * 24, 'a row per hour');
  assert.equal(col(rows[0], 'start_utc'), '2025-05-01 00:00');
  assert.equal(col(rows.at(-1), 'start_utc'), '2025-05-30 23:00');
  for (const row of rows) {
    assert.equal(Number(col(row, 'readings')), meters, `every meter has a value: ${row}`);
    for (const z of community.zones) {
      assert.ok(Number(col(row, `tariff_zone${z.id}`)) > 0, `zone ${z.id} has a tariff: ${row}`);
    }
  }
  const traded = rows.filter((r) => Number(col(r, 'traded_wh')) > 0).length;
  assert.ok(traded > 0.9 * rows.length, `the community traded in most intervals (${traded})`);
  const sunny = rows.filter((r) => Number(col(r, 'solar_wh')) > 0).length;
  assert.ok(sunny > DAYS * 6 && sunny < DAYS * 18, `PV produces by day only (${sunny} intervals)`);

  assert.equal(summary.intervals, DAYS * 24);
  assert.ok(summary.consumption_mwh > 1, `${summary.consumption_mwh} MWh consumed`);
  assert.ok(summary.self_sufficiency > 0.5 && summary.self_sufficiency <= 1, `self-sufficiency ${summary.self_sufficiency}`);
  assert.ok(summary.peak_load_kw > 0);
  assert.ok(summary.average_price > 0.01 && summary.average_price < 1, `average price ${summary.average_price}`);
  assert.ok(summary.storage_charged_mwh > 0 && summary.storage_discharged_mwh > 0, 'storage cycles');
  assert.ok(summary.certified_mwh > 0 && summary.co2_avoided_kg > 0, 'certificates avoid CO₂');
  assert.equal(summary.readings, DAYS * 24 * meters);

  const bills = readFileSync(join(out, 'bills.csv'), 'utf8').trim().split('\n').slice(1);
  assert.equal(bills.length, community.members.length, 'a bill per member');
  assert.ok(bills.some((b) => Number(b.split(',')[3]) > 0), 'members were charged');
  assert.ok(bills.some((b) => Number(b.split(',')[4]) > 0), 'members were credited');

  execFileSync(process.env.DAEG_PYTHON ?? 'python3', [join(REPO, 'scripts', 'plot_simulation.py'), out], { stdio: 'inherit' });
  for (const png of ['energy.png', 'prices.png', 'balance.png', 'bills.png']) {
    const bytes = readFileSync(join(out, png));
    assert.ok(bytes.length > 10_000, `${png} has a picture`);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${png} is a PNG`);
  }
});
