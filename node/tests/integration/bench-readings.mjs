// Throughput of signed meter readings on a real node (run by scripts/bench-readings.sh):
// starts a dev chain whose genesis registers N active meters, submits two readings per meter
// (baseline, then the next interval) as general transactions — batches of the runtime's
// maximum, as an offchain worker relaying many meters does — and counts the readings each
// block includes. Prints readings per block and per second.

import { ApiPromise, WsProvider, Keyring } from '@polkadot/api';
import { compactFromU8a, hexToU8a } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';
import { startDevNode, workDir, devSpecWith, rpcRaw, rpc, waitFor } from '../../../scripts/lib/chain.mjs';
import { generalTransaction, signedReading } from './client.mjs';

const METERS = Number(process.argv[2] ?? 6_000);
const PER_OWNER = 100; // the runtime's MaxMetersPerOwner
const CONCURRENCY = 16;

/// Whether an encoded extrinsic is a general transaction (format v5): readings are the only ones.
function isGeneral(hex) {
  const bytes = hexToU8a(hex);
  const [offset] = compactFromU8a(bytes);
  return bytes[offset] === 0x45;
}

/// The readings a general transaction carries: the length of its batch. Layout after the
/// length prefix: 0x45, extension version, 4 bytes of extensions, pallet and call index.
function readingsIn(hex) {
  const bytes = hexToU8a(hex);
  const [offset] = compactFromU8a(bytes);
  const [, n] = compactFromU8a(bytes.subarray(offset + 8));
  return Number(n);
}

await cryptoWaitReady();
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
const devices = Array.from({ length: METERS }, (_, i) => keyring.addFromSeed(blake2AsU8a(`daeg-bench-meter-${i}`)));
const owners = Array.from({ length: Math.ceil(METERS / PER_OWNER) }, (_, i) => keyring.addFromUri(`//DaegBenchOwner${i}`));

// The dev chain spec with the meters (and their owners' funds) added to its genesis patch.
const dir = workDir('bench-readings');
const specPath = devSpecWith(dir, (patch) => {
  patch.balances.balances.push(...owners.map((o) => [o.address, 1e15])); // 1,000 DAEG each
  patch.consumption = {
    meters: devices.map((d, i) => [owners[Math.floor(i / PER_OWNER)].address, 'Consumption', 0, 11_000, d.address]),
  };
});

const node = await startDevNode({ dir, extraArgs: ['--chain', specPath, '--pool-limit', String(4 * METERS), '--pool-kbytes', '262144'] });
const api = await ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${node.rpcPort}`), noInitWarn: true });
try {
  const length = (await api.query.grid.intervalLength()).toNumber();
  const now = await waitFor('the first block', async () => (await api.query.timestamp.now()).toNumber() || null);
  const c = Math.floor(now / length);
  const reading = (meter, interval, counter, imported) =>
    ({ meter, interval, imported, exported: 0, measuredAt: (interval + 1) * length + 1_000, counter });

  const batchSize = api.consts.consumption.maxReadingsPerBatch.toNumber();
  process.stdout.write(`[bench] signing ${2 * METERS} readings of ${METERS} meters, batches of ${batchSize}\n`);
  const txs = [];
  for (const [counter, interval, imported] of [[1, c - 2, 1_000], [2, c - 1, 1_050]]) {
    for (let first = 0; first < METERS; first += batchSize) {
      const batch = [];
      for (let m = first; m < Math.min(first + batchSize, METERS); m++) {
        batch.push(signedReading(api, devices[m], reading(m, interval, counter, imported)));
      }
      txs.push({ hex: generalTransaction(api.tx.consumption.submitReadings(batch).method), readings: batch.length });
    }
  }
  const total = txs.reduce((n, t) => n + t.readings, 0);

  const start = (await node.heads()).best;
  process.stdout.write(`[bench] submitting from block #${start}\n`);
  let next = 0;
  let refused = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < txs.length) {
      const answer = await rpcRaw(node.rpcPort, 'author_submitExtrinsic', [txs[next++].hex]);
      if (answer.error) { refused++; console.error(JSON.stringify(answer.error)); }
    }
  }));
  if (refused) throw new Error(`${refused} batches were refused by the pool`);

  // Count the readings (general transactions) in each block until all are in.
  const perBlock = [];
  let counted = 0;
  let number = start + 1;
  await waitFor('every reading included', async () => {
    while (number <= (await node.heads()).best) {
      const hash = await rpc(node.rpcPort, 'chain_getBlockHash', [number]);
      const block = await rpc(node.rpcPort, 'chain_getBlock', [hash]);
      const readings = block.block.extrinsics.filter(isGeneral).map(readingsIn).reduce((a, b) => a + b, 0);
      perBlock.push({ number, readings });
      counted += readings;
      number++;
    }
    return counted >= total || null;
  }, { timeoutMs: 30 * 60_000, everyMs: 1_000 });

  const used = perBlock.filter((b) => b.readings > 0);
  const max = Math.max(...used.map((b) => b.readings));
  const blockSeconds = 6;
  const mean = counted / used.length;
  console.log(`[bench] ${counted} readings in ${used.length} blocks (#${used[0].number}..#${used.at(-1).number}): ` +
    `max ${max} per block, mean ${mean.toFixed(0)} per block with readings, ` +
    `${(counted / (used.length * blockSeconds)).toFixed(0)} per second at ${blockSeconds} s blocks`);
  console.log(`[bench] per block: ${used.map((b) => b.readings).join(' ')}`);
} finally {
  await api.disconnect();
  await node.stop();
}
