// The meter path end to end, with real components only: two simulated meters on real Modbus
// servers (pymodbus; an Eastron SDM630 over Modbus TCP, a Carlo Gavazzi EM24 over RTU framing),
// read by the real meter-oracle, relayed by the offchain worker of a real --dev node that signs
// with meter keys from its keystore, and found on chain with the values the oracle read. Then
// an outage: the node stops while the oracle keeps reading, restarts, and every interval's
// reading arrives exactly once.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiPromise, WsProvider, Keyring } from '@polkadot/api';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { startDevNode, startMeters, startProcess, workDir, devSpecWith, freePort, rpc, waitFor } from '../../../scripts/lib/chain.mjs';
import { intervalRecord } from './client.mjs';

const PYTHON = process.env.DAEG_PYTHON;
const ORACLE = process.env.DAEG_ORACLE;

const dir = workDir('oracle');
const processes = [];
let node;
let api;
let oraclePort;
let length; // the interval length, ms

// The meters: on-chain id, device key, register map, transport, and what the simulator does.
const METERS = [
  { id: 0, name: 'house', seed: '//DaegOracleHouse', map: 'sdm630', transport: 'tcp', unit: 1, importW: 3_600, exportW: 0, kind: 'Bidirectional', maxW: 11_000 },
  { id: 1, name: 'plant', seed: '//DaegOraclePlant', map: 'em24', transport: 'rtu', unit: 7, importW: 0, exportW: 72_000, kind: 'Production', maxW: 100_000 },
];

const connect = async () =>
  ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${node.rpcPort}`), noInitWarn: true });

/// Each meter's readings as the oracle formed them (its journal), oldest first.
function journal() {
  const path = join(dir, 'oracle-state', 'journal.jsonl');
  const lines = existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
  const byMeter = Object.fromEntries(METERS.map((m) => [m.id, []]));
  for (const r of lines.map((l) => JSON.parse(l))) byMeter[r.meter].push(r);
  return byMeter;
}

const oracleStatus = async () => (await fetch(`http://127.0.0.1:${oraclePort}/status`)).json();

async function readingState(id) {
  return (await api.query.consumption.meters(id)).unwrap().readings.toJSON();
}

/// Asserts that the chain holds exactly the meter's journal up to its last reading on chain:
/// the counter counts every journal entry once, and each interval's record is the difference
/// of consecutive registers, measured.
async function assertChainMatchesJournal(meter, entries) {
  const state = await readingState(meter.id);
  const last = state.last.interval;
  const delivered = entries.filter((r) => r.interval <= last);
  assert.equal(state.counter, delivered.length, `${meter.name}: one reading per journal entry, none twice, none lost`);
  for (let i = 1; i < delivered.length; i++) {
    const [prev, cur] = [delivered[i - 1], delivered[i]];
    const record = await intervalRecord(api, meter.id, cur.interval);
    assert.equal(record.interval, cur.interval, `${meter.name}: interval ${cur.interval} recorded`);
    assert.equal(cur.interval - prev.interval, 1, `${meter.name}: the oracle formed every interval`);
    assert.equal(record.quality, 'Measured', `${meter.name}: interval ${cur.interval} measured, not estimated`);
    assert.equal(record.imported, cur.imported - prev.imported, `${meter.name}: import in interval ${cur.interval}`);
    assert.equal(record.exported, cur.exported - prev.exported, `${meter.name}: export in interval ${cur.interval}`);
  }
  return delivered;
}

before(async () => {
  assert.ok(PYTHON && existsSync(PYTHON), 'DAEG_PYTHON (pymodbus) is set up by scripts/setup.sh');
  assert.ok(ORACLE && existsSync(ORACLE), 'DAEG_ORACLE is built');
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const alice = keyring.addFromUri('//Alice');
  for (const m of METERS) {
    m.device = keyring.addFromUri(m.seed);
  }

  const started = (p) => processes.push(p);
  const ports = await startMeters(dir, PYTHON,
    METERS.flatMap((m) => ['--meter', `${m.transport}:0:${m.map}:${m.unit}:${m.importW}:${m.exportW}`]), { started });
  METERS.forEach((m, i) => { m.port = ports[i]; });

  const spec = devSpecWith(dir, (patch) => {
    patch.consumption = { meters: METERS.map((m) => [alice.address, m.kind, 0, m.maxW, m.device.address]) };
  });
  oraclePort = await freePort();
  node = await startDevNode({ dir, extraArgs: ['--chain', spec, '--meter-oracle', `http://127.0.0.1:${oraclePort}`] });
  api = await connect();
  for (const m of METERS) {
    // The meter keys live in the node's keystore (on disk: they survive the restart below).
    await rpc(node.rpcPort, 'author_insertKey', ['metr', m.seed, u8aToHex(m.device.publicKey)]);
    assert.equal((await api.query.consumption.meters(m.id)).unwrap().deviceKey.toHex(), u8aToHex(m.device.publicKey));
  }
  length = (await api.query.grid.intervalLength()).toNumber();

  const config = join(dir, 'oracle.toml');
  writeFileSync(config, [
    `interval_secs = ${length / 1000}`,
    'poll_ms = 1000',
    `listen = "127.0.0.1:${oraclePort}"`,
    `state_dir = "${join(dir, 'oracle-state')}"`,
    ...METERS.flatMap((m) => [
      '[[meter]]', `name = "${m.name}"`, `chain_id = ${m.id}`, `map = "${m.map}"`,
      `transport = "${m.transport === 'tcp' ? 'tcp' : 'rtu-over-tcp'}"`, `address = "127.0.0.1:${m.port}"`, `unit = ${m.unit}`,
    ]),
  ].join('\n'));
  await startProcess(dir, 'oracle', ORACLE, ['--config', config], { started });
});

after(async () => {
  await api?.disconnect();
  await node?.stop();
  for (const p of processes) p.kill('SIGTERM');
});

test('meters read over Modbus TCP and RTU reach the chain through the offchain worker', async () => {
  // A baseline and two measured intervals per meter.
  await waitFor('three readings of each meter on chain', async () => {
    for (const m of METERS) if ((await readingState(m.id)).counter < 3) return null;
    return true;
  }, { timeoutMs: 6 * length + 60_000, everyMs: 2_000 });

  const entries = journal();
  for (const m of METERS) {
    const delivered = await assertChainMatchesJournal(m, entries[m.id]);
    // The energy is what the simulated meter measured: constant power over an interval
    // (the measurement moment varies by up to a poll, and the EM24 counts in 100 Wh steps).
    const perInterval = (w) => (w * length) / 3_600_000;
    const record = await intervalRecord(api, m.id, delivered[2].interval);
    const tolerance = m.map === 'em24' ? 100 : 3;
    assert.ok(Math.abs(record.imported - perInterval(m.importW)) <= tolerance, `${m.name}: import ${record.imported} Wh ≈ ${perInterval(m.importW)}`);
    assert.ok(Math.abs(record.exported - perInterval(m.exportW)) <= tolerance, `${m.name}: export ${record.exported} Wh ≈ ${perInterval(m.exportW)}`);
  }
});

test('a node outage loses no reading and delivers none twice', async () => {
  const before = Object.fromEntries(await Promise.all(METERS.map(async (m) => [m.id, (await readingState(m.id)).counter])));
  await api.disconnect();
  await node.stop();

  // The oracle keeps reading: two more intervals queue up for each meter.
  await waitFor('readings queued during the outage', async () => {
    const entries = journal();
    return METERS.every((m) => entries[m.id].length >= before[m.id] + 2) || null;
  }, { timeoutMs: 4 * length + 30_000, everyMs: 1_000 });
  assert.ok((await oracleStatus()).pending >= 2 * METERS.length, 'the oracle keeps them');

  node.start();
  await node.ready();
  api = await connect();
  const queued = journal();
  await waitFor('every queued reading on chain', async () => {
    for (const m of METERS) {
      if ((await readingState(m.id)).counter < queued[m.id].length) return null;
    }
    return true;
  }, { timeoutMs: 4 * length + 60_000, everyMs: 2_000 });

  const entries = journal();
  for (const m of METERS) {
    const delivered = await assertChainMatchesJournal(m, entries[m.id]);
    assert.ok(delivered.length >= before[m.id] + 2, `${m.name}: the outage's readings arrived`);
  }
  // And the oracle forgets what the chain holds.
  await waitFor('the oracle forgets what the chain holds', async () => {
    const { pending } = await oracleStatus();
    return pending <= METERS.length || null; // at most the interval being read now
  }, { timeoutMs: 2 * length, everyMs: 1_000 });
});
