#!/usr/bin/env node
// The main job: a local energy community on a DAEG chain, on an accelerated grid clock, until
// Ctrl-C (or for --days simulated days).
//
//   node scripts/demo/demo.mjs [--local] [--days N] [--scenario FILE] [--households N] [--rate R]
//                              [--start YYYY-MM-DD] [--dir DIR] [--dashboard-port P] [--rpc-port P]
//
// Starts a dev chain (or the four-validator local network) whose grid time runs R times as fast
// as real time (120 by default: one-hour intervals every 30 s, a day in 12 minutes), registers
// the community of the scenario file (scenarios/community.toml by default, with its own number
// of households unless --households says) with real transactions, serves its meters over Modbus TCP
// (scripts/lib/modbus_meters.py), reads them with the meter oracle into the node's offchain
// worker, and trades, balances and settles every interval, with a progress line. Serves the
// dashboard (dashboard/) on port P (8080 by default; 0: any free port); the dev chain's
// JSON-RPC listens on 9944 (--rpc-port; 0: any free port). Ctrl-C stops every process it started.

import { mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ApiPromise, WsProvider, Keyring } from '@polkadot/api';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { DAY_MS, HOUR_MS, REPO, LocalNetwork, devSpecWith, freePort, rpc, sleep, startDevNode, startMeters, startProcess, waitFor } from '../lib/chain.mjs';
import { client } from '../lib/client.mjs';
import { serveDashboard } from '../../dashboard/server.mjs';
import { describe } from './community.mjs';
import { registerCommunity, meterUri } from './register.mjs';
import { Trader } from './trader.mjs';

const DEFAULT_SCENARIO = join(REPO, 'scenarios', 'community.toml');

function options(argv) {
  const o = { local: false, days: null, scenario: DEFAULT_SCENARIO, households: null, rate: 120, start: '2025-06-21', dir: join(REPO, '.daeg', 'demo'), dashboardPort: 8080, rpcPort: 9944 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i];
    if (a === '--local') o.local = true;
    else if (a === '--days') o.days = Number(value());
    else if (a === '--scenario') o.scenario = value();
    else if (a === '--households') o.households = Number(value());
    else if (a === '--rate') o.rate = Number(value());
    else if (a === '--start') o.start = value();
    else if (a === '--dir') o.dir = value();
    else if (a === '--dashboard-port') o.dashboardPort = Number(value());
    else if (a === '--rpc-port') o.rpcPort = Number(value());
    else throw new Error(`unknown option ${a}`);
  }
  if (!(o.rate >= 1 && Number.isInteger(o.rate))) throw new Error('--rate must be a whole number from 1');
  if (Number.isNaN(Date.parse(o.start))) throw new Error('--start must be a date, YYYY-MM-DD');
  return o;
}

/// Serves the dashboard on `port` (on any free port if that one is taken), pointed at the
/// node's RPC port and naming the community's zones: `{ url, server }`.
async function startDashboard(port, rpcPort, community) {
  let server;
  try {
    server = await serveDashboard({ port });
  } catch (e) {
    if (e.code !== 'EADDRINUSE') throw e;
    server = await serveDashboard({ port: 0 });
  }
  const names = [];
  for (const z of community.zones) names[z.id] = z.name;
  return { url: `${server.url}?ws=ws://127.0.0.1:${rpcPort}&zones=${encodeURIComponent(names.join(','))}`, server };
}

/// Runs the demo until `signal` aborts or `--days` have passed; `onInterval` is called at each
/// new interval.
export async function runDemo(argv, { onInterval, signal } = {}) {
  const o = options(argv);
  rmSync(o.dir, { recursive: true, force: true });
  mkdirSync(o.dir, { recursive: true });
  const processes = [];
  let nodes = [];
  let net = null;
  let api = null;
  let dashboardServer = null;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    for (const p of processes) p.kill('SIGTERM');
    await api?.disconnect().catch(() => {});
    await dashboardServer?.close();
    await Promise.all([...(net ? [net.stop()] : nodes.map((n) => n.stop()))]);
  };
  const say = (line) => process.stdout.write(`\r\x1b[K[demo] ${line}\n`);
  signal?.addEventListener('abort', () => { stop(); });

  try {
    // The chain: one-hour intervals of grid time, R times as fast as real time from a few
    // seconds from now, starting at midnight of --start.
    const intervalMs = HOUR_MS;
    const timeScale = { chain_origin_ms: Date.now() + 5_000, grid_origin_ms: Date.parse(`${o.start}T00:00:00Z`), rate: o.rate };
    const spec = devSpecWith(o.dir, (patch) => {
      patch.grid.intervalLengthMs = intervalMs;
      patch.grid.timeScale = timeScale;
    }, o.local ? 'local' : 'dev');
    const oraclePort = await freePort();
    const oracleArgs = ['--meter-oracle', `http://127.0.0.1:${oraclePort}`];
    say(`starting the ${o.local ? 'four-validator local network' : 'dev chain'} (grid time ${o.rate}× real time from ${o.start})`);
    if (o.local) {
      net = new LocalNetwork(join(o.dir, 'chain'), { chain: spec, extraArgs: { alice: ['--rpc-methods', 'unsafe', ...oracleArgs] } });
      mkdirSync(net.dir, { recursive: true });
      await net.start();
      nodes = Object.values(net.nodes);
    } else {
      nodes = [await startDevNode({ dir: o.dir, rpcPort: o.rpcPort || undefined, extraArgs: ['--chain', spec, ...oracleArgs] })];
    }
    const node = nodes[0];
    await cryptoWaitReady();
    api = await ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${node.rpcPort}`), noInitWarn: true });
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const helpers = client(api, keyring);
    await waitFor('the first block', async () => (await api.rpc.chain.getHeader()).number.toNumber() > 0, { timeoutMs: 60_000 });

    const scenario = { scenario: o.scenario, households: o.households };
    const community = describe(scenario);
    const dashboard = await startDashboard(o.dashboardPort, node.rpcPort, community);
    dashboardServer = dashboard.server;
    say(`dashboard ${dashboard.url}`);
    const status = await rpc(node.rpcPort, 'pricing_status', []);
    const registered = await registerCommunity({ api, keyring, helpers, community, gridNowMs: status.now_ms, log: say });
    const meters = registered.members.flatMap((m) => m.meters.map((meter) => Object.assign(meter, { label: `${m.name}/${meter.key}` })));

    // The meters' keys go into the node's keystore: its offchain worker signs their readings.
    for (const m of registered.members) {
      for (const meter of m.meters) {
        await rpc(node.rpcPort, 'author_insertKey', ['metr', meterUri(m.name, meter.key), u8aToHex(meter.device.publicKey)]);
      }
    }

    // The simulated meters, each on a Modbus TCP server of its own (on a port it chooses),
    // following the power file.
    const communityFile = join(o.dir, 'community.json');
    const powersPath = join(o.dir, 'powers.json');
    writeFileSync(communityFile, JSON.stringify({
      timeScale, intervalMs, meters: meters.map((m) => ({ id: m.id, port: 0, map: m.map, unit: 1 })),
    }));
    const trader = new Trader({ api, keyring, helpers, node, registered, community: scenario, intervalMs, powersPath, log: say });
    await trader.step(await rpc(node.rpcPort, 'pricing_status', []));
    const python = process.env.DAEG_PYTHON;
    if (!python || !existsSync(python)) throw new Error('DAEG_PYTHON (pymodbus) is not set up: run scripts/setup.sh');
    say(`starting ${meters.length} simulated meters (Modbus TCP) and the meter oracle`);
    const started = (p) => processes.push(p);
    const ports = await startMeters(o.dir, python, ['--community', communityFile, '--powers', powersPath], { started });
    meters.forEach((meter, i) => { meter.port = ports[i]; });

    const oracleConfig = join(o.dir, 'oracle.toml');
    writeFileSync(oracleConfig, [
      `interval_secs = ${intervalMs / 1000}`,
      // Polls often enough that a reading is formed within a minute of grid time.
      `poll_ms = ${Math.max(100, Math.min(2_000, Math.floor(intervalMs / o.rate / 60)))}`,
      `listen = "127.0.0.1:${oraclePort}"`,
      `state_dir = "${join(o.dir, 'oracle-state')}"`,
      ...meters.map((m) => `[[meter]]\nname = "${m.label}"\nchain_id = ${m.id}\nmap = "${m.map}"\ntransport = "tcp"\naddress = "127.0.0.1:${m.port}"\nunit = 1`),
      `[time_scale]\nchain_origin_ms = ${timeScale.chain_origin_ms}\ngrid_origin_ms = ${timeScale.grid_origin_ms}\nrate = ${timeScale.rate}`,
      '',
    ].join('\n'));
    const oracle = process.env.DAEG_ORACLE;
    if (!oracle || !existsSync(oracle)) throw new Error('DAEG_ORACLE is not built: run scripts/run.sh');
    await startProcess(o.dir, 'oracle', oracle, ['--config', oracleConfig], { ready: /serving/, started });

    say(`running; dashboard ${dashboard.url}; JSON-RPC ws://127.0.0.1:${node.rpcPort}; logs in ${o.dir}; Ctrl-C stops everything`);
    const first = (await rpc(node.rpcPort, 'pricing_status', [])).current;
    const lastInterval = o.days ? first + Math.round((o.days * DAY_MS) / intervalMs) : Infinity;
    let seen = null;
    // Running totals for the progress line, from every block's events since the market opened.
    const totals = { counted: (await api.rpc.chain.getHeader()).number.toNumber(), values: 0, tradedWh: 0n, settled: 0 };
    while (!stopping) {
      const s = await rpc(node.rpcPort, 'pricing_status', []);
      if (s.current !== seen) {
        seen = s.current;
        await trader.step(s);
        const head = (await api.rpc.chain.getHeader()).number.toNumber();
        for (const { event } of await helpers.blockEvents(totals.counted + 1, head, () => true)) {
          if (api.events.consumption.IntervalRecorded.is(event)) totals.values++;
          else if (api.events.pricing.IntervalCleared.is(event)) totals.tradedWh += BigInt(event.data.traded.toString());
          else if (api.events.pricing.Settled.is(event)) totals.settled++;
        }
        totals.counted = head;
        const prices = await Promise.all(community.zones.map(async (z) => {
          const [[, r]] = await rpc(node.rpcPort, 'pricing_prices', [z.id, s.current, s.current]);
          return `${z.name} ${r.price === null ? '–' : (r.price / 1e12).toFixed(3)}`;
        }));
        const when = new Date(s.now_ms).toISOString().slice(0, 16).replace('T', ' ');
        process.stdout.write(`\r\x1b[Kgrid ${when} UTC  interval ${s.current}  block #${head}  meter values ${totals.values}  traded ${(Number(totals.tradedWh) / 1e3).toFixed(1)} kWh  settled ${totals.settled}  price/kWh: ${prices.join('  ')}`);
        await onInterval?.({ api, node, status: s, registered, community, first, dashboard: dashboard.url });
        if (s.current >= lastInterval) break;
      }
      await sleep(1_000);
    }
    return { first, dir: o.dir };
  } finally {
    await stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const abort = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => { process.stdout.write('\nstopping...\n'); abort.abort(); });
  }
  runDemo(process.argv.slice(2), { signal: abort.signal }).then(
    () => process.exit(0),
    (e) => { if (!abort.signal.aborted) console.error(`\n${e.stack ?? e}`); process.exit(abort.signal.aborted ? 0 : 1); },
  );
}
