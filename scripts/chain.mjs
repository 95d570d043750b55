#!/usr/bin/env node
// Runs a DAEG chain until Ctrl-C, with a progress line of best and finalized blocks.
//   node scripts/chain.mjs dev     one validator (Alice), RPC on port 9944
//   node scripts/chain.mjs local   four validators (Alice, Bob, Charlie, Dave) on loopback
// Options: --dir DIR (where databases and logs go; default .daeg/<chain> in the repository).
// The node binary is $DAEG_NODE, else target/debug/daeg-node (or under $CARGO_TARGET_DIR).

import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { LocalNetwork, startDevNode, sleep, REPO } from './lib/chain.mjs';

const mode = process.argv[2] ?? 'dev';
if (!['dev', 'local'].includes(mode)) {
  console.error(`unknown chain "${mode}": use "dev" or "local"`);
  process.exit(2);
}
const dirFlag = process.argv.indexOf('--dir');
const dir = dirFlag > 0 ? process.argv[dirFlag + 1] : join(REPO, '.daeg', mode);
mkdirSync(dir, { recursive: true });

const net = mode === 'local' ? new LocalNetwork(dir) : null;
let nodes = [];
let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nstopping...\n');
  await Promise.all([...nodes.map((n) => n.stop()), net?.stop()]);
  process.exit(code);
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

try {
  if (mode === 'dev') {
    nodes = [await startDevNode({ dir, rpcPort: 9944 })];
  } else {
    await net.start();
    nodes = Object.values(net.nodes);
  }
} catch (e) {
  console.error(`the chain failed to start: ${e.message}`);
  await shutdown(1);
}

console.log(`DAEG ${mode} chain running; data and logs in ${dir}`);
for (const n of nodes) {
  console.log(`  ${n.name.padEnd(8)} JSON-RPC http/ws://127.0.0.1:${n.rpcPort}   log ${n.logFile}`);
}
console.log(`  polkadot.js Apps: https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A${nodes[0].rpcPort}`);
console.log('Ctrl-C stops every node.');

while (!stopping) {
  const parts = [];
  for (const n of nodes) {
    try {
      const h = await n.heads();
      parts.push(`${n.name} #${h.best} (finalized #${h.finalized})`);
    } catch {
      parts.push(`${n.name} down`);
    }
  }
  process.stdout.write(`\r${parts.join('  ')}   `);
  await sleep(3000);
}
